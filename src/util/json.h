/* The JSON writer for everything the server sends: it appends straight into
 * an lv_buf, so a diff is written once into the outbound frame with no DOM.
 * Inbound JSON is parsed with jansson instead. */
#ifndef LV_UTIL_JSON_H
#define LV_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends s as a quoted JSON string. Control characters, '"' and '\' are
 * escaped; '<', '>' and '&' too (\u003c...), so the JSON can sit inside an
 * HTML attribute or script; U+2028/U+2029 are escaped for JavaScript. Invalid
 * UTF-8 sequences become U+FFFD, so the output is always valid JSON. */
void lv_json_str(lv_buf *b, const char *s, size_t n);
void lv_json_cstr(lv_buf *b, const char *s);
/* Appends an integer. */
void lv_json_int(lv_buf *b, int64_t v);
/* Appends a number as JSON.stringify writes it: the text of lv_double_text
 * (util/number.h), shortest round trip; null for NaN and the infinities,
 * which JSON cannot spell. */
void lv_json_double(lv_buf *b, double d);

#endif
