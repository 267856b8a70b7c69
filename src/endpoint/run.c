/* Running an app: its endpoint carried by the libuv server (net/server.c),
 * either on the caller's thread (lv_app_run) or on a thread of the library's
 * own (lv_app_start, lv_app_wait), and work posted to its loop from other
 * threads (lv_app_post).
 *
 * An app runs once. Its lv_server exists only while serving; lv_app_stop and
 * lv_app_post reach it through app->server from any thread, counting
 * themselves in app->server_users so the server is not freed under them. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "endpoint/broker.h"
#include "endpoint/endpoint.h"
#include "endpoint/files.h"
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
} lv_app_runner;

/* Claims the app's one run. */
static bool claim_run(lv_app *app, const char *who)
{
    if (!atomic_exchange(&app->run_claimed, true)) return true;
    lv_log_error("%s: this app was already started; an app runs once", who);
    return false;
}

/* Runs what was posted and refuses more: for a run that ends before its
 * loop could (no assets, no thread), so every accepted task still runs
 * once before the run is over. */
static void finish_posted(lv_app *app)
{
    lv_task_queue_close(&app->posted);
    lv_task_queue_run(&app->posted);
}

/* Uses the server, if there is one, without it being freed meanwhile.
 * Lock-free, so lv_app_stop may call it from a signal handler. */
static void with_server(lv_app *app, void (*use)(lv_server *s))
{
    atomic_fetch_add(&app->server_users, 1);
    lv_server *server = atomic_load(&app->server);
    if (server) use(server);
    atomic_fetch_sub(&app->server_users, 1);
}

/* Serves app on the calling thread until it stops. started, when not NULL,
 * replaces the endpoint's started (and must call it). */
static int serve(lv_app *app, bool handle_signals,
                 void (*started)(void *ctx, const lv_runtime *rt, int port))
{
    if (lv_app_files_prepare(app) != 0 || lv_app_broker_start(app) != 0) {
        finish_posted(app);
        return -1;
    }
    const lv_config *c = &app->config;
    lv_server_config cfg = {
        .host = c->host,
        .port = c->port,
        .max_header_bytes = c->max_header_bytes,
        .max_body_bytes = c->max_body_bytes,
        .max_message_bytes = c->max_message_bytes,
        .max_outbound_bytes = c->max_outbound_bytes,
        .header_timeout_s = c->header_timeout_s,
        .idle_timeout_s = c->idle_timeout_s,
        .handle_signals = handle_signals,
        .tasks = &app->posted,
    };
    lv_endpoint ep = lv_app_endpoint(app);
    if (started) ep.started = started;
    lv_server *server = lv_server_new(&cfg, &ep);
    /* A task posted before this store woke nobody; the server runs the
     * queue once it listens, which is after the store. */
    atomic_store(&app->server, server);
    if (atomic_load(&app->stop_requested)) lv_server_stop(server);
    lv_app_enter_loop(app);
    int result = lv_server_run(server);
    lv_app_leave_loop();
    atomic_store(&app->server, NULL);
    while (atomic_load(&app->server_users) > 0) sched_yield();
    lv_server_free(server);
    lv_app_broker_stop(app);
    return result;
}

int lv_app_run(lv_app *app)
{
    if (!app || !claim_run(app, "lv_app_run")) return -1;
    atomic_store(&app->running, true);
    int result = serve(app, true, NULL);
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
    r->result = serve(app, false, started_for_start);
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

int lv_app_start(lv_app *app)
{
    if (!app || !claim_run(app, "lv_app_start")) return -1;
    lv_app_runner *r = lv_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    r->state = RUNNER_STARTING;
    app->runner = r;
    atomic_store(&app->running, true);
    if (pthread_create(&r->thread, NULL, serve_thread, app) != 0) {
        lv_log_error("lv_app_start: cannot create the server's thread");
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
    with_server(app, stop_server);
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

int lv_app_post(lv_app *app, lv_post_fn fn, void *arg)
{
    if (!app || !fn) return -1;
    if (atomic_load(&app->stop_requested)) return -1;
    posted_call *call = lv_xmalloc(sizeof *call);
    *call = (posted_call){app, fn, arg};
    if (lv_task_queue_push(&app->posted, run_posted, call) != 0) {
        free(call); /* the app is stopping */
        return -1;
    }
    with_server(app, lv_server_wake);
    return 0;
}
