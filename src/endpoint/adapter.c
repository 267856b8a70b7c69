/* The integration API (include/liveview_adapter.h): requests and sockets
 * handed in from any thread, handled on the app's loops by the endpoint
 * (endpoint.c), answered through the adapter's callbacks on those loops.
 *
 * A call made on a loop thread is handled there at once (the built-in
 * server's path: no copy, no queue, no allocation per message); a call from
 * any other thread is copied into a task on the loop's queue
 * (lv_loop_post), which keeps one socket's messages in the order their
 * calls returned. A socket stays on the loop that opened it. */
#include "endpoint/adapter.h"

#include <stdlib.h>
#include <string.h>

#include "endpoint/longpoll.h"
#include "util/log.h"

static bool loops_accept_work(lv_app *app)
{
    return atomic_load(&app->running) && !atomic_load(&app->stop_requested);
}

/* Requests and sockets from other threads are spread over the loops. */
static lv_loop *next_loop(lv_app *app)
{
    unsigned i = atomic_fetch_add(&app->adapter_next_loop, 1);
    return &app->loops[i % app->loop_count];
}

static bool request_well_formed(const lv_adapter_request *req)
{
    return req && req->method && req->method[0] && req->target && req->target[0] == '/';
}

/* ------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------ */

/* One request on its way to a loop, with copies of everything it points
 * to (the adapter's strings are borrowed for the call only). */
typedef struct adapter_http {
    lv_app *app;
    lv_loop *loop;
    lv_adapter_respond_fn respond;
    void *respond_ctx;
    lv_http_request req;   /* points into the block after this struct */
    void *held_ctx;        /* the endpoint's, while held */
    struct adapter_http *prev, *next; /* the loop's adapter_held, while held */
} adapter_http;

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static char *put_str(char **cursor, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *at = *cursor;
    memcpy(at, s, n);
    *cursor += n;
    return at;
}

/* Copies req into one allocation, its target split into path and query.
 * Returns NULL for a malformed request. Freed with free(). */
static adapter_http *adapter_http_new(const lv_adapter_request *req)
{
    if (!request_well_formed(req)) return NULL;
    size_t pairs = 0, size = str_size(req->method) + str_size(req->target) + str_size(req->peer_addr);
    for (const char *const *h = req->headers; h && h[0]; h += 2, pairs++)
        size += str_size(h[0]) + str_size(h[1] ? h[1] : "");
    size_t head = sizeof(adapter_http) + (2 * pairs + 1) * sizeof(char *);
    adapter_http *h = lv_xcalloc(1, head + size + req->body_len + 1);
    const char **headers = (const char **)(h + 1);
    char *cursor = (char *)h + head;
    h->req.method = put_str(&cursor, req->method);
    char *path = put_str(&cursor, req->target);
    char *query = strchr(path, '?');
    if (query) *query++ = '\0';
    h->req.path = path;
    h->req.query = query;
    for (size_t i = 0; i < pairs; i++) {
        headers[2 * i] = put_str(&cursor, req->headers[2 * i]);
        headers[2 * i + 1] = put_str(&cursor, req->headers[2 * i + 1] ? req->headers[2 * i + 1] : "");
    }
    headers[2 * pairs] = NULL;
    h->req.headers = headers;
    const char *peer = put_str(&cursor, req->peer_addr);
    h->req.peer_addr = peer ? peer : "";
    h->req.peer_port = req->peer_port;
    if (req->body && req->body_len) {
        memcpy(cursor, req->body, req->body_len);
        h->req.body = cursor;
        h->req.body_len = req->body_len;
    }
    h->req.adapter_data = req->user_data;
    return h;
}

static const char nosniff[] = "X-Content-Type-Options: nosniff\r\n";

/* Hands res to the adapter in the public form, with what the built-in
 * server adds to every response (nosniff). */
static void deliver(adapter_http *h, const lv_http_response *res)
{
    lv_buf headers = LV_BUF_INIT;
    if (res->headers.len) lv_buf_append(&headers, res->headers.data, res->headers.len);
    lv_buf_append(&headers, nosniff, sizeof nosniff - 1);
    lv_adapter_response out = {
        .status = res->status,
        .reason = lv_http_status_text(res->status),
        .content_type = res->content_type,
        .headers = headers.data,
        .headers_len = headers.len,
        .body = res->body,
        .body_len = res->body_len,
        .head_only = res->head_only || strcmp(h->req.method, "HEAD") == 0,
        .close = res->close,
    };
    h->respond(h->respond_ctx, &out);
    lv_buf_free(&headers);
}

