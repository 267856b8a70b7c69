/* The CivetWeb adapter: CivetWeb's request and WebSocket handlers in front
 * of <liveview_adapter.h>. CivetWeb owns the sockets, the HTTP parser, TLS
 * and the WebSocket handshake; this file turns what its handlers get into
 * lv_adapter_request values and what the library answers back into bytes
 * (docs/integration.md, "CivetWeb").
 *
 * Threads: CivetWeb runs each connection on one of its worker threads. A
 * request handler blocks in lv_adapter_http_wait until the library has
 * answered on one of its loops. A WebSocket's frames arrive on its worker
 * thread and are fed with lv_adapter_socket_text; the library's replies
 * come on the socket's loop thread (send_text, close), which queues them
 * for a writer thread of the socket's own; it writes with
 * mg_websocket_write under the connection's lock (mg_lock_connection), so
 * a client that does not read blocks only that thread. Frames of the
 * worker's own (pong, close) go through the same queue, in order. The per-socket mutex below only orders the
 * socket's own state (handshake done, close sent). */
#include "liveview_civetweb.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include <liveview_adapter.h>

#define DEFAULT_MAX_BYTES ((size_t)1 << 20)
#define DEFAULT_MAX_OUTBOUND_BYTES ((size_t)4 << 20)
/* RFC 6455 §4.1: a Sec-WebSocket-Key is 16 bytes in base64. */
#define WEBSOCKET_KEY_LEN 24
/* RFC 6455 §5.5: control frames carry at most 125 bytes. */
#define MAX_CONTROL_PAYLOAD 125

enum {
    OP_CONTINUATION = 0x0,
    OP_TEXT = 0x1,
    OP_BINARY = 0x2,
    OP_CLOSE = 0x8,
    OP_PING = 0x9,
    OP_PONG = 0xA,
    FRAME_FIN = 0x80,
    FRAME_RSV = 0x70,
    FRAME_OPCODE = 0x0F,
};

enum {
    CLOSE_NORMAL = 1000,
    CLOSE_PROTOCOL_ERROR = 1002,
    CLOSE_INVALID_PAYLOAD = 1007,
    CLOSE_POLICY = 1008,
    CLOSE_TOO_BIG = 1009,
};

typedef struct mount {
    struct mount *next;
    lv_app *app;
    struct mg_context *ctx;
    lv_civetweb_options options;
} mount;

/* Every mount, so lv_civetweb_unmount can free those of a context. */
static pthread_mutex_t mounts_lock = PTHREAD_MUTEX_INITIALIZER;
static mount *mounts;

/* One frame waiting for the socket's writer thread. */
typedef struct out_frame {
    struct out_frame *next;
    int opcode;
    size_t len;
    char data[];
} out_frame;

/* One WebSocket, from the connect handler to the close handler. Owned by
 * the adapter; CivetWeb keeps it as the connection's user data.
 *
 * Frames to the client go through a queue that a thread of the socket's
 * own drains: mg_websocket_write blocks while the client does not read
 * (up to CivetWeb's request_timeout_ms), and it must block only that
 * thread, never the library's loop (which runs every view of its share of
 * sockets) nor the connection's worker. */
typedef struct ws_conn {
    struct mg_connection *conn;
    lv_app *app;
    size_t max_message_bytes;
    size_t max_outbound_bytes;
    lv_adapter_socket *socket; /* set once lv_adapter_socket_open accepted */
    pthread_mutex_t lock;      /* guards the fields down to queued_bytes */
    pthread_cond_t wake;       /* the writer waits on it */
    pthread_t writer;
    bool writer_started;       /* by the ready handler, once the 101 is out */
    bool writer_stop;          /* the close handler: write what is queued, then end */
    bool close_queued;         /* our close frame is queued: queue nothing more */
    bool write_failed;         /* a write failed or the writer never started */
    out_frame *head, *tail;
    size_t queued_bytes;
    /* The message being reassembled from fragments (worker thread only). */
    int message_opcode; /* 0: none in progress */
    char *message;
    size_t message_len, message_cap;
} ws_conn;

