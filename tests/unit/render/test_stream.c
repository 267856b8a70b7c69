/* Streams (render/stream.h, docs/streams.md): the template syntax, the
 * 1.x "stream" wire format byte for byte (join, append, prepend, limit,
 * delete, reset), the dead render, the pending operations being dropped once
 * a render is sent, the caps and validation, escaping, and a property test:
 * random stream operations sent as diffs, merged by the client mirror
 * (client_merge.h) and applied to a model of the container the way
 * dom_patch.ts applies them, give the page a model of Phoenix's semantics
 * predicts. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client_merge.h"
#include "render/render.h"
#include "render/stream.h"

#define FEED                                                                                                    \
    "<ul id=\"feed\" phx-update=\"stream\">{{#stream messages as msg}}<li id=\"{{msg.dom_id}}\">{{msg.text}}</li>" \
    "{{/stream}}</ul>"
#define ROOT_S "\"s\":[\"<ul id=\\\"feed\\\" phx-update=\\\"stream\\\">\",\"</ul>\"]"
#define BODY_S "\"s\":[\"<li id=\\\"\",\"\\\">\",\"</li>\"]"

/* Expected JSON is written with plain < > &; the writer escapes them. */
static char *J(const char *readable)
{
    lv_buf b = LV_BUF_INIT;
    for (const char *p = readable; *p; p++) {
        if (*p == '<')
            lv_buf_puts(&b, "\\u003c");
        else if (*p == '>')
            lv_buf_puts(&b, "\\u003e");
        else if (*p == '&')
            lv_buf_puts(&b, "\\u0026");
        else
            lv_buf_putc(&b, *p);
    }
    return lv_buf_take(&b);
}

static lv_tmpl *compile(const char *text)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("stream", text, strlen(text), &err);
    cr_assert_not_null(t, "compile failed: %s", err.message);
    return t;
}

static const char *compile_error(const char *text)
{
    static lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("stream", text, strlen(text), &err);
    cr_assert_null(t, "expected a compile error for %s", text);
    return err.message;
}

static lv_value msg(int64_t id, const char *text)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_int(id));
    lv_value_map_set(&m, "text", lv_value_string(text, strlen(text)));
    return m;
}

static void insert(lv_assigns *a, int64_t id, const char *text, int at, int limit)
{
    cr_assert_eq(lv_streams_insert(&a->streams, "messages", msg(id, text), at, limit), 0);
}

/* A view: template, assigns, render state. */
typedef struct view {
    lv_tmpl *t;
    lv_assigns a;
    lv_render_state *state;
    lv_buf out;
} view;

static void view_init(view *v, const char *text)
{
    v->t = compile(text);
    lv_assigns_init(&v->a);
    v->state = NULL;
    v->out = (lv_buf)LV_BUF_INIT;
}

static void view_free(view *v)
{
    lv_buf_free(&v->out);
    lv_render_state_free(v->state);
    lv_assigns_free(&v->a);
    lv_tmpl_free(v->t);
}

/* The join's tree, then what the channel does: clear the changes. */
static const char *join(view *v)
{
    lv_buf_reset(&v->out);
    lv_render_full_state(v->t, &v->a, &v->state, NULL, &v->out);
    lv_assigns_clear_changed(&v->a);
    return v->out.data;
}

static const char *diff(view *v)
{
    lv_buf_reset(&v->out);
    lv_render_diff_state(v->t, &v->a, &v->state, NULL, &v->out);
    lv_assigns_clear_changed(&v->a);
    return v->out.data;
}

static void assert_json(const char *got, const char *readable)
{
    char *expected = J(readable);
    cr_assert_str_eq(got, expected);
    free(expected);
}

static char *dead(const view *v)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_html(v->t, &v->a, &b);
    return lv_buf_take(&b);
}

/* ---- Syntax ------------------------------------------------------------------ */

Test(stream, compiles_to_a_slot_with_a_body)
{
    lv_tmpl *t = compile("<ul id=\"f\" phx-update=\"stream\">\n  {{#stream messages as msg}}\n    <li id=\"{{msg.dom_id}}\">"
                         "{{msg.text}}</li>\n  {{/stream}}\n</ul>");
    cr_assert_eq(t->root->dyn_count, 1);
    const lv_tmpl_dyn *d = &t->root->dyns[0];
    cr_assert_eq(d->kind, LV_DYN_STREAM);
    cr_assert_str_eq(d->attr_name, "messages");
    cr_assert_eq(d->state_index, -1, "a stream needs no render state");
    /* The whitespace around the item's element is dropped. */
    cr_assert_str_eq(d->body->statics_json, "[\"\\u003cli id=\\\"\",\"\\\"\\u003e\",\"\\u003c/li\\u003e\"]");
    lv_tmpl_free(t);
}

