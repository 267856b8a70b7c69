/* The hot-path JSON reader (util/json_scan.h): what it builds, what it
 * refuses, that it agrees with the jansson path on every case here
 * (tests/support/json_agree.h, also the fuzz target's check), and that a
 * warm reader allocates nothing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "support/json_agree.h"
#include "util/buf.h"
#include "util/json_scan.h"

static lv_json_scan scan;

static void teardown(void)
{
    lv_json_scan_free(&scan);
}

TestSuite(json_scan, .fini = teardown);

static lv_scan_status scan_str(const char *text, lv_value *out)
{
    return lv_json_scan_text(&scan, text, strlen(text), 32, out);
}

static void expect_agree(const char *text, size_t len)
{
    const char *why = json_agree(&scan, text, len, 32);
    cr_expect_null(why, "%s: %.*s", why ? why : "", (int)len, text);
}

Test(json_scan, builds_the_value_jansson_builds)
{
    lv_value v;
    cr_assert_eq(scan_str(" {\"type\":\"click\",\"event\":\"inc\",\"value\":{\"n\":-12,\"x\":1.5e2,"
                          "\"ok\":true,\"no\":false,\"z\":null,\"l\":[1,\"a\",[]],\"e\":{}}} ",
                          &v),
                 LV_SCAN_OK);
    cr_assert_eq(v.kind, LV_VALUE_MAP);
    cr_expect_str_eq(lv_value_str_at(&v, "event"), "inc");
    const lv_value *value = lv_value_map_get(&v, "value", 5);
    cr_assert_not_null(value);
    cr_expect_eq(lv_value_map_get(value, "n", 1)->as.i, -12);
    cr_expect_eq(lv_value_map_get(value, "x", 1)->kind, LV_VALUE_DOUBLE);
    cr_expect_eq(lv_value_map_get(value, "x", 1)->as.d, 150.0);
    cr_expect_eq(lv_value_list_len(lv_value_map_get(value, "l", 1)), 3);
    cr_expect_eq(value->as.map->entries[0].key[0], 'n', "keys keep their order");
    lv_json_scan_reset(&scan);
}

Test(json_scan, unescapes_strings_and_surrogate_pairs)
{
    lv_value v;
    cr_assert_eq(scan_str("\"a\\n\\t\\\"\\\\\\/\\u00e9\\u20AC\\ud83d\\ude00 \xc3\xa9\"", &v), LV_SCAN_OK);
    cr_expect_str_eq(v.as.s.ptr, "a\n\t\"\\/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \xc3\xa9");
    cr_expect_eq(v.as.s.len, strlen(v.as.s.ptr));
    lv_json_scan_reset(&scan);
}

Test(json_scan, refuses_what_jansson_refuses)
{
    static const char *const refused[] = {
        "\"\\ud800\"",          /* lone high surrogate */
        "\"\\udc00\"",          /* lone low surrogate */
        "\"\\ud800\\u0041\"",   /* high surrogate, then no low one */
        "\"\\ud800\\n\"",
        "\"a\\u0000b\"",        /* NUL */
        "{\"a\\u0000\":1}",     /* NUL in a key */
        "\"\x01\"",             /* raw control character */
        "\"\xc0\xaf\"",         /* overlong */
        "\"\xed\xa0\x80\"",     /* surrogate in UTF-8 */
        "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
        "\"\xe2\x82\"",         /* cut short */
        "\"\\x41\"", "\"\\u12\"", "\"\\u12g4\"", "\"abc",
        "1e999", "-1e999", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "01", "-", "-a", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity",
        "[1,]", "[,1]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":1,\"a\":2}",
        "tru", "nul", "truex", "[true1]", "", "   ", "[] []", "{}x", "[",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        lv_value v;
        lv_scan_status st = scan_str(refused[i], &v);
        cr_expect(st == LV_SCAN_INVALID || st == LV_SCAN_TOO_DEEP, "%s: status %d", refused[i], st);
        cr_expect_eq(v.kind, LV_VALUE_NULL);
        lv_json_scan_reset(&scan);
        expect_agree(refused[i], strlen(refused[i]));
    }
}