/* ---------------------------------------------------------------------
 * Requests
 * --------------------------------------------------------------------- */

/* The headers as lv_adapter_request wants them, into names (which holds
 * 2 * MG_MAX_HEADERS + 1 pointers, borrowed from ri). */
static void collect_headers(const struct mg_request_info *ri, const char **names)
{
    int n = 0;
    for (int i = 0; i < ri->num_headers && i < MG_MAX_HEADERS; i++) {
        names[n++] = ri->http_headers[i].name;
        names[n++] = ri->http_headers[i].value;
    }
    names[n] = NULL;
}

/* The request-target as the client sent it ("/counter?x=1"), written into
 * out (size bytes). CivetWeb splits the query off request_uri (which is
 * not decoded). Returns false when the target is not origin-form or too
 * long. */
static bool request_target(const struct mg_request_info *ri, char *out, size_t size)
{
    const char *path = ri->request_uri;
    if (!path || path[0] != '/') return false;
    int n = ri->query_string ? snprintf(out, size, "%s?%s", path, ri->query_string)
                             : snprintf(out, size, "%s", path);
    return n > 0 && (size_t)n < size;
}

/* Reads the body CivetWeb holds for this request, up to max bytes, into a
 * buffer the caller frees (*out NULL for none). Returns 0, 413 when it is
 * larger than max, or 400 when the client went away mid-body. */
static int read_body(struct mg_connection *conn, const struct mg_request_info *ri, size_t max, char **out,
                     size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (ri->content_length == 0) return 0;
    /* No Content-Length and not chunked: HTTP/1.1 says there is no body
     * (RFC 9112 §6.3), though CivetWeb would read a POST's until EOF. */
    const char *te = mg_get_header(conn, "Transfer-Encoding");
    if (ri->content_length < 0 && !(te && strcasecmp(te, "chunked") == 0)) return 0;
    if (ri->content_length > 0 && (uint64_t)ri->content_length > max) return 413;
    /* content_length -1: a chunked body, read until its end. */
    size_t cap = ri->content_length > 0 ? (size_t)ri->content_length : 4096;
    char *buf = malloc(cap + 1);
    if (!buf) return 413;
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                free(buf);
                return 413;
            }
            size_t next = cap * 2 > max ? max : cap * 2;
            char *grown = realloc(buf, next + 1);
            if (!grown) {
                free(buf);
                return 413;
            }
            buf = grown;
            cap = next;
        }
        int n = mg_read(conn, buf + len, cap - len);
        if (n < 0) {
            free(buf);
            return 400;
        }
        if (n == 0) break;
        len += (size_t)n;
        if (ri->content_length > 0 && len == (size_t)ri->content_length) break;
    }
    if (ri->content_length > 0 && len != (size_t)ri->content_length) {
        free(buf);
        return 400;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

/* Whether the header lines name header (case-insensitive, at a line start). */
static bool has_header(const char *lines, size_t len, const char *header)
{
    size_t hlen = strlen(header);
    for (size_t i = 0; i + hlen < len; i++) {
        bool line_start = i == 0 || lines[i - 1] == '\n';
        if (line_start && strncasecmp(lines + i, header, hlen) == 0 && lines[i + hlen] == ':') return true;
    }
    return false;
}

static void write_response(struct mg_connection *conn, const lv_adapter_response *res)
{
    mg_printf(conn, "HTTP/1.1 %d %s\r\n", res->status, res->reason ? res->reason : "");
    if (res->content_type) mg_printf(conn, "Content-Type: %s\r\n", res->content_type);
    mg_printf(conn, "Content-Length: %zu\r\n", res->body_len);
    if (!has_header(res->headers, res->headers_len, "X-Content-Type-Options"))
        mg_printf(conn, "X-Content-Type-Options: nosniff\r\n");
    if (res->close) mg_printf(conn, "Connection: close\r\n");
    if (res->headers_len) mg_write(conn, res->headers, res->headers_len);
    mg_write(conn, "\r\n", 2);
    if (!res->head_only && res->body_len) mg_write(conn, res->body, res->body_len);
}

/* A plain-text answer of the adapter's own (a body too large, the app not
 * running), shaped like the library's refusals: "<status> <reason>\n". */
static void write_error(struct mg_connection *conn, int status, const char *reason)
{
    char body[96];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason);
    lv_adapter_response res = {
        .status = status,
        .reason = reason,
        .content_type = "text/plain; charset=utf-8",
        .headers = "",
        .body = body,
        .body_len = (size_t)n,
        .close = true,
    };
    write_response(conn, &res);
}

