/* The one table of built-in helpers: a helper is built in exactly when it
 * is listed here. */
#include "render/builtins.h"

#include <stdint.h>

#include "render/registry.h"

#define JS_COMMAND(name, kind) {name, lv_builtin_js_command, (void *)(uintptr_t)(kind)}

static const struct {
    const char *name;
    lv_helper_fn fn;
    void *user;
} builtins[] = {
    {"format_number", lv_builtin_format_number, NULL},
    {"pluralize", lv_builtin_pluralize, NULL},
    {"eq", lv_builtin_eq, NULL},
    {"not", lv_builtin_not, NULL},
    {"length", lv_builtin_length, NULL},

    {"form_for", lv_builtin_form_for, NULL},
    {"text_input", lv_builtin_input, "text"},
    {"email_input", lv_builtin_input, "email"},
    {"password_input", lv_builtin_input, "password"},
    {"number_input", lv_builtin_input, "number"},
    {"telephone_input", lv_builtin_input, "tel"},
    {"hidden_input", lv_builtin_input, "hidden"},
    {"textarea", lv_builtin_textarea, NULL},
    {"checkbox", lv_builtin_checkbox, NULL},
    {"radio_button", lv_builtin_radio_button, NULL},
    {"select", lv_builtin_select, NULL},
    {"options_for_select", lv_builtin_options_for_select, NULL},
    {"error_tag", lv_builtin_error_tag, NULL},
    {"submit", lv_builtin_submit, NULL},
    {"live_patch", lv_builtin_live_patch, NULL},
    {"live_redirect", lv_builtin_live_redirect, NULL},
    {"live_title_tag", lv_builtin_live_title_tag, NULL},
    {"live_file_input", lv_builtin_live_file_input, NULL},
    {"live_img_preview", lv_builtin_live_img_preview, NULL},
    {"upload_error_text", lv_builtin_upload_error_text, NULL},

    JS_COMMAND("js_show", LV_JS_SHOW),
    JS_COMMAND("js_hide", LV_JS_HIDE),
    JS_COMMAND("js_toggle", LV_JS_TOGGLE),
    JS_COMMAND("js_add_class", LV_JS_ADD_CLASS),
    JS_COMMAND("js_remove_class", LV_JS_REMOVE_CLASS),
    JS_COMMAND("js_toggle_class", LV_JS_TOGGLE_CLASS),
    JS_COMMAND("js_transition", LV_JS_TRANSITION),
    JS_COMMAND("js_set_attr", LV_JS_SET_ATTR),
    JS_COMMAND("js_remove_attr", LV_JS_REMOVE_ATTR),
    JS_COMMAND("js_dispatch", LV_JS_DISPATCH),
    JS_COMMAND("js_push", LV_JS_PUSH),
    JS_COMMAND("js_focus", LV_JS_FOCUS),
    JS_COMMAND("js_navigate", LV_JS_NAVIGATE),
    JS_COMMAND("js_patch", LV_JS_PATCH),
    JS_COMMAND("js_exec", LV_JS_EXEC),
    JS_COMMAND("js_toggle_attr", LV_JS_TOGGLE_ATTR),
    JS_COMMAND("js_ignore_attrs", LV_JS_IGNORE_ATTRS),
    JS_COMMAND("js_focus_first", LV_JS_FOCUS_FIRST),
    JS_COMMAND("js_push_focus", LV_JS_PUSH_FOCUS),
    JS_COMMAND("js_pop_focus", LV_JS_POP_FOCUS),
    {"js", lv_builtin_js, NULL},
};

void lv_builtin_helpers_register(void)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        lv_registry_add_helper(builtins[i].name, builtins[i].fn, builtins[i].user);
}
