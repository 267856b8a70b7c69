#include <criterion/criterion.h>
#include <string.h>

#include "util/value.h"
#include "util/buf.h"
#include "util/form.h"

/* The decoded form as JSON, keys in the order the form gave them. */
static char *decode_ok(const char *s)
{
    lv_value out;
    lv_form_status st = lv_form_decode(s, strlen(s), NULL, &out);
    cr_assert_eq(st, LV_FORM_OK, "%s: %s", s, lv_form_status_str(st));
    cr_assert_eq(out.kind, LV_VALUE_MAP);
    lv_buf text = LV_BUF_INIT;
    lv_value_append_json(&out, &text);
    lv_value_free(&out);
    return lv_buf_take(&text);
}

static void expect(const char *input, const char *json)
{
    char *text = decode_ok(input);
    cr_assert_str_eq(text, json, "%s", input);
    free(text);
}

static void expect_error(const char *input, lv_form_status want)
{
    lv_value out = lv_value_int(1);
    lv_form_status st = lv_form_decode(input, strlen(input), NULL, &out);
    cr_assert_eq(st, want, "%s: got %s", input, lv_form_status_str(st));
    cr_assert_eq(out.kind, LV_VALUE_NULL);
}

Test(form, flat_pairs)
{
    expect("", "{}");
    expect("a=1&b=two", "{\"a\":\"1\",\"b\":\"two\"}");
    expect("a=x+y&b=%41%42%e2%82%ac", "{\"a\":\"x y\",\"b\":\"AB\u20ac\"}");
    expect("flag&empty=", "{\"flag\":\"\",\"empty\":\"\"}");
    expect("z=1&a=2", "{\"z\":\"1\",\"a\":\"2\"}");
    expect("a=1&&b=2&", "{\"a\":\"1\",\"b\":\"2\"}");
    expect("a=1=2", "{\"a\":\"1=2\"}");
}

Test(form, repeated_key_keeps_the_last_in_the_first_place)
{
    expect("a=1&a=2", "{\"a\":\"2\"}");
    expect("a=1&b=2&a=3", "{\"a\":\"3\",\"b\":\"2\"}");
}

Test(form, nested_maps)
{
    expect("user%5Bname%5D=bob&user[email]=a%40b.c",
           "{\"user\":{\"name\":\"bob\",\"email\":\"a@b.c\"}}");
    expect("a[b][c]=1&a[b][d]=2", "{\"a\":{\"b\":{\"c\":\"1\",\"d\":\"2\"}}}");
    expect("user[_unused_name]=&user[name]=", "{\"user\":{\"_unused_name\":\"\",\"name\":\"\"}}");
}

Test(form, lists)
{
    expect("tags[]=x&tags[]=y", "{\"tags\":[\"x\",\"y\"]}");
    expect("u[tags][]=x", "{\"u\":{\"tags\":[\"x\"]}}");
}

Test(form, a_later_shape_replaces_an_earlier_one)
{
    expect("a=1&a[b]=2", "{\"a\":{\"b\":\"2\"}}");
    expect("a[b]=2&a=1", "{\"a\":\"1\"}");
    expect("a=1&a[]=2", "{\"a\":[\"2\"]}");
}

Test(form, bad_encodings_are_refused)
{
    expect_error("a=%ZZ", LV_FORM_BAD_ENCODING);
    expect_error("a=%4", LV_FORM_BAD_ENCODING);
    expect_error("a=%", LV_FORM_BAD_ENCODING);
    expect_error("%zz=1", LV_FORM_BAD_ENCODING);
    expect_error("a=%00", LV_FORM_BAD_ENCODING);
    expect_error("a=%C0%AF", LV_FORM_BAD_ENCODING);
    expect_error("a=%ED%A0%80", LV_FORM_BAD_ENCODING);
    expect_error("a=%FF", LV_FORM_BAD_ENCODING);
}

Test(form, malformed_keys_are_refused)
{
    expect_error("=1", LV_FORM_BAD_KEY);
    expect_error("[a]=1", LV_FORM_BAD_KEY);
    expect_error("a[b=1", LV_FORM_BAD_KEY);
    expect_error("a[b]c=1", LV_FORM_BAD_KEY);
    expect_error("a[][b]=1", LV_FORM_BAD_KEY);
    expect_error("a[[b]]=1", LV_FORM_BAD_KEY);
}

