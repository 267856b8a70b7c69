/* JS commands (render/js.c): the lv_js builder of liveview.h and its
 * template helpers (js_show, js_push, ..., and js to chain them). */
#ifndef LV_RENDER_JS_H
#define LV_RENDER_JS_H

#include "util/value.h"
#include "util/buf.h"

/* Registers the js_* helpers; called by lv_form_helpers_register. */
void lv_js_helpers_register(void);

#endif
