/* The integration API (liveview_adapter.h) driven by a fake adapter in C:
 * the app's loops run without a listener (lv_adapter_start), and the test
 * thread (and two feeder threads) play a web server's worker threads:
 * pages and assets through lv_adapter_http_wait, a socket opened from an
 * upgrade request that joins /counter with the page's tokens and clicks,
 * refused upgrades, closes from both sides, a broadcast, malformed frames,
 * and a stop with sockets open. Every wait is for an event the fake
 * adapter records (a message, a close); none is a timing. Labelled
 * `thread`: make test-tsan runs it under ThreadSanitizer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liveview.h>
#include <liveview_adapter.h>

#define SECRET "a-test-secret-that-is-long-enough-0123456789abcdef"

/* ---- the view: a counter that also hears broadcasts ---- */

static int counter_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params, (void)session;
    lv_assign_int(s, "count", 0);
    return lv_connected(s) ? lv_subscribe(s, "adapter-news") : 0;
}

static int counter_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)event, (void)value;
    lv_assign_int(s, "count", lv_get_int(s, "count") + 1);
    return 0;
}

static int counter_info(lv_socket *s, const char *name, const lv_params *payload)
{
    (void)payload;
    lv_value *v = lv_map_new();
    lv_map_set_str(v, "heard", name);
    int rc = lv_push_event(s, "news", v);
    lv_value_delete(v);
    return rc;
}

static const lv_view counter_view = {
    .name = "counter",
    .template_text = "<span id=\"count\">{{count}}</span><button phx-click=\"inc\">+</button>",
    .events = (const char *const[]){"inc", NULL},
    .mount = counter_mount,
    .handle_event = counter_event,
    .handle_info = counter_info,
};

static lv_app *app;
static pthread_t loop_thread;

static void note_loop_thread(lv_app *a, void *arg)
{
    (void)a;
    *(pthread_t *)arg = pthread_self();
}

static void start_app(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.workers = 1;
    cfg.log_level = LV_LOG_ERROR;
    cfg.max_message_bytes = 64 * 1024;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/counter", &counter_view), 0);
    cr_assert_eq(lv_adapter_start(app), 0);
    cr_assert_eq(lv_app_port(app), 0, "no listener of the library's");
    /* A posted task runs on loop 0, the only loop: its thread is the one
     * every callback must run on. */
    lv_adapter_reply r;
    cr_assert_eq(lv_app_post(app, note_loop_thread, &loop_thread), 0);
    /* The post and the request share the loop's queue: once answered, the
     * task has run. */
    lv_adapter_request req = {.method = "GET", .target = "/nothing-here"};
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    lv_adapter_reply_free(&r);
}

static void stop_app(void)
{
    if (!app) return; /* the test stopped and freed it */
    lv_app_stop(app);
    cr_assert_eq(lv_app_wait(app), 0);
    lv_app_free(app);
    app = NULL;
}

/* ---- the fake adapter's connection ---- */

typedef struct fake_conn {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    char *messages[4096];
    unsigned count;
    int close_code;          /* 0 until the library asked to close */
    bool wrong_thread;       /* a callback ran off the loop thread */
} fake_conn;

