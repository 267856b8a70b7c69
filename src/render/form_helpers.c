/* Form helpers for templates: form_for, the inputs, error_tag, submit, and
 * the live_patch / live_redirect / live_title_tag tags. Every attribute
 * value and every text is escaped (LiveViewJS writes several raw), and a
 * link's target must be a local path.
 *
 * form_for opens a form and adds the hidden _csrf_token input that form
 * events are checked against (LiveViewJS's "Forms Authenticity" security
 * topic; docs/security.md):
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
 * in Phoenix's form_for); true renders a bare attribute, false or null none.
 *
 * The inputs take the form and the field first:
 *
 *   {{text_input changeset "title" placeholder="Title"}}
 *   -> <input type="text" id="book_title" name="book[title]" value="..." placeholder="Title">
 *
 * The form is a changeset value (lv_changeset_assign: its "form" names the
 * inputs, its "params" and "data" give the value, its "errors" feed
 * error_tag), a form name as a string ("search" gives search[q]), or null
 * for top-level names. value= overrides the value; id= the generated id.
 * docs/forms.md lists every helper. */
#include <stdint.h>
#include <string.h>

#include "render/builtins.h"
#include "render/escape.h"
#include "util/buf.h"
#include "util/value.h"

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

/* True when key is one of the NULL-terminated names. */
static bool listed(const char *key, const char *const *names)
{
    for (; names && *names; names++)
        if (strcmp(key, *names) == 0) return true;
    return false;
}

/* Appends name="value" (or the bare name for true; nothing for false or
 * null) for each named argument of the call but the `reserved` ones (which
 * the helper reads itself; NULL-terminated, or NULL). Returns false for a
 * name that is not a valid attribute name. */
