/* Running an app: its endpoint carried by one libuv server per loop
 * (net/server.c, lv_config.workers of them), either with loop 0 on the
 * caller's thread (lv_app_run) or every loop on threads of the library's
 * own (lv_app_start, lv_app_wait), and work posted to a loop from other
 * threads (lv_app_post, lv_loop_post).
 *
 * Every loop's server binds the same port with SO_REUSEPORT (with port 0,
 * loop 0 binds first and the others join the port it got), so the kernel
 * spreads connections over the loops and a connection, and the views on
 * it, stays on the loop that accepted it (docs/workers.md).
 *
 * An app runs once. A loop's lv_server exists only while serving; threads
 * that wake or stop it reach it through loop->server, counting themselves
 * in loop->server_users so the server is not freed under them. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "endpoint/broker.h"
#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include <liveview_adapter.h>
#include "net/server.h"
#include "util/log.h"

typedef enum runner_state { RUNNER_STARTING, RUNNER_LISTENING, RUNNER_FAILED } runner_state;

/* lv_app_start's thread and how it reports back. */
typedef struct lv_app_runner {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    runner_state state; /* under lock */
    int result;         /* serve's, read after the join */
    bool no_listen;     /* lv_adapter_start: the loops without the listener */
} lv_app_runner;

/* Claims the app's one run. */
static bool claim_run(lv_app *app, const char *who)
{
    if (!atomic_exchange(&app->run_claimed, true)) return true;
    lv_log_error("%s: this app was already started; an app runs once", who);
    return false;
}

/* Runs what was posted and refuses more: for a run that ends before its
 * loops could (no assets, no thread, no port), so every accepted task
 * still runs once before the run is over. */
static void finish_posted(lv_app *app)
{
    for (unsigned i = 0; i < app->loop_count; i++) {
        lv_task_queue_close(&app->loops[i].tasks);
        lv_task_queue_run(&app->loops[i].tasks);
    }
}

/* Uses the loop's server, if there is one, without it being freed
 * meanwhile. Lock-free, so lv_app_stop may call it from a signal handler. */
static void with_server(lv_loop *loop, void (*use)(lv_server *s))
{
    atomic_fetch_add(&loop->server_users, 1);
    lv_server *server = atomic_load(&loop->server);
    if (server) use(server);
    atomic_fetch_sub(&loop->server_users, 1);
}

/* One loop stopping stops them all, whatever stopped it (a signal on
 * loop 0, lv_app_stop). */
static void on_loop_stopping(void *ctx)
{
    lv_app_stop(ctx);
}

static lv_server *server_for(lv_app *app, unsigned index, bool handle_signals, int port,
                             bool no_listen,
                             lv_server_shared *shared,
                             void (*started)(void *ctx, const lv_runtime *rt, int port))
{
    const lv_config *c = &app->config;
    lv_server_config cfg = {
        .host = c->host,
        .port = port,
        .max_header_bytes = c->max_header_bytes,
        .max_body_bytes = c->max_body_bytes,
        .max_message_bytes = c->max_message_bytes,
        .max_outbound_bytes = c->max_outbound_bytes,
        .header_timeout_s = c->header_timeout_s,
        .idle_timeout_s = c->idle_timeout_s,
        .message_timeout_s = c->message_timeout_s,
        .body_timeout_s = c->body_timeout_s,
        .join_grace_s = c->join_grace_s,
        .max_buffered_bytes = c->max_buffered_bytes,
        .max_connections = c->max_connections,
        .max_connections_per_address = c->max_connections_per_address,
        .shared = shared,
        .handle_signals = handle_signals && index == 0,
        .tasks = &app->loops[index].tasks,
        .reuse_port = app->loop_count > 1,
        .joins_port = index > 0,
        .no_listen = no_listen,
        .on_stopping = on_loop_stopping,
        .on_stopping_ctx = app,
    };
    lv_endpoint ep = lv_app_endpoint(app);
    if (started && index == 0) ep.started = started;
    return lv_server_new(&cfg, &ep);
}