static void fake_send(void *ctx, const char *data, size_t len)
{
    fake_conn *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (!pthread_equal(pthread_self(), loop_thread)) c->wrong_thread = true;
    if (c->count < 4096) c->messages[c->count++] = strndup(data, len);
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static void fake_close(void *ctx, uint16_t code, const char *reason)
{
    (void)reason;
    fake_conn *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (!pthread_equal(pthread_self(), loop_thread)) c->wrong_thread = true;
    c->close_code = code;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

static const lv_adapter_socket_ops fake_ops = {fake_send, fake_close};

static void conn_init(fake_conn *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
}

static void conn_free(fake_conn *c)
{
    for (unsigned i = 0; i < c->count; i++) free(c->messages[i]);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->changed);
}

/* Waits for the first message (from index `from` on) containing needle;
 * returns its index. */
static unsigned wait_message(fake_conn *c, unsigned from, const char *needle)
{
    pthread_mutex_lock(&c->lock);
    for (;;) {
        for (unsigned i = from; i < c->count; i++) {
            if (strstr(c->messages[i], needle)) {
                pthread_mutex_unlock(&c->lock);
                return i;
            }
        }
        pthread_cond_wait(&c->changed, &c->lock);
    }
}

static int wait_close(fake_conn *c)
{
    pthread_mutex_lock(&c->lock);
    while (!c->close_code) pthread_cond_wait(&c->changed, &c->lock);
    int code = c->close_code;
    pthread_mutex_unlock(&c->lock);
    return code;
}

/* ---- pages ---- */

typedef struct page {
    char cookie[1024], csrf[128], id[64], session[4096], asset[256];
} page;

static void extract(const char *text, const char *key, char stop, char *out, size_t size)
{
    const char *p = strstr(text, key);
    cr_assert_not_null(p, "no %s in %s", key, text);
    p += strlen(key);
    size_t n = strcspn(p, (char[]){stop, '\0'});
    cr_assert_lt(n, size);
    memcpy(out, p, n);
    out[n] = '\0';
}

static char *text_of(const char *data, size_t len)
{
    return strndup(data ? data : "", len);
}

static page load_counter(void)
{
    const char *headers[] = {"Host", "127.0.0.1", "Accept", "text/html", NULL};
    lv_adapter_request req = {.method = "GET", .target = "/counter", .headers = headers,
                              .peer_addr = "127.0.0.1", .peer_port = 50000};
    lv_adapter_reply r;
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    cr_assert_eq(r.response.status, 200);
    cr_assert_str_eq(r.response.reason, "OK");
    cr_assert_not_null(strstr(r.response.content_type, "text/html"));
    char *head = text_of(r.response.headers, r.response.headers_len);
    char *body = text_of(r.response.body, r.response.body_len);
    page p;
    extract(head, "Set-Cookie: ", ';', p.cookie, sizeof p.cookie);
    cr_assert_not_null(strstr(head, "X-Content-Type-Options: nosniff\r\n"));
    cr_assert_not_null(strstr(body, "<span id=\"count\">0</span>"));
    extract(body, "<meta name=\"csrf-token\" content=\"", '"', p.csrf, sizeof p.csrf);
    extract(body, "<div id=\"", '"', p.id, sizeof p.id);
    extract(body, "data-phx-session=\"", '"', p.session, sizeof p.session);
    extract(body, "src=\"", '"', p.asset, sizeof p.asset);
    free(head);
    free(body);
    lv_adapter_reply_free(&r);
    return p;
}

/* Opens a socket the way a browser would from p, with origin. */
static int open_socket(const page *p, const char *origin, const char *csrf, fake_conn *c,
                       lv_adapter_socket **out)
{
    char target[512];
    snprintf(target, sizeof target, "/live/websocket?_csrf_token=%s&vsn=2.0.0", csrf ? csrf : p->csrf);
    const char *headers[] = {"Host", "127.0.0.1", "Origin", origin, "Cookie", p->cookie, NULL};
    lv_adapter_request req = {.method = "GET", .target = target, .headers = headers,
                              .peer_addr = "127.0.0.1", .peer_port = 50001};
    return lv_adapter_socket_open(app, &req, &fake_ops, c, out);
}

static void feed(lv_adapter_socket *s, const char *text)
{
    cr_assert_eq(lv_adapter_socket_text(s, text, strlen(text)), 0);
}

static void join(lv_adapter_socket *s, const page *p)
{
    char frame[8192];
    snprintf(frame, sizeof frame,
             "[\"1\",\"1\",\"lv:%s\",\"phx_join\",{\"url\":\"http://127.0.0.1/counter\","
             "\"params\":{\"_csrf_token\":\"%s\",\"_mounts\":0},\"session\":\"%s\",\"static\":null}]",
             p->id, p->csrf, p->session);
    feed(s, frame);
}

TestSuite(adapter, .init = start_app, .fini = stop_app, .timeout = 60);

Test(adapter, page_and_asset)
{
    page p = load_counter();
    const char *headers[] = {"Host", "127.0.0.1", NULL};
    lv_adapter_request req = {.method = "GET", .target = p.asset, .headers = headers};
    lv_adapter_reply r;
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    cr_assert_eq(r.response.status, 200, "%s: %d", p.asset, r.response.status);
    cr_assert_not_null(strstr(r.response.content_type, "javascript"));
    cr_assert_gt(r.response.body_len, 1000);
    lv_adapter_reply_free(&r);

    req.method = "HEAD";
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    cr_assert(r.response.head_only);
    lv_adapter_reply_free(&r);

    req = (lv_adapter_request){.method = "GET", .target = "/nope", .headers = headers};
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    cr_assert_eq(r.response.status, 404);
    lv_adapter_reply_free(&r);

    cr_assert_not(lv_adapter_wants_body(app, "POST", "/counter?x=1"), "a page reads no body");
    cr_assert(lv_adapter_wants_body(app, "POST", "/live/longpoll?vsn=2.0.0"), "a long poll's POST does");

    /* Malformed requests are refused without a response. */
    req = (lv_adapter_request){.method = "GET", .target = "counter"};
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), -1);
    cr_assert_eq(lv_adapter_http_wait(app, NULL, &r), -1);
    lv_adapter_reply_free(&r);
}

