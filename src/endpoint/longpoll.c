/* The long-poll transport: sessions, their queues and timers, and the
 * answers the phoenix.js 1.8 LongPoll client expects (endpoint/longpoll.h). */
#include "endpoint/longpoll.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channel/channel.h"
#include "endpoint/endpoint.h"
#include "security/token.h"
#include "util/json.h"
#include "util/base64url.h"
#include "util/log.h"
#include "util/random.h"

#define SESSION_ID_BYTES 16
#define SESSION_ID_LEN 22 /* base64url of 16 bytes */
#define TOKEN_TEXT_MAX 1024

typedef struct lp_session lp_session;

/* What a held request's held_ctx points at: a session's own GET, or a
 * relay (a request handed to another loop). Both structs start with it. */
typedef enum lp_held_kind { LP_HELD_SESSION, LP_HELD_RELAY } lp_held_kind;

struct lp_session {
    lp_held_kind held_kind; /* LP_HELD_SESSION */
    lv_app *app;
    lp_session *prev, *next; /* in the table, under its lock */
    char id[SESSION_ID_LEN + 1];
    char *token; /* owned: every GET answer carries it back */
    /* The cookie session that opened it ("" for none): the only one that
     * may use it. */
    char bound_state[LV_CSRF_STATE_LEN + 1];
    pthread_t owner; /* the loop thread its views live on */
    lv_loop *loop;   /* that loop (NULL in view tests): its runtime, its task queue */
    lv_channel channel;
    /* Frames waiting for a GET, as the JSON strings of the answer's
     * "messages" array, comma-separated. */
    lv_buf queue;
    lv_http_hold waiter; /* the held GET; ops NULL when none */
    void *timer;         /* the poll window while a GET is held, else the idle expiry */
    bool dispatching;    /* handling a POST's messages: answer the GET after them */
    bool ending;         /* over a limit: ended as soon as no channel call runs */
};

struct lv_longpoll {
    pthread_mutex_t lock;
    lp_session *sessions;
    size_t count;
};

/* ------------------------------------------------------------------------
 * The table
 * ------------------------------------------------------------------------ */

static void table_free(struct lv_longpoll *lp);

static struct lv_longpoll *table_of(lv_app *app)
{
    static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&create_lock);
    if (!app->longpoll) {
        struct lv_longpoll *lp = lv_xcalloc(1, sizeof *lp);
        pthread_mutex_init(&lp->lock, NULL);
        app->longpoll = lp;
        app->longpoll_free = table_free;
    }
    pthread_mutex_unlock(&create_lock);
    return app->longpoll;
}

/* Adds s unless the table is full. */
static bool table_insert(lv_app *app, lp_session *s)
{
    struct lv_longpoll *lp = table_of(app);
    pthread_mutex_lock(&lp->lock);
    bool room = lp->count < app->config.longpoll_max_sessions;
    if (room) {
        s->next = lp->sessions;
        if (lp->sessions) lp->sessions->prev = s;
        lp->sessions = s;
        lp->count++;
    }
    pthread_mutex_unlock(&lp->lock);
    return room;
}

static void table_unlink_locked(struct lv_longpoll *lp, lp_session *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        lp->sessions = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
    lp->count--;
}

/* The session with that id, or NULL. Only its owner thread frees a
 * session, so a session found by its owner stays valid after the unlock.
 * A session of another loop is not returned: *elsewhere is its loop. */
static lp_session *table_find(lv_app *app, const char *id, lv_loop **elsewhere)
{
    struct lv_longpoll *lp = table_of(app);
    pthread_mutex_lock(&lp->lock);
    lp_session *s = lp->sessions;
    while (s && strcmp(s->id, id) != 0) s = s->next;
    bool foreign = s && !pthread_equal(s->owner, pthread_self());
    *elsewhere = foreign ? s->loop : NULL;
    pthread_mutex_unlock(&lp->lock);
    return foreign ? NULL : s;
}

size_t lv_longpoll_session_count(lv_app *app)
{
    struct lv_longpoll *lp = table_of(app);
    pthread_mutex_lock(&lp->lock);
    size_t n = lp->count;
    pthread_mutex_unlock(&lp->lock);
    return n;
}

