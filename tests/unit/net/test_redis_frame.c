#include <criterion/criterion.h>
#include <string.h>

#include "net/redis_frame.h"

Test(redis_frame, round_trip)
{
    lv_node_id node;
    lv_node_id_random(&node);
    cr_assert(!lv_node_id_is_cluster(&node));
    const char msg[] = "{\"name\":\"count\",\"payload\":{\"count\":1}}";
    lv_buf buf = LV_BUF_INIT;
    lv_redis_frame_encode(&buf, &node, msg, strlen(msg));
    cr_assert_eq(buf.len, LV_REDIS_FRAME_HEADER_BYTES + strlen(msg));
    cr_assert_eq((unsigned char)buf.data[0], LV_REDIS_FRAME_VERSION);

    lv_redis_frame frame;
    cr_assert_eq(lv_redis_frame_decode(buf.data, buf.len, &frame), LV_REDIS_FRAME_OK);
    cr_assert_arr_eq(frame.sender.bytes, node.bytes, sizeof node.bytes);
    cr_assert_eq(frame.len, strlen(msg));
    cr_assert_arr_eq(frame.message, msg, frame.len);
    cr_assert_eq(frame.message, buf.data + LV_REDIS_FRAME_HEADER_BYTES, "borrowed, not copied");
    lv_buf_free(&buf);
}

Test(redis_frame, empty_message_and_binary_bytes)
{
    lv_node_id node = {{0}};
    cr_assert(lv_node_id_is_cluster(&node));
    lv_buf buf = LV_BUF_INIT;
    lv_redis_frame_encode(&buf, &node, NULL, 0);
    lv_redis_frame frame;
    cr_assert_eq(lv_redis_frame_decode(buf.data, buf.len, &frame), LV_REDIS_FRAME_OK);
    cr_assert_eq(frame.len, 0);
    cr_assert(lv_node_id_is_cluster(&frame.sender));
    lv_buf_reset(&buf);
    const char binary[] = {'\0', '\xff', '\r', '\n'};
    lv_redis_frame_encode(&buf, &node, binary, sizeof binary);
    cr_assert_eq(lv_redis_frame_decode(buf.data, buf.len, &frame), LV_REDIS_FRAME_OK);
    cr_assert_arr_eq(frame.message, binary, sizeof binary);
    lv_buf_free(&buf);
}

Test(redis_frame, garbage_is_refused)
{
    lv_redis_frame frame;
    cr_assert_eq(lv_redis_frame_decode(NULL, 0, &frame), LV_REDIS_FRAME_SHORT);
    cr_assert_eq(lv_redis_frame_decode("garbage", 7, &frame), LV_REDIS_FRAME_SHORT);
    char header_only[LV_REDIS_FRAME_HEADER_BYTES - 1] = {LV_REDIS_FRAME_VERSION};
    cr_assert_eq(lv_redis_frame_decode(header_only, sizeof header_only, &frame), LV_REDIS_FRAME_SHORT);
    char v2[LV_REDIS_FRAME_HEADER_BYTES + 2] = {2};
    cr_assert_eq(lv_redis_frame_decode(v2, sizeof v2, &frame), LV_REDIS_FRAME_VERSION_UNKNOWN);
    const char json[] = "{\"name\":\"count\",\"payload\":{}}";
    cr_assert_eq(lv_redis_frame_decode(json, strlen(json), &frame), LV_REDIS_FRAME_VERSION_UNKNOWN);
    cr_assert_null(frame.message);
    cr_assert_str_eq(lv_redis_frame_status_text(LV_REDIS_FRAME_SHORT), "shorter than a frame header");
}

Test(redis_backoff, doubles_from_100ms_to_a_5s_cap_with_jitter)
{
    /* The step of each attempt, and the jitter's bounds: [step/2, step]. */
    const unsigned steps[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
    for (unsigned attempt = 0; attempt < sizeof steps / sizeof *steps; attempt++) {
        unsigned step = steps[attempt];
        cr_assert_eq(lv_redis_backoff_ms(attempt, 0), step / 2, "attempt %u", attempt);
        cr_assert_eq(lv_redis_backoff_ms(attempt, step - step / 2), step, "attempt %u", attempt);
        for (uint32_t r = 0; r < 5000; r += 37) {
            unsigned d = lv_redis_backoff_ms(attempt, r * 2654435761u);
            cr_assert(d >= step / 2 && d <= step, "attempt %u: %u", attempt, d);
        }
    }
    cr_assert_leq(lv_redis_backoff_ms(1000000, UINT32_MAX), LV_REDIS_BACKOFF_CAP_MS);
    cr_assert_leq(lv_redis_backoff_ms(UINT32_MAX, UINT32_MAX), LV_REDIS_BACKOFF_CAP_MS);
}

Test(redis_log_limiter, one_line_per_interval_with_the_count_held_back)
{
    lv_log_limiter limiter = {.interval_ms = 10000};
    uint64_t held = 99;
    cr_assert(lv_log_limiter_allow(&limiter, 5, &held));
    cr_assert_eq(held, 0);
    for (int i = 0; i < 7; i++) cr_assert(!lv_log_limiter_allow(&limiter, 6 + (uint64_t)i * 1000, NULL));
    cr_assert(!lv_log_limiter_allow(&limiter, 10004, NULL));
    cr_assert(lv_log_limiter_allow(&limiter, 10005, &held));
    cr_assert_eq(held, 8);
    cr_assert(!lv_log_limiter_allow(&limiter, 10006, NULL));
    cr_assert(lv_log_limiter_allow(&limiter, 30000, &held));
    cr_assert_eq(held, 1);
}
