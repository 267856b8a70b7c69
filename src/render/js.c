/* JS commands: the JSON that phx-click and the other bindings may hold
 * instead of an event name, which the client runs without a round trip
 * (phoenix_live_view's js.js: JS.exec reads [[kind, args], ...]).
 *
 * The argument names are the client's: to, time, transition as
 * [[running], [start], [end]], display, blocking, names, attr, event,
 * detail, bubbles, value, target, loading, page_loading, href, replace. An
 * option left at zero is omitted, so the client applies its own default
 * (time 200, the element itself as the target, display "block").
 *
 * Strings go through lv_json_str, which escapes '<', '>' and '&' as well as
 * quotes, and a template escapes the JSON once more as an attribute value,
 * so no text given to a command can leave the attribute or the string. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/builtins.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/value_json.h"

struct lv_js {
    lv_buf json;  /* always a complete "[...]" */
    bool invalid; /* a command got a bad argument and was dropped */
};

lv_js *lv_js_new(void)
{
    lv_js *js = lv_xcalloc(1, sizeof *js);
    lv_buf_puts(&js->json, "[]");
    return js;
}

void lv_js_free(lv_js *js)
{
    if (!js) return;
    lv_buf_free(&js->json);
    free(js);
}

const char *lv_js_json(const lv_js *js)
{
    return js->invalid ? NULL : js->json.data;
}

/* ---- Writing ------------------------------------------------------------------ */

/* Opens a command: reopens the list and writes `["kind",{`. */
static lv_buf *begin(lv_js *js, const char *kind)
{
    lv_buf *b = &js->json;
    assert(b->len > 0 && b->data[b->len - 1] == ']');
    b->len--; /* drop the closing ']' */
    if (b->len > 1) lv_buf_putc(b, ',');
    lv_buf_puts(b, "[\"");
    lv_buf_puts(b, kind);
    lv_buf_puts(b, "\",{");
    return b;
}

static lv_js *end(lv_js *js)
{
    lv_buf_puts(&js->json, "}]]");
    return js;
}

/* Writes "key": with a comma unless it is the first key of the object. */
static void key(lv_buf *b, const char *name)
{
    if (b->data[b->len - 1] != '{') lv_buf_putc(b, ',');
    lv_json_cstr(b, name);
    lv_buf_putc(b, ':');
}

static void key_str(lv_buf *b, const char *name, const char *s)
{
    if (!s) return;
    key(b, name);
    lv_json_cstr(b, s);
}

/* A space-separated class list as a JSON array of names. */
static void class_list(lv_buf *b, const char *names)
{
    lv_buf_putc(b, '[');
    bool first = true;
    const char *p = names ? names : "";
    const char *blanks = " \t\r\n\f";
    for (;;) {
        p += strspn(p, blanks);
        if (!*p) break;
        size_t n = strcspn(p, blanks);
        if (!first) lv_buf_putc(b, ',');
        lv_json_str(b, p, n);
        first = false;
        p += n;
    }
    lv_buf_putc(b, ']');
}

static bool has_transition(const char *const t[3])
{
    return t[0] || t[1] || t[2];
}

static void key_transition(lv_buf *b, const char *name, const char *const t[3])
{
    if (!has_transition(t)) return;
    key(b, name);
    lv_buf_putc(b, '[');
    for (int i = 0; i < 3; i++) {
        if (i) lv_buf_putc(b, ',');
        class_list(b, t[i]);
    }
    lv_buf_putc(b, ']');
}

static const lv_js_opts no_opts;

static void key_to(lv_buf *b, const lv_js_opts *o)
{
    key_str(b, "to", o->to);
}

static void key_time(lv_buf *b, const lv_js_opts *o)
{
    if (o->time <= 0) return;
    key(b, "time");
    lv_json_int(b, o->time);
}

static void key_blocking(lv_buf *b, const lv_js_opts *o)
{
    if (!o->non_blocking) return;
    key(b, "blocking");
    lv_buf_puts(b, "false");
}

/* Writes "name":<map> for a payload argument (NULL: nothing). False for a
 * value that is not a map or that JSON cannot carry. */
static bool key_object(lv_buf *b, const char *name, const lv_value *map)
{
    if (!map) return true;
    if (!lv_value_json_map(map)) return false;
    key(b, name);
    lv_value_append_json(map, b);
    return true;
}

