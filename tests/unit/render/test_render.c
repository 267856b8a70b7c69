/* Rendering: the dead-render HTML, the join reply's full tree and the diffs
 * after events, byte-exact as the client receives them. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "support/log_capture.h"

#define COUNTER_TEMPLATE "<h1 id=\"count\">{{count}}</h1><button phx-click=\"inc\">+</button>"
/* The statics as JSON: the writer escapes < and > as \u003c and \u003e. */
#define COUNTER_STATICS_JSON                                                                                 \
    "[\"\\u003ch1 id=\\\"count\\\"\\u003e\","                                                                \
    "\"\\u003c/h1\\u003e\\u003cbutton phx-click=\\\"inc\\\"\\u003e+\\u003c/button\\u003e\"]"

static lv_tmpl *compile(const char *text)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("test", text, strlen(text), &err);
    cr_assert_not_null(t, "compile failed: %s", err.message);
    return t;
}

typedef enum render_form { FORM_HTML, FORM_FULL, FORM_DIFF } render_form;

/* Renders into a fresh string the caller frees. */
static char *render(const lv_tmpl *t, const lv_assigns *a, render_form form)
{
    lv_buf b = LV_BUF_INIT;
    switch (form) {
    case FORM_HTML: lv_render_html(t, a, &b); break;
    case FORM_FULL: lv_render_full(t, a, &b); break;
    case FORM_DIFF: lv_render_diff(t, a, &b); break;
    }
    return lv_buf_take(&b);
}

#define assert_render(t, a, form, expected)                                                                  \
    do {                                                                                                     \
        char *got_ = render((t), (a), (form));                                                               \
        cr_assert_str_eq(got_, (expected));                                                                  \
        free(got_);                                                                                          \
    } while (0)

