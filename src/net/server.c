/* The server: one libuv loop serving HTTP/1.1 (llhttp) and WebSockets (our
 * RFC 6455 framing), the only code in the project that touches sockets.
 *
 * A connection starts as HTTP. Pages are rendered by live/ (lv_page_render),
 * assets come from memory, and GET /live/websocket upgrades the connection;
 * from then on its frames go to the channel state machine, whose replies come
 * back through ws_send_text.
 *
 * Memory per connection is kept small on purpose (the goal is a few hundred
 * bytes of ours per idle joined view): reads go into one buffer per loop, the
 * HTTP parser state is freed at the upgrade, and timeouts are deadlines swept
 * by one timer per loop instead of a timer per connection. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uv.h>

#include "channel/channel.h"
#include "live/live.h"
#include "net/assets.h"
#include "net/http.h"
#include "net/ws_frame.h"
#include "util/form.h"
#include "util/log.h"
#include "util/value_json.h"

#define READ_BUFFER_SIZE (64 * 1024)
#define SWEEP_INTERVAL_MS 1000
#define WEBSOCKET_PATH "/live/websocket"

typedef struct server server;
typedef struct conn conn;

typedef struct websocket {
    lv_ws_parser parser;
    lv_channel channel;
} websocket;

typedef enum conn_state { CONN_HTTP, CONN_WEBSOCKET, CONN_CLOSING } conn_state;

struct conn {
    uv_tcp_t tcp;
    server *srv;
    conn *prev, *next;
    uint64_t deadline_ms; /* loop time after which the sweep closes it */
    size_t queued_bytes;  /* written but not yet taken by the kernel */
    conn_state state;
    lv_terminate_reason close_reason; /* told to the views' terminate */
    bool close_when_flushed;
    lv_http_parser *http; /* while CONN_HTTP */
    websocket *ws;        /* while CONN_WEBSOCKET */
};

struct server {
    lv_app *app;
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_timer_t sweep;
    uv_async_t stop_async;
    uv_signal_t sigint, sigterm;
    lv_http_limits http_limits;
    lv_assets assets;
    conn *conns; /* every open connection */
    size_t conn_count;
    char read_buffer[READ_BUFFER_SIZE];
    bool read_buffer_busy;
    bool stopping;
};

/* ------------------------------------------------------------------------
 * Connections: lifetime and writes
 * ------------------------------------------------------------------------ */

typedef struct write_req {
    uv_write_t req;
    conn *c;
    size_t len;
    char data[];
} write_req;

static void http_parser_free(lv_http_parser *p)
{
    if (!p) return;
    lv_http_parser_free(p);
    free(p);
}

static void on_conn_closed(uv_handle_t *h)
{
    conn *c = h->data;
    http_parser_free(c->http);
    if (c->ws) {
        /* The views end here, not in conn_close: conn_close may run in the
         * middle of the channel's own code (a write that finds the client
         * not reading), which must not see its views freed under it. */
        lv_channel_close(&c->ws->channel, c->close_reason);
        lv_ws_parser_free(&c->ws->parser);
        free(c->ws);
    }
    free(c);
}

