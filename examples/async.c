/* Async assigns: an organization loaded off the loop thread with
 * lv_assign_async, shown with {{#async_result}} (loading, ok, failed); a
 * stream of posts loaded with lv_stream_async; an update-only stream
 * insert; lv_cancel_async; and a log sent once with lv_temporary_assign.
 *
 * "Slow load" waits until "Release" is clicked (a gate per view), so the
 * loading state and "the latest start wins" can be seen: start a slow load,
 * then a quick one, then release the slow one: its result is dropped. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define GATE_TIMEOUT_S 30
#define POSTS_PER_LOAD 5
#define LOG_LINES 100

/* Released by the view's "release" event (loop thread), waited on by slow
 * loads (thread-pool threads). A release lets go every load started
 * before it. Shared by both, freed by the last one. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t released;
    uint64_t releases;
    atomic_int refs;
    atomic_int finished; /* slow loads that returned */
} gate;

static gate *gate_new(void)
{
    gate *g = calloc(1, sizeof *g);
    if (!g) abort();
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->released, NULL);
    atomic_init(&g->refs, 1);
    return g;
}

static gate *gate_ref(gate *g)
{
    atomic_fetch_add(&g->refs, 1);
    return g;
}

static void gate_unref(gate *g)
{
    if (atomic_fetch_sub(&g->refs, 1) != 1) return;
    pthread_cond_destroy(&g->released);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static uint64_t gate_releases(gate *g)
{
    pthread_mutex_lock(&g->lock);
    uint64_t n = g->releases;
    pthread_mutex_unlock(&g->lock);
    return n;
}

static void gate_release(gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->releases++;
    pthread_cond_broadcast(&g->released);
    pthread_mutex_unlock(&g->lock);
}

/* Waits for the release after `seen` releases. False when it waited
 * GATE_TIMEOUT_S in vain (a visitor who never clicks Release must not hold
 * a pool thread for ever). */
static bool gate_wait(gate *g, uint64_t seen)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += GATE_TIMEOUT_S;
    pthread_mutex_lock(&g->lock);
    int rc = 0;
    while (g->releases == seen && rc == 0) rc = pthread_cond_timedwait(&g->released, &g->lock, &until);
    bool released = g->releases != seen;
    pthread_mutex_unlock(&g->lock);
    return released;
}

typedef struct async_state {
    gate *gate;
    int64_t loads;
    int64_t next_post;
} async_state;

/* What a load is asked for: owned by the job (load_free). */
typedef struct load_arg {
    enum { LOAD_QUICK, LOAD_FAIL, LOAD_SLOW } kind;
    int64_t number;
    gate *gate;    /* LOAD_SLOW */
    uint64_t seen; /* the gate's releases when it started */
} load_arg;

static void load_free(void *p)
{
    load_arg *a = p;
    if (a->gate) gate_unref(a->gate);
    free(a);
}

/* Runs on the thread pool: touches only its argument. */
static lv_value *load_org(void *p)
{
    load_arg *a = p;
    if (a->kind == LOAD_FAIL) return lv_value_new_str("The directory is unreachable.");
    if (a->kind == LOAD_SLOW) {
        bool released = gate_wait(a->gate, a->seen);
        atomic_fetch_add(&a->gate->finished, 1);
        if (!released) return lv_value_new_str("Nobody released the slow load.");
    }
    lv_value *org = lv_map_new();
    char name[64];
    snprintf(name, sizeof name, "%s #%lld", a->kind == LOAD_SLOW ? "Slow Corp" : "Acme Corp", (long long)a->number);
    lv_map_set_str(org, "name", name);
    lv_map_set_int(org, "members", 40 + a->number);
    lv_value *result = lv_map_new();
    lv_map_set(result, "org", org);
    return result;
}

