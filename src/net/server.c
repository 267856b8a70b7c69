/* The server: one libuv loop serving HTTP/1.1 (llhttp) and WebSockets (our
 * RFC 6455 framing), the only code in the project that touches sockets.
 *
 * It moves bytes and decides nothing about them: a connection starts as
 * HTTP, each complete request goes to the endpoint (net/endpoint.h), whose
 * response is written back; a handshake at the endpoint's socket path that
 * the endpoint accepts upgrades the connection, and from then on its
 * messages go to the endpoint, which answers through the conn ops below.
 *
 * Memory per connection is kept small on purpose (the goal is a few hundred
 * bytes of ours per idle joined view): reads go into one buffer per loop, the
 * HTTP parser state is freed at the upgrade, and timeouts are deadlines swept
 * by one timer per loop instead of a timer per connection. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "net/endpoint.h"
#include "net/http.h"
#include "net/server.h"
#include "net/ws_frame.h"
#include "util/log.h"

#define READ_BUFFER_SIZE (64 * 1024)
/* Replies to the messages of one read are gathered and written together
 * (one write per connection per read, not one per reply); past this many
 * bytes the gathered ones go out at once, and a single frame this large is
 * written without being copied. */
#define BATCH_FLUSH_BYTES (64 * 1024)
#define SWEEP_INTERVAL_MS 1000

typedef struct lv_server server;
typedef struct conn conn;

typedef struct websocket {
    lv_ws_parser parser;
    void *ctx; /* the endpoint's, from upgrade */
} websocket;

typedef enum conn_state { CONN_HTTP, CONN_WEBSOCKET, CONN_CLOSING } conn_state;

struct conn {
    uv_tcp_t tcp;
    server *srv;
    conn *prev, *next;
    uint64_t deadline_ms; /* loop time after which the sweep closes it */
    /* Loop time by which the message or body in progress must be complete
     * (0: none in progress); bytes and pings do not move it. */
    uint64_t finish_deadline_ms;
    /* Loop time by which a WebSocket must have joined something (0: no
     * longer checked). */
    uint64_t grace_deadline_ms;
    size_t buffered;     /* counted in shared->buffered_bytes */
    bool counted;        /* counted in shared->connections */
    char address[64];    /* counted against this client address ("" none) */
    size_t queued_bytes;  /* written but not yet taken by the kernel */
    conn_state state;
    lv_endpoint_close close_reason; /* told to the endpoint's on_close */
    bool close_when_flushed;
    lv_http_parser *http; /* while CONN_HTTP */
    websocket *ws;        /* while CONN_WEBSOCKET */
    /* A request the endpoint answers later (net/endpoint.h, held). */
    bool held;
    bool held_keep_alive;
    bool held_head_only;
    void *held_ctx;
};

struct lv_server {
    lv_server_config cfg;
    lv_endpoint ep;
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_timer_t sweep;
    uv_async_t wake_async; /* stop requests and posted tasks */
    uv_signal_t sigint, sigterm;
    lv_http_limits http_limits;
    lv_server_shared *shared; /* cfg.shared, or own_shared */
    lv_server_shared own_shared;
    uint64_t accept_warned_ms; /* when an accept failure was last logged */
    /* A descriptor kept open to be given up when the process has none
     * left, so the listener can still accept-and-close (shed_connections);
     * -1 when it could not be reopened yet. */
    int reserve_fd;
    conn *conns; /* every open connection */
    size_t conn_count;
    char read_buffer[READ_BUFFER_SIZE];
    bool read_buffer_busy;
    /* The WebSocket whose read is being handled: what is written to it
     * meanwhile gathers in `batch` (reused; one per loop) and goes out in
     * one write when the read has been handled (batch_end). */
    conn *batch_conn;
    lv_buf batch;
    bool stopping;
    bool ran;
    bool listening; /* lv_server_listen succeeded: the listener is open */
    int port;       /* bound, once listening */
    atomic_bool stop_requested;
    /* Set when wake_async is about to close: wakes after that do nothing.
     * wakers counts the lv_server_stop/lv_server_wake calls inside their
     * uv_async_send, which the close waits out, so none reaches a closed
     * handle (or a closed loop's descriptor). */
    atomic_bool wake_closed;
    atomic_int wakers;
};

/* ------------------------------------------------------------------------
 * What the servers of a process count together
 * ------------------------------------------------------------------------ */

typedef struct lv_address_count {
    struct lv_address_count *next;
    unsigned count;
    char address[64];
} lv_address_count;

#define ADDRESS_BUCKETS (sizeof ((lv_server_shared *)0)->by_address / sizeof(lv_address_count *))

void lv_server_shared_init(lv_server_shared *sh)
{
    memset(sh->by_address, 0, sizeof sh->by_address);
    atomic_init(&sh->buffered_bytes, 0);
    atomic_init(&sh->connections, 0);
    pthread_mutex_init(&sh->lock, NULL);
}

void lv_server_shared_destroy(lv_server_shared *sh)
{
    for (size_t i = 0; i < ADDRESS_BUCKETS; i++) {
        while (sh->by_address[i]) {
            lv_address_count *e = sh->by_address[i];
            sh->by_address[i] = e->next;
            free(e);
        }
    }
    pthread_mutex_destroy(&sh->lock);
}