/* ------------------------------------------------------------------------
 * Answers
 * ------------------------------------------------------------------------ */

/* {"status":N} with, for a GET, the token and the messages (taken from
 * *messages when not NULL). Phoenix answers HTTP 200 and puts the status
 * the client acts on in the body; refused bodies also get it as the HTTP
 * status, for logs and proxies. */
static void answer(lv_http_response *res, int http_status, int status, const char *token,
                   lv_buf *messages)
{
    res->status = http_status;
    lv_http_response_set_type(res, "application/json; charset=utf-8");
    lv_buf_puts(&res->headers, "Cache-Control: no-store\r\n");
    lv_buf body = LV_BUF_INIT;
    lv_buf_printf(&body, "{\"status\":%d", status);
    if (token) {
        lv_buf_puts(&body, ",\"token\":");
        lv_json_cstr(&body, token);
        lv_buf_puts(&body, ",\"messages\":[");
        if (messages && messages->len) lv_buf_append(&body, messages->data, messages->len);
        lv_buf_putc(&body, ']');
    }
    lv_buf_putc(&body, '}');
    if (messages) lv_buf_reset(messages);
    lv_http_response_take_body(res, &body);
}

static void refuse_body(lv_http_response *res, int status, const char *why)
{
    answer(res, status, status, NULL, NULL);
    /* Said in the body too: a person reading the network panel sees why. */
    lv_buf body = LV_BUF_INIT;
    lv_buf_printf(&body, "{\"status\":%d,\"error\":", status);
    lv_json_cstr(&body, why);
    lv_buf_putc(&body, '}');
    lv_http_response_take_body(res, &body);
}

/* ------------------------------------------------------------------------
 * Session lifetime: timers, the held GET, the end
 * ------------------------------------------------------------------------ */

static unsigned window_ms(const lv_app *app)
{
    unsigned w = app->config.longpoll_window_ms;
    return w < 100 ? 100 : w;
}

/* The owner loop's runtime: its timers run on the session's thread. */
static const lv_runtime *runtime_of(const lp_session *s)
{
    static const lv_runtime none = {0};
    return s->loop ? &s->loop->runtime : &none;
}

static void timer_stop(lp_session *s)
{
    const lv_runtime *rt = runtime_of(s);
    if (s->timer && rt->timer_stop) rt->timer_stop(rt->ctx, s->timer);
    s->timer = NULL;
}

/* Without a runtime (view tests) there are no timers: sessions then end
 * only at a request, at stopping or with the app. */
static void timer_arm(lp_session *s, uint64_t ms, void (*fire)(void *))
{
    timer_stop(s);
    const lv_runtime *rt = runtime_of(s);
    if (rt->timer_start) s->timer = rt->timer_start(rt->ctx, ms, 0, fire, s);
}

/* Answers the held GET: the queued messages (status 200), nothing (204) or
 * "gone" (410). */
static void answer_waiter(lp_session *s, int status)
{
    lv_http_hold w = s->waiter;
    s->waiter.ops = NULL;
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    answer(&res, 200, status, s->token, status == 200 ? &s->queue : NULL);
    w.ops->respond(w.handle, &res);
    lv_http_response_free(&res);
}

/* Ends a session: answers its held GET "gone", ends its views (terminate
 * runs) and frees it. Never called from inside its channel's own call. */
static void end_session(lp_session *s, lv_terminate_reason reason, const char *why, bool unlink)
{
    if (unlink) {
        struct lv_longpoll *lp = table_of(s->app);
        pthread_mutex_lock(&lp->lock);
        table_unlink_locked(lp, s);
        pthread_mutex_unlock(&lp->lock);
    }
    timer_stop(s);
    if (s->waiter.ops) answer_waiter(s, 410);
    lv_log_info("long-poll session ended (%s): %u view(s) end%s%s", why, s->channel.view_count,
                s->channel.view_count ? ", the first " : "",
                s->channel.view_count ? s->channel.views[0].topic : "");
    lv_channel_close(&s->channel, reason);
    free(s->token);
    lv_buf_free(&s->queue);
    free(s);
}