static void conn_close(conn *c, lv_terminate_reason reason)
{
    if (c->state == CONN_CLOSING) return;
    c->state = CONN_CLOSING;
    c->close_reason = reason;
    server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->conn_count--;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_write_done(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    conn *c = w->c;
    c->queued_bytes -= w->len;
    free(w);
    if (c->state == CONN_CLOSING) return;
    if (status < 0) {
        conn_close(c, LV_TERMINATE_CLOSED);
        return;
    }
    if (c->queued_bytes == 0 && c->close_when_flushed) conn_close(c, LV_TERMINATE_CLOSED);
}

/* Queues bytes to the client. Tries a direct write first, so the common case
 * of a small reply to a reading client allocates nothing. A client that lets
 * more than max_outbound_bytes pile up is disconnected: it is not reading. */
static void conn_write2(conn *c, const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (c->state == CONN_CLOSING) return;
    size_t total = a_len + b_len;
    size_t written = 0;
    if (c->queued_bytes == 0) {
        uv_buf_t bufs[2] = {uv_buf_init((char *)a, (unsigned)a_len),
                            uv_buf_init((char *)b, (unsigned)b_len)};
        int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, b_len ? 2 : 1);
        if (n > 0) written = (size_t)n;
        if (written == total) {
            if (c->close_when_flushed) conn_close(c, LV_TERMINATE_CLOSED);
            return;
        }
    }
    size_t rest = total - written;
    if (c->queued_bytes + rest > c->srv->app->config.max_outbound_bytes) {
        lv_log_warn("closing a connection that does not read (%zu bytes queued)", c->queued_bytes);
        conn_close(c, LV_TERMINATE_CLOSED);
        return;
    }
    write_req *w = lv_xmalloc(sizeof *w + rest);
    w->c = c;
    w->len = rest;
    size_t off = 0;
    if (written < a_len) {
        memcpy(w->data, (const char *)a + written, a_len - written);
        off = a_len - written;
        if (b_len) memcpy(w->data + off, b, b_len);
    } else {
        memcpy(w->data, (const char *)b + (written - a_len), rest);
    }
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)rest);
    c->queued_bytes += rest;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write_done) != 0) {
        c->queued_bytes -= rest;
        free(w);
        conn_close(c, LV_TERMINATE_CLOSED);
    }
}

static void conn_write(conn *c, const void *data, size_t len)
{
    conn_write2(c, data, len, NULL, 0);
}

/* The loop's clock, brought up to date: uv_now alone is the time the loop
 * iteration began, and one iteration may read and handle megabytes (libuv
 * reads a stream up to 32 times in a row), so a deadline set from it late in
 * a busy iteration would already be in the past for the next sweep, and a
 * client that never stopped sending would be closed as idle. */
static uint64_t now_ms(server *s)
{
    uv_update_time(&s->loop);
    return uv_now(&s->loop);
}

/* ------------------------------------------------------------------------
 * WebSocket connections
 * ------------------------------------------------------------------------ */

static void ws_send_frame(conn *c, int opcode, const void *payload, size_t len)
{
    uint8_t header[10];
    size_t header_len = lv_ws_frame_header(header, opcode, len);
    conn_write2(c, header, header_len, payload, len);
}

static void ws_send_text(void *ctx, const char *data, size_t len)
{
    ws_send_frame(ctx, LV_WS_OP_TEXT, data, len);
}

/* Sends a close frame, then closes the connection once it has been written:
 * the server closes TCP first (RFC 6455 §7.1.1). */
static void ws_close(conn *c, uint16_t code, const char *reason)
{
    lv_buf frame = LV_BUF_INIT;
    lv_ws_close_frame_append(&frame, code, reason);
    c->close_when_flushed = true;
    conn_write(c, frame.data, frame.len);
    lv_buf_free(&frame);
    if (c->state != CONN_CLOSING && c->queued_bytes == 0) conn_close(c, LV_TERMINATE_CLOSED);
}