static void held_unlink(adapter_http *h)
{
    if (h->prev)
        h->prev->next = h->next;
    else
        h->loop->adapter_held = h->next;
    if (h->next) h->next->prev = h->prev;
    h->prev = h->next = NULL;
}

/* The endpoint answers a held request (a long poll), on h's loop. */
static void hold_respond(void *handle, const lv_http_response *res)
{
    adapter_http *h = handle;
    held_unlink(h);
    deliver(h, res);
    free(h);
}

static const lv_http_hold_ops hold_ops = {hold_respond};

static void answer_error(adapter_http *h, int status)
{
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    lv_http_response_error(&res, status, true);
    deliver(h, &res);
    lv_http_response_free(&res);
}

/* On h's loop: the endpoint answers now, or holds h until hold_respond. */
static void http_run(adapter_http *h)
{
    lv_endpoint ep = lv_app_endpoint(h->app);
    h->req.hold = (lv_http_hold){&hold_ops, h};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, &h->req, &res);
    if (res.held) {
        h->held_ctx = res.held_ctx;
        h->next = h->loop->adapter_held;
        if (h->next) h->next->prev = h;
        h->loop->adapter_held = h;
        lv_http_response_free(&res);
        return;
    }
    deliver(h, &res);
    lv_http_response_free(&res);
    free(h);
}

static void http_task(lv_app *app, void *arg)
{
    adapter_http *h = arg;
    /* A run that failed to start runs its tasks on the starting thread. */
    if (lv_app_current_loop(app) != h->loop) {
        answer_error(h, 503);
        free(h);
        return;
    }
    http_run(h);
}

int lv_adapter_http(lv_app *app, const lv_adapter_request *req, lv_adapter_respond_fn respond,
                    void *ctx)
{
    if (!app || !respond) return -1;
    lv_loop *here = lv_app_current_loop(app);
    if (!here && !loops_accept_work(app)) return -1;
    adapter_http *h = adapter_http_new(req);
    if (!h) {
        lv_log_info("adapter request refused: no method, or a target not starting with '/'");
        return -1;
    }
    h->app = app;
    h->respond = respond;
    h->respond_ctx = ctx;
    if (here) {
        h->loop = here;
        http_run(h);
        return 0;
    }
    h->loop = next_loop(app);
    if (lv_loop_post(h->loop, http_task, h) != 0) {
        free(h);
        return -1;
    }
    return 0;
}

bool lv_adapter_wants_body(lv_app *app, const char *method, const char *target)
{
    if (!app || !method || !target) return false;
    const char *q = strchr(target, '?');
    size_t n = q ? (size_t)(q - target) : strlen(target);
    char *path = lv_xmalloc(n + 1);
    memcpy(path, target, n);
    path[n] = '\0';
    lv_endpoint ep = lv_app_endpoint(app);
    bool wants = !ep.wants_body || ep.wants_body(ep.ctx, method, path);
    free(path);
    return wants;
}

/* lv_adapter_http_wait's rendezvous with the loop. */
typedef struct http_waiter {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done;
    lv_adapter_reply *out;
} http_waiter;

/* Copies res into one block the reply owns. */
static void reply_copy(lv_adapter_reply *out, const lv_adapter_response *res)
{
    size_t size = str_size(res->reason) + str_size(res->content_type) + res->headers_len + 1 +
                  res->body_len + 1;
    char *block = lv_xmalloc(size), *cursor = block;
    out->storage = block;
    out->response = *res;
    out->response.reason = put_str(&cursor, res->reason);
    out->response.content_type = put_str(&cursor, res->content_type);
    memcpy(cursor, res->headers ? res->headers : "", res->headers_len);
    cursor[res->headers_len] = '\0';
    out->response.headers = cursor;
    cursor += res->headers_len + 1;
    if (res->body_len) memcpy(cursor, res->body, res->body_len);
    cursor[res->body_len] = '\0';
    out->response.body = cursor;
}

static void waiter_respond(void *ctx, const lv_adapter_response *res)
{
    http_waiter *w = ctx;
    reply_copy(w->out, res);
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->done_cond);
    pthread_mutex_unlock(&w->lock);
}

int lv_adapter_http_wait(lv_app *app, const lv_adapter_request *req, lv_adapter_reply *out)
{
    if (!out) return -1;
    *out = (lv_adapter_reply){0};
    if (!app) return -1;
    if (lv_app_current_loop(app) && atomic_load(&app->running)) {
        lv_log_error("lv_adapter_http_wait: called on a loop thread, which would wait for itself");
        return -1;
    }
    http_waiter w = {.out = out};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.done_cond, NULL);
    int rc = lv_adapter_http(app, req, waiter_respond, &w);
    if (rc == 0) {
        pthread_mutex_lock(&w.lock);
        while (!w.done) pthread_cond_wait(&w.done_cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
    }
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.done_cond);
    return rc;
}

