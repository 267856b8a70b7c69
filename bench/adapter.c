/* What one message costs through the integration API (liveview_adapter.h):
 * fed from a thread of the program's own (a web server's worker: a copy, a
 * task on the loop's queue, a wake-up) against fed on the loop thread (the
 * built-in server's path after it parsed the frame: a direct call).
 *
 *   build/bin/bench_adapter [MESSAGES (200000)]
 *
 * One app, one loop, no listener (lv_adapter_start); one socket joined to
 * a counter. Each mode sends MESSAGES frames and waits for the last reply:
 * heartbeats (the channel's cheapest message: the transport's overhead
 * shows) and clicks (a handle_event, a diff). Prints nanoseconds per
 * message, wall clock, with the reply's send callback counting. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liveview.h>
#include <liveview_adapter.h>

static int mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params, (void)session;
    lv_assign_int(s, "count", 0);
    return 0;
}

static int event(lv_socket *s, const char *name, const lv_params *value)
{
    (void)name, (void)value;
    lv_assign_int(s, "count", lv_get_int(s, "count") + 1);
    return 0;
}

static const lv_view counter = {
    .name = "counter",
    .template_text = "<span id=\"count\">{{count}}</span><button phx-click=\"inc\">+</button>",
    .events = (const char *const[]){"inc", NULL},
    .mount = mount,
    .handle_event = event,
};

static atomic_ulong replies;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static unsigned long waiting_for;

static void on_send(void *ctx, const char *data, size_t len)
{
    (void)ctx, (void)data, (void)len;
    unsigned long n = atomic_fetch_add(&replies, 1) + 1;
    if (n == waiting_for) {
        pthread_mutex_lock(&lock);
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
}

static void on_close(void *ctx, uint16_t code, const char *reason)
{
    (void)ctx;
    fprintf(stderr, "closed by the library: %u %s\n", code, reason);
    exit(1);
}

static const lv_adapter_socket_ops ops = {on_send, on_close};

static void wait_replies(unsigned long n)
{
    pthread_mutex_lock(&lock);
    waiting_for = n;
    while (atomic_load(&replies) < n) pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void extract(const char *text, size_t len, const char *key, char *out, size_t size)
{
    char *copy = strndup(text, len);
    const char *p = strstr(copy, key);
    if (!p) {
        fprintf(stderr, "no %s in the page\n", key);
        exit(1);
    }
    p += strlen(key);
    size_t n = strcspn(p, "\";");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
    free(copy);
}

typedef struct run {
    lv_adapter_socket *socket;
    const char *frames[2]; /* alternated, so clicks are not all one frame */
    unsigned long count;
    double started, ended;
} run;

static void feed_all(run *r)
{
    for (unsigned long i = 0; i < r->count; i++) {
        const char *f = r->frames[i & 1];
        if (lv_adapter_socket_text(r->socket, f, strlen(f)) != 0) {
            fprintf(stderr, "a message was refused\n");
            exit(1);
        }
    }
}

/* On the loop: the built-in server's path. */
static void feed_on_loop(lv_app *app, void *arg)
{
    (void)app;
    run *r = arg;
    r->started = now_ns();
    feed_all(r);
    r->ended = now_ns();
}

static double measure(lv_app *app, run *r, bool on_loop)
{
    unsigned long before = atomic_load(&replies);
    double t0 = now_ns();
    if (on_loop) {
        lv_app_post(app, feed_on_loop, r);
    } else {
        feed_all(r);
    }
    wait_replies(before + r->count);
    return (now_ns() - t0) / (double)r->count;
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "bench-secret-key-base-that-is-long-enough-0123456789";
    cfg.workers = 1;
    cfg.log_level = LV_LOG_ERROR;
    cfg.max_buffered_bytes = 0; /* the bench queues all it sends at once */
    lv_app *app = lv_app_new(&cfg);
    if (!app || lv_route(app, "/counter", &counter) != 0 || lv_adapter_start(app) != 0) return 1;

    const char *headers[] = {"Host", "127.0.0.1", NULL};
    lv_adapter_request page_req = {.method = "GET", .target = "/counter", .headers = headers};
    lv_adapter_reply page;
    if (lv_adapter_http_wait(app, &page_req, &page) != 0) return 1;
    char cookie[1024], csrf[128], id[64], session[4096];
    extract(page.response.headers, page.response.headers_len, "Set-Cookie: ", cookie, sizeof cookie);
    extract(page.response.body, page.response.body_len, "csrf-token\" content=\"", csrf, sizeof csrf);
    extract(page.response.body, page.response.body_len, "<div id=\"", id, sizeof id);
    extract(page.response.body, page.response.body_len, "data-phx-session=\"", session, sizeof session);
    lv_adapter_reply_free(&page);

    char target[256];
    snprintf(target, sizeof target, "/live/websocket?_csrf_token=%s&vsn=2.0.0", csrf);
    const char *ws_headers[] = {"Host", "127.0.0.1", "Origin", "http://127.0.0.1", "Cookie", cookie, NULL};
    lv_adapter_request up = {.method = "GET", .target = target, .headers = ws_headers};
    lv_adapter_socket *s;
    if (lv_adapter_socket_open(app, &up, &ops, NULL, &s) != 0) return 1;
    char join[8192];
    snprintf(join, sizeof join,
             "[\"1\",\"1\",\"lv:%s\",\"phx_join\",{\"url\":\"http://127.0.0.1/counter\","
             "\"params\":{\"_csrf_token\":\"%s\",\"_mounts\":0},\"session\":\"%s\",\"static\":null}]",
             id, csrf, session);
    lv_adapter_socket_text(s, join, strlen(join));
    wait_replies(1);

    char click_a[256], click_b[256];
    snprintf(click_a, sizeof click_a,
             "[\"1\",\"2\",\"lv:%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]", id);
    snprintf(click_b, sizeof click_b,
             "[\"1\",\"3\",\"lv:%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]", id);
    run heartbeat = {s, {"[null,\"4\",\"phoenix\",\"heartbeat\",{}]", "[null,\"5\",\"phoenix\",\"heartbeat\",{}]"}, n, 0, 0};
    run click = {s, {click_a, click_b}, n, 0, 0};

    /* A warm-up of each, then the measured runs. */
    measure(app, &heartbeat, true);
    measure(app, &heartbeat, false);
    double hb_loop = measure(app, &heartbeat, true);
    double hb_foreign = measure(app, &heartbeat, false);
    double click_loop = measure(app, &click, true);
    double click_foreign = measure(app, &click, false);

    printf("messages per run: %lu, one loop, one socket\n", n);
    printf("%-10s %14s %14s %10s\n", "message", "on loop ns", "foreign ns", "overhead");
    printf("%-10s %14.0f %14.0f %9.0f%%\n", "heartbeat", hb_loop, hb_foreign, (hb_foreign / hb_loop - 1) * 100);
    printf("%-10s %14.0f %14.0f %9.0f%%\n", "click", click_loop, click_foreign,
           (click_foreign / click_loop - 1) * 100);

    lv_adapter_socket_closed(s);
    lv_app_stop(app);
    int rc = lv_app_wait(app);
    lv_app_free(app);
    return rc;
}