static lv_address_count **address_slot(lv_server_shared *sh, const char *address)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = address; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    lv_address_count **slot = &sh->by_address[h % ADDRESS_BUCKETS];
    while (*slot && strcmp((*slot)->address, address) != 0) slot = &(*slot)->next;
    return slot;
}

/* Counts one more connection from address, unless it has max already.
 * An entry exists only while its count is above zero, so the table holds
 * no more entries than there are open connections. */
static bool address_acquire(lv_server_shared *sh, const char *address, unsigned max)
{
    pthread_mutex_lock(&sh->lock);
    lv_address_count **slot = address_slot(sh, address);
    bool admitted = !*slot || (*slot)->count < max;
    if (admitted && !*slot) {
        *slot = lv_xcalloc(1, sizeof **slot);
        snprintf((*slot)->address, sizeof (*slot)->address, "%s", address);
    }
    if (admitted) (*slot)->count++;
    pthread_mutex_unlock(&sh->lock);
    return admitted;
}

static void address_release(lv_server_shared *sh, const char *address)
{
    pthread_mutex_lock(&sh->lock);
    lv_address_count **slot = address_slot(sh, address);
    lv_address_count *e = *slot;
    if (e && --e->count == 0) {
        *slot = e->next;
        free(e);
    }
    pthread_mutex_unlock(&sh->lock);
}

/* Records that c now holds `bytes` in unfinished messages or bodies. False
 * when that growth takes the process over max_buffered_bytes: c is then
 * the newest offender, to be refused (its bytes stay counted until it lets
 * go of them). */
static bool hold_buffered(conn *c, size_t bytes)
{
    lv_server_shared *sh = c->srv->shared;
    size_t limit = c->srv->cfg.max_buffered_bytes;
    if (bytes <= c->buffered) {
        atomic_fetch_sub(&sh->buffered_bytes, c->buffered - bytes);
        c->buffered = bytes;
        return true;
    }
    size_t growth = bytes - c->buffered;
    size_t total = atomic_fetch_add(&sh->buffered_bytes, growth) + growth;
    c->buffered = bytes;
    return !limit || total <= limit;
}

static void release_counts(conn *c)
{
    lv_server_shared *sh = c->srv->shared;
    hold_buffered(c, 0);
    if (c->counted) atomic_fetch_sub(&sh->connections, 1);
    c->counted = false;
    if (c->address[0]) address_release(sh, c->address);
    c->address[0] = '\0';
}

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
    /* Like on_close below: here, never inside the endpoint's own call. */
    if (c->held && c->srv->ep.on_held_close) c->srv->ep.on_held_close(c->held_ctx, c->close_reason);
    if (c->ws) {
        /* The endpoint hears of it here, not in conn_close: conn_close may
         * run in the middle of the endpoint's own code (a write that finds
         * the client not reading), which must not see its state freed
         * under it. */
        c->srv->ep.on_close(c->ws->ctx, c->close_reason);
        lv_ws_parser_free(&c->ws->parser);
        free(c->ws);
    }
    free(c);
}

static void conn_close(conn *c, lv_endpoint_close reason)
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
    release_counts(c);
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
        conn_close(c, LV_ENDPOINT_CLOSED);
        return;
    }
    if (c->queued_bytes == 0 && c->close_when_flushed) conn_close(c, LV_ENDPOINT_CLOSED);
}

static void conn_write2(conn *c, const void *a, size_t a_len, const void *b, size_t b_len);

/* Writes what was gathered for batch_conn, which stays the batch's conn. */
static void batch_flush(server *s)
{
    conn *c = s->batch_conn;
    if (!c || s->batch.len == 0) return;
    s->batch_conn = NULL;
    conn_write2(c, s->batch.data, s->batch.len, NULL, 0);
    lv_buf_reset(&s->batch);
    s->batch_conn = c;
}

static void batch_begin(server *s, conn *c)
{
    s->batch_conn = c;
}

static void batch_end(server *s)
{
    batch_flush(s);
    s->batch_conn = NULL;
}

/* Queues bytes to the client. Tries a direct write first, so the common case
 * of a small reply to a reading client allocates nothing. A client that lets
 * more than max_outbound_bytes pile up is disconnected: it is not reading. */
static void conn_write2(conn *c, const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (c->state == CONN_CLOSING) return;
    size_t total = a_len + b_len;
    server *s = c->srv;
    if (c == s->batch_conn) {
        if (total < BATCH_FLUSH_BYTES) {
            lv_buf_append(&s->batch, a, a_len);
            if (b_len) lv_buf_append(&s->batch, b, b_len);
            if (s->batch.len >= BATCH_FLUSH_BYTES) batch_flush(s);
            return;
        }
        batch_flush(s); /* keeps the order: what was gathered goes first */
        if (c->state == CONN_CLOSING) return;
    }
    size_t written = 0;
    if (c->queued_bytes == 0) {
        uv_buf_t bufs[2] = {uv_buf_init((char *)a, (unsigned)a_len),
                            uv_buf_init((char *)b, (unsigned)b_len)};
        int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, b_len ? 2 : 1);
        if (n > 0) written = (size_t)n;
        if (written == total) {
            if (c->close_when_flushed) conn_close(c, LV_ENDPOINT_CLOSED);
            return;
        }
    }
    size_t rest = total - written;
    if (c->queued_bytes + rest > c->srv->cfg.max_outbound_bytes) {
        lv_log_warn("closing a connection that does not read (%zu bytes queued)", c->queued_bytes);
        conn_close(c, LV_ENDPOINT_CLOSED);
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
        conn_close(c, LV_ENDPOINT_CLOSED);
    }
}

