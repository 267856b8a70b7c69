#include "channel/phx.h"

#include <stdbool.h>
#include <string.h>

#include "util/json.h"

/* Measures the nesting of arrays and objects without parsing, skipping
 * strings, so a hostile frame of 100,000 '[' costs one pass and no stack. */
static bool depth_within(const char *s, size_t n, int max_depth)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return true;
}

static const char *string_or_null(json_t *v, bool *ok)
{
    if (json_is_null(v)) return NULL;
    if (json_is_string(v)) return json_string_value(v);
    *ok = false;
    return NULL;
}

lv_phx_status lv_phx_decode(const char *data, size_t len, lv_phx_msg *out)
{
    memset(out, 0, sizeof *out);
    if (!depth_within(data, len, LV_PHX_MAX_DEPTH)) return LV_PHX_TOO_DEEP;
    json_error_t err;
    out->root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!out->root) return LV_PHX_NOT_JSON;
    if (!json_is_array(out->root) || json_array_size(out->root) != 5) return LV_PHX_NOT_ARRAY;

    bool ok = true;
    out->join_ref = string_or_null(json_array_get(out->root, 0), &ok);
    out->ref = string_or_null(json_array_get(out->root, 1), &ok);
    json_t *topic = json_array_get(out->root, 2), *event = json_array_get(out->root, 3);
    out->topic = json_is_string(topic) ? json_string_value(topic) : NULL;
    out->event = json_is_string(event) ? json_string_value(event) : NULL;
    out->payload = json_array_get(out->root, 4);
    if (!out->topic || !out->event || !json_is_object(out->payload)) ok = false;
    /* Strings with NUL bytes would be cut short by C string functions. */
    if (out->topic && strlen(out->topic) != json_string_length(topic)) ok = false;
    if (out->event && strlen(out->event) != json_string_length(event)) ok = false;
    return ok ? LV_PHX_OK : LV_PHX_BAD_FIELD;
}

void lv_phx_msg_free(lv_phx_msg *msg)
{
    json_decref(msg->root);
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
