/* The Redis broker: carries pub/sub messages between the processes of a
 * cluster (docs/scaling.md). It runs its own libuv loop on its own thread
 * and holds two connections to Redis per process, one SUBSCRIBEd, one for
 * PUBLISH, whatever the number of topics or server loops.
 *
 * Every function below is safe from any thread; they only queue work for
 * the broker's thread (a mutex and a uv_async), so none blocks on Redis.
 * Topics are counted: the channel is SUBSCRIBEd from the first
 * topic_added and UNSUBSCRIBEd after the last matching topic_removed.
 * Received messages go to `deliver` on the broker's thread, except this
 * process's own (skipped: it delivered them locally when publishing).
 *
 * While Redis is down (at start or later), publish drops messages to other
 * processes (local delivery is the caller's and goes on), the broker
 * reconnects with capped exponential backoff and subscribes every needed
 * topic again; the outage is logged when it starts and when it ends. */
#ifndef LV_NET_REDIS_BROKER_H
#define LV_NET_REDIS_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "net/redis_frame.h"
#include "util/redis_url.h"

typedef struct lv_redis_broker lv_redis_broker;

/* Receives a message another process published on topic; message is
 * borrowed for the call. Runs on the broker's thread. */
typedef void (*lv_redis_deliver_fn)(void *ctx, const char *topic, const char *message, size_t len);

/* Starts the broker's thread, which connects in the background (a Redis
 * that is down is retried, not an error). url is copied. Returns NULL only
 * when the thread or its loop cannot be made (logged). */
lv_redis_broker *lv_redis_broker_start(const lv_redis_url *url, lv_redis_deliver_fn deliver, void *ctx);
/* Stops the thread, closes the connections and frees the broker. Messages
 * still queued are dropped. */
void lv_redis_broker_stop(lv_redis_broker *broker);

void lv_redis_broker_topic_added(lv_redis_broker *broker, const char *topic);
void lv_redis_broker_topic_removed(lv_redis_broker *broker, const char *topic);
/* Queues message (copied) for the other processes. Returns 0 when queued or
 * dropped because Redis is down (the outage is logged once, not per
 * message), -1 when the queue is full (at most LV_REDIS_QUEUE_MAX messages
 * or LV_REDIS_QUEUE_MAX_BYTES wait for the broker's thread). */
#define LV_REDIS_QUEUE_MAX 10000
#define LV_REDIS_QUEUE_MAX_BYTES (16u << 20)
int lv_redis_broker_publish(lv_redis_broker *broker, const char *topic, const char *message, size_t len);

/* This process's node id (in every frame it publishes). */
const lv_node_id *lv_redis_broker_node(const lv_redis_broker *broker);

/* Adds delta to the integer at key and, when channel is not NULL, publishes
 * in the same atomic step (a Lua script, so every subscriber sees the values
 * in the order Redis made them) prefix, the new value in decimal, then
 * suffix. Blocking, on a connection of its own made for the call (at most
 * timeout_ms to connect and per reply): call it off any loop. Returns 0
 * and sets *value, or -1 with the reason in err. */
int lv_redis_incr_publish(const lv_redis_url *url, unsigned timeout_ms, const char *key, int64_t delta,
                          const char *channel, const char *prefix, size_t prefix_len, const char *suffix,
                          int64_t *value, char *err, size_t err_cap);

#endif