static void conn_write(conn *c, const void *data, size_t len)
{
    conn_write2(c, data, len, NULL, 0);
}

static uint64_t now_ms(server *s)
{
    /* The loop's clock stands still during an iteration, and one iteration
     * can be long (a slow sanitizer build, a burst of messages): a deadline
     * set from a stale clock would close a busy client as idle. */
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

static void ws_send_text(void *handle, const char *data, size_t len)
{
    ws_send_frame(handle, LV_WS_OP_TEXT, data, len);
}

/* Sends a close frame, then closes the connection once it has been written:
 * the server closes TCP first (RFC 6455 §7.1.1). */
static void ws_close(conn *c, uint16_t code, const char *reason)
{
    if (c->srv->batch_conn == c) batch_end(c->srv);
    lv_buf frame = LV_BUF_INIT;
    lv_ws_close_frame_append(&frame, code, reason);
    c->close_when_flushed = true;
    conn_write(c, frame.data, frame.len);
    lv_buf_free(&frame);
    if (c->state != CONN_CLOSING && c->queued_bytes == 0) conn_close(c, LV_ENDPOINT_CLOSED);
}

/* The endpoint's close: once, and only while the socket is open. */
static void ws_close_by_endpoint(void *handle, uint16_t code, const char *reason)
{
    conn *c = handle;
    if (c->state != CONN_WEBSOCKET || c->close_when_flushed) return;
    ws_close(c, code, reason ? reason : "");
}

static const lv_endpoint_conn_ops ws_conn_ops = {ws_send_text, ws_close_by_endpoint};

static void ws_feed_messages(conn *c, uint8_t *data, size_t len)
{
    websocket *ws = c->ws;
    c->deadline_ms = now_ms(c->srv) + c->srv->cfg.idle_timeout_s * 1000ull;
    while (c->state == CONN_WEBSOCKET && !c->close_when_flushed) {
        lv_ws_event ev;
        size_t used = lv_ws_parse(&ws->parser, data, len, &ev);
        data += used;
        len -= used;
        switch (ev.kind) {
        case LV_WS_NEED_MORE:
            return;
        case LV_WS_MESSAGE:
            c->finish_deadline_ms = 0; /* the next message has its own */
            if (ev.opcode == LV_WS_OP_TEXT)
                c->srv->ep.on_text(ws->ctx, (const char *)ev.data, ev.len);
            else
                c->srv->ep.on_binary(ws->ctx, ev.data, ev.len);
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

/* Lets go of the unfinished message of a socket being refused: the memory
 * is what the refusal is about. */
static void ws_drop_message(conn *c)
{
    lv_ws_parser_free(&c->ws->parser);
    hold_buffered(c, 0);
    c->finish_deadline_ms = 0;
}

/* After a read: counts what the unfinished message holds against the
 * process's budget (over it, this socket is the newest offender: 1008),
 * and starts its finishing deadline at its first byte. */
static void ws_account(conn *c)
{
    if (c->state != CONN_WEBSOCKET || c->close_when_flushed) return;
    server *s = c->srv;
    lv_ws_parser *p = &c->ws->parser;
    if (!hold_buffered(c, lv_ws_parser_buffered(p))) {
        lv_log_warn("closing a WebSocket: unfinished messages over max_buffered_bytes (%zu)",
                    s->cfg.max_buffered_bytes);
        ws_drop_message(c);
        ws_close(c, LV_WS_CLOSE_POLICY, "server busy");
        return;
    }
    if (!lv_ws_parser_mid_message(p))
        c->finish_deadline_ms = 0;
    else if (!c->finish_deadline_ms && s->cfg.message_timeout_s)
        c->finish_deadline_ms = now_ms(s) + s->cfg.message_timeout_s * 1000ull;
}

/* Handles one read's messages; their replies leave in one write. */
static void ws_feed(conn *c, uint8_t *data, size_t len)
{
    server *s = c->srv;
    batch_begin(s, c);
    ws_feed_messages(c, data, len);
    if (s->batch_conn == c) batch_end(s);
    ws_account(c);
}

/* ------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------ */

/* Writes a complete response. `extra_headers` are whole lines ending in
 * \r\n (may be NULL); the body is omitted for HEAD but its length is kept.
 * A 204 or 304 never has a body, and a 204 no Content-Length (RFC 9110
 * §8.6, §15.3.5, §15.4.5): a client would read stray bytes as the start of
 * the next response. */
static void http_respond(conn *c, int status, const char *content_type, const char *extra_headers,
                         const char *body, size_t body_len, bool head_only, bool keep_alive)
{
    if (status == 204 || status == 304) head_only = true;
    lv_buf head = LV_BUF_INIT;
    lv_buf_printf(&head, "HTTP/1.1 %d %s\r\n", status, lv_http_status_text(status));
    if (content_type) lv_buf_printf(&head, "Content-Type: %s\r\n", content_type);
    if (status != 204) lv_buf_printf(&head, "Content-Length: %zu\r\n", body_len);
    lv_buf_puts(&head, "X-Content-Type-Options: nosniff\r\n");
    if (extra_headers) lv_buf_puts(&head, extra_headers);
    if (!keep_alive) lv_buf_puts(&head, "Connection: close\r\n");
    lv_buf_puts(&head, "\r\n");
    if (!keep_alive) c->close_when_flushed = true;
    conn_write2(c, head.data, head.len, body, head_only ? 0 : body_len);
    lv_buf_free(&head);
}

static void http_send(conn *c, const lv_http_response *res, bool keep_alive)
{
    http_respond(c, res->status, res->content_type, res->headers.data, res->body, res->body_len,
                 res->head_only, keep_alive && !res->close);
}

static void http_error(conn *c, int status, const char *extra_headers, bool keep_alive)
{
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    lv_http_response_error(&res, status, !keep_alive);
    if (extra_headers) lv_buf_puts(&res.headers, extra_headers);
    http_send(c, &res, keep_alive);
    lv_http_response_free(&res);
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

/* Where the request came from, as text, into addr (at least 46 bytes). */
static int peer_of(conn *c, char *addr, size_t size)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    addr[0] = '\0';
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0) return 0;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, addr, size);
        return ntohs(a->sin6_port);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    uv_ip4_name(a, addr, size);
    return ntohs(a->sin_port);
}

/* A WebSocket is long-lived, so one opened through a trusted proxy counts
 * against the client the proxy names (plain requests through a proxy share
 * its connections and are not counted per client). False when that client
 * has max_connections_per_address already. */
static bool address_admits_forwarded(conn *c, const lv_http_request *req)
{
    server *s = c->srv;
    unsigned max = s->cfg.max_connections_per_address;
    if (!max || c->address[0] || !s->ep.client_address || !s->ep.trusted_peer || !req->peer_addr[0] ||
        !s->ep.trusted_peer(s->ep.ctx, req->peer_addr))
        return true;
    char client[64];
    s->ep.client_address(s->ep.ctx, req, client, sizeof client);
    if (!client[0] || strcmp(client, req->peer_addr) == 0) return true;
    if (!address_acquire(s->shared, client, max)) {
        lv_log_info("refusing a WebSocket: %u connections from its client address already", max);
        return false;
    }
    snprintf(c->address, sizeof c->address, "%s", client);
    return true;
}

/* Handles a request at the socket path. Returns true when the connection
 * upgraded. The RFC 6455 handshake is checked here; whether this client
 * may have a socket is the endpoint's call. */
static bool http_upgrade(conn *c, const lv_http_request *req)
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
    server *s = c->srv;
    if (!address_admits_forwarded(c, req)) {
        http_error(c, 503, "Retry-After: 10\r\n", false);
        return false;
    }
    void *ctx = NULL;
    int refused = s->ep.upgrade(s->ep.ctx, req, (lv_endpoint_conn){&ws_conn_ops, c}, &ctx);
    if (refused) {
        http_error(c, refused, NULL, false);
        return false;
    }

    lv_buf head = LV_BUF_INIT;
    lv_buf_printf(&head,
                  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                  accept);
    conn_write(c, head.data, head.len);
    lv_buf_free(&head);

    websocket *ws = lv_xcalloc(1, sizeof *ws);
    lv_ws_parser_init(&ws->parser, s->cfg.max_message_bytes);
    ws->ctx = ctx;
    c->ws = ws; /* on_close is due from here on, even if the write above failed */
    if (c->state == CONN_CLOSING) return false;
    c->state = CONN_WEBSOCKET;
    c->deadline_ms = now_ms(s) + s->cfg.idle_timeout_s * 1000ull;
    c->finish_deadline_ms = 0;
    c->grace_deadline_ms = s->cfg.join_grace_s ? now_ms(s) + s->cfg.join_grace_s * 1000ull : 0;
    return true;
}

/* The endpoint answers a held request: sent like any response, then the
 * connection reads its next request. */
static void hold_respond(void *handle, const lv_http_response *res)
{
    conn *c = handle;
    if (!c->held) return;
    c->held = false;
    if (c->state == CONN_CLOSING) return;
    lv_http_response copy = *res;
    if (c->held_head_only) copy.head_only = true;
    http_send(c, &copy, c->held_keep_alive && !c->srv->stopping);
    if (c->state == CONN_CLOSING || c->close_when_flushed) return;
    lv_http_parser_reset(c->http);
    c->deadline_ms = now_ms(c->srv) + c->srv->cfg.idle_timeout_s * 1000ull;
}

static const lv_http_hold_ops hold_ops = {hold_respond};

/* Handles one complete request. Returns true when the connection upgraded to
 * a WebSocket (the caller then stops HTTP parsing). */
static bool http_handle(conn *c)
{
    lv_http_parser *r = c->http;
    server *s = c->srv;
    bool keep_alive = lv_http_keep_alive(r) && !s->stopping;
    char *url = lv_http_url(r);
    if (url[0] != '/') {
        http_error(c, 400, NULL, false);
        return false;
    }
    char *query = strchr(url, '?');
    if (query) *query++ = '\0'; /* url is now the path alone */

    char peer[64];
    lv_http_request req = {
        .method = lv_http_method_name(r),
        .path = url,
        .query = query,
        .headers = lv_http_headers(r),
        .peer_addr = peer,
    };
    req.body = lv_http_body(r, &req.body_len);
    req.peer_port = peer_of(c, peer, sizeof peer);

    if (s->ep.socket_path && strcmp(url, s->ep.socket_path) == 0) return http_upgrade(c, &req);

    req.hold = (lv_http_hold){&hold_ops, c};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    s->ep.http(s->ep.ctx, &req, &res);
    if (res.held) {
        /* Answered later by hold_respond; the parser stays paused until then. */
        c->held = true;
        c->held_ctx = res.held_ctx;
        c->held_keep_alive = keep_alive;
        c->held_head_only = strcmp(req.method, "HEAD") == 0;
        lv_http_response_free(&res);
        return false;
    }
    /* Whatever the endpoint answered, a response to HEAD has no body
     * (RFC 9110 §9.3.2): the next response on the connection follows the
     * head directly. */
    if (strcmp(req.method, "HEAD") == 0) res.head_only = true;
    http_send(c, &res, keep_alive);
    lv_http_response_free(&res);
    return false;
}

/* The parser's callbacks: the deadlines follow the request's progress. */
static void on_request_begin(void *ctx)
{
    conn *c = ctx;
    c->deadline_ms = now_ms(c->srv) + c->srv->cfg.header_timeout_s * 1000ull;
}

static bool on_headers_complete(void *ctx, lv_http_parser *p)
{
    conn *c = ctx;
    c->deadline_ms = now_ms(c->srv) + c->srv->cfg.idle_timeout_s * 1000ull;
    unsigned body_s = c->srv->cfg.body_timeout_s;
    c->finish_deadline_ms = body_s ? now_ms(c->srv) + body_s * 1000ull : 0;
    const lv_endpoint *ep = &c->srv->ep;
    if (!ep->wants_body) return true;
    size_t path_len = p->url.len;
    const char *q = p->url.data ? memchr(p->url.data, '?', p->url.len) : NULL;
    if (q) path_len = (size_t)(q - p->url.data);
    lv_buf path = LV_BUF_INIT;
    lv_buf_append(&path, p->url.data ? p->url.data : "", path_len);
    bool keep = ep->wants_body(ep->ctx, lv_http_method_name(p), path.data ? path.data : "");
    lv_buf_free(&path);
    return keep;
}

static lv_http_action on_request_complete(void *ctx, lv_http_parser *p)
{
    (void)p; /* the same as c->http */
    conn *c = ctx;
    c->finish_deadline_ms = 0;
    if (http_handle(c)) return LV_HTTP_ACTION_UPGRADE;
    c->deadline_ms = now_ms(c->srv) + c->srv->cfg.idle_timeout_s * 1000ull;
    if (c->held) return LV_HTTP_ACTION_STOP; /* hold_respond resumes */
    if (c->close_when_flushed || c->state == CONN_CLOSING) return LV_HTTP_ACTION_STOP;
    return LV_HTTP_ACTION_CONTINUE;
}

static const lv_http_handlers http_handlers = {
    .request_begin = on_request_begin,
    .headers_complete = on_headers_complete,
    .request_complete = on_request_complete,
};

/* Refuses the request whose body is being read: the parser lets go of it
 * and the client gets `status` and a closed connection. */
static void http_refuse_body(conn *c, int status, const char *extra_headers)
{
    uv_read_stop((uv_stream_t *)&c->tcp);
    lv_http_parser_reset(c->http);
    hold_buffered(c, 0);
    c->finish_deadline_ms = 0;
    http_error(c, status, extra_headers, false);
}

/* After a read: counts the body in progress against the process's budget;
 * over it, this request is the newest offender (503). */
static void http_account(conn *c)
{
    if (c->state != CONN_HTTP || !c->http || c->close_when_flushed) return;
    if (hold_buffered(c, lv_http_body_buffered(c->http))) return;
    lv_log_warn("refusing a request: unfinished bodies over max_buffered_bytes (%zu)",
                c->srv->cfg.max_buffered_bytes);
    http_refuse_body(c, 503, "Retry-After: 10\r\n");
}

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
    if (res.kind == LV_HTTP_PAUSED && c->held && res.used < len) {
        lv_log_debug("closing a connection that pipelined a request behind a held one");
        conn_close(c, LV_ENDPOINT_CLOSED);
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
        conn_close(c, LV_ENDPOINT_CLOSED);
        return;
    }
    if (c->state == CONN_HTTP && c->held) {
        /* Only one request at a time is held; browsers do not pipeline. */
        lv_log_debug("closing a connection that sent more while its request was held");
        conn_close(c, LV_ENDPOINT_CLOSED);
    } else if (c->state == CONN_HTTP) {
        http_feed(c, buf->base, (size_t)nread);
        http_account(c);
    }
    else if (c->state == CONN_WEBSOCKET)
        ws_feed(c, (uint8_t *)buf->base, (size_t)nread);
}