void lv_adapter_reply_free(lv_adapter_reply *reply)
{
    if (!reply) return;
    free(reply->storage);
    *reply = (lv_adapter_reply){0};
}

/* ------------------------------------------------------------------------
 * Sockets
 * ------------------------------------------------------------------------ */

static void socket_unref(lv_adapter_socket *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1) return;
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->ended_cond);
    free(s);
}

/* The channel's send function: the adapter's, until it was asked to close. */
static void socket_send(void *arg, const char *data, size_t len)
{
    lv_adapter_socket *s = arg;
    if (!s->close_requested) s->send_text(s->ctx, data, len);
}

static void stop_grace(lv_adapter_socket *s)
{
    if (!s->grace_timer) return;
    if (s->loop->runtime.timer_stop) s->loop->runtime.timer_stop(s->loop->runtime.ctx, s->grace_timer);
    s->grace_timer = NULL;
}

/* On the loop: asks the adapter to close, once; nothing is sent after. */
static void request_close(lv_adapter_socket *s, uint16_t code, const char *reason)
{
    if (s->close_requested) return;
    s->close_requested = true;
    stop_grace(s);
    s->close(s->ctx, code, reason);
}

static bool socket_joined_any(const lv_adapter_socket *s)
{
    return s->base.channel.view_count > 0 || s->base.channel.upload_count > 0;
}

/* The built-in server keeps this deadline itself (its sweep); for an
 * adapter's socket it is a timer of the loop's. */
static void grace_expired(void *arg)
{
    lv_adapter_socket *s = arg;
    if (socket_joined_any(s)) return;
    lv_log_info("closing an adapter's socket that joined nothing within %u s",
                s->app->config.join_grace_s);
    request_close(s, 1008, "joined nothing");
}

/* On the loop: ends the channel (the views terminate) and lets closed
 * return. */
static void end_socket(lv_adapter_socket *s, lv_terminate_reason reason)
{
    if (!s->channel_open) return;
    s->channel_open = false;
    s->close_requested = true;
    stop_grace(s);
    if (!s->builtin) {
        if (s->prev)
            s->prev->next = s->next;
        else
            s->loop->adapter_sockets = s->next;
        if (s->next) s->next->prev = s->prev;
    }
    lv_channel_close(&s->base.channel, reason);
    pthread_mutex_lock(&s->lock);
    s->ended = true;
    pthread_cond_broadcast(&s->ended_cond);
    pthread_mutex_unlock(&s->lock);
}

/* On loop's thread: the socket policy, then a channel. */
static int open_here(lv_app *app, lv_loop *loop, const lv_http_request *http,
                     void (*send_text)(void *, const char *, size_t),
                     void (*close)(void *, uint16_t, const char *), void *ctx, bool builtin,
                     lv_adapter_socket **out)
{
    lv_socket_admission admission;
    int refused = lv_socket_admit(app, http, &admission);
    if (refused) return refused;
    atomic_fetch_add(&loop->sockets_opened, 1);
    lv_adapter_socket *s = lv_xcalloc(1, sizeof *s);
    s->app = app;
    s->loop = loop;
    s->send_text = send_text;
    s->close = close;
    s->ctx = ctx;
    s->builtin = builtin;
    atomic_init(&s->queued, 0);
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->ended_cond, NULL);
    lv_socket_channel_init(&s->base.channel, app, http, &admission, socket_send, s);
    s->channel_open = true;
    if (!builtin) {
        s->next = loop->adapter_sockets;
        if (s->next) s->next->prev = s;
        loop->adapter_sockets = s;
        unsigned grace = app->config.join_grace_s;
        if (grace && loop->runtime.timer_start)
            s->grace_timer = loop->runtime.timer_start(loop->runtime.ctx, grace * 1000ull, 0,
                                                       grace_expired, s);
    }
    *out = s;
    return 0;
}

/* lv_adapter_socket_open's rendezvous with the socket's loop. */
typedef struct open_call {
    lv_loop *loop;
    const lv_http_request *http;
    const lv_adapter_socket_ops *ops;
    void *ctx;
    lv_adapter_socket *socket;
    int result;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    bool done;
} open_call;

static void open_task(lv_app *app, void *arg)
{
    open_call *call = arg;
    call->result = -1;
    if (lv_app_current_loop(app) == call->loop)
        call->result = open_here(app, call->loop, call->http, call->ops->send_text,
                                 call->ops->close, call->ctx, false, &call->socket);
    pthread_mutex_lock(&call->lock);
    call->done = true;
    pthread_cond_signal(&call->done_cond);
    pthread_mutex_unlock(&call->lock);
}

