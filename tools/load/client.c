/* The connections of liveview-load, all on one libuv loop.
 *
 * Each connection does what a browser tab with the official client does:
 * GET the page (its own TCP connection, closed after), keep the cookies, open
 * the WebSocket with the page's CSRF token, the cookies and an Origin, join
 * lv:<id> with the page's tokens, then click: `pipeline` event pushes in
 * flight, a new one sent for each reply. Every reply is matched to its push
 * by ref (a reply to nothing in flight is a protocol error, so none is
 * counted twice). All the pushes made while handling one read go out in one
 * write. One repeating timer drives the phases (setup, warm-up, measure,
 * drain), the per-connection setup deadlines and the heartbeats. */
#include "client.h"

#include <inttypes.h>
#include <llhttp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <uv.h>

#define READ_BUFFER_SIZE (256 * 1024)
#define MAX_PAGE_BYTES (8 * 1024 * 1024)
#define MAX_MESSAGE_BYTES (16 * 1024 * 1024)
#define TICK_MS 10
#define PUSH_QUIET_MS 200
#define NS_PER_S 1000000000.0

typedef enum {
    CONN_IDLE,
    CONN_PAGE_CONNECT,
    CONN_PAGE,
    CONN_PAGE_CLOSING,
    CONN_WS_CONNECT,
    CONN_UPGRADE,
    CONN_JOINING,
    CONN_JOINED,
    CONN_CLOSED,
} conn_state;

typedef enum { PHASE_SETUP, PHASE_WARMUP, PHASE_MEASURE, PHASE_HOLD, PHASE_DRAIN, PHASE_DONE } run_phase;

struct run;

typedef struct conn {
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    struct run *run;
    conn_state state;
    bool handle_open;
    bool idle; /* joins and holds, never clicks (--idle) */
    uint64_t deadline; /* setup deadline, ns */

    /* HTTP (the page, then the upgrade) */
    llhttp_t http;
    lv_buf header_field, header_value, body, cookies;
    bool message_done, upgrade_header_ok, accept_ok;
    char ws_key[32];
    load_page page;

    /* WebSocket */
    lv_buf in;      /* a partial frame carried to the next read */
    lv_buf out;     /* frames waiting for the next write */
    lv_buf writing; /* the bytes of the write in progress */
    bool write_busy;
    lv_buf fragments; /* a fragmented message being assembled */
    bool in_fragmented;

    /* Phoenix */
    lv_buf event_head, event_tail; /* an event push around its ref */
    lv_buf scratch;
    uint64_t next_ref, join_ref, heartbeat_ref;
    uint64_t heartbeat_sent_ns; /* when heartbeat_ref went out */
    uint64_t *slot_ref, *slot_sent_ns; /* events in flight; ref 0 is a free slot */
    int in_flight;
} conn;

typedef struct run {
    const load_config *config;
    const load_hooks *hooks;
    load_result *result;
    uv_loop_t loop;
    uv_timer_t tick;
    conn *conns;
    int total; /* config->connections clicking, then config->idle idle */
    int started, settled;
    run_phase phase;
    uint64_t start_ns, phase_end_ns, measure_start_ns, next_heartbeat_ns;
    uint64_t in_flight; /* events in flight on every connection */
    uint64_t heartbeats_in_flight;
    uint64_t last_push_ns; /* when the last counted push arrived */
    char *read_buffer;
    bool read_buffer_busy;
    bool starting;
    uint32_t rng;
    char host[300]; /* the Host header: host[:port] as the URL gives it */
} run;

static void conn_connect(conn *c);
static void conn_flush(conn *c);
static void run_settle(run *r);
static void run_finish(run *r);

/* ---- errors ------------------------------------------------------------- */