Test(stream, syntax_errors)
{
    cr_assert_str_eq(compile_error("{{#stream s as m}}{{#stream t as n}}{{/stream}}{{/stream}}"),
                     "stream: line 1, column 19: a {{#stream}} cannot be inside another {{#stream}}");
    cr_assert_str_eq(compile_error("{{#stream s as m}}{{#each xs as x}}{{#stream t as n}}{{/stream}}{{/each}}{{/stream}}"),
                     "stream: line 1, column 36: a {{#stream}} cannot be inside another {{#stream}}");
    cr_assert_str_eq(compile_error("<ul>{{#stream s}}<li></li>{{/stream}}</ul>"),
                     "stream: line 1, column 16: expected \"as item\" after the name of {{#stream}}");
    cr_assert_str_eq(compile_error("<ul>{{#stream s as m, i}}<li></li>{{/stream}}</ul>"),
                     "stream: line 1, column 21: expected {{#stream name as item}} (a stream has no index)");
    cr_assert_str_eq(compile_error("<ul>{{#stream a.b as m}}<li></li>{{/stream}}</ul>"),
                     "stream: line 1, column 15: expected {{#stream name as item}} (a stream name, without dots)");
    cr_assert_str_eq(compile_error("<ul>{{#stream s as m}}<li></li></ul>"),
                     "stream: line 1, column 5: {{#stream}} is never closed (expected {{/stream}})");
    cr_assert_str_eq(compile_error("<ul>{{#stream s as m}}<li></li>{{/each}}</ul>"),
                     "stream: line 1, column 32: expected {{/stream}} to close the {{#stream}} of line 1");
    cr_assert_str_eq(compile_error("<ul {{#stream s as m}}{{/stream}}>"),
                     "stream: line 1, column 5: a {{#stream}} goes where an element could, not inside a tag");
}

/* ---- Wire format, byte for byte ------------------------------------------------- */

Test(stream, join_sends_the_pending_items_with_their_ops)
{
    view v;
    view_init(&v, FEED);
    insert(&v.a, 1, "first", LV_STREAM_APPEND, 0);
    insert(&v.a, 2, "second", LV_STREAM_APPEND, 0);
    assert_json(join(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":\"first\"},"
                          "\"1\":{\"0\":\"messages-2\",\"1\":\"second\"},\"kc\":2}," BODY_S ","
                          "\"stream\":[\"0\",[[\"messages-1\",-1,null,false],[\"messages-2\",-1,null,false]],[]]},"
                          ROOT_S "}");
    /* Sent, so forgotten: nothing pending, nothing held per item. */
    const lv_stream_rec *s = lv_streams_find(v.a.streams, "messages", 8);
    cr_assert_not(lv_stream_pending(s));
    cr_assert_null(s->inserts);
    cr_assert_str_eq(diff(&v), "{}");
    view_free(&v);
}

Test(stream, an_empty_or_unknown_stream)
{
    view v;
    view_init(&v, FEED);
    /* Never used: an empty comprehension, no "stream". */
    assert_json(join(&v), "{\"0\":{\"k\":{\"kc\":0}," BODY_S "}," ROOT_S "}");
    char *html = dead(&v);
    cr_assert_str_eq(html, "<ul id=\"feed\" phx-update=\"stream\"></ul>");
    free(html);
    cr_assert_eq(lv_stream(NULL, "messages", NULL), -1);
    /* Configured but empty. */
    cr_assert_eq(lv_streams_configure(&v.a.streams, "messages", NULL, 0), 0);
    assert_json(join(&v), "{\"0\":{\"k\":{\"kc\":0}," BODY_S ",\"stream\":[\"0\",[],[]]}," ROOT_S "}");
    cr_assert_str_eq(diff(&v), "{}");
    view_free(&v);
}

Test(stream, append_prepend_limit_delete_reset_as_diffs)
{
    view v;
    view_init(&v, FEED);
    join(&v);
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":\"a\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-1\",-1,null,false]],[]]}}");
    insert(&v.a, 2, "b", LV_STREAM_PREPEND, 50);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"b\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-2\",0,50,false]],[]]}}");
    insert(&v.a, 3, "c", 1, -10);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-3\",\"1\":\"c\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-3\",1,-10,false]],[]]}}");
    cr_assert_eq(lv_streams_delete(&v.a.streams, "messages", "messages-1"), 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"kc\":0},\"stream\":[\"0\",[],[\"messages-1\"]]}}");
    lv_value two = msg(2, "ignored");
    cr_assert_eq(lv_streams_delete_item(&v.a.streams, "messages", &two), 0);
    lv_value_free(&two);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"kc\":0},\"stream\":[\"0\",[],[\"messages-2\"]]}}");
    cr_assert_eq(lv_streams_reset(&v.a.streams, "messages"), 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"kc\":0},\"stream\":[\"0\",[],[],true]}}");
    /* Reset, then new items: shown after the reset. */
    insert(&v.a, 9, "gone", LV_STREAM_APPEND, 0);
    cr_assert_eq(lv_streams_reset(&v.a.streams, "messages"), 0);
    insert(&v.a, 4, "d", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-4\",\"1\":\"d\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-4\",-1,null,false]],[],true]}}");
    cr_assert_str_eq(diff(&v), "{}");
    view_free(&v);
}