Test(form, nesting_beyond_the_limit_is_refused)
{
    lv_buf key = LV_BUF_INIT;
    lv_buf_puts(&key, "a");
    for (int i = 0; i < 32; i++) lv_buf_puts(&key, "[b]");
    lv_buf_puts(&key, "=1");
    lv_value out;
    cr_assert_eq(lv_form_decode(key.data, key.len, NULL, &out), LV_FORM_OK);
    lv_value_free(&out);
    lv_buf_reset(&key);
    lv_buf_puts(&key, "a");
    for (int i = 0; i < 1000; i++) lv_buf_puts(&key, "[b]");
    lv_buf_puts(&key, "=1");
    /* 1,000 levels: refused (the key is also over 1,024 bytes at 3 bytes a level). */
    lv_form_status st = lv_form_decode(key.data, key.len, NULL, &out);
    cr_assert(st == LV_FORM_TOO_DEEP || st == LV_FORM_TOO_LONG);
    lv_buf_reset(&key);
    lv_buf_puts(&key, "a");
    for (int i = 0; i < 33; i++) lv_buf_puts(&key, "[b]");
    lv_buf_puts(&key, "=1");
    cr_assert_eq(lv_form_decode(key.data, key.len, NULL, &out), LV_FORM_TOO_DEEP);
    lv_buf_free(&key);
}

Test(form, too_many_pairs_are_refused)
{
    lv_buf s = LV_BUF_INIT;
    for (int i = 0; i < 1000; i++) lv_buf_printf(&s, "k%d=v&", i);
    lv_value out;
    cr_assert_eq(lv_form_decode(s.data, s.len, NULL, &out), LV_FORM_OK);
    cr_assert_eq(lv_map_len(&out), 1000);
    cr_assert_str_eq(lv_map_key_at(&out, 999), "k999");
    lv_value_free(&out);
    lv_buf_puts(&s, "one=more");
    cr_assert_eq(lv_form_decode(s.data, s.len, NULL, &out), LV_FORM_TOO_MANY_PAIRS);
    cr_assert_eq(out.kind, LV_VALUE_NULL);
    lv_buf_free(&s);
}

Test(form, long_values_and_keys_are_refused)
{
    lv_buf s = LV_BUF_INIT;
    lv_buf_puts(&s, "a=");
    for (int i = 0; i < 64 * 1024; i++) lv_buf_putc(&s, 'x');
    lv_value out;
    cr_assert_eq(lv_form_decode(s.data, s.len, NULL, &out), LV_FORM_OK);
    lv_value_free(&out);
    lv_buf_putc(&s, 'x');
    cr_assert_eq(lv_form_decode(s.data, s.len, NULL, &out), LV_FORM_TOO_LONG);
    lv_buf_reset(&s);
    for (int i = 0; i < 1025; i++) lv_buf_putc(&s, 'k');
    lv_buf_puts(&s, "=1");
    cr_assert_eq(lv_form_decode(s.data, s.len, NULL, &out), LV_FORM_TOO_LONG);
    lv_buf_free(&s);
}

Test(form, custom_limits)
{
    lv_form_limits limits = {.max_pairs = 2, .max_depth = 1, .max_key_len = 8, .max_value_len = 3};
    lv_value out;
    cr_assert_eq(lv_form_decode("a=1&b=2", 7, &limits, &out), LV_FORM_OK);
    lv_value_free(&out);
    cr_assert_eq(lv_form_decode("a=1&b=2&c=3", 11, &limits, &out), LV_FORM_TOO_MANY_PAIRS);
    cr_assert_eq(lv_form_decode("a[b][c]=1", 9, &limits, &out), LV_FORM_TOO_DEEP);
    cr_assert_eq(lv_form_decode("a=1234", 6, &limits, &out), LV_FORM_TOO_LONG);
}

Test(form, input_is_not_read_past_its_length)
{
    const char s[] = "a=1&b=2";
    lv_value out;
    cr_assert_eq(lv_form_decode(s, 3, NULL, &out), LV_FORM_OK);
    cr_assert_eq(lv_map_len(&out), 1);
    lv_value_free(&out);
}
