/* JSON at the edge of the value model. Inside the server every structured
 * value is an lv_value; JSON exists only where bytes come in or go out.
 * Inbound text (client messages, pub/sub messages, token claims) is parsed
 * with jansson and converted here, once; outbound values are written by
 * lv_value_append_json (util/value.h), straight into a buffer.
 *
 * The few map operations the value API lacks and the conversions need (a
 * lookup of a string field, a removal) live here too. */
#ifndef LV_UTIL_VALUE_JSON_H
#define LV_UTIL_VALUE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/value.h"

struct json_t;

/* Nesting allowed in JSON the server wrote itself or verified (pub/sub
 * messages, session data). Client messages are held to LV_PHX_MAX_DEPTH. */
#define LV_JSON_MAX_DEPTH 64

typedef enum lv_json_status {
    LV_JSON_OK = 0,
    LV_JSON_INVALID,  /* not JSON, invalid UTF-8, a NUL in a string, duplicate keys */
    LV_JSON_TOO_DEEP, /* arrays and objects nested deeper than allowed */
} lv_json_status;

/* Parses n bytes of JSON text (any value: object, array, scalar) into *out,
 * a new value the caller frees with lv_value_free. The nesting is measured
 * before parsing, so a hostile "[[[[..." costs one pass and no stack. On
 * error *out is null. Objects keep their keys in the order received; JSON
 * integers become INT values, other numbers DOUBLE. */
lv_json_status lv_value_parse_json(const char *s, size_t n, size_t max_depth, lv_value *out);

/* Converts a jansson tree (borrowed) into *out, a new value the caller
 * frees. False (with *out null) when it nests deeper than max_depth. For
 * trees the server holds already (token claims). */
bool lv_value_from_json(const struct json_t *json, size_t max_depth, lv_value *out);

/* True when v (a value the application built) can be written as JSON that
 * reads back the same: no NaN or infinite double anywhere, and at most
 * LV_JSON_MAX_DEPTH levels of lists and maps. */
bool lv_value_json_safe(const lv_value *v);
/* True for a map that lv_value_json_safe accepts: what every payload that
 * travels as JSON (pushed events, replies, broadcasts, JS commands) must be. */
bool lv_value_json_map(const lv_value *v);

/* The string stored under key in map, or NULL when map is not a map, the
 * key is absent or its value is not a string. Borrowed from map. */
const char *lv_value_str_at(const lv_value *map, const char *key);

/* Removes key from map (keeping the order of the others) and frees its
 * value. False when absent. */
bool lv_value_map_remove(lv_value *map, const char *key);

#endif