Test(stream, configured_prefix_and_default_limit)
{
    view v;
    view_init(&v, FEED);
    cr_assert_eq(lv_streams_configure(&v.a.streams, "messages", "msg", 20), 0);
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_string("abc", 3));
    lv_value_map_set(&m, "text", lv_value_string("x", 1));
    lv_value_map_set(&m, "dom_id", lv_value_string("mine", 4)); /* replaced */
    cr_assert_eq(lv_streams_insert(&v.a.streams, "messages", m, LV_STREAM_PREPEND, 0), 0);
    insert(&v.a, 7, "y", LV_STREAM_PREPEND, -3);
    join(&v);
    insert(&v.a, 5, "z", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"msg-5\",\"1\":\"z\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"msg-5\",-1,20,false]],[]]}}");
    view_free(&v);
}

Test(stream, two_streams_have_their_own_refs_and_slots)
{
    view v;
    view_init(&v, "<ul id=\"a\" phx-update=\"stream\">{{#stream messages as m}}<li id=\"{{m.dom_id}}\">{{m.text}}</li>"
                  "{{/stream}}</ul><p>{{title}}</p><ol id=\"b\" phx-update=\"stream\">{{#stream other as o}}"
                  "<li id=\"{{o.dom_id}}\">{{o.text}}</li>{{/stream}}</ol>");
    lv_assigns_put(&v.a, "title", lv_value_string("t", 1));
    cr_assert_eq(lv_streams_configure(&v.a.streams, "messages", NULL, 0), 0);
    join(&v);
    cr_assert_eq(lv_streams_insert(&v.a.streams, "other", msg(1, "o1"), LV_STREAM_APPEND, 0), 0);
    assert_json(diff(&v), "{\"2\":{\"k\":{\"0\":{\"0\":\"other-1\",\"1\":\"o1\"},\"kc\":1},"
                          "\"stream\":[\"1\",[[\"other-1\",-1,null,false]],[]]}}");
    lv_assigns_put(&v.a, "title", lv_value_string("u", 1));
    assert_json(diff(&v), "{\"1\":\"u\"}");
    view_free(&v);
}

/* An outside value the body reads changes: the items already sent are not
 * resent (the server no longer has them); new items use the new value. */
Test(stream, outside_values_do_not_resend_items)
{
    view v;
    view_init(&v, "<ul id=\"f\" phx-update=\"stream\">{{#stream messages as m}}<li id=\"{{m.dom_id}}\" "
                  "class=\"{{theme}}\">{{m.text}}</li>{{/stream}}</ul>");
    lv_assigns_put(&v.a, "theme", lv_value_string("light", 5));
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    join(&v);
    lv_assigns_put(&v.a, "theme", lv_value_string("dark", 4));
    cr_assert_str_eq(diff(&v), "{}");
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"dark\",\"2\":\"b\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-2\",-1,null,false]],[]]}}");
    view_free(&v);
}

/* Inside a conditional: a branch that stays sends only the new items; a
 * branch that appears sends the comprehension with its statics. */
Test(stream, inside_a_conditional)
{
    view v;
    view_init(&v, "{{#if show}}<ul id=\"f\" phx-update=\"stream\">{{#stream messages as m}}<li id=\"{{m.dom_id}}\">"
                  "{{m.text}}</li>{{/stream}}</ul>{{/if}}");
    lv_assigns_put(&v.a, "show", lv_value_bool(true));
    join(&v);
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":\"a\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-1\",-1,null,false]],[]]}}}");
    lv_assigns_put(&v.a, "show", lv_value_bool(false));
    cr_assert_str_eq(diff(&v), "{\"0\":\"\"}");
    lv_assigns_put(&v.a, "show", lv_value_bool(true));
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"b\"},\"kc\":1}," BODY_S ","
                          "\"stream\":[\"0\",[[\"messages-2\",-1,null,false]],[]]},"
                          "\"s\":[\"<ul id=\\\"f\\\" phx-update=\\\"stream\\\">\",\"</ul>\"]}}");
    view_free(&v);
}

/* Blocks nested in items share their statics through "p" like loops do. */
Test(stream, nested_blocks_share_statics)
{
    view v;
    view_init(&v, "<ul id=\"f\" phx-update=\"stream\">{{#stream messages as m}}<li id=\"{{m.dom_id}}\">"
                  "{{#if m.text}}<b>{{m.text}}</b>{{/if}}</li>{{/stream}}</ul>");
    join(&v);
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":{\"0\":\"a\",\"s\":0}},"
                          "\"1\":{\"0\":\"messages-2\",\"1\":{\"0\":\"b\",\"s\":0}},\"kc\":2},"
                          "\"p\":{\"0\":[\"<b>\",\"</b>\"]},"
                          "\"stream\":[\"0\",[[\"messages-1\",-1,null,false],[\"messages-2\",-1,null,false]],[]]}}");
    view_free(&v);
}

