/* Growable byte buffers: the one container every module writes into.
 *
 * A buffer owns its memory. Appends grow it geometrically and abort on
 * out-of-memory (as Redis's zmalloc does): callers never check for NULL.
 * The data is always NUL-terminated after an append, so it can be handed to
 * C string functions, but it may also hold binary data with embedded NULs. */
#ifndef LV_UTIL_BUF_H
#define LV_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct lv_buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t cap;
} lv_buf;

#define LV_BUF_INIT {NULL, 0, 0}

/* The slow half of lv_buf_reserve: reallocates for `extra` more bytes. */
void lv_buf_grow(lv_buf *b, size_t extra);

/* Makes room for at least `extra` more bytes (plus the terminating NUL).
 * These three are inline: every reply is written through them a few bytes
 * at a time, and the call cost showed in profiles (docs/performance.md). */
static inline void lv_buf_reserve(lv_buf *b, size_t extra)
{
    if (extra >= b->cap - b->len) lv_buf_grow(b, extra); /* cap 0 wraps: grows */
}

static inline void lv_buf_append(lv_buf *b, const void *data, size_t len)
{
    lv_buf_reserve(b, len);
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static inline void lv_buf_putc(lv_buf *b, char c)
{
    lv_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void lv_buf_puts(lv_buf *b, const char *s);
void lv_buf_printf(lv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lv_buf_vprintf(lv_buf *b, const char *fmt, va_list ap);
/* Empties the buffer but keeps its memory for reuse. */
void lv_buf_reset(lv_buf *b);
/* Frees the memory; the buffer is then empty and reusable. */
void lv_buf_free(lv_buf *b);
/* Hands the memory to the caller (who frees it with free()) and empties the
 * buffer. Never returns NULL: an empty buffer yields "". */
char *lv_buf_take(lv_buf *b);
/* Drops the first n bytes, keeping the rest. */
void lv_buf_consume(lv_buf *b, size_t n);

/* Allocation helpers that abort on out-of-memory. */
void *lv_xmalloc(size_t n);
void *lv_xcalloc(size_t count, size_t size);
void *lv_xrealloc(void *p, size_t n);
char *lv_xstrdup(const char *s);
char *lv_xstrndup(const char *s, size_t n);

#endif
