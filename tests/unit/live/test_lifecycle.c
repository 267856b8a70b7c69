/* The lifecycle step alone: a callback, its patches, what it renders for
 * each mode, and what a failure keeps for the next render. No channel, no
 * socket: the step is called as the channel and the page call it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "live/lifecycle.h"
#include "live/live.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567" /* 40 bytes */

static int patches_left;

static int lc_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    return 0;
}

static int lc_params(lv_socket *s, const lv_params *params, const char *url)
{
    const char *page = lv_param(params, "page");
    lv_assign_str(s, "page", page ? page : "1");
    if (strstr(url, "loop") && patches_left-- > 0) lv_push_patch(s, "/lc?loop=1", false);
    if (strstr(url, "away")) lv_push_navigate(s, "/elsewhere", false);
    return 0;
}

static int lc_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)value;
    lv_assign_int(s, "count", lv_get_int(s, "count") + 1);
    if (strcmp(event, "patch") == 0) lv_push_patch(s, "/lc?page=2", true);
    if (strcmp(event, "titled") == 0) lv_page_title(s, "Two");
    if (strcmp(event, "fail") == 0) {
        lv_push_navigate(s, "/elsewhere", false);
        return -1;
    }
    return 0;
}

static int lc_info(lv_socket *s, const char *name, const lv_params *payload)
{
    (void)payload;
    if (strcmp(name, "go") == 0) lv_push_navigate(s, "/elsewhere", true);
    if (strcmp(name, "same") == 0) lv_assign_int(s, "count", lv_get_int(s, "count"));
    return 0;
}

static const lv_view lc_view = {
    .name = "lc",
    .template_text = "<b>{{count}}</b><i>{{page}}</i>",
    .events = (const char *const[]){"inc", "patch", "titled", "fail", NULL},
    .mount = lc_mount,
    .handle_params = lc_params,
    .handle_event = lc_event,
    .handle_info = lc_info,
};

static lv_app *app;
static lv_buf out;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    app = lv_app_new(&cfg);
    cr_assert(app);
    cr_assert_eq(lv_route(app, "/lc", &lc_view), 0);
    patches_left = 0;
    out = (lv_buf)LV_BUF_INIT;
}

static void teardown(void)
{
    lv_buf_free(&out);
    lv_app_free(app);
}

TestSuite(lifecycle, .init = setup, .fini = teardown);

/* A connected socket of the view routed at path, mounted at url; its join
 * output is left in `out` and step for the caller to check. */
static lv_socket *joined_at(const char *path, const char *url, lv_step *step)
{
    const lv_route_entry *route = lv_app_find_route(app, path, strlen(path));
    lv_socket *s = lv_socket_new(app, route, true, NULL);
    lv_value empty = lv_value_map();
    lv_params params = lv_params_of(&empty), session = lv_params_of(&empty);
    lv_callback cb = {.kind = LV_CALLBACK_MOUNT, .params = &params, .session = &session, .url = url};
    *step = (lv_step){.out = &out};
    lv_step_run(s, &cb, LV_STEP_JOIN, step);
    lv_params_release(&params);
    lv_params_release(&session);
    lv_value_free(&empty);
    return s;
}

static lv_socket *joined(const char *url, lv_step *step)
{
    return joined_at("/lc", url, step);
}

static void event(lv_socket *s, const char *name, lv_step *step)
{
    lv_value empty = lv_value_map();
    lv_params value = lv_params_of(&empty);
    lv_callback cb = {.kind = LV_CALLBACK_EVENT, .name = name, .params = &value};
    *step = (lv_step){.out = &out};
    lv_step_run(s, &cb, LV_STEP_REPLY, step);
    lv_params_release(&value);
    lv_value_free(&empty);
}