Test(adapter, join_click_broadcast_and_close_on_the_loop_thread)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c, &s), 0);
    join(s, &p);
    unsigned at = wait_message(&c, 0, "\"phx_reply\"");
    cr_assert_not_null(strstr(c.messages[at], "\"status\":\"ok\""), "%s", c.messages[at]);
    feed(s, "[\"1\",\"2\",\"lv:x\",\"event\",{}]"); /* placeholder topic: answered with an error */
    char click[256];
    snprintf(click, sizeof click, "[\"1\",\"3\",\"lv:%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
             p.id);
    feed(s, click);
    at = wait_message(&c, 0, "\"3\",\"lv:");
    cr_assert_not_null(strstr(c.messages[at], "\"status\":\"ok\""), "%s", c.messages[at]);
    cr_assert_not_null(strstr(c.messages[at], "\"0\":\"1\""), "the diff: %s", c.messages[at]);
    /* Every push gets a reply, a wrong one an error. */
    at = wait_message(&c, 0, "\"2\",\"lv:x\"");
    cr_assert_not_null(strstr(c.messages[at], "\"status\":\"error\""), "%s", c.messages[at]);

    cr_assert_eq(lv_broadcast(app, "adapter-news", "hello", NULL), 0);
    at = wait_message(&c, 0, "\"news\"");
    cr_assert_not_null(strstr(c.messages[at], "hello"));

    lv_adapter_socket_closed(s);
    cr_assert_not(c.wrong_thread, "a callback ran off the loop thread");
    cr_assert_eq(c.close_code, 0, "a close the adapter made is not asked back");
    conn_free(&c);
}

Test(adapter, malformed_frames_are_answered)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c, &s), 0);
    join(s, &p);
    wait_message(&c, 0, "\"phx_reply\"");
    feed(s, "not json at all");
    char bad[256];
    snprintf(bad, sizeof bad, "[\"1\",\"7\",\"lv:%s\",\"event\",{\"type\":\"click\",\"event\":7}]", p.id);
    feed(s, bad);
    unsigned at = wait_message(&c, 0, "\"7\",\"lv:");
    cr_assert_not_null(strstr(c.messages[at], "\"error\""), "%s", c.messages[at]);
    feed(s, "[null,\"8\",\"phoenix\",\"heartbeat\",{}]");
    wait_message(&c, 0, "\"8\",\"phoenix\",\"phx_reply\"");
    lv_adapter_socket_closed(s);
    conn_free(&c);
}

Test(adapter, refused_upgrades)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://evil.example", NULL, &c, &s), 403);
    cr_assert_null(s);

    const char *headers[] = {"Host", "127.0.0.1", "Origin", "http://127.0.0.1", NULL};
    lv_adapter_request no_vsn = {.method = "GET", .target = "/live/websocket", .headers = headers};
    cr_assert_eq(lv_adapter_socket_open(app, &no_vsn, &fake_ops, &c, &s), 403);
    lv_adapter_request bad = {.method = "GET", .target = "live/websocket", .headers = headers};
    cr_assert_eq(lv_adapter_socket_open(app, &bad, &fake_ops, &c, &s), 400);

    /* A wrong connect-time CSRF token: the socket opens, its joins are refused. */
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", "forged-token", &c, &s), 0);
    join(s, &p);
    unsigned at = wait_message(&c, 0, "\"phx_reply\"");
    cr_assert_not_null(strstr(c.messages[at], "\"status\":\"error\""), "%s", c.messages[at]);
    lv_adapter_socket_closed(s);
    conn_free(&c);
}

