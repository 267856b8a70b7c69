/* A device console: readings made by a thread of the program, not by the
 * server's loop, shown live.
 *
 * The producer thread (started by main before lv_app_run, joined after it
 * returns) makes a temperature and a pressure reading ten times a second and
 * hands each to the views with lv_broadcast, which is safe from any thread:
 * the message is copied and delivered on the loop, in the order the thread
 * sent it. It only works while someone is watching and while it is started,
 * so an idle server does nothing and logs nothing.
 *
 * Start and stop are events of the view that flip a flag under the
 * producer's lock; the producer itself announces the change ("started",
 * "stopped" with the last sequence number), after the readings it already
 * sent, so every page shows exactly the last reading next to "stopped at".
 *
 * Each view keeps the last readings it saw and draws them as an inline SVG
 * polyline (no JavaScript), with a threshold set through a form validated by
 * a changeset; readings above it are marked and counted. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define SENSORS_TOPIC "sensors"
#define PERIOD_NS 100000000L /* 10 Hz */
#define HISTORY 60
#define CHART_W 600
#define CHART_H 160
#define CHART_MIN_C 10.0 /* the chart's temperature range */
#define CHART_MAX_C 40.0
#define DEFAULT_THRESHOLD 27.0

typedef struct reading {
    int64_t seq;
    double temperature; /* °C */
    double pressure;    /* hPa */
} reading;

/* ------------------------------------------------------------------------
 * The producer: the program's thread, with its own lock
 * ------------------------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* on CLOCK_MONOTONIC */
    pthread_t thread;
    bool started;           /* the thread exists */
    lv_app *app;
    bool quit;
    bool running, announced_running;
    int watchers;
    int64_t seq;
    reading history[HISTORY]; /* the last readings, oldest first */
    size_t count;
} producer = {.lock = PTHREAD_MUTEX_INITIALIZER, .running = true, .announced_running = true};

/* A made-up but smooth signal: slow and fast waves and a little
 * deterministic noise, the same for every run. */
static reading make_reading(int64_t seq)
{
    double t = (double)seq;
    uint32_t h = (uint32_t)seq * 2654435761u;
    double noise = ((double)(h >> 24) / 255.0 - 0.5) * 0.6;
    return (reading){
        .seq = seq,
        .temperature = 24.0 + 7.0 * sin(t * 2 * M_PI / 90.0) + 1.5 * sin(t * 2 * M_PI / 17.0) + noise,
        .pressure = 1013.0 + 4.0 * sin(t * 2 * M_PI / 240.0) + noise,
    };
}

static void remember(const reading *r)
{
    if (producer.count == HISTORY) {
        memmove(producer.history, producer.history + 1, (HISTORY - 1) * sizeof *producer.history);
        producer.count--;
    }
    producer.history[producer.count++] = *r;
}

static void broadcast_reading(const reading *r)
{
    lv_value *msg = lv_map_new();
    lv_map_set_int(msg, "seq", r->seq);
    lv_map_set_double(msg, "temperature", r->temperature);
    lv_map_set_double(msg, "pressure", r->pressure);
    lv_broadcast(producer.app, SENSORS_TOPIC, "reading", msg); /* -1 once stopping: fine */
    lv_value_delete(msg);
}

static void announce(bool running, int64_t seq)
{
    lv_value *msg = lv_map_new();
    lv_map_set_int(msg, "seq", seq);
    lv_broadcast(producer.app, SENSORS_TOPIC, running ? "started" : "stopped", msg);
    lv_value_delete(msg);
}

static void add_ns(struct timespec *t, long ns)
{
    t->tv_nsec += ns;
    while (t->tv_nsec >= 1000000000L) {
        t->tv_nsec -= 1000000000L;
        t->tv_sec++;
    }
}

static bool reached(const struct timespec *now, const struct timespec *deadline)
{
    return now->tv_sec > deadline->tv_sec ||
           (now->tv_sec == deadline->tv_sec && now->tv_nsec >= deadline->tv_nsec);
}

/* The thread: waits (on the condition, not a sleep) for the next tick or
 * for a change, so stop and quit take effect at once. */