/* Counts a new connection against max_connections and, unless it comes
 * from a trusted proxy, max_connections_per_address (its peer address:
 * nothing else is known before a request). False: over a cap. */
static bool admit_connection(conn *c)
{
    server *s = c->srv;
    unsigned total = atomic_fetch_add(&s->shared->connections, 1) + 1;
    c->counted = true;
    if (s->cfg.max_connections && total > s->cfg.max_connections) {
        lv_log_debug("refusing a connection: max_connections (%u) open", s->cfg.max_connections);
        return false;
    }
    unsigned max = s->cfg.max_connections_per_address;
    if (!max) return true;
    char peer[64];
    peer_of(c, peer, sizeof peer);
    if (!peer[0] || (s->ep.trusted_peer && s->ep.trusted_peer(s->ep.ctx, peer))) return true;
    if (!address_acquire(s->shared, peer, max)) {
        lv_log_debug("refusing a connection: %u open from its address already", max);
        return false;
    }
    snprintf(c->address, sizeof c->address, "%s", peer);
    return true;
}

static int open_reserve(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Out of descriptors. libuv has a reserve of its own per loop for this
 * (uv__emfile_trick: close it, accept-and-close what waits, reopen it), and
 * only reports EMFILE here when that reserve is gone: another thread of the
 * process (another loop, the thread pool, Redis) took the descriptor it
 * freed before it could reopen it. libuv then calls again at once, in a
 * loop, for as long as the listener has connections waiting: without a
 * descriptor to accept them with, the loop would spin and serve nobody. So
 * the server keeps its own reserve and does the same: the waiting clients
 * see their connection closed, and the loop goes back to serving the open
 * ones (whose closing frees descriptors). */
static void shed_connections(server *s)
{
    int listen_fd;
    if (uv_fileno((uv_handle_t *)&s->listener, &listen_fd) != 0) return;
    if (s->reserve_fd >= 0) close(s->reserve_fd);
    s->reserve_fd = -1;
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            close(fd);
            continue;
        }
        if (errno != EINTR && errno != ECONNABORTED) break;
    }
    s->reserve_fd = open_reserve();
}