int lv_adapter_socket_open(lv_app *app, const lv_adapter_request *upgrade,
                           const lv_adapter_socket_ops *ops, void *ctx, lv_adapter_socket **out)
{
    if (out) *out = NULL;
    if (!app || !out || !ops || !ops->send_text || !ops->close) return -1;
    if (!request_well_formed(upgrade)) return 400;
    lv_loop *here = lv_app_current_loop(app);
    if (!here && !loops_accept_work(app)) return -1;
    /* The caller waits, so only the target needs a copy (to split it). */
    char *path = lv_xstrdup(upgrade->target);
    char *query = strchr(path, '?');
    if (query) *query++ = '\0';
    lv_http_request http = {
        .method = upgrade->method,
        .path = path,
        .query = query,
        .headers = upgrade->headers,
        .peer_addr = upgrade->peer_addr ? upgrade->peer_addr : "",
        .peer_port = upgrade->peer_port,
        .adapter_data = upgrade->user_data,
    };
    int result;
    if (here) {
        result = open_here(app, here, &http, ops->send_text, ops->close, ctx, false, out);
    } else {
        open_call call = {.loop = next_loop(app), .http = &http, .ops = ops, .ctx = ctx, .result = -1};
        pthread_mutex_init(&call.lock, NULL);
        pthread_cond_init(&call.done_cond, NULL);
        if (lv_loop_post(call.loop, open_task, &call) == 0) {
            pthread_mutex_lock(&call.lock);
            while (!call.done) pthread_cond_wait(&call.done_cond, &call.lock);
            pthread_mutex_unlock(&call.lock);
        }
        pthread_mutex_destroy(&call.lock);
        pthread_cond_destroy(&call.done_cond);
        result = call.result;
        if (result == 0) *out = call.socket;
    }
    free(path);
    return result;
}

static void handle_message(lv_adapter_socket *s, bool binary, const void *data, size_t len)
{
    if (binary)
        lv_channel_handle_binary(&s->base.channel, data, len);
    else
        lv_channel_handle_text(&s->base.channel, data, len);
}

/* A message from another thread, with its copy. */
typedef struct posted_message {
    lv_adapter_socket *socket;
    bool binary;
    size_t len;
    char data[];
} posted_message;

static void message_task(lv_app *app, void *arg)
{
    posted_message *m = arg;
    lv_adapter_socket *s = m->socket;
    atomic_fetch_sub(&app->adapter_queued_bytes, m->len);
    if (lv_app_current_loop(app) == s->loop && s->channel_open && !s->close_requested)
        handle_message(s, m->binary, m->data, m->len);
    atomic_fetch_sub(&s->queued, 1);
    socket_unref(s);
    free(m);
}

/* A close the library decided off the loop (a message refused). */
typedef struct posted_close {
    lv_adapter_socket *socket;
    uint16_t code;
    const char *reason; /* static */
} posted_close;

static void close_request_task(lv_app *app, void *arg)
{
    posted_close *c = arg;
    lv_adapter_socket *s = c->socket;
    if (lv_app_current_loop(app) == s->loop && s->channel_open) request_close(s, c->code, c->reason);
    socket_unref(s);
    free(c);
}

static void post_close_request(lv_adapter_socket *s, uint16_t code, const char *reason)
{
    posted_close *c = lv_xmalloc(sizeof *c);
    *c = (posted_close){s, code, reason};
    atomic_fetch_add(&s->refs, 1);
    if (lv_loop_post(s->loop, close_request_task, c) != 0) {
        atomic_fetch_sub(&s->refs, 1);
        free(c);
    }
}

static int feed(lv_adapter_socket *s, bool binary, const void *data, size_t len)
{
    if (!s || (!data && len)) return -1;
    lv_app *app = s->app;
    size_t max = app->config.max_message_bytes;
    /* On the socket's loop, with nothing of it queued: handled now. */
    if (lv_app_current_loop(app) == s->loop && atomic_load(&s->queued) == 0) {
        if (!s->channel_open || s->close_requested) return -1;
        if (max && len > max) {
            request_close(s, 1009, "message too big");
            return -1;
        }
        handle_message(s, binary, data, len);
        return 0;
    }
    if (max && len > max) {
        post_close_request(s, 1009, "message too big");
        return -1;
    }
    size_t budget = app->config.max_buffered_bytes;
    size_t before = atomic_fetch_add(&app->adapter_queued_bytes, len);
    if (budget && before + len > budget) {
        atomic_fetch_sub(&app->adapter_queued_bytes, len);
        lv_log_warn("an adapter's socket closed: max_buffered_bytes are queued for the loops");
        post_close_request(s, 1013, "server busy");
        return -1;
    }
    posted_message *m = lv_xmalloc(sizeof *m + len + 1);
    m->socket = s;
    m->binary = binary;
    m->len = len;
    if (len) memcpy(m->data, data, len);
    m->data[len] = '\0';
    atomic_fetch_add(&s->queued, 1);
    atomic_fetch_add(&s->refs, 1);
    if (lv_loop_post(s->loop, message_task, m) != 0) {
        atomic_fetch_sub(&app->adapter_queued_bytes, len);
        atomic_fetch_sub(&s->queued, 1);
        atomic_fetch_sub(&s->refs, 1);
        free(m);
        return -1;
    }
    return 0;
}

