/* LV_WORKERS: several loops in one process. Many sockets spread over both
 * loops (SO_REUSEPORT), 2,000 views among them; a broadcast from any thread
 * or from a view on either loop reaches every view once; timers and async
 * results come back on the view's own loop; lv_app_post from many threads
 * runs each task once, on loop 0; stopping runs every view's terminate.
 * Raw WebSocket clients over loopback; every wait is for an event, none is
 * a timing. Also run under ThreadSanitizer (make test-tsan). */
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
#define CONNECTIONS 200
#define VIEWS_PER_CONNECTION 10 /* 2,000 views */
#define POSTERS 4
#define POSTS_EACH 250

/* ---- the view: says which loop it lives on and what it hears ---- */

typedef struct where_state {
    lv_loop *mounted_on;
} where_state;

static atomic_int shutdowns;    /* terminate with LV_TERMINATE_SHUTDOWN */
static atomic_int wrong_loop;   /* a callback ran off the view's loop */

static void check_loop(lv_socket *s)
{
    where_state *st = lv_state(s);
    if (lv_app_current_loop(lv_socket_app(s)) != st->mounted_on || s->loop != st->mounted_on)
        atomic_fetch_add(&wrong_loop, 1);
}

static int where_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params, (void)session;
    if (!lv_connected(s)) return 0;
    where_state *st = lv_state(s);
    st->mounted_on = lv_app_current_loop(lv_socket_app(s));
    return lv_subscribe(s, "all");
}

static lv_value *slow_double(void *arg)
{
    lv_value *v = lv_map_new();
    lv_map_set_int(v, "n", 2 * (int)(intptr_t)arg);
    return v;
}

static int where_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)value;
    check_loop(s);
    if (strcmp(event, "shout") == 0) {
        lv_value *msg = lv_map_new();
        lv_map_set_int(msg, "n", 2);
        int rc = lv_broadcast(lv_socket_app(s), "all", "msg", msg);
        lv_value_delete(msg);
        return rc;
    }
    /* "later": a timer and an async job, each answering on this loop */
    if (lv_send_after(s, 1, "tick", NULL) < 0) return -1;
    return lv_start_async(s, "job", slow_double, (void *)(intptr_t)21, NULL);
}

static int where_info(lv_socket *s, const char *name, const lv_params *payload)
{
    check_loop(s);
    lv_value *got = lv_map_new();
    lv_map_set_str(got, "name", name);
    lv_map_set_int(got, "loop", (int64_t)((where_state *)lv_state(s))->mounted_on->index);
    lv_map_set_int(got, "n", lv_param_int(payload, "n", -1));
    int rc = lv_push_event(s, "got", got);
    lv_value_delete(got);
    return rc;
}

static void where_terminate(lv_socket *s, lv_terminate_reason reason)
{
    if (!lv_connected(s)) return;
    check_loop(s);
    if (reason == LV_TERMINATE_SHUTDOWN) atomic_fetch_add(&shutdowns, 1);
}

static const lv_view where_view = {
    .name = "where",
    .template_text = "<p>where</p>",
    .state_size = sizeof(where_state),
    .events = (const char *const[]){"shout", "later", NULL},
    .mount = where_mount,
    .handle_event = where_event,
    .handle_info = where_info,
    .terminate = where_terminate,
};

static lv_app *new_app(unsigned workers)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.workers = workers;
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = NULL;
    cfg.allowed_origins = NULL;
    cfg.log_level = LV_LOG_WARN;
    lv_app *app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(app->loop_count, workers);
    cr_assert_eq(lv_route(app, "/where", &where_view), 0);
    return app;
}

/* ---- the client (tests/support/loopback.h), joined to views ---- */

typedef struct client {
    int fd;
    lv_buf in;
    int views;
    char topics[VIEWS_PER_CONNECTION][72];
} client;

/* Reads frames until one holds `needle`; returns it (the caller frees). */
static char *read_until(client *c, const char *needle)
{
    for (;;) {
        int opcode;
        char *frame = read_frame(c->fd, &c->in, &opcode);
        cr_assert_not_null(frame, "the server closed while waiting for %s", needle);
        if (strstr(frame, needle)) return frame;
        free(frame);
    }
}

