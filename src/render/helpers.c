/* The general built-in template helpers: format_number, pluralize, eq, not
 * and length. Each is an ordinary lv_helper_fn, written against the public
 * helper API exactly as an application's helper would be; render/builtins.c
 * registers them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/builtins.h"
#include "util/number.h"
#include "util/value.h"

static bool as_number(const lv_value *v, double *d, bool *is_int, int64_t *i)
{
    if (!v) return false;
    if (v->kind == LV_VALUE_INT) {
        *i = v->as.i;
        *d = (double)v->as.i;
        *is_int = true;
        return true;
    }
    if (v->kind == LV_VALUE_DOUBLE) {
        *d = v->as.d;
        *is_int = false;
        return true;
    }
    return false;
}

static const char *str_of(const lv_value *v)
{
    return v && (v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE) ? v->as.s.ptr : NULL;
}

static lv_value *new_value(lv_value v)
{
    lv_value *box = lv_xmalloc(sizeof *box);
    *box = v;
    return box;
}

/* Appends digits (an optional '-' then digits, maybe a fraction) with sep
 * between groups of three in the integer part. */
static void append_grouped(lv_buf *out, const char *digits, const char *sep)
{
    const char *p = digits;
    if (*p == '-') lv_buf_putc(out, *p++);
    size_t int_len = strspn(p, "0123456789");
    for (size_t i = 0; i < int_len; i++) {
        if (i && (int_len - i) % 3 == 0) lv_buf_puts(out, sep);
        lv_buf_putc(out, p[i]);
    }
    lv_buf_puts(out, p + int_len);
}

/* d with `places` decimals, as JavaScript's d.toFixed(places) writes it
 * (|d| < 1e21, places <= 15, size >= 64). printf's %.*f is exact but
 * rounds a value exactly halfway to the even digit, where toFixed picks the
 * larger magnitude (0.125 -> "0.13", 2.5 -> "3"); -0 has no sign in
 * toFixed. */
static void to_fixed(double d, int places, char *text, size_t size)
{
    if (d == 0) d = 0.0;
    /* A tie is d = (n + 0.5) / 10^places exactly: one more digit shows a 5
     * and every digit after it, up to the last of d's at most 1074, is 0. */
    int n = snprintf(text, size, "%.*f", places + 1, d);
    bool tie = false;
    if (n > 0 && (size_t)n < size && text[n - 1] == '5') {
        char exact[1100];
        int m = snprintf(exact, sizeof exact, "%.*f", 1075, d);
        const char *after = strchr(exact, '.') + 1 + places + 1;
        tie = m > 0 && (size_t)m < sizeof exact && after[strspn(after, "0")] == '\0';
    }
    if (!tie) {
        snprintf(text, size, "%.*f", places, d);
        return;
    }
    /* Drop the 5 (and a bare '.'), then add one unit in the last place. */
    text[--n] = '\0';
    if (text[n - 1] == '.') text[--n] = '\0';
    int i = n - 1;
    for (; i >= 0 && text[i] != '-'; i--) {
        if (text[i] == '.') continue;
        if (text[i] != '9') {
            text[i]++;
            return;
        }
        text[i] = '0';
    }
    /* 9.99 -> 10.00: a new leading 1 after the sign. */
    memmove(text + i + 2, text + i + 1, (size_t)(n - i));
    text[i + 1] = '1';
}

/* {{format_number n}}: 1234567 -> 1,234,567; a double gets `decimals`
 * places (default 2) as JavaScript's toFixed gives them, which writes a
 * number from 1e21 up as String(n) does; sep="." changes the separator.
 * Non-numbers render as they are. */