static void on_idle(void *arg)
{
    lp_session *s = arg;
    timer_stop(s);
    end_session(s, LV_TERMINATE_CLOSED, s->ending ? "over a limit" : "expired: no poll", true);
}

static void arm_idle(lp_session *s)
{
    timer_arm(s, (uint64_t)window_ms(s->app) * 3 / 2, on_idle);
}

static void on_window(void *arg)
{
    lp_session *s = arg;
    timer_stop(s);
    if (s->waiter.ops) answer_waiter(s, 204);
    arm_idle(s);
}

/* Over a limit: nothing more is queued and the session ends once the
 * channel's call returns (a timer turn, or the POST that caused it). */
static void begin_end(lp_session *s, const char *why)
{
    if (s->ending) return;
    lv_log_warn("long-poll session closing: %s", why);
    s->ending = true;
    lv_buf_free(&s->queue);
    timer_arm(s, 0, on_idle);
}

/* The channel's send: queues one frame for the next GET. */
static void session_send(void *ctx, const char *data, size_t len)
{
    lp_session *s = ctx;
    if (s->ending) return;
    if (s->queue.len) lv_buf_putc(&s->queue, ',');
    lv_json_str(&s->queue, data, len);
    if (s->queue.len > s->app->config.max_outbound_bytes) {
        begin_end(s, "more queued than max_outbound_bytes (the client does not poll)");
        return;
    }
    if (s->waiter.ops && !s->dispatching) {
        answer_waiter(s, 200);
        arm_idle(s);
    }
}

/* ------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------ */

/* The token parameter of the query, copied into out; false when absent,
 * empty or too long to be ours. */
static bool query_token(const char *query, char *out, size_t size)
{
    for (const char *p = query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > 6 && strncmp(p, "token=", 6) == 0) {
            if (n - 6 >= size) return false;
            memcpy(out, p + 6, n - 6);
            out[n - 6] = '\0';
            return true;
        }
        p = end ? end + 1 : NULL;
    }
    return false;
}

static char *sign_token(lv_app *app, const char *id)
{
    json_t *claims = json_pack("{ss}", "sid", id);
    char *token = lv_token_sign(&app->longpoll_key, claims, lv_now_seconds(), app->config.session_ttl_s);
    json_decref(claims);
    return token;
}

/* The session a request's token names, or NULL with the status to answer:
 * 410 for a token that is not (or no longer) a session here, 403 for one
 * used from another cookie session. */
static lp_session *resume(lv_app *app, const lv_http_request *http,
                          const lv_socket_admission *admission, int *status, lv_loop **elsewhere)
{
    *status = 410;
    *elsewhere = NULL;
    char token[TOKEN_TEXT_MAX];
    if (!query_token(http->query, token, sizeof token)) return NULL;
    json_t *claims = NULL;
    lv_token_status ts =
        lv_token_verify(&app->longpoll_key, token, strlen(token), lv_now_seconds(), &claims);
    if (ts != LV_TOKEN_OK) {
        lv_log_info("long-poll token refused: %s", lv_token_status_str(ts));
        return NULL;
    }
    const char *id = json_string_value(json_object_get(claims, "sid"));
    lp_session *s = id ? table_find(app, id, elsewhere) : NULL;
    json_decref(claims);
    if (!s) return NULL; /* expired or ended: the client opens a new one */
    if (strcmp(s->bound_state, admission->cookie_state) != 0) {
        lv_log_warn("long-poll token used with another cookie session: refused");
        *status = 403;
        return NULL;
    }
    if (s->ending) {
        end_session(s, LV_TERMINATE_CLOSED, "over a limit", true);
        return NULL;
    }
    return s;
}

/* A GET without a token: a new session, answered 410 with its token (the
 * client's "open"). */
