/* The Phoenix V2 JSON serializer: every text frame is the array
 * [join_ref, ref, topic, event, payload] (docs/protocol.md §1.3). Inbound frames
 * are parsed once into an lv_value (util/value_json.h, which checks their
 * nesting first); outbound ones are written with the JSON writer, straight
 * into a buffer. */
#ifndef LV_CHANNEL_PHX_H
#define LV_CHANNEL_PHX_H

#include <stddef.h>

#include "util/value.h"
#include "util/buf.h"

/* Deeper JSON than this is refused before parsing: no LiveView message needs
 * it, and it bounds the parser's recursion. */
#define LV_PHX_MAX_DEPTH 32

typedef enum lv_phx_status {
    LV_PHX_OK = 0,
    LV_PHX_NOT_JSON,  /* not JSON, or invalid UTF-8, or duplicate keys */
    LV_PHX_TOO_DEEP,
    LV_PHX_NOT_ARRAY, /* valid JSON, but not an array of five */
    LV_PHX_BAD_FIELD, /* an array of five with a field of the wrong type */
} lv_phx_status;

typedef struct lv_phx_msg {
    lv_value root;          /* owned: the whole frame */
    const char *join_ref;   /* NULL for JSON null; pointers into root */
    const char *ref;
    const char *topic;
    const char *event;
    const lv_value *payload; /* into root; a MAP when OK */
} lv_phx_msg;

/* Decodes one text frame. On LV_PHX_BAD_FIELD the fields that did have the
 * right type are still set, so the caller can reply to ref on topic. Always
 * free with lv_phx_msg_free. */
lv_phx_status lv_phx_decode(const char *data, size_t len, lv_phx_msg *out);
void lv_phx_msg_free(lv_phx_msg *msg);
const char *lv_phx_status_str(lv_phx_status s);

/* Appends [join_ref, ref, topic, "phx_reply", {"status":status,"response":
 * response_json}] (NULL refs are written as null). */
void lv_phx_reply(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                  const char *status, const char *response_json, size_t response_len);
/* Appends [join_ref, ref, topic, event, payload_json]. */
void lv_phx_push(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                 const char *event, const char *payload_json, size_t payload_len);

#endif