static const char *status_reason(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 421: return "Misdirected Request";
    case 426: return "Upgrade Required";
    default: return "Service Unavailable";
    }
}

/* CivetWeb's request handler for every path the mount owns. Returns the
 * status for CivetWeb's access log. */
static int on_request(struct mg_connection *conn, void *cbdata)
{
    const mount *m = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    char target[8192];
    if (!request_target(ri, target, sizeof target)) {
        write_error(conn, 400, status_reason(400));
        return 400;
    }
    char *body = NULL;
    size_t body_len = 0;
    if (lv_adapter_wants_body(m->app, ri->request_method, target)) {
        int refused = read_body(conn, ri, m->options.max_body_bytes, &body, &body_len);
        if (refused) {
            write_error(conn, refused, status_reason(refused));
            return refused;
        }
    }
    const char *headers[2 * MG_MAX_HEADERS + 1];
    collect_headers(ri, headers);
    lv_adapter_request req = {
        .method = ri->request_method,
        .target = target,
        .headers = headers,
        .body = body,
        .body_len = body_len,
        .peer_addr = ri->remote_addr,
        .peer_port = ri->remote_port,
        .user_data = conn,
    };
    lv_adapter_reply reply = {0};
    int status;
    if (lv_adapter_http_wait(m->app, &req, &reply) == 0) {
        write_response(conn, &reply.response);
        status = reply.response.status;
    } else {
        write_error(conn, 503, status_reason(503));
        status = 503;
    }
    lv_adapter_reply_free(&reply);
    free(body);
    return status;
}

/* ---------------------------------------------------------------------
 * WebSockets
 * --------------------------------------------------------------------- */

/* One frame to the client, under the connection's lock: CivetWeb 1.15's
 * mg_websocket_write takes it itself, but says that may move to its
 * callers; the lock is recursive, so taking it here too costs nothing.
 * Returns what mg_websocket_write does (<= 0: failed). */
static int write_frame(ws_conn *ws, int opcode, const char *data, size_t len)
{
    mg_lock_connection(ws->conn);
    int rc = mg_websocket_write(ws->conn, opcode, data, len);
    mg_unlock_connection(ws->conn);
    return rc;
}

/* The writer thread: writes queued frames in order until told to stop and
 * the queue is empty. After a failed write (the peer is gone, or did not
 * read for request_timeout_ms) the rest is dropped. */
static void *writer_main(void *arg)
{
    ws_conn *ws = arg;
    pthread_mutex_lock(&ws->lock);
    for (;;) {
        while (!ws->head && !ws->writer_stop) pthread_cond_wait(&ws->wake, &ws->lock);
        out_frame *frame = ws->head;
        if (!frame) break;
        ws->head = frame->next;
        if (!ws->head) ws->tail = NULL;
        ws->queued_bytes -= frame->len;
        bool skip = ws->write_failed;
        pthread_mutex_unlock(&ws->lock);
        int rc = skip ? 0 : write_frame(ws, frame->opcode, frame->data, frame->len);
        free(frame);
        pthread_mutex_lock(&ws->lock);
        if (rc <= 0) ws->write_failed = true;
    }
    pthread_mutex_unlock(&ws->lock);
    return NULL;
}

