#include "channel/phx.h"

#include <stdbool.h>
#include <string.h>

#include "util/json.h"
#include "util/json_scan.h"
#include "util/value_json.h"

/* The string in a frame field: NULL for JSON null, else *ok goes false for
 * anything but a string. A string with a NUL byte would be cut short by C
 * string functions; the parser refuses those already, and this keeps the
 * frame's own checks from depending on it. */
static const char *string_or_null(const lv_value *v, bool *ok)
{
    if (v->kind == LV_VALUE_NULL) return NULL;
    if (v->kind == LV_VALUE_STRING && strlen(v->as.s.ptr) == v->as.s.len) return v->as.s.ptr;
    *ok = false;
    return NULL;
}

static const char *string_or_missing(const lv_value *v)
{
    bool ok = true;
    const char *s = string_or_null(v, &ok);
    return ok ? s : NULL;
}

/* The reader's memory, one per thread: a frame decoded on the hot path lives
 * in it until lv_phx_msg_free. A decode while another message of the thread
 * is still held (never in the server; possible in tests) takes the jansson
 * path instead. */
static _Thread_local lv_json_scan scan_state;
static _Thread_local bool scan_in_use;

void lv_phx_thread_cleanup(void)
{
    if (!scan_in_use) lv_json_scan_free(&scan_state);
}

/* Fills the fields from a parsed frame (*root, the caller's), checking
 * their types. */
static lv_phx_status take_fields(lv_phx_msg *out)
{
    if (lv_value_list_len(&out->root) != 5) return LV_PHX_NOT_ARRAY;
    const lv_value *f = out->root.as.list->items;
    bool ok = true;
    out->join_ref = string_or_null(&f[0], &ok);
    out->ref = string_or_null(&f[1], &ok);
    out->topic = string_or_missing(&f[2]);
    out->event = string_or_missing(&f[3]);
    out->payload = &f[4];
    if (!out->topic || !out->event || out->payload->kind != LV_VALUE_MAP) ok = false;
    return ok ? LV_PHX_OK : LV_PHX_BAD_FIELD;
}

/* A frame that is not JSON, too deep or not an array of five may still
 * begin with a well-formed join_ref, ref and topic: read those alone (into
 * the reader's arena), so the push can be answered (docs/protocol.md §1.3). */
static void recover_head(const char *data, size_t len, lv_phx_msg *out)
{
    lv_json_reader r;
    lv_json_reader_init(&r, &scan_state, data, len, LV_PHX_MAX_DEPTH);
    lv_value f[3];
    if (!lv_json_read_byte(&r, '[')) return;
    r.depth = 1;
    for (int i = 0; i < 3; i++)
        if ((i > 0 && !lv_json_read_byte(&r, ',')) || !lv_json_read_value(&r, &f[i])) return;
    bool ok = true;
    const char *join_ref = string_or_null(&f[0], &ok);
    const char *ref = string_or_missing(&f[1]);
    const char *topic = string_or_missing(&f[2]);
    if (!ok || !ref || !topic) return;
    out->join_ref = join_ref;
    out->ref = ref;
    out->topic = topic;
    out->recovered = true;
}

lv_phx_status lv_phx_decode(const char *data, size_t len, lv_phx_msg *out)
{
    memset(out, 0, sizeof *out);
    if (!scan_in_use) {
        scan_in_use = true;
        out->holds_scan = true;
        /* The hot path: no jansson tree, no allocation once warm. What the
         * reader accepts, jansson accepts alike (util/json_scan.h). */
        if (lv_json_scan_text(&scan_state, data, len, LV_PHX_MAX_DEPTH, &out->root) == LV_SCAN_OK) {
            out->root_in_arena = true;
            lv_phx_status st = take_fields(out);
            if (st == LV_PHX_NOT_ARRAY) recover_head(data, len, out);
            return st;
        }
    }
    /* Refused or left undecided by the reader: jansson decides, as before. */
    lv_json_status js = lv_value_parse_json(data, len, LV_PHX_MAX_DEPTH, &out->root);
    lv_phx_status st = js == LV_JSON_TOO_DEEP ? LV_PHX_TOO_DEEP
                       : js != LV_JSON_OK     ? LV_PHX_NOT_JSON
                                              : take_fields(out);
    if (st != LV_PHX_OK && st != LV_PHX_BAD_FIELD && out->holds_scan) recover_head(data, len, out);
    return st;
}

void lv_phx_msg_free(lv_phx_msg *msg)
{
    if (!msg->root_in_arena) lv_value_free(&msg->root);
    if (msg->holds_scan) {
        lv_json_scan_reset(&scan_state);
        scan_in_use = false;
    }
    memset(msg, 0, sizeof *msg);
}

const char *lv_phx_status_str(lv_phx_status s)
{
    switch (s) {
    case LV_PHX_OK: return "ok";
    case LV_PHX_NOT_JSON: return "not valid JSON";
    case LV_PHX_TOO_DEEP: return "nested too deeply";
    case LV_PHX_NOT_ARRAY: return "not an array of five elements";
    case LV_PHX_BAD_FIELD: return "a field has the wrong type";
    }
    return "unknown";
}

static void put_ref(lv_buf *b, const char *ref)
{
    if (ref)
        lv_json_cstr(b, ref);
    else
        lv_buf_append(b, "null", 4);
}

static void put_head(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                     const char *event)
{
    lv_buf_putc(b, '[');
    put_ref(b, join_ref);
    lv_buf_putc(b, ',');
    put_ref(b, ref);
    lv_buf_putc(b, ',');
    lv_json_cstr(b, topic);
    lv_buf_putc(b, ',');
    lv_json_cstr(b, event);
    lv_buf_putc(b, ',');
}

void lv_phx_reply(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                  const char *status, const char *response_json, size_t response_len)
{
    put_head(b, join_ref, ref, topic, "phx_reply");
    lv_buf_puts(b, "{\"status\":");
    lv_json_cstr(b, status);
    lv_buf_puts(b, ",\"response\":");
    lv_buf_append(b, response_json, response_len);
    lv_buf_puts(b, "}]");
}

void lv_phx_push(lv_buf *b, const char *join_ref, const char *ref, const char *topic,
                 const char *event, const char *payload_json, size_t payload_len)
{
    put_head(b, join_ref, ref, topic, event);
    lv_buf_append(b, payload_json, payload_len);
    lv_buf_putc(b, ']');
}