static void note_error(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_error(run *r, const char *fmt, ...)
{
    if (r->result->first_error[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->result->first_error, sizeof r->result->first_error, fmt, ap);
    va_end(ap);
}

uint64_t load_errors(const load_result *r)
{
    return r->error_replies + r->join_failures + r->protocol_errors + r->closed + r->unanswered;
}

static uint32_t next_mask(run *r)
{
    /* xorshift32: masks need not be secret from a load test's own server,
     * only varied (RFC 6455 §5.3 asks for unpredictable ones against proxy
     * cache poisoning by hostile scripts, which this client has none of). */
    uint32_t x = r->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return r->rng = x;
}

/* ---- closing ------------------------------------------------------------ */

static void on_closed(uv_handle_t *handle)
{
    conn *c = handle->data;
    c->handle_open = false;
    if (c->state == CONN_PAGE_CLOSING) {
        if (c->run->phase == PHASE_DONE) {
            c->state = CONN_CLOSED;
            return;
        }
        c->state = CONN_WS_CONNECT;
        conn_connect(c);
    }
}

static void conn_close_handle(conn *c)
{
    if (c->handle_open && !uv_is_closing((uv_handle_t *)&c->tcp)) uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static bool in_setup(const conn *c)
{
    return c->state != CONN_IDLE && c->state != CONN_JOINED && c->state != CONN_CLOSED;
}

/* Ends a connection that failed or was lost; what it counts as depends on
 * how far it got. */
static void conn_fail(conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void conn_fail(conn *c, const char *fmt, ...)
{
    run *r = c->run;
    if (c->state == CONN_CLOSED) return;
    char message[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    bool was_setting_up = in_setup(c);
    if (r->phase != PHASE_DONE) {
        note_error(r, "%s", message);
        if (was_setting_up)
            r->result->join_failures++;
        else
            r->result->closed++;
    }
    r->in_flight -= (uint64_t)c->in_flight;
    c->in_flight = 0;
    if (c->heartbeat_ref) r->heartbeats_in_flight--;
    c->heartbeat_ref = 0;
    c->state = CONN_CLOSED;
    conn_close_handle(c);
    if (was_setting_up) run_settle(r);
}

/* ---- writing ------------------------------------------------------------ */

static void on_written(uv_write_t *req, int status)
{
    conn *c = req->data;
    c->write_busy = false;
    lv_buf_reset(&c->writing);
    if (status < 0) {
        if (status != UV_ECANCELED) conn_fail(c, "write failed: %s", uv_strerror(status));
        return;
    }
    conn_flush(c);
}

/* Sends what is in c->out: at once when the socket takes it, else with a
 * write request (one at a time; what comes meanwhile waits in c->out). */
static void conn_flush(conn *c)
{
    if (c->write_busy || c->out.len == 0 || !c->handle_open || c->state == CONN_CLOSED) return;
    uv_buf_t buf = uv_buf_init(c->out.data, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
    if (n == (int)c->out.len) {
        lv_buf_reset(&c->out);
        return;
    }
    if (n < 0 && n != UV_EAGAIN) {
        conn_fail(c, "write failed: %s", uv_strerror(n));
        return;
    }
    size_t sent = n > 0 ? (size_t)n : 0;
    lv_buf_append(&c->writing, c->out.data + sent, c->out.len - sent);
    lv_buf_reset(&c->out);
    buf = uv_buf_init(c->writing.data, (unsigned)c->writing.len);
    c->write_busy = true;
    c->write_req.data = c;
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written);
    if (rc < 0) {
        c->write_busy = false;
        conn_fail(c, "write failed: %s", uv_strerror(rc));
    }
}

static void send_text(conn *c, const char *text, size_t len)
{
    load_ws_append_frame(&c->out, LOAD_WS_TEXT, text, len, next_mask(c->run));
}

/* ---- Phoenix ------------------------------------------------------------ */

static void append_u64(lv_buf *b, uint64_t v)
{
    char digits[24];
    int n = 0;
    do digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    lv_buf_reserve(b, (size_t)n);
    while (n) b->data[b->len++] = digits[--n];
    b->data[b->len] = '\0';
}

static void send_event(conn *c, uint64_t now)
{
    int slot = 0;
    while (c->slot_ref[slot] != 0) slot++; /* there is one: in_flight < pipeline */
    uint64_t ref = c->next_ref++;
    lv_buf_reset(&c->scratch);
    lv_buf_append(&c->scratch, c->event_head.data, c->event_head.len);
    append_u64(&c->scratch, ref);
    lv_buf_append(&c->scratch, c->event_tail.data, c->event_tail.len);
    send_text(c, c->scratch.data, c->scratch.len);
    c->slot_ref[slot] = ref;
    c->slot_sent_ns[slot] = now;
    c->in_flight++;
    c->run->in_flight++;
}

static bool sending(const run *r)
{
    return r->phase == PHASE_WARMUP || r->phase == PHASE_MEASURE;
}

static void fill_pipeline(conn *c, uint64_t now)
{
    while (!c->idle && c->state == CONN_JOINED && sending(c->run) && c->in_flight < c->run->config->pipeline)
        send_event(c, now);
}

static void send_join(conn *c)
{
    const load_config *cfg = c->run->config;
    c->join_ref = c->next_ref++;
    lv_buf topic = LV_BUF_INIT;
    lv_buf_printf(&topic, "lv:%s", c->page.view_id);
    lv_buf url = LV_BUF_INIT;
    lv_buf_printf(&url, "%s%s", cfg->url.origin, cfg->path);

    lv_buf msg = LV_BUF_INIT;
    lv_buf_printf(&msg, "[\"%" PRIu64 "\",\"%" PRIu64 "\",", c->join_ref, c->join_ref);
    load_json_string(&msg, topic.data);
    lv_buf_puts(&msg, ",\"phx_join\",{\"url\":");
    load_json_string(&msg, url.data);
    lv_buf_puts(&msg, ",\"params\":{\"_csrf_token\":");
    load_json_string(&msg, c->page.csrf_token);
    lv_buf_puts(&msg, ",\"_mounts\":0},\"session\":");
    load_json_string(&msg, c->page.session);
    lv_buf_puts(&msg, ",\"static\":");
    if (c->page.static_token)
        load_json_string(&msg, c->page.static_token);
    else
        lv_buf_puts(&msg, "null");
    lv_buf_puts(&msg, "}]");
    send_text(c, msg.data, msg.len);

    /* An event push is the same bytes but for its ref. */
    lv_buf_printf(&c->event_head, "[\"%" PRIu64 "\",\"", c->join_ref);
    lv_buf_puts(&c->event_tail, "\",");
    load_json_string(&c->event_tail, topic.data);
    lv_buf_puts(&c->event_tail, ",\"event\",{\"type\":\"click\",\"event\":");
    load_json_string(&c->event_tail, cfg->event);
    lv_buf_puts(&c->event_tail, ",\"value\":{}}]");
    lv_buf_free(&msg);
    lv_buf_free(&url);
    lv_buf_free(&topic);
    c->state = CONN_JOINING;
}

static void send_heartbeat(conn *c)
{
    c->heartbeat_ref = c->next_ref++;
    lv_buf_reset(&c->scratch);
    lv_buf_printf(&c->scratch, "[null,\"%" PRIu64 "\",\"phoenix\",\"heartbeat\",{}]", c->heartbeat_ref);
    send_text(c, c->scratch.data, c->scratch.len);
}

/* The start of a payload, for an error message. */
static int shown(load_slice s)
{
    return s.len > 120 ? 120 : (int)s.len;
}

static void on_join_reply(conn *c, load_slice payload)
{
    run *r = c->run;
    if (load_phx_reply_status(payload) != LOAD_REPLY_OK) {
        conn_fail(c, "join of lv:%s refused: %.*s", c->page.view_id, shown(payload), payload.ptr);
        return;
    }
    c->state = CONN_JOINED;
    r->result->joined++;
    run_settle(r);
}

static void on_event_reply(conn *c, uint64_t ref, load_slice payload, size_t message_len, uint64_t now)
{
    run *r = c->run;
    int slot = -1;
    for (int i = 0; i < r->config->pipeline; i++)
        if (c->slot_ref[i] == ref) {
            slot = i;
            break;
        }
    if (slot < 0) {
        r->result->protocol_errors++;
        note_error(r, "a reply with ref %" PRIu64 " matches no event in flight", ref);
        return;
    }
    c->slot_ref[slot] = 0;
    c->in_flight--;
    r->in_flight--;
    load_reply_status status = load_phx_reply_status(payload);
    bool measured = r->phase == PHASE_MEASURE || r->phase == PHASE_DRAIN;
    if (status == LOAD_REPLY_OK) {
        if (measured) {
            r->result->events++;
            r->result->reply_bytes += message_len;
            load_hist_record(&r->result->hist, now - c->slot_sent_ns[slot]);
        } else {
            r->result->warmup_events++;
        }
    } else {
        r->result->error_replies++;
        note_error(r, "event \"%s\" answered: %.*s", r->config->event, shown(payload), payload.ptr);
    }
    fill_pipeline(c, now);
    if (r->phase == PHASE_DRAIN && r->in_flight == 0) run_finish(r);
}

static void on_message(conn *c, const char *data, size_t len, uint64_t now)
{
    run *r = c->run;
    load_phx_message msg;
    if (!load_phx_scan(data, len, &msg)) {
        r->result->protocol_errors++;
        note_error(r, "not a Phoenix message: %.*s", len > 120 ? 120 : (int)len, data);
        return;
    }
    bool ours = msg.topic.len == 3 + strlen(c->page.view_id) && memcmp(msg.topic.ptr, "lv:", 3) == 0 &&
           memcmp(msg.topic.ptr + 3, c->page.view_id, msg.topic.len - 3) == 0;
    if (load_slice_eq(msg.event, "phx_reply")) {
        uint64_t ref;
        if (!load_slice_u64(msg.ref, &ref)) {
            r->result->protocol_errors++;
            note_error(r, "a reply with a ref this client never sent: %.*s", shown(msg.ref), msg.ref.ptr);
            return;
        }
        if (load_slice_eq(msg.topic, "phoenix") && c->heartbeat_ref && ref == c->heartbeat_ref) {
            c->heartbeat_ref = 0;
            r->heartbeats_in_flight--;
            r->result->heartbeats++;
        } else if (ours && c->state == CONN_JOINING && ref == c->join_ref) {
            on_join_reply(c, msg.payload);
        } else if (ours && c->state == CONN_JOINED) {
            on_event_reply(c, ref, msg.payload, len, now);
        } else {
            r->result->protocol_errors++;
            note_error(r, "an unexpected reply: %.*s", len > 120 ? 120 : (int)len, data);
        }
        return;
    }
    if (ours && (load_slice_eq(msg.event, "phx_error") || load_slice_eq(msg.event, "phx_close"))) {
        conn_fail(c, "the server ended lv:%s with %.*s", c->page.view_id, (int)msg.event.len, msg.event.ptr);
        return;
    }
    /* Anything else (diffs pushed by pub/sub, redirects) is the view's
     * business, not the load's; the diffs are counted, for the fan-out
     * bench: each is one view's update delivered. */
    if (ours && load_slice_eq(msg.event, "diff") &&
        (r->phase == PHASE_MEASURE || r->phase == PHASE_HOLD || r->phase == PHASE_DRAIN)) {
        r->result->pushes++;
        r->result->push_bytes += len;
        r->last_push_ns = now;
    }
}

/* ---- WebSocket ---------------------------------------------------------- */

static void on_frame(conn *c, const load_ws_frame *f, uint64_t now)
{
    run *r = c->run;
    switch (f->opcode) {
    case LOAD_WS_PING:
        load_ws_append_frame(&c->out, LOAD_WS_PONG, f->payload, f->payload_len, next_mask(r));
        return;
    case LOAD_WS_PONG:
        return;
    case LOAD_WS_CLOSE:
        conn_fail(c, "the server closed the WebSocket (%s)", c->state == CONN_JOINED ? "joined" : "joining");
        return;
    case LOAD_WS_BINARY:
    case LOAD_WS_TEXT:
        if (c->in_fragmented) break;
        if (f->fin) {
            if (f->opcode == LOAD_WS_TEXT) on_message(c, f->payload, f->payload_len, now);
            return;
        }
        c->in_fragmented = true;
        lv_buf_reset(&c->fragments);
        lv_buf_append(&c->fragments, f->payload, f->payload_len);
        return;
    case LOAD_WS_CONT:
        if (!c->in_fragmented) break;
        if (c->fragments.len + f->payload_len > MAX_MESSAGE_BYTES) break;
        lv_buf_append(&c->fragments, f->payload, f->payload_len);
        if (f->fin) {
            c->in_fragmented = false;
            on_message(c, c->fragments.data, c->fragments.len, now);
        }
        return;
    }
    r->result->protocol_errors++;
    conn_fail(c, "bad WebSocket fragmentation from the server");
}

/* Handles every whole frame in data; returns the bytes used, or -1 when the
 * connection was failed. */
static long ws_consume(conn *c, const char *data, size_t len, uint64_t now)
{
    size_t used = 0;
    while (c->state == CONN_JOINING || c->state == CONN_JOINED) {
        load_ws_frame f;
        const char *error = NULL;
        load_ws_result res = load_ws_parse(data + used, len - used, MAX_MESSAGE_BYTES, &f, &error);
        if (res == LOAD_WS_NEED_MORE) return (long)used;
        if (res == LOAD_WS_BAD) {
            c->run->result->protocol_errors++;
            conn_fail(c, "%s", error);
            return -1;
        }
        used += f.frame_len;
        on_frame(c, &f, now);
    }
    return -1;
}

static void ws_feed(conn *c, const char *data, size_t len, uint64_t now)
{
    if (c->in.len == 0) {
        long used = ws_consume(c, data, len, now);
        if (used >= 0 && (size_t)used < len) lv_buf_append(&c->in, data + used, len - (size_t)used);
        return;
    }
    lv_buf_append(&c->in, data, len);
    long used = ws_consume(c, c->in.data, c->in.len, now);
    if (used > 0) lv_buf_consume(&c->in, (size_t)used);
}

/* ---- HTTP --------------------------------------------------------------- */

static conn *conn_of(llhttp_t *p)
{
    return p->data;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
    lv_buf_append(&conn_of(p)->header_field, at, len);
    return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
    lv_buf_append(&conn_of(p)->header_value, at, len);
    return 0;
}

static int on_header_value_complete(llhttp_t *p)
{
    conn *c = conn_of(p);
    const char *name = c->header_field.data ? c->header_field.data : "";
    const char *value = c->header_value.data ? c->header_value.data : "";
    if (strcasecmp(name, "set-cookie") == 0) load_cookie_add(&c->cookies, value, c->header_value.len);
    if (strcasecmp(name, "upgrade") == 0 && strcasecmp(value, "websocket") == 0) c->upgrade_header_ok = true;
    if (strcasecmp(name, "sec-websocket-accept") == 0) {
        char expected[29];
        load_ws_accept(c->ws_key, expected);
        c->accept_ok = strcmp(value, expected) == 0;
    }
    lv_buf_reset(&c->header_field);
    lv_buf_reset(&c->header_value);
    return 0;
}

static int on_headers_complete(llhttp_t *p)
{
    /* 2: no body, and llhttp_execute returns HPE_PAUSED_UPGRADE with the
     * WebSocket's first bytes after the headers. */
    return p->status_code == 101 ? 2 : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
    conn *c = conn_of(p);
    if (c->body.len + len > MAX_PAGE_BYTES) return -1;
    lv_buf_append(&c->body, at, len);
    return 0;
}

static int on_message_complete(llhttp_t *p)
{
    conn_of(p)->message_done = true;
    return HPE_PAUSED; /* anything after the page is not ours to read */
}

static const llhttp_settings_t http_settings = {
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void http_begin(conn *c)
{
    llhttp_init(&c->http, HTTP_RESPONSE, &http_settings);
    c->http.data = c;
    c->message_done = false;
    lv_buf_reset(&c->header_field);
    lv_buf_reset(&c->header_value);
}

static void page_done(conn *c)
{
    run *r = c->run;
    int status = c->http.status_code;
    if (status != 200) {
        conn_fail(c, "GET %s answered %d (expected 200)", r->config->path, status);
        return;
    }
    char err[200];
    if (load_page_scan(c->body.data ? c->body.data : "", c->body.len, &c->page, err, sizeof err) != 0) {
        conn_fail(c, "GET %s: %s", r->config->path, err);
        return;
    }
    lv_buf_free(&c->body);
    c->state = CONN_PAGE_CLOSING;
    conn_close_handle(c); /* on_closed connects again, for the WebSocket */
}

static void on_page_bytes(conn *c, const char *data, size_t len)
{
    llhttp_errno_t err = llhttp_execute(&c->http, data, len);
    if (err == HPE_PAUSED && c->message_done) {
        page_done(c);
    } else if (err != HPE_OK) {
        conn_fail(c, "GET %s: bad HTTP response (%s)", c->run->config->path, llhttp_errno_name(err));
    }
}

static void upgrade_done(conn *c, const char *rest, size_t rest_len, uint64_t now)
{
    run *r = c->run;
    if (c->http.status_code != 101) {
        conn_fail(c, "WebSocket upgrade at %s answered %d (expected 101)", r->config->socket_path,
                  c->http.status_code);
        return;
    }
    if (!c->upgrade_header_ok || !c->accept_ok) {
        conn_fail(c, "WebSocket upgrade: %s", !c->upgrade_header_ok ? "no Upgrade: websocket header"
                                                                    : "wrong or missing Sec-WebSocket-Accept");
        return;
    }
    send_join(c);
    if (rest_len) ws_feed(c, rest, rest_len, now);
}

static void on_upgrade_bytes(conn *c, const char *data, size_t len, uint64_t now)
{
    llhttp_errno_t err = llhttp_execute(&c->http, data, len);
    if (err == HPE_OK) return;
    /* A 101 ends the HTTP part: paused at the end of the message (or for the
     * upgrade); what follows is the WebSocket's. A complete non-101 answer
     * also ends here, and upgrade_done reports it. */
    if (err == HPE_PAUSED_UPGRADE || (err == HPE_PAUSED && c->message_done)) {
        const char *pos = llhttp_get_error_pos(&c->http);
        size_t used = pos && pos >= data && pos <= data + len ? (size_t)(pos - data) : len;
        upgrade_done(c, data + used, len - used, now);
    } else {
        conn_fail(c, "WebSocket upgrade: bad HTTP response (%s)", llhttp_errno_name(err));
    }
}

/* ---- reading ------------------------------------------------------------ */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    run *r = ((conn *)handle->data)->run;
    /* One buffer for every connection: a read is handled before the next
     * one starts, and what a connection must keep goes to its own c->in. */
    if (r->read_buffer_busy) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    r->read_buffer_busy = true;
    *buf = uv_buf_init(r->read_buffer, READ_BUFFER_SIZE);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    conn *c = stream->data;
    run *r = c->run;
    if (buf->base == r->read_buffer) r->read_buffer_busy = false;
    if (nread == 0) return;
    if (nread < 0) {
        if (c->state == CONN_PAGE && nread == UV_EOF && llhttp_finish(&c->http) == HPE_OK && c->message_done) {
            page_done(c);
        } else if (c->state == CONN_PAGE && nread == UV_EOF && c->message_done) {
            page_done(c);
        } else {
            conn_fail(c, "%s: the server closed the connection (%s)",
                      c->state == CONN_PAGE       ? "reading the page"
                      : c->state == CONN_UPGRADE  ? "WebSocket upgrade"
                      : c->state == CONN_JOINING  ? "joining"
                                                  : "joined",
                      nread == UV_EOF ? "end of stream" : uv_strerror((int)nread));
        }
        return;
    }
    uint64_t now = uv_hrtime();
    switch (c->state) {
    case CONN_PAGE:
        on_page_bytes(c, buf->base, (size_t)nread);
        break;
    case CONN_UPGRADE:
        on_upgrade_bytes(c, buf->base, (size_t)nread, now);
        break;
    case CONN_JOINING:
    case CONN_JOINED:
        ws_feed(c, buf->base, (size_t)nread, now);
        break;
    default:
        break;
    }
    conn_flush(c);
}

/* ---- connecting --------------------------------------------------------- */

static void write_page_request(conn *c)
{
    run *r = c->run;
    lv_buf_printf(&c->out,
                  "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: liveview-load\r\nAccept: text/html\r\n"
                  "Connection: close\r\n\r\n",
                  r->config->path, r->host);
    http_begin(c);
    c->state = CONN_PAGE;
}

/* The CSRF token percent-encoded for the query string. */
static void append_query_value(lv_buf *out, const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
            lv_buf_putc(out, (char)*p);
        else
            lv_buf_printf(out, "%%%02X", *p);
    }
}

static void write_upgrade_request(conn *c)
{
    run *r = c->run;
    unsigned char key[16];
    for (int i = 0; i < 16; i += 4) {
        uint32_t m = next_mask(r);
        memcpy(key + i, &m, 4);
    }
    /* Sec-WebSocket-Key: base64 of 16 bytes, 24 characters */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (int i = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)key[i] << 16 | (i + 1 < 16 ? (uint32_t)key[i + 1] << 8 : 0) |
                     (i + 2 < 16 ? key[i + 2] : 0);
        c->ws_key[o++] = b64[v >> 18 & 63];
        c->ws_key[o++] = b64[v >> 12 & 63];
        c->ws_key[o++] = i + 1 < 16 ? b64[v >> 6 & 63] : '=';
        c->ws_key[o++] = i + 2 < 16 ? b64[v & 63] : '=';
    }
    c->ws_key[o] = '\0';

    lv_buf_printf(&c->out, "GET %s?_csrf_token=", r->config->socket_path);
    append_query_value(&c->out, c->page.csrf_token);
    lv_buf_printf(&c->out,
                  "&vsn=2.0.0 HTTP/1.1\r\nHost: %s\r\nUser-Agent: liveview-load\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\n",
                  r->host, c->ws_key, r->config->url.origin);
    if (c->cookies.len) lv_buf_printf(&c->out, "Cookie: %s\r\n", c->cookies.data);
    lv_buf_puts(&c->out, "\r\n");
    http_begin(c);
    c->upgrade_header_ok = c->accept_ok = false;
    c->state = CONN_UPGRADE;
}

static void on_connected(uv_connect_t *req, int status)
{
    conn *c = req->data;
    if (c->state == CONN_CLOSED) return;
    if (status < 0) {
        conn_fail(c, "cannot connect to %s:%s: %s", c->run->config->url.host, c->run->config->url.port,
                  uv_strerror(status));
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    int rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc < 0) {
        conn_fail(c, "cannot read: %s", uv_strerror(rc));
        return;
    }
    if (c->state == CONN_PAGE_CONNECT)
        write_page_request(c);
    else
        write_upgrade_request(c);
    conn_flush(c);
}

static void conn_connect(conn *c)
{
    run *r = c->run;
    int rc = uv_tcp_init(&r->loop, &c->tcp);
    if (rc < 0) {
        conn_fail(c, "cannot make a socket: %s", uv_strerror(rc));
        return;
    }
    c->handle_open = true;
    c->tcp.data = c;
    c->connect_req.data = c;
    rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&r->config->addr, on_connected);
    if (rc < 0) conn_fail(c, "cannot connect to %s:%s: %s", r->config->url.host, r->config->url.port, uv_strerror(rc));
}

static void conn_start(conn *c, uint64_t now)
{
    c->deadline = now + (uint64_t)(c->run->config->setup_timeout * NS_PER_S);
    c->state = CONN_PAGE_CONNECT;
    conn_connect(c);
}

/* ---- phases ------------------------------------------------------------- */

static void start_more(run *r)
{
    /* A connection that fails at once settles, which calls this again:
     * the outer call goes on instead, so the stack stays flat. */
    if (r->starting) return;
    r->starting = true;
    uint64_t now = uv_hrtime();
    while (r->phase == PHASE_SETUP && r->started < r->total &&
           r->started - r->settled < r->config->setup_concurrency)
        conn_start(&r->conns[r->started++], now);
    r->starting = false;
}

/* This process's CPU time so far, in seconds. */
static double own_cpu_seconds(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
    return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void begin_measure(run *r, uint64_t now)
{
    r->measure_start_ns = now;
    r->result->client_cpu_seconds = -own_cpu_seconds();
    if (r->hooks && r->hooks->measure_start) r->hooks->measure_start(r->hooks->ctx);
    r->phase = r->config->join_only ? PHASE_HOLD : PHASE_MEASURE;
    r->phase_end_ns = now + (uint64_t)(r->config->seconds * NS_PER_S);
}

static void begin_sending(run *r)
{
    uint64_t now = uv_hrtime();
    r->result->setup_seconds = (double)(now - r->start_ns) / NS_PER_S;
    if (r->hooks && r->hooks->setup_done) r->hooks->setup_done(r->hooks->ctx, r->result);
    now = uv_hrtime(); /* setup_done may have waited for other processes */
    r->next_heartbeat_ns = now + (uint64_t)(r->config->heartbeat_interval * NS_PER_S);
    if (r->config->warmup > 0 && !r->config->join_only) {
        r->phase = PHASE_WARMUP;
        r->phase_end_ns = now + (uint64_t)(r->config->warmup * NS_PER_S);
    } else {
        begin_measure(r, now);
    }
    for (int i = 0; i < r->total; i++) {
        fill_pipeline(&r->conns[i], now);
        conn_flush(&r->conns[i]);
    }
}

/* A connection joined or failed during setup. */
static void run_settle(run *r)
{
    r->settled++;
    if (r->phase != PHASE_SETUP) return;
    if (r->settled < r->total) {
        start_more(r);
        return;
    }
    if (r->result->joined == 0) {
        run_finish(r);
        return;
    }
    begin_sending(r);
}

static void close_all(run *r)
{
    for (int i = 0; i < r->total; i++) {
        conn *c = &r->conns[i];
        if (c->state != CONN_PAGE_CLOSING) c->state = CONN_CLOSED;
        conn_close_handle(c);
    }
    if (!uv_is_closing((uv_handle_t *)&r->tick)) uv_close((uv_handle_t *)&r->tick, NULL);
}

static void run_finish(run *r)
{
    if (r->phase == PHASE_DONE) return;
    bool measured = r->phase != PHASE_SETUP;
    r->phase = PHASE_DONE;
    if (measured) {
        r->result->seconds = (double)(uv_hrtime() - r->measure_start_ns) / NS_PER_S;
        r->result->client_cpu_seconds += own_cpu_seconds();
        r->result->unanswered = r->in_flight;
        if (r->in_flight) note_error(r, "%" PRIu64 " events unanswered when the run ended", r->in_flight);
        if (r->hooks && r->hooks->measure_end) r->hooks->measure_end(r->hooks->ctx);
    }
    close_all(r);
}

/* A connection whose heartbeat stays unanswered this long has failed. The
 * official client allows one interval; a load client on a busy machine
 * would then measure its own scheduling, so it waits at least 10 s. */
static uint64_t heartbeat_timeout_ns(const run *r)
{
    double s = 3 * r->config->heartbeat_interval;
    return (uint64_t)((s > 10 ? s : 10) * NS_PER_S);
}

/* Sends each joined connection its heartbeat, unless the last one is still
 * out (then it fails only once that one is overdue). */
static void heartbeats(run *r, uint64_t now)
{
    for (int i = 0; i < r->total; i++) {
        conn *c = &r->conns[i];
        if (c->state != CONN_JOINED) continue;
        if (c->heartbeat_ref) {
            if (now - c->heartbeat_sent_ns >= heartbeat_timeout_ns(r))
                conn_fail(c, "no heartbeat reply within %g s", (double)heartbeat_timeout_ns(r) / NS_PER_S);
            continue;
        }
        send_heartbeat(c);
        c->heartbeat_sent_ns = now;
        r->heartbeats_in_flight++;
        conn_flush(c);
    }
}

static void on_tick(uv_timer_t *timer)
{
    run *r = timer->data;
    uint64_t now = uv_hrtime();
    if (r->phase == PHASE_SETUP) {
        for (int i = 0; i < r->started; i++) {
            conn *c = &r->conns[i];
            if (in_setup(c) && now >= c->deadline)
                conn_fail(c, "no join within %g s (stuck %s)", r->config->setup_timeout,
                          c->state == CONN_PAGE_CONNECT || c->state == CONN_WS_CONNECT ? "connecting"
                          : c->state == CONN_PAGE                                      ? "reading the page"
                          : c->state == CONN_UPGRADE                                   ? "in the upgrade"
                                                                                       : "joining");
            if (r->phase != PHASE_SETUP) return;
        }
        return;
    }
    if (r->phase == PHASE_DONE) return;
    if (now >= r->next_heartbeat_ns) {
        r->next_heartbeat_ns = now + (uint64_t)(r->config->heartbeat_interval * NS_PER_S);
        heartbeats(r, now);
    }
    if (r->phase == PHASE_WARMUP && now >= r->phase_end_ns) {
        begin_measure(r, now);
    } else if ((r->phase == PHASE_MEASURE || r->phase == PHASE_HOLD) && now >= r->phase_end_ns) {
        r->phase = PHASE_DRAIN;
        r->phase_end_ns = now + (uint64_t)(r->config->drain_timeout * NS_PER_S);
    }
    /* Heartbeats sent are waited for too, so every one is counted; and
     * when the server pushes diffs (a broadcast), its fan-out of the last
     * clicks may still be on its way after their replies: the drain lasts
     * until no push came for PUSH_QUIET_MS, so the server's CPU time for
     * them is matched by the pushes counted. */
    bool pushes_quiet = r->result->pushes == 0 || now - r->last_push_ns >= PUSH_QUIET_MS * 1000000ull;
    if (r->phase == PHASE_DRAIN &&
        ((r->in_flight == 0 && r->heartbeats_in_flight == 0 && pushes_quiet) || now >= r->phase_end_ns))
        run_finish(r);
}

/* ---- the run ------------------------------------------------------------ */

static void conn_free(conn *c)
{
    lv_buf *bufs[] = {&c->header_field, &c->header_value, &c->body, &c->cookies, &c->in, &c->out, &c->writing,
                      &c->fragments, &c->event_head, &c->event_tail, &c->scratch};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) lv_buf_free(bufs[i]);
    load_page_free(&c->page);
    free(c->slot_ref);
    free(c->slot_sent_ns);
}

int load_run(const load_config *config, const load_hooks *hooks, load_result *result)
{
    memset(result, 0, sizeof *result);
    run *r = lv_xcalloc(1, sizeof *r);
    r->config = config;
    r->hooks = hooks;
    r->result = result;
    r->read_buffer = lv_xmalloc(READ_BUFFER_SIZE);
    snprintf(r->host, sizeof r->host, "%s", config->url.origin + strlen("http://"));
    if (getrandom(&r->rng, sizeof r->rng, 0) != sizeof r->rng || r->rng == 0) r->rng = (uint32_t)uv_hrtime() | 1;
    uv_loop_init(&r->loop);
    uv_timer_init(&r->loop, &r->tick);
    r->tick.data = r;
    /* The idle connections come after the clicking ones. */
    r->total = config->connections + config->idle;
    r->conns = lv_xcalloc((size_t)r->total, sizeof *r->conns);
    for (int i = 0; i < r->total; i++) {
        conn *c = &r->conns[i];
        c->run = r;
        c->idle = i >= config->connections;
        c->next_ref = 1;
        c->slot_ref = lv_xcalloc((size_t)config->pipeline, sizeof *c->slot_ref);
        c->slot_sent_ns = lv_xcalloc((size_t)config->pipeline, sizeof *c->slot_sent_ns);
    }
    r->start_ns = uv_hrtime();
    uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
    start_more(r);
    uv_run(&r->loop, UV_RUN_DEFAULT);

    int rc = uv_loop_close(&r->loop);
    if (rc != 0) fprintf(stderr, "liveview-load: the loop did not close cleanly: %s\n", uv_strerror(rc));
    for (int i = 0; i < r->total; i++) conn_free(&r->conns[i]);
    free(r->conns);
    free(r->read_buffer);
    int status = result->joined > 0 ? 0 : -1;
    free(r);
    return status;
}