int lv_builtin_format_number(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *v = lv_helper_arg(call, 0);
    double d;
    int64_t i = 0;
    bool is_int;
    if (!as_number(v, &d, &is_int, &i)) {
        if (v) lv_helper_value(call, v);
        return 0;
    }
    const lv_value *sep_v = lv_helper_named(call, "sep");
    const char *sep = sep_v && str_of(sep_v) ? str_of(sep_v) : ",";
    char text[64];
    if (is_int) {
        snprintf(text, sizeof text, "%lld", (long long)i);
    } else if (!isfinite(d)) {
        lv_helper_value(call, v);
        return 0;
    } else {
        const lv_value *dec = lv_helper_named(call, "decimals");
        int64_t places = dec && dec->kind == LV_VALUE_INT ? dec->as.i : 2;
        if (places < 0) places = 0;
        if (places > 15) places = 15;
        if (fabs(d) >= 1e21) {
            lv_double_text(d, text);
        } else {
            to_fixed(d, (int)places, text, sizeof text);
        }
    }
    lv_buf out = LV_BUF_INIT;
    append_grouped(&out, text, sep);
    lv_helper_text(call, out.data, out.len);
    lv_buf_free(&out);
    return 0;
}

/* {{pluralize count "item"}} -> "1 item", "2 items"; a third argument is
 * the plural when adding "s" is wrong: {{pluralize n "child" "children"}}. */
int lv_builtin_pluralize(lv_helper_call *call, void *user)
{
    (void)user;
    double d;
    int64_t i = 0;
    bool is_int;
    const char *singular = str_of(lv_helper_arg(call, 1));
    if (!as_number(lv_helper_arg(call, 0), &d, &is_int, &i) || !singular) return -1;
    const char *plural = str_of(lv_helper_arg(call, 2));
    lv_buf out = LV_BUF_INIT;
    lv_value_to_text(lv_helper_arg(call, 0), &out);
    lv_buf_putc(&out, ' ');
    bool one = is_int ? (i == 1 || i == -1) : (d == 1.0 || d == -1.0);
    if (one) {
        lv_buf_puts(&out, singular);
    } else if (plural) {
        lv_buf_puts(&out, plural);
    } else {
        lv_buf_puts(&out, singular);
        lv_buf_putc(&out, 's');
    }
    lv_helper_return(call, new_value(lv_value_string(out.data, out.len)));
    lv_buf_free(&out);
    return 0;
}

static bool loosely_equal(const lv_value *a, const lv_value *b)
{
    double x, y;
    int64_t i, j;
    bool xi, yi;
    if (as_number(a, &x, &xi, &i) && as_number(b, &y, &yi, &j)) return xi && yi ? i == j : x == y;
    if ((a->kind == LV_VALUE_STRING || a->kind == LV_VALUE_SAFE) &&
        (b->kind == LV_VALUE_STRING || b->kind == LV_VALUE_SAFE))
        return a->as.s.len == b->as.s.len && memcmp(a->as.s.ptr, b->as.s.ptr, a->as.s.len) == 0;
    return lv_value_equal(a, b);
}

/* {{#if (eq filter "done")}}: true when both arguments are equal (1 equals
 * 1.0; a string equals safe HTML of the same text). */
int lv_builtin_eq(lv_helper_call *call, void *user)
{
    (void)user;
    if (lv_helper_argc(call) != 2) return -1;
    lv_helper_return(call, new_value(lv_value_bool(loosely_equal(lv_helper_arg(call, 0), lv_helper_arg(call, 1)))));
    return 0;
}

/* {{#if (not done)}}: the negation of the argument's truthiness. */
int lv_builtin_not(lv_helper_call *call, void *user)
{
    (void)user;
    if (lv_helper_argc(call) != 1) return -1;
    lv_helper_return(call, new_value(lv_value_bool(!lv_value_truthy(lv_helper_arg(call, 0)))));
    return 0;
}

/* {{length todos}}: items of a list, entries of a map, bytes of a string. */
int lv_builtin_length(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *v = lv_helper_arg(call, 0);
    if (!v) return -1;
    int64_t n = 0;
    if (v->kind == LV_VALUE_LIST)
        n = (int64_t)lv_value_list_len(v);
    else if (v->kind == LV_VALUE_MAP)
        n = v->as.map ? v->as.map->count : 0;
    else if (v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE)
        n = (int64_t)v->as.s.len;
    lv_helper_return(call, new_value(lv_value_int(n)));
    return 0;
}
