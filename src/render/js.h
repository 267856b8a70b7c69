/* JS commands (render/js.c): the lv_js builder of liveview.h and its
 * template helpers (js_show, js_push, ..., and js to chain them). */
#ifndef LV_RENDER_JS_H
#define LV_RENDER_JS_H

#include "render/value.h"
#include "util/buf.h"

/* Registers the js_* helpers; called by lv_form_helpers_register. */
void lv_js_helpers_register(void);

/* Appends v as JSON: maps as objects, lists as arrays, safe HTML as a
 * string, a double that is not finite as null. Strings are escaped by
 * lv_json_str (so '<', '>' and '&' too). */
void lv_value_append_json(const lv_value *v, lv_buf *out);

#endif