static void open_session(lv_app *app, const lv_http_request *http,
                         const lv_socket_admission *admission, lv_http_response *res)
{
    lp_session *s = lv_xcalloc(1, sizeof *s);
    s->held_kind = LP_HELD_SESSION;
    s->app = app;
    s->owner = pthread_self();
    s->loop = lv_app_current_loop(app);
    lv_random_id(s->id, SESSION_ID_BYTES);
    memcpy(s->bound_state, admission->cookie_state, sizeof s->bound_state);
    if (!table_insert(app, s)) {
        free(s);
        lv_log_warn("long-poll session refused: %u sessions are open (longpoll_max_sessions)",
                    app->config.longpoll_max_sessions);
        answer(res, 200, 500, NULL, NULL); /* the client retries later */
        return;
    }
    s->token = sign_token(app, s->id);
    lv_socket_channel_init(&s->channel, app, http, admission, session_send, s);
    answer(res, 200, 410, s->token, NULL);
    arm_idle(s);
}

static void serve_get(lv_app *app, const lv_http_request *http,
                      const lv_socket_admission *admission, lv_http_response *res);
static void serve_post(lv_app *app, const lv_http_request *http,
                       const lv_socket_admission *admission, lv_http_response *res);

/* ------------------------------------------------------------------------
 * Hand-off: a request for a session of another loop
 *
 * With several loops (docs/workers.md) a session's GET and POST arrive on
 * any loop. The loop that received one (home) holds it on its connection
 * and posts a copy to the session's loop (owner), which serves it as a
 * local request whose hold is the relay; the answer is copied and posted
 * back home, which sends it. Two references: home's (let go when it
 * answers or its connection closes, on_held_close) and owner's (carried by
 * the task that brings the answer home). Each side lets go on its own
 * thread; the last frees it.
 * ------------------------------------------------------------------------ */

typedef enum lp_relay_state { RELAY_AWAY, RELAY_CANCELLED, RELAY_ANSWERED } lp_relay_state;

typedef struct lp_relay {
    lp_held_kind held_kind; /* LP_HELD_RELAY */
    atomic_int refs;
    atomic_int state;  /* lp_relay_state; written by home only */
    lv_loop *home, *owner;
    lv_http_hold hold; /* the held request on home's connection */
    /* The request, copied (the server's is borrowed for one call). */
    char method[8];
    char *query;
    char *content_type; /* NULL when absent */
    char *body;
    size_t body_len;
    char peer_addr[64];
    int peer_port;
    lv_socket_admission admission;
    /* The owner's answer: filled on the owner, read at home after the post. */
    lv_http_response res;
} lp_relay;

static atomic_uint relays_made; /* test hook: lv_longpoll_relay_count */

static void relay_release(lp_relay *r)
{
    if (atomic_fetch_sub(&r->refs, 1) != 1) return;
    free(r->query);
    free(r->content_type);
    free(r->body);
    lv_http_response_free(&r->res);
    free(r);
}

static char *copy_or_null(const char *s)
{
    return s ? lv_xstrdup(s) : NULL;
}

/* A copy of src into dst (LV_HTTP_RESPONSE_INIT), with its own bytes. */
static void response_copy(lv_http_response *dst, const lv_http_response *src)
{
    dst->status = src->status;
    lv_http_response_set_type(dst, src->content_type);
    lv_buf_append(&dst->headers, src->headers.data ? src->headers.data : "", src->headers.len);
    lv_buf body = LV_BUF_INIT;
    lv_buf_append(&body, src->body ? src->body : "", src->body_len);
    lv_http_response_take_body(dst, &body);
    dst->head_only = src->head_only;
    dst->close = src->close;
}

/* Home: the answer came back. Takes the owner's reference. */
static void relay_answer_home(lv_app *app, void *arg)
{
    (void)app;
    lp_relay *r = arg;
    if (atomic_load(&r->state) == RELAY_AWAY) {
        atomic_store(&r->state, RELAY_ANSWERED);
        lv_http_hold hold = r->hold;
        hold.ops->respond(hold.handle, &r->res);
        relay_release(r); /* home's */
    }
    relay_release(r); /* owner's */
}

/* Owner: the session answered (at once or, for a held GET, later). */
static void relay_hold_respond(void *handle, const lv_http_response *res)
{
    lp_relay *r = handle;
    response_copy(&r->res, res);
    /* A home that stopped takes nothing: its connection closed, or is
     * closing, and on_held_close let go of home's reference. */
    if (lv_loop_post(r->home, relay_answer_home, r) != 0) relay_release(r);
}