/* Opens a socket and joins `views` views of one session on it. */
static client connect_views(int port, int views)
{
    page first = load_page(port, "/where", NULL);
    client c = {.in = LV_BUF_INIT};
    c.fd = open_socket(port, &first, &c.in);
    for (int v = 0; v < views; v++) {
        page p = v == 0 ? first : load_page(port, "/where", first.cookie);
        snprintf(c.topics[v], sizeof c.topics[v], "lv:%s", p.id);
        lv_buf join = LV_BUF_INIT;
        lv_buf_printf(&join,
                      "[\"%d\",\"%d\",\"%s\",\"phx_join\",{\"url\":\"http://127.0.0.1:%d/where\","
                      "\"params\":{\"_csrf_token\":\"%s\",\"_mounts\":0},\"session\":\"%s\","
                      "\"static\":null}]",
                      v + 1, v + 1, c.topics[v], port, p.csrf, p.session);
        send_text(c.fd, join.data);
        lv_buf_free(&join);
        char *reply = read_until(&c, "phx_reply");
        cr_assert_not_null(strstr(reply, "\"status\":\"ok\""), "the join: %s", reply);
        free(reply);
    }
    c.views = views;
    return c;
}

static void client_close(client *c)
{
    close(c->fd);
    lv_buf_free(&c->in);
}

/* Reads until each of the client's views pushed one "got" named `name`
 * with n == `n`; a second one for a view fails. */
static void expect_each_view_once(client *c, const char *name, int n)
{
    bool seen[VIEWS_PER_CONNECTION] = {false};
    char needle[96];
    snprintf(needle, sizeof needle, "\"name\":\"%s\"", name);
    for (int left = c->views; left > 0;) {
        char *frame = read_until(c, needle);
        int v = 0;
        while (v < c->views && !strstr(frame, c->topics[v])) v++;
        cr_assert_lt(v, c->views, "a push for no view of this socket: %s", frame);
        cr_assert_not(seen[v], "a view got %s twice: %s", name, frame);
        char want[32];
        snprintf(want, sizeof want, "\"n\":%d", n);
        cr_assert_not_null(strstr(frame, want), "%s", frame);
        seen[v] = true;
        left--;
        free(frame);
    }
}

static lv_app *the_app;

static void *broadcast_from_a_thread(void *arg)
{
    (void)arg;
    lv_value *msg = lv_map_new();
    lv_map_set_int(msg, "n", 1);
    int rc = lv_broadcast(the_app, "all", "msg", msg);
    lv_value_delete(msg);
    return (void *)(intptr_t)rc;
}

TestSuite(workers, .timeout = 300);

Test(workers, views_spread_over_both_loops_hear_each_broadcast_once_and_all_terminate)
{
    atomic_store(&shutdowns, 0);
    atomic_store(&wrong_loop, 0);
    lv_app *app = new_app(2);
    cr_assert_eq(lv_app_start(app), 0);
    int port = lv_app_port(app);
    static client clients[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) clients[i] = connect_views(port, VIEWS_PER_CONNECTION);
    unsigned on0 = lv_app_loop_sockets(app, 0), on1 = lv_app_loop_sockets(app, 1);
    fprintf(stderr, "%d sockets: %u on loop 0, %u on loop 1\n", CONNECTIONS, on0, on1);
    cr_expect_eq(on0 + on1, CONNECTIONS);
    cr_expect_gt(on0, 0, "loop 0 accepted sockets");
    cr_expect_gt(on1, 0, "loop 1 accepted sockets");

    /* From a thread of the program. */
    the_app = app;
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, broadcast_from_a_thread, NULL), 0);
    void *rc;
    pthread_join(t, &rc);
    cr_assert_eq((intptr_t)rc, 0);
    for (int i = 0; i < CONNECTIONS; i++) expect_each_view_once(&clients[i], "msg", 1);

    /* From a view, on whichever loop the first socket landed. */
    char shout[320];
    snprintf(shout, sizeof shout, "[\"1\",\"99\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"shout\",\"value\":{}}]",
             clients[0].topics[0]);
    send_text(clients[0].fd, shout);
    for (int i = 0; i < CONNECTIONS; i++) expect_each_view_once(&clients[i], "msg", 2);

    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    cr_expect_eq(atomic_load(&shutdowns), CONNECTIONS * VIEWS_PER_CONNECTION,
                 "every view's terminate ran (SHUTDOWN)");
    cr_expect_eq(atomic_load(&wrong_loop), 0);
    for (int i = 0; i < CONNECTIONS; i++) client_close(&clients[i]);
    lv_app_free(app);
}