static void ws_feed(conn *c, uint8_t *data, size_t len)
{
    websocket *ws = c->ws;
    c->deadline_ms = now_ms(c->srv) + c->srv->app->config.idle_timeout_s * 1000ull;
    while (c->state == CONN_WEBSOCKET && !c->close_when_flushed) {
        lv_ws_event ev;
        size_t used = lv_ws_parse(&ws->parser, data, len, &ev);
        data += used;
        len -= used;
        switch (ev.kind) {
        case LV_WS_NEED_MORE:
            return;
        case LV_WS_MESSAGE:
            if (ev.opcode == LV_WS_OP_TEXT)
                lv_channel_handle_text(&ws->channel, (const char *)ev.data, ev.len);
            else
                lv_channel_handle_binary(&ws->channel, ev.data, ev.len);
            break;
        case LV_WS_PING:
            ws_send_frame(c, LV_WS_OP_PONG, ev.data, ev.len);
            break;
        case LV_WS_PONG:
            break;
        case LV_WS_CLOSE:
            /* Echo the peer's code; a close without one is answered 1000. */
            ws_close(c, ev.close_code == LV_WS_CLOSE_NO_STATUS ? LV_WS_CLOSE_NORMAL : ev.close_code,
                     "");
            return;
        case LV_WS_ERROR:
            lv_log_info("closing a WebSocket: %s (%u)", ev.error ? ev.error : "protocol error",
                        ev.close_code);
            ws_close(c, ev.close_code, ev.error ? ev.error : "");
            return;
        }
    }
}

/* ------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------ */

static const char *status_text(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    default: return "Error";
    }
}

/* Writes a complete response. `extra_headers` are whole lines ending in
 * \r\n (may be NULL); the body is omitted for HEAD but its length is kept. */
static void http_respond(conn *c, int status, const char *content_type, const char *extra_headers,
                         const char *body, size_t body_len, bool head_only, bool keep_alive)
{
    lv_buf head = LV_BUF_INIT;
    lv_buf_printf(&head, "HTTP/1.1 %d %s\r\n", status, status_text(status));
    if (content_type) lv_buf_printf(&head, "Content-Type: %s\r\n", content_type);
    lv_buf_printf(&head, "Content-Length: %zu\r\n", body_len);
    lv_buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
    if (extra_headers) lv_buf_puts(&head, extra_headers);
    if (!keep_alive) lv_buf_puts(&head, "Connection: close\r\n");
    lv_buf_puts(&head, "\r\n");
    if (!keep_alive) c->close_when_flushed = true;
    conn_write2(c, head.data, head.len, body, head_only ? 0 : body_len);
    lv_buf_free(&head);
}

static void http_error(conn *c, int status, const char *extra_headers, bool keep_alive)
{
    char body[128];
    int n = snprintf(body, sizeof body, "%d %s\n", status, status_text(status));
    http_respond(c, status, "text/plain; charset=utf-8", extra_headers, body, (size_t)n, false,
                 keep_alive);
}

/* True when the comma-separated header value contains token (any case). */
static bool header_has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *end = p;
        while (*end && *end != ',') end++;
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t')) last--;
        if ((size_t)(last - p) == tlen && strncasecmp(p, token, tlen) == 0) return true;
        p = end;
    }
    return false;
}

static bool query_has_vsn2(const char *query)
{
    /* The official client always sends vsn=2.0.0 (protocol.md §1.1); it
     * selects the V2 JSON serializer, the only one spoken here. */
    const char *p = query;
    while (p && *p) {
        if (strncmp(p, "vsn=", 4) == 0) return strncmp(p + 4, "2.0.0", 5) == 0 &&
                                               (p[9] == '\0' || p[9] == '&');
        p = strchr(p, '&');
        if (p) p++;
    }
    return false;
}

/* Fills the decision-side view of a request. Returns false (after answering
 * 400) when its query or form body cannot be decoded. */
static bool request_init(conn *c, lv_request *req, const char *method, char *url, char *query)
{
    lv_http_parser *r = c->http;
    memset(req, 0, sizeof *req);
    req->app = c->srv->app;
    req->method = method;
    req->path = url; /* NUL-terminated by the caller at the '?' */
    req->query = query;
    req->headers = lv_http_headers(r);
    const char *type = lv_http_header(r, "content-type");
    size_t body_len;
    const char *body = lv_http_body(r, &body_len);
    bool form = body_len && type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
    lv_form_status st = lv_request_decode_params(req, form ? body : NULL, body_len);
    if (st != LV_FORM_OK) {
        lv_log_debug("bad request parameters: %s", lv_form_status_str(st));
        lv_request_free(req);
        http_error(c, 400, NULL, false);
        return false;
    }
    lv_request_load_session(req);
    return true;
}

