/* Values and their text forms (the assigns store: tests/unit/render/test_assigns.c). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "util/value.h"

static char *text_of(lv_value v)
{
    lv_buf b = LV_BUF_INIT;
    lv_value_to_text(&v, &b);
    lv_value_free(&v);
    return lv_buf_take(&b);
}

#define assert_text(value, expected)                                                                         \
    do {                                                                                                     \
        char *got_ = text_of(value);                                                                         \
        cr_assert_str_eq(got_, (expected), "text form: got \"%s\", want \"%s\"", got_, (expected));          \
        free(got_);                                                                                          \
    } while (0)

Test(value, constructors_set_the_kind)
{
    cr_assert_eq(lv_value_null().kind, LV_VALUE_NULL);
    lv_value b = lv_value_bool(true);
    cr_assert_eq(b.kind, LV_VALUE_BOOL);
    cr_assert(b.as.b);
    lv_value i = lv_value_int(-42);
    cr_assert_eq(i.kind, LV_VALUE_INT);
    cr_assert_eq(i.as.i, -42);
    lv_value d = lv_value_double(2.5);
    cr_assert_eq(d.kind, LV_VALUE_DOUBLE);
    cr_assert_eq(d.as.d, 2.5);
}

Test(value, string_copies_and_keeps_nul_bytes)
{
    char source[] = {'a', '\0', 'b'};
    lv_value s = lv_value_string(source, sizeof source);
    source[0] = 'z'; /* a copy, not a reference */
    cr_assert_eq(s.kind, LV_VALUE_STRING);
    cr_assert_eq(s.as.s.len, 3);
    cr_assert_eq(memcmp(s.as.s.ptr, "a\0b", 3), 0);
    cr_assert_eq(s.as.s.ptr[3], '\0');
    lv_value_free(&s);
    cr_assert_eq(s.kind, LV_VALUE_NULL);
}

Test(value, empty_string)
{
    lv_value s = lv_value_string("", 0);
    cr_assert_eq(s.as.s.len, 0);
    cr_assert_str_eq(s.as.s.ptr, "");
    lv_value_free(&s);
}

Test(value, equality)
{
    lv_value n1 = lv_value_null(), n2 = lv_value_null();
    cr_assert(lv_value_equal(&n1, &n2));

    lv_value t = lv_value_bool(true), t2 = lv_value_bool(true), f = lv_value_bool(false);
    cr_assert(lv_value_equal(&t, &t2));
    cr_assert_not(lv_value_equal(&t, &f));

    lv_value i1 = lv_value_int(1), i1b = lv_value_int(1), i2 = lv_value_int(2);
    cr_assert(lv_value_equal(&i1, &i1b));
    cr_assert_not(lv_value_equal(&i1, &i2));

    /* Same number, different kind: not equal (it could render differently). */
    lv_value d1 = lv_value_double(1.0);
    cr_assert_not(lv_value_equal(&i1, &d1));
    cr_assert_not(lv_value_equal(&n1, &f));

    lv_value s1 = lv_value_string("a\0b", 3), s2 = lv_value_string("a\0b", 3), s3 = lv_value_string("a\0c", 3),
             s4 = lv_value_string("a", 1);
    cr_assert(lv_value_equal(&s1, &s2));
    cr_assert_not(lv_value_equal(&s1, &s3));
    cr_assert_not(lv_value_equal(&s1, &s4));
    lv_value_free(&s1);
    lv_value_free(&s2);
    lv_value_free(&s3);
    lv_value_free(&s4);
}

Test(value, double_equality_follows_the_text)
{
    lv_value nan1 = lv_value_double(NAN), nan2 = lv_value_double(-NAN);
    cr_assert(lv_value_equal(&nan1, &nan2), "every NaN renders \"NaN\"");
    lv_value zero = lv_value_double(0.0), neg_zero = lv_value_double(-0.0);
    cr_assert(lv_value_equal(&zero, &neg_zero), "0 and -0 both render \"0\"");
    cr_assert_eq(lv_value_hash(&zero, 7), lv_value_hash(&neg_zero, 7));
    lv_value tenth = lv_value_double(0.1), near = lv_value_double(nextafter(0.1, 1));
    cr_assert_not(lv_value_equal(&tenth, &near), "distinct doubles render distinct texts");
    lv_value a = lv_value_double(0.1), b = lv_value_double(0.1);
    cr_assert(lv_value_equal(&a, &b));
}

Test(value, text_of_scalars)
{
    assert_text(lv_value_null(), "");
    assert_text(lv_value_bool(true), "true");
    assert_text(lv_value_bool(false), "false");
    assert_text(lv_value_int(0), "0");
    assert_text(lv_value_int(-17), "-17");
    assert_text(lv_value_int(INT64_MIN), "-9223372036854775808");
    assert_text(lv_value_int(INT64_MAX), "9223372036854775807");
}

Test(value, text_of_doubles_is_javascripts)
{
    assert_text(lv_value_double(0.1), "0.1");
    assert_text(lv_value_double(1.5), "1.5");
    assert_text(lv_value_double(1.0), "1");
    assert_text(lv_value_double(0.0), "0");
    assert_text(lv_value_double(-0.0), "0");
    assert_text(lv_value_double(30.0), "30");
    assert_text(lv_value_double(100.0), "100");
    assert_text(lv_value_double(1e21), "1e+21");
    assert_text(lv_value_double(123456789.125), "123456789.125");
    assert_text(lv_value_double(0.1 + 0.2), "0.30000000000000004");
    assert_text(lv_value_double(1.0 / 3.0), "0.3333333333333333");
    assert_text(lv_value_double(5e-324), "5e-324");
    assert_text(lv_value_double(1.7976931348623157e308), "1.7976931348623157e+308");
}

Test(value, text_of_non_finite_doubles)
{
    assert_text(lv_value_double(NAN), "NaN");
    assert_text(lv_value_double(INFINITY), "Infinity");
    assert_text(lv_value_double(-INFINITY), "-Infinity");
}

Test(value, text_of_string_keeps_bytes)
{
    lv_value s = lv_value_string("<b>\0x", 5);
    lv_buf b = LV_BUF_INIT;
    lv_value_to_text(&s, &b);
    cr_assert_eq(b.len, 5);
    cr_assert_eq(memcmp(b.data, "<b>\0x", 5), 0, "text is raw: escaping is the renderer's job");
    lv_buf_free(&b);
    lv_value_free(&s);
}

Test(value, json_of_doubles)
{
    static const struct {
        double d;
        const char *json;
    } cases[] = {
        {30.0, "30"}, {0.1, "0.1"}, {-0.0, "0"}, {1e21, "1e+21"}, {1e-7, "1e-7"},
        {NAN, "null"}, {INFINITY, "null"}, {-INFINITY, "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lv_value v = lv_value_list();
        lv_value_list_push(&v, lv_value_double(cases[i].d));
        lv_buf b = LV_BUF_INIT;
        lv_value_append_json(&v, &b);
        char want[64];
        snprintf(want, sizeof want, "[%s]", cases[i].json);
        cr_assert_str_eq(b.data, want, "JSON.stringify([%.17g]) is %s", cases[i].d, want);
        lv_buf_free(&b);
        lv_value_free(&v);
    }
}

Test(value, text_appends)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "n=");
    lv_value v = lv_value_int(5);
    lv_value_to_text(&v, &b);
    cr_assert_str_eq(b.data, "n=5");
    lv_buf_free(&b);
}
