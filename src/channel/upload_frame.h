/* The binary push of Phoenix's V2 serializer (docs/protocol.md §1.8), which
 * the client uses for upload chunks only:
 *
 *   byte 0     kind, 0 for a push (the client sends nothing else)
 *   bytes 1-4  the lengths of join_ref, ref, topic and event (one byte each)
 *   then       join_ref | ref | topic | event, then the payload (the chunk)
 *
 * Decoding is free of I/O and allocation: the result points into the frame,
 * so a fuzzer (tests/fuzz/fuzz_upload_frame.c) drives it directly. The
 * fields' bytes are not judged here: they only select a joined channel (an
 * unknown one is answered "unmatched topic"), and replies escape them. */
#ifndef LV_CHANNEL_UPLOAD_FRAME_H
#define LV_CHANNEL_UPLOAD_FRAME_H

#include <stddef.h>
#include <stdint.h>

typedef enum lv_upload_frame_status {
    LV_UPLOAD_FRAME_OK = 0,
    LV_UPLOAD_FRAME_SHORT,       /* fewer than the 5 header bytes */
    LV_UPLOAD_FRAME_NOT_PUSH,    /* kind is not 0 */
    LV_UPLOAD_FRAME_OVERRUN,     /* the fields are longer than the frame */
    LV_UPLOAD_FRAME_TOO_LARGE,   /* the payload is larger than the caller allows */
} lv_upload_frame_status;

/* One field: bytes of the frame, not NUL-terminated. */
typedef struct lv_upload_field {
    const char *ptr;
    size_t len;
} lv_upload_field;

typedef struct lv_upload_frame {
    lv_upload_field join_ref; /* any of them may be empty */
    lv_upload_field ref;
    lv_upload_field topic;
    lv_upload_field event;
    const uint8_t *payload;
    size_t payload_len;
} lv_upload_frame;

/* Decodes data (len bytes) into out, whose pointers point into data. A
 * payload over max_payload bytes is refused (TOO_LARGE) with the header
 * fields still set, so the caller can answer the push. On the other errors
 * every field is empty. */
lv_upload_frame_status lv_upload_frame_decode(const uint8_t *data, size_t len, size_t max_payload,
                                              lv_upload_frame *out);
const char *lv_upload_frame_status_str(lv_upload_frame_status s);
/* True when field equals the NUL-terminated s. */
int lv_upload_field_eq(lv_upload_field field, const char *s);

#endif