/* A dropped command: the list stays as it was, marked invalid. */
static lv_js *refuse(lv_js *js, size_t len_before)
{
    /* begin() may have overwritten the closing ']' already. */
    js->json.len = len_before;
    js->json.data[len_before - 1] = ']';
    js->json.data[len_before] = '\0';
    js->invalid = true;
    return js;
}

/* ---- Commands ----------------------------------------------------------------- */

lv_js *lv_js_show(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "show");
    key_to(b, o);
    key_time(b, o);
    key_transition(b, "transition", o->transition);
    key_str(b, "display", o->display);
    key_blocking(b, o);
    return end(js);
}

lv_js *lv_js_hide(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "hide");
    key_to(b, o);
    key_time(b, o);
    key_transition(b, "transition", o->transition);
    key_blocking(b, o);
    return end(js);
}

lv_js *lv_js_toggle(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "toggle");
    key_to(b, o);
    key_time(b, o);
    key_transition(b, "ins", o->in);
    key_transition(b, "outs", o->out);
    key_str(b, "display", o->display);
    key_blocking(b, o);
    return end(js);
}

static lv_js *class_command(lv_js *js, const char *kind, const char *names, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!names) return refuse(js, before);
    lv_buf *b = begin(js, kind);
    key(b, "names");
    class_list(b, names);
    key_to(b, o);
    key_time(b, o);
    key_transition(b, "transition", o->transition);
    key_blocking(b, o);
    return end(js);
}

lv_js *lv_js_add_class(lv_js *js, const char *names, const lv_js_opts *o)
{
    return class_command(js, "add_class", names, o);
}

lv_js *lv_js_remove_class(lv_js *js, const char *names, const lv_js_opts *o)
{
    return class_command(js, "remove_class", names, o);
}

lv_js *lv_js_toggle_class(lv_js *js, const char *names, const lv_js_opts *o)
{
    return class_command(js, "toggle_class", names, o);
}

lv_js *lv_js_transition(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "transition");
    key_transition(b, "transition", o->transition);
    key_to(b, o);
    key_time(b, o);
    key_blocking(b, o);
    return end(js);
}

lv_js *lv_js_set_attr(lv_js *js, const char *attr, const char *value, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!attr || !*attr) return refuse(js, before);
    lv_buf *b = begin(js, "set_attr");
    key(b, "attr");
    lv_buf_putc(b, '[');
    lv_json_cstr(b, attr);
    lv_buf_putc(b, ',');
    lv_json_cstr(b, value ? value : "");
    lv_buf_putc(b, ']');
    key_to(b, o);
    return end(js);
}

lv_js *lv_js_remove_attr(lv_js *js, const char *attr, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!attr || !*attr) return refuse(js, before);
    lv_buf *b = begin(js, "remove_attr");
    key_str(b, "attr", attr);
    key_to(b, o);
    return end(js);
}

lv_js *lv_js_dispatch(lv_js *js, const char *event, const lv_value *detail, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!event || !*event) return refuse(js, before);
    lv_buf *b = begin(js, "dispatch");
    key_str(b, "event", event);
    if (!key_object(b, "detail", detail)) return refuse(js, before);
    if (o->no_bubbles) {
        key(b, "bubbles");
        lv_buf_puts(b, "false");
    }
    key_to(b, o);
    return end(js);
}

lv_js *lv_js_push(lv_js *js, const char *event, const lv_value *value, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!event || !*event) return refuse(js, before);
    lv_buf *b = begin(js, "push");
    key_str(b, "event", event);
    if (!key_object(b, "value", value)) return refuse(js, before);
    key_str(b, "target", o->target);
    key_str(b, "loading", o->loading);
    if (o->page_loading) {
        key(b, "page_loading");
        lv_buf_puts(b, "true");
    }
    return end(js);
}

lv_js *lv_js_focus(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "focus");
    key_to(b, o);
    return end(js);
}

/* toggle_attr: sets attr to val1 when absent; with val2, flips between
 * val1 and val2; without, removes it when present (js.js toggleAttr). */
