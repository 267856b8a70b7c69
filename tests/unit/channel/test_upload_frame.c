/* The upload chunk frame decoder (channel/upload_frame.h, docs/protocol.md §1.8). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "channel/upload_frame.h"

static size_t frame(uint8_t *out, const char *jr, const char *ref, const char *topic, const char *event,
                    const char *payload, size_t payload_len)
{
    const char *fields[4] = {jr, ref, topic, event};
    out[0] = 0;
    size_t at = 5;
    for (int i = 0; i < 4; i++) {
        out[1 + i] = (uint8_t)strlen(fields[i]);
        memcpy(out + at, fields[i], strlen(fields[i]));
        at += strlen(fields[i]);
    }
    memcpy(out + at, payload, payload_len);
    return at + payload_len;
}

Test(upload_frame, a_chunk_push_decodes_in_place)
{
    uint8_t msg[64];
    size_t n = frame(msg, "13", "14", "lvu:0", "chunk", "\x00\x01\x02\xff", 4);
    lv_upload_frame f;
    cr_assert_eq(lv_upload_frame_decode(msg, n, 4, &f), LV_UPLOAD_FRAME_OK);
    cr_expect(lv_upload_field_eq(f.join_ref, "13"));
    cr_expect(lv_upload_field_eq(f.ref, "14"));
    cr_expect(lv_upload_field_eq(f.topic, "lvu:0"));
    cr_expect(lv_upload_field_eq(f.event, "chunk"));
    cr_expect_not(lv_upload_field_eq(f.event, "chunks"));
    cr_expect_eq(f.payload_len, 4);
    cr_expect_eq(memcmp(f.payload, "\x00\x01\x02\xff", 4), 0);
    cr_expect_eq(f.payload, msg + n - 4);
}

Test(upload_frame, a_payload_over_the_bound_keeps_its_header)
{
    uint8_t msg[64];
    size_t n = frame(msg, "1", "2", "lvu:9", "chunk", "12345", 5);
    lv_upload_frame f;
    cr_assert_eq(lv_upload_frame_decode(msg, n, 4, &f), LV_UPLOAD_FRAME_TOO_LARGE);
    cr_expect(lv_upload_field_eq(f.ref, "2"));
    cr_expect(lv_upload_field_eq(f.topic, "lvu:9"));
    cr_expect_eq(f.payload_len, 5);
}

Test(upload_frame, garbage_is_refused_without_fields)
{
    uint8_t msg[64];
    size_t n = frame(msg, "1", "2", "lvu:0", "chunk", "x", 1);
    lv_upload_frame f;
    for (size_t len = 0; len < 5; len++) cr_expect_eq(lv_upload_frame_decode(msg, len, 100, &f), LV_UPLOAD_FRAME_SHORT);
    for (size_t len = 5; len < n - 1; len++) {
        cr_expect_eq(lv_upload_frame_decode(msg, len, 100, &f), LV_UPLOAD_FRAME_OVERRUN, "%zu", len);
        cr_expect_eq(f.topic.len, 0);
    }
    msg[0] = 1; /* a reply, which clients never send */
    cr_expect_eq(lv_upload_frame_decode(msg, n, 100, &f), LV_UPLOAD_FRAME_NOT_PUSH);
    uint8_t lens[5] = {0, 255, 255, 255, 255};
    cr_expect_eq(lv_upload_frame_decode(lens, sizeof lens, 100, &f), LV_UPLOAD_FRAME_OVERRUN);
    cr_expect_str_eq(lv_upload_frame_status_str(LV_UPLOAD_FRAME_OVERRUN), "fields overrun the frame");
}