static const lv_http_hold_ops relay_hold_ops = {relay_hold_respond};

/* Owner: serves the copied request as a local one. */
static void relay_serve_owner(lv_app *app, void *arg)
{
    lp_relay *r = arg;
    const char *headers[] = {"content-type", r->content_type, NULL};
    lv_http_request http = {
        .method = r->method,
        .path = LV_LONGPOLL_PATH,
        .query = r->query,
        .headers = r->content_type ? headers : NULL,
        .body = r->body,
        .body_len = r->body_len,
        .peer_addr = r->peer_addr,
        .peer_port = r->peer_port,
        .hold = {&relay_hold_ops, r},
    };
    /* A session that ended meanwhile is answered "gone" (410) there. */
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    if (strcmp(r->method, "GET") == 0) {
        serve_get(app, &http, &r->admission, &res);
    } else {
        serve_post(app, &http, &r->admission, &res);
    }
    if (!res.held) relay_hold_respond(r, &res);
    lv_http_response_free(&res);
}

/* Home: hands http to the owner loop and holds it, or answers "gone" when
 * that cannot be (no hold on this server, the owner stopping). */
static void relay(lv_app *app, const lv_http_request *http, const lv_socket_admission *admission,
                  lv_http_response *res, lv_loop *owner)
{
    lv_loop *home = lv_app_current_loop(app);
    if (!http->hold.ops || !home) {
        lv_log_warn("long-poll request for a session of another loop, on a server that cannot "
                    "hold it: refused");
        answer(res, 200, 410, NULL, NULL);
        return;
    }
    lp_relay *r = lv_xcalloc(1, sizeof *r);
    r->held_kind = LP_HELD_RELAY;
    atomic_init(&r->refs, 2);
    atomic_init(&r->state, RELAY_AWAY);
    r->home = home;
    r->owner = owner;
    r->hold = http->hold;
    snprintf(r->method, sizeof r->method, "%s", http->method);
    r->query = copy_or_null(http->query);
    r->content_type = copy_or_null(lv_http_request_header(http, "content-type"));
    if (http->body_len) {
        r->body = lv_xmalloc(http->body_len + 1);
        memcpy(r->body, http->body, http->body_len);
        r->body[http->body_len] = '\0';
        r->body_len = http->body_len;
    }
    snprintf(r->peer_addr, sizeof r->peer_addr, "%s", http->peer_addr ? http->peer_addr : "");
    r->peer_port = http->peer_port;
    r->admission = *admission;
    /* The answer comes back as a task on this thread, so never before this
     * call returns and the server has marked the request held. */
    if (lv_loop_post(owner, relay_serve_owner, r) != 0) {
        atomic_store(&r->refs, 1);
        relay_release(r);
        answer(res, 200, 410, NULL, NULL); /* the owner is stopping: its sessions end */
        return;
    }
    atomic_fetch_add(&relays_made, 1);
    res->held = true;
    res->held_ctx = r;
}

/* Owner: a session still holding r as its poll forgets it, as for a
 * local poll whose client left: what it sends next waits for the next GET
 * instead of going to a closed connection. Takes home's reference, which
 * keeps r's address from being reused meanwhile. */
static void relay_forget_owner(lv_app *app, void *arg)
{
    lp_relay *r = arg;
    struct lv_longpoll *lp = table_of(app);
    lp_session *held_by = NULL;
    pthread_mutex_lock(&lp->lock);
    for (lp_session *s = lp->sessions; s && !held_by; s = s->next)
        if (pthread_equal(s->owner, pthread_self()) && s->waiter.ops == &relay_hold_ops &&
            s->waiter.handle == r)
            held_by = s;
    pthread_mutex_unlock(&lp->lock);
    if (held_by) { /* ours: it stays valid on this thread */
        held_by->waiter.ops = NULL;
        arm_idle(held_by);
        relay_release(r); /* the owner's: respond never comes now */
    }
    relay_release(r);
}