static void on_connection(uv_stream_t *listener, int status)
{
    server *s = listener->data;
    if (status < 0) {
        if (status == UV_EMFILE || status == UV_ENFILE) shed_connections(s);
        /* Once a second is enough to say so. */
        uint64_t now = now_ms(s);
        if (!s->accept_warned_ms || now - s->accept_warned_ms >= 1000) {
            s->accept_warned_ms = now;
            lv_log_warn("accept failed: %s", uv_strerror(status));
        }
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
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->conn_count++;
    if (!admit_connection(c)) {
        conn_close(c, LV_ENDPOINT_CLOSED);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->http = lv_xmalloc(sizeof *c->http);
    lv_http_parser_init(c->http, &s->http_limits, &http_handlers, c);
    c->state = CONN_HTTP;
    c->deadline_ms = now_ms(s) + s->cfg.header_timeout_s * 1000ull;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        conn_close(c, LV_ENDPOINT_CLOSED);
}

/* The deadlines that pings and trickled bytes do not move: finishing a
 * message or a body, joining something. True when c is being closed. */
static bool sweep_limits(conn *c, uint64_t now)
{
    if (c->state == CONN_CLOSING || c->close_when_flushed) return false;
    server *s = c->srv;
    if (c->finish_deadline_ms && c->finish_deadline_ms <= now) {
        c->finish_deadline_ms = 0;
        if (c->state == CONN_WEBSOCKET) {
            lv_log_info("closing a WebSocket whose message was not finished within %u s",
                        s->cfg.message_timeout_s);
            ws_drop_message(c);
            ws_close(c, LV_WS_CLOSE_POLICY, "message not finished in time");
        } else if (c->http) {
            lv_log_info("closing a connection whose request body was not finished within %u s",
                        s->cfg.body_timeout_s);
            http_refuse_body(c, 408, NULL);
        }
        c->deadline_ms = now + 2000; /* if the answer cannot be written */
        return true;
    }
    if (c->grace_deadline_ms && c->grace_deadline_ms <= now && c->state == CONN_WEBSOCKET) {
        c->grace_deadline_ms = 0;
        if (s->ep.joined_any && !s->ep.joined_any(c->ws->ctx)) {
            lv_log_info("closing a WebSocket that joined nothing within %u s", s->cfg.join_grace_s);
            ws_close(c, LV_WS_CLOSE_POLICY, "joined nothing");
            c->deadline_ms = now + 2000;
            return true;
        }
    }
    return false;
}

static void on_sweep(uv_timer_t *t)
{
    server *s = t->data;
    uint64_t now = now_ms(s);
    /* A reserve lost to another thread comes back once descriptors free up. */
    if (s->reserve_fd < 0) s->reserve_fd = open_reserve();
    conn *c = s->conns;
    while (c) {
        conn *next = c->next;
        if (sweep_limits(c, now)) {
            c = next;
            continue;
        }
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
                conn_close(c, LV_ENDPOINT_CLOSED);
            }
        }
        c = next;
    }
}

