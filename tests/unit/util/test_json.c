/* The outbound JSON writer: every byte the client parses goes through it, so
 * the expectations are byte-exact. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "util/json.h"

/* Returns the JSON for n bytes of s; the caller frees it. */
static char *json_of(const char *s, size_t n)
{
    lv_buf b = LV_BUF_INIT;
    lv_json_str(&b, s, n);
    return lv_buf_take(&b);
}

#define assert_json(input, n, expected)                                                                      \
    do {                                                                                                     \
        char *got_ = json_of((input), (n));                                                                  \
        cr_assert_str_eq(got_, (expected));                                                                  \
        free(got_);                                                                                          \
    } while (0)

/* For C string literals without embedded NULs. */
#define assert_json_lit(input, expected) assert_json((input), sizeof(input) - 1, (expected))

Test(json_str, plain_ascii_is_copied)
{
    assert_json_lit("hello, world 123 ~!", "\"hello, world 123 ~!\"");
}

Test(json_str, empty_string)
{
    assert_json("", 0, "\"\"");
}

Test(json_str, quote_and_backslash)
{
    assert_json_lit("a\"b\\c", "\"a\\\"b\\\\c\"");
}

Test(json_str, named_control_escapes)
{
    assert_json_lit("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
}

Test(json_str, other_controls_use_u00xx)
{
    assert_json_lit("\x01\x1f\x0b", "\"\\u0001\\u001f\\u000b\"");
}

Test(json_str, embedded_nul)
{
    assert_json("a\0b", 3, "\"a\\u0000b\"");
}

Test(json_str, html_significant_characters)
{
    assert_json_lit("<>&", "\"\\u003c\\u003e\\u0026\"");
    assert_json_lit("<script>", "\"\\u003cscript\\u003e\"");
}

Test(json_str, del_and_slash_are_kept)
{
    assert_json_lit("a/b\x7f", "\"a/b\x7f\"");
}

Test(json_str, utf8_multibyte_is_kept)
{
    /* é (2 bytes), € (3 bytes), 😀 (4 bytes), U+10FFFF, U+FFFF. */
    assert_json_lit("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf",
                    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf\"");
}

Test(json_str, line_and_paragraph_separators)
{
    assert_json_lit("a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"");
    /* Their neighbours U+2027 and U+202A are ordinary. */
    assert_json_lit("\xe2\x80\xa7\xe2\x80\xaa", "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

/* Invalid UTF-8: one U+FFFD per maximal invalid subpart (Unicode §3.9). */

Test(json_str, stray_continuation_bytes)
{
    assert_json_lit("a\x80" "b", "\"a\\ufffdb\"");
    assert_json_lit("\x80\xbf", "\"\\ufffd\\ufffd\"");
}

Test(json_str, impossible_lead_bytes)
{
    assert_json_lit("\xc0\xc1\xf5\xff", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

Test(json_str, overlong_forms)
{
    /* C0 AF is "/" in two bytes; E0 80 AF in three; F0 80 80 AF in four. The
     * lead cannot start a valid sequence with that second byte, so every
     * byte is its own subpart. */
    assert_json_lit("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    assert_json_lit("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
    assert_json_lit("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

Test(json_str, surrogates)
{
    /* U+D800 and U+DFFF encoded directly (CESU-style). */
    assert_json_lit("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
    assert_json_lit("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
    /* U+D7FF, just below, is fine. */
    assert_json_lit("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");
}

Test(json_str, above_u10ffff)
{
    assert_json_lit("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

Test(json_str, truncated_sequences)
{
    /* A valid prefix cut short is one subpart, then the next byte stands. */
    assert_json_lit("\xe2\x82" "a", "\"\\ufffda\"");
    assert_json_lit("\xf0\x9f\x98" "a", "\"\\ufffda\"");
    assert_json_lit("\xc3", "\"\\ufffd\"");
    assert_json_lit("\xf0\x9f\x98", "\"\\ufffd\"");
    /* A truncated prefix followed by a new valid sequence. */
    assert_json_lit("\xe2\x82\xc3\xa9", "\"\\ufffd\xc3\xa9\"");
}

Test(json_cstr, uses_strlen)
{
    lv_buf b = LV_BUF_INIT;
    lv_json_cstr(&b, "x<y");
    cr_assert_str_eq(b.data, "\"x\\u003cy\"");
    lv_buf_free(&b);
}

Test(json_str, appends_to_existing_content)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[");
    lv_json_str(&b, "a", 1);
    lv_buf_puts(&b, ",");
    lv_json_str(&b, "b", 1);
    lv_buf_puts(&b, "]");
    cr_assert_str_eq(b.data, "[\"a\",\"b\"]");
    cr_assert_eq(b.len, 9);
    lv_buf_free(&b);
}

static char *int_of(int64_t v)
{
    lv_buf b = LV_BUF_INIT;
    lv_json_int(&b, v);
    return lv_buf_take(&b);
}

#define assert_int(v, expected)                                                                              \
    do {                                                                                                     \
        char *got_ = int_of(v);                                                                              \
        cr_assert_str_eq(got_, (expected));                                                                  \
        free(got_);                                                                                          \
    } while (0)

Test(json_int, values)
{
    assert_int(0, "0");
    assert_int(-1, "-1");
    assert_int(7, "7");
    assert_int(1234567890, "1234567890");
    assert_int(INT64_MAX, "9223372036854775807");
    assert_int(INT64_MIN, "-9223372036854775808");
}

Test(json_double, as_json_stringify)
{
    lv_buf b = LV_BUF_INIT;
    const double values[] = {30.0, 0.1, -2.5, 1e21, 1e-7, -0.0, NAN, INFINITY};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        if (i) lv_buf_putc(&b, ',');
        lv_json_double(&b, values[i]);
    }
    /* node: JSON.stringify([30, 0.1, -2.5, 1e21, 1e-7, -0, NaN, Infinity]) */
    cr_assert_str_eq(b.data, "30,0.1,-2.5,1e+21,1e-7,0,null,null");
    lv_buf_free(&b);
}
