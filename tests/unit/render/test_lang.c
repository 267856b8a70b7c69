/* The template language end to end: dead render, full tree and diffs,
 * byte-exact. The cases follow LiveViewJS's htmlSafeString and diff tests
 * (htmlSafeString.test.ts, diff.test.ts), in the 1.2 wire format: keyed comprehensions
 * ("k"/"kc"), shared statics ("p") and no "d". Every full tree is also
 * merged by the client mirror, which must build the dead render's HTML. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <string.h>

#include "client_merge.h"
#include "render/registry.h"
#include "render/render.h"
#include "support/log_capture.h"

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
    lv_tmpl *t = lv_tmpl_compile("lang", text, strlen(text), &err);
    cr_assert_not_null(t, "compile failed: %s", err.message);
    return t;
}

static lv_value str(const char *s)
{
    return lv_value_string(s, strlen(s));
}

static lv_value strs(int n, const char *const *items)
{
    lv_value l = lv_value_list();
    for (int i = 0; i < n; i++) lv_value_list_push(&l, str(items[i]));
    return l;
}
#define LIST(...) strs(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *), (const char *[]){__VA_ARGS__})

static void assert_html(const lv_tmpl *t, const lv_assigns *a, const char *expected)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_html(t, a, &b);
    cr_assert_str_eq(b.data ? b.data : "", expected);
    lv_buf_free(&b);
}

/* The full tree, byte-exact, and the client builds the dead render from it. */
static void assert_full(const lv_tmpl *t, const lv_assigns *a, const char *readable)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_full(t, a, &b);
    char *expected = J(readable);
    cr_assert_str_eq(b.data, expected);
    free(expected);
    json_t *tree = json_loadb(b.data, b.len, 0, NULL);
    cr_assert_not_null(tree);
    client_failed = false;
    char *client = client_html(tree);
    cr_assert_not(client_failed, "%s", client_failure);
    lv_buf html = LV_BUF_INIT;
    lv_render_html(t, a, &html);
    cr_assert_str_eq(client, html.data ? html.data : "", "the client's HTML equals the dead render");
    free(client);
    json_decref(tree);
    lv_buf_free(&html);
    lv_buf_free(&b);
}

typedef struct session {
    lv_tmpl *t;
    lv_assigns a;
    lv_render_state *state;
    json_t *client;
} session;

static void join(session *s, const char *text)
{
    s->t = compile(text);
    lv_buf b = LV_BUF_INIT;
    lv_render_full_state(s->t, &s->a, &s->state, NULL, &b);
    lv_assigns_clear_changed(&s->a);
    s->client = json_loadb(b.data, b.len, 0, NULL);
    lv_buf_free(&b);
}

/* The next diff, byte-exact; merged by the client, it shows the dead render. */
static void assert_diff(session *s, const char *readable)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_diff_state(s->t, &s->a, &s->state, NULL, &b);
    lv_assigns_clear_changed(&s->a);
    char *expected = J(readable);
    cr_assert_str_eq(b.data, expected);
    free(expected);
    json_t *diff = json_loadb(b.data, b.len, 0, NULL);
    client_failed = false;
    s->client = client_merge(s->client, diff);
    json_decref(diff);
    char *client = client_html(s->client);
    cr_assert_not(client_failed, "%s", client_failure);
    lv_buf html = LV_BUF_INIT;
    lv_render_html(s->t, &s->a, &html);
    cr_assert_str_eq(client, html.data ? html.data : "");
    free(client);
    lv_buf_free(&html);
    lv_buf_free(&b);
}

static void end(session *s)
{
    json_decref(s->client);
    lv_render_state_free(s->state);
    lv_assigns_free(&s->a);
    lv_tmpl_free(s->t);
}

/* ---- htmlSafeString checklist ---- */

