/* Local pub/sub: which views of this process listen to which topic, and the
 * default broker, which delivers in process. A broker for many processes
 * (Redis) only moves messages between processes; the local fan-out below
 * stays the same. A message is {"name":...,"payload":{...}}, delivered to
 * each subscriber as an info.
 *
 * The tables belong to the loop thread. lv_broadcast and lv_pubsub_deliver
 * called from any other thread copy the message and post it to the loop
 * (lv_app_post), so the broker's publish and every delivery run there, in
 * the order each thread sent them. */
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

static lv_pubsub *pubsub_of(lv_app *app)
{
    if (!app->pubsub) app->pubsub = lv_xcalloc(1, sizeof *app->pubsub);
    return app->pubsub;
}

static topic_entry *find_topic(lv_pubsub *ps, const char *topic)
{
    for (size_t i = 0; i < ps->count; i++)
        if (strcmp(ps->topics[i].topic, topic) == 0) return &ps->topics[i];
    return NULL;
}

static int local_publish(void *ctx, const char *topic, const char *message, size_t len)
{
    lv_pubsub_deliver(ctx, topic, message, len);
    return 0;
}

static const lv_broker *broker_of(lv_app *app)
{
    if (!app->broker.publish) {
        app->broker.ctx = app;
        app->broker.publish = local_publish;
    }
    return &app->broker;
}

void lv_app_set_broker(lv_app *app, const lv_broker *broker)
{
    app->broker = *broker;
    app->broker_is_custom = true;
}

int lv_pubsub_listen(lv_app *app, const char *topic)
{
    const lv_broker *b = broker_of(app);
    return b->topic_added ? b->topic_added(b->ctx, topic) : 0;
}

int lv_subscribe(lv_socket *s, const char *topic)
{
    /* Presence's own topic carries its messages between processes, never
     * to views. */
    if (!topic || !*topic || strcmp(topic, LV_PRESENCE_TOPIC) == 0) return -1;
    lv_socket_extras *x = lv_socket_extras_of(s);
    for (size_t i = 0; i < x->topic_count; i++)
        if (strcmp(x->topics[i], topic) == 0) return 0; /* once per topic */
    lv_pubsub *ps = pubsub_of(s->app);
    topic_entry *t = find_topic(ps, topic);
    if (!t) {
        const lv_broker *b = broker_of(s->app);
        if (b->topic_added && b->topic_added(b->ctx, topic) != 0) return -1;
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

static void drop_subscriber(lv_app *app, const char *topic, lv_socket *s)
{
    lv_pubsub *ps = app->pubsub;
    topic_entry *t = ps ? find_topic(ps, topic) : NULL;
    if (!t) return;
    for (size_t i = 0; i < t->count; i++) {
        if (t->sockets[i] != s) continue;
        t->sockets[i] = t->sockets[--t->count];
        break;
    }
    if (t->count > 0) return;
    const lv_broker *b = broker_of(app);
    if (b->topic_removed) b->topic_removed(b->ctx, topic);
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
        drop_subscriber(s->app, topic, s);
        free(x->topics[i]);
        x->topics[i] = x->topics[--x->topic_count];
        return;
    }
}

void lv_pubsub_remove_socket(lv_app *app, lv_socket *s)
{
    lv_socket_extras *x = s->extras;
    if (!x) return;
    for (size_t i = 0; i < x->topic_count; i++) {
        drop_subscriber(app, x->topics[i], s);
        free(x->topics[i]);
    }
    free(x->topics);
    x->topics = NULL;
    x->topic_count = 0;
}

/* A message on its way to the loop thread, owned by the posted task. */
typedef struct crossing {
    char *topic;
    lv_buf message;
} crossing;

static void crossing_free(crossing *x)
{
    free(x->topic);
    lv_buf_free(&x->message);
    free(x);
}

static void publish_on_loop(lv_app *app, void *arg)
{
    crossing *x = arg;
    const lv_broker *b = broker_of(app);
    if (b->publish(b->ctx, x->topic, x->message.data, x->message.len) != 0)
        lv_log_warn("pub/sub: the broker refused a message on %s", x->topic);
    crossing_free(x);
}

static void deliver_on_loop(lv_app *app, void *arg)
{
    crossing *x = arg;
    lv_pubsub_deliver(app, x->topic, x->message.data, x->message.len);
    crossing_free(x);
}

/* Posts topic and message (taken) to run fn on the loop. */
static int cross(lv_app *app, lv_post_fn fn, const char *topic, lv_buf *message)
{
    crossing *x = lv_xmalloc(sizeof *x);
    x->topic = lv_xstrdup(topic);
    x->message = *message;
    *message = (lv_buf)LV_BUF_INIT;
    if (lv_app_post(app, fn, x) == 0) return 0;
    crossing_free(x); /* the app is stopping */
    return -1;
}

int lv_broadcast(lv_app *app, const char *topic, const char *name, const lv_value *payload)
{
    if (!app || !topic || !name) return -1;
    if (payload && !lv_value_json_map(payload)) return -1;
    lv_buf msg = LV_BUF_INIT;
    lv_buf_puts(&msg, "{\"name\":");
    lv_json_cstr(&msg, name);
    lv_buf_puts(&msg, ",\"payload\":");
    if (payload)
        lv_value_append_json(payload, &msg);
    else
        lv_buf_puts(&msg, "{}");
    lv_buf_putc(&msg, '}');
    if (!lv_app_on_loop_thread(app)) return cross(app, publish_on_loop, topic, &msg);
    const lv_broker *b = broker_of(app);
    int rc = b->publish(b->ctx, topic, msg.data, msg.len);
    lv_buf_free(&msg);
    return rc;
}

void lv_pubsub_deliver(lv_app *app, const char *topic, const char *message, size_t len)
{
    if (!app || !topic || (!message && len)) return;
    if (!lv_app_on_loop_thread(app)) {
        lv_buf copy = LV_BUF_INIT;
        lv_buf_append(&copy, message ? message : "", len);
        if (cross(app, deliver_on_loop, topic, &copy) != 0)
            lv_log_debug("pub/sub: a message on %s arrived while stopping and was dropped", topic);
        return;
    }
    if (strcmp(topic, LV_PRESENCE_TOPIC) == 0) {
        lv_presence_receive(app, message, len);
        return;
    }
    lv_pubsub *ps = app->pubsub;
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
