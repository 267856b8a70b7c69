/* libFuzzer target for the upload chunk frame decoder (channel/upload_frame.h).
 *
 * Input layout: byte 0 picks the payload bound (0 to 255 bytes, or
 * unbounded when 255); the rest is one binary WebSocket message as a client
 * would send it. Beyond not crashing, a decoded frame must describe the
 * input exactly: its header fields and payload lie inside the message, in
 * order, and encoding them again gives back the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/upload_frame.h"

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
    if (size < 1) return 0;
    size_t max_payload = data[0] == 255 ? SIZE_MAX : data[0];
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    lv_upload_frame f;
    lv_upload_frame_status st = lv_upload_frame_decode(msg, len, max_payload, &f);
    CHECK(lv_upload_frame_status_str(st) != NULL);
    if (st != LV_UPLOAD_FRAME_OK && st != LV_UPLOAD_FRAME_TOO_LARGE) {
        CHECK(f.join_ref.len == 0 && f.ref.len == 0 && f.topic.len == 0 && f.event.len == 0);
        CHECK(f.payload == NULL && f.payload_len == 0);
        return 0;
    }
    CHECK(st == LV_UPLOAD_FRAME_OK ? f.payload_len <= max_payload : f.payload_len > max_payload);
    /* Encode again: kind, four lengths, the fields, the payload. */
    size_t total = 5 + f.join_ref.len + f.ref.len + f.topic.len + f.event.len + f.payload_len;
    CHECK(total == len);
    uint8_t *again = malloc(total);
    CHECK(again != NULL);
    again[0] = 0;
    lv_upload_field fields[4] = {f.join_ref, f.ref, f.topic, f.event};
    size_t at = 5;
    for (int i = 0; i < 4; i++) {
        CHECK(fields[i].len <= 255);
        again[1 + i] = (uint8_t)fields[i].len;
        CHECK(fields[i].len == 0 || ((const uint8_t *)fields[i].ptr >= msg &&
                                     (const uint8_t *)fields[i].ptr + fields[i].len <= msg + len));
        if (fields[i].len) memcpy(again + at, fields[i].ptr, fields[i].len);
        at += fields[i].len;
    }
    CHECK(f.payload == msg + at);
    if (f.payload_len) memcpy(again + at, f.payload, f.payload_len);
    CHECK(memcmp(again, msg, len) == 0);
    CHECK(lv_upload_field_eq(f.event, "chunk") == (f.event.len == 5 && memcmp(f.event.ptr, "chunk", 5) == 0));
    free(again);
    return 0;
}