/* Home: the held request's connection closed before the answer came. */
static void relay_cancel(lp_relay *r)
{
    atomic_store(&r->state, RELAY_CANCELLED);
    if (lv_loop_post(r->owner, relay_forget_owner, r) != 0)
        relay_release(r); /* the owner is stopping: its sessions end, answering r */
}

unsigned lv_longpoll_relay_count(void)
{
    return atomic_load(&relays_made);
}

/* The session a request names when this loop owns it; otherwise the
 * request is relayed to its owner loop or answered (gone, refused), and
 * NULL comes back. */
static lp_session *session_here(lv_app *app, const lv_http_request *http,
                                const lv_socket_admission *admission, lv_http_response *res)
{
    int status;
    lv_loop *elsewhere;
    lp_session *s = resume(app, http, admission, &status, &elsewhere);
    if (elsewhere) {
        relay(app, http, admission, res, elsewhere);
        return NULL;
    }
    if (!s) answer(res, 200, status, NULL, NULL);
    return s;
}

static void serve_get(lv_app *app, const lv_http_request *http,
                      const lv_socket_admission *admission, lv_http_response *res)
{
    char token[TOKEN_TEXT_MAX];
    if (!query_token(http->query, token, sizeof token)) {
        open_session(app, http, admission, res);
        return;
    }
    lp_session *s = session_here(app, http, admission, res);
    if (!s) return;
    if (s->waiter.ops) answer_waiter(s, 204); /* a newer poll replaces it */
    if (s->queue.len || !http->hold.ops) {
        answer(res, 200, s->queue.len ? 200 : 204, s->token, &s->queue);
        arm_idle(s);
        return;
    }
    s->waiter = http->hold;
    res->held = true;
    res->held_ctx = s;
    timer_arm(s, window_ms(app), on_window);
}

static bool is_ndjson(const lv_http_request *http)
{
    const char *type = lv_http_request_header(http, "content-type");
    return type && strncasecmp(type, "application/x-ndjson", 20) == 0;
}

static void serve_post(lv_app *app, const lv_http_request *http,
                       const lv_socket_admission *admission, lv_http_response *res)
{
    lp_session *s = session_here(app, http, admission, res);
    if (!s) return;
    if (http->body_len > app->config.max_message_bytes) {
        lv_log_warn("long-poll POST of %zu bytes refused (max_message_bytes)", http->body_len);
        refuse_body(res, 413, "the messages exceed max_message_bytes");
        return;
    }
    const char *starts[LV_LONGPOLL_MAX_BATCH];
    size_t lens[LV_LONGPOLL_MAX_BATCH];
    const char *error = NULL;
    int n = lv_longpoll_split(http->body ? http->body : "", http->body_len, is_ndjson(http),
                              starts, lens, LV_LONGPOLL_MAX_BATCH, &error);
    if (n < 0) {
        lv_log_warn("long-poll POST refused: %s", error);
        refuse_body(res, 400, error);
        return;
    }
    s->dispatching = true;
    for (int i = 0; i < n && !s->ending; i++) {
        if (starts[i][0] == '[') {
            lv_channel_handle_text(&s->channel, starts[i], lens[i]);
            continue;
        }
        uint8_t *bytes = lv_xmalloc(lens[i] / 4 * 3 + 1);
        size_t len;
        if (lv_b64_decode(starts[i], lens[i], bytes, &len))
            lv_channel_handle_binary(&s->channel, bytes, len);
        else
            lv_log_warn("long-poll: a binary line is not valid base64; ignored");
        free(bytes);
    }
    s->dispatching = false;
    if (s->ending) {
        end_session(s, LV_TERMINATE_CLOSED, "over a limit", true);
        answer(res, 200, 410, NULL, NULL);
        return;
    }
    answer(res, 200, 200, NULL, NULL);
    if (s->waiter.ops && s->queue.len) {
        answer_waiter(s, 200);
        arm_idle(s);
    }
}

