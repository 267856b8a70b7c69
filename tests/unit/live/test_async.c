/* Async assigns (live/async.c): lv_assign_async's AsyncResult through
 * loading, ok and failed, {{#async_result}} in a template, the latest start
 * winning, lv_cancel_async, lv_stream_async, lv_stream_update (update_only)
 * and lv_temporary_assign. Driven with liveview_test.h: async work runs
 * when the test says (lv_test_run_async), so nothing depends on timing. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef01234567"

static int runs;

/* The work: arg is a string saying what to return. */
static lv_value *load(void *arg)
{
    const char *what = arg;
    runs++;
    if (strcmp(what, "null") == 0) return NULL;
    if (strncmp(what, "fail:", 5) == 0) return lv_value_new_str(what + 5);
    if (strncmp(what, "list:", 5) == 0) {
        lv_value *items = lv_list_new();
        for (int i = 1; i <= atoi(what + 5); i++) {
            lv_value *item = lv_map_new();
            lv_map_set_int(item, "id", i);
            lv_map_set_str(item, "text", "post");
            lv_list_push(items, item);
        }
        return items;
    }
    lv_value *result = lv_map_new();
    lv_value *org = lv_map_new();
    lv_map_set_str(org, "name", what);
    lv_map_set(result, "org", org);
    if (strcmp(what, "both") == 0) lv_map_set_int(result, "stats", 7);
    return result;
}

static int start_load(lv_socket *s, const char *names, const char *what)
{
    return lv_assign_async(s, names, load, strdup(what), free);
}

static int asy_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *rows = lv_list_new();
    for (int i = 0; i < 3; i++) lv_list_push_int(rows, i);
    lv_assign_value(s, "rows", rows);
    lv_temporary_assign(s, "rows", lv_list_new());
    lv_assign_int(s, "rc", 0);
    lv_assign_int(s, "rows_len", -1);
    lv_stream(s, "posts", NULL);
    return start_load(s, "org", "Acme");
}

static int asy_event(lv_socket *s, const char *event, const lv_params *value)
{
    const char *what = lv_param(value, "what");
    if (strcmp(event, "load") == 0) lv_assign_int(s, "rc", start_load(s, lv_param(value, "names"), what));
    if (strcmp(event, "cancel") == 0) lv_assign_int(s, "rc", lv_cancel_async(s, lv_param(value, "names")));
    if (strcmp(event, "stream") == 0)
        lv_assign_int(s, "rc", lv_stream_async(s, "posts", load, strdup(what), free, false));
    if (strcmp(event, "touch") == 0) {
        for (int id = 1; id <= 9; id += 8) { /* 1 is shown, 9 is not */
            lv_value *item = lv_map_new();
            lv_map_set_int(item, "id", id);
            lv_map_set_str(item, "text", "touched");
            lv_stream_update(s, "posts", item);
        }
    }
    if (strcmp(event, "job") == 0) lv_assign_int(s, "rc", lv_start_async(s, "job", load, strdup("Job"), free));
    if (strcmp(event, "cancel_job") == 0) lv_assign_int(s, "rc", lv_cancel_async(s, "job"));
    if (strcmp(event, "rows") == 0) lv_assign_int(s, "rows_len", (int64_t)lv_list_len(lv_get_value(s, "rows")));
    return 0;
}

static int asy_info(lv_socket *s, const char *name, const lv_params *payload)
{
    lv_assign_printf(s, "info", "%s ok=%s reason=%s", name, lv_param(payload, "ok"),
                     lv_param(payload, "reason") ? lv_param(payload, "reason") : "none");
    return 0;
}

static const lv_view asy_view = {
    .name = "asy",
    .template_text = "{{#async_result org as o}}<p id=\"ok\">{{o.name}}</p>"
                     "{{else loading}}<p id=\"loading\">Loading</p>"
                     "{{else failed}}<p id=\"failed\">{{org.failed}}</p>{{/async_result}}"
                     "<i id=\"stats\">{{#async_result stats}}{{stats.result}}{{else failed}}{{stats.failed}}"
                     "{{/async_result}}</i>"
                     "<b id=\"posts\">{{#async_result posts}}{{posts.result}} posts{{else loading}}loading posts"
                     "{{/async_result}}</b>"
                     "<ul id=\"feed\" phx-update=\"stream\">{{#stream posts as p}}<li id=\"{{p.dom_id}}\">{{p.text}}</li>"
                     "{{/stream}}</ul>"
                     "<ol>{{#each rows as r}}<li>row {{r}}</li>{{/each}}</ol><s>{{rc}} {{rows_len}}</s><u>{{info}}</u>",
    .events = (const char *const[]){"load", "cancel", "stream", "touch", "rows", "job", "cancel_job", NULL},
    .mount = asy_mount,
    .handle_event = asy_event,
    .handle_info = asy_info,
};

static void quiet(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

static lv_app *app;
static lv_test *t;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.log = quiet;
    app = lv_app_new(&cfg);
    cr_assert(app);
    cr_assert_eq(lv_route(app, "/asy", &asy_view), 0);
    t = lv_test_new(app);
    cr_assert(t);
    runs = 0;
}

static void teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
}

TestSuite(async, .init = setup, .fini = teardown);

#define has(v, text) cr_assert(strstr(lv_test_html(v), text), "expected %s in\n%s", text, lv_test_html(v))
#define lacks(v, text) cr_assert(!strstr(lv_test_html(v), text), "unexpected %s in\n%s", text, lv_test_html(v))

static int event(lv_test_view *v, const char *name, const char *names, const char *what)
{
    lv_value *value = lv_map_new();
    if (names) lv_map_set_str(value, "names", names);
    if (what) lv_map_set_str(value, "what", what);
    int rc = lv_test_click(v, name, value);
    lv_value_delete(value);
    return rc;
}

