#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static void out_of_memory(size_t n)
{
    lv_log_error("out of memory allocating %zu bytes; aborting", n);
    abort();
}

void *lv_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *lv_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory(count * size);
    return p;
}

void *lv_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory(n);
    return q;
}

char *lv_xstrdup(const char *s)
{
    return lv_xstrndup(s, strlen(s));
}

char *lv_xstrndup(const char *s, size_t n)
{
    char *p = lv_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void lv_buf_grow(lv_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need < extra) out_of_memory(SIZE_MAX);
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    b->data = lv_xrealloc(b->data, cap);
    b->cap = cap;
}

void lv_buf_puts(lv_buf *b, const char *s)
{
    lv_buf_append(b, s, strlen(s));
}

void lv_buf_vprintf(lv_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return;
    lv_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void lv_buf_printf(lv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lv_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void lv_buf_reset(lv_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

void lv_buf_free(lv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *lv_buf_take(lv_buf *b)
{
    char *p = b->data ? b->data : lv_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void lv_buf_consume(lv_buf *b, size_t n)
{
    if (n >= b->len) {
        lv_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}