void lv_longpoll_http(lv_app *app, const lv_http_request *http, lv_http_response *res)
{
    bool get = strcmp(http->method, "GET") == 0, post = strcmp(http->method, "POST") == 0;
    if (!get && !post) {
        lv_http_response_error(res, 405, false);
        lv_buf_puts(&res->headers, "Allow: GET, POST\r\n");
        return;
    }
    /* Every request passes the socket policy, not only the first: the
     * Origin check and the cookie session the token is bound to. A refusal
     * is 403, the one status the client takes as "forbidden". */
    lv_socket_admission admission;
    if (lv_socket_admit(app, http, &admission) != 0) {
        lv_log_warn("long-poll request refused by the socket policy");
        answer(res, 200, 403, NULL, NULL);
        return;
    }
    if (get)
        serve_get(app, http, &admission, res);
    else
        serve_post(app, http, &admission, res);
}

void lv_longpoll_held_close(void *held_ctx, lv_endpoint_close reason)
{
    (void)reason; /* at shutdown, stopping ended the sessions first */
    if (*(const lp_held_kind *)held_ctx == LP_HELD_RELAY) {
        relay_cancel(held_ctx);
        return;
    }
    lp_session *s = held_ctx;
    s->waiter.ops = NULL;
    arm_idle(s);
}

/* Ends the given sessions, already unlinked (a list through next). */
static void end_list(lp_session *s, lv_terminate_reason reason)
{
    while (s) {
        lp_session *next = s->next;
        end_session(s, reason, "server stopping", false);
        s = next;
    }
}

void lv_longpoll_stopping(lv_app *app)
{
    struct lv_longpoll *lp = table_of(app);
    lp_session *mine = NULL;
    pthread_mutex_lock(&lp->lock);
    for (lp_session *s = lp->sessions, *next; s; s = next) {
        next = s->next;
        if (!pthread_equal(s->owner, pthread_self())) continue;
        table_unlink_locked(lp, s);
        s->next = mine;
        mine = s;
    }
    pthread_mutex_unlock(&lp->lock);
    end_list(mine, LV_TERMINATE_SHUTDOWN);
}

/* With the app (lv_app_free): sessions left by a run that never stopped
 * (view tests) end here; no runtime is lent any more. */
static void table_free(struct lv_longpoll *lp)
{
    if (!lp) return;
    lp_session *all = lp->sessions;
    lp->sessions = NULL;
    lp->count = 0;
    end_list(all, LV_TERMINATE_SHUTDOWN);
    pthread_mutex_destroy(&lp->lock);
    free(lp);
}

/* ------------------------------------------------------------------------
 * The POST body
 * ------------------------------------------------------------------------ */

static bool is_json_array_text(const char *s, size_t n)
{
    return n >= 2 && s[0] == '[' && s[n - 1] == ']';
}

/* A binary frame (an upload chunk) as the client sends it: standard base64. */
static bool is_base64_text(const char *s, size_t n)
{
    if (n == 0 || n % 4 != 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/' && !(s[i] == '=' && i + 2 >= n))
            return false;
    return true;
}

int lv_longpoll_split(const char *body, size_t len, bool ndjson, const char **starts,
                      size_t *lens, int max, const char **error)
{
    if (!ndjson) {
        if (!is_json_array_text(body, len)) {
            *error = "the body is not a JSON array (a Phoenix V2 message)";
            return -1;
        }
        if (max < 1) {
            *error = "too many messages";
            return -1;
        }
        starts[0] = body;
        lens[0] = len;
        return 1;
    }
    int n = 0;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        size_t line_len = (size_t)(line_end - p);
        if (line_len && p[line_len - 1] == '\r') line_len--;
        bool last = !nl || nl + 1 == end;
        if (line_len == 0 && last) break; /* a trailing newline */
        if (!is_json_array_text(p, line_len) && !is_base64_text(p, line_len)) {
            /* The client sends binary frames (upload chunks) as base64
             * lines (docs/protocol.md §1.9). */
            *error = "a line is neither a JSON array nor a base64 binary frame";
            return -1;
        }
        if (n == max) {
            *error = "more messages than a batch holds (100)";
            return -1;
        }
        starts[n] = p;
        lens[n] = line_len;
        n++;
        p = nl ? nl + 1 : end;
    }
    if (n == 0) {
        *error = "the body holds no message";
        return -1;
    }
    return n;
}