Test(adapter, too_big_a_message_is_closed_by_the_library)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c, &s), 0);
    size_t n = 64 * 1024 + 1;
    char *big = malloc(n);
    memset(big, 'x', n);
    cr_assert_eq(lv_adapter_socket_text(s, big, n), -1);
    free(big);
    cr_assert_eq(wait_close(&c), 1009);
    /* After the close request nothing more is taken. */
    cr_assert_eq(lv_adapter_socket_text(s, "[null,\"1\",\"phoenix\",\"heartbeat\",{}]", 36), 0,
                 "queued from another thread: dropped on the loop");
    lv_adapter_socket_closed(s);
    conn_free(&c);
}

/* ---- order from two threads ---- */

#define PER_FEEDER 300

typedef struct feeder {
    lv_adapter_socket *socket;
    char prefix;
} feeder;

static void *feed_heartbeats(void *arg)
{
    feeder *f = arg;
    for (int i = 0; i < PER_FEEDER; i++) {
        char frame[64];
        snprintf(frame, sizeof frame, "[null,\"%c%d\",\"phoenix\",\"heartbeat\",{}]", f->prefix, i);
        if (lv_adapter_socket_text(f->socket, frame, strlen(frame)) != 0) abort();
    }
    return NULL;
}

Test(adapter, messages_keep_each_threads_order)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c, &s), 0);
    feeder a = {s, 'a'}, b = {s, 'b'};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, feed_heartbeats, &a);
    pthread_create(&tb, NULL, feed_heartbeats, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    char last_a[16], last_b[16];
    snprintf(last_a, sizeof last_a, "\"a%d\"", PER_FEEDER - 1);
    snprintf(last_b, sizeof last_b, "\"b%d\"", PER_FEEDER - 1);
    wait_message(&c, 0, last_a);
    wait_message(&c, 0, last_b);
    pthread_mutex_lock(&c.lock);
    cr_assert_eq(c.count, 2 * PER_FEEDER, "a reply to every heartbeat, and nothing else");
    int next_a = 0, next_b = 0;
    for (unsigned i = 0; i < c.count; i++) {
        char who;
        int n;
        cr_assert_eq(sscanf(c.messages[i], "[null,\"%c%d\"", &who, &n), 2, "%s", c.messages[i]);
        if (who == 'a') cr_assert_eq(n, next_a++, "a's replies out of order");
        else cr_assert_eq(n, next_b++, "b's replies out of order");
    }
    pthread_mutex_unlock(&c.lock);
    cr_assert_not(c.wrong_thread);
    lv_adapter_socket_closed(s);
    conn_free(&c);
}

/* ---- a stop with sockets open ---- */

Test(adapter, stop_with_sockets_open)
{
    page p = load_counter();
    fake_conn c1, c2;
    conn_init(&c1);
    conn_init(&c2);
    lv_adapter_socket *s1, *s2;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c1, &s1), 0);
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c2, &s2), 0);
    join(s1, &p);
    wait_message(&c1, 0, "\"phx_reply\"");
    lv_app_stop(app);
    lv_adapter_request req = {.method = "GET", .target = "/counter"};
    lv_adapter_reply r;
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), -1, "nothing is taken once stopping");
    cr_assert_eq(lv_app_wait(app), 0);
    cr_assert_eq(c1.close_code, 1001);
    cr_assert_eq(c2.close_code, 1001);
    cr_assert_eq(lv_adapter_socket_text(s1, "x", 1), -1, "nothing is taken once stopped");
    lv_adapter_socket_closed(s1); /* after the stop: only frees */
    lv_app_free(app);
    app = NULL;
    lv_adapter_socket_closed(s2); /* even after the app is freed */
    conn_free(&c1);
    conn_free(&c2);
}

/* ---- long poll: a response that comes later ---- */

