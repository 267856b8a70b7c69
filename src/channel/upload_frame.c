#include "channel/upload_frame.h"

#include <string.h>

lv_upload_frame_status lv_upload_frame_decode(const uint8_t *data, size_t len, size_t max_payload,
                                              lv_upload_frame *out)
{
    memset(out, 0, sizeof *out);
    if (len < 5) return LV_UPLOAD_FRAME_SHORT;
    if (data[0] != 0) return LV_UPLOAD_FRAME_NOT_PUSH;
    size_t lens[4] = {data[1], data[2], data[3], data[4]};
    size_t need = 5 + lens[0] + lens[1] + lens[2] + lens[3];
    if (need > len) return LV_UPLOAD_FRAME_OVERRUN;
    lv_upload_field *fields[4] = {&out->join_ref, &out->ref, &out->topic, &out->event};
    const char *p = (const char *)data + 5;
    for (int i = 0; i < 4; i++) {
        fields[i]->ptr = p;
        fields[i]->len = lens[i];
        p += lens[i];
    }
    out->payload = data + need;
    out->payload_len = len - need;
    if (out->payload_len > max_payload) return LV_UPLOAD_FRAME_TOO_LARGE;
    return LV_UPLOAD_FRAME_OK;
}

const char *lv_upload_frame_status_str(lv_upload_frame_status s)
{
    switch (s) {
    case LV_UPLOAD_FRAME_OK: return "ok";
    case LV_UPLOAD_FRAME_SHORT: return "shorter than its header";
    case LV_UPLOAD_FRAME_NOT_PUSH: return "not a push";
    case LV_UPLOAD_FRAME_OVERRUN: return "fields overrun the frame";
    case LV_UPLOAD_FRAME_TOO_LARGE: return "payload too large";
    }
    return "unknown";
}

int lv_upload_field_eq(lv_upload_field field, const char *s)
{
    size_t n = strlen(s);
    return field.len == n && memcmp(field.ptr, s, n) == 0;
}
