#include <criterion/criterion.h>
#include <string.h>

#include "util/utf8.h"

/* Byte-string literals keep the test data readable as the escapes in RFC 3629
 * and the Autobahn case descriptions. */
static bool valid(const char *s, size_t n)
{
    return lv_utf8_valid((const uint8_t *)s, n);
}

#define VALID(lit) valid(lit, sizeof(lit) - 1)

static uint32_t feed(uint32_t state, const char *s, size_t n)
{
    return lv_utf8_feed(state, (const uint8_t *)s, n);
}

Test(utf8, empty_input_is_valid)
{
    cr_assert(valid("", 0));
    cr_assert_eq(lv_utf8_feed(LV_UTF8_ACCEPT, NULL, 0), LV_UTF8_ACCEPT);
}

Test(utf8, ascii)
{
    cr_assert(VALID("hello, world"));
    cr_assert(VALID("[\"4\",\"5\",\"lv:phx-F1\",\"event\",{\"type\":\"click\"}]"));
    /* NUL is a valid code point, so embedded NULs are fine. */
    cr_assert(VALID("a\0b"));
}

Test(utf8, multibyte)
{
    cr_assert(VALID("caf\xC3\xA9"));                       /* 2 bytes: é */
    cr_assert(VALID("\xE2\x82\xAC"));                      /* 3 bytes: € */
    cr_assert(VALID("\xF0\x9F\x98\x80"));                  /* 4 bytes: 😀 */
    cr_assert(VALID("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5")); /* κόσμε */
}