/* Closes the wake-up handle once no other thread is inside a wake. */
static void close_wake(server *s)
{
    atomic_store(&s->wake_closed, true);
    while (atomic_load(&s->wakers) > 0) sched_yield();
    uv_close((uv_handle_t *)&s->wake_async, NULL);
}

/* Refuses further tasks and runs those accepted: before the connections
 * close, so what they send still reaches the clients. */
static void finish_tasks(server *s)
{
    if (!s->cfg.tasks) return;
    lv_task_queue_close(s->cfg.tasks);
    lv_task_queue_run(s->cfg.tasks);
}

static void begin_stop(server *s)
{
    if (s->stopping) return;
    s->stopping = true;
    atomic_store(&s->stop_requested, true); /* later lv_server_stop calls do nothing */
    if (!s->cfg.joins_port) lv_log_info("stopping");
    if (s->cfg.on_stopping) s->cfg.on_stopping(s->cfg.on_stopping_ctx);
    finish_tasks(s);
    if (s->ep.stopping) s->ep.stopping(s->ep.ctx);
    uv_close((uv_handle_t *)&s->listener, NULL);
    uv_close((uv_handle_t *)&s->sweep, NULL);
    close_wake(s);
    if (s->cfg.handle_signals) {
        uv_close((uv_handle_t *)&s->sigint, NULL);
        uv_close((uv_handle_t *)&s->sigterm, NULL);
    }
    while (s->conns) {
        conn *c = s->conns;
        if (c->state == CONN_WEBSOCKET) {
            lv_buf frame = LV_BUF_INIT;
            lv_ws_close_frame_append(&frame, LV_WS_CLOSE_GOING_AWAY, "server stopping");
            uv_buf_t b = uv_buf_init(frame.data, (unsigned)frame.len);
            uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
            lv_buf_free(&frame);
        }
        conn_close(c, LV_ENDPOINT_SHUTDOWN);
    }
}