/* Frees every frame still queued; caller holds ws->lock. */
static void drop_queue_locked(ws_conn *ws)
{
    while (ws->head) {
        out_frame *next = ws->head->next;
        free(ws->head);
        ws->head = next;
    }
    ws->tail = NULL;
    ws->queued_bytes = 0;
}

/* Appends a frame (data copied) for the writer; caller holds ws->lock.
 * Nothing is queued after our close frame or a failed write. */
static void queue_locked(ws_conn *ws, int opcode, const char *data, size_t len)
{
    if (ws->close_queued || ws->write_failed) return;
    out_frame *frame = malloc(sizeof *frame + len);
    if (!frame) {
        ws->write_failed = true; /* a frame lost: the stream is broken, end it */
        return;
    }
    frame->next = NULL;
    frame->opcode = opcode;
    frame->len = len;
    if (len) memcpy(frame->data, data, len);
    if (ws->tail) ws->tail->next = frame;
    else ws->head = frame;
    ws->tail = frame;
    ws->queued_bytes += len;
    pthread_cond_signal(&ws->wake);
}

/* Queues a close frame (code, reason) unless one is; caller holds
 * ws->lock. */
static void queue_close_locked(ws_conn *ws, uint16_t code, const char *reason)
{
    if (ws->close_queued) return;
    char payload[2 + MAX_CONTROL_PAYLOAD];
    size_t reason_len = reason ? strlen(reason) : 0;
    if (reason_len > MAX_CONTROL_PAYLOAD - 2) reason_len = MAX_CONTROL_PAYLOAD - 2;
    payload[0] = (char)(code >> 8);
    payload[1] = (char)(code & 0xff);
    if (reason_len) memcpy(payload + 2, reason, reason_len);
    queue_locked(ws, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload, 2 + reason_len);
    ws->close_queued = true;
}

static void socket_send_text(void *ctx, const char *data, size_t len)
{
    ws_conn *ws = ctx;
    pthread_mutex_lock(&ws->lock);
    if (!ws->close_queued &&
        (ws->queued_bytes > ws->max_outbound_bytes || len > ws->max_outbound_bytes - ws->queued_bytes)) {
        /* As the built-in server does with max_outbound_bytes: a client
         * this far behind is not reading. What is queued goes; the close
         * frame is written if the client ever reads again, and the
         * connection ends when CivetWeb's write times out. */
        fprintf(stderr, "liveview-civetweb: closing a connection that does not read (%zu bytes queued)\n",
                ws->queued_bytes);
        drop_queue_locked(ws);
        queue_close_locked(ws, CLOSE_POLICY, "not reading");
    }
    queue_locked(ws, MG_WEBSOCKET_OPCODE_TEXT, data, len);
    pthread_mutex_unlock(&ws->lock);
}

static void socket_close(void *ctx, uint16_t code, const char *reason)
{
    ws_conn *ws = ctx;
    pthread_mutex_lock(&ws->lock);
    queue_close_locked(ws, code, reason);
    pthread_mutex_unlock(&ws->lock);
}

static const lv_adapter_socket_ops socket_ops = {
    .send_text = socket_send_text,
    .close = socket_close,
};

static void ws_free(ws_conn *ws)
{
    drop_queue_locked(ws);
    pthread_cond_destroy(&ws->wake);
    pthread_mutex_destroy(&ws->lock);
    free(ws->message);
    free(ws);
}

/* Answers a refused handshake with the library's status, as the built-in
 * server does; CivetWeb then closes the connection. */
static void refuse_upgrade(struct mg_connection *conn, int status)
{
    write_error(conn, status, status_reason(status));
}

