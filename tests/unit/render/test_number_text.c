/* Doubles become text exactly as JavaScript's String(n) writes them, in
 * every place they do: the text of a value, a rendered template (the dead
 * render and the diff), JSON, and the number helpers. The table was made
 * with node (`node -e 'console.log(String(x))'`); each input is written
 * with 17 significant digits so it is the same double, and the comment is
 * the JavaScript expression it came from. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "render/tmpl.h"
#include "util/json.h"
#include "util/number.h"
#include "util/value.h"

static const struct {
    double d;
    const char *text;
} cases[] = {
    {3.0000000000000000e1, "30"}, /* 30 */
    {1.0000000000000000e2, "100"}, /* 100 */
    {1.5000000000000000e3, "1500"}, /* 1500 */
    {1.0000000000000000e0, "1"}, /* 1 */
    {-1.0000000000000000e0, "-1"}, /* -1 */
    {0.0000000000000000e0, "0"}, /* 0 */
    {-0.0, "0"}, /* -0 */
    {5.0000000000000000e-1, "0.5"}, /* 0.5 */
    {-2.5000000000000000e0, "-2.5"}, /* -2.5 */
    {1.0000000000000001e-1, "0.1"}, /* 0.1 */
    {3.0000000000000004e-1, "0.30000000000000004"}, /* 0.1 + 0.2 */
    {3.0000000000000004e-1, "0.30000000000000004"}, /* 0.1 * 3 */
    {3.3333333333333331e-1, "0.3333333333333333"}, /* 1 / 3 */
    {6.6666666666666663e-1, "0.6666666666666666"}, /* 2 / 3 */
    {3.3333333333333336e1, "33.333333333333336"}, /* 100 / 3 */
    {4.3499999999999996e0, "4.35"}, /* 4.35 */
    {1.2345678900000001e4, "12345.6789"}, /* 12345.6789 */
    {-1.2345678900000001e4, "-12345.6789"}, /* -12345.6789 */
    {1.2345678912500000e8, "123456789.125"}, /* 123456789.125 */
    {1.0000000000000000e15, "1000000000000000"}, /* 1e15 */
    {1.0000000000000000e16, "10000000000000000"}, /* 1e16 */
    {1.0000000000000000e17, "100000000000000000"}, /* 1e17 */
    {1.0000000000000000e20, "100000000000000000000"}, /* 1e20 */
    {1.2345678901234568e20, "123456789012345680000"}, /* 123456789012345680000 */
    {9.9999999999999987e20, "999999999999999900000"}, /* 999999999999999900000 */
    {9.9999999999999987e20, "999999999999999900000"}, /* 9.999999999999999e20 */
    {1.0000000000000000e21, "1e+21"}, /* 1e21 */
    {-1.0000000000000000e21, "-1e+21"}, /* -1e21 */
    {1.1000000000000000e21, "1.1e+21"}, /* 1.1e21 */
    {1.5000000000000001e300, "1.5e+300"}, /* 1.5e300 */
    {9.0071992547409920e15, "9007199254740992"}, /* 2 ** 53 */
    {9.0071992547409940e15, "9007199254740994"}, /* 2 ** 53 + 2 */
    {9.0071992547409920e15, "9007199254740992"}, /* 9007199254740993 */
    {9.2233720368547758e18, "9223372036854776000"}, /* 2 ** 63 */
    {1.8446744073709552e19, "18446744073709552000"}, /* 2 ** 64 */
    {5.3169119831396635e36, "5.316911983139664e+36"}, /* 2 ** 122 */
    {9.9999999999999995e-7, "0.000001"}, /* 1e-6 */
    {9.9999999999999995e-7, "0.000001"}, /* 0.000001 */
    {1.5000000000000000e-6, "0.0000015"}, /* 1.5e-6 */
    {1.2345000000000000e-6, "0.0000012345"}, /* 0.0000012345 */
    {-9.9999999999999995e-7, "-0.000001"}, /* -0.000001 */
    {9.9999999999999995e-8, "1e-7"}, /* 1e-7 */
    {-9.9999999999999995e-8, "-1e-7"}, /* -1e-7 */
    {1.2340000000000001e-7, "1.234e-7"}, /* 1.234e-7 */
    {1.0000000000000000e-8, "1e-8"}, /* 1e-8 */
    {1.2300000000000000e-18, "1.23e-18"}, /* 123e-20 */
    {5.6843418860808015e-14, "5.684341886080802e-14"}, /* 2 ** -44 */
    {4.9406564584124654e-324, "5e-324"}, /* 5e-324 */
    {9.8813129168249309e-324, "1e-323"}, /* 1e-323 */
    {2.2250738585072014e-308, "2.2250738585072014e-308"}, /* 2.2250738585072014e-308 */
    {1.7976931348623157e308, "1.7976931348623157e+308"}, /* 1.7976931348623157e308 */
    {-1.7976931348623157e308, "-1.7976931348623157e+308"}, /* -1.7976931348623157e308 */
    {NAN, "NaN"}, /* NaN */
    {INFINITY, "Infinity"}, /* Infinity */
    {-INFINITY, "-Infinity"}, /* -Infinity */
};

#define CASES (sizeof cases / sizeof cases[0])

