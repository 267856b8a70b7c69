/* Presence for an app (docs/presence.md): the public API, the heartbeat
 * timer, and the wiring of the state machine (presence_state.c) to pub/sub.
 *
 * The state is behind one mutex, so views on any loop may track, and
 * lv_presence_list may be called from any thread. Nothing is called with the
 * lock held: a step collects its diffs and messages under it, and they are
 * published (lv_broadcast, to the other nodes) and delivered
 * (lv_pubsub_deliver, to this node's subscribers of each topic, on every
 * loop) after.
 *
 * With several loops (docs/workers.md), loop 0 does what touches the broker
 * or a timer: it arms and stops the heartbeat on its runtime, joins the
 * cluster, publishes the messages and receives the other nodes' (pub/sub
 * posts them there). A step on another loop asks loop 0 to do its part with
 * a posted task. Messages wait in an outbox filled under the lock, in the
 * order of the steps, so the other nodes see this node's versions in order
 * whatever loop made them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/presence.h"
#include "util/json.h"
#include "util/log.h"
#include "util/random.h"
#include "util/value_json.h"

#define NODE_ID_BYTES 12
#define MAX_NAME_BYTES 256 /* topics and keys: they travel in every heartbeat's state */
/* A meta travels inside a state message and a diff, a few levels down:
 * well under LV_JSON_MAX_DEPTH, which their parsers enforce. */
#define MAX_META_DEPTH 32

struct lv_presence {
    pthread_mutex_t lock;
    lv_presence_state *st;
    bool joined;           /* listening on LV_PRESENCE_TOPIC, state asked for */
    void *timer;           /* the next heartbeat, a one-shot timer on loop 0; NULL when idle */
    lv_runtime timer_rt;   /* the runtime that started it (loop 0's) */
    bool timer_check_posted; /* a task on loop 0 will arm or stop the timer */
    lv_value outbox;       /* LIST of messages for the other nodes, in step order */
    bool flush_posted;     /* a task on loop 0 will publish the outbox */
    unsigned heartbeat_ms;
};

lv_presence *lv_presence_new(void)
{
    lv_presence *p = lv_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->lock, NULL);
    char node[32];
    lv_random_id(node, NODE_ID_BYTES);
    p->st = lv_presence_state_new(node, LV_PRESENCE_EXPIRY_BEATS);
    p->heartbeat_ms = LV_PRESENCE_HEARTBEAT_MS;
    p->outbox = lv_value_list();
    return p;
}