/* ---- Pending operations --------------------------------------------------------- */

Test(stream, same_dom_id_twice_before_a_render_the_last_counts)
{
    view v;
    view_init(&v, FEED);
    join(&v);
    insert(&v.a, 1, "a", LV_STREAM_PREPEND, 5);
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    insert(&v.a, 1, "a2", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"b\"},"
                          "\"1\":{\"0\":\"messages-1\",\"1\":\"a2\"},\"kc\":2},"
                          "\"stream\":[\"0\",[[\"messages-2\",-1,null,false],[\"messages-1\",-1,null,false]],[]]}}");
    view_free(&v);
}

Test(stream, delete_drops_a_pending_insert)
{
    view v;
    view_init(&v, FEED);
    join(&v);
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    cr_assert_eq(lv_streams_delete(&v.a.streams, "messages", "messages-1"), 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"b\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-2\",-1,null,false]],[\"messages-1\"]]}}");
    /* Delete, then insert again: the client removes the old element and
     * inserts the new one (it applies deletes first). */
    cr_assert_eq(lv_streams_delete(&v.a.streams, "messages", "messages-2"), 0);
    insert(&v.a, 2, "b2", LV_STREAM_PREPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-2\",\"1\":\"b2\"},\"kc\":1},"
                          "\"stream\":[\"0\",[[\"messages-2\",0,null,false]],[\"messages-2\"]]}}");
    view_free(&v);
}

Test(stream, pending_inserts_are_capped, .init = cr_redirect_stderr)
{
    view v;
    view_init(&v, FEED);
    join(&v);
    for (int i = 1; i <= LV_STREAM_MAX_PENDING + 500; i++) insert(&v.a, i, "x", LV_STREAM_PREPEND, 50);
    const lv_stream_rec *s = lv_streams_find(v.a.streams, "messages", 8);
    cr_assert_eq(s->count - s->head, LV_STREAM_MAX_PENDING);
    cr_assert_str_eq(s->inserts[s->head].dom_id, "messages-501", "the oldest were dropped");
    json_t *d = json_loads(diff(&v), 0, NULL);
    cr_assert_not_null(d);
    json_t *node = json_object_get(d, "0");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(node, "k"), "kc")), LV_STREAM_MAX_PENDING);
    cr_assert_eq(json_array_size(json_array_get(json_object_get(node, "stream"), 1)), LV_STREAM_MAX_PENDING);
    json_decref(d);
    for (int i = 1; i <= LV_STREAM_MAX_DELETES + 3; i++) {
        char id[32];
        snprintf(id, sizeof id, "messages-%d", i);
        cr_assert_eq(lv_streams_delete(&v.a.streams, "messages", id), 0);
    }
    cr_assert_eq(s->delete_count, LV_STREAM_MAX_DELETES);
    cr_assert_str_eq(s->deletes[0], "messages-4");
    view_free(&v);
}

Test(stream, invalid_operations_are_refused, .init = cr_redirect_stderr)
{
    lv_assigns a;
    lv_assigns_init(&a);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", msg(1, "x"), -2, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", msg(1, "x"), LV_STREAM_MAX_AT + 1, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", msg(1, "x"), 0, LV_STREAM_MAX_LIMIT + 1), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", msg(1, "x"), 0, -LV_STREAM_MAX_LIMIT - 1), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", lv_value_int(3), 0, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", lv_value_map(), 0, 0), -1);
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_string("", 0));
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", m, 0, 0), -1);
    m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_double(1.5));
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", m, 0, 0), -1);
    char long_id[LV_STREAM_MAX_DOM_ID + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_string(long_id, strlen(long_id)));
    cr_assert_eq(lv_streams_insert(&a.streams, "messages", m, 0, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "bad name", msg(1, "x"), 0, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, "1x", msg(1, "x"), 0, 0), -1);
    cr_assert_eq(lv_streams_insert(&a.streams, NULL, msg(1, "x"), 0, 0), -1);
    cr_assert_eq(lv_streams_delete(&a.streams, "messages", ""), -1);
    cr_assert_eq(lv_streams_delete(&a.streams, "messages", NULL), -1);
    cr_assert_eq(lv_streams_delete_item(&a.streams, "messages", NULL), -1);
    cr_assert_eq(lv_streams_configure(&a.streams, "messages", "", 0), -1);
    cr_assert_eq(lv_streams_configure(&a.streams, "messages", NULL, LV_STREAM_MAX_LIMIT + 1), -1);
    cr_assert_not(lv_assigns_any_changed(&a), "nothing refused is pending");
    /* A valid stream with an invalid item exists, empty. */
    cr_assert_not_null(lv_streams_find(a.streams, "messages", 8));
    for (int i = 1; i < LV_STREAM_MAX_STREAMS; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", i);
        cr_assert_eq(lv_streams_configure(&a.streams, name, NULL, 0), 0);
    }
    cr_assert_eq(lv_streams_configure(&a.streams, "one_more", NULL, 0), -1);
    lv_assigns_free(&a);
}

