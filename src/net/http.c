/* HTTP/1.1 request parsing on top of llhttp (see http.h). */
#include "net/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int on_message_begin(llhttp_t *l);
static int on_url(llhttp_t *l, const char *at, size_t len);
static int on_header_field(llhttp_t *l, const char *at, size_t len);
static int on_header_value(llhttp_t *l, const char *at, size_t len);
static int on_header_value_complete(llhttp_t *l);
static int on_headers_complete(llhttp_t *l);
static int on_body(llhttp_t *l, const char *at, size_t len);
static int on_message_complete(llhttp_t *l);

/* The other callbacks stay NULL, as llhttp_settings_init leaves them. */
static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static lv_http_parser *parser_of(llhttp_t *l)
{
    return (lv_http_parser *)l; /* llhttp_t is the struct's first member */
}

static void forget_headers(lv_http_parser *p)
{
    for (size_t i = 0; i < p->header_strings; i++) free(p->headers[i]);
    free(p->headers);
    p->headers = NULL;
    p->header_strings = 0;
}

void lv_http_parser_init(lv_http_parser *p, const lv_http_limits *limits,
                         const lv_http_handlers *handlers, void *ctx)
{
    memset(p, 0, sizeof *p);
    llhttp_init(&p->llhttp, HTTP_REQUEST, &settings);
    p->limits = *limits;
    p->handlers = handlers;
    p->ctx = ctx;
}

void lv_http_parser_free(lv_http_parser *p)
{
    lv_buf_free(&p->url);
    lv_buf_free(&p->field);
    lv_buf_free(&p->value);
    lv_buf_free(&p->body);
    forget_headers(p);
}

void lv_http_parser_reset(lv_http_parser *p)
{
    lv_http_limits limits = p->limits;
    const lv_http_handlers *handlers = p->handlers;
    void *ctx = p->ctx;
    lv_http_parser_free(p);
    lv_http_parser_init(p, &limits, handlers, ctx);
}

static int on_message_begin(llhttp_t *l)
{
    lv_http_parser *p = parser_of(l);
    p->in_request = true;
    p->headers_done = false;
    p->header_bytes = 0;
    p->header_count = 0;
    p->body_bytes = 0;
    lv_buf_reset(&p->url);
    if (p->handlers && p->handlers->request_begin) p->handlers->request_begin(p->ctx);
    return 0;
}

/* Counts head bytes as they arrive so an oversized head is refused before it
 * is all buffered. */
static int count_head_bytes(lv_http_parser *p, size_t len)
{
    p->header_bytes += len;
    if (p->header_bytes > p->limits.max_header_bytes) {
        p->reject_status = 431;
        return HPE_USER;
    }
    return 0;
}

static int on_url(llhttp_t *l, const char *at, size_t len)
{
    lv_http_parser *p = parser_of(l);
    if (count_head_bytes(p, len)) return HPE_USER;
    lv_buf_append(&p->url, at, len);
    return 0;
}

static int on_header_field(llhttp_t *l, const char *at, size_t len)
{
    lv_http_parser *p = parser_of(l);
    if (count_head_bytes(p, len)) return HPE_USER;
    lv_buf_append(&p->field, at, len);
    return 0;
}

static int on_header_value(llhttp_t *l, const char *at, size_t len)
{
    lv_http_parser *p = parser_of(l);
    if (count_head_bytes(p, len)) return HPE_USER;
    if (p->value.len > 0) {
        /* A later piece of the same value must continue exactly where the
         * last one stopped: in the same feed, or at the start of the next
         * feed when the last one ended its feed. Anything else skipped a
         * CRLF: an obs-fold, refused as RFC 9112 §5.2 allows. */
        bool contiguous = p->value_feed_id == p->feed_id
                              ? at == p->value_end
                              : at == p->feed_start && p->value_end == NULL;
        if (!contiguous) {
            p->reject_status = 400;
            return HPE_USER;
        }
    }
    p->value_feed_id = p->feed_id;
    p->value_end = at + len == p->feed_end ? NULL : at + len;
    lv_buf_append(&p->value, at, len);
    return 0;
}

static int on_header_value_complete(llhttp_t *l)
{
    lv_http_parser *p = parser_of(l);
    if (++p->header_count > LV_HTTP_MAX_HEADERS) {
        p->reject_status = 431;
        return HPE_USER;
    }
    /* A header line with a NUL byte cannot be handled as a C string. */
    if ((p->value.len && memchr(p->value.data, 0, p->value.len)) ||
        (p->field.len && memchr(p->field.data, 0, p->field.len))) {
        p->reject_status = 400;
        return HPE_USER;
    }
    p->headers = lv_xrealloc(p->headers, (p->header_strings + 3) * sizeof *p->headers);
    p->headers[p->header_strings++] = lv_xstrndup(p->field.data ? p->field.data : "", p->field.len);
    p->headers[p->header_strings++] = lv_xstrndup(p->value.data ? p->value.data : "", p->value.len);
    p->headers[p->header_strings] = NULL;
    lv_buf_reset(&p->field);
    lv_buf_reset(&p->value);
    return 0;
}