/* Sends what a handler or the dead render put in req, with the session
 * cookie when the session changed. */
static void request_respond(conn *c, lv_request *req, const char *extra_headers, bool head_only,
                            bool keep_alive)
{
    lv_buf headers = LV_BUF_INIT;
    if (extra_headers) lv_buf_puts(&headers, extra_headers);
    char *cookie = lv_request_session_cookie(req);
    if (cookie) {
        lv_buf_printf(&headers, "%s\r\n", cookie);
        free(cookie);
    }
    if (req->location) lv_buf_printf(&headers, "Location: %s\r\n", req->location);
    if (req->extra_headers.len) lv_buf_append(&headers, req->extra_headers.data, req->extra_headers.len);
    int status = req->status ? req->status : 204;
    http_respond(c, status, req->content_type, headers.data, req->body.data, req->body.len,
                 head_only, keep_alive);
    lv_buf_free(&headers);
}

/* Handles GET /live/websocket. Returns true when the connection upgraded. */
static bool http_upgrade(conn *c, char *url, char *query)
{
    lv_http_parser *r = c->http;
    const char *upgrade = lv_http_header(r, "upgrade"), *connection = lv_http_header(r, "connection");
    if (lv_http_method(r) != HTTP_GET || !upgrade ||
        strcasecmp(upgrade, "websocket") != 0 || !connection ||
        !header_has_token(connection, "upgrade")) {
        http_error(c, 400, NULL, false);
        return false;
    }
    const char *version = lv_http_header(r, "sec-websocket-version");
    if (!version || strcmp(version, "13") != 0) {
        http_error(c, 426, "Sec-WebSocket-Version: 13\r\n", false);
        return false;
    }
    char accept[29];
    const char *key = lv_http_header(r, "sec-websocket-key");
    if (!key || !lv_ws_accept_key(key, strlen(key), accept)) {
        http_error(c, 400, NULL, false);
        return false;
    }
    /* Browsers always send Origin on a WebSocket request, so a cross-site
     * page cannot open a socket with the user's cookies (CSWSH). */
    if (!lv_origin_allowed(&c->srv->app->origins, lv_http_header(r, "origin"),
                           lv_http_header(r, "host"))) {
        lv_log_warn("WebSocket refused: its Origin is not allowed");
        http_error(c, 403, NULL, false);
        return false;
    }
    if (!query_has_vsn2(query)) {
        http_error(c, 403, NULL, false);
        return false;
    }

    /* The connect-time CSRF check (Phoenix's connect_info session): the
     * socket URL's _csrf_token must match the cookie session's state, or
     * the socket gets no session and every join is answered stale. */
    lv_request req;
    if (!request_init(c, &req, "GET", url, query)) return false;
    const char *state = lv_request_csrf_state(&req);
    const char *token = lv_value_str_at(&req.params, "_csrf_token");
    bool verified = !req.session_changed && state && token &&
                    lv_csrf_verify(state, strlen(state), token, strlen(token));
    char connect_state[LV_CSRF_STATE_LEN + 1] = "";
    if (verified) memcpy(connect_state, state, LV_CSRF_STATE_LEN + 1);
    lv_request_free(&req);

    lv_buf head = LV_BUF_INIT;
    lv_buf_printf(&head,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                  accept);
    conn_write(c, head.data, head.len);
    lv_buf_free(&head);
    if (c->state == CONN_CLOSING) return false;

    websocket *ws = lv_xcalloc(1, sizeof *ws);
    lv_ws_parser_init(&ws->parser, c->srv->app->config.max_message_bytes);
    lv_channel_init(&ws->channel, c->srv->app, ws_send_text, c);
    if (!verified) lv_log_info("WebSocket without a valid session: its joins will be refused");
    lv_channel_set_connect_session(&ws->channel, verified ? connect_state : NULL);
    c->ws = ws;
    c->state = CONN_WEBSOCKET;
    c->deadline_ms = now_ms(c->srv) + c->srv->app->config.idle_timeout_s * 1000ull;
    return true;
}