/* ---- Escaping ------------------------------------------------------------------- */

Test(stream, hostile_items_are_escaped)
{
    view v;
    view_init(&v, FEED);
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_string("\"><script>alert(1)</script>", 27));
    lv_value_map_set(&m, "text", lv_value_string("<img src=x onerror=alert(1)>", 28));
    cr_assert_eq(lv_streams_insert(&v.a.streams, "messages", m, LV_STREAM_APPEND, 0), 0);
    char *html = dead(&v);
    cr_assert_str_eq(html, "<ul id=\"feed\" phx-update=\"stream\"><li id=\"messages-&quot;&gt;&lt;script&gt;alert(1)"
                           "&lt;/script&gt;\">&lt;img src=x onerror=alert(1)&gt;</li></ul>");
    free(html);
    /* In the tree: escaped HTML for the attribute, the raw id (JSON-escaped)
     * for the client's getElementById. */
    assert_json(join(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\","
                          "\"1\":\"&lt;img src=x onerror=alert(1)&gt;\"},\"kc\":1}," BODY_S ","
                          "\"stream\":[\"0\",[[\"messages-\\\"><script>alert(1)</script>\",-1,null,false]],[]]},"
                          ROOT_S "}");
    view_free(&v);
}

/* A component's streams are named "<cid>-<n>", as Phoenix's: the client
 * resets a stream by removing every element of the page with its ref, so a
 * view's stream "0" and its component's first stream must differ. */
Test(stream, a_components_refs_carry_its_cid)
{
    view v;
    view_init(&v, FEED);
    v.a.stream_cid = 3;
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    assert_json(join(&v), "{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":\"a\"},\"kc\":1}," BODY_S ","
                          "\"stream\":[\"3-0\",[[\"messages-1\",-1,null,false]],[]]}," ROOT_S "}");
    cr_assert_eq(lv_streams_reset(&v.a.streams, "messages"), 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"kc\":0},\"stream\":[\"3-0\",[],[],true]}}");
    view_free(&v);
}

/* ---- Inside a loop ------------------------------------------------------------------ */

/* Phoenix's issue #3129: a stream in the rows of a comprehension. Each row
 * carries the stream's operations when it has some, and a render with
 * nothing new for it leaves the rows alone. */
Test(stream, inside_each_rows)
{
    view v;
    view_init(&v, "{{#each rows as r}}<div>" FEED "</div>{{/each}}");
    lv_value rows = lv_value_list();
    lv_value_list_push(&rows, lv_value_int(1));
    lv_assigns_put(&v.a, "rows", rows);
    cr_assert_eq(lv_streams_configure(&v.a.streams, "messages", NULL, 0), 0);
    assert_json(join(&v), "{\"0\":{\"k\":{\"0\":{\"0\":{\"k\":{\"kc\":0}," BODY_S ",\"stream\":[\"0\",[],[]]}},"
                          "\"kc\":1},\"s\":[\"<div><ul id=\\\"feed\\\" phx-update=\\\"stream\\\">\",\"</ul></div>\"]},"
                          "\"s\":[\"\",\"\"]}");
    cr_assert_str_eq(diff(&v), "{}");
    insert(&v.a, 1, "a", LV_STREAM_APPEND, 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":{\"k\":{\"0\":{\"0\":\"messages-1\",\"1\":\"a\"},\"kc\":1},"
                          BODY_S ",\"stream\":[\"0\",[[\"messages-1\",-1,null,false]],[]]}},\"kc\":1}}}");
    cr_assert_str_eq(diff(&v), "{}", "nothing new: the row is not sent again");
    cr_assert_eq(lv_streams_reset(&v.a.streams, "messages"), 0);
    assert_json(diff(&v), "{\"0\":{\"k\":{\"0\":{\"0\":{\"k\":{\"kc\":0}," BODY_S ",\"stream\":[\"0\",[],[],true]}},"
                          "\"kc\":1}}}");
    insert(&v.a, 2, "b", LV_STREAM_APPEND, 0);
    char *html = dead(&v);
    cr_assert_str_eq(html, "<div><ul id=\"feed\" phx-update=\"stream\"><li id=\"messages-2\">b</li></ul></div>");
    free(html);
    view_free(&v);
}

/* ---- Dead render ----------------------------------------------------------------- */

