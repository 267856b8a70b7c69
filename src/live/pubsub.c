/* Local pub/sub: which views of this process listen to which topic, and the
 * default broker, which delivers in process. A broker for many processes
 * (Redis) only moves messages between processes; the local fan-out below
 * stays the same. A message is {"name":...,"payload":{...}}, delivered to
 * each subscriber as an info.
 *
 * Each loop has its own table of subscribers, touched only by its thread: a
 * view subscribes on its loop and is delivered to there. A message reaches
 * the other loops as a task posted to each (lv_loop_post), so messages from
 * one thread arrive on every loop in the order it sent them, and the loop
 * that sent one delivers to its own views before lv_broadcast returns.
 *
 * A broker of one's own (lv_app_set_broker) is called on loop 0 only, as it
 * was when there was one loop: a broadcast from elsewhere is posted there
 * first, and the process tells it of a topic when the first loop gains a
 * subscriber and the last one loses its last (counted under topics_lock). */
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/presence.h"
#include "util/value.h"
#include "util/json.h"
#include "util/log.h"
#include "util/value_json.h"

typedef struct topic_entry {
    char *topic;
    lv_socket **sockets;
    size_t count, cap;
} topic_entry;

struct lv_pubsub {
    topic_entry *topics;
    size_t count;
};

/* How many loops have subscribers of a topic (a custom broker's only). */
typedef struct lv_topic_count {
    char *topic;
    unsigned loops;
} lv_topic_count;

static lv_pubsub *pubsub_of(lv_loop *loop)
{
    if (!loop->pubsub) loop->pubsub = lv_xcalloc(1, sizeof *loop->pubsub);
    return loop->pubsub;
}

static topic_entry *find_topic(lv_pubsub *ps, const char *topic)
{
    for (size_t i = 0; i < ps->count; i++)
        if (strcmp(ps->topics[i].topic, topic) == 0) return &ps->topics[i];
    return NULL;
}

void lv_app_set_broker(lv_app *app, const lv_broker *broker)
{
    app->broker = *broker;
    app->broker_is_custom = true;
}

/* Whether a broker of the program's own carries the messages. */
static bool custom_broker(const lv_app *app)
{
    return app->broker.publish != NULL;
}

static bool on_loop_zero(const lv_app *app)
{
    const lv_loop *here = lv_app_current_loop(app);
    return here && here->index == 0;
}

/* ------------------------------------------------------------------------
 * Telling a custom broker which topics the process listens to
 * ------------------------------------------------------------------------ */

typedef struct broker_call {
    bool added; /* else removed */
    char *topic;
} broker_call;

static void broker_call_on_loop(lv_app *app, void *arg)
{
    broker_call *call = arg;
    const lv_broker *b = &app->broker;
    if (call->added && b->topic_added && b->topic_added(b->ctx, call->topic) != 0)
        lv_log_warn("pub/sub: the broker refused to subscribe to %s", call->topic);
    else if (!call->added && b->topic_removed)
        b->topic_removed(b->ctx, call->topic);
    free(call->topic);
    free(call);
}

/* Under topics_lock, so loop 0 hears of the changes in the order they
 * were counted. */
static void post_broker_call(lv_app *app, bool added, const char *topic)
{
    broker_call *call = lv_xmalloc(sizeof *call);
    *call = (broker_call){added, lv_xstrdup(topic)};
    if (lv_loop_post(&app->loops[0], broker_call_on_loop, call) != 0) {
        free(call->topic); /* stopping: the broker is going too */
        free(call);
    }
}

static lv_topic_count *find_count(lv_app *app, const char *topic)
{
    for (size_t i = 0; i < app->topic_count_len; i++)
        if (strcmp(app->topic_counts[i].topic, topic) == 0) return &app->topic_counts[i];
    return NULL;
}

/* A loop gained its first subscriber of topic. Returns -1 when the broker
 * refuses it (one loop only: with several, the broker is told on loop 0
 * later and a refusal is logged there). */