lv_js *lv_js_toggle_attr(lv_js *js, const char *attr, const char *val1, const char *val2,
                         const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!attr || !*attr || !val1) return refuse(js, before);
    lv_buf *b = begin(js, "toggle_attr");
    key(b, "attr");
    lv_buf_putc(b, '[');
    lv_json_cstr(b, attr);
    lv_buf_putc(b, ',');
    lv_json_cstr(b, val1);
    if (val2) {
        lv_buf_putc(b, ',');
        lv_json_cstr(b, val2);
    }
    lv_buf_putc(b, ']');
    key_to(b, o);
    return end(js);
}

/* ignore_attrs: the client keeps the element's current value of these
 * attributes (names, or prefixes ending in '*') across later patches. */
lv_js *lv_js_ignore_attrs(lv_js *js, const char *names, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!names || !names[strspn(names, " \t\r\n\f")]) return refuse(js, before);
    lv_buf *b = begin(js, "ignore_attrs");
    key(b, "attrs");
    class_list(b, names);
    key_to(b, o);
    return end(js);
}

lv_js *lv_js_focus_first(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "focus_first");
    key_to(b, o);
    return end(js);
}

lv_js *lv_js_push_focus(lv_js *js, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    lv_buf *b = begin(js, "push_focus");
    key_to(b, o);
    return end(js);
}

/* pop_focus takes no target: it focuses what the last push_focus saved. */
lv_js *lv_js_pop_focus(lv_js *js)
{
    begin(js, "pop_focus");
    return end(js);
}

/* A path on this site: "/" then not "/" or "\" (which a browser reads as
 * another host), no control characters, no scheme. */
static bool local_href(const char *href)
{
    if (!href || href[0] != '/' || href[1] == '/' || href[1] == '\\') return false;
    for (const unsigned char *p = (const unsigned char *)href; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

static lv_js *link_command(lv_js *js, const char *kind, const char *href, bool replace)
{
    size_t before = js->json.len;
    if (!local_href(href)) return refuse(js, before);
    lv_buf *b = begin(js, kind);
    key_str(b, "href", href);
    if (replace) {
        key(b, "replace");
        lv_buf_puts(b, "true");
    }
    return end(js);
}

lv_js *lv_js_navigate(lv_js *js, const char *href, bool replace)
{
    return link_command(js, "navigate", href, replace);
}

lv_js *lv_js_patch(lv_js *js, const char *href, bool replace)
{
    return link_command(js, "patch", href, replace);
}

lv_js *lv_js_exec(lv_js *js, const char *attr, const lv_js_opts *o)
{
    if (!o) o = &no_opts;
    size_t before = js->json.len;
    if (!attr || !*attr) return refuse(js, before);
    lv_buf *b = begin(js, "exec");
    key_str(b, "attr", attr);
    key_to(b, o);
    return end(js);
}

/* ---- Template helpers ------------------------------------------------------------
 *
 *   phx-click={{js_toggle to="#menu"}}
 *   phx-click={{js (js_add_class "open" to="#menu") (js_push "opened")}}
 *
 * Each returns the JSON as a string value, which the template escapes in the
 * attribute. Named options are the lv_js_opts fields: to, time, display,
 * blocking=false, transition/in/out as "running|start|end" class lists,
 * bubbles=false, target, loading, page_loading=true, replace=true, and
 * detail= / value= a map. An unknown option fails the helper, so a typo is
 * reported instead of silently ignored. */

static const char *str_of(const lv_value *v)
{
    return v && (v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE) ? v->as.s.ptr : NULL;
}

/* Three class lists from "running|start|end" (or fewer parts). The parts
 * are copied into storage (one allocation, freed by the caller). */
static void split_transition(const char *text, const char *parts[3], char **storage)
{
    if (!text) return;
    *storage = lv_xstrdup(text);
    char *p = *storage;
    for (int i = 0; i < 3 && p; i++) {
        parts[i] = p;
        char *bar = strchr(p, '|');
        if (bar) *bar = '\0';
        p = bar ? bar + 1 : NULL;
    }
}

typedef struct helper_opts {
    lv_js_opts opts;
    char *storage[3];
    const lv_value *detail; /* borrowed from the call, or NULL */
    bool replace;
} helper_opts;

static void helper_opts_free(helper_opts *h)
{
    for (int i = 0; i < 3; i++) free(h->storage[i]);
}

/* Reads the named arguments into h. False for an unknown one or a wrong
 * type. */
static bool read_opts(lv_helper_call *call, helper_opts *h)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < lv_helper_named_count(call); i++) {
        const char *k = lv_helper_named_key_at(call, i);
        const lv_value *v = lv_helper_named_value_at(call, i);
        const char *s = str_of(v);
        if (!strcmp(k, "to")) {
            h->opts.to = s;
        } else if (!strcmp(k, "display")) {
            h->opts.display = s;
        } else if (!strcmp(k, "target")) {
            h->opts.target = s;
        } else if (!strcmp(k, "loading")) {
            h->opts.loading = s;
        } else if (!strcmp(k, "time")) {
            if (v->kind != LV_VALUE_INT || v->as.i < 0 || v->as.i > 600000) return false;
            h->opts.time = (int)v->as.i;
        } else if (!strcmp(k, "blocking")) {
            h->opts.non_blocking = v->kind == LV_VALUE_BOOL && !v->as.b;
        } else if (!strcmp(k, "bubbles")) {
            h->opts.no_bubbles = v->kind == LV_VALUE_BOOL && !v->as.b;
        } else if (!strcmp(k, "page_loading")) {
            h->opts.page_loading = lv_value_truthy(v);
        } else if (!strcmp(k, "replace")) {
            h->replace = lv_value_truthy(v);
        } else if (!strcmp(k, "transition")) {
            split_transition(s, h->opts.transition, &h->storage[0]);
        } else if (!strcmp(k, "in")) {
            split_transition(s, h->opts.in, &h->storage[1]);
        } else if (!strcmp(k, "out")) {
            split_transition(s, h->opts.out, &h->storage[2]);
        } else if (!strcmp(k, "detail") || !strcmp(k, "value")) {
            if (v->kind == LV_VALUE_NULL) continue;
            if (v->kind != LV_VALUE_MAP) return false;
            h->detail = v;
        } else {
            return false;
        }
    }
    return true;
}