Test(lifecycle, join_renders_everything_once)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert(step.mounted);
    cr_assert_str_eq(out.data, "{\"rendered\":{\"0\":\"0\",\"1\":\"1\",\"s\":[\"\\u003cb\\u003e\",\"\\u003c/b\\u003e\\u003ci\\u003e\",\"\\u003c/i\\u003e\"]},"
                               "\"liveview_version\":\"" LV_CLIENT_VERSION "\"}");
    lv_step_free(&step);
    /* Nothing changed since: an event that changes nothing answers {}. */
    lv_callback none = {.kind = LV_CALLBACK_INFO, .name = "same"};
    step = (lv_step){.out = &out};
    lv_step_run(s, &none, LV_STEP_REPLY, &step);
    cr_assert_str_eq(out.data, "{}");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, event_sends_only_what_changed)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc", &step);
    lv_step_free(&step);
    event(s, "inc", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert_str_eq(out.data, "{\"diff\":{\"0\":\"1\"}}");
    lv_step_free(&step);
    event(s, "titled", &step);
    cr_assert_str_eq(out.data, "{\"diff\":{\"0\":\"2\",\"t\":\"Two\"}}");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, a_patch_runs_handle_params_in_the_same_reply)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc", &step);
    lv_step_free(&step);
    event(s, "patch", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert_str_eq(out.data,
                     "{\"diff\":{\"0\":\"1\",\"1\":\"2\"},\"live_patch\":{\"to\":\"/lc?page=2\",\"kind\":\"replace\"}}");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, a_failed_callback_sends_nothing_and_keeps_its_changes)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc", &step);
    lv_step_free(&step);
    event(s, "fail", &step);
    cr_assert_eq(step.status, LV_STEP_FAILED);
    cr_assert_str_eq(step.reason, "event failed");
    cr_assert_eq(step.nav.kind, LV_NAV_NONE, "the failed callback's navigation is dropped");
    lv_step_free(&step);
    /* Its change (count 1) goes out with the next one (count 2), and the
     * navigation it asked for does not. */
    event(s, "inc", &step);
    cr_assert_str_eq(out.data, "{\"diff\":{\"0\":\"2\"}}");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, a_view_that_keeps_patching_is_stopped)
{
    lv_step step;
    patches_left = 1000;
    lv_socket *s = joined("http://h/lc?loop=1", &step);
    cr_assert_eq(step.status, LV_STEP_FAILED);
    cr_assert_str_eq(step.reason, "join crashed");
    cr_assert(step.mounted, "terminate is due: mount itself succeeded");
    cr_assert_gt(patches_left, 900, "stopped after about 20 patches, not 1000");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, mount_that_navigates_away_is_reported_not_rendered)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc?away=1", &step);
    cr_assert_eq(step.status, LV_STEP_AWAY);
    cr_assert_eq(step.nav.kind, LV_NAV_NAVIGATE);
    cr_assert_str_eq(step.nav.to, "/elsewhere");
    cr_assert_eq(out.len, 0);
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, an_info_pushes_its_navigation_and_its_diff)
{
    lv_step step;
    lv_socket *s = joined("http://h/lc", &step);
    lv_step_free(&step);
    lv_callback cb = {.kind = LV_CALLBACK_INFO, .name = "go"};
    step = (lv_step){.out = &out};
    lv_step_run(s, &cb, LV_STEP_PUSH, &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert_eq(step.nav.kind, LV_NAV_NAVIGATE);
    cr_assert(step.nav.replace);
    cr_assert_eq(out.len, 0, "nothing changed: no diff to push");
    lv_step_free(&step);
    lv_socket_free(s);
}

Test(lifecycle, the_page_mode_renders_html_and_follows_no_patch)
{
    const lv_route_entry *route = lv_app_find_route(app, "/lc", 3);
    lv_socket *s = lv_socket_new(app, route, false, NULL);
    lv_value query = lv_value_map();
    lv_value_map_set(&query, "page", lv_value_string("3", 1));
    lv_params params = lv_params_of(&query);
    lv_callback cb = {.kind = LV_CALLBACK_MOUNT, .params = &params, .session = &params, .url = "http://h/lc"};
    lv_step step = {.out = &out};
    lv_step_run(s, &cb, LV_STEP_PAGE, &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert_str_eq(out.data, "<b>0</b><i>3</i>");
    lv_step_free(&step);
    lv_socket_free(s);

    /* A patch asked for during the dead render becomes a redirect. */
    patches_left = 1;
    s = lv_socket_new(app, route, false, NULL);
    lv_buf_reset(&out);
    cb.url = "http://h/lc?loop=1";
    step = (lv_step){.out = &out};
    lv_step_run(s, &cb, LV_STEP_PAGE, &step);
    cr_assert_eq(step.status, LV_STEP_AWAY);
    cr_assert_eq(step.nav.kind, LV_NAV_PATCH);
    cr_assert_eq(patches_left, 0, "handle_params ran once: no patch was followed");
    lv_step_free(&step);
    lv_socket_free(s);
    lv_params_release(&params);
    lv_value_free(&query);
}

/* ---- a template reloaded in development, with a component on it ---- */

static const lv_component card = {
    .name = "card",
    .template_text = "<div class=\"card\">{{title}}</div>",
};

static const lv_view reloaded_view = {
    .name = "reloaded",
    .template_file = "reloaded.html",
    .mount = lc_mount,
};

static void write_template(const char *dir, const char *text, time_t stamp)
{
    char path[128];
    snprintf(path, sizeof path, "%s/reloaded.html", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    /* Set the time, so the change does not depend on the clock's resolution. */
    struct timespec times[2] = {{.tv_sec = stamp}, {.tv_sec = stamp}};
    utimensat(AT_FDCWD, path, times, 0);
}

Test(lifecycle, a_reloaded_template_resends_its_components_whole)
{
    char dir[] = "/tmp/lv_lifecycle_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("LV_TEMPLATES_DIR", dir, 1);
    setenv("LV_ENV", "dev", 1);
    write_template(dir, "<main>{{component \"card\" id=\"a\" title=\"A\"}}</main>", 1700000000);
    cr_assert_eq(lv_component_register(app, &card), 0);
    cr_assert_eq(lv_route(app, "/reloaded", &reloaded_view), 0);

    lv_step step;
    lv_socket *s = joined_at("/reloaded", "/reloaded", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert(strstr(out.data, "\"c\":{\"1\":{\"0\":\"A\""), "the join carries the card: %s", out.data);
    lv_step_free(&step);

    /* The client now has the card. The template is saved with new markup:
     * the next diff replaces the whole tree ("s" at the top), which makes
     * the client drop its components, so the card must come whole again
     * (its statics and "r":1), not as a diff of what the client forgot. */
    write_template(dir, "<section>{{component \"card\" id=\"a\" title=\"A\"}}</section>", 1700000007);
    lv_callback info = {.kind = LV_CALLBACK_INFO, .name = "same"};
    step = (lv_step){.out = &out};
    lv_step_run(s, &info, LV_STEP_REPLY, &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    cr_assert(strstr(out.data, "\\u003csection\\u003e"), "the new tree: %s", out.data);
    cr_assert(strstr(out.data, "\"c\":{\"1\":{\"0\":\"A\",\"s\":[\"\\u003cdiv class=\\\"card\\\"\\u003e\","),
              "the card whole: %s", out.data);
    cr_assert(strstr(out.data, "\"r\":1"), "with its root flag: %s", out.data);
    lv_step_free(&step);

    lv_socket_free(s);
    unsetenv("LV_ENV");
    unsetenv("LV_TEMPLATES_DIR");
    char path[128];
    snprintf(path, sizeof path, "%s/reloaded.html", dir);
    unlink(path);
    rmdir(dir);
}

/* ---- a component's event ---- */

static int patcher_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_assign_str(s, "title", "clicked");
    lv_push_patch(s, "/holder?page=9", false);
    return 0;
}

static const lv_component patcher = {
    .name = "patcher",
    .template_text = "<div>{{title}}</div>",
    .events = (const char *const[]){"go", NULL},
    .handle_event = patcher_event,
};

static const lv_view holder_view = {
    .name = "holder",
    .template_text = "<main>{{component \"patcher\" id=\"p\" title=\"T\"}}</main>",
    .mount = lc_mount,
};

Test(lifecycle, a_component_event_replies_with_its_diff_and_the_views_patch)
{
    cr_assert_eq(lv_component_register(app, &patcher), 0);
    cr_assert_eq(lv_route(app, "/holder", &holder_view), 0);
    lv_step step;
    lv_socket *s = joined_at("/holder", "/holder", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    lv_step_free(&step);

    lv_socket *component = lv_components_find(s, 1);
    cr_assert_not_null(component);
    event(component, "go", &step);
    cr_assert_eq(step.status, LV_STEP_OK);
    /* Its change, under "c"; its push_patch is the view's, carried out
     * through the view's handle_params (Phoenix lets a component patch). */
    cr_assert_str_eq(out.data, "{\"diff\":{\"c\":{\"1\":{\"0\":\"clicked\"}}},"
                               "\"live_patch\":{\"to\":\"/holder?page=9\",\"kind\":\"push\"}}");
    lv_step_free(&step);
    lv_socket_free(s);
}
