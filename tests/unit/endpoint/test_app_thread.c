/* An app served on the library's own thread (lv_app_start) while threads of
 * the program reach its views: lv_broadcast and lv_app_post from several
 * producer threads at once, stop from another thread, start on a taken
 * port. A real view is joined over loopback with a raw WebSocket client.
 * Every wait is for an event (a frame, a join, a semaphore); none is a
 * timing. Also run under ThreadSanitizer (make test-tsan). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live/live.h"
#include "support/loopback.h"
#include "util/buf.h"

#define SECRET "a-test-secret-that-is-long-enough-0123456789abcdef"
#define PRODUCERS 4
#define PER_PRODUCER 150

/* ---- the view: subscribes on join, pushes every message it hears ---- */


static int feed_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params, (void)session;
    if (!lv_connected(s)) return 0;
    return lv_subscribe(s, "feed");
}

static int feed_info(lv_socket *s, const char *name, const lv_params *payload)
{
    (void)name;
    lv_value *got = lv_map_new();
    lv_map_set_int(got, "p", lv_param_int(payload, "p", -1));
    lv_map_set_int(got, "n", lv_param_int(payload, "n", -1));
    int rc = lv_push_event(s, "got", got);
    lv_value_delete(got);
    return rc;
}

static const lv_view feed_view = {
    .name = "feed",
    .template_text = "<p>feed</p>",
    .mount = feed_mount,
    .handle_info = feed_info,
};

static lv_app *new_app(int port)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = NULL; /* the built-in client */
    cfg.allowed_origins = NULL;
    cfg.log_level = LV_LOG_WARN;
    lv_app *app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/feed", &feed_view), 0);
    return app;
}

/* ---- the client (tests/support/loopback.h), joined to views ---- */

typedef struct client {
    int fd;
    lv_buf in;
} client;

/* Loads /feed, opens the socket and joins the view. */
static client join_feed(int port)
{
    page p = load_page(port, "/feed", NULL);
    client c = {.in = LV_BUF_INIT};
    c.fd = open_socket(port, &p, &c.in);

    lv_buf join = LV_BUF_INIT;
    lv_buf_printf(&join,
                  "[\"1\",\"1\",\"lv:%s\",\"phx_join\",{\"url\":\"http://127.0.0.1:%d/feed\","
                  "\"params\":{\"_csrf_token\":\"%s\",\"_mounts\":0},\"session\":\"%s\","
                  "\"static\":null}]",
                  p.id, port, p.csrf, p.session);
    send_text(c.fd, join.data);
    lv_buf_free(&join);
    int opcode;
    char *reply = read_frame(c.fd, &c.in, &opcode);
    cr_assert_not_null(reply);
    cr_assert_not_null(strstr(reply, "\"status\":\"ok\""), "the join: %s", reply);
    free(reply);
    return c;
}

/* ---- producers ---- */

typedef struct log_entry {
    int producer, n;
} log_entry;

/* What posted tasks saw, on the loop thread only (read after lv_app_wait). */
static log_entry posted_log[PRODUCERS * PER_PRODUCER];
static int posted_count;
static bool posted_off_loop; /* a task ran somewhere else than loop 0 */

typedef struct producer {
    lv_app *app;
    int id;
    bool broadcast; /* else post */
    atomic_int accepted;
} producer;

static void record_posted(lv_app *app, void *arg)
{
    log_entry *e = arg;
    /* lv_app_post's tasks run on loop 0, wherever the view is. */
    lv_loop *loop = lv_app_current_loop(app);
    if (!loop || loop->index != 0) posted_off_loop = true;
    if (posted_count < PRODUCERS * PER_PRODUCER) posted_log[posted_count++] = *e;
    free(e);
}

static void *produce(void *arg)
{
    producer *p = arg;
    for (int n = 1; n <= PER_PRODUCER; n++) {
        int rc;
        if (p->broadcast) {
            lv_value *msg = lv_map_new();
            lv_map_set_int(msg, "p", p->id);
            lv_map_set_int(msg, "n", n);
            rc = lv_broadcast(p->app, "feed", "msg", msg);
            lv_value_delete(msg);
        } else {
            log_entry *e = malloc(sizeof *e);
            *e = (log_entry){p->id, n};
            rc = lv_app_post(p->app, record_posted, e);
            if (rc != 0) free(e);
        }
        if (rc != 0) break;
        atomic_fetch_add(&p->accepted, 1);
    }
    return NULL;
}