static void serve_asset(conn *c, const lv_asset *a, bool head_only, bool keep_alive)
{
    /* The asset URLs carry no content hash, so browsers revalidate each time
     * (no-cache) and get a 304 while the ETag still matches. */
    lv_buf headers = LV_BUF_INIT;
    lv_buf_printf(&headers, "Cache-Control: no-cache\r\nETag: %s\r\n", a->etag);
    const char *inm = lv_http_header(c->http, "if-none-match");
    if (inm && strstr(inm, a->etag))
        http_respond(c, 304, NULL, headers.data, NULL, 0, true, keep_alive);
    else
        http_respond(c, 200, a->content_type, headers.data, a->data, a->len, head_only, keep_alive);
    lv_buf_free(&headers);
}

static const char page_headers[] =
    "Cache-Control: no-store\r\n"
    "X-Frame-Options: SAMEORIGIN\r\n"
    "Referrer-Policy: strict-origin-when-cross-origin\r\n";

static void serve_handler(conn *c, const lv_http_route_entry *route, char *url, char *query,
                          bool keep_alive)
{
    lv_request req;
    if (!request_init(c, &req, route->method, url, query)) return;
    bool safe_method = strcmp(route->method, "GET") == 0 || strcmp(route->method, "HEAD") == 0;
    if (!safe_method && (req.session_changed || !lv_request_csrf_ok(&req))) {
        /* Plug's rule: state-changing requests carry the session's token. */
        lv_log_warn("%s %s refused: missing or wrong CSRF token", route->method, url);
        http_error(c, 403, NULL, keep_alive);
    } else {
        route->handler(&req);
        request_respond(c, &req, "Cache-Control: no-store\r\n", false, keep_alive);
    }
    lv_request_free(&req);
}

/* Handles one complete request. Returns true when the connection upgraded to
 * a WebSocket (the caller then stops HTTP parsing). */
static bool http_handle(conn *c)
{
    lv_http_parser *r = c->http;
    server *s = c->srv;
    bool keep_alive = lv_http_keep_alive(r) && !s->stopping;
    int method = lv_http_method(r);
    char *url = lv_http_url(r);
    if (url[0] != '/') {
        http_error(c, 400, NULL, false);
        return false;
    }
    char *query = strchr(url, '?');
    if (query) *query++ = '\0'; /* url is now the path alone */

    if (strcmp(url, WEBSOCKET_PATH) == 0) return http_upgrade(c, url, query);

    bool head_only = method == HTTP_HEAD;
    bool path_known = false;
    const lv_http_route_entry *handler =
        lv_app_find_http_route(s->app, llhttp_method_name(method), url, &path_known);
    if (handler) {
        serve_handler(c, handler, url, query, keep_alive);
        return false;
    }
    const lv_asset *asset = lv_assets_find(&s->assets, url, strlen(url));
    const lv_route_entry *route = asset ? NULL : lv_app_match_route(s->app, url, strlen(url), NULL);
    if (!asset && !route && !path_known) {
        static const char body[] = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                   "<title>Not found</title></head><body><h1>Not found</h1>"
                                   "<p><a href=\"/\">Back to the index</a></p></body></html>\n";
        http_respond(c, 404, "text/html; charset=utf-8", NULL, body, sizeof body - 1, head_only,
                     keep_alive);
        return false;
    }
    if (!asset && !route) { /* only handlers for other methods live here */
        http_error(c, 405, NULL, keep_alive);
        return false;
    }
    if (method != HTTP_GET && method != HTTP_HEAD) {
        http_error(c, 405, "Allow: GET, HEAD\r\n", keep_alive);
        return false;
    }
    if (asset) {
        serve_asset(c, asset, head_only, keep_alive);
        return false;
    }
    lv_request req;
    if (!request_init(c, &req, "GET", url, query)) return false;
    lv_app_match_route(s->app, url, strlen(url), &req.params); /* path params win over the query */
    lv_page_render(&req, route);
    request_respond(c, &req, page_headers, head_only, keep_alive);
    lv_request_free(&req);
    return false;
}