/* Every pending item at its position; the limits are the browser's to
 * apply when it joins (as Phoenix: its suite checks that the dead render of
 * a limited stream has every item). */
Test(stream, dead_render_shows_every_item_at_its_position)
{
    view v;
    view_init(&v, FEED);
    insert(&v.a, 1, "one", LV_STREAM_APPEND, 0);
    insert(&v.a, 2, "two", LV_STREAM_PREPEND, 0);
    insert(&v.a, 3, "three", 1, 0);
    insert(&v.a, 4, "four", LV_STREAM_PREPEND, 3);
    char *html = dead(&v);
    cr_assert_str_eq(html, "<ul id=\"feed\" phx-update=\"stream\"><li id=\"messages-4\">four</li>"
                           "<li id=\"messages-2\">two</li><li id=\"messages-3\">three</li>"
                           "<li id=\"messages-1\">one</li></ul>");
    free(html);
    insert(&v.a, 5, "five", LV_STREAM_APPEND, -2);
    html = dead(&v);
    cr_assert_str_eq(html, "<ul id=\"feed\" phx-update=\"stream\"><li id=\"messages-4\">four</li>"
                           "<li id=\"messages-2\">two</li><li id=\"messages-3\">three</li>"
                           "<li id=\"messages-1\">one</li><li id=\"messages-5\">five</li></ul>");
    free(html);
    view_free(&v);
}

/* ---- Memory ---------------------------------------------------------------------- */

Test(stream, the_server_keeps_nothing_per_item)
{
    view v;
    view_init(&v, FEED);
    join(&v);
    size_t bytes_after_first = 0;
    for (int i = 1; i <= 2000; i++) {
        insert(&v.a, i, "some text for the item", LV_STREAM_PREPEND, 50);
        const char *d = diff(&v);
        /* Each diff carries the one new item, never a resend. */
        char expected[200];
        snprintf(expected, sizeof expected, "\"kc\":1},\"stream\":[\"0\",[[\"messages-%d\",0,50,false]],[]]}}", i);
        cr_assert(strstr(d, expected), "step %d: %s", i, d);
        size_t bytes = lv_streams_bytes(v.a.streams) + lv_render_state_bytes(v.state);
        if (i == 1) bytes_after_first = bytes;
        cr_assert_eq(bytes, bytes_after_first, "step %d: %zu bytes held, %zu after the first", i, bytes,
                     bytes_after_first);
    }
    view_free(&v);
}

/* ---- Property: the client's page follows the operations --------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

static const char *const WORDS[] = {"a", "milk", "", "<script>alert(1)</script>", "\"><img src=x>", "&amp;", "caf\xc3\xa9"};

/* A container's children as the browser has them: DOM id and HTML. */
typedef struct child {
    char *id;
    char *html;
} child;

typedef struct container {
    child *items;
    size_t count;
} container;

static void container_clear(container *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->items[i].id);
        free(c->items[i].html);
    }
    free(c->items);
    c->items = NULL;
    c->count = 0;
}

static long container_find(const container *c, const char *id)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->items[i].id, id) == 0) return (long)i;
    return -1;
}

static void container_remove(container *c, size_t i)
{
    free(c->items[i].id);
    free(c->items[i].html);
    memmove(c->items + i, c->items + i + 1, (c->count - i - 1) * sizeof *c->items);
    c->count--;
}

/* dom_patch.ts addChild + maybeReOrderStream + maybeLimitStream for a new
 * element; an existing one is morphed in place. */
static void container_insert(container *c, const char *id, const char *html, json_int_t at, json_int_t limit,
                             bool has_limit)
{
    long existing = container_find(c, id);
    if (existing >= 0) {
        free(c->items[existing].html);
        c->items[existing].html = strdup(html);
        return;
    }
    size_t pos = at < 0 || (size_t)at > c->count ? c->count : (size_t)at;
    c->items = realloc(c->items, (c->count + 1) * sizeof *c->items);
    memmove(c->items + pos + 1, c->items + pos, (c->count - pos) * sizeof *c->items);
    c->items[pos] = (child){strdup(id), strdup(html)};
    c->count++;
    if (!has_limit) return;
    if (limit >= 0)
        while (c->count > (size_t)limit) container_remove(c, c->count - 1);
    else
        while (c->count > (size_t)-limit) container_remove(c, 0);
}

/* The id="..." of an item's HTML, unescaped (&quot; &amp; &lt; &gt; &#39;). */
static char *html_id(const char *html)
{
    const char *p = strstr(html, "id=\"");
    cr_assert_not_null(p, "an item without an id: %s", html);
    p += 4;
    lv_buf b = LV_BUF_INIT;
    while (*p && *p != '"') {
        static const char *const ents[][2] = {{"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"},
                                              {"&#39;", "'"}};
        bool matched = false;
        for (size_t k = 0; k < 5 && !matched; k++) {
            size_t n = strlen(ents[k][0]);
            if (strncmp(p, ents[k][0], n) == 0) {
                lv_buf_puts(&b, ents[k][1]);
                p += n;
                matched = true;
            }
        }
        if (!matched) lv_buf_putc(&b, *p++);
    }
    return lv_buf_take(&b);
}

