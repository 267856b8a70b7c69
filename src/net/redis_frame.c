#include <string.h>

#include "net/redis_frame.h"
#include "util/random.h"

void lv_node_id_random(lv_node_id *id)
{
    do lv_random_bytes(id->bytes, sizeof id->bytes);
    while (lv_node_id_is_cluster(id));
}

bool lv_node_id_is_cluster(const lv_node_id *id)
{
    for (size_t i = 0; i < sizeof id->bytes; i++)
        if (id->bytes[i]) return false;
    return true;
}

void lv_redis_frame_encode(lv_buf *out, const lv_node_id *sender, const char *message, size_t len)
{
    lv_buf_putc(out, (char)LV_REDIS_FRAME_VERSION);
    lv_buf_append(out, sender->bytes, sizeof sender->bytes);
    if (len) lv_buf_append(out, message, len);
}

lv_redis_frame_status lv_redis_frame_decode(const char *data, size_t len, lv_redis_frame *out)
{
    memset(out, 0, sizeof *out);
    if (!data || len < LV_REDIS_FRAME_HEADER_BYTES) return LV_REDIS_FRAME_SHORT;
    if ((uint8_t)data[0] != LV_REDIS_FRAME_VERSION) return LV_REDIS_FRAME_VERSION_UNKNOWN;
    memcpy(out->sender.bytes, data + 1, sizeof out->sender.bytes);
    out->message = data + LV_REDIS_FRAME_HEADER_BYTES;
    out->len = len - LV_REDIS_FRAME_HEADER_BYTES;
    return LV_REDIS_FRAME_OK;
}

const char *lv_redis_frame_status_text(lv_redis_frame_status status)
{
    switch (status) {
    case LV_REDIS_FRAME_OK: return "ok";
    case LV_REDIS_FRAME_SHORT: return "shorter than a frame header";
    case LV_REDIS_FRAME_VERSION_UNKNOWN: return "unknown frame version";
    }
    return "unknown";
}

unsigned lv_redis_backoff_ms(unsigned attempt, uint32_t random)
{
    unsigned step = LV_REDIS_BACKOFF_FIRST_MS;
    for (unsigned i = 0; i < attempt && step < LV_REDIS_BACKOFF_CAP_MS; i++) step *= 2;
    if (step > LV_REDIS_BACKOFF_CAP_MS) step = LV_REDIS_BACKOFF_CAP_MS;
    unsigned half = step / 2;
    return half + random % (step - half + 1);
}

bool lv_log_limiter_allow(lv_log_limiter *limiter, uint64_t now_ms, uint64_t *suppressed)
{
    if (limiter->logged_once && now_ms - limiter->last_ms < limiter->interval_ms) {
        limiter->suppressed++;
        return false;
    }
    if (suppressed) *suppressed = limiter->suppressed;
    limiter->suppressed = 0;
    limiter->logged_once = true;
    limiter->last_ms = now_ms;
    return true;
}