/* The parser's callbacks: the deadlines follow the request's progress. */
static void on_request_begin(void *ctx)
{
    conn *c = ctx;
    c->deadline_ms = now_ms(c->srv) + c->srv->app->config.header_timeout_s * 1000ull;
}

static bool on_headers_complete(void *ctx, lv_http_parser *p)
{
    conn *c = ctx;
    c->deadline_ms = now_ms(c->srv) + c->srv->app->config.idle_timeout_s * 1000ull;
    /* Keep the body only for a request that a handler will read. */
    size_t path_len = p->url.len;
    const char *q = p->url.data ? memchr(p->url.data, '?', p->url.len) : NULL;
    if (q) path_len = (size_t)(q - p->url.data);
    lv_buf path = LV_BUF_INIT;
    lv_buf_append(&path, p->url.data ? p->url.data : "", path_len);
    bool known;
    bool keep = lv_app_find_http_route(c->srv->app, lv_http_method_name(p), path.data, &known) != NULL;
    lv_buf_free(&path);
    return keep;
}

static lv_http_action on_request_complete(void *ctx, lv_http_parser *p)
{
    (void)p; /* the same as c->http */
    conn *c = ctx;
    if (http_handle(c)) return LV_HTTP_ACTION_UPGRADE;
    c->deadline_ms = now_ms(c->srv) + c->srv->app->config.idle_timeout_s * 1000ull;
    if (c->close_when_flushed || c->state == CONN_CLOSING) return LV_HTTP_ACTION_STOP;
    return LV_HTTP_ACTION_CONTINUE;
}

static const lv_http_handlers http_handlers = {
    .request_begin = on_request_begin,
    .headers_complete = on_headers_complete,
    .request_complete = on_request_complete,
};

static void http_feed(conn *c, char *data, size_t len)
{
    lv_http_result res = lv_http_feed(c->http, data, len);
    if (res.kind == LV_HTTP_NEED_MORE) return;
    if (res.kind == LV_HTTP_UPGRADE && c->state == CONN_WEBSOCKET) {
        /* Bytes after the request head already belong to the WebSocket. */
        http_parser_free(c->http);
        c->http = NULL;
        if (res.used < len) ws_feed(c, (uint8_t *)data + res.used, len - res.used);
        return;
    }
    if (res.kind == LV_HTTP_PAUSED || c->state == CONN_CLOSING) return; /* closing after a response */
    if (res.kind == LV_HTTP_UPGRADE) return; /* refused upgrade: the error response closes */
    lv_log_debug("bad HTTP request: %s", res.reason);
    http_error(c, res.status, NULL, false);
}

/* ------------------------------------------------------------------------
 * The loop: accepting, reading, sweeping, stopping
 * ------------------------------------------------------------------------ */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    conn *c = h->data;
    server *s = c->srv;
    /* One read at a time per loop, and every read is fully consumed before
     * the callback returns, so a single buffer serves every connection. */
    if (s->read_buffer_busy) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    s->read_buffer_busy = true;
    *buf = uv_buf_init(s->read_buffer, sizeof s->read_buffer);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = stream->data;
    server *s = c->srv;
    if (buf->base == s->read_buffer) s->read_buffer_busy = false;
    if (nread == 0) return;
    if (nread < 0) {
        conn_close(c, LV_TERMINATE_CLOSED);
        return;
    }
    if (c->state == CONN_HTTP)
        http_feed(c, buf->base, (size_t)nread);
    else if (c->state == CONN_WEBSOCKET)
        ws_feed(c, (uint8_t *)buf->base, (size_t)nread);
}