void lv_presence_free(lv_presence *p)
{
    if (!p) return;
    /* The timer, if any, went with the runtime (lv_presence_runtime_gone). */
    lv_presence_state_free(p->st);
    lv_value_free(&p->outbox);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void lv_presence_set_timing(lv_app *app, unsigned heartbeat_ms, unsigned expiry_beats)
{
    lv_presence *p = app->presence;
    pthread_mutex_lock(&p->lock);
    if (heartbeat_ms) p->heartbeat_ms = heartbeat_ms;
    if (expiry_beats && !lv_presence_state_busy(p->st)) {
        char node[32];
        snprintf(node, sizeof node, "%s", lv_presence_state_node(p->st));
        lv_presence_state_free(p->st);
        p->st = lv_presence_state_new(node, expiry_beats);
    }
    pthread_mutex_unlock(&p->lock);
}

const char *lv_presence_node_id(lv_app *app)
{
    return lv_presence_state_node(app->presence->st); /* fixed for the app's life */
}

/* ---- publishing what a step produced (no lock held) ---- */

static void deliver_diffs(lv_app *app, const lv_value *diffs)
{
    lv_buf msg = LV_BUF_INIT;
    for (size_t i = 0; diffs->as.map && i < diffs->as.map->count; i++) {
        const lv_map_entry *d = &diffs->as.map->entries[i];
        lv_buf_reset(&msg);
        lv_buf_puts(&msg, "{\"name\":\"presence_diff\",\"payload\":");
        lv_value_append_json(&d->value, &msg);
        lv_buf_putc(&msg, '}');
        lv_pubsub_deliver(app, d->key, msg.data, msg.len);
    }
    lv_buf_free(&msg);
}

static bool on_loop_zero(const lv_app *app)
{
    const lv_loop *here = lv_app_current_loop(app);
    return here && here->index == 0;
}

/* Under the lock: the step's messages join the outbox, in step order. */
static void queue_messages(lv_presence *p, lv_presence_out *out)
{
    lv_value *msgs = &out->messages;
    for (size_t i = 0; msgs->as.list && i < msgs->as.list->count; i++) {
        lv_value_list_push(&p->outbox, msgs->as.list->items[i]);
        msgs->as.list->items[i] = lv_value_null();
    }
}

/* Loop 0: publishes the outbox. Only loop 0 takes from it, so the messages
 * leave in the order they were queued. */
static void flush_outbox(lv_app *app, lv_presence *p)
{
    pthread_mutex_lock(&p->lock);
    lv_value msgs = p->outbox;
    p->outbox = lv_value_list();
    p->flush_posted = false;
    pthread_mutex_unlock(&p->lock);
    for (size_t i = 0; msgs.as.list && i < msgs.as.list->count; i++)
        if (lv_broadcast(app, LV_PRESENCE_TOPIC, "presence", &msgs.as.list->items[i]) != 0)
            lv_log_debug("presence: a message to the other nodes was not sent (stopping)");
    lv_value_free(&msgs);
}

static void flush_posted(lv_app *app, void *arg)
{
    (void)arg;
    flush_outbox(app, app->presence);
}

/* Publishes the outbox now on loop 0, else has loop 0 do it. A stopping
 * loop 0 refuses: what is left is dropped with the app (the other nodes
 * expire this one). */
static void publish_outbox(lv_app *app, lv_presence *p)
{
    if (on_loop_zero(app)) {
        flush_outbox(app, p);
        return;
    }
    pthread_mutex_lock(&p->lock);
    bool post = !p->flush_posted && p->outbox.as.list && p->outbox.as.list->count > 0;
    if (post) p->flush_posted = true;
    pthread_mutex_unlock(&p->lock);
    if (post && lv_loop_post(&app->loops[0], flush_posted, NULL) != 0) {
        pthread_mutex_lock(&p->lock);
        p->flush_posted = false;
        pthread_mutex_unlock(&p->lock);
    }
}

/* After a step, without the lock: its messages (already queued with
 * queue_messages) leave, its diffs reach this node's subscribers. */
static void emit(lv_app *app, lv_presence_out *out)
{
    publish_outbox(app, app->presence);
    deliver_diffs(app, &out->diffs);
    lv_presence_out_free(out);
}

/* ---- the heartbeat ---- */

static void keep_time(lv_app *app, lv_presence *p);

static void on_heartbeat(void *arg)
{
    lv_app *app = arg;
    lv_presence *p = app->presence;
    lv_presence_out out;
    lv_presence_out_init(&out);
    pthread_mutex_lock(&p->lock);
    if (p->timer) p->timer_rt.timer_stop(p->timer_rt.ctx, p->timer); /* fired: release it */
    p->timer = NULL;
    lv_presence_state_tick(p->st, &out);
    queue_messages(p, &out);
    keep_time(app, p);
    pthread_mutex_unlock(&p->lock);
    emit(app, &out);
}

static void timer_check_posted(lv_app *app, void *arg)
{
    (void)arg;
    lv_presence *p = app->presence;
    pthread_mutex_lock(&p->lock);
    p->timer_check_posted = false;
    keep_time(app, p);
    pthread_mutex_unlock(&p->lock);
}

/* Under the lock: a heartbeat is due while anything is tracked or known,
 * and none otherwise, so an idle app's loop has no timer of ours. The timer
 * lives on loop 0's runtime and only loop 0 arms or stops it; another loop
 * posts it the check. It is one-shot and re-armed each beat: a stopping
 * server refuses the new one (its loop must run out of timers to end). */
static void keep_time(lv_app *app, lv_presence *p)
{
    bool busy = lv_presence_state_busy(p->st);
    if (busy == (p->timer != NULL)) return;
    if (!on_loop_zero(app)) {
        if (p->timer_check_posted || !lv_app_current_loop(app)) return;
        /* Posting takes only the queue's lock, never ours: no cycle. */
        p->timer_check_posted = lv_loop_post(&app->loops[0], timer_check_posted, NULL) == 0;
        return;
    }
    const lv_runtime *rt = &app->loops[0].runtime;
    if (busy && rt->timer_start) {
        p->timer_rt = *rt;
        p->timer = p->timer_rt.timer_start(p->timer_rt.ctx, p->heartbeat_ms, 0, on_heartbeat, app);
    } else if (!busy) {
        p->timer_rt.timer_stop(p->timer_rt.ctx, p->timer);
        p->timer = NULL;
    }
}

void lv_presence_runtime_gone(lv_app *app)
{
    lv_presence *p = app->presence;
    pthread_mutex_lock(&p->lock);
    p->timer = NULL; /* the runtime stopped and freed it */
    pthread_mutex_unlock(&p->lock);
}

/* ---- joining the cluster ---- */

/* The first use on this node: listen to the other nodes and ask what they
 * track. A request lost on the way is harmless: the first heartbeat heard
 * from a node we know nothing of asks again. */
static void join_on_loop_zero(lv_app *app, void *arg)
{
    (void)arg;
    lv_presence *p = app->presence;
    if (lv_pubsub_listen(app, LV_PRESENCE_TOPIC) != 0)
        lv_log_warn("presence: the broker refused %s; presence stays local", LV_PRESENCE_TOPIC);
    lv_presence_out out;
    lv_presence_out_init(&out);
    pthread_mutex_lock(&p->lock);
    lv_presence_state_ask_all(p->st, &out);
    queue_messages(p, &out);
    pthread_mutex_unlock(&p->lock);
    emit(app, &out);
}

/* The broker is told on loop 0 only: another loop posts the join there; a
 * thread that runs no loop (lv_presence_list) leaves it to the next call
 * that does. */
static void join_cluster(lv_app *app, lv_presence *p)
{
    lv_loop *here = lv_app_current_loop(app);
    if (!here) return;
    pthread_mutex_lock(&p->lock);
    bool first = !p->joined;
    p->joined = true;
    pthread_mutex_unlock(&p->lock);
    if (!first) return;
    if (here->index == 0) {
        join_on_loop_zero(app, NULL);
    } else if (lv_loop_post(&app->loops[0], join_on_loop_zero, NULL) != 0) {
        pthread_mutex_lock(&p->lock);
        p->joined = false; /* stopping: a later call may try again */
        pthread_mutex_unlock(&p->lock);
    }
}

/* ---- the public API ---- */

/* Levels of lists and maps in v, counting up to limit + 1 at most. */
static size_t depth_of(const lv_value *v, size_t limit)
{
    if (v->kind != LV_VALUE_LIST && v->kind != LV_VALUE_MAP) return 0;
    if (limit == 0) return 1;
    size_t deepest = 0;
    size_t n = v->kind == LV_VALUE_LIST ? (v->as.list ? v->as.list->count : 0) : (v->as.map ? v->as.map->count : 0);
    for (size_t i = 0; i < n && deepest < limit; i++) {
        const lv_value *c = v->kind == LV_VALUE_LIST ? &v->as.list->items[i] : &v->as.map->entries[i].value;
        size_t d = depth_of(c, limit - 1);
        if (d > deepest) deepest = d;
    }
    return deepest + 1;
}

static bool name_ok(const char *s)
{
    return s && *s && strlen(s) <= MAX_NAME_BYTES;
}

/* Who may track: a connected view (not a component, not the HTTP render,
 * whose socket ends as soon as the page is written). */
static bool tracker_ok(const lv_socket *s, const char *topic, const char *key, const lv_value *meta)
{
    if (!s || !s->connected || s->parent) return false;
    if (!name_ok(topic) || !name_ok(key) || strcmp(topic, LV_PRESENCE_TOPIC) == 0) return false;
    return !meta || (lv_value_json_map(meta) && depth_of(meta, MAX_META_DEPTH) <= MAX_META_DEPTH);
}

static int track(lv_socket *s, const char *topic, const char *key, const lv_value *meta, bool must_exist)
{
    if (!tracker_ok(s, topic, key, meta)) return -1;
    lv_app *app = s->app;
    lv_presence *p = app->presence;
    join_cluster(app, p);
    lv_presence_out out;
    lv_presence_out_init(&out);
    pthread_mutex_lock(&p->lock);
    bool refused = must_exist && !lv_presence_state_tracks(p->st, s, topic, key);
    if (!refused) lv_presence_state_track(p->st, s, topic, key, meta, &out);
    queue_messages(p, &out);
    keep_time(app, p);
    pthread_mutex_unlock(&p->lock);
    if (!refused) lv_socket_extras_of(s)->presence = true;
    emit(app, &out);
    return refused ? -1 : 0;
}

int lv_presence_track(lv_socket *socket, const char *topic, const char *key, const lv_value *meta)
{
    return track(socket, topic, key, meta, false);
}

int lv_presence_update(lv_socket *socket, const char *topic, const char *key, const lv_value *meta)
{
    return track(socket, topic, key, meta, true);
}

static void untrack(lv_socket *s, const char *topic, const char *key)
{
    lv_app *app = s->app;
    lv_presence *p = app->presence;
    lv_presence_out out;
    lv_presence_out_init(&out);
    pthread_mutex_lock(&p->lock);
    lv_presence_state_untrack(p->st, s, topic, key, &out);
    queue_messages(p, &out);
    keep_time(app, p);
    pthread_mutex_unlock(&p->lock);
    emit(app, &out);
}

void lv_presence_untrack(lv_socket *socket, const char *topic, const char *key)
{
    if (!socket || !socket->extras || !socket->extras->presence || !topic || !key) return;
    untrack(socket, topic, key);
}

void lv_presence_socket_ended(lv_socket *socket)
{
    if (!socket->extras || !socket->extras->presence) return;
    socket->extras->presence = false;
    untrack(socket, NULL, NULL);
}

lv_value *lv_presence_list(lv_app *app, const char *topic)
{
    if (!app || !topic) return NULL;
    lv_presence *p = app->presence;
    join_cluster(app, p);
    lv_value *list = lv_map_new();
    pthread_mutex_lock(&p->lock);
    *list = lv_presence_state_list(p->st, topic);
    pthread_mutex_unlock(&p->lock);
    return list;
}

void lv_presence_receive(lv_app *app, const char *message, size_t len)
{
    lv_value msg;
    if (lv_value_parse_json(message, len, LV_JSON_MAX_DEPTH, &msg) != LV_JSON_OK) {
        lv_value_free(&msg);
        lv_log_debug("presence: a message that is not JSON was ignored");
        return;
    }
    const char *name = lv_value_str_at(&msg, "name");
    const lv_value *payload = lv_value_map_get(&msg, "payload", 7);
    if (name && strcmp(name, "presence") == 0 && payload) {
        lv_presence *p = app->presence;
        lv_presence_out out;
        lv_presence_out_init(&out);
        pthread_mutex_lock(&p->lock);
        lv_presence_state_receive(p->st, payload, &out);
        queue_messages(p, &out);
        keep_time(app, p);
        pthread_mutex_unlock(&p->lock);
        emit(app, &out);
    }
    lv_value_free(&msg);
}