/* DOMPatch's handling of the streams the mirror collected: resets, then
 * deletes, then the entries in order at their positions. One container
 * (ref "0") here. */
static void apply_streams(container *c, json_t *streams)
{
    size_t i;
    json_t *pair;
    json_array_foreach(streams, i, pair) {
        json_t *stream = json_array_get(pair, 0), *entries = json_array_get(pair, 1);
        cr_assert_str_eq(json_string_value(json_array_get(stream, 0)), "0");
        json_t *inserts = json_array_get(stream, 1);
        cr_assert_eq(json_array_size(inserts), json_array_size(entries), "one entry per insert");
        if (json_array_size(stream) > 3) {
            cr_assert(json_is_true(json_array_get(stream, 3)));
            container_clear(c);
        }
        size_t k;
        json_t *del;
        json_array_foreach(json_array_get(stream, 2), k, del) {
            long at = container_find(c, json_string_value(del));
            if (at >= 0) container_remove(c, (size_t)at);
        }
        json_t *entry;
        json_array_foreach(entries, k, entry) {
            json_t *ins = json_array_get(inserts, k);
            char *id = html_id(json_string_value(entry));
            cr_assert_str_eq(id, json_string_value(json_array_get(ins, 0)), "the element's id is the insert's");
            json_t *limit = json_array_get(ins, 2);
            cr_assert(json_is_false(json_array_get(ins, 3)));
            container_insert(c, id, json_string_value(entry), json_integer_value(json_array_get(ins, 1)),
                             json_integer_value(limit), !json_is_null(limit));
            free(id);
        }
    }
}

/* The page: the mirror's HTML with the container's children at the marker. */
static char *page_html(json_t *client, container *c)
{
    client_streams = json_array();
    char *html = client_html(client);
    apply_streams(c, client_streams);
    json_decref(client_streams);
    client_streams = NULL;
    cr_assert_not(client_failed, "%s", client_failure);
    lv_buf out = LV_BUF_INIT;
    const char *marker = strstr(html, "\x01" "0\x01");
    if (!marker) {
        /* No stream used yet: a plain empty comprehension. */
        cr_assert_eq(c->count, 0);
        return html;
    }
    lv_buf_append(&out, html, (size_t)(marker - html));
    for (size_t i = 0; i < c->count; i++) lv_buf_puts(&out, c->items[i].html);
    lv_buf_puts(&out, marker + 3);
    free(html);
    return lv_buf_take(&out);
}

/* The model: the list Phoenix's semantics give, as maps for {{#each}}. */
static void model_insert(lv_value *model, int64_t id, const char *text, int at, int limit)
{
    char dom_id[32];
    snprintf(dom_id, sizeof dom_id, "messages-%lld", (long long)id);
    size_t n = lv_value_list_len(model);
    for (size_t i = 0; i < n; i++) {
        lv_value *it = &model->as.list->items[i];
        if (strcmp(lv_value_map_get(it, "dom_id", 6)->as.s.ptr, dom_id) == 0) {
            lv_value_map_set(it, "text", lv_value_string(text, strlen(text)));
            return;
        }
    }
    lv_value m = msg(id, text);
    lv_value_map_set(&m, "dom_id", lv_value_string(dom_id, strlen(dom_id)));
    lv_value_list_push(model, m);
    size_t pos = at < 0 || (size_t)at > n ? n : (size_t)at;
    lv_value *items = model->as.list->items;
    lv_value last = items[n];
    memmove(items + pos + 1, items + pos, (n - pos) * sizeof *items);
    items[pos] = last;
    n++;
    size_t keep = limit > 0 ? (size_t)limit : limit < 0 ? (size_t)-limit : n;
    while (n > keep) {
        size_t drop = limit > 0 ? n - 1 : 0;
        lv_value_free(&items[drop]);
        memmove(items + drop, items + drop + 1, (n - drop - 1) * sizeof *items);
        model->as.list->count = (uint32_t)--n;
    }
}

static void model_delete(lv_value *model, size_t i)
{
    lv_value *items = model->as.list->items;
    size_t n = lv_value_list_len(model);
    lv_value_free(&items[i]);
    memmove(items + i, items + i + 1, (n - i - 1) * sizeof *items);
    model->as.list->count--;
}

