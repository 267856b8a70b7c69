/* The Phoenix V2 JSON serializer: every text frame is the array
 * [join_ref, ref, topic, event, payload] (docs/protocol.md §1.3). Inbound frames
 * are parsed once into an lv_value (util/json_scan.h on the hot path,
 * util/value_json.h for what it leaves to jansson); outbound ones are written with the JSON writer, straight
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
    lv_value root;          /* the whole frame (owned, or in the reader's arena) */
    const char *join_ref;   /* NULL for JSON null; pointers into root */
    const char *ref;
    const char *topic;
    const char *event;
    const lv_value *payload; /* into root; a MAP when OK */
    /* NOT_JSON, TOO_DEEP or NOT_ARRAY, but the frame began with a string or
     * null join_ref, a string ref and a string topic, which are set (event
     * and payload are not): the push can still be answered. */
    bool recovered;
    bool root_in_arena; /* root lives in the thread's reader arena */
    bool holds_scan;    /* this message holds the thread's reader */
} lv_phx_msg;

/* Decodes one text frame: with the hot-path reader (util/json_scan.h, no
 * jansson tree and no allocation once warm) when it can decide, else with
 * jansson; both accept and refuse the same frames. On LV_PHX_BAD_FIELD the
 * fields that did have the right type are still set, and on the other
 * failures the head (join_ref, ref, topic) when `recovered`, so the caller
 * can reply to ref on topic. The message borrows thread-local memory until
 * it is freed: always free it with lv_phx_msg_free, on the same thread,
 * before the next decode. */
lv_phx_status lv_phx_decode(const char *data, size_t len, lv_phx_msg *out);
void lv_phx_msg_free(lv_phx_msg *msg);
/* Frees the thread's reader memory (at thread exit). */
void lv_phx_thread_cleanup(void);
const char *lv_phx_status_str(lv_phx_status s);

/* Appends [join_ref, ref, topic, "phx_reply", {"status":status,"response":
 * response_json}] (NULL refs are written as null). */
void lv_phx_reply(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                  const char *status, const char *response_json, size_t response_len);
/* Appends [join_ref, ref, topic, event, payload_json]. */
void lv_phx_push(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                 const char *event, const char *payload_json, size_t payload_len);

#endif
