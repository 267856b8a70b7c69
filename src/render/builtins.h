/* The built-in template helpers. Each is an ordinary lv_helper_fn, written
 * against the public helper API exactly as an application's helper would be;
 * all of them are registered from one table (render/builtins.c), so this
 * file and that table are the whole list. */
#ifndef LV_RENDER_BUILTINS_H
#define LV_RENDER_BUILTINS_H

#include <liveview.h>

#include "util/value.h"

/* Registers every built-in helper. The registry calls it once, before any
 * other registration or lookup, so an application's helper of the same name
 * replaces the built-in. */
void lv_builtin_helpers_register(void);

/* render/helpers.c */
int lv_builtin_format_number(lv_helper_call *call, void *user);
int lv_builtin_pluralize(lv_helper_call *call, void *user);
int lv_builtin_eq(lv_helper_call *call, void *user);
int lv_builtin_not(lv_helper_call *call, void *user);
int lv_builtin_length(lv_helper_call *call, void *user);

/* render/form_helpers.c */
int lv_builtin_form_for(lv_helper_call *call, void *user);
/* user: the type attribute, a static string ("text", "password", ...). */
int lv_builtin_input(lv_helper_call *call, void *user);
int lv_builtin_textarea(lv_helper_call *call, void *user);
int lv_builtin_checkbox(lv_helper_call *call, void *user);
int lv_builtin_radio_button(lv_helper_call *call, void *user);
int lv_builtin_select(lv_helper_call *call, void *user);
int lv_builtin_options_for_select(lv_helper_call *call, void *user);
int lv_builtin_error_tag(lv_helper_call *call, void *user);
int lv_builtin_submit(lv_helper_call *call, void *user);
int lv_builtin_live_patch(lv_helper_call *call, void *user);
int lv_builtin_live_redirect(lv_helper_call *call, void *user);
int lv_builtin_live_title_tag(lv_helper_call *call, void *user);

/* For helpers in other files: append_attributes of render/form_helpers.c
 * (name="value" for each named argument but the reserved ones; false for a
 * bad attribute name). */
bool lv_builtin_append_attributes(lv_helper_call *call, lv_buf *out, const char *const *reserved);

/* render/upload_helpers.c (docs/uploads.md) */
int lv_builtin_live_file_input(lv_helper_call *call, void *user);
int lv_builtin_live_img_preview(lv_helper_call *call, void *user);
int lv_builtin_upload_error_text(lv_helper_call *call, void *user);

/* render/js.c: one helper per JS command, told which by its user data. */
enum lv_js_kind {
    LV_JS_SHOW,
    LV_JS_HIDE,
    LV_JS_TOGGLE,
    LV_JS_ADD_CLASS,
    LV_JS_REMOVE_CLASS,
    LV_JS_TOGGLE_CLASS,
    LV_JS_TRANSITION,
    LV_JS_SET_ATTR,
    LV_JS_REMOVE_ATTR,
    LV_JS_DISPATCH,
    LV_JS_PUSH,
    LV_JS_FOCUS,
    LV_JS_NAVIGATE,
    LV_JS_PATCH,
    LV_JS_EXEC,
    LV_JS_TOGGLE_ATTR,
    LV_JS_IGNORE_ATTRS,
    LV_JS_FOCUS_FIRST,
    LV_JS_PUSH_FOCUS,
    LV_JS_POP_FOCUS,
};
/* user: (void *)(uintptr_t) an enum lv_js_kind. */
int lv_builtin_js_command(lv_helper_call *call, void *user);
/* {{js a b ...}}: chains command lists. */
int lv_builtin_js(lv_helper_call *call, void *user);

#endif