static int on_ws_connect(const struct mg_connection *const_conn, void *cbdata)
{
    const mount *m = cbdata;
    /* CivetWeb hands the connection as const here only; it is the same
     * connection every later handler gets, and it is written to. */
    struct mg_connection *conn = (struct mg_connection *)const_conn;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    char target[8192];
    /* RFC 6455 §4.1: the key is 16 bytes in base64, 24 characters. CivetWeb
     * 1.15 gives up on a key over 63 characters after this handler accepted
     * and then never calls the close handler: the socket would stay open in
     * the library for good. */
    const char *key = mg_get_header(conn, "Sec-WebSocket-Key");
    if (!request_target(ri, target, sizeof target) || !key || strlen(key) != WEBSOCKET_KEY_LEN) {
        refuse_upgrade(conn, 400);
        return 1;
    }
    ws_conn *ws = calloc(1, sizeof *ws);
    if (!ws) {
        refuse_upgrade(conn, 503);
        return 1;
    }
    ws->conn = conn;
    ws->app = m->app;
    ws->max_message_bytes = m->options.max_message_bytes;
    ws->max_outbound_bytes = m->options.max_outbound_bytes;
    pthread_mutex_init(&ws->lock, NULL);
    pthread_cond_init(&ws->wake, NULL);
    const char *headers[2 * MG_MAX_HEADERS + 1];
    collect_headers(ri, headers);
    lv_adapter_request req = {
        .method = ri->request_method,
        .target = target,
        .headers = headers,
        .peer_addr = ri->remote_addr,
        .peer_port = ri->remote_port,
        .user_data = conn,
    };
    int status = lv_adapter_socket_open(m->app, &req, &socket_ops, ws, &ws->socket);
    if (status != 0) {
        ws_free(ws);
        refuse_upgrade(conn, status > 0 ? status : 503);
        return 1;
    }
    mg_set_user_connection_data(conn, ws);
    return 0;
}

static void on_ws_ready(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    ws_conn *ws = mg_get_user_connection_data(conn);
    if (!ws) return;
    /* The 101 is out: from now on frames may be written. */
    pthread_mutex_lock(&ws->lock);
    ws->writer_started = pthread_create(&ws->writer, NULL, writer_main, ws) == 0;
    if (!ws->writer_started) ws->write_failed = true; /* the data handler then ends it */
    pthread_mutex_unlock(&ws->lock);
}

/* Ends the connection for a protocol error: our close frame, then
 * returning 0 from the data handler makes CivetWeb close the socket (the
 * close handler first lets the writer write what is queued). */
static int fail(ws_conn *ws, uint16_t code, const char *reason)
{
    pthread_mutex_lock(&ws->lock);
    queue_close_locked(ws, code, reason);
    pthread_mutex_unlock(&ws->lock);
    return 0;
}