static int topic_gained(lv_app *app, const char *topic)
{
    const lv_broker *b = &app->broker;
    if (!b->topic_added && !b->topic_removed) return 0;
    if (app->loop_count == 1) return b->topic_added ? b->topic_added(b->ctx, topic) : 0;
    pthread_mutex_lock(&app->topics_lock);
    lv_topic_count *c = find_count(app, topic);
    if (!c) {
        app->topic_counts = lv_xrealloc(app->topic_counts,
                                        (app->topic_count_len + 1) * sizeof *app->topic_counts);
        c = &app->topic_counts[app->topic_count_len++];
        *c = (lv_topic_count){lv_xstrdup(topic), 0};
    }
    if (c->loops++ == 0) post_broker_call(app, true, topic);
    pthread_mutex_unlock(&app->topics_lock);
    return 0;
}

/* A loop lost its last subscriber of topic. */
static void topic_lost(lv_app *app, const char *topic)
{
    const lv_broker *b = &app->broker;
    if (!b->topic_added && !b->topic_removed) return;
    if (app->loop_count == 1) {
        if (b->topic_removed) b->topic_removed(b->ctx, topic);
        return;
    }
    pthread_mutex_lock(&app->topics_lock);
    lv_topic_count *c = find_count(app, topic);
    if (c && --c->loops == 0) {
        post_broker_call(app, false, topic);
        free(c->topic);
        *c = app->topic_counts[--app->topic_count_len];
    }
    pthread_mutex_unlock(&app->topics_lock);
}

void lv_pubsub_counts_free(lv_app *app)
{
    for (size_t i = 0; i < app->topic_count_len; i++) free(app->topic_counts[i].topic);
    free(app->topic_counts);
    app->topic_counts = NULL;
    app->topic_count_len = 0;
}

/* ------------------------------------------------------------------------
 * Subscriptions: the view's loop's table
 * ------------------------------------------------------------------------ */

int lv_subscribe(lv_socket *s, const char *topic)
{
    /* Presence's own topic carries its messages between processes, never
     * to views. */
    if (!topic || !*topic || strcmp(topic, LV_PRESENCE_TOPIC) == 0 || strcmp(topic, LV_SESSIONS_TOPIC) == 0)
        return -1;
    lv_socket_extras *x = lv_socket_extras_of(s);
    for (size_t i = 0; i < x->topic_count; i++)
        if (strcmp(x->topics[i], topic) == 0) return 0; /* once per topic */
    lv_pubsub *ps = pubsub_of(s->loop);
    topic_entry *t = find_topic(ps, topic);
    if (!t) {
        if (topic_gained(s->app, topic) != 0) return -1;
        ps->topics = lv_xrealloc(ps->topics, (ps->count + 1) * sizeof *ps->topics);
        t = &ps->topics[ps->count++];
        *t = (topic_entry){lv_xstrdup(topic), NULL, 0, 0};
    }
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->sockets = lv_xrealloc(t->sockets, t->cap * sizeof *t->sockets);
    }
    t->sockets[t->count++] = s;
    x->topics = lv_xrealloc(x->topics, (x->topic_count + 1) * sizeof *x->topics);
    x->topics[x->topic_count++] = lv_xstrdup(topic);
    return 0;
}

static void drop_subscriber(const char *topic, lv_socket *s)
{
    lv_pubsub *ps = s->loop->pubsub;
    topic_entry *t = ps ? find_topic(ps, topic) : NULL;
    if (!t) return;
    for (size_t i = 0; i < t->count; i++) {
        if (t->sockets[i] != s) continue;
        t->sockets[i] = t->sockets[--t->count];
        break;
    }
    if (t->count > 0) return;
    topic_lost(s->app, topic);
    free(t->topic);
    free(t->sockets);
    *t = ps->topics[--ps->count];
}

void lv_unsubscribe(lv_socket *s, const char *topic)
{
    lv_socket_extras *x = s->extras;
    if (!x || !topic) return;
    for (size_t i = 0; i < x->topic_count; i++) {
        if (strcmp(x->topics[i], topic) != 0) continue;
        drop_subscriber(topic, s);
        free(x->topics[i]);
        x->topics[i] = x->topics[--x->topic_count];
        return;
    }
}