static void on_wake(uv_async_t *a)
{
    server *s = a->data;
    if (atomic_load(&s->stop_requested))
        begin_stop(s);
    else if (s->cfg.tasks)
        lv_task_queue_run(s->cfg.tasks);
}

static void on_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    begin_stop(sig->data);
}

/* ------------------------------------------------------------------------
 * The runtime lent to the endpoint: timers and the thread pool
 * ------------------------------------------------------------------------ */

typedef struct loop_timer {
    uv_timer_t timer;
    void (*fire)(void *arg);
    void *arg;
} loop_timer;

static void on_loop_timer(uv_timer_t *t)
{
    loop_timer *vt = (loop_timer *)t;
    vt->fire(vt->arg); /* may stop (and so free) this very timer */
}

static void *runtime_timer_start(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *),
                                 void *arg)
{
    server *s = ctx;
    if (s->stopping) return NULL;
    loop_timer *vt = lv_xcalloc(1, sizeof *vt);
    vt->fire = fire;
    vt->arg = arg;
    uv_timer_init(&s->loop, &vt->timer);
    uv_timer_start(&vt->timer, on_loop_timer, ms, repeat_ms);
    return vt;
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void runtime_timer_stop(void *ctx, void *timer)
{
    (void)ctx;
    loop_timer *vt = timer;
    uv_timer_stop(&vt->timer);
    uv_close((uv_handle_t *)&vt->timer, free_handle);
}

typedef struct loop_work {
    uv_work_t req;
    void (*work)(void *arg);
    void (*done)(void *arg);
    void *arg;
} loop_work;

static void on_work(uv_work_t *req)
{
    loop_work *w = (loop_work *)req;
    w->work(w->arg);
}

static void on_work_done(uv_work_t *req, int status)
{
    (void)status; /* cancelled work still reports, so its memory is freed */
    loop_work *w = (loop_work *)req;
    w->done(w->arg);
    free(w);
}

static int runtime_queue_work(void *ctx, void (*work)(void *), void (*done)(void *), void *arg)
{
    server *s = ctx;
    loop_work *w = lv_xcalloc(1, sizeof *w);
    w->work = work;
    w->done = done;
    w->arg = arg;
    if (uv_queue_work(&s->loop, &w->req, on_work, on_work_done) != 0) {
        free(w);
        return -1;
    }
    return 0;
}

/* An IPv4 or IPv6 socket with SO_REUSEPORT set, for libuv to bind: every
 * loop of a process binds the same port, and the kernel spreads incoming
 * connections over them. Returns a libuv error code or the descriptor. */
static int reuseport_socket(int family)
{
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return uv_translate_sys_error(errno);
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
        int err = uv_translate_sys_error(errno);
        close(fd);
        return err;
    }
    return fd;
}

/* With SO_REUSEPORT a bind succeeds next to any socket that set it too,
 * such as another server of the same user on the same port: asking first
 * without it keeps "address already in use" for a taken port. */
static int port_free(const struct sockaddr *addr)
{
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return uv_translate_sys_error(errno);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on); /* as libuv binds */
    socklen_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    int rc = bind(fd, addr, len) == 0 ? 0 : uv_translate_sys_error(errno);
    close(fd);
    return rc;
}

