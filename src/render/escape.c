#include "render/escape.h"

/* Index into the entity table for the five bytes that need escaping, 0 for
 * every other byte, so the scan for the next special byte is one load and
 * one test per byte. */
static const unsigned char html_special[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};

static const struct {
    const char *text;
    unsigned char len;
} html_entities[] = {
    {"", 0},
    {"&amp;", 5},
    {"&lt;", 4},
    {"&gt;", 4},
    {"&quot;", 6},
    /* &#39; rather than &apos;: &apos; is not an HTML 4 entity, and it is
     * what phoenix_html emits, so the bytes match a Phoenix server's. */
    {"&#39;", 5},
};

void lv_html_escape(lv_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (n == 0) return; /* leave an untouched buffer untouched */
    /* Escaped text is usually the input itself: one reservation covers it. */
    lv_buf_reserve(out, n);
    while (i < n) {
        size_t run = i;
        while (run < n && !html_special[p[run]]) run++;
        if (run > i) lv_buf_append(out, p + i, run - i);
        if (run == n) break;
        unsigned char which = html_special[p[run]];
        lv_buf_append(out, html_entities[which].text, html_entities[which].len);
        i = run + 1;
    }
}