Test(async, loading_then_ok)
{
    cr_assert_eq(lv_test_get(t, "/asy"), 200);
    cr_assert(strstr(lv_test_body(t), "<p id=\"loading\">Loading</p>"), "the HTTP render shows loading");
    lv_test_view *v = lv_test_live(t, "/asy");
    cr_assert(v);
    has(v, "<p id=\"loading\">Loading</p>");
    cr_assert_eq(runs, 0, "the HTTP render starts nothing");
    cr_assert_eq(lv_test_run_async(t), 1);
    has(v, "<p id=\"ok\">Acme</p>");
    lacks(v, "Loading");
}

Test(async, failures_show_the_failed_branch)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    lv_test_run_async(t);
    cr_assert_eq(event(v, "load", "org", "fail:the directory is down"), 0);
    /* Reloading keeps the previous result: ok still wins over loading. */
    has(v, "<p id=\"ok\">Acme</p>");
    lv_test_run_async(t);
    /* Failed after ok: still the ok branch first, as Phoenix's async_result. */
    has(v, "<p id=\"ok\">Acme</p>");

    lv_test_view *fresh = lv_test_live(t, "/asy");
    cr_assert_eq(event(fresh, "load", "org", "null"), 0);
    lv_test_run_async(t);
    has(fresh, "<p id=\"failed\">error</p>");
}

Test(async, the_latest_start_wins)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    /* The mount's load ("Acme") is still queued: this replaces it. */
    cr_assert_eq(event(v, "load", "org", "fail:second"), 0);
    cr_assert_eq(lv_test_run_async(t), 2);
    cr_assert_eq(runs, 2);
    /* Had Acme's result been applied, ok would show Acme. */
    has(v, "<p id=\"failed\">second</p>");
    lacks(v, "Acme");
}

Test(async, cancel)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    cr_assert_eq(event(v, "cancel", "org", NULL), 0);
    has(v, "<s>0 ");
    has(v, "<p id=\"failed\">cancelled</p>");
    lv_test_run_async(t);
    has(v, "<p id=\"failed\">cancelled</p>");
    /* Nothing runs any more under that name. */
    cr_assert_eq(event(v, "cancel", "org", NULL), 0);
    has(v, "<s>-1 ");
}

Test(async, several_names_and_a_missing_one)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    lv_test_run_async(t);
    cr_assert_eq(event(v, "load", "org, stats", "Initech"), 0);
    lv_test_run_async(t);
    has(v, "<p id=\"ok\">Initech</p>");
    has(v, "<i id=\"stats\">missing from the result</i>");
    cr_assert_eq(event(v, "load", "org,stats", "both"), 0);
    lv_test_run_async(t);
    has(v, "<i id=\"stats\">7</i>");
}

Test(async, bad_names_are_refused)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    const char *bad[] = {"", "1org", "org,", ",org", "a b", "org;x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(event(v, "load", bad[i], "x"), 0);
        has(v, "<s>-1 ");
    }
    cr_assert_eq(lv_assign_async(NULL, "org", load, NULL, NULL), -1);
}

Test(async, stream_async_and_update_only)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    cr_assert_eq(event(v, "stream", NULL, "list:3"), 0);
    has(v, "<b id=\"posts\">loading posts</b>");
    lv_test_run_async(t);
    has(v, "<b id=\"posts\">3 posts</b>");
    has(v, "<li id=\"posts-3\">post</li>");
    cr_assert_eq(event(v, "touch", NULL, NULL), 0);
    has(v, "<li id=\"posts-1\">touched</li>");
    lacks(v, "posts-9");
}

Test(async, temporary_assigns_are_forgotten_after_the_render)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    has(v, "<li>row 2</li>");
    cr_assert_eq(event(v, "rows", NULL, NULL), 0);
    has(v, "<s>0 0</s>");
    /* The client keeps what it was sent: the list was not re-rendered. */
    has(v, "<li>row 2</li>");
}

static const char *const bad_templates[] = {
    "{{#if x}}a{{else loading}}b{{/if}}",
    "{{#async_result x}}a{{else}}b{{/async_result}}",
    "{{#async_result x}}a{{else loading}}b{{else loading}}c{{/async_result}}",
    "{{#async_result x}}a",
    "{{#async_result x}}a{{/if}}",
    "{{#async_result x as}}a{{/async_result}}",
    "{{#async_result x as y z}}a{{/async_result}}",
    "{{#async_result}}a{{/async_result}}",
};

Test(async, template_errors_are_reported)
{
    for (size_t i = 0; i < sizeof bad_templates / sizeof bad_templates[0]; i++) {
        lv_view *view = calloc(1, sizeof *view);
        view->name = "bad";
        view->template_text = bad_templates[i];
        view->mount = asy_mount;
        char path[32];
        snprintf(path, sizeof path, "/bad%zu", i);
        cr_assert_eq(lv_route(app, path, view), -1, "%s", bad_templates[i]);
        free(view);
    }
}

Test(async, cancel_reaches_lv_start_async_jobs_too)
{
    lv_test_view *v = lv_test_live(t, "/asy");
    lv_test_run_async(t);
    cr_assert_eq(event(v, "job", NULL, NULL), 0);
    cr_assert_eq(event(v, "cancel_job", NULL, NULL), 0);
    has(v, "<u>job ok=false reason=cancelled</u>");
    cr_assert_eq(lv_test_run_async(t), 1);
    /* The real result was dropped. */
    has(v, "<u>job ok=false reason=cancelled</u>");
    cr_assert_eq(event(v, "cancel_job", NULL, NULL), 0);
    has(v, "<s>-1 ");
}