void lv_pubsub_remove_socket(lv_app *app, lv_socket *s)
{
    (void)app; /* the socket knows its loop */
    lv_socket_extras *x = s->extras;
    if (!x) return;
    for (size_t i = 0; i < x->topic_count; i++) {
        drop_subscriber(x->topics[i], s);
        free(x->topics[i]);
    }
    free(x->topics);
    x->topics = NULL;
    x->topic_count = 0;
}

/* ------------------------------------------------------------------------
 * Delivery
 * ------------------------------------------------------------------------ */

/* Hands one message to the subscribers of topic on loop (its thread). */
static void deliver_here(lv_loop *loop, const char *topic, const char *message, size_t len)
{
    lv_pubsub *ps = loop->pubsub;
    topic_entry *t = ps ? find_topic(ps, topic) : NULL;
    if (!t || t->count == 0) return;
    lv_value msg;
    lv_value_parse_json(message, len, LV_JSON_MAX_DEPTH, &msg);
    const char *name = lv_value_str_at(&msg, "name");
    const lv_value *payload = lv_value_map_get(&msg, "payload", 7);
    if (!name || !payload || payload->kind != LV_VALUE_MAP) {
        lv_log_warn("pub/sub: a malformed message on %s was dropped", topic);
        lv_value_free(&msg);
        return;
    }
    /* A subscriber's handle_info may subscribe or unsubscribe views while
     * this runs, so deliver to a snapshot: queue first, then notify. */
    size_t n = t->count;
    lv_socket **targets = lv_xmalloc(n * sizeof *targets);
    memcpy(targets, t->sockets, n * sizeof *targets);
    for (size_t i = 0; i < n; i++) lv_socket_queue_info(targets[i], name, lv_value_clone(payload));
    for (size_t i = 0; i < n; i++) lv_socket_notify(targets[i]);
    free(targets);
    lv_value_free(&msg);
}

/* One message on its way to other loops: one copy for all of them, freed
 * by whichever lets go last (the sender holds a reference while posting). */
typedef struct crossing {
    atomic_int refs;
    char *topic;
    lv_buf message;
} crossing;

static crossing *crossing_new(const char *topic, const char *message, size_t len)
{
    crossing *x = lv_xcalloc(1, sizeof *x);
    atomic_init(&x->refs, 1);
    x->topic = lv_xstrdup(topic);
    lv_buf_append(&x->message, message ? message : "", len);
    return x;
}

static void crossing_release(crossing *x)
{
    if (atomic_fetch_sub(&x->refs, 1) != 1) return;
    free(x->topic);
    lv_buf_free(&x->message);
    free(x);
}

static void deliver_posted(lv_app *app, void *arg)
{
    crossing *x = arg;
    lv_loop *here = lv_app_current_loop(app);
    if (here) deliver_here(here, x->topic, x->message.data, x->message.len);
    crossing_release(x);
}

/* Delivers on the calling thread's loop at once and posts to every other
 * loop. Returns -1 when a loop refused the post (it is stopping). */
static int deliver_everywhere(lv_app *app, const char *topic, const char *message, size_t len)
{
    lv_loop *here = lv_app_current_loop(app);
    int rc = 0;
    crossing *x = NULL;
    for (unsigned i = 0; i < app->loop_count; i++) {
        lv_loop *loop = &app->loops[i];
        if (loop == here) continue;
        if (!x) x = crossing_new(topic, message, len);
        atomic_fetch_add(&x->refs, 1);
        if (lv_loop_post(loop, deliver_posted, x) != 0) {
            atomic_fetch_sub(&x->refs, 1);
            rc = -1;
        }
    }
    if (x) crossing_release(x);
    if (here) deliver_here(here, topic, message, len);
    return rc;
}

/* Presence's own topic reaches the app's one presence state, on loop 0
 * (where its heartbeat and the broker live), once per message: never the
 * views, never once per loop. */
