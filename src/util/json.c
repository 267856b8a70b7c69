#include "util/json.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "util/number.h"

/* Bytes that can be copied into a JSON string as they are: printable ASCII
 * (and DEL, legal in JSON and harmless in HTML) other than the quote, the
 * backslash and the three HTML-significant characters < > &. Everything else
 * (controls, those five, and every byte >= 0x80) leaves the fast path and is
 * looked at on its own. */
static const unsigned char json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x80 .. 0xff: zero, multi-byte UTF-8 is validated one sequence at a time. */
};

static const char hex_digits[] = "0123456789abcdef";

static void put_u_escape(lv_buf *b, unsigned code)
{
    char esc[6] = {'\\', 'u', hex_digits[(code >> 12) & 0xf], hex_digits[(code >> 8) & 0xf],
                   hex_digits[(code >> 4) & 0xf], hex_digits[code & 0xf]};
    lv_buf_append(b, esc, sizeof esc);
}

static void put_ascii_escape(lv_buf *b, unsigned char c)
{
    switch (c) {
    case '"': lv_buf_append(b, "\\\"", 2); break;
    case '\\': lv_buf_append(b, "\\\\", 2); break;
    case '\n': lv_buf_append(b, "\\n", 2); break;
    case '\r': lv_buf_append(b, "\\r", 2); break;
    case '\t': lv_buf_append(b, "\\t", 2); break;
    case '\b': lv_buf_append(b, "\\b", 2); break;
    case '\f': lv_buf_append(b, "\\f", 2); break;
    default: put_u_escape(b, c); break; /* other controls, < > & */
    }
}

static inline bool is_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* Looks at the multi-byte sequence starting at s[0] (a byte >= 0x80) and
 * returns how many bytes it spans. *valid says whether they form a
 * well-formed code point (RFC 3629). When they do not, the count is the
 * "maximal subpart" of Unicode's recommended practice (Unicode 15, §3.9,
 * U+FFFD substitution): the longest prefix that could still have begun a
 * valid sequence, or 1 byte when even the lead byte is impossible. The
 * caller then emits one U+FFFD for those bytes and resumes right after them,
 * which is what browsers' TextDecoder does, so the client sees the same
 * text it would have decoded itself. */
static size_t utf8_sequence(const unsigned char *s, size_t n, bool *valid)
{
    unsigned char lead = s[0];
    size_t need;
    /* The allowed range of the second byte rules out overlong forms (E0, F0),
     * surrogates (ED) and code points above U+10FFFF (F4) up front. */
    unsigned char lo = 0x80, hi = 0xbf;

    *valid = false;
    if (lead >= 0xc2 && lead <= 0xdf) {
        need = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        need = 3;
        if (lead == 0xe0) lo = 0xa0;
        if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        need = 4;
        if (lead == 0xf0) lo = 0x90;
        if (lead == 0xf4) hi = 0x8f;
    } else {
        return 1; /* stray continuation byte, C0/C1 or F5..FF */
    }

    if (n < 2 || s[1] < lo || s[1] > hi) return 1;
    size_t i = 2;
    while (i < need) {
        if (i >= n || !is_continuation(s[i])) return i;
        i++;
    }
    *valid = true;
    return need;
}

void lv_json_str(lv_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    /* Most text needs no escaping at all; reserving for it up front keeps the
     * common case to one growth check. */
    lv_buf_reserve(b, n + 2);
    lv_buf_putc(b, '"');
    while (i < n) {
        size_t run = i;
        while (run < n && json_plain[p[run]]) run++;
        if (run > i) {
            lv_buf_append(b, p + i, run - i);
            i = run;
            if (i == n) break;
        }

        unsigned char c = p[i];
        if (c < 0x80) {
            put_ascii_escape(b, c);
            i++;
            continue;
        }

        bool valid;
        size_t len = utf8_sequence(p + i, n - i, &valid);
        if (!valid) {
            lv_buf_append(b, "\\ufffd", 6);
        } else if (len == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
            /* U+2028/U+2029 are valid JSON but end a line in older JavaScript
             * string literals, so a reply inlined into a script would break. */
            put_u_escape(b, p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
        } else {
            lv_buf_append(b, p + i, len);
        }
        i += len;
    }
    lv_buf_putc(b, '"');
}

void lv_json_cstr(lv_buf *b, const char *s)
{
    lv_json_str(b, s, strlen(s));
}

void lv_json_int(lv_buf *b, int64_t v)
{
    char digits[24];
    char *end = digits + sizeof digits;
    char *p = end;
    /* Negating in unsigned arithmetic is defined for INT64_MIN too. */
    uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (v < 0) *--p = '-';
    lv_buf_append(b, p, (size_t)(end - p));
}

void lv_json_double(lv_buf *b, double d)
{
    if (isfinite(d))
        lv_double_append(b, d);
    else
        lv_buf_append(b, "null", 4);
}