/* Whether s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/* RFC 6455 §7.4: the codes a peer may send in a close frame. */
static bool close_code_valid(unsigned code)
{
    if (code >= 3000 && code <= 4999) return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

/* The peer's close frame: echo its code (or refuse a malformed one). */
static int on_close_frame(ws_conn *ws, const char *data, size_t len)
{
    if (len == 1) return fail(ws, CLOSE_PROTOCOL_ERROR, "malformed close frame");
    uint16_t code = CLOSE_NORMAL;
    if (len >= 2) {
        code = (uint16_t)(((unsigned char)data[0] << 8) | (unsigned char)data[1]);
        if (!close_code_valid(code)) return fail(ws, CLOSE_PROTOCOL_ERROR, "invalid close code");
        if (!utf8_valid((const unsigned char *)data + 2, len - 2))
            return fail(ws, CLOSE_INVALID_PAYLOAD, "invalid UTF-8 in close reason");
    }
    return fail(ws, code, "");
}

static int on_control_frame(ws_conn *ws, int opcode, bool fin, char *data, size_t len)
{
    if (!fin || len > MAX_CONTROL_PAYLOAD) return fail(ws, CLOSE_PROTOCOL_ERROR, "bad control frame");
    switch (opcode) {
    case OP_CLOSE: return on_close_frame(ws, data, len);
    case OP_PING:
        /* CivetWeb answers pings itself only with enable_websocket_ping_pong. */
        pthread_mutex_lock(&ws->lock);
        queue_locked(ws, MG_WEBSOCKET_OPCODE_PONG, data, len);
        pthread_mutex_unlock(&ws->lock);
        return 1;
    case OP_PONG: return 1;
    default: return fail(ws, CLOSE_PROTOCOL_ERROR, "reserved opcode");
    }
}

/* Appends a fragment to the message in progress; false when it would pass
 * the limit or memory is short. */
static bool message_append(ws_conn *ws, const char *data, size_t len)
{
    if (len > ws->max_message_bytes - ws->message_len) return false;
    size_t need = ws->message_len + len;
    if (need > ws->message_cap) {
        size_t cap = ws->message_cap ? ws->message_cap : 4096;
        while (cap < need) cap *= 2;
        if (cap > ws->max_message_bytes) cap = ws->max_message_bytes;
        char *grown = realloc(ws->message, cap);
        if (!grown) return false;
        ws->message = grown;
        ws->message_cap = cap;
    }
    if (len) memcpy(ws->message + ws->message_len, data, len);
    ws->message_len = need;
    return true;
}

/* A whole message: checked, then handed to the library. */
static int deliver(ws_conn *ws, int opcode, const char *data, size_t len)
{
    if (len > ws->max_message_bytes) return fail(ws, CLOSE_TOO_BIG, "message too big");
    if (opcode == OP_TEXT) {
        if (!utf8_valid((const unsigned char *)data, len)) return fail(ws, CLOSE_INVALID_PAYLOAD, "invalid UTF-8");
        /* -1: not taken; the library then asks to close (1009, 1013) or
         * the socket is closing already. */
        (void)lv_adapter_socket_text(ws->socket, data, len);
    } else {
        (void)lv_adapter_socket_binary(ws->socket, data, len);
    }
    return 1;
}

/* CivetWeb's data handler: one frame (bits is its first byte). Returns 1
 * to keep reading, 0 to close the connection. */
static int on_ws_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    (void)cbdata;
    ws_conn *ws = mg_get_user_connection_data(conn);
    if (!ws) return 0;
    int opcode = bits & FRAME_OPCODE;
    bool fin = (bits & FRAME_FIN) != 0;
    /* After our close frame only the peer's close is awaited; after a
     * failed write nothing reaches the client any more. */
    pthread_mutex_lock(&ws->lock);
    bool closing = ws->close_queued;
    bool broken = ws->write_failed;
    pthread_mutex_unlock(&ws->lock);
    if (broken) return 0;
    if (closing) return opcode == OP_PING || opcode == OP_PONG;
    if (bits & FRAME_RSV) return fail(ws, CLOSE_PROTOCOL_ERROR, "reserved bits set");
    if (opcode >= OP_CLOSE) return on_control_frame(ws, opcode, fin, data, len);
    if (opcode != OP_CONTINUATION && opcode != OP_TEXT && opcode != OP_BINARY)
        return fail(ws, CLOSE_PROTOCOL_ERROR, "reserved opcode");
    if (opcode == OP_CONTINUATION && !ws->message_opcode)
        return fail(ws, CLOSE_PROTOCOL_ERROR, "continuation without a message");
    if (opcode != OP_CONTINUATION && ws->message_opcode)
        return fail(ws, CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one");
    if (opcode != OP_CONTINUATION && fin) return deliver(ws, opcode, data, len);
    if (opcode != OP_CONTINUATION) ws->message_opcode = opcode;
    if (!message_append(ws, data, len)) return fail(ws, CLOSE_TOO_BIG, "message too big");
    if (!fin) return 1;
    int whole = ws->message_opcode;
    ws->message_opcode = 0;
    size_t whole_len = ws->message_len;
    ws->message_len = 0;
    return deliver(ws, whole, ws->message, whole_len);
}

static void on_ws_close(const struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    ws_conn *ws = mg_get_user_connection_data(conn);
    if (!ws) return;
    /* Waits until the library has let go: no send_text or close for this
     * socket runs after it. */
    lv_adapter_socket_closed(ws->socket);
    /* The writer writes what is queued (a close frame, often), then ends;
     * CivetWeb closes the socket only after this handler returns. */
    pthread_mutex_lock(&ws->lock);
    ws->writer_stop = true;
    pthread_cond_signal(&ws->wake);
    bool started = ws->writer_started;
    pthread_mutex_unlock(&ws->lock);
    if (started) pthread_join(ws->writer, NULL);
    mg_set_user_connection_data(conn, NULL);
    ws_free(ws);
}

/* ---------------------------------------------------------------------
 * Mounting
 * --------------------------------------------------------------------- */

static bool prefix_is_everything(const char *prefix)
{
    return !prefix || !*prefix || strcmp(prefix, "/") == 0;
}

int lv_civetweb_mount_with(lv_app *app, struct mg_context *ctx, const char *prefix,
                           const lv_civetweb_options *options)
{
    if (!app || !ctx) {
        fprintf(stderr, "lv_civetweb_mount: no app or no CivetWeb context\n");
        return -1;
    }
    if (!prefix_is_everything(prefix) && (prefix[0] != '/' || prefix[strlen(prefix) - 1] == '/')) {
        fprintf(stderr, "lv_civetweb_mount: the prefix must start with '/' and not end with one\n");
        return -1;
    }
    mount *m = calloc(1, sizeof *m);
    if (!m) {
        fprintf(stderr, "lv_civetweb_mount: out of memory\n");
        return -1;
    }
    m->app = app;
    m->ctx = ctx;
    m->options.max_message_bytes = DEFAULT_MAX_BYTES;
    m->options.max_body_bytes = DEFAULT_MAX_BYTES;
    m->options.max_outbound_bytes = DEFAULT_MAX_OUTBOUND_BYTES;
    if (options && options->max_message_bytes) m->options.max_message_bytes = options->max_message_bytes;
    if (options && options->max_body_bytes) m->options.max_body_bytes = options->max_body_bytes;
    if (options && options->max_outbound_bytes) m->options.max_outbound_bytes = options->max_outbound_bytes;
    pthread_mutex_lock(&mounts_lock);
    m->next = mounts;
    mounts = m;
    pthread_mutex_unlock(&mounts_lock);

    mg_set_websocket_handler(ctx, LV_ADAPTER_SOCKET_PATH, on_ws_connect, on_ws_ready, on_ws_data, on_ws_close, m);
    if (prefix_is_everything(prefix)) {
        /* "**" is a pattern: CivetWeb tries it after every exact and
         * "path/..." match, so the program's own handlers win. */
        mg_set_request_handler(ctx, "**", on_request, m);
    } else {
        mg_set_request_handler(ctx, prefix, on_request, m);
        mg_set_request_handler(ctx, "/assets", on_request, m);
        mg_set_request_handler(ctx, LV_ADAPTER_LONGPOLL_PATH, on_request, m);
    }
    return 0;
}

int lv_civetweb_mount(lv_app *app, struct mg_context *ctx, const char *prefix)
{
    return lv_civetweb_mount_with(app, ctx, prefix, NULL);
}

void lv_civetweb_unmount(struct mg_context *ctx)
{
    pthread_mutex_lock(&mounts_lock);
    for (mount **p = &mounts; *p;) {
        mount *m = *p;
        if (m->ctx == ctx) {
            *p = m->next;
            free(m);
        } else {
            p = &m->next;
        }
    }
    pthread_mutex_unlock(&mounts_lock);
}

const struct mg_connection *lv_civetweb_connection(const lv_request *req)
{
    return req ? lv_request_adapter_data(req) : NULL;
}