Test(lang, interleaves_statics_and_dynamics)
{
    lv_tmpl *t = compile("a{{one}}b{{two}}c");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "one", lv_value_int(1));
    lv_assigns_put(&a, "two", lv_value_int(2));
    assert_html(t, &a, "a1b2c");
    assert_full(t, &a, "{\"0\":\"1\",\"1\":\"2\",\"s\":[\"a\",\"b\",\"c\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, nested_block_is_a_nested_node)
{
    lv_tmpl *t = compile("{{#if on}}<a>{{x}}{{y}}{{z}}</a>{{/if}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "on", lv_value_bool(true));
    lv_assigns_put(&a, "x", lv_value_int(1));
    lv_assigns_put(&a, "y", lv_value_int(2));
    lv_assigns_put(&a, "z", lv_value_int(3));
    assert_full(t, &a, "{\"0\":{\"0\":\"1\",\"1\":\"2\",\"2\":\"3\",\"s\":[\"<a>\",\"\",\"\",\"</a>\"]},\"s\":[\"\",\"\"]}");
    lv_assigns_put(&a, "on", lv_value_bool(false));
    assert_html(t, &a, "");
    assert_full(t, &a, "{\"0\":\"\",\"s\":[\"\",\"\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, literal_only_and_if_else)
{
    lv_tmpl *t = compile("abc");
    lv_assigns a;
    lv_assigns_init(&a);
    assert_full(t, &a, "{\"s\":[\"abc\"]}");
    lv_tmpl_free(t);
    t = compile("before{{#if show}}show{{/if}}after");
    lv_assigns_put(&a, "show", lv_value_bool(true));
    assert_html(t, &a, "beforeshowafter");
    lv_assigns_put(&a, "show", lv_value_bool(false));
    assert_html(t, &a, "beforeafter");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, list_of_strings_joins_without_separator_and_escapes_each)
{
    lv_tmpl *t = compile("{{letters}}|{{{letters}}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "letters", LIST("a", "b", "c"));
    assert_html(t, &a, "abc|abc");
    /* LiveViewJS sent a raw string array unescaped over the socket. */
    lv_assigns_put(&a, "letters", LIST("<b>", "x"));
    assert_html(t, &a, "&lt;b&gt;x|<b>x");
    assert_full(t, &a, "{\"0\":\"&lt;b&gt;x\",\"1\":\"<b>x\",\"s\":[\"\",\"|\",\"\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, loop_is_a_keyed_comprehension)
{
    lv_tmpl *t = compile("1{{#each items as item}}{{item}}{{/each}}2");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "items", LIST("a", "b", "c"));
    assert_html(t, &a, "1abc2");
    assert_full(t, &a,
                "{\"0\":{\"k\":{\"0\":{\"0\":\"a\"},\"1\":{\"0\":\"b\"},\"2\":{\"0\":\"c\"},\"kc\":3},"
                "\"s\":[\"\",\"\"]},\"s\":[\"1\",\"2\"]}");
    lv_assigns_put(&a, "items", lv_value_list());
    assert_full(t, &a, "{\"0\":{\"k\":{\"kc\":0},\"s\":[\"\",\"\"]},\"s\":[\"1\",\"2\"]}");
    lv_assigns_put(&a, "items", lv_value_int(3)); /* not a list: no rows */
    assert_html(t, &a, "12");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

static lv_value store(const char *name, const char *street, bool open)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "name", str(name));
    lv_value_map_set(&m, "street", str(street));
    lv_value_map_set(&m, "open", lv_value_bool(open));
    return m;
}

Test(lang, rows_with_nested_blocks_share_statics_through_p)
{
    lv_tmpl *t = compile("<ul>{{#each stores as s}}<li>{{s.name}}{{#if s.open}}<b>open</b>{{else}}<i>closed</i>{{/if}}"
                         "<small>{{s.street}}</small></li>{{/each}}</ul>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_value list = lv_value_list();
    lv_value_list_push(&list, store("<script>alert(1)</script>", "\"><span>", true));
    lv_value_list_push(&list, store("Bob's", "Main St", false));
    lv_value_list_push(&list, store("Cy", "Elm", true));
    lv_assigns_put(&a, "stores", list);
    assert_html(t, &a,
                "<ul><li>&lt;script&gt;alert(1)&lt;/script&gt;<b>open</b><small>&quot;&gt;&lt;span&gt;</small></li>"
                "<li>Bob&#39;s<i>closed</i><small>Main St</small></li>"
                "<li>Cy<b>open</b><small>Elm</small></li></ul>");
    assert_full(t, &a,
                "{\"0\":{\"k\":{"
                "\"0\":{\"0\":\"&lt;script&gt;alert(1)&lt;/script&gt;\",\"1\":{\"s\":0},\"2\":\"&quot;&gt;&lt;span&gt;\"},"
                "\"1\":{\"0\":\"Bob&#39;s\",\"1\":{\"s\":[\"<i>closed</i>\"]},\"2\":\"Main St\"},"
                "\"2\":{\"0\":\"Cy\",\"1\":{\"s\":0},\"2\":\"Elm\"},\"kc\":3},"
                "\"s\":[\"<li>\",\"\",\"<small>\",\"</small></li>\"],"
                "\"p\":{\"0\":[\"<b>open</b>\"]}}," /* used twice: shared; used once: inline */
                "\"s\":[\"<ul>\",\"</ul>\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, nested_loops_share_one_p)
{
    lv_tmpl *t = compile("{{#each rows as r}}<tr>{{#each r as c}}<td>{{c}}</td>{{/each}}</tr>{{/each}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_value rows = lv_value_list();
    lv_value_list_push(&rows, LIST("a", "b"));
    lv_value_list_push(&rows, LIST("c"));
    lv_assigns_put(&a, "rows", rows);
    assert_full(t, &a,
                "{\"0\":{\"k\":{"
                "\"0\":{\"0\":{\"k\":{\"0\":{\"0\":\"a\"},\"1\":{\"0\":\"b\"},\"kc\":2},\"s\":0}},"
                "\"1\":{\"0\":{\"k\":{\"0\":{\"0\":\"c\"},\"kc\":1},\"s\":0}},\"kc\":2},"
                "\"s\":[\"<tr>\",\"</tr>\"],\"p\":{\"0\":[\"<td>\",\"</td>\"]}},\"s\":[\"\",\"\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, index_and_dotted_access)
{
    lv_tmpl *t = compile("{{#each xs as x, i}}{{i}}={{x.v}};{{/each}}{{xs.1.v}}{{xs.9.v}}{{user.name.first}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_value xs = lv_value_list();
    for (int i = 0; i < 2; i++) {
        lv_value m = lv_value_map();
        lv_value_map_set(&m, "v", lv_value_int(10 + i));
        lv_value_list_push(&xs, m);
    }
    lv_assigns_put(&a, "xs", xs);
    lv_value user = lv_value_map();
    lv_value name = lv_value_map();
    lv_value_map_set(&name, "first", str("Ada"));
    lv_value_map_set(&user, "name", name);
    lv_assigns_put(&a, "user", user);
    assert_html(t, &a, "0=10;1=11;11Ada");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, boolean_attributes_and_attribute_maps)
{
    lv_tmpl *t = compile("<input type=\"checkbox\" checked={{done}}><div {{attrs}}></div>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "done", lv_value_bool(true));
    lv_value attrs = lv_value_map();
    lv_value_map_set(&attrs, "id", str("x\"y"));
    lv_value_map_set(&attrs, "hidden", lv_value_bool(true));
    lv_value_map_set(&attrs, "draggable", lv_value_bool(false));
    lv_value_map_set(&attrs, "title", lv_value_null());
    lv_value_map_set(&attrs, "bad\" onclick=\"alert(1)", lv_value_int(1));
    lv_value_map_set(&attrs, "data-n", lv_value_int(3));
    lv_assigns_put(&a, "attrs", attrs);
    assert_html(t, &a, "<input type=\"checkbox\" checked><div id=\"x&quot;y\" hidden data-n=\"3\"></div>");
    assert_full(t, &a,
                "{\"0\":\"checked\",\"1\":\"id=\\\"x&quot;y\\\" hidden data-n=\\\"3\\\"\","
                "\"s\":[\"<input type=\\\"checkbox\\\" \",\"><div \",\"></div>\"]}");
    lv_assigns_put(&a, "done", lv_value_bool(false));
    assert_html(t, &a, "<input type=\"checkbox\" ><div id=\"x&quot;y\" hidden data-n=\"3\"></div>");
    lv_assigns_put(&a, "done", str("' onmouseover='x"));
    assert_html(t, &a, "<input type=\"checkbox\" checked=\"&#39; onmouseover=&#39;x\"><div id=\"x&quot;y\" hidden data-n=\"3\"></div>");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, raw_forms)
{
    lv_tmpl *t = compile("{{html}}|{{{html}}}|{{safe}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "html", str("<b>x</b>"));
    lv_assigns_put(&a, "safe", lv_value_safe("<i>y</i>", 8));
    assert_html(t, &a, "&lt;b&gt;x&lt;/b&gt;|<b>x</b>|<i>y</i>");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, truthiness)
{
    lv_tmpl *t = compile("{{#if v}}T{{else}}F{{/if}}{{#unless v}}u{{/unless}}");
    lv_assigns a;
    lv_assigns_init(&a);
    struct {
        lv_value v;
        const char *html;
    } cases[] = {
        {lv_value_null(), "Fu"},       {lv_value_bool(false), "Fu"}, {lv_value_bool(true), "T"},
        {lv_value_int(0), "Fu"},       {lv_value_int(-1), "T"},      {lv_value_double(0.0), "Fu"},
        {lv_value_double(0.5), "T"},   {str(""), "Fu"},              {str("0"), "T"},
        {lv_value_list(), "Fu"},       {LIST("x"), "T"},             {lv_value_map(), "Fu"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lv_assigns_put(&a, "v", cases[i].v);
        assert_html(t, &a, cases[i].html);
    }
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

/* ---- Helpers ---- */

static int shout(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *v = lv_helper_arg(call, 0);
    if (!v || v->kind != LV_VALUE_STRING) return -1;
    lv_helper_html(call, "<em>", 4);
    lv_helper_text(call, v->as.s.ptr, v->as.s.len);
    const lv_value *mark = lv_helper_named(call, "mark");
    lv_helper_value(call, mark);
    lv_helper_html(call, "</em>", 5);
    return 0;
}

Test(lang, builtin_and_registered_helpers, .init = lv_test_log_capture)
{
    cr_assert_eq(lv_helper_register("shout", shout, NULL), 0);
    cr_assert_eq(lv_helper_register("bad name", shout, NULL), -1);
    lv_tmpl *t = compile("{{pluralize n \"item\"}}, {{pluralize n \"child\" \"children\"}}; {{format_number big}} "
                         "{{format_number price}} {{format_number big sep=\".\"}} {{format_number price decimals=0}}; "
                         "{{#if (eq kind \"a\")}}A{{/if}}{{#if (not kind)}}none{{/if}} {{length xs}} "
                         "{{shout word mark=\"!\"}}{{shout 3}}.");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "n", lv_value_int(1));
    lv_assigns_put(&a, "big", lv_value_int(-1234567));
    lv_assigns_put(&a, "price", lv_value_double(1234.56));
    lv_assigns_put(&a, "kind", str("a"));
    lv_assigns_put(&a, "xs", LIST("p", "q"));
    lv_assigns_put(&a, "word", str("<hi>"));
    assert_html(t, &a,
                "1 item, 1 child; -1,234,567 1,234.56 -1.234.567 1,235; A 2 <em>&lt;hi&gt;!</em>.");
    lv_assigns_put(&a, "n", lv_value_int(3));
    lv_assigns_put(&a, "kind", str(""));
    assert_html(t, &a,
                "3 items, 3 children; -1,234,567 1,234.56 -1.234.567 1,235; none 2 <em>&lt;hi&gt;!</em>.");
    cr_assert_str_eq(lv_test_log, "template lang line 1: helper \"shout\" failed\n",
                            "a failing helper renders nothing and is reported once");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

static int answer(lv_helper_call *call, void *user)
{
    (void)user;
    lv_value *v = lv_value_new_int(lv_helper_argc(call) == 0 ? 42 : -1);
    lv_helper_return(call, v);
    return 0;
}

Test(lang, helper_without_arguments_and_nested_calls)
{
    lv_helper_register("answer", answer, NULL);
    lv_tmpl *t = compile("{{(answer)}} {{format_number (answer)}} {{#if (eq (answer) 42)}}yes{{/if}}");
    lv_assigns a;
    lv_assigns_init(&a);
    assert_html(t, &a, "42 42 yes");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

/* ---- Components ---- */

static void card_html(void *user, const lv_component_call *call, lv_buf *out)
{
    (void)user;
    lv_buf_printf(out, "<div id=\"%s\">", call->name);
    for (uint32_t i = 0; i < call->arg_count; i++) {
        lv_buf_printf(out, "%s=", call->keys[i]);
        lv_value_to_text(call->values[i], out);
    }
    lv_buf_puts(out, "</div>");
}

static int64_t card_cid(void *user, const lv_component_call *call)
{
    (void)call;
    return *(int64_t *)user;
}

Test(lang, component_slot_calls_the_hook)
{
    lv_tmpl *t = compile("<p>{{component \"card\" n=count}}</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(7));
    assert_html(t, &a, "<p></p>");
    assert_full(t, &a, "{\"0\":\"\",\"s\":[\"<p>\",\"</p>\"]}");
    int64_t cid = 4;
    lv_component_hooks hooks = {card_html, card_cid, &cid};
    lv_buf b = LV_BUF_INIT;
    lv_render_html_ex(t, &a, &hooks, &b);
    cr_assert_str_eq(b.data, "<p><div id=\"card\">n=7</div></p>");
    lv_buf_reset(&b);
    lv_render_state *st = NULL;
    lv_render_full_state(t, &a, &st, &hooks, &b);
    char *expected = J("{\"0\":4,\"s\":[\"<p>\",\"</p>\"]}");
    cr_assert_str_eq(b.data, expected, "the slot holds the cid, a JSON number");
    free(expected);
    lv_buf_free(&b);
    lv_render_state_free(st);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

/* A nested view's hook: its container, whichever render asks. */
static void child_html(void *user, const lv_component_call *call, lv_buf *out)
{
    (void)user;
    lv_buf_printf(out, "<div id=\"%s\"%s></div>", lv_value_str_of(call->values[0]),
                  call->live_view ? " data-phx-session=\"t\"" : "");
}

static int64_t never_cid(void *user, const lv_component_call *call)
{
    (void)user;
    (void)call;
    cr_assert_fail("a live_render slot is not a component's cid");
    return -1;
}

Test(lang, live_render_slot_is_the_childs_container_in_both_renders)
{
    lv_tmpl *t = compile("<p>{{live_render \"clock\" id=\"clock\" sticky=true}}</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    assert_html(t, &a, "<p></p>");
    lv_component_hooks hooks = {child_html, never_cid, NULL};
    lv_buf b = LV_BUF_INIT;
    lv_render_html_ex(t, &a, &hooks, &b);
    cr_assert_str_eq(b.data, "<p><div id=\"clock\" data-phx-session=\"t\"></div></p>");
    lv_buf_reset(&b);
    lv_render_state *st = NULL;
    lv_render_full_state(t, &a, &st, &hooks, &b);
    char *expected = J("{\"0\":\"<div id=\\\"clock\\\" data-phx-session=\\\"t\\\"></div>\",\"s\":[\"<p>\",\"</p>\"]}");
    cr_assert_str_eq(b.data, expected, "the slot holds the container as HTML");
    free(expected);
    lv_buf_reset(&b);
    cr_assert_not(lv_render_diff_state(t, &a, &st, &hooks, &b), "constant arguments: never re-sent");
    lv_buf_free(&b);
    lv_render_state_free(st);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(lang, live_render_syntax_errors)
{
    const char *bad[] = {"{{live_render}}", "{{live_render clock}}", "{{live_render \"clock\" 5}}",
                         "<div {{live_render \"clock\" id=\"c\"}}></div>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lv_tmpl_error err = {0};
        lv_tmpl *t = lv_tmpl_compile("lang", bad[i], strlen(bad[i]), &err);
        cr_expect_null(t, "%s compiled", bad[i]);
        cr_expect(strstr(err.message, "live_render"), "%s: %s", bad[i], err.message);
        lv_tmpl_free(t);
    }
}

/* ---- Diffs (diff.test.ts checklist) ---- */

Test(diff, identical_and_changed_dynamics)
{
    session s = {0};
    lv_assigns_init(&s.a);
    lv_assigns_put(&s.a, "x", str("x"));
    lv_assigns_put(&s.a, "y", str("y"));
    join(&s, "<div>{{x}}{{y}}</div>");
    assert_diff(&s, "{}");
    lv_assigns_put(&s.a, "y", str("y"));
    assert_diff(&s, "{}");
    lv_assigns_put(&s.a, "y", str("z"));
    assert_diff(&s, "{\"1\":\"z\"}");
    lv_assigns_put(&s.a, "x", str(""));
    assert_diff(&s, "{\"0\":\"\"}");
    end(&s);
}

Test(diff, comprehension_grows_shrinks_and_empties)
{
    session s = {0};
    lv_assigns_init(&s.a);
    lv_assigns_put(&s.a, "items", LIST("foo", "foo"));
    join(&s, "{{#each items as i}}<b>{{i}}</b>{{/each}}");
    lv_assigns_put(&s.a, "items", LIST("foo", "foo", "foo"));
    assert_diff(&s, "{\"0\":{\"k\":{\"2\":0,\"kc\":3,\"km\":true}}}");
    lv_assigns_put(&s.a, "items", LIST("foo", "bar", "foo", "baz"));
    assert_diff(&s, "{\"0\":{\"k\":{\"1\":{\"0\":\"bar\"},\"3\":{\"0\":\"baz\"},\"kc\":4}}}");
    lv_assigns_put(&s.a, "items", LIST("foo", "foo", "baz"));
    assert_diff(&s, "{\"0\":{\"k\":{\"1\":0,\"2\":3,\"kc\":3,\"km\":true}}}");
    lv_assigns_put(&s.a, "items", lv_value_list());
    assert_diff(&s, "{\"0\":{\"k\":{\"kc\":0}}}");
    lv_assigns_put(&s.a, "items", LIST("<new>"));
    assert_diff(&s, "{\"0\":{\"k\":{\"0\":{\"0\":\"&lt;new&gt;\"},\"kc\":1}}}");
    end(&s);
}

Test(diff, one_changed_row_sends_that_row_only)
{
    session s = {0};
    lv_assigns_init(&s.a);
    lv_value l = lv_value_list();
    const char *names[] = {"s0", "s1", "s2", "s3", "s4"};
    for (int i = 0; i < 5; i++) lv_value_list_push(&l, store(names[i], "st", i % 2));
    lv_assigns_put(&s.a, "stores", l);
    lv_assigns_put(&s.a, "title", str("T"));
    join(&s, "<h1>{{title}}</h1>{{#each stores as s}}<li>{{s.name}}{{#if s.open}}<b>open</b>{{/if}}</li>{{/each}}");
    lv_value next = lv_value_clone(lv_assigns_get(&s.a, "stores"));
    lv_value_map_set(&next.as.list->items[2], "open", lv_value_bool(true));
    lv_assigns_put(&s.a, "stores", next);
    /* One use of the nested block's statics: inline, cheaper than "p". */
    assert_diff(&s, "{\"1\":{\"k\":{\"2\":{\"0\":\"s2\",\"1\":{\"s\":[\"<b>open</b>\"]}},\"kc\":5}}}");
    lv_assigns_put(&s.a, "title", str("U"));
    assert_diff(&s, "{\"0\":\"U\"}");
    end(&s);
}

Test(diff, conditionals_switch_and_stay)
{
    session s = {0};
    lv_assigns_init(&s.a);
    lv_assigns_put(&s.a, "mode", lv_value_int(1));
    lv_assigns_put(&s.a, "q", str("q"));
    lv_assigns_put(&s.a, "r", str("r"));
    join(&s, "{{#if (eq mode 1)}}<i>{{q}}</i>{{else if (eq mode 2)}}<u>{{q}}</u>{{else if (eq mode 3)}}<i>{{r}}</i>"
             "{{else}}{{r}}{{/if}}");
    lv_assigns_put(&s.a, "q", str("q2"));
    assert_diff(&s, "{\"0\":{\"0\":\"q2\"}}"); /* same branch: its slot only */
    lv_assigns_put(&s.a, "mode", lv_value_int(2));
    assert_diff(&s, "{\"0\":{\"0\":\"q2\",\"s\":[\"<u>\",\"</u>\"]}}"); /* other statics: sent */
    lv_assigns_put(&s.a, "mode", lv_value_int(1));
    assert_diff(&s, "{\"0\":{\"0\":\"q2\",\"s\":[\"<i>\",\"</i>\"]}}");
    lv_assigns_put(&s.a, "mode", lv_value_int(3));
    assert_diff(&s, "{\"0\":{\"0\":\"r\"}}"); /* same fingerprint: no statics */
    lv_assigns_put(&s.a, "mode", lv_value_int(4));
    assert_diff(&s, "{\"0\":{\"0\":\"r\",\"s\":[\"\",\"\"]}}");
    lv_assigns_put(&s.a, "q", str("unseen"));
    assert_diff(&s, "{}"); /* a change in a branch not shown sends nothing */
    end(&s);
}

Test(diff, xss_in_rows_and_attributes_is_escaped_in_diffs)
{
    session s = {0};
    lv_assigns_init(&s.a);
    lv_assigns_put(&s.a, "items", LIST("a"));
    lv_assigns_put(&s.a, "cls", str("c"));
    join(&s, "{{#each items as i}}<li title=\"{{i}}\" class='{{cls}}'>{{i}}</li>{{/each}}");
    lv_assigns_put(&s.a, "items", LIST("a", "\"><img src=x onerror=alert(1)>"));
    assert_diff(&s, "{\"0\":{\"k\":{\"1\":{\"0\":\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\",\"1\":\"c\","
                    "\"2\":\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"},\"kc\":2}}}");
    lv_assigns_put(&s.a, "cls", str("' onmouseover='alert(1)"));
    assert_diff(&s, "{\"0\":{\"k\":{\"0\":{\"0\":\"a\",\"1\":\"&#39; onmouseover=&#39;alert(1)\",\"2\":\"a\"},"
                    "\"1\":{\"0\":\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\",\"1\":\"&#39; onmouseover=&#39;alert(1)\","
                    "\"2\":\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"},\"kc\":2}}}");
    end(&s);
}

Test(diff, stateless_diff_resends_changed_blocks_whole)
{
    lv_tmpl *t = compile("{{#each items as i}}{{i}}{{/each}}{{#if on}}<b>{{x}}</b>{{/if}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "items", LIST("a"));
    lv_assigns_put(&a, "on", lv_value_bool(true));
    lv_assigns_put(&a, "x", str("x"));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "items", LIST("a", "b"));
    lv_assigns_put(&a, "x", str("y"));
    lv_buf b = LV_BUF_INIT;
    cr_assert(lv_render_diff(t, &a, &b));
    char *expected = J("{\"0\":{\"k\":{\"0\":{\"0\":\"a\"},\"1\":{\"0\":\"b\"},\"kc\":2},\"s\":[\"\",\"\"]},"
                       "\"1\":{\"0\":\"y\",\"s\":[\"<b>\",\"</b>\"]}}");
    cr_assert_str_eq(b.data, expected);
    free(expected);
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(diff, state_is_kept_small)
{
    lv_tmpl *t = compile("<h1>{{count}}</h1>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(0));
    lv_render_state *st = NULL;
    lv_buf b = LV_BUF_INIT;
    lv_render_full_state(t, &a, &st, NULL, &b);
    cr_assert_null(st, "a template without blocks keeps no state");
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "count", lv_value_int(1));
    lv_buf_reset(&b);
    cr_assert(lv_render_diff_state(t, &a, &st, NULL, &b));
    cr_assert_str_eq(b.data, "{\"0\":\"1\"}");
    cr_assert_null(st);
    lv_tmpl_free(t);

    /* 100 rows: one 64-bit hash each, not the rendered rows. */
    t = compile("{{#each xs as x}}<li>{{x}} and some static text</li>{{/each}}");
    lv_value xs = lv_value_list();
    for (int i = 0; i < 100; i++) lv_value_list_push(&xs, lv_value_int(i));
    lv_assigns_put(&a, "xs", xs);
    lv_buf_reset(&b);
    lv_render_full_state(t, &a, &st, NULL, &b);
    cr_assert_leq(lv_render_state_bytes(st), 100 * 8 + 64);
    lv_render_state_free(st);
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(diff, a_state_for_another_template_gets_the_whole_tree)
{
    lv_tmpl *t1 = compile("{{#if a}}<b>{{x}}</b>{{/if}}");
    lv_tmpl *t2 = compile("{{#if a}}<i>{{x}}</i>{{/if}}!");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "a", lv_value_bool(true));
    lv_assigns_put(&a, "x", str("x"));
    lv_render_state *st = NULL;
    lv_buf b = LV_BUF_INIT;
    lv_render_full_state(t1, &a, &st, NULL, &b);
    lv_assigns_clear_changed(&a);
    lv_buf_reset(&b);
    cr_assert(lv_render_diff_state(t2, &a, &st, NULL, &b), "nothing changed, but the template did");
    char *expected = J("{\"0\":{\"0\":\"x\",\"s\":[\"<i>\",\"</i>\"]},\"s\":[\"\",\"!\"]}");
    cr_assert_str_eq(b.data, expected);
    free(expected);
    free(lv_buf_take(&b));
    lv_render_state_free(st);
    lv_assigns_free(&a);
    lv_tmpl_free(t1);
    lv_tmpl_free(t2);
}

Test(lang, missing_assign_reported_once_with_template_and_line, .init = lv_test_log_capture)
{
    lv_tmpl *t = compile("<p>\n{{present}}{{#if absent}}x{{/if}}\n{{user.name}}</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "present", lv_value_int(1));
    lv_value user = lv_value_map();
    lv_assigns_put(&a, "user", user); /* a missing key inside a map is not reported */
    assert_html(t, &a, "<p>\n1\n</p>");
    assert_html(t, &a, "<p>\n1\n</p>");
    cr_assert_str_eq(lv_test_log, "template lang line 2: assign \"absent\" is not set\n");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}