static void *produce(void *arg)
{
    (void)arg;
    struct timespec next;
    bool ticking = false;
    pthread_mutex_lock(&producer.lock);
    while (!producer.quit) {
        if (producer.running != producer.announced_running) {
            bool running = producer.announced_running = producer.running;
            int64_t seq = producer.seq;
            pthread_mutex_unlock(&producer.lock);
            announce(running, seq);
            pthread_mutex_lock(&producer.lock);
            continue;
        }
        if (!producer.running || producer.watchers == 0) {
            ticking = false;
            pthread_cond_wait(&producer.changed, &producer.lock);
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!ticking) {
            next = now;
            add_ns(&next, PERIOD_NS);
            ticking = true;
        }
        if (!reached(&now, &next)) {
            /* Until the tick, or earlier when something changed: either
             * way the loop looks again. */
            pthread_cond_timedwait(&producer.changed, &producer.lock, &next);
            continue;
        }
        add_ns(&next, PERIOD_NS);
        if (reached(&now, &next)) { /* fell behind (a slow machine): do not catch up */
            next = now;
            add_ns(&next, PERIOD_NS);
        }
        reading r = make_reading(++producer.seq);
        remember(&r);
        pthread_mutex_unlock(&producer.lock);
        broadcast_reading(&r);
        pthread_mutex_lock(&producer.lock);
    }
    pthread_mutex_unlock(&producer.lock);
    return NULL;
}

int lv_example_sensors_start(lv_app *app)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&producer.changed, &attr);
    pthread_condattr_destroy(&attr);
    producer.app = app;
    if (pthread_create(&producer.thread, NULL, produce, NULL) != 0) {
        pthread_cond_destroy(&producer.changed);
        return -1;
    }
    producer.started = true;
    return 0;
}

void lv_example_sensors_stop(void)
{
    if (!producer.started) return;
    pthread_mutex_lock(&producer.lock);
    producer.quit = true;
    pthread_cond_signal(&producer.changed);
    pthread_mutex_unlock(&producer.lock);
    pthread_join(producer.thread, NULL);
    pthread_cond_destroy(&producer.changed);
    producer.started = false;
}

static void set_running(bool running)
{
    pthread_mutex_lock(&producer.lock);
    producer.running = running;
    pthread_cond_signal(&producer.changed);
    pthread_mutex_unlock(&producer.lock);
}

static void add_watcher(int delta)
{
    pthread_mutex_lock(&producer.lock);
    producer.watchers += delta;
    pthread_cond_signal(&producer.changed);
    pthread_mutex_unlock(&producer.lock);
}

/* ------------------------------------------------------------------------
 * The view (loop thread)
 * ------------------------------------------------------------------------ */

static const lv_field threshold_fields[] = {
    {.name = "limit", .type = LV_FIELD_DOUBLE, .required = true, .min = LV_BOUND(CHART_MIN_C),
     .max = LV_BOUND(CHART_MAX_C)},
};

static lv_schema *schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void make_schema(void)
{
    schema = lv_schema_new("threshold", threshold_fields, 1);
}

static lv_schema *threshold_schema(void)
{
    pthread_once(&schema_once, make_schema);
    return schema;
}

typedef struct sensors_view {
    reading history[HISTORY]; /* what this view has seen, oldest first */
    size_t count;
    double threshold;
    bool watching; /* counted in producer.watchers */
} sensors_view;

static double chart_y(double celsius)
{
    double c = celsius < CHART_MIN_C ? CHART_MIN_C : celsius > CHART_MAX_C ? CHART_MAX_C : celsius;
    return CHART_H - (c - CHART_MIN_C) / (CHART_MAX_C - CHART_MIN_C) * CHART_H;
}

static double chart_x(size_t i)
{
    return (double)i * CHART_W / (HISTORY - 1);
}

/* Everything drawn from the history and the threshold. */
static void assign_readings(lv_socket *socket)
{
    sensors_view *v = lv_state(socket);
    size_t cap = v->count * 24 + 1; /* "600.0,160.0 " at most per point */
    char *points = malloc(cap);
    size_t len = 0;
    points[0] = '\0';
    lv_value *hot = lv_list_new();
    int64_t above = 0;
    for (size_t i = 0; i < v->count; i++) {
        const reading *r = &v->history[i];
        double x = chart_x(i), y = chart_y(r->temperature);
        len += (size_t)snprintf(points + len, cap - len, "%s%.1f,%.1f", i ? " " : "", x, y);
        if (r->temperature > v->threshold) {
            above++;
            lv_value *p = lv_map_new();
            lv_map_set_double(p, "x", round(x * 10) / 10);
            lv_map_set_double(p, "y", round(y * 10) / 10);
            lv_list_push(hot, p);
        }
    }
    lv_assign_str(socket, "points", points);
    free(points);
    lv_assign_value(socket, "hot_points", hot);
    lv_assign_int(socket, "above", above);
    lv_assign_printf(socket, "threshold", "%.1f", v->threshold);
    lv_assign_printf(socket, "threshold_y", "%.1f", chart_y(v->threshold));
    if (v->count == 0) {
        lv_assign_int(socket, "seq", 0);
        lv_assign_str(socket, "temperature", "–");
        lv_assign_str(socket, "pressure", "–");
        lv_assign_bool(socket, "hot", false);
        return;
    }
    const reading *last = &v->history[v->count - 1];
    lv_assign_int(socket, "seq", last->seq);
    lv_assign_printf(socket, "temperature", "%.1f", last->temperature);
    lv_assign_printf(socket, "pressure", "%.1f", last->pressure);
    lv_assign_bool(socket, "hot", last->temperature > v->threshold);
}