static int listen_on(server *s)
{
    lv_server_config *cfg = &s->cfg;
    /* An unbound handle: closed like a listener, never accepts. */
    if (cfg->no_listen) return uv_tcp_init(&s->loop, &s->listener) == 0 ? 0 : -1;
    struct sockaddr_storage addr;
    int rc = strchr(cfg->host, ':')
                 ? uv_ip6_addr(cfg->host, cfg->port, (struct sockaddr_in6 *)&addr)
                 : uv_ip4_addr(cfg->host, cfg->port, (struct sockaddr_in *)&addr);
    if (rc == 0) rc = uv_tcp_init(&s->loop, &s->listener);
    if (rc != 0) {
        lv_log_error("cannot use address %s: %s", cfg->host, uv_strerror(rc));
        return -1;
    }
    s->listener.data = s;
    if (cfg->reuse_port) {
        rc = cfg->port && !cfg->joins_port ? port_free((const struct sockaddr *)&addr) : 0;
        int fd = rc == 0 ? reuseport_socket(addr.ss_family) : rc;
        rc = fd < 0 ? fd : uv_tcp_open(&s->listener, fd);
        if (rc != 0 && fd >= 0) close(fd);
    }
    if (rc == 0) rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection);
    if (rc != 0) {
        lv_log_error("cannot listen on %s:%d: %s", cfg->host, cfg->port, uv_strerror(rc));
        uv_close((uv_handle_t *)&s->listener, NULL);
        return -1;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &len);
    return ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                             : ((struct sockaddr_in *)&bound)->sin_port);
}

lv_server *lv_server_new(const lv_server_config *cfg, const lv_endpoint *ep)
{
    server *s = lv_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->ep = *ep;
    s->http_limits = (lv_http_limits){cfg->max_header_bytes, cfg->max_body_bytes};
    lv_server_shared_init(&s->own_shared);
    s->reserve_fd = open_reserve();
    s->shared = cfg->shared ? cfg->shared : &s->own_shared;
    atomic_init(&s->stop_requested, false);
    atomic_init(&s->wake_closed, false);
    atomic_init(&s->wakers, 0);
    /* The loop and the wake-up exist from here on, so lv_server_stop and
     * lv_server_wake work before lv_server_run. */
    uv_loop_init(&s->loop);
    uv_async_init(&s->loop, &s->wake_async, on_wake);
    s->wake_async.data = s;
    return s;
}

/* Lock-free and async-signal-safe: uv_async_send is, and the counter lets
 * close_wake wait for a send in progress instead of racing it. */
static void wake(server *s)
{
    atomic_fetch_add(&s->wakers, 1);
    if (!atomic_load(&s->wake_closed)) uv_async_send(&s->wake_async);
    atomic_fetch_sub(&s->wakers, 1);
}

void lv_server_stop(lv_server *s)
{
    if (atomic_exchange(&s->stop_requested, true)) return; /* once is enough */
    wake(s);
}

void lv_server_wake(lv_server *s)
{
    wake(s);
}

int lv_server_listen(lv_server *s)
{
    if (s->listening) return s->port;
    if (s->port < 0) return -1; /* failed once already */
    s->port = listen_on(s);
    s->listening = s->port >= 0;
    return s->port;
}

int lv_server_run(lv_server *s)
{
    int result = -1;
    s->ran = true;
    signal(SIGPIPE, SIG_IGN);
    int port = lv_server_listen(s);
    if (port >= 0) {
        uv_timer_init(&s->loop, &s->sweep);
        s->sweep.data = s;
        uv_timer_start(&s->sweep, on_sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
        if (s->cfg.handle_signals) {
            uv_signal_init(&s->loop, &s->sigint);
            uv_signal_init(&s->loop, &s->sigterm);
            s->sigint.data = s->sigterm.data = s;
            uv_signal_start(&s->sigint, on_signal, SIGINT);
            uv_signal_start(&s->sigterm, on_signal, SIGTERM);
        }
        lv_runtime rt = {s, runtime_timer_start, runtime_timer_stop, runtime_queue_work};
        if (s->ep.started) s->ep.started(s->ep.ctx, &rt, port);
        if (!s->cfg.joins_port && !s->cfg.no_listen) { /* one line per process, not per loop */
            printf("liveview: listening on http://%s:%d\n", s->cfg.host, port);
            fflush(stdout);
        }
        if (atomic_load(&s->stop_requested))
            begin_stop(s);
        else if (s->cfg.tasks)
            lv_task_queue_run(s->cfg.tasks); /* posted before the loop ran */
        uv_run(&s->loop, UV_RUN_DEFAULT);
        result = 0;
    } else {
        finish_tasks(s);
        close_wake(s);
    }
    uv_run(&s->loop, UV_RUN_DEFAULT); /* lets close callbacks and queued work finish */
    if (s->ep.stopped) s->ep.stopped(s->ep.ctx);
    if (uv_loop_close(&s->loop) != 0) lv_log_warn("the loop closed with handles still open");
    return result;
}

void lv_server_free(lv_server *s)
{
    if (!s) return;
    if (!s->ran) {
        if (s->listening) uv_close((uv_handle_t *)&s->listener, NULL);
        close_wake(s);
        uv_run(&s->loop, UV_RUN_DEFAULT);
        uv_loop_close(&s->loop);
    }
    lv_buf_free(&s->batch);
    lv_server_shared_destroy(&s->own_shared);
    if (s->reserve_fd >= 0) close(s->reserve_fd);
    free(s);
}