/* Runs loop `index`'s server on the calling thread until it stops. */
static int run_loop(lv_loop *loop)
{
    lv_app_enter_loop(loop);
    int result = lv_server_run(atomic_load(&loop->server));
    lv_app_leave_loop();
    return result;
}

static void *loop_thread(void *arg)
{
    run_loop(arg);
    return NULL;
}

/* Lets go of every loop's server once no other thread uses it. */
static void free_servers(lv_app *app)
{
    for (unsigned i = 0; i < app->loop_count; i++) {
        lv_loop *loop = &app->loops[i];
        lv_server *server = atomic_exchange(&loop->server, NULL);
        while (atomic_load(&loop->server_users) > 0) sched_yield();
        lv_server_free(server);
    }
}

/* Makes and binds every loop's server on the calling thread: loop 0 first,
 * whose port (the one asked for, or the one it got for 0) the others join.
 * Returns false, with nothing listening, when one cannot. */
static bool listen_all(lv_app *app, lv_server **servers, bool handle_signals, bool no_listen,
                       lv_server_shared *shared,
                       void (*started)(void *ctx, const lv_runtime *rt, int port))
{
    int port = app->config.port;
    for (unsigned i = 0; i < app->loop_count; i++) {
        servers[i] = server_for(app, i, handle_signals, port, no_listen, shared, started);
        int bound = lv_server_listen(servers[i]);
        if (bound < 0) {
            for (unsigned j = 0; j <= i; j++) lv_server_free(servers[j]);
            return false;
        }
        port = bound;
    }
    return true;
}

/* Serves app until it stops: loop 0 on the calling thread, the others on
 * threads of their own. started, when not NULL, replaces loop 0's endpoint
 * started (and must call it). */
static int serve(lv_app *app, bool handle_signals, bool no_listen,
                 void (*started)(void *ctx, const lv_runtime *rt, int port))
{
    if (lv_app_files_prepare(app) != 0 || lv_app_broker_start(app) != 0) {
        finish_posted(app);
        return -1;
    }
    unsigned n = app->loop_count;
    lv_server **servers = lv_xcalloc(n, sizeof *servers);
    /* The caps and the buffer budget hold for the process, over its loops. */
    lv_server_shared shared;
    lv_server_shared_init(&shared);
    if (!listen_all(app, servers, handle_signals, no_listen, &shared, started)) {
        free(servers);
        lv_server_shared_destroy(&shared);
        lv_app_broker_stop(app);
        finish_posted(app);
        return -1;
    }
    /* A task posted before these stores woke nobody; each server runs its
     * queue once it runs, which is after the store. */
    for (unsigned i = 0; i < n; i++) atomic_store(&app->loops[i].server, servers[i]);
    free(servers);
    if (atomic_load(&app->stop_requested)) lv_app_stop(app);
    pthread_t *threads = lv_xcalloc(n, sizeof *threads);
    bool *running = lv_xcalloc(n, sizeof *running);
    for (unsigned i = 1; i < n; i++) {
        running[i] = pthread_create(&threads[i], NULL, loop_thread, &app->loops[i]) == 0;
        if (!running[i]) {
            lv_log_error("cannot create the thread of loop %u; stopping", i);
            lv_app_stop(app);
        }
    }
    int result = run_loop(&app->loops[0]);
    for (unsigned i = 1; i < n; i++) {
        if (running[i]) {
            pthread_join(threads[i], NULL);
        } else {
            run_loop(&app->loops[i]); /* stopped already: it only closes */
        }
    }
    free(threads);
    free(running);
    free_servers(app);
    lv_server_shared_destroy(&shared);
    lv_app_broker_stop(app);
    return result;
}

int lv_app_run(lv_app *app)
{
    if (!app || !claim_run(app, "lv_app_run")) return -1;
    atomic_store(&app->running, true);
    int result = serve(app, true, false, NULL);
    atomic_store(&app->running, false);
    return result;
}

