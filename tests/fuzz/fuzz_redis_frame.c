/* libFuzzer target for the Redis broker's frame decoder: whatever another
 * process (or anyone with access to Redis) publishes on a channel. Decoding
 * never reads past the input, a frame that decodes re-encodes to the same
 * bytes, and a refused one says why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/redis_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                              \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *copy = malloc(size ? size : 1);
    CHECK(copy);
    if (size) memcpy(copy, data, size);
    lv_redis_frame frame;
    lv_redis_frame_status status = lv_redis_frame_decode(copy, size, &frame);
    if (status == LV_REDIS_FRAME_OK) {
        CHECK(size >= LV_REDIS_FRAME_HEADER_BYTES);
        CHECK(frame.message == copy + LV_REDIS_FRAME_HEADER_BYTES);
        CHECK(frame.len == size - LV_REDIS_FRAME_HEADER_BYTES);
        lv_buf again = LV_BUF_INIT;
        lv_redis_frame_encode(&again, &frame.sender, frame.message, frame.len);
        CHECK(again.len == size && memcmp(again.data, copy, size) == 0);
        lv_buf_free(&again);
    } else {
        CHECK(status == LV_REDIS_FRAME_SHORT || status == LV_REDIS_FRAME_VERSION_UNKNOWN);
        CHECK(frame.message == NULL && frame.len == 0);
        CHECK(strlen(lv_redis_frame_status_text(status)) > 0);
    }
    /* The backoff for any attempt and draw stays within its bounds. */
    if (size >= 8) {
        unsigned attempt;
        uint32_t r;
        memcpy(&attempt, data, sizeof attempt);
        memcpy(&r, data + 4, sizeof r);
        unsigned d = lv_redis_backoff_ms(attempt, r);
        CHECK(d >= LV_REDIS_BACKOFF_FIRST_MS / 2 && d <= LV_REDIS_BACKOFF_CAP_MS);
    }
    free(copy);
    return 0;
}