static int on_headers_complete(llhttp_t *l)
{
    lv_http_parser *p = parser_of(l);
    p->headers_done = true;
    bool keep = p->handlers && p->handlers->headers_complete
                    ? p->handlers->headers_complete(p->ctx, p)
                    : false;
    if ((l->flags & F_CONTENT_LENGTH) && l->content_length > p->limits.max_body_bytes) {
        p->reject_status = 413;
        return HPE_USER;
    }
    p->keep_body = keep;
    return 0;
}

static int on_body(llhttp_t *l, const char *at, size_t len)
{
    lv_http_parser *p = parser_of(l);
    /* Counted even when dropped: chunked bodies announce no length. */
    p->body_bytes += len;
    if (p->body_bytes > p->limits.max_body_bytes) {
        p->reject_status = 413;
        return HPE_USER;
    }
    if (p->keep_body) lv_buf_append(&p->body, at, len);
    return 0;
}

static int on_message_complete(llhttp_t *l)
{
    lv_http_parser *p = parser_of(l);
    p->in_request = false;
    lv_http_action action = p->handlers && p->handlers->request_complete
                                ? p->handlers->request_complete(p->ctx, p)
                                : LV_HTTP_ACTION_CONTINUE;
    /* After an upgrade llhttp stops by itself (HPE_PAUSED_UPGRADE), since
     * the request asked for one; the request's state goes with the parser. */
    if (action == LV_HTTP_ACTION_UPGRADE) return 0;
    /* Forget this request before the next one. */
    forget_headers(p);
    lv_buf_free(&p->body);
    p->keep_body = false;
    return action == LV_HTTP_ACTION_STOP ? HPE_PAUSED : 0;
}

lv_http_result lv_http_feed(lv_http_parser *p, const char *data, size_t len)
{
    lv_http_result res = {LV_HTTP_NEED_MORE, len, 0, NULL};
    /* A stopped parser reports its error again without looking at data. */
    bool stopped = llhttp_get_errno(&p->llhttp) != HPE_OK;
    p->feed_start = data;
    p->feed_end = data + len;
    p->feed_id++;
    llhttp_errno_t err = llhttp_execute(&p->llhttp, data, len);
    if (err == HPE_OK) return res;
    uintptr_t pos = (uintptr_t)llhttp_get_error_pos(&p->llhttp), start = (uintptr_t)data;
    if (stopped)
        res.used = 0;
    else if (pos >= start && pos - start <= len)
        res.used = (size_t)(pos - start);
    if (err == HPE_PAUSED_UPGRADE) {
        res.kind = LV_HTTP_UPGRADE;
    } else if (err == HPE_PAUSED) {
        res.kind = LV_HTTP_PAUSED;
    } else {
        res.kind = LV_HTTP_ERROR;
        res.status = p->reject_status ? p->reject_status : 400;
        res.reason = llhttp_errno_name(err);
    }
    return res;
}

int lv_http_method(const lv_http_parser *p)
{
    return llhttp_get_method((llhttp_t *)&p->llhttp); /* it only reads */
}

const char *lv_http_method_name(const lv_http_parser *p)
{
    return llhttp_method_name(llhttp_get_method((llhttp_t *)&p->llhttp));
}

char *lv_http_url(lv_http_parser *p)
{
    static char empty[1]; /* holds no '?' for a caller to cut at */
    return p->url.data ? p->url.data : empty;
}

const char *lv_http_header(const lv_http_parser *p, const char *name)
{
    for (size_t i = 0; i + 1 < p->header_strings; i += 2)
        if (strcasecmp(p->headers[i], name) == 0) return p->headers[i + 1];
    return NULL;
}

const char *const *lv_http_headers(const lv_http_parser *p)
{
    return (const char *const *)p->headers;
}

const char *lv_http_body(const lv_http_parser *p, size_t *len)
{
    *len = p->body.len;
    return p->body.data;
}

bool lv_http_keep_alive(const lv_http_parser *p)
{
    return llhttp_should_keep_alive(&p->llhttp) != 0;
}

bool lv_http_reading_head(const lv_http_parser *p)
{
    return p->in_request && !p->headers_done;
}

size_t lv_http_body_buffered(const lv_http_parser *p)
{
    return p->body.len;
}
