/* The realtime counter: one count shared by every visitor, kept in step over
 * pub/sub. A click changes the count and broadcasts it; every view showing
 * the page is subscribed to the topic and takes the new count in
 * handle_info, so two browser windows move together.
 *
 * With LV_REDIS_URL set (docs/scaling.md) the count is the cluster's: it
 * lives in Redis, and a click runs lv_shared_counter_add off the loop
 * (lv_start_async), which adds and broadcasts the new value to every
 * process in one step, so all pages see the same values in the same order.
 * If Redis cannot be reached, the click falls back to this process's count
 * and a local broadcast: the page keeps working, shared again once Redis is
 * back. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

#define RTCOUNTER_TOPIC "rtcounter"

#define RTCOUNTER_COUNTER "rtcounter"

/* The process-wide count (with Redis: the last value this process saw) and
 * a version that grows with every change. Views run on several loops
 * (LV_WORKERS), so two clicks' broadcasts can reach a loop in either order:
 * each view keeps the version it shows and ignores an older one. */
static struct {
    pthread_mutex_t lock;
    int64_t count;
    int64_t version;
} shared = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Adds delta (0: none) or, when set is true, sets the count to value; the
 * new count and its version come back. */
static int64_t shared_change(int64_t delta, bool set, int64_t value, int64_t *version)
{
    pthread_mutex_lock(&shared.lock);
    shared.count = set ? value : shared.count + delta;
    int64_t count = shared.count;
    *version = ++shared.version;
    pthread_mutex_unlock(&shared.lock);
    return count;
}

static int64_t shared_read(int64_t *version)
{
    pthread_mutex_lock(&shared.lock);
    int64_t count = shared.count;
    *version = shared.version;
    pthread_mutex_unlock(&shared.lock);
    return count;
}

/* Shows count at version, unless the view already shows a later one. */
static void show_count(lv_socket *socket, int64_t count, int64_t version)
{
    if (version <= lv_get_int(socket, "version")) return;
    lv_assign_int(socket, "count", count);
    lv_assign_int(socket, "version", version);
}

/* The work of a cluster click or load: runs on the thread pool. */
typedef struct counter_job {
    lv_app *app;
    int64_t delta;
    bool broadcast;
} counter_job;

static lv_value *counter_job_run(void *arg)
{
    counter_job *job = arg;
    int64_t value;
    if (lv_shared_counter_add(job->app, RTCOUNTER_COUNTER, job->delta, job->broadcast ? RTCOUNTER_TOPIC : NULL,
                              "cluster_count", &value) != 0)
        return NULL;
    return lv_value_new_int(value);
}

static int start_counter_job(lv_socket *socket, const char *name, int64_t delta, bool broadcast)
{
    counter_job *job = malloc(sizeof *job);
    if (!job) return -1;
    *job = (counter_job){lv_socket_app(socket), delta, broadcast};
    return lv_start_async(socket, name, counter_job_run, job, free);
}

/* A count every view of this process should show: a local broadcast. */
static int broadcast_local_count(lv_socket *socket, int64_t count, int64_t version)
{
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "count", count);
    lv_map_set_int(payload, "version", version);
    int rc = lv_broadcast(lv_socket_app(socket), RTCOUNTER_TOPIC, "count", payload);
    lv_value_delete(payload);
    return rc;
}

static int rtcounter_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    /* Only the connected view listens: the HTTP render is over at once. */
    if (lv_connected(socket) && lv_subscribe(socket, RTCOUNTER_TOPIC) != 0) return -1;
    int64_t version;
    int64_t count = shared_read(&version);
    lv_assign_int(socket, "count", count);
    lv_assign_int(socket, "version", version);
    /* With Redis, what this process last saw may be stale: read the
     * cluster's count (an update arriving first wins: "fresh"). */
    lv_assign_bool(socket, "fresh", false);
    if (lv_connected(socket) && lv_app_clustered(lv_socket_app(socket)))
        return start_counter_job(socket, "count_loaded", 0, false);
    return 0;
}

static int rtcounter_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t delta = strcmp(event, "inc") == 0 ? 1 : -1;
    /* In a cluster the new count arrives as "cluster_count", like the other
     * processes' clicks. */
    if (lv_app_clustered(lv_socket_app(socket)))
        return start_counter_job(socket, delta > 0 ? "inc_done" : "dec_done", delta, true);
    int64_t version;
    int64_t count = shared_change(delta, false, 0, &version);
    /* This view shows the new count in its reply; the broadcast reaches the
     * others (and this one, where the same version changes nothing). */
    show_count(socket, count, version);
    return broadcast_local_count(socket, count, version);
}

static bool async_ok(const lv_params *payload)
{
    const char *ok = lv_param(payload, "ok");
    return ok && strcmp(ok, "true") == 0;
}

static int rtcounter_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    int64_t version;
    if (strcmp(name, "count") == 0) {
        /* A count without a version (a process of an older build) is shown
         * as it comes. */
        int64_t count = lv_param_int(payload, "count", 0);
        version = lv_param_int(payload, "version", 0);
        if (version > 0) {
            show_count(socket, count, version);
        } else {
            lv_assign_int(socket, "count", count);
        }
        lv_assign_bool(socket, "fresh", true);
    } else if (strcmp(name, "cluster_count") == 0) {
        /* Redis orders these itself and every loop gets them in that order. */
        int64_t count = shared_change(0, true, lv_param_int(payload, "value", 0), &version);
        lv_assign_int(socket, "count", count);
        lv_assign_int(socket, "version", version);
        lv_assign_bool(socket, "fresh", true);
    } else if (strcmp(name, "count_loaded") == 0) {
        if (async_ok(payload) && !lv_get_bool(socket, "fresh")) {
            int64_t count = shared_change(0, true, lv_param_int(payload, "result", 0), &version);
            lv_assign_int(socket, "count", count);
            lv_assign_int(socket, "version", version);
        }
    } else if ((strcmp(name, "inc_done") == 0 || strcmp(name, "dec_done") == 0) && !async_ok(payload)) {
        /* Redis is out of reach: count on in this process. */
        int64_t count = shared_change(name[0] == 'i' ? 1 : -1, false, 0, &version);
        show_count(socket, count, version);
        return broadcast_local_count(socket, count, version);
    }
    return 0;
}

const lv_view lv_example_rtcounter = {
    .name = "rtcounter",
    .template_text = "<main>\n"
                     "<h1>Realtime counter</h1>\n"
                     "<p class=\"muted\">One count for everyone: open this page in two windows.</p>\n"
                     "<div class=\"counter\">\n"
                     "  <button phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
                     "  <span id=\"count\" class=\"value\">{{count}}</span>\n"
                     "  <button phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
                     "</div>\n"
                     "</main>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = rtcounter_mount,
    .handle_event = rtcounter_event,
    .handle_info = rtcounter_info,
};
