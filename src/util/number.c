#include "util/number.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t put(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n + 1);
    return n;
}

/* The decimal digits of m (no leading zeros) into digits; their count. */
static int digits_of(uint64_t m, char digits[21])
{
    return snprintf(digits, 21, "%" PRIu64, m);
}

/* Whether m * 10^e10 reads back as x. */
static bool reads_back(uint64_t m, int e10, double x)
{
    char text[48];
    snprintf(text, sizeof text, "%" PRIu64 "e%d", m, e10);
    return strtod(text, NULL) == x;
}

/* The fewest decimal digits that read back as x (finite, > 0): x is
 * digits * 10^(*n - k) with k = strlen(digits), digits not ending in 0.
 * For each length p, the closest p-digit decimal (which %.*e gives,
 * correctly rounded) is tried, then its neighbour on the other side of x:
 * just above a power of two the doubles below are twice as dense as those
 * above, so the closest p-digit decimal may miss x while the next one
 * still reads back. At 17 digits the closest always reads back. */
static void shortest(double x, char digits[21], int *n)
{
    for (int p = 1; p <= 17; p++) {
        char text[48];
        snprintf(text, sizeof text, "%.*e", p - 1, x);
        /* text is "d.ddde±XX" (or "de±XX" when p is 1). */
        uint64_t m = 0;
        const char *c = text;
        for (; *c != 'e'; c++)
            if (*c != '.') m = m * 10 + (uint64_t)(*c - '0');
        int e10 = atoi(c + 1) - (p - 1);
        double back = strtod(text, NULL);
        if (back != x) {
            m = back < x ? m + 1 : m - 1;
            if (m == 0 || !reads_back(m, e10, x)) continue;
        }
        while (m % 10 == 0) {
            m /= 10;
            e10++;
        }
        int k = digits_of(m, digits);
        *n = e10 + k;
        return;
    }
    abort(); /* unreachable: 17 significant digits identify every double */
}

size_t lv_double_text(double d, char out[LV_DOUBLE_TEXT_SIZE])
{
    if (isnan(d)) return put(out, "NaN");
    if (isinf(d)) return put(out, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0) return put(out, "0"); /* -0 too, as in JavaScript */

    char digits[21];
    int n;
    shortest(fabs(d), digits, &n);
    int k = (int)strlen(digits);

    /* Number::toString (ECMA-262 6.1.6.1.20), with x = digits * 10^(n-k). */
    char *p = out;
    if (d < 0) *p++ = '-';
    if (k <= n && n <= 21) {
        memcpy(p, digits, (size_t)k);
        p += k;
        memset(p, '0', (size_t)(n - k));
        p += n - k;
    } else if (0 < n && n <= 21) {
        memcpy(p, digits, (size_t)n);
        p += n;
        *p++ = '.';
        memcpy(p, digits + n, (size_t)(k - n));
        p += k - n;
    } else if (-6 < n && n <= 0) {
        *p++ = '0';
        *p++ = '.';
        memset(p, '0', (size_t)-n);
        p += -n;
        memcpy(p, digits, (size_t)k);
        p += k;
    } else {
        *p++ = digits[0];
        if (k > 1) {
            *p++ = '.';
            memcpy(p, digits + 1, (size_t)(k - 1));
            p += k - 1;
        }
        p += snprintf(p, 8, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *p = '\0';
    return (size_t)(p - out);
}

void lv_double_append(lv_buf *b, double d)
{
    char text[LV_DOUBLE_TEXT_SIZE];
    size_t n = lv_double_text(d, text);
    lv_buf_append(b, text, n);
}
