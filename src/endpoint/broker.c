/* The app's side of the Redis broker: its lv_broker callbacks and the
 * cluster-wide counters. A publish delivers to this process's views at once
 * (as the local broker does) and queues the message for the others; the
 * broker skips the echo that comes back. */
#include <string.h>

#include "endpoint/broker.h"
#include "net/redis_broker.h"
#include "util/json.h"
#include "util/log.h"

#define SHARED_COUNTER_TIMEOUT_MS 1000

static int redis_topic_added(void *ctx, const char *topic)
{
    lv_app *app = ctx;
    lv_redis_broker_topic_added(app->redis_broker, topic);
    return 0;
}

static void redis_topic_removed(void *ctx, const char *topic)
{
    lv_app *app = ctx;
    lv_redis_broker_topic_removed(app->redis_broker, topic);
}

static int redis_publish(void *ctx, const char *topic, const char *message, size_t len)
{
    lv_app *app = ctx;
    lv_pubsub_deliver(app, topic, message, len);
    /* A full queue is logged by the broker (rate-limited); this process's
     * views have the message already, so the broadcast itself succeeded. */
    lv_redis_broker_publish(app->redis_broker, topic, message, len);
    return 0;
}

/* Runs on the broker's thread: lv_pubsub_deliver posts to the loop. */
static void deliver_from_redis(void *ctx, const char *topic, const char *message, size_t len)
{
    lv_pubsub_deliver(ctx, topic, message, len);
}

/* Revocations reach every process (live/sessions.c): the broker must
 * carry their topic from the start. */
static void listen_to_revocations(lv_app *app)
{
    if (lv_pubsub_listen(app, LV_SESSIONS_TOPIC) != 0)
        lv_log_warn("sessions: the broker refused %s; a logout reaches this process only", LV_SESSIONS_TOPIC);
}

int lv_app_broker_start(lv_app *app)
{
    if (app->broker_is_custom) {
        if (app->redis_url.host)
            lv_log_info("redis: the app set its own pub/sub broker, so LV_REDIS_URL is not used for pub/sub");
        listen_to_revocations(app);
        return 0;
    }
    if (!app->redis_url.host) return 0;
    app->redis_broker = lv_redis_broker_start(&app->redis_url, deliver_from_redis, app);
    if (!app->redis_broker) return -1;
    app->broker = (lv_broker){
        .ctx = app,
        .topic_added = redis_topic_added,
        .topic_removed = redis_topic_removed,
        .publish = redis_publish,
    };
    listen_to_revocations(app);
    return 0;
}

void lv_app_broker_stop(lv_app *app)
{
    if (!app->redis_broker) return;
    lv_redis_broker_stop(app->redis_broker);
    app->redis_broker = NULL;
    app->broker = (lv_broker){0}; /* the local one again */
}

bool lv_app_clustered(const lv_app *app)
{
    return app && app->redis_url.host;
}

int lv_shared_counter_add(lv_app *app, const char *name, int64_t delta, const char *topic, const char *event,
                          int64_t *value)
{
    if (!app || !name || !*name || !value) return -1;
    if (!app->redis_url.host) {
        lv_log_debug("lv_shared_counter_add(%s): the app has no redis_url", name);
        return -1;
    }
    lv_buf key = LV_BUF_INIT, channel = LV_BUF_INIT, prefix = LV_BUF_INIT;
    lv_buf_puts(&key, "lv:counter:");
    lv_buf_puts(&key, name);
    bool broadcast = topic && *topic && event;
    if (broadcast) {
        lv_buf_puts(&channel, LV_REDIS_CHANNEL_PREFIX);
        lv_buf_puts(&channel, topic);
        /* The frame's header with the cluster's node id: every process
         * delivers it, this one too. The script appends the value and "}}". */
        lv_buf json = LV_BUF_INIT;
        lv_buf_puts(&json, "{\"name\":");
        lv_json_cstr(&json, event);
        lv_buf_puts(&json, ",\"payload\":{\"value\":");
        const lv_node_id cluster = {{0}};
        lv_redis_frame_encode(&prefix, &cluster, json.data, json.len);
        lv_buf_free(&json);
    }
    char err[160];
    int rc = lv_redis_incr_publish(&app->redis_url, SHARED_COUNTER_TIMEOUT_MS, key.data, delta,
                                   broadcast ? channel.data : NULL, prefix.data, prefix.len,
                                   broadcast ? "}}" : NULL, value, err, sizeof err);
    if (rc != 0) lv_log_debug("lv_shared_counter_add(%s): %s", name, err);
    lv_buf_free(&key);
    lv_buf_free(&channel);
    lv_buf_free(&prefix);
    return rc;
}