Test(render, counter_html)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(0));
    assert_render(t, &a, FORM_HTML, "<h1 id=\"count\">0</h1><button phx-click=\"inc\">+</button>");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, counter_full_exact_bytes)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(0));
    /* The 0 is the string "0": a JSON number would mean a component id. */
    assert_render(t, &a, FORM_FULL, "{\"0\":\"0\",\"s\":" COUNTER_STATICS_JSON "}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, counter_event_diff)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(0));
    lv_assigns_clear_changed(&a); /* the join reply was sent */
    lv_assigns_put(&a, "count", lv_value_int(1));
    assert_render(t, &a, FORM_DIFF, "{\"0\":\"1\"}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, full_appends_to_existing_content)
{
    lv_tmpl *t = compile("{{a}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "a", lv_value_bool(true));
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "{\"rendered\":");
    lv_render_full(t, &a, &b);
    lv_buf_putc(&b, '}');
    cr_assert_str_eq(b.data, "{\"rendered\":{\"0\":\"true\",\"s\":[\"\",\"\"]}}");
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, full_with_several_kinds)
{
    lv_tmpl *t = compile("<p>{{s}}|{{i}}|{{d}}|{{b}}|{{n}}</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "s", lv_value_string("hi", 2));
    lv_assigns_put(&a, "i", lv_value_int(-3));
    lv_assigns_put(&a, "d", lv_value_double(0.1));
    lv_assigns_put(&a, "b", lv_value_bool(false));
    lv_assigns_put(&a, "n", lv_value_null());
    assert_render(t, &a, FORM_HTML, "<p>hi|-3|0.1|false|</p>");
    assert_render(t, &a, FORM_FULL,
                  "{\"0\":\"hi\",\"1\":\"-3\",\"2\":\"0.1\",\"3\":\"false\",\"4\":\"\","
                  "\"s\":[\"\\u003cp\\u003e\",\"|\",\"|\",\"|\",\"|\",\"\\u003c/p\\u003e\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, diff_holds_only_changed_slots)
{
    lv_tmpl *t = compile("<a>{{first}}</a><b>{{second}}</b><c>{{first}}</c>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "first", lv_value_string("x", 1));
    lv_assigns_put(&a, "second", lv_value_string("y", 1));
    lv_assigns_clear_changed(&a);

    lv_assigns_put(&a, "second", lv_value_string("z", 1));
    lv_buf b = LV_BUF_INIT;
    cr_assert(lv_render_diff(t, &a, &b));
    cr_assert_str_eq(b.data, "{\"1\":\"z\"}");

    /* Every slot reading a changed assign is in the diff, in index order. */
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "first", lv_value_string("w", 1));
    lv_buf_reset(&b);
    cr_assert(lv_render_diff(t, &a, &b));
    cr_assert_str_eq(b.data, "{\"0\":\"w\",\"2\":\"w\"}");

    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, diff_is_empty_when_nothing_changed)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(5));
    lv_assigns_clear_changed(&a);
    lv_buf b = LV_BUF_INIT;
    cr_assert_not(lv_render_diff(t, &a, &b));
    cr_assert_str_eq(b.data, "{}");
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, equal_value_gives_no_diff)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(5));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "count", lv_value_int(5));
    lv_buf b = LV_BUF_INIT;
    cr_assert_not(lv_render_diff(t, &a, &b));
    cr_assert_str_eq(b.data, "{}");
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, change_to_an_assign_no_slot_reads)
{
    lv_tmpl *t = compile(COUNTER_TEMPLATE);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "count", lv_value_int(5));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "unused", lv_value_int(1));
    assert_render(t, &a, FORM_DIFF, "{}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

#define XSS_SCRIPT "<script>alert(1)</script>"
#define XSS_ATTR "\"><img src=x onerror=alert(1)>"
#define XSS_SINGLE "' onmouseover='alert(1)"

Test(render, xss_values_are_escaped_in_html)
{
    lv_tmpl *t = compile("<p>{{text}}</p><input value=\"{{attr}}\"><a title='{{single}}'>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "text", lv_value_string(XSS_SCRIPT, strlen(XSS_SCRIPT)));
    lv_assigns_put(&a, "attr", lv_value_string(XSS_ATTR, strlen(XSS_ATTR)));
    lv_assigns_put(&a, "single", lv_value_string(XSS_SINGLE, strlen(XSS_SINGLE)));
    assert_render(t, &a, FORM_HTML,
                  "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
                  "<input value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">"
                  "<a title='&#39; onmouseover=&#39;alert(1)'>");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, xss_values_are_escaped_in_full_and_diff)
{
    lv_tmpl *t = compile("<p>{{text}}</p><input value=\"{{attr}}\">");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "text", lv_value_string(XSS_SCRIPT, strlen(XSS_SCRIPT)));
    lv_assigns_put(&a, "attr", lv_value_string(XSS_ATTR, strlen(XSS_ATTR)));
    /* HTML-escaped first (&lt;), then the JSON writer escapes its & as \u0026. */
    const char *text_json = "\"\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;\"";
    const char *attr_json = "\"\\u0026quot;\\u0026gt;\\u0026lt;img src=x onerror=alert(1)\\u0026gt;\"";
    char expected[512];
    snprintf(expected, sizeof expected,
             "{\"0\":%s,\"1\":%s,\"s\":[\"\\u003cp\\u003e\",\"\\u003c/p\\u003e\\u003cinput value=\\\"\","
             "\"\\\"\\u003e\"]}",
             text_json, attr_json);
    assert_render(t, &a, FORM_FULL, expected);

    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "attr", lv_value_string(XSS_SINGLE, strlen(XSS_SINGLE)));
    assert_render(t, &a, FORM_DIFF, "{\"1\":\"\\u0026#39; onmouseover=\\u0026#39;alert(1)\"}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, string_with_nul_and_invalid_utf8)
{
    lv_tmpl *t = compile("{{v}}");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "v", lv_value_string("a\0\xff", 3));
    lv_buf b = LV_BUF_INIT;
    lv_render_html(t, &a, &b);
    cr_assert_eq(b.len, 3);
    cr_assert_eq(memcmp(b.data, "a\0\xff", 3), 0);
    lv_buf_free(&b);
    assert_render(t, &a, FORM_FULL, "{\"0\":\"a\\u0000\\ufffd\",\"s\":[\"\",\"\"]}");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, missing_assign_renders_empty_and_warns_once, .init = lv_test_log_capture)
{
    lv_tmpl *t = compile("<p>\n{{present}}{{absent}}</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "present", lv_value_int(1));
    assert_render(t, &a, FORM_HTML, "<p>\n1</p>");
    assert_render(t, &a, FORM_FULL, "{\"0\":\"1\",\"1\":\"\",\"s\":[\"\\u003cp\\u003e\\n\",\"\",\"\\u003c/p\\u003e\"]}");
    assert_render(t, &a, FORM_DIFF, "{\"0\":\"1\"}");
    cr_assert(atomic_load(&t->root->dyns[1].expr->reported));
    cr_assert_not(atomic_load(&t->root->dyns[0].expr->reported));
    cr_assert_str_eq(lv_test_log, "template test line 2: assign \"absent\" is not set\n");
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, zero_slots)
{
    lv_tmpl *t = compile("<p>static & plain</p>");
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "x", lv_value_int(1));
    assert_render(t, &a, FORM_HTML, "<p>static & plain</p>");
    assert_render(t, &a, FORM_FULL, "{\"s\":[\"\\u003cp\\u003estatic \\u0026 plain\\u003c/p\\u003e\"]}");
    lv_buf b = LV_BUF_INIT;
    cr_assert_not(lv_render_diff(t, &a, &b));
    cr_assert_str_eq(b.data, "{}");
    lv_buf_free(&b);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

Test(render, empty_assigns_and_empty_template)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("empty", "", 0, &err);
    lv_assigns a;
    lv_assigns_init(&a);
    lv_buf b = LV_BUF_INIT;
    lv_render_html(t, &a, &b);
    cr_assert_eq(b.len, 0);
    lv_buf_free(&b);
    assert_render(t, &a, FORM_FULL, "{\"s\":[\"\"]}");
    lv_tmpl_free(t);
}

Test(render, large_values_reuse_and_release_scratch)
{
    lv_tmpl *t = compile("[{{big}}]{{small}}");
    lv_assigns a;
    lv_assigns_init(&a);
    size_t n = 200000;
    char *big = malloc(n);
    memset(big, '<', n);
    lv_assigns_put(&a, "big", lv_value_string(big, n));
    lv_assigns_put(&a, "small", lv_value_double(2.5));
    free(big);
    for (int round = 0; round < 3; round++) {
        lv_buf b = LV_BUF_INIT;
        lv_render_full(t, &a, &b);
        /* {"0":" + n * \u0026lt; + "," "1":"2.5", ... */
        cr_assert_eq(memcmp(b.data, "{\"0\":\"\\u0026lt;", 15), 0);
        cr_assert_not_null(strstr(b.data, "\",\"1\":\"2.5\",\"s\":[\"[\",\"]\",\"\"]}"));
        cr_assert_eq(b.len, 6 + n * 9 + strlen("\",\"1\":\"2.5\",\"s\":[\"[\",\"]\",\"\"]}"));
        lv_buf_free(&b);
    }
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

/* Several threads render one template (each with its own assigns): the
 * output is right in each, the missing-assign warning prints once, and each
 * thread's scratch buffers are freed when it exits (LeakSanitizer checks). */
typedef struct thread_job {
    const lv_tmpl *tmpl;
    int id;
    bool ok;
} thread_job;

static void *render_in_thread(void *arg)
{
    thread_job *job = arg;
    lv_assigns a;
    lv_assigns_init(&a);
    job->ok = true;
    char expected[128];
    for (int i = 0; i < 200; i++) {
        lv_assigns_put(&a, "n", lv_value_int(job->id * 1000 + i));
        lv_buf b = LV_BUF_INIT;
        lv_render_full(job->tmpl, &a, &b);
        snprintf(expected, sizeof expected, "{\"0\":\"%d\",\"1\":\"\",\"s\":[\"\",\"\",\"\"]}", job->id * 1000 + i);
        if (strcmp(b.data, expected) != 0) job->ok = false;
        lv_buf_free(&b);
    }
    lv_assigns_free(&a);
    return NULL;
}

Test(render, concurrent_renders, .init = lv_test_log_capture)
{
    lv_tmpl *t = compile("{{n}}{{missing}}");
    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    thread_job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (thread_job){t, i, false};
        cr_assert_eq(pthread_create(&threads[i], NULL, render_in_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        cr_assert(jobs[i].ok, "thread %d rendered wrong output", i);
    }
    cr_assert_str_eq(lv_test_log, "template test line 1: assign \"missing\" is not set\n");
    lv_tmpl_free(t);
}