int lv_adapter_socket_text(lv_adapter_socket *socket, const char *data, size_t len)
{
    return feed(socket, false, data, len);
}

int lv_adapter_socket_binary(lv_adapter_socket *socket, const void *data, size_t len)
{
    return feed(socket, true, data, len);
}

static lv_terminate_reason close_reason(const lv_app *app)
{
    return atomic_load(&app->stop_requested) ? LV_TERMINATE_SHUTDOWN : LV_TERMINATE_CLOSED;
}

static void closed_task(lv_app *app, void *arg)
{
    lv_adapter_socket *s = arg;
    if (lv_app_current_loop(app) == s->loop) end_socket(s, close_reason(app));
    socket_unref(s);
}

void lv_adapter_socket_closed(lv_adapter_socket *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    bool ended = s->ended;
    pthread_mutex_unlock(&s->lock);
    if (ended) { /* the app stopped first: s->app may be gone */
        socket_unref(s);
        return;
    }
    lv_app *app = s->app;
    if (lv_app_current_loop(app) == s->loop) {
        end_socket(s, close_reason(app)); /* queued messages find it ended */
        socket_unref(s);
        return;
    }
    atomic_fetch_add(&s->refs, 1);
    /* A closed queue means the loop is stopping: it ends the socket itself. */
    if (lv_loop_post(s->loop, closed_task, s) != 0) atomic_fetch_sub(&s->refs, 1);
    pthread_mutex_lock(&s->lock);
    while (!s->ended) pthread_cond_wait(&s->ended_cond, &s->lock);
    pthread_mutex_unlock(&s->lock);
    socket_unref(s);
}

void *lv_request_adapter_data(const lv_request *req)
{
    return req ? req->adapter_data : NULL;
}

/* ------------------------------------------------------------------------
 * The built-in server's sockets and the loop's stop
 * ------------------------------------------------------------------------ */

int lv_adapter_builtin_upgrade(void *ctx, const lv_http_request *http, lv_endpoint_conn conn,
                               void **conn_ctx)
{
    lv_app *app = ctx;
    lv_loop *loop = lv_app_current_loop(app);
    if (!loop) loop = &app->loops[0];
    lv_adapter_socket *s = NULL;
    int rc = open_here(app, loop, http, conn.ops->send_text, conn.ops->close, conn.handle, true, &s);
    *conn_ctx = s;
    return rc;
}

void lv_adapter_builtin_text(void *conn_ctx, const char *data, size_t len)
{
    lv_adapter_socket_text(conn_ctx, data, len);
}

void lv_adapter_builtin_binary(void *conn_ctx, const uint8_t *data, size_t len)
{
    lv_adapter_socket_binary(conn_ctx, data, len);
}

bool lv_adapter_builtin_joined_any(void *conn_ctx)
{
    return socket_joined_any(conn_ctx);
}

void lv_adapter_builtin_close(void *conn_ctx, lv_endpoint_close reason)
{
    (void)reason; /* a stop is told by the app's stop_requested, as for adapters */
    lv_adapter_socket_closed(conn_ctx);
}

void lv_adapter_loop_stopping(lv_app *app)
{
    lv_loop *loop = lv_app_current_loop(app);
    if (!loop) return;
    while (loop->adapter_sockets) {
        lv_adapter_socket *s = loop->adapter_sockets;
        request_close(s, 1001, "server stopping");
        end_socket(s, LV_TERMINATE_SHUTDOWN);
    }
    /* What the long poll did not answer (its own sessions it did). */
    while (loop->adapter_held) {
        adapter_http *h = loop->adapter_held;
        held_unlink(h);
        lv_longpoll_held_close(h->held_ctx, LV_ENDPOINT_SHUTDOWN);
        answer_error(h, 503);
        free(h);
    }
}