static int start_org(lv_socket *socket, int kind)
{
    async_state *st = lv_state(socket);
    load_arg *a = calloc(1, sizeof *a);
    if (!a) return -1;
    a->kind = kind;
    a->number = ++st->loads;
    if (kind == LOAD_SLOW && st->gate) {
        a->gate = gate_ref(st->gate);
        a->seen = gate_releases(st->gate);
    }
    if (kind == LOAD_SLOW && !a->gate) a->kind = LOAD_QUICK; /* the HTTP render has no gate */
    return lv_assign_async(socket, "org", load_org, a, load_free);
}

/* A page of posts: arg is the first id (a heap int64). */
static lv_value *load_posts(void *p)
{
    int64_t first = *(int64_t *)p;
    lv_value *posts = lv_list_new();
    for (int64_t id = first; id < first + POSTS_PER_LOAD; id++) {
        lv_value *post = lv_map_new();
        lv_map_set_int(post, "id", id);
        char text[48];
        snprintf(text, sizeof text, "Post number %lld", (long long)id);
        lv_map_set_str(post, "text", text);
        lv_list_push(posts, post);
    }
    return posts;
}

static int start_posts(lv_socket *socket)
{
    async_state *st = lv_state(socket);
    int64_t *first = malloc(sizeof *first);
    if (!first) return -1;
    *first = st->next_post;
    st->next_post += POSTS_PER_LOAD;
    return lv_stream_async(socket, "posts", load_posts, first, free, false);
}

static int async_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    async_state *st = lv_state(socket);
    st->next_post = 1;
    if (lv_connected(socket)) st->gate = gate_new();
    lv_assign_int(socket, "slow_done", 0);
    lv_stream(socket, "posts", NULL);
    /* A log the client is sent once; the server keeps an empty list. */
    lv_value *log = lv_list_new();
    for (int i = 1; i <= LOG_LINES; i++) lv_list_push_int(log, i);
    lv_assign_value(socket, "log", log);
    lv_temporary_assign(socket, "log", lv_list_new());
    lv_page_title(socket, "Async assigns");
    if (start_org(socket, LOAD_QUICK) != 0) return -1;
    return start_posts(socket);
}

static int async_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    async_state *st = lv_state(socket);
    if (strcmp(event, "reload") == 0) return start_org(socket, LOAD_QUICK);
    if (strcmp(event, "fail") == 0) return start_org(socket, LOAD_FAIL);
    if (strcmp(event, "slow") == 0) return start_org(socket, LOAD_SLOW);
    if (strcmp(event, "cancel") == 0) {
        lv_cancel_async(socket, "org"); /* nothing running is fine too */
        return 0;
    }
    if (strcmp(event, "release") == 0) {
        if (st->gate) gate_release(st->gate);
        return 0;
    }
    if (strcmp(event, "check") == 0) {
        lv_assign_int(socket, "slow_done", st->gate ? atomic_load(&st->gate->finished) : 0);
        return 0;
    }
    if (strcmp(event, "more") == 0) return start_posts(socket);
    if (strcmp(event, "edit") == 0) {
        /* Update-only: post 1 changes if the browser shows it, and post 0,
         * which it never had, is not added. */
        for (int id = 0; id <= 1; id++) {
            lv_value *post = lv_map_new();
            lv_map_set_int(post, "id", id);
            lv_map_set_str(post, "text", "Post number 1 (edited)");
            lv_stream_update(socket, "posts", post);
        }
        return 0;
    }
    return 0;
}

static void async_terminate(lv_socket *socket, lv_terminate_reason reason)
{
    (void)reason;
    async_state *st = lv_state(socket);
    if (!st->gate) return;
    gate_release(st->gate); /* a waiting slow load returns at once */
    gate_unref(st->gate);
    st->gate = NULL;
}

const lv_view lv_example_async = {
    .name = "async",
    .template_file = "async.html",
    .state_size = sizeof(async_state),
    .events = (const char *const[]){"reload", "fail", "slow", "cancel", "release", "check", "more", "edit",
                                    NULL},
    .mount = async_mount,
    .handle_event = async_event,
    .terminate = async_terminate,
};