Test(json_scan, agrees_with_jansson_on_numbers_and_edges)
{
    static const char *const texts[] = {
        "0", "-0", "-0.0", "1E5", "1e-5", "1e+5", "2.5E-3", "1e-400", "-1e-400",
        "9223372036854775807", "-9223372036854775808", "1.7976931348623157e308", "4.9e-324",
        "0.1", "123456789012345678901234567890.5", "\"\\u0041\\u00DF\"", "[[[[]]]]", "{\"\":\"\"}",
        "\"\x7f\"", "\"\xef\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\"", "\t\r\n 1 \t\r\n", "null", "true",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        lv_value v;
        cr_expect_eq(scan_str(texts[i], &v), LV_SCAN_OK, "%s", texts[i]);
        lv_json_scan_reset(&scan);
        expect_agree(texts[i], strlen(texts[i]));
    }
    /* A NUL byte in the text itself, inside and outside a string: refused
     * (jansson drops one after a number; json_agree.h). */
    expect_agree("\"a\0b\"", 5);
    lv_value v;
    cr_expect_eq(lv_json_scan_text(&scan, "[1\0]", 4, 32, &v), LV_SCAN_INVALID);
    lv_json_scan_reset(&scan);
}

Test(json_scan, nesting_limit_matches)
{
    lv_buf b = LV_BUF_INIT;
    for (int depth = 30; depth <= 34; depth++) {
        /* [{"a":[{"a":...}]}]: arrays and objects alternately. */
        lv_buf_reset(&b);
        for (int i = 0; i < depth; i++) lv_buf_puts(&b, i % 2 ? "{\"a\":" : "[");
        lv_buf_putc(&b, '0');
        for (int i = depth - 1; i >= 0; i--) lv_buf_puts(&b, i % 2 ? "}" : "]");
        lv_value v;
        lv_scan_status st = lv_json_scan_text(&scan, b.data, b.len, 32, &v);
        cr_expect_eq(st, depth <= 32 ? LV_SCAN_OK : LV_SCAN_TOO_DEEP, "depth %d", depth);
        lv_json_scan_reset(&scan);
        expect_agree(b.data, b.len);
    }
    lv_buf_free(&b);
}

Test(json_scan, leaves_large_objects_and_long_numbers_to_jansson)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_putc(&b, '{');
    for (int i = 0; i <= LV_SCAN_MAX_KEYS; i++) lv_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
    lv_buf_putc(&b, '}');
    lv_value v;
    cr_expect_eq(lv_json_scan_text(&scan, b.data, b.len, 32, &v), LV_SCAN_UNSUPPORTED);
    lv_json_scan_reset(&scan);
    expect_agree(b.data, b.len);
    lv_buf_reset(&b);
    lv_buf_puts(&b, "0.");
    for (int i = 0; i < 80; i++) lv_buf_putc(&b, '1');
    cr_expect_eq(lv_json_scan_text(&scan, b.data, b.len, 32, &v), LV_SCAN_UNSUPPORTED);
    lv_json_scan_reset(&scan);
    lv_buf_free(&b);
}

/* Values built after a reset do not depend on what the arena held: a long
 * list forces a second block, the next message reuses one grown block. */
Test(json_scan, values_survive_block_growth_and_reset)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_putc(&b, '[');
    for (int i = 0; i < 2000; i++) lv_buf_printf(&b, "%s\"item number %d\"", i ? "," : "", i);
    lv_buf_putc(&b, ']');
    for (int round = 0; round < 3; round++) {
        lv_value v;
        cr_assert_eq(lv_json_scan_text(&scan, b.data, b.len, 32, &v), LV_SCAN_OK);
        cr_assert_eq(lv_value_list_len(&v), 2000);
        cr_expect_str_eq(v.as.list->items[0].as.s.ptr, "item number 0");
        cr_expect_str_eq(v.as.list->items[1999].as.s.ptr, "item number 1999");
        lv_json_scan_reset(&scan);
    }
    lv_buf_free(&b);
}