static void on_connection(uv_stream_t *listener, int status)
{
    server *s = listener->data;
    if (status < 0) {
        lv_log_warn("accept failed: %s", uv_strerror(status));
        return;
    }
    conn *c = lv_xcalloc(1, sizeof *c);
    c->srv = s;
    uv_tcp_init(&s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->http = lv_xmalloc(sizeof *c->http);
    lv_http_parser_init(c->http, &s->http_limits, &http_handlers, c);
    c->state = CONN_HTTP;
    c->deadline_ms = now_ms(s) + s->app->config.header_timeout_s * 1000ull;
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->conn_count++;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        conn_close(c, LV_TERMINATE_CLOSED);
}

static void on_sweep(uv_timer_t *t)
{
    server *s = t->data;
    uint64_t now = now_ms(s);
    conn *c = s->conns;
    while (c) {
        conn *next = c->next;
        if (c->deadline_ms <= now) {
            if (c->state == CONN_WEBSOCKET && !c->close_when_flushed) {
                lv_log_debug("closing an idle WebSocket");
                ws_close(c, LV_WS_CLOSE_GOING_AWAY, "idle timeout");
                /* If the close frame cannot be written, give up on it soon. */
                c->deadline_ms = now + 2000;
            } else if (c->state == CONN_HTTP && c->http && lv_http_reading_head(c->http) &&
                       !c->close_when_flushed) {
                http_error(c, 408, NULL, false);
                c->deadline_ms = now + 2000;
            } else {
                conn_close(c, LV_TERMINATE_CLOSED);
            }
        }
        c = next;
    }
}

static void begin_stop(server *s)
{
    if (s->stopping) return;
    s->stopping = true;
    lv_log_info("stopping");
    uv_close((uv_handle_t *)&s->listener, NULL);
    uv_close((uv_handle_t *)&s->sweep, NULL);
    uv_close((uv_handle_t *)&s->stop_async, NULL);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    while (s->conns) {
        conn *c = s->conns;
        if (c->state == CONN_WEBSOCKET) {
            lv_buf frame = LV_BUF_INIT;
            lv_ws_close_frame_append(&frame, LV_WS_CLOSE_GOING_AWAY, "server stopping");
            uv_buf_t b = uv_buf_init(frame.data, (unsigned)frame.len);
            uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
            lv_buf_free(&frame);
        }
        conn_close(c, LV_TERMINATE_SHUTDOWN);
    }
}

static void on_stop_async(uv_async_t *a)
{
    begin_stop(a->data);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    begin_stop(sig->data);
}

/* ------------------------------------------------------------------------
 * The runtime lent to views: timers and the thread pool (live.h)
 * ------------------------------------------------------------------------ */

typedef struct view_timer {
    uv_timer_t timer;
    void (*fire)(void *arg);
    void *arg;
} view_timer;

static void on_view_timer(uv_timer_t *t)
{
    view_timer *vt = (view_timer *)t;
    vt->fire(vt->arg); /* may stop (and so free) this very timer */
}

static void *runtime_timer_start(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *),
                                 void *arg)
{
    server *s = ctx;
    if (s->stopping) return NULL;
    view_timer *vt = lv_xcalloc(1, sizeof *vt);
    vt->fire = fire;
    vt->arg = arg;
    uv_timer_init(&s->loop, &vt->timer);
    uv_timer_start(&vt->timer, on_view_timer, ms, repeat_ms);
    return vt;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void runtime_timer_stop(void *ctx, void *timer)
{
    (void)ctx;
    view_timer *vt = timer;
    uv_timer_stop(&vt->timer);
    uv_close((uv_handle_t *)&vt->timer, free_handle);
}

typedef struct view_work {
    uv_work_t req;
    void (*work)(void *arg);
    void (*done)(void *arg);
    void *arg;
} view_work;

static void on_work(uv_work_t *req)
{
    view_work *w = (view_work *)req;
    w->work(w->arg);
}

static void on_work_done(uv_work_t *req, int status)
{
    (void)status; /* cancelled work still reports, so its memory is freed */
    view_work *w = (view_work *)req;
    w->done(w->arg);
    free(w);
}

static int runtime_queue_work(void *ctx, void (*work)(void *), void (*done)(void *), void *arg)
{
    server *s = ctx;
    view_work *w = lv_xcalloc(1, sizeof *w);
    w->work = work;
    w->done = done;
    w->arg = arg;
    if (uv_queue_work(&s->loop, &w->req, on_work, on_work_done) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

void lv_app_stop(lv_app *app)
{
    atomic_store(&app->stop_requested, true);
    server *s = app->server;
    if (s) uv_async_send(&s->stop_async); /* async-signal-safe */
}

static int listen_on(server *s)
{
    lv_config *cfg = &s->app->config;
    struct sockaddr_storage addr;
    int rc = strchr(cfg->host, ':')
                 ? uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&addr)
                 : uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&addr);
    if (rc == 0) rc = uv_tcp_init(&s->loop, &s->listener);
    if (rc != 0) {
        fprintf(stderr, "liveview: cannot use address %s: %s\n", cfg->host, uv_strerror(rc));
        return -1;
    }
    s->listener.data = s;
    rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection);
    if (rc != 0) {
        fprintf(stderr, "liveview: cannot listen on %s:%d: %s\n", cfg->host, cfg->port,
                uv_strerror(rc));
        uv_close((uv_handle_t *)&s->listener, NULL);
        return -1;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len);
    s->app->bound_port = ntohs(bound.ss_family == AF_INET6
                                   ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                   : ((struct sockaddr_in *)&bound)->sin_port);
    return 0;
}