typedef struct later {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool answered;
    int status;
    char *body;
    bool wrong_thread;
} later;

static void later_respond(void *ctx, const lv_adapter_response *res)
{
    later *l = ctx;
    pthread_mutex_lock(&l->lock);
    if (!pthread_equal(pthread_self(), loop_thread)) l->wrong_thread = true;
    l->status = res->status;
    l->body = strndup(res->body ? res->body : "", res->body_len);
    l->answered = true;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
}

Test(adapter, a_long_poll_is_held_and_answered_later)
{
    page p = load_counter();
    char target[1024];
    snprintf(target, sizeof target, "/live/longpoll?_csrf_token=%s&vsn=2.0.0", p.csrf);
    const char *headers[] = {"Host", "127.0.0.1", "Origin", "http://127.0.0.1", "Cookie", p.cookie,
                             "Content-Type", "application/x-ndjson", NULL};
    lv_adapter_request open = {.method = "GET", .target = target, .headers = headers};
    lv_adapter_reply r;
    cr_assert_eq(lv_adapter_http_wait(app, &open, &r), 0);
    char *json = strndup(r.response.body, r.response.body_len);
    cr_assert_eq(strncmp(json, "{\"status\":410,\"token\":\"", 23), 0, "%s", json);
    char token[512];
    snprintf(token, sizeof token, "%.*s", (int)strcspn(json + 23, "\""), json + 23);
    free(json);
    lv_adapter_reply_free(&r);
    snprintf(target, sizeof target, "/live/longpoll?_csrf_token=%s&vsn=2.0.0&token=%s", p.csrf, token);

    later poll = {0};
    pthread_mutex_init(&poll.lock, NULL);
    pthread_cond_init(&poll.changed, NULL);
    lv_adapter_request get = {.method = "GET", .target = target, .headers = headers};
    cr_assert_eq(lv_adapter_http(app, &get, later_respond, &poll), 0);

    const char heartbeat[] = "[null,\"hb1\",\"phoenix\",\"heartbeat\",{}]";
    lv_adapter_request post = {.method = "POST", .target = target, .headers = headers,
                               .body = heartbeat, .body_len = sizeof heartbeat - 1};
    cr_assert_eq(lv_adapter_http_wait(app, &post, &r), 0);
    cr_assert_eq(r.response.status, 200);
    lv_adapter_reply_free(&r);

    /* The held GET answers with the heartbeat's reply. */
    pthread_mutex_lock(&poll.lock);
    while (!poll.answered) pthread_cond_wait(&poll.changed, &poll.lock);
    pthread_mutex_unlock(&poll.lock);
    cr_assert_eq(poll.status, 200);
    cr_assert_not_null(strstr(poll.body, "hb1"), "%s", poll.body);
    cr_assert_not(poll.wrong_thread);
    free(poll.body);
    pthread_mutex_destroy(&poll.lock);
    pthread_cond_destroy(&poll.changed);
}

/* ---- the join grace, kept by the library for adapter sockets ---- */

static void start_app_with_grace(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.workers = 1;
    cfg.log_level = LV_LOG_ERROR;
    cfg.join_grace_s = 1;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/counter", &counter_view), 0);
    cr_assert_eq(lv_adapter_start(app), 0);
    lv_adapter_reply r;
    cr_assert_eq(lv_app_post(app, note_loop_thread, &loop_thread), 0);
    lv_adapter_request req = {.method = "GET", .target = "/nothing-here"};
    cr_assert_eq(lv_adapter_http_wait(app, &req, &r), 0);
    lv_adapter_reply_free(&r);
}

Test(adapter_grace, a_socket_that_joins_nothing_is_closed, .init = start_app_with_grace,
     .fini = stop_app, .timeout = 60)
{
    page p = load_counter();
    fake_conn c;
    conn_init(&c);
    lv_adapter_socket *s;
    cr_assert_eq(open_socket(&p, "http://127.0.0.1", NULL, &c, &s), 0);
    cr_assert_eq(wait_close(&c), 1008, "closed for joining nothing (waits for the event)");
    cr_assert_not(c.wrong_thread);
    lv_adapter_socket_closed(s);
    conn_free(&c);
}