Test(number_text, double_text_is_javascripts)
{
    for (size_t i = 0; i < CASES; i++) {
        char text[LV_DOUBLE_TEXT_SIZE];
        size_t n = lv_double_text(cases[i].d, text);
        cr_expect_str_eq(text, cases[i].text, "case %zu (%.17g): got %s, want %s", i, cases[i].d, text,
                         cases[i].text);
        cr_expect_eq(n, strlen(text));
    }
}

Test(number_text, value_text_is_javascripts)
{
    for (size_t i = 0; i < CASES; i++) {
        lv_value v = lv_value_double(cases[i].d);
        lv_buf b = LV_BUF_INIT;
        lv_buf_puts(&b, "x=");
        lv_value_to_text(&v, &b);
        char want[64];
        snprintf(want, sizeof want, "x=%s", cases[i].text);
        cr_expect_str_eq(b.data, want, "case %zu", i);
        lv_buf_free(&b);
    }
}

/* JSON.stringify writes a finite number as String(n) and the others as
 * null. */
Test(number_text, json_is_json_stringify)
{
    for (size_t i = 0; i < CASES; i++) {
        lv_buf b = LV_BUF_INIT;
        lv_json_double(&b, cases[i].d);
        cr_expect_str_eq(b.data, isfinite(cases[i].d) ? cases[i].text : "null", "case %zu", i);
        lv_buf_free(&b);
    }
}

static lv_tmpl *compile(const char *text)
{
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("number", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    return t;
}

/* What lv_assign_double(s, "t", x) shows on the page. */
Test(number_text, rendered_assign_is_javascripts)
{
    lv_tmpl *t = compile("<b>{{t}}</b>");
    for (size_t i = 0; i < CASES; i++) {
        lv_assigns a;
        lv_assigns_init(&a);
        lv_assigns_put(&a, "t", lv_value_double(cases[i].d));
        lv_buf html = LV_BUF_INIT;
        lv_render_html(t, &a, &html);
        char want[64];
        snprintf(want, sizeof want, "<b>%s</b>", cases[i].text);
        cr_expect_str_eq(html.data, want, "case %zu", i);

        /* The join's tree carries the same text, as a JSON string. */
        lv_buf tree = LV_BUF_INIT;
        lv_render_full(t, &a, &tree);
        snprintf(want, sizeof want, "\"0\":\"%s\"", cases[i].text);
        cr_expect(strstr(tree.data, want) != NULL, "case %zu: %s lacks %s", i, tree.data, want);
        lv_buf_free(&tree);
        lv_buf_free(&html);
        lv_assigns_free(&a);
    }
    lv_tmpl_free(t);
}

/* The bug this table was made for: %.1g of 30 is "3e+01", which reads
 * back as 30. */
Test(number_text, round_numbers_have_no_exponent)
{
    lv_tmpl *t = compile("{{a}} {{b}} {{c}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "a", lv_value_double(30.0));
    lv_assigns_put(&a, "b", lv_value_double(100.0));
    lv_assigns_put(&a, "c", lv_value_double(1500.0));
    lv_buf html = LV_BUF_INIT;
    lv_render_html(t, &a, &html);
    cr_assert_str_eq(html.data, "30 100 1500");
    lv_buf_free(&html);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

static char *render_one(const char *text, const char *name, lv_value v)
{
    lv_tmpl *t = compile(text);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, name, v);
    lv_buf html = LV_BUF_INIT;
    lv_render_html(t, &a, &html);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
    return lv_buf_take(&html);
}

#define expect_render(text, value, want)                                                                     \
    do {                                                                                                     \
        char *got_ = render_one((text), "n", (value));                                                       \
        cr_expect_str_eq(got_, (want), "%s", (text));                                                        \
        free(got_);                                                                                          \
    } while (0)

/* format_number writes decimals as JavaScript's toFixed does (node:
 * (0.125).toFixed(2) is "0.13", (2.5).toFixed(0) is "3", (-2.5).toFixed(0)
 * is "-3", (1.005).toFixed(2) is "1.00", (-0).toFixed(2) is "0.00",
 * (9.995).toFixed(2) is "9.99", (99.5).toFixed(0) is "100"), and from 1e21
 * up String(n). */
Test(number_text, format_number_is_to_fixed)
{
    expect_render("{{format_number n}}", lv_value_double(0.125), "0.13");
    expect_render("{{format_number n decimals=0}}", lv_value_double(2.5), "3");
    expect_render("{{format_number n decimals=0}}", lv_value_double(-2.5), "-3");
    expect_render("{{format_number n}}", lv_value_double(1.005), "1.00");
    expect_render("{{format_number n}}", lv_value_double(-0.0), "0.00");
    expect_render("{{format_number n}}", lv_value_double(9.995), "9.99");
    expect_render("{{format_number n decimals=0}}", lv_value_double(99.5), "100");
    expect_render("{{format_number n decimals=0}}", lv_value_double(999999.5), "1,000,000");
    expect_render("{{format_number n}}", lv_value_double(1234567.891), "1,234,567.89");
    expect_render("{{format_number n}}", lv_value_double(1.5e300), "1.5e+300");
    expect_render("{{format_number n}}", lv_value_double(1.234567e25), "1.234567e+25");
    expect_render("{{format_number n}}", lv_value_double(1e21), "1e+21");
}

Test(number_text, pluralize_counts_like_javascript)
{
    expect_render("{{pluralize n \"item\"}}", lv_value_double(30.0), "30 items");
    expect_render("{{pluralize n \"item\"}}", lv_value_double(1.0), "1 item");
}