static void start_producers(lv_app *app, producer *ps, pthread_t *threads, int count, bool broadcast)
{
    for (int i = 0; i < count; i++) {
        ps[i].app = app;
        ps[i].id = i;
        ps[i].broadcast = broadcast;
        atomic_init(&ps[i].accepted, 0);
        cr_assert_eq(pthread_create(&threads[i], NULL, produce, &ps[i]), 0);
    }
}

/* Checks that the log holds, for each producer, 1..expected[p] in order. */
static void expect_each_once_in_order(const log_entry *log, int count, const int *expected)
{
    int last[PRODUCERS] = {0};
    for (int i = 0; i < count; i++) {
        cr_assert(log[i].producer >= 0 && log[i].producer < PRODUCERS);
        cr_assert_eq(log[i].n, last[log[i].producer] + 1, "producer %d: %d after %d", log[i].producer,
                     log[i].n, last[log[i].producer]);
        last[log[i].producer] = log[i].n;
    }
    for (int p = 0; p < PRODUCERS; p++) cr_expect_eq(last[p], expected[p], "producer %d", p);
}

/* Collects the "got" events the view pushes until `want` have arrived. */
static int collect_events(client *c, log_entry *log, int want)
{
    int count = 0;
    while (count < want) {
        int opcode;
        char *frame = read_frame(c->fd, &c->in, &opcode);
        cr_assert_not_null(frame, "the server closed after %d events", count);
        for (const char *p = frame; (p = strstr(p, "[\"got\",{")) != NULL; p++) {
            log_entry e;
            cr_assert_eq(sscanf(p, "[\"got\",{\"p\":%d,\"n\":%d}]", &e.producer, &e.n), 2, "%s", p);
            cr_assert_lt(count, want, "more events than sent");
            log[count++] = e;
        }
        free(frame);
    }
    return count;
}

/* ---- the tests ---- */

TestSuite(app_thread, .timeout = 120);

Test(app_thread, broadcasts_and_posts_from_many_threads_arrive_once_in_order)
{
    lv_app *app = new_app(0);
    cr_assert_eq(lv_app_start(app), 0);
    int port = lv_app_port(app);
    cr_assert_gt(port, 0, "the port is known once lv_app_start returns");
    client c = join_feed(port);

    producer bp[PRODUCERS], pp[PRODUCERS];
    pthread_t bt[PRODUCERS], pt[PRODUCERS];
    start_producers(app, bp, bt, PRODUCERS, true);
    start_producers(app, pp, pt, PRODUCERS, false);
    static log_entry got[PRODUCERS * PER_PRODUCER];
    int count = collect_events(&c, got, PRODUCERS * PER_PRODUCER);
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(bt[i], NULL);
        pthread_join(pt[i], NULL);
    }
    int all[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) all[i] = PER_PRODUCER;
    expect_each_once_in_order(got, count, all);

    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    /* The socket is closed by the stop: nothing more arrives. */
    int opcode;
    char *rest;
    while ((rest = read_frame(c.fd, &c.in, &opcode)) != NULL) {
        cr_expect_null(strstr(rest, "\"got\""), "an event after the last: %s", rest);
        free(rest);
    }
    close(c.fd);
    lv_buf_free(&c.in);
    cr_expect_not(posted_off_loop, "every posted task ran on the loop thread");
    expect_each_once_in_order(posted_log, posted_count, all);
    lv_app_free(app);
}

Test(app_thread, every_accepted_post_runs_once_even_when_stopped_meanwhile)
{
    lv_app *app = new_app(0);
    cr_assert_eq(lv_app_start(app), 0);
    client c = join_feed(lv_app_port(app)); /* the loop thread is known */
    producer pp[PRODUCERS];
    pthread_t pt[PRODUCERS];
    start_producers(app, pp, pt, PRODUCERS, false);
    lv_app_stop(app); /* while they post */
    cr_expect_eq(lv_app_wait(app), 0);
    for (int i = 0; i < PRODUCERS; i++) pthread_join(pt[i], NULL);
    /* What was accepted ran, before lv_app_wait returned; nothing else did,
     * and a producer refused once was refused for good. */
    int accepted[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) accepted[i] = atomic_load(&pp[i].accepted);
    expect_each_once_in_order(posted_log, posted_count, accepted);
    cr_expect_not(posted_off_loop);
    close(c.fd);
    lv_buf_free(&c.in);
    lv_app_free(app);
}