static void runner_report(lv_app_runner *r, runner_state state)
{
    pthread_mutex_lock(&r->lock);
    if (r->state == RUNNER_STARTING) r->state = state;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

/* The endpoint's started, then the news for lv_app_start: the port is set. */
static void started_for_start(void *ctx, const lv_runtime *rt, int port)
{
    lv_app *app = ctx;
    lv_app_endpoint(app).started(ctx, rt, port);
    runner_report(app->runner, RUNNER_LISTENING);
}

static void *serve_thread(void *arg)
{
    lv_app *app = arg;
    lv_app_runner *r = app->runner;
    r->result = serve(app, false, r->no_listen, started_for_start);
    runner_report(r, RUNNER_FAILED); /* only if it never listened */
    return NULL;
}

static void runner_free(lv_app *app)
{
    lv_app_runner *r = app->runner;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r);
    app->runner = NULL;
    atomic_store(&app->running, false);
}

/* lv_app_start and lv_adapter_start: every loop on a thread of its own. */
static int start_loops(lv_app *app, const char *who, bool no_listen)
{
    if (!app || !claim_run(app, who)) return -1;
    lv_app_runner *r = lv_xcalloc(1, sizeof *r);
    r->no_listen = no_listen;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    r->state = RUNNER_STARTING;
    app->runner = r;
    atomic_store(&app->running, true);
    if (pthread_create(&r->thread, NULL, serve_thread, app) != 0) {
        lv_log_error("%s: cannot create the server's thread", who);
        runner_free(app);
        finish_posted(app);
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    while (r->state == RUNNER_STARTING) pthread_cond_wait(&r->changed, &r->lock);
    runner_state state = r->state;
    pthread_mutex_unlock(&r->lock);
    if (state == RUNNER_LISTENING) return 0;
    pthread_join(r->thread, NULL); /* serve logged why */
    runner_free(app);
    return -1;
}

int lv_app_start(lv_app *app)
{
    return start_loops(app, "lv_app_start", false);
}

int lv_adapter_start(lv_app *app)
{
    return start_loops(app, "lv_adapter_start", true);
}

int lv_app_wait(lv_app *app)
{
    if (!app || !app->runner) {
        lv_log_error("lv_app_wait: the app is not started (lv_app_start) or was waited for already");
        return -1;
    }
    if (lv_app_on_loop_thread(app)) {
        lv_log_error("lv_app_wait: called from the app's own loop thread, which would wait for "
                     "itself; call lv_app_stop there and lv_app_wait from another thread");
        return -1;
    }
    pthread_join(app->runner->thread, NULL);
    int result = app->runner->result;
    runner_free(app);
    return result;
}

static void stop_server(lv_server *s)
{
    lv_server_stop(s); /* async-signal-safe */
}

void lv_app_stop(lv_app *app)
{
    atomic_store(&app->stop_requested, true);
    for (unsigned i = 0; i < app->loop_count; i++) with_server(&app->loops[i], stop_server);
}

/* ------------------------------------------------------------------------
 * Posting work to the loop
 * ------------------------------------------------------------------------ */

typedef struct posted_call {
    lv_app *app;
    lv_post_fn fn;
    void *arg;
} posted_call;

static void run_posted(void *arg)
{
    posted_call *call = arg;
    call->fn(call->app, call->arg);
    free(call);
}

int lv_loop_post(lv_loop *loop, lv_post_fn fn, void *arg)
{
    posted_call *call = lv_xmalloc(sizeof *call);
    *call = (posted_call){loop->app, fn, arg};
    if (lv_task_queue_push(&loop->tasks, run_posted, call) != 0) {
        free(call); /* the loop is stopping */
        return -1;
    }
    with_server(loop, lv_server_wake);
    return 0;
}

/* Loop 0 runs what the program posts: one queue, so tasks from one thread
 * keep their order, and the loop that also runs the broker's calls. */
int lv_app_post(lv_app *app, lv_post_fn fn, void *arg)
{
    if (!app || !fn) return -1;
    if (atomic_load(&app->stop_requested)) return -1;
    return lv_loop_post(&app->loops[0], fn, arg);
}