/* Positional arguments each command takes. */
static const unsigned char js_helper_argc[] = {
    [LV_JS_SHOW] = 0,      [LV_JS_HIDE] = 0,        [LV_JS_TOGGLE] = 0,      [LV_JS_ADD_CLASS] = 1,
    [LV_JS_REMOVE_CLASS] = 1, [LV_JS_TOGGLE_CLASS] = 1, [LV_JS_TRANSITION] = 1, [LV_JS_SET_ATTR] = 2,
    [LV_JS_REMOVE_ATTR] = 1, [LV_JS_DISPATCH] = 1,  [LV_JS_PUSH] = 1,        [LV_JS_FOCUS] = 0,
    [LV_JS_NAVIGATE] = 1,  [LV_JS_PATCH] = 1,       [LV_JS_EXEC] = 1,
    [LV_JS_TOGGLE_ATTR] = 2, [LV_JS_IGNORE_ATTRS] = 1, [LV_JS_FOCUS_FIRST] = 0, [LV_JS_PUSH_FOCUS] = 0,
    [LV_JS_POP_FOCUS] = 0,
};

/* Commands whose last positional argument may be left out. */
static bool js_helper_argc_ok(enum lv_js_kind kind, size_t argc)
{
    if (kind == LV_JS_TOGGLE_ATTR) return argc == 2 || argc == 3;
    return argc == js_helper_argc[kind];
}