static atomic_int runs;
static atomic_bool ran_on_caller;
static pthread_t caller;

static void count_run(lv_app *app, void *arg)
{
    (void)app;
    (void)arg;
    if (pthread_equal(pthread_self(), caller)) atomic_store(&ran_on_caller, true);
    atomic_fetch_add(&runs, 1);
}

Test(app_thread, a_post_before_start_waits_for_the_loop_and_after_stop_is_refused)
{
    caller = pthread_self();
    lv_app *app = new_app(0);
    cr_assert_eq(lv_app_post(app, count_run, NULL), 0);
    cr_assert_eq(lv_app_post(app, count_run, NULL), 0);
    cr_expect_eq(atomic_load(&runs), 0, "queued until the loop runs");
    cr_assert_eq(lv_app_start(app), 0);
    lv_app_stop(app);
    cr_expect_eq(lv_app_post(app, count_run, NULL), -1, "stopping: refused");
    cr_expect_eq(lv_app_wait(app), 0);
    cr_expect_eq(atomic_load(&runs), 2, "both ran before lv_app_wait returned");
    cr_expect_not(atomic_load(&ran_on_caller), "on the library's thread");
    cr_expect_eq(lv_app_post(app, count_run, NULL), -1, "stopped: refused");
    cr_expect_eq(lv_broadcast(app, "feed", "msg", NULL), 0,
                 "on the creating thread, once stopped, a broadcast reaches no one");
    lv_app_free(app);
    cr_expect_eq(atomic_load(&runs), 2, "refused posts never run");
}

Test(app_thread, posts_to_an_app_that_never_runs_run_when_it_is_freed)
{
    lv_app *app = new_app(0);
    cr_assert_eq(lv_app_post(app, count_run, NULL), 0);
    lv_app_free(app);
    cr_expect_eq(atomic_load(&runs), 1);
}

static void *stop_it(void *arg)
{
    lv_app_stop(arg);
    return NULL;
}

Test(app_thread, another_thread_stops_it_and_wait_returns)
{
    lv_app *app = new_app(0);
    cr_assert_eq(lv_app_start(app), 0);
    client c = join_feed(lv_app_port(app));
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, stop_it, app), 0);
    cr_expect_eq(lv_app_wait(app), 0);
    pthread_join(t, NULL);
    /* The view got its close frame (1001, going away). */
    int opcode = 0;
    char *frame;
    while ((frame = read_frame(c.fd, &c.in, &opcode)) != NULL && opcode != 8) free(frame);
    cr_expect_eq(opcode, 8, "a close frame");
    free(frame);
    close(c.fd);
    lv_buf_free(&c.in);
    cr_expect_eq(lv_broadcast(NULL, "feed", "msg", NULL), -1);
    lv_app_free(app);
}

Test(app_thread, stop_before_start_serves_then_stops_at_once)
{
    lv_app *app = new_app(0);
    lv_app_stop(app);
    cr_expect_eq(lv_app_start(app), 0);
    cr_expect_eq(lv_app_wait(app), 0);
    lv_app_free(app);
}

Test(app_thread, a_taken_port_fails_the_start_and_misuse_is_refused)
{
    lv_app *first = new_app(0);
    cr_assert_eq(lv_app_start(first), 0);
    cr_expect_eq(lv_app_start(first), -1, "an app runs once");
    cr_expect_eq(lv_app_run(first), -1, "an app runs once");

    lv_app *second = new_app(lv_app_port(first));
    cr_assert_eq(lv_app_post(second, count_run, NULL), 0);
    cr_expect_eq(lv_app_start(second), -1, "the port is taken");
    cr_expect_eq(atomic_load(&runs), 1, "what was posted ran before the failed start returned");
    cr_expect_eq(lv_app_port(second), 0);
    cr_expect_eq(lv_app_wait(second), -1, "not started");
    cr_expect_eq(lv_app_post(second, count_run, NULL), -1, "its run is over");
    lv_app_free(second);

    lv_app_stop(first);
    cr_expect_eq(lv_app_wait(first), 0);
    cr_expect_eq(lv_app_wait(first), -1, "waited for already");
    lv_app_free(first);
    cr_expect_eq(atomic_load(&runs), 1);
}