static bool append_attributes(lv_helper_call *call, lv_buf *out, const char *const *reserved)
{
    lv_buf text = LV_BUF_INIT;
    bool ok = true;
    for (size_t i = 0; ok && i < lv_helper_named_count(call); i++) {
        const char *key = lv_helper_named_key_at(call, i);
        const lv_value *v = lv_helper_named_value_at(call, i);
        if (listed(key, reserved)) continue;
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

int lv_builtin_form_for(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *token = lv_helper_arg(call, 0);
    if (!token || token->kind != LV_VALUE_STRING || lv_helper_argc(call) != 1) return -1;
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<form");
    if (!append_attributes(call, &out, NULL)) {
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

/* ---- Fields -------------------------------------------------------------------- */

static const char *str_of(const lv_value *v)
{
    return v && (v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE) ? v->as.s.ptr : NULL;
}

static const lv_value *map_get(const lv_value *map, const char *key)
{
    return map && map->kind == LV_VALUE_MAP && key ? lv_value_map_get(map, key, strlen(key)) : NULL;
}

/* What an input needs to know about its field. */
typedef struct field_ref {
    lv_buf name;           /* book[title], or title without a form name */
    lv_buf id;             /* book_title, or the id= argument */
    const lv_value *value; /* value=, else what the user sent, else the data */
    const char *error;     /* the error to show, or NULL */
} field_ref;

static void field_ref_free(field_ref *f)
{
    lv_buf_free(&f->name);
    lv_buf_free(&f->id);
}

/* Ids keep letters, digits, '-' and '_' (Phoenix's input_id does the
 * same), so a value can go into an id without surprises. */
static void append_id_part(lv_buf *id, const char *s)
{
    for (; *s; s++) {
        char c = *s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        lv_buf_putc(id, keep ? c : '_');
    }
}

/* Reads the form (argument 0) and field (argument 1). False when the form
 * is not a changeset map, a string or null, or the field is not a
 * non-empty string. */
static bool field_ref_init(field_ref *f, lv_helper_call *call)
{
    memset(f, 0, sizeof *f);
    const lv_value *form = lv_helper_arg(call, 0);
    const char *field = str_of(lv_helper_arg(call, 1));
    if (!form || !field || !*field) return false;
    const char *form_name = NULL;
    const lv_value *changeset = NULL;
    if (form->kind == LV_VALUE_MAP) {
        changeset = form;
        form_name = str_of(map_get(form, "form"));
    } else if (form->kind == LV_VALUE_STRING || form->kind == LV_VALUE_SAFE) {
        form_name = form->as.s.ptr;
    } else if (form->kind != LV_VALUE_NULL) {
        return false;
    }
    if (form_name && *form_name) {
        lv_buf_printf(&f->name, "%s[%s]", form_name, field);
        append_id_part(&f->id, form_name);
        lv_buf_putc(&f->id, '_');
    } else {
        lv_buf_puts(&f->name, field);
    }
    append_id_part(&f->id, field);
    const lv_value *id = str_of(lv_helper_named(call, "id")) ? lv_helper_named(call, "id") : NULL;
    if (id) {
        lv_buf_reset(&f->id);
        lv_buf_puts(&f->id, id->as.s.ptr);
    }
    const lv_value *value = lv_helper_named(call, "value");
    if (!value) value = map_get(map_get(changeset, "params"), field);
    if (!value) value = map_get(map_get(changeset, "data"), field);
    f->value = value;
    const char *error = str_of(map_get(map_get(changeset, "errors"), field));
    f->error = error && *error ? error : NULL;
    return true;
}

/* Appends ` name="escaped text"`. */
static void attr(lv_buf *out, const char *name, const char *text, size_t len)
{
    lv_buf_putc(out, ' ');
    lv_buf_puts(out, name);
    lv_buf_puts(out, "=\"");
    lv_html_escape(out, text, len);
    lv_buf_putc(out, '"');
}

static void attr_str(lv_buf *out, const char *name, const char *text)
{
    attr(out, name, text, strlen(text));
}

/* ` name="text of v"`: numbers and booleans as text, null as "". */
static void attr_value(lv_buf *out, const char *name, const lv_value *v)
{
    lv_buf text = LV_BUF_INIT;
    if (v) lv_value_to_text(v, &text);
    attr(out, name, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
}

/* Hands out to the call as trusted HTML (every part of it was escaped). */
static int emit(lv_helper_call *call, lv_buf *out, bool ok)
{
    if (ok) lv_helper_html(call, out->data ? out->data : "", out->len);
    lv_buf_free(out);
    return ok ? 0 : -1;
}

static const char *const input_reserved[] = {"value", "id", NULL};

/* <input type=TYPE id name value ...attributes>. */
static int input_helper(lv_helper_call *call, const char *type, bool with_value)
{
    field_ref f = {0};
    if (lv_helper_argc(call) != 2 || !field_ref_init(&f, call)) {
        field_ref_free(&f);
        return -1;
    }
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<input");
    attr_str(&out, "type", type);
    attr(&out, "id", f.id.data, f.id.len);
    attr(&out, "name", f.name.data, f.name.len);
    if (with_value) attr_value(&out, "value", f.value);
    bool ok = append_attributes(call, &out, input_reserved);
    lv_buf_putc(&out, '>');
    field_ref_free(&f);
    return emit(call, &out, ok);
}

/* {{text_input form "field" ...}} and the other <input> types: one helper,
 * registered once per type with the type attribute as its user data. A
 * password is never written back into the page, not from the params, the
 * data, nor value=. */
int lv_builtin_input(lv_helper_call *call, void *user)
{
    const char *type = user;
    return input_helper(call, type, strcmp(type, "password") != 0);
}

/* {{textarea form "field" rows=4}}: the value is the element's text, after
 * a newline (an HTML parser drops one newline right after <textarea>, so a
 * value that starts with one keeps it). */
int lv_builtin_textarea(lv_helper_call *call, void *user)
{
    (void)user;
    field_ref f = {0};
    if (lv_helper_argc(call) != 2 || !field_ref_init(&f, call)) {
        field_ref_free(&f);
        return -1;
    }
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<textarea");
    attr(&out, "id", f.id.data, f.id.len);
    attr(&out, "name", f.name.data, f.name.len);
    bool ok = append_attributes(call, &out, input_reserved);
    lv_buf_puts(&out, ">\n");
    lv_buf text = LV_BUF_INIT;
    if (f.value) lv_value_to_text(f.value, &text);
    lv_html_escape(&out, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
    lv_buf_puts(&out, "</textarea>");
    field_ref_free(&f);
    return emit(call, &out, ok);
}

/* Whether a field's value means "checked": true, "true", "on", "1", a
 * non-zero number. */
static bool checked_value(const lv_value *v)
{
    if (!v) return false;
    switch (v->kind) {
    case LV_VALUE_BOOL: return v->as.b;
    case LV_VALUE_INT: return v->as.i != 0;
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE:
        return !strcmp(v->as.s.ptr, "true") || !strcmp(v->as.s.ptr, "on") || !strcmp(v->as.s.ptr, "1");
    default: return false;
    }
}

static const char *const checkbox_reserved[] = {"value", "id", "checked", NULL};

/* {{checkbox form "field"}}: a hidden "false" input before the box, as
 * Phoenix emits, so an unchecked box still sends the field (a browser sends
 * nothing for it). checked= overrides the value. */
int lv_builtin_checkbox(lv_helper_call *call, void *user)
{
    (void)user;
    field_ref f = {0};
    if (lv_helper_argc(call) != 2 || !field_ref_init(&f, call)) {
        field_ref_free(&f);
        return -1;
    }
    const lv_value *checked_arg = lv_helper_named(call, "checked");
    bool checked = checked_arg ? lv_value_truthy(checked_arg) : checked_value(f.value);
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<input type=\"hidden\"");
    attr(&out, "name", f.name.data, f.name.len);
    lv_buf_puts(&out, " value=\"false\"><input type=\"checkbox\"");
    attr(&out, "id", f.id.data, f.id.len);
    attr(&out, "name", f.name.data, f.name.len);
    lv_buf_puts(&out, " value=\"true\"");
    if (checked) lv_buf_puts(&out, " checked");
    bool ok = append_attributes(call, &out, checkbox_reserved);
    lv_buf_putc(&out, '>');
    field_ref_free(&f);
    return emit(call, &out, ok);
}

static bool same_text(const lv_value *a, const char *b, size_t b_len)
{
    if (!a || a->kind == LV_VALUE_NULL || a->kind == LV_VALUE_LIST || a->kind == LV_VALUE_MAP) return false;
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(a, &text);
    bool same = text.len == b_len && (b_len == 0 || memcmp(text.data, b, b_len) == 0);
    lv_buf_free(&text);
    return same;
}

/* {{radio_button form "field" "choice"}}: checked when the field's value is
 * the choice; the id ends with the choice (book_genre_poetry). */
int lv_builtin_radio_button(lv_helper_call *call, void *user)
{
    (void)user;
    field_ref f = {0};
    const lv_value *choice = lv_helper_arg(call, 2);
    if (lv_helper_argc(call) != 3 || !field_ref_init(&f, call) || !choice || choice->kind == LV_VALUE_NULL ||
        choice->kind == LV_VALUE_LIST || choice->kind == LV_VALUE_MAP) {
        field_ref_free(&f);
        return -1;
    }
    lv_buf choice_text = LV_BUF_INIT;
    lv_value_to_text(choice, &choice_text);
    if (!lv_helper_named(call, "id")) {
        lv_buf_putc(&f.id, '_');
        append_id_part(&f.id, choice_text.data ? choice_text.data : "");
    }
    const lv_value *checked_arg = lv_helper_named(call, "checked");
    bool checked = checked_arg ? lv_value_truthy(checked_arg) : same_text(f.value, choice_text.data, choice_text.len);
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<input type=\"radio\"");
    attr(&out, "id", f.id.data, f.id.len);
    attr(&out, "name", f.name.data, f.name.len);
    attr(&out, "value", choice_text.data ? choice_text.data : "", choice_text.len);
    if (checked) lv_buf_puts(&out, " checked");
    bool ok = append_attributes(call, &out, checkbox_reserved);
    lv_buf_putc(&out, '>');
    lv_buf_free(&choice_text);
    field_ref_free(&f);
    return emit(call, &out, ok);
}

/* True when an option's value is selected: equal to `selected`, or to one
 * of its items when it is a list (a multiple select). */
static bool option_selected(const lv_value *selected, const char *value, size_t len)
{
    if (!selected) return false;
    if (selected->kind == LV_VALUE_LIST) {
        for (size_t i = 0; i < lv_value_list_len(selected); i++)
            if (same_text(&selected->as.list->items[i], value, len)) return true;
        return false;
    }
    return same_text(selected, value, len);
}

static void append_option(lv_buf *out, const lv_value *label, const lv_value *value, const lv_value *selected)
{
    lv_buf label_text = LV_BUF_INIT, value_text = LV_BUF_INIT;
    lv_value_to_text(label, &label_text);
    lv_value_to_text(value, &value_text);
    lv_buf_puts(out, "<option");
    attr(out, "value", value_text.data ? value_text.data : "", value_text.len);
    if (option_selected(selected, value_text.data ? value_text.data : "", value_text.len))
        lv_buf_puts(out, " selected");
    lv_buf_putc(out, '>');
    lv_html_escape(out, label_text.data ? label_text.data : "", label_text.len);
    lv_buf_puts(out, "</option>");
    lv_buf_free(&label_text);
    lv_buf_free(&value_text);
}

/* Options from a list of strings or numbers (label = value), of
 * {"label","value"} maps, or of [label, value] pairs; or from a map of
 * label -> value. False for anything else. */
static bool append_options(lv_buf *out, const lv_value *options, const lv_value *selected)
{
    if (!options || options->kind == LV_VALUE_NULL) return true;
    if (options->kind == LV_VALUE_MAP) {
        for (uint32_t i = 0; options->as.map && i < options->as.map->count; i++) {
            const lv_map_entry *e = &options->as.map->entries[i];
            lv_value label = {.kind = LV_VALUE_STRING, .as.s = {e->key, strlen(e->key)}};
            append_option(out, &label, &e->value, selected);
        }
        return true;
    }
    if (options->kind != LV_VALUE_LIST) return false;
    for (size_t i = 0; i < lv_value_list_len(options); i++) {
        const lv_value *o = &options->as.list->items[i];
        if (o->kind == LV_VALUE_MAP) {
            const lv_value *value = map_get(o, "value");
            const lv_value *label = map_get(o, "label");
            if (!value) return false;
            append_option(out, label ? label : value, value, selected);
        } else if (o->kind == LV_VALUE_LIST && lv_value_list_len(o) == 2) {
            append_option(out, &o->as.list->items[0], &o->as.list->items[1], selected);
        } else if (o->kind == LV_VALUE_LIST || o->kind == LV_VALUE_NULL) {
            return false;
        } else {
            append_option(out, o, o, selected);
        }
    }
    return true;
}

/* {{options_for_select options selected}}: the <option> tags. */
int lv_builtin_options_for_select(lv_helper_call *call, void *user)
{
    (void)user;
    if (lv_helper_argc(call) < 1 || lv_helper_argc(call) > 2) return -1;
    lv_buf out = LV_BUF_INIT;
    bool ok = append_options(&out, lv_helper_arg(call, 0), lv_helper_arg(call, 1));
    return emit(call, &out, ok);
}

static const char *const select_reserved[] = {"value", "id", "prompt", NULL};

/* {{select form "field" options prompt="Choose..."}}: the field's value is
 * the selected option; prompt adds a first option with an empty value. */
int lv_builtin_select(lv_helper_call *call, void *user)
{
    (void)user;
    field_ref f = {0};
    if (lv_helper_argc(call) != 3 || !field_ref_init(&f, call)) {
        field_ref_free(&f);
        return -1;
    }
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<select");
    attr(&out, "id", f.id.data, f.id.len);
    attr(&out, "name", f.name.data, f.name.len);
    bool ok = append_attributes(call, &out, select_reserved);
    lv_buf_putc(&out, '>');
    const lv_value *prompt = lv_helper_named(call, "prompt");
    if (prompt && prompt->kind != LV_VALUE_NULL) {
        lv_buf text = LV_BUF_INIT;
        lv_value_to_text(prompt, &text);
        lv_buf_puts(&out, "<option value=\"\">");
        lv_html_escape(&out, text.data ? text.data : "", text.len);
        lv_buf_puts(&out, "</option>");
        lv_buf_free(&text);
    }
    ok = ok && append_options(&out, lv_helper_arg(call, 2), f.value);
    lv_buf_puts(&out, "</select>");
    field_ref_free(&f);
    return emit(call, &out, ok);
}

static const char *const error_tag_reserved[] = {"class", NULL};

/* {{error_tag form "field"}}: the field's error in
 * <span class="invalid-feedback" phx-feedback-for="book[title]">, or
 * nothing when there is none to show (the changeset value holds only the
 * errors to show). class= replaces the class. */
int lv_builtin_error_tag(lv_helper_call *call, void *user)
{
    (void)user;
    field_ref f = {0};
    if (lv_helper_argc(call) != 2 || !field_ref_init(&f, call)) {
        field_ref_free(&f);
        return -1;
    }
    lv_buf out = LV_BUF_INIT;
    bool ok = true;
    if (f.error) {
        const char *cls = str_of(lv_helper_named(call, "class"));
        lv_buf_puts(&out, "<span");
        attr_str(&out, "class", cls ? cls : "invalid-feedback");
        attr(&out, "phx-feedback-for", f.name.data, f.name.len);
        ok = append_attributes(call, &out, error_tag_reserved);
        lv_buf_putc(&out, '>');
        lv_html_escape(&out, f.error, strlen(f.error));
        lv_buf_puts(&out, "</span>");
    }
    field_ref_free(&f);
    return emit(call, &out, ok); /* no error: an empty output */
}

/* {{submit "Save" phx_disable_with="Saving..."}}. */
int lv_builtin_submit(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *label = lv_helper_arg(call, 0);
    if (lv_helper_argc(call) != 1 || !label) return -1;
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<button type=\"submit\"");
    bool ok = append_attributes(call, &out, NULL);
    lv_buf_putc(&out, '>');
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(label, &text);
    lv_html_escape(&out, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
    lv_buf_puts(&out, "</button>");
    return emit(call, &out, ok);
}

/* A path on this site: "/" then not "/" or "\" (which a browser reads as
 * another host), and no control characters. Escaping cannot make a
 * "javascript:" href safe; refusing anything but a local path does. */
static bool local_path(const char *s)
{
    if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\') return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* Percent-encodes for a query string (space as '+', as URLSearchParams). */
static void append_query_part(lv_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '*') {
            lv_buf_putc(out, (char)c);
        } else if (c == ' ') {
            lv_buf_putc(out, '+');
        } else {
            lv_buf_putc(out, '%');
            lv_buf_putc(out, hex[c >> 4]);
            lv_buf_putc(out, hex[c & 15]);
        }
    }
}

static const char *const link_reserved[] = {"to", "params", "replace", NULL};

/* {{live_patch "Page 2" to="/books" params=query replace=true class="btn"}}
 * and live_redirect: <a href="/books?page=2" data-phx-link="patch"
 * data-phx-link-state="push" class="btn">Page 2</a>, as Phoenix's
 * <.link patch={...}> renders. params (a map) becomes the query string. */
static int link_helper(lv_helper_call *call, const char *kind)
{
    const lv_value *label = lv_helper_arg(call, 0);
    const char *to = str_of(lv_helper_named(call, "to"));
    if (lv_helper_argc(call) != 1 || !label || !local_path(to)) return -1;
    lv_buf href = LV_BUF_INIT;
    lv_buf_puts(&href, to);
    const lv_value *params = lv_helper_named(call, "params");
    if (params && params->kind == LV_VALUE_MAP && params->as.map && params->as.map->count) {
        char sep = strchr(to, '?') ? '&' : '?';
        lv_buf text = LV_BUF_INIT;
        for (uint32_t i = 0; i < params->as.map->count; i++) {
            const lv_map_entry *e = &params->as.map->entries[i];
            lv_buf_putc(&href, sep);
            sep = '&';
            append_query_part(&href, e->key, strlen(e->key));
            lv_buf_putc(&href, '=');
            lv_buf_reset(&text);
            lv_value_to_text(&e->value, &text);
            append_query_part(&href, text.data ? text.data : "", text.len);
        }
        lv_buf_free(&text);
    }
    const lv_value *replace = lv_helper_named(call, "replace");
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<a");
    attr(&out, "href", href.data, href.len);
    attr_str(&out, "data-phx-link", kind);
    attr_str(&out, "data-phx-link-state", replace && lv_value_truthy(replace) ? "replace" : "push");
    bool ok = append_attributes(call, &out, link_reserved);
    lv_buf_putc(&out, '>');
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(label, &text);
    lv_html_escape(&out, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
    lv_buf_puts(&out, "</a>");
    lv_buf_free(&href);
    return emit(call, &out, ok);
}

int lv_builtin_live_patch(lv_helper_call *call, void *user)
{
    (void)user;
    return link_helper(call, "patch");
}

int lv_builtin_live_redirect(lv_helper_call *call, void *user)
{
    (void)user;
    return link_helper(call, "redirect");
}

/* {{live_title_tag title prefix="Books · " suffix=" · liveview-c"}}: the
 * client keeps the prefix and suffix when the title changes (lv_page_title
 * sends only the title). */
int lv_builtin_live_title_tag(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *title = lv_helper_arg(call, 0);
    if (lv_helper_argc(call) != 1 || !title) return -1;
    for (size_t i = 0; i < lv_helper_named_count(call); i++) {
        const char *k = lv_helper_named_key_at(call, i);
        if (strcmp(k, "prefix") != 0 && strcmp(k, "suffix") != 0) return -1;
    }
    const char *prefix = str_of(lv_helper_named(call, "prefix"));
    const char *suffix = str_of(lv_helper_named(call, "suffix"));
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<title");
    if (prefix) attr_str(&out, "data-prefix", prefix);
    if (suffix) attr_str(&out, "data-suffix", suffix);
    lv_buf_putc(&out, '>');
    if (prefix) lv_html_escape(&out, prefix, strlen(prefix));
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(title, &text);
    lv_html_escape(&out, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
    if (suffix) lv_html_escape(&out, suffix, strlen(suffix));
    lv_buf_puts(&out, "</title>");
    return emit(call, &out, true);
}

bool lv_builtin_append_attributes(lv_helper_call *call, lv_buf *out, const char *const *reserved)
{
    return append_attributes(call, out, reserved);
}