int lv_builtin_js_command(lv_helper_call *call, void *user)
{
    enum lv_js_kind kind = (enum lv_js_kind)(uintptr_t)user;
    if (!js_helper_argc_ok(kind, lv_helper_argc(call))) return -1;
    const char *a0 = str_of(lv_helper_arg(call, 0));
    const lv_value *a1v = lv_helper_arg(call, 1);
    const lv_value *a2v = lv_helper_arg(call, 2);
    lv_buf a1 = LV_BUF_INIT; /* set_attr's value may be a number */
    if (a1v) lv_value_to_text(a1v, &a1);
    lv_buf a2 = LV_BUF_INIT;
    if (a2v) lv_value_to_text(a2v, &a2);
    if (js_helper_argc[kind] >= 1 && !a0) {
        lv_buf_free(&a1);
        lv_buf_free(&a2);
        return -1;
    }
    helper_opts h;
    if (!read_opts(call, &h)) {
        helper_opts_free(&h);
        lv_buf_free(&a1);
        lv_buf_free(&a2);
        return -1;
    }
    const lv_js_opts *o = &h.opts;
    lv_js *js = lv_js_new();
    char *transition_storage = NULL;
    switch (kind) {
    case LV_JS_SHOW: lv_js_show(js, o); break;
    case LV_JS_HIDE: lv_js_hide(js, o); break;
    case LV_JS_TOGGLE: lv_js_toggle(js, o); break;
    case LV_JS_ADD_CLASS: lv_js_add_class(js, a0, o); break;
    case LV_JS_REMOVE_CLASS: lv_js_remove_class(js, a0, o); break;
    case LV_JS_TOGGLE_CLASS: lv_js_toggle_class(js, a0, o); break;
    case LV_JS_TRANSITION:
        split_transition(a0, h.opts.transition, &transition_storage);
        lv_js_transition(js, o);
        break;
    case LV_JS_SET_ATTR: lv_js_set_attr(js, a0, a1.data ? a1.data : "", o); break;
    case LV_JS_REMOVE_ATTR: lv_js_remove_attr(js, a0, o); break;
    case LV_JS_DISPATCH: lv_js_dispatch(js, a0, h.detail, o); break;
    case LV_JS_PUSH: lv_js_push(js, a0, h.detail, o); break;
    case LV_JS_FOCUS: lv_js_focus(js, o); break;
    case LV_JS_NAVIGATE: lv_js_navigate(js, a0, h.replace); break;
    case LV_JS_PATCH: lv_js_patch(js, a0, h.replace); break;
    case LV_JS_EXEC: lv_js_exec(js, a0, o); break;
    case LV_JS_TOGGLE_ATTR:
        lv_js_toggle_attr(js, a0, a1.data ? a1.data : "", a2v ? (a2.data ? a2.data : "") : NULL, o);
        break;
    case LV_JS_IGNORE_ATTRS: lv_js_ignore_attrs(js, a0, o); break;
    case LV_JS_FOCUS_FIRST: lv_js_focus_first(js, o); break;
    case LV_JS_PUSH_FOCUS: lv_js_push_focus(js, o); break;
    case LV_JS_POP_FOCUS: lv_js_pop_focus(js); break;
    }
    free(transition_storage);
    helper_opts_free(&h);
    lv_buf_free(&a1);
    lv_buf_free(&a2);
    const char *json = lv_js_json(js);
    int rc = -1;
    if (json) {
        lv_value *result = lv_xmalloc(sizeof *result);
        *result = lv_value_string(json, strlen(json));
        lv_helper_return(call, result);
        rc = 0;
    }
    lv_js_free(js);
    return rc;
}

/* {{js a b ...}}: the command lists a, b, ... one after the other. Each must
 * be a JSON array (what the js_* helpers return); null arguments are
 * skipped, so a command can be left out with a conditional. */
int lv_builtin_js(lv_helper_call *call, void *user)
{
    (void)user;
    lv_buf out = LV_BUF_INIT;
    lv_buf_putc(&out, '[');
    for (size_t i = 0; i < lv_helper_argc(call); i++) {
        const lv_value *v = lv_helper_arg(call, i);
        if (!v || v->kind == LV_VALUE_NULL) continue;
        const char *s = str_of(v);
        lv_value list = lv_value_null();
        if (s) lv_value_parse_json(s, strlen(s), LV_JSON_MAX_DEPTH, &list);
        if (list.kind != LV_VALUE_LIST) {
            lv_value_free(&list);
            lv_buf_free(&out);
            return -1;
        }
        /* Re-written rather than copied, so every string gets the writer's
         * escaping whatever the text held. */
        for (size_t k = 0; k < lv_value_list_len(&list); k++) {
            if (out.len > 1) lv_buf_putc(&out, ',');
            lv_value_append_json(&list.as.list->items[k], &out);
        }
        lv_value_free(&list);
    }
    lv_buf_putc(&out, ']');
    lv_value *result = lv_xmalloc(sizeof *result);
    *result = lv_value_string(out.data, out.len);
    lv_helper_return(call, result);
    lv_buf_free(&out);
    return 0;
}
