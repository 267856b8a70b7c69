/* What the Redis broker puts on a channel, and the small decisions of its
 * connection (reconnect delays, log rate limits), free of I/O so they are
 * unit-tested and fuzzed.
 *
 * A frame is one version byte (LV_REDIS_FRAME_VERSION), the sender's node
 * id (16 random bytes a process draws at start), then the message bytes as
 * lv_broker.publish got them. The node id lets a process skip its own echo:
 * it delivered the message locally when it published it. The all-zero id
 * is the cluster's own (a message made inside Redis, lv_shared_counter_add):
 * every process delivers it, the one that asked for it included. */
#ifndef LV_NET_REDIS_FRAME_H
#define LV_NET_REDIS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define LV_REDIS_FRAME_VERSION 1
#define LV_REDIS_NODE_ID_BYTES 16
#define LV_REDIS_FRAME_HEADER_BYTES (1 + LV_REDIS_NODE_ID_BYTES)
/* Topic t travels on channel LV_REDIS_CHANNEL_PREFIX t, apart from other
 * users of the same Redis. */
#define LV_REDIS_CHANNEL_PREFIX "lv:"

typedef struct lv_node_id {
    uint8_t bytes[LV_REDIS_NODE_ID_BYTES];
} lv_node_id;

/* A random node id, never the cluster's all-zero one. */
void lv_node_id_random(lv_node_id *id);
bool lv_node_id_is_cluster(const lv_node_id *id);

/* Appends the frame of message (len bytes) sent by `sender` to out. */
void lv_redis_frame_encode(lv_buf *out, const lv_node_id *sender, const char *message, size_t len);

typedef enum lv_redis_frame_status {
    LV_REDIS_FRAME_OK = 0,
    LV_REDIS_FRAME_SHORT,   /* fewer bytes than a header */
    LV_REDIS_FRAME_VERSION_UNKNOWN,
} lv_redis_frame_status;

typedef struct lv_redis_frame {
    lv_node_id sender;
    const char *message; /* borrowed: points into the decoded bytes */
    size_t len;
} lv_redis_frame;

/* Reads a frame from data (len bytes, borrowed by out->message). */
lv_redis_frame_status lv_redis_frame_decode(const char *data, size_t len, lv_redis_frame *out);
/* Why a frame was refused, for the log. */
const char *lv_redis_frame_status_text(lv_redis_frame_status status);

/* Reconnect delays: 100 ms doubling per failed attempt (attempt 0 is the
 * first retry) up to 5 s, with "equal jitter": the delay is half of that
 * step plus a random part of the other half (random is any 32-bit draw),
 * so processes that lost Redis together do not all come back at once. */
#define LV_REDIS_BACKOFF_FIRST_MS 100u
#define LV_REDIS_BACKOFF_CAP_MS 5000u
unsigned lv_redis_backoff_ms(unsigned attempt, uint32_t random);

/* Lets one log line of a kind through per interval and counts the rest, so
 * a stream of bad frames costs one line per interval, not one per frame. */
typedef struct lv_log_limiter {
    uint64_t interval_ms;
    uint64_t last_ms;
    bool logged_once;
    uint64_t suppressed; /* lines held back since the last one let through */
} lv_log_limiter;

/* Whether a line may be logged at now_ms; when it may, *suppressed (if not
 * NULL) gets the count held back since the previous one, and the count
 * restarts. */
bool lv_log_limiter_allow(lv_log_limiter *limiter, uint64_t now_ms, uint64_t *suppressed);

#endif