int lv_app_run(lv_app *app)
{
    server *s = lv_xcalloc(1, sizeof *s);
    s->app = app;
    int result = -1;
    signal(SIGPIPE, SIG_IGN);
    if (lv_assets_load(&s->assets, app->config.assets_dir) != 0) {
        free(s);
        return -1;
    }
    uv_loop_init(&s->loop);
    s->http_limits = (lv_http_limits){app->config.max_header_bytes, app->config.max_body_bytes};

    if (listen_on(s) == 0) {
        uv_timer_init(&s->loop, &s->sweep);
        s->sweep.data = s;
        uv_timer_start(&s->sweep, on_sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
        uv_async_init(&s->loop, &s->stop_async, on_stop_async);
        s->stop_async.data = s;
        uv_signal_init(&s->loop, &s->sigint);
        uv_signal_init(&s->loop, &s->sigterm);
        s->sigint.data = s->sigterm.data = s;
        uv_signal_start(&s->sigint, on_signal, SIGINT);
        uv_signal_start(&s->sigterm, on_signal, SIGTERM);
        app->server = s;
        app->runtime = (lv_runtime){s, runtime_timer_start, runtime_timer_stop, runtime_queue_work};
        printf("liveview: listening on http://%s:%d\n", app->config.host, app->bound_port);
        fflush(stdout);
        if (atomic_load(&app->stop_requested)) begin_stop(s);
        uv_run(&s->loop, UV_RUN_DEFAULT);
        result = 0;
    }
    uv_run(&s->loop, UV_RUN_DEFAULT); /* lets close callbacks and queued work finish */
    app->server = NULL;
    app->runtime = (lv_runtime){0};
    if (uv_loop_close(&s->loop) != 0) lv_log_warn("the loop closed with handles still open");
    lv_channel_thread_cleanup();
    lv_assets_free(&s->assets);
    free(s);
    return result;
}
