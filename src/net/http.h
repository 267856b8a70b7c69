/* HTTP/1.1 request parsing, free of I/O: llhttp plus what the server
 * enforces on top of it. net/server.c feeds it the bytes it reads and acts on
 * the callbacks and the result; tests and the fuzzer feed it directly.
 *
 * What the parser enforces (each refusal reports the status to answer, after
 * which the parser is stuck: every later feed reports it again):
 * - the request head (URL, header names and values, counted as they arrive)
 *   is at most limits.max_header_bytes (431), with at most LV_HTTP_MAX_HEADERS
 *   header lines (431);
 * - a header name or value with a NUL byte is refused (400), as is an
 *   obsolete line folding (400, RFC 9112 §5.2), found even when the CRLF
 *   before the fold ends one feed and the fold starts the next;
 * - a body is at most limits.max_body_bytes (413): a Content-Length is
 *   checked before any body byte is read, a chunked body as it arrives;
 * - everything llhttp refuses in its strict mode (no lenient flag is set):
 *   a header line without a colon, Content-Length with Transfer-Encoding,
 *   two Content-Lengths... (400).
 *
 * The parser keeps the URL, the headers and, when the headers_complete
 * callback asks for it, the body of the request in progress; they are valid
 * inside the request_complete callback and forgotten after it. */
#ifndef LV_NET_HTTP_H
#define LV_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

#include "util/buf.h"

#define LV_HTTP_MAX_HEADERS 100

typedef struct lv_http_limits {
    size_t max_header_bytes;
    size_t max_body_bytes;
} lv_http_limits;

typedef struct lv_http_parser lv_http_parser;

/* What request_complete asks the parser to do next. */
typedef enum lv_http_action {
    LV_HTTP_ACTION_CONTINUE, /* parse the next (pipelined) request */
    LV_HTTP_ACTION_STOP,     /* stop: lv_http_feed reports LV_HTTP_PAUSED */
    /* The connection switched protocols. The request is not forgotten;
     * llhttp stops by itself after a request that asked for an upgrade
     * (LV_HTTP_UPGRADE below), but after one that did not in its eyes it
     * goes on parsing, as with CONTINUE (kept as the server always did). */
    LV_HTTP_ACTION_UPGRADE,
} lv_http_action;

/* Callbacks, each given the ctx passed to lv_http_parser_init. Any may be
 * NULL: without headers_complete no body is kept, without request_complete
 * parsing continues with the next request. */
typedef struct lv_http_handlers {
    /* The first byte of a request arrived. */
    void (*request_begin)(void *ctx);
    /* The head is complete (method, URL and headers are available). Called
     * before the Content-Length check; returns whether to keep the body. */
    bool (*headers_complete)(void *ctx, lv_http_parser *p);
    /* The whole request arrived; URL, headers and body are available, and
     * the URL may be modified in place. */
    lv_http_action (*request_complete)(void *ctx, lv_http_parser *p);
} lv_http_handlers;

typedef enum lv_http_result_kind {
    LV_HTTP_NEED_MORE, /* all of the input was taken; waiting for more */
    LV_HTTP_PAUSED,    /* request_complete returned LV_HTTP_ACTION_STOP */
    /* A request that asked for an upgrade (Connection: upgrade, or CONNECT)
     * is complete; llhttp stops there by itself unless request_complete
     * returned STOP. The bytes from `used` on belong to the new protocol. */
    LV_HTTP_UPGRADE,
    LV_HTTP_ERROR, /* refused: answer `status` and close */
} lv_http_result_kind;

typedef struct lv_http_result {
    lv_http_result_kind kind;
    /* How many bytes of this feed were taken: all of them for NEED_MORE,
     * up to the end of the request for PAUSED and UPGRADE; for ERROR,
     * about where llhttp stopped (it depends on where the feeds split); 0
     * when the parser was already stopped before this feed. */
    size_t used;
    int status;         /* LV_HTTP_ERROR: 400, 413 or 431 */
    const char *reason; /* LV_HTTP_ERROR: llhttp's error name, for logs */
} lv_http_result;

struct lv_http_parser {
    llhttp_t llhttp; /* first member: the callbacks cast it back */
    lv_http_limits limits;
    const lv_http_handlers *handlers;
    void *ctx;
    lv_buf url;
    lv_buf field;
    lv_buf value;
    lv_buf body;    /* kept only when headers_complete asked for it */
    char **headers; /* name, value, ..., NULL (owned) */
    size_t header_strings;
    size_t header_bytes;
    unsigned header_count;
    uint64_t body_bytes;
    int reject_status; /* set by a callback that refuses the request */
    /* To tell a header value split across feeds from an obsolete line
     * folding, which llhttp 8 passes on as a second, separate piece. */
    const char *feed_start, *feed_end;
    unsigned feed_id, value_feed_id;
    const char *value_end;
    bool headers_done;
    bool keep_body;
    bool in_request; /* between the first byte and the end of the message */
};

/* `handlers` must outlive the parser; `limits` is copied. */
void lv_http_parser_init(lv_http_parser *p, const lv_http_limits *limits,
                         const lv_http_handlers *handlers, void *ctx);
void lv_http_parser_free(lv_http_parser *p);
/* Frees the request in progress and starts over, as after init (also after
 * an error, a pause or an upgrade). */
void lv_http_parser_reset(lv_http_parser *p);

/* Parses the next bytes the client sent. `data` is neither modified nor
 * kept after the call (the next feed may reuse the same buffer). */
lv_http_result lv_http_feed(lv_http_parser *p, const char *data, size_t len);

/* The request in progress (valid in headers_complete and request_complete). */
int lv_http_method(const lv_http_parser *p); /* llhttp_method_t */
const char *lv_http_method_name(const lv_http_parser *p);
/* The request target, NUL-terminated ("" before any byte of it). */
char *lv_http_url(lv_http_parser *p);
/* The value of the first header with that name (any case), or NULL. */
const char *lv_http_header(const lv_http_parser *p, const char *name);
/* name, value, ..., NULL; NULL when the request has no header. */
const char *const *lv_http_headers(const lv_http_parser *p);
/* The body kept for request_complete (len 0 when not kept). */
const char *lv_http_body(const lv_http_parser *p, size_t *len);
bool lv_http_keep_alive(const lv_http_parser *p);
/* True while a request has begun but its head is not complete: what a
 * header timeout applies to. */
bool lv_http_reading_head(const lv_http_parser *p);
/* Bytes of the body in progress the parser holds (0 when it keeps none). */
size_t lv_http_body_buffered(const lv_http_parser *p);

#endif