static void run_stream_property(uint64_t seed, int steps)
{
    rng_state = seed;
    client_failed = false;
    view v;
    view_init(&v, "<h1>{{title}}</h1>" FEED);
    lv_tmpl *ref = compile("<h1>{{title}}</h1><ul id=\"feed\" phx-update=\"stream\">{{#each items as msg}}"
                           "<li id=\"{{msg.dom_id}}\">{{msg.text}}</li>{{/each}}</ul>");
    lv_assigns ra;
    lv_assigns_init(&ra);
    lv_value model = lv_value_list();
    int64_t next_id = 1;
    lv_assigns_put(&v.a, "title", lv_value_string("t", 1));

    /* Mount: a few items without limits (the dead render leaves limits to
     * the browser); the dead render is then the page the join builds. */
    for (int i = rnd(5); i > 0; i--) {
        const char *w = WORDS[rnd(7)];
        int at = (int)rnd(3) - 1, limit = 0;
        insert(&v.a, next_id, w, at, limit);
        model_insert(&model, next_id++, w, at, limit);
    }
    char *dead_html = dead(&v);
    json_t *client = json_loads(join(&v), 0, NULL);
    cr_assert_not_null(client);
    container dom = {0};
    char *page = page_html(client, &dom);
    cr_assert_str_eq(page, dead_html, "the join builds the dead render's page");
    free(page);
    free(dead_html);

    for (int step = 1; step <= steps; step++) {
        /* A batch between two renders (see docs/streams.md for why a batch
         * that deletes only prepends or appends without a limit: the client
         * applies a batch's deletes before its inserts). */
        uint32_t kind = rnd(10);
        lv_buf ops = LV_BUF_INIT;
        int64_t batch_first = next_id;
        int64_t used[4];
        int used_count = 0;
        if (kind == 0) {
            cr_assert_eq(lv_streams_reset(&v.a.streams, "messages"), 0);
            while (lv_value_list_len(&model)) model_delete(&model, 0);
        }
        if (kind == 1 && lv_value_list_len(&model)) {
            for (int k = (int)rnd(3) + 1; k > 0 && lv_value_list_len(&model); k--) {
                size_t i = rnd((uint32_t)lv_value_list_len(&model));
                const char *id = lv_value_map_get(&model.as.list->items[i], "dom_id", 6)->as.s.ptr;
                cr_assert_eq(lv_streams_delete(&v.a.streams, "messages", id), 0);
                model_delete(&model, i);
            }
        }
        int inserts = kind == 2 ? 0 : (int)rnd(4);
        for (int k = 0; k < inserts; k++) {
            const char *w = WORDS[rnd(7)];
            bool restrict_ops = kind == 1;
            int at = restrict_ops ? (int)rnd(2) - 1 : (int)rnd(5) - 1;
            int limit = restrict_ops || rnd(2) ? 0 : (int)rnd(12) - 6;
            /* Sometimes an update of an item the client may have: one
             * inserted before this batch, once per batch (a DOM id inserted
             * twice in a batch is sent once, with the last position and
             * limit, which a sequential model does not predict; the
             * byte-exact test above covers it). */
            int64_t id = !restrict_ops && rnd(4) == 0 && batch_first > 1 ? 1 + (int64_t)rnd((uint32_t)batch_first - 1)
                                                                       : next_id;
            for (int u = 0; u < used_count; u++)
                if (used[u] == id) id = next_id;
            if (id == next_id) next_id++;
            used[used_count++] = id;
            insert(&v.a, id, w, at, limit);
            model_insert(&model, id, w, at, limit);
            lv_buf_printf(&ops, "insert %lld at %d limit %d; ", (long long)id, at, limit);
        }
        if (kind == 2) {
            const char *w = WORDS[rnd(7)];
            lv_assigns_put(&v.a, "title", lv_value_string(w, strlen(w)));
        }

        json_t *d = json_loads(diff(&v), 0, NULL);
        cr_assert_not_null(d);
        client = client_merge(client, d);
        json_decref(d);
        page = page_html(client, &dom);

        lv_assigns_put(&ra, "title", lv_value_clone(lv_assigns_get(&v.a, "title")));
        lv_assigns_put(&ra, "items", lv_value_clone(&model));
        lv_buf expected = LV_BUF_INIT;
        lv_render_html(ref, &ra, &expected);
        cr_assert_str_eq(page, expected.data, "seed %llu step %d kind %u (%s): %s\n%s", (unsigned long long)seed, step,
                         kind, ops.data ? ops.data : "", page, expected.data);
        lv_buf_free(&ops);
        lv_buf_free(&expected);
        free(page);
        cr_assert_lt(lv_streams_bytes(v.a.streams), 1024, "nothing held per item");
    }
    container_clear(&dom);
    json_decref(client);
    lv_value_free(&model);
    lv_assigns_free(&ra);
    lv_tmpl_free(ref);
    view_free(&v);
}

Test(stream, property_client_page_follows_the_operations)
{
    run_stream_property(0x5eed1, 3000);
    run_stream_property(0xfeed2, 3000);
    run_stream_property(42, 3000);
}