Test(utf8, boundaries)
{
    cr_assert(VALID("\x7F"));             /* U+007F */
    cr_assert(VALID("\xC2\x80"));         /* U+0080 */
    cr_assert(VALID("\xDF\xBF"));         /* U+07FF */
    cr_assert(VALID("\xE0\xA0\x80"));     /* U+0800 */
    cr_assert(VALID("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    cr_assert(VALID("\xEE\x80\x80"));     /* U+E000, just above them */
    cr_assert(VALID("\xEF\xBF\xBF"));     /* U+FFFF */
    cr_assert(VALID("\xF0\x90\x80\x80")); /* U+10000 */
    cr_assert(VALID("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
}

Test(utf8, overlong_forms)
{
    cr_assert_not(VALID("\xC0\xAF"));         /* '/' in 2 bytes */
    cr_assert_not(VALID("\xC1\xBF"));
    cr_assert_not(VALID("\xE0\x80\xAF"));     /* '/' in 3 bytes */
    cr_assert_not(VALID("\xE0\x9F\xBF"));     /* U+07FF in 3 bytes */
    cr_assert_not(VALID("\xF0\x80\x80\xAF")); /* '/' in 4 bytes */
    cr_assert_not(VALID("\xF0\x8F\xBF\xBF")); /* U+FFFF in 4 bytes */
}

Test(utf8, surrogates)
{
    cr_assert_not(VALID("\xED\xA0\x80")); /* U+D800 */
    cr_assert_not(VALID("\xED\xAD\xBF")); /* U+DB7F */
    cr_assert_not(VALID("\xED\xBF\xBF")); /* U+DFFF */
    cr_assert_not(VALID("\xED\xA0\x80\xED\xB0\x80")); /* a CESU-8 pair */
}

Test(utf8, above_max_code_point)
{
    cr_assert_not(VALID("\xF4\x90\x80\x80")); /* U+110000 */
    cr_assert_not(VALID("\xF7\xBF\xBF\xBF"));
}

Test(utf8, bytes_that_never_appear)
{
    for (unsigned b = 0xF5; b <= 0xFF; b++) {
        char s[4] = {(char)b, '\x80', '\x80', '\x80'};
        cr_assert_not(valid(s, 1), "byte %02X alone", b);
        cr_assert_not(valid(s, 4), "byte %02X as a lead", b);
    }
    cr_assert_not(VALID("\xC0"));
    cr_assert_not(VALID("\xC1"));
}

Test(utf8, stray_continuation_bytes)
{
    cr_assert_not(VALID("\x80"));
    cr_assert_not(VALID("\xBF"));
    cr_assert_not(VALID("a\x80z"));
    cr_assert_not(VALID("\xC3\xA9\xA9")); /* one continuation too many */
}

Test(utf8, truncated_sequences)
{
    cr_assert_not(VALID("\xC3"));
    cr_assert_not(VALID("\xE2\x82"));
    cr_assert_not(VALID("\xF0\x9F\x98"));
    /* A lead byte where a continuation byte is due. */
    cr_assert_not(VALID("\xE2\x82" "a"));
    cr_assert_not(VALID("\xF0\x9F\xC3\xA9"));

    /* Truncated is "inside a code point", neither ACCEPT nor REJECT. */
    uint32_t state = feed(LV_UTF8_ACCEPT, "\xF0\x9F\x98", 3);
    cr_assert_neq(state, LV_UTF8_ACCEPT);
    cr_assert_neq(state, LV_UTF8_REJECT);
}

Test(utf8, code_point_split_across_feeds)
{
    /* Every split of a 4-byte sequence, valid second half. */
    static const char smile[] = "a\xF0\x9F\x98\x80z";
    for (size_t cut = 0; cut <= 6; cut++) {
        uint32_t state = feed(LV_UTF8_ACCEPT, smile, cut);
        cr_assert_neq(state, LV_UTF8_REJECT, "cut at %zu", cut);
        state = feed(state, smile + cut, 6 - cut);
        cr_assert_eq(state, LV_UTF8_ACCEPT, "cut at %zu", cut);
    }

    /* Byte by byte. */
    uint32_t state = LV_UTF8_ACCEPT;
    for (size_t i = 0; i < 6; i++) state = feed(state, smile + i, 1);
    cr_assert_eq(state, LV_UTF8_ACCEPT);
}

Test(utf8, split_code_point_with_bad_second_half)
{
    /* ED | A0 80: the surrogate shows only once the second piece arrives. */
    uint32_t state = feed(LV_UTF8_ACCEPT, "\xED", 1);
    cr_assert_neq(state, LV_UTF8_REJECT);
    cr_assert_eq(feed(state, "\xA0\x80", 2), LV_UTF8_REJECT);

    /* F4 | 90 80 80: above U+10FFFF. */
    state = feed(LV_UTF8_ACCEPT, "\xF4", 1);
    cr_assert_eq(feed(state, "\x90\x80\x80", 3), LV_UTF8_REJECT);

    /* E2 82 | 'a': the sequence is interrupted. */
    state = feed(LV_UTF8_ACCEPT, "\xE2\x82", 2);
    cr_assert_eq(feed(state, "a", 1), LV_UTF8_REJECT);

    /* E0 | 80 AF: overlong. */
    state = feed(LV_UTF8_ACCEPT, "\xE0", 1);
    cr_assert_eq(feed(state, "\x80\xAF", 2), LV_UTF8_REJECT);
}

Test(utf8, reject_is_sticky)
{
    uint32_t state = feed(LV_UTF8_ACCEPT, "\xC0\xAF", 2);
    cr_assert_eq(state, LV_UTF8_REJECT);
    cr_assert_eq(feed(state, "hello", 5), LV_UTF8_REJECT);
    cr_assert_eq(feed(state, "", 0), LV_UTF8_REJECT);
    cr_assert_eq(feed(state, "\xC3\xA9", 2), LV_UTF8_REJECT);
    /* Bytes after the bad one cannot make the whole valid again. */
    cr_assert_not(VALID("\xFF" "abc"));
}

Test(utf8, unknown_state_is_rejected)
{
    cr_assert_eq(lv_utf8_feed(12345u, (const uint8_t *)"a", 1), LV_UTF8_REJECT);
}

Test(utf8, long_ascii_run_then_error)
{
    /* The 8-byte ASCII fast path must still find an error at any offset. */
    char s[64];
    for (size_t bad = 0; bad < sizeof s; bad++) {
        memset(s, 'x', sizeof s);
        s[bad] = '\x80';
        cr_assert_not(valid(s, sizeof s), "bad byte at %zu", bad);
    }
    memset(s, 'x', sizeof s);
    cr_assert(valid(s, sizeof s));
}

Test(utf8, every_two_byte_prefix_matches_a_reference)
{
    /* Checks the automaton against a direct decoder for every lead and second
     * byte, with valid continuation bytes filling the rest. */
    for (unsigned b0 = 0; b0 < 256; b0++) {
        for (unsigned b1 = 0; b1 < 256; b1++) {
            size_t need = 0; /* sequence length, 0 for a byte that cannot start one */
            if (b0 < 0x80)
                need = 1;
            else if (b0 >= 0xC2 && b0 <= 0xDF)
                need = 2;
            else if (b0 >= 0xE0 && b0 <= 0xEF)
                need = 3;
            else if (b0 >= 0xF0 && b0 <= 0xF4)
                need = 4;
            uint8_t s[4] = {(uint8_t)b0, (uint8_t)b1, 0x80, 0x80};
            bool expect;
            if (need == 0) {
                expect = false;
            } else if (need == 1) {
                expect = true; /* s[0] alone */
            } else {
                unsigned lo = 0x80, hi = 0xBF;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
                expect = b1 >= lo && b1 <= hi;
            }
            cr_assert_eq(lv_utf8_valid(s, need ? need : 1), expect, "%02X %02X", b0, b1);
        }
    }
}