static void assign_status(lv_socket *socket, bool running, int64_t stopped_at)
{
    lv_assign_bool(socket, "running", running);
    lv_assign_int(socket, "stopped_at", stopped_at);
}

/* A fresh form showing the view's threshold. */
static void reset_form(lv_socket *socket)
{
    sensors_view *v = lv_state(socket);
    lv_value *data = lv_map_new();
    lv_map_set_double(data, "limit", v->threshold);
    lv_changeset *cs = lv_changeset_cast(threshold_schema(), data, NULL, NULL);
    lv_changeset_assign(socket, "changeset", cs);
    lv_changeset_free(cs);
    lv_value_delete(data);
}

static int sensors_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    sensors_view *v = lv_state(socket);
    v->threshold = DEFAULT_THRESHOLD;
    pthread_mutex_lock(&producer.lock);
    memcpy(v->history, producer.history, producer.count * sizeof *v->history);
    v->count = producer.count;
    bool running = producer.announced_running;
    int64_t seq = producer.seq;
    pthread_mutex_unlock(&producer.lock);
    assign_readings(socket);
    assign_status(socket, running, running ? 0 : seq);
    reset_form(socket);
    if (!lv_connected(socket)) return 0;
    if (lv_subscribe(socket, SENSORS_TOPIC) != 0) return -1;
    v->watching = true;
    add_watcher(1);
    return 0;
}

static void sensors_terminate(lv_socket *socket, lv_terminate_reason reason)
{
    (void)reason;
    sensors_view *v = lv_state(socket);
    if (v->watching) add_watcher(-1);
}

static void record(sensors_view *v, const reading *r)
{
    if (v->count == HISTORY) {
        memmove(v->history, v->history + 1, (HISTORY - 1) * sizeof *v->history);
        v->count--;
    }
    v->history[v->count++] = *r;
}

static int sensors_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    int64_t seq = lv_param_int(payload, "seq", 0);
    if (strcmp(name, "reading") == 0) {
        const char *t = lv_param(payload, "temperature"), *p = lv_param(payload, "pressure");
        reading r = {seq, t ? strtod(t, NULL) : 0, p ? strtod(p, NULL) : 0};
        record(lv_state(socket), &r);
        assign_readings(socket);
    } else if (strcmp(name, "stopped") == 0) {
        assign_status(socket, false, seq);
    } else if (strcmp(name, "started") == 0) {
        assign_status(socket, true, 0);
    }
    return 0;
}

static int sensors_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "start") == 0 || strcmp(event, "stop") == 0) {
        /* The producer announces the change to every view; nothing to
         * assign here. */
        set_running(strcmp(event, "start") == 0);
        return 0;
    }
    /* "validate" (as the user types) or "set_threshold" (submit). */
    lv_changeset *cs = lv_changeset_cast(threshold_schema(), NULL, value, event);
    if (strcmp(event, "set_threshold") == 0 && lv_changeset_valid(cs)) {
        sensors_view *v = lv_state(socket);
        v->threshold = lv_changeset_get_double(cs, "limit", v->threshold);
        lv_changeset_free(cs);
        assign_readings(socket);
        reset_form(socket);
        return 0;
    }
    lv_changeset_assign(socket, "changeset", cs);
    lv_changeset_free(cs);
    return 0;
}

const lv_view lv_example_sensors = {
    .name = "sensors",
    .template_file = "sensors.html",
    .events = (const char *const[]){"start", "stop", "validate", "set_threshold", NULL},
    .state_size = sizeof(sensors_view),
    .mount = sensors_mount,
    .handle_event = sensors_event,
    .handle_info = sensors_info,
    .terminate = sensors_terminate,
};
