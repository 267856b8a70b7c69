/* Form helpers for templates. form_for opens a form and adds the hidden
 * _csrf_token input that form events are checked against (seed: "LiveViewJS
 * Forms Authenticity"):
 *
 *   {{form_for csrf_token id="name-form" phx_change="validate" phx_submit="save"}}
 *     ...
 *   </form>
 *
 * renders <form id="name-form" phx-change="validate" phx-submit="save">
 * <input type="hidden" name="_csrf_token" value="...">. The token is an
 * argument, not read behind the template's back: helpers depend on their
 * arguments only, so the renderer knows when to re-run them. Every view has
 * the assign csrf_token (the masked token its page carries; after the join,
 * the one it joined with), so the dead render's form carries a real token
 * too, where LiveViewJS renders "undefined". Named arguments become
 * attributes, escaped, with '_' written as '-' (phx_submit is phx-submit, as
 * in Phoenix's form_for); true renders a bare attribute, false or null none. */
#include <string.h>

#include "render/escape.h"
#include "render/registry.h"
#include "render/value.h"
#include "util/buf.h"

static bool attribute_name_ok(const char *name)
{
    if (!*name) return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == ':'))
            return false;
    }
    return true;
}

/* Appends name="value" (or the bare name for true; nothing for false or
 * null) for each named argument of the call. Returns false for a name that
 * is not a valid attribute name. */
static bool append_attributes(lv_helper_call *call, lv_buf *out)
{
    lv_buf text = LV_BUF_INIT;
    bool ok = true;
    for (size_t i = 0; ok && i < lv_helper_named_count(call); i++) {
        const char *key = lv_helper_named_key_at(call, i);
        const lv_value *v = lv_helper_named_value_at(call, i);
        if (!attribute_name_ok(key)) {
            ok = false;
            break;
        }
        if (!v || v->kind == LV_VALUE_NULL || (v->kind == LV_VALUE_BOOL && !v->as.b)) continue;
        lv_buf_putc(out, ' ');
        for (const char *p = key; *p; p++) lv_buf_putc(out, *p == '_' ? '-' : *p);
        if (v->kind == LV_VALUE_BOOL) continue;
        lv_buf_reset(&text);
        lv_value_to_text(v, &text);
        lv_buf_puts(out, "=\"");
        lv_html_escape(out, text.data ? text.data : "", text.len);
        lv_buf_putc(out, '"');
    }
    lv_buf_free(&text);
    return ok;
}

static int helper_form_for(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *token = lv_helper_arg(call, 0);
    if (!token || token->kind != LV_VALUE_STRING || lv_helper_argc(call) != 1) return -1;
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<form");
    if (!append_attributes(call, &out)) {
        lv_buf_free(&out);
        return -1;
    }
    lv_buf_puts(&out, "><input type=\"hidden\" name=\"_csrf_token\" value=\"");
    lv_html_escape(&out, token->as.s.ptr, token->as.s.len);
    lv_buf_puts(&out, "\">");
    lv_helper_html(call, out.data, out.len);
    lv_buf_free(&out);
    return 0;
}

void lv_form_helpers_register(void)
{
    lv_registry_add_helper("form_for", helper_form_for, NULL);
}