static void presence_posted(lv_app *app, void *arg)
{
    crossing *x = arg;
    lv_presence_receive(app, x->message.data, x->message.len);
    crossing_release(x);
}

static int deliver_to_presence(lv_app *app, const char *message, size_t len)
{
    if (on_loop_zero(app)) {
        lv_presence_receive(app, message, len);
        return 0;
    }
    crossing *x = crossing_new(LV_PRESENCE_TOPIC, message, len);
    if (lv_loop_post(&app->loops[0], presence_posted, x) == 0) return 0;
    crossing_release(x);
    return -1;
}

int lv_pubsub_listen(lv_app *app, const char *topic)
{
    const lv_broker *b = &app->broker;
    return b->topic_added ? b->topic_added(b->ctx, topic) : 0;
}

/* A custom broker's publish, on loop 0. */
static void publish_posted(lv_app *app, void *arg)
{
    crossing *x = arg;
    const lv_broker *b = &app->broker;
    if (b->publish(b->ctx, x->topic, x->message.data, x->message.len) != 0)
        lv_log_warn("pub/sub: the broker refused a message on %s", x->topic);
    crossing_release(x);
}

int lv_broadcast(lv_app *app, const char *topic, const char *name, const lv_value *payload)
{
    if (!app || !topic || !name) return -1;
    if (payload && !lv_value_json_map(payload)) return -1;
    bool on_loop = lv_app_on_loop_thread(app);
    /* Off the loops, a stopping app takes nothing more: the caller learns
     * of the stop from here (docs/threads.md). */
    if (!on_loop && atomic_load(&app->stop_requested)) return -1;
    lv_buf msg = LV_BUF_INIT;
    lv_buf_puts(&msg, "{\"name\":");
    lv_json_cstr(&msg, name);
    lv_buf_puts(&msg, ",\"payload\":");
    if (payload)
        lv_value_append_json(payload, &msg);
    else
        lv_buf_puts(&msg, "{}");
    lv_buf_putc(&msg, '}');
    int rc;
    if (!custom_broker(app) && strcmp(topic, LV_SESSIONS_TOPIC) == 0) {
        rc = 0; /* one process: live/sessions.c stored it already */
    } else if (!custom_broker(app) && strcmp(topic, LV_PRESENCE_TOPIC) == 0) {
        rc = deliver_to_presence(app, msg.data, msg.len);
    } else if (!custom_broker(app)) {
        rc = deliver_everywhere(app, topic, msg.data, msg.len);
        if (on_loop) rc = 0; /* delivered here; a stopping loop elsewhere is no error */
    } else if (on_loop_zero(app)) {
        rc = app->broker.publish(app->broker.ctx, topic, msg.data, msg.len);
    } else {
        crossing *x = crossing_new(topic, msg.data, msg.len);
        rc = lv_loop_post(&app->loops[0], publish_posted, x);
        if (rc != 0) crossing_release(x);
    }
    lv_buf_free(&msg);
    return rc;
}

void lv_pubsub_deliver(lv_app *app, const char *topic, const char *message, size_t len)
{
    if (!app || !topic || (!message && len)) return;
    if (strcmp(topic, LV_SESSIONS_TOPIC) == 0) { /* revocations: the app's store, never views */
        lv_sessions_receive(app, message, len);
        return;
    }
    if (strcmp(topic, LV_PRESENCE_TOPIC) == 0) {
        if (deliver_to_presence(app, message, len) != 0)
            lv_log_debug("pub/sub: a presence message arrived while stopping and was dropped");
        return;
    }
    if (deliver_everywhere(app, topic, message, len) != 0)
        lv_log_debug("pub/sub: a message on %s reached a stopping loop and was dropped there", topic);
}

void lv_pubsub_free(lv_pubsub *ps)
{
    if (!ps) return;
    for (size_t i = 0; i < ps->count; i++) {
        free(ps->topics[i].topic);
        free(ps->topics[i].sockets);
    }
    free(ps->topics);
    free(ps);
}