Test(workers, timers_and_async_results_come_back_on_the_views_loop)
{
    atomic_store(&wrong_loop, 0);
    lv_app *app = new_app(2);
    cr_assert_eq(lv_app_start(app), 0);
    int port = lv_app_port(app);
    /* Sockets until both loops have one (each lands on either at random;
     * 200 all on one loop would be a broken spread). */
    static client clients[CONNECTIONS];
    int n = 0;
    while (n < CONNECTIONS && (lv_app_loop_sockets(app, 0) == 0 || lv_app_loop_sockets(app, 1) == 0))
        clients[n++] = connect_views(port, 1);
    cr_assert(lv_app_loop_sockets(app, 0) > 0 && lv_app_loop_sockets(app, 1) > 0);
    for (int i = 0; i < n; i++) {
        char later[320];
        snprintf(later, sizeof later,
                 "[\"1\",\"7\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"later\",\"value\":{}}]",
                 clients[i].topics[0]);
        send_text(clients[i].fd, later);
    }
    for (int i = 0; i < n; i++) {
        /* Either may come first: the timer's 1 ms or the thread pool. */
        int ticks = 0, jobs = 0;
        while (ticks == 0 || jobs == 0) {
            char *frame = read_until(&clients[i], "\"got\"");
            if (strstr(frame, "\"name\":\"tick\"")) ticks++;
            if (strstr(frame, "\"name\":\"job\"")) jobs++;
            free(frame);
        }
        cr_expect(ticks == 1 && jobs == 1);
    }
    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    cr_expect_eq(atomic_load(&wrong_loop), 0, "every callback ran on its view's loop");
    for (int i = 0; i < n; i++) client_close(&clients[i]);
    lv_app_free(app);
}

/* ---- lv_app_post from many threads ---- */

static atomic_int runs_of[POSTERS * POSTS_EACH];
static atomic_int off_loop_zero;

static void run_once(lv_app *app, void *arg)
{
    lv_loop *here = lv_app_current_loop(app);
    if (!here || here->index != 0) atomic_fetch_add(&off_loop_zero, 1);
    atomic_fetch_add(&runs_of[(intptr_t)arg], 1);
}

typedef struct poster {
    int id;
    atomic_int accepted;
} poster;

static void *post_many(void *arg)
{
    poster *p = arg;
    for (int i = 0; i < POSTS_EACH; i++) {
        intptr_t slot = p->id * POSTS_EACH + i;
        if (lv_app_post(the_app, run_once, (void *)slot) != 0) break;
        atomic_fetch_add(&p->accepted, 1);
    }
    return NULL;
}

Test(workers, posts_from_many_threads_run_once_each_on_loop_zero)
{
    lv_app *app = new_app(2);
    the_app = app;
    cr_assert_eq(lv_app_start(app), 0);
    static poster posters[POSTERS];
    pthread_t threads[POSTERS];
    for (int i = 0; i < POSTERS; i++) {
        posters[i].id = i;
        atomic_init(&posters[i].accepted, 0);
        cr_assert_eq(pthread_create(&threads[i], NULL, post_many, &posters[i]), 0);
    }
    for (int i = 0; i < POSTERS; i++) pthread_join(threads[i], NULL);
    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    for (int i = 0; i < POSTERS; i++) {
        cr_expect_eq(atomic_load(&posters[i].accepted), POSTS_EACH, "nothing refused before the stop");
        for (int j = 0; j < POSTS_EACH; j++)
            cr_expect_eq(atomic_load(&runs_of[i * POSTS_EACH + j]), 1, "task %d.%d", i, j);
    }
    cr_expect_eq(atomic_load(&off_loop_zero), 0);
    lv_app_free(app);
}

Test(workers, lv_workers_from_the_environment_and_the_port_shared_by_every_loop)
{
    setenv("LV_WORKERS", "3", 1);
    lv_config cfg;
    lv_config_defaults(&cfg);
    cr_expect_eq(cfg.workers, 3u);
    setenv("LV_WORKERS", "zero", 1);
    lv_config_defaults(&cfg);
    cr_expect_geq(cfg.workers, 1u, "a bad value is ignored: one per core");
    unsetenv("LV_WORKERS");
    lv_app *app = new_app(3);
    cr_assert_eq(lv_app_start(app), 0);
    int port = lv_app_port(app);
    /* Another server cannot take the port the loops share. */
    lv_config other;
    lv_config_defaults(&other);
    other.host = "127.0.0.1";
    other.port = port;
    other.workers = 2;
    other.secret_key_base = SECRET;
    other.log_level = LV_LOG_ERROR;
    lv_app *second = lv_app_new(&other);
    cr_assert_not_null(second);
    cr_assert_eq(lv_route(second, "/where", &where_view), 0);
    cr_expect_eq(lv_app_start(second), -1, "address already in use, even with SO_REUSEPORT");
    lv_app_free(second);
    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    lv_app_free(app);
}
