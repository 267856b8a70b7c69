/* A failing callback crashes the view (docs/protocol.md §1.6): phx_error,
 * the view ends; a nested view linked to its parent (lv_link_parent) takes
 * the parent down; lv_connect_mounts outside a connected mount; a dead
 * page in the root layout (lv_respond_page). */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef01234567"

static int link_result, dead_mounts;

static int crash(lv_socket *s, const char *event, const lv_params *value)
{
    (void)s;
    (void)value;
    return strcmp(event, "boom") == 0 ? -1 : 0;
}

static int parent_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)session;
    lv_assign_bool(s, "link", lv_param(params, "link") != NULL);
    link_result = lv_link_parent(s); /* a root view has no parent */
    if (!lv_connected(s)) dead_mounts = lv_connect_mounts(s);
    return 0;
}

static const lv_view parent_view = {
    .name = "crash parent",
    .template_text = "<p>parent</p><button phx-click=\"boom\">x</button>"
                     "{{live_render \"crash_child\" id=\"kid\" link=link}}",
    .events = (const char *const[]){"boom", "ok", NULL},
    .mount = parent_mount,
    .handle_event = crash,
};

static int child_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    const char *link = lv_param(session, "link");
    if (lv_connected(s) && link && strcmp(link, "true") == 0 && lv_link_parent(s) != 0) return -1;
    return 0;
}

static const lv_view child_view = {
    .name = "crash_child",
    .template_text = "<p>child</p>",
    .events = (const char *const[]){"boom", NULL},
    .mount = child_mount,
    .handle_event = crash,
};

static void dead(lv_request *req)
{
    lv_respond_page(req, 200, "<h1 id=\"dead\">Dead view</h1>");
}

static lv_app *app;
static lv_test *t;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.log_level = LV_LOG_ERROR;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_live_view_register(app, &child_view), 0);
    cr_assert_eq(lv_route(app, "/p", &parent_view), 0);
    cr_assert_eq(lv_http_route(app, "GET", "/dead", dead), 0);
    t = lv_test_new(app);
    cr_assert_not_null(t);
}

static void teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
}

TestSuite(crash, .init = setup, .fini = teardown);

Test(crash, a_failing_event_crashes_the_view)
{
    lv_test_view *v = lv_test_live(t, "/p");
    cr_assert_not_null(v);
    cr_assert_eq(link_result, -1);
    cr_assert_eq(dead_mounts, -1, "no join counts outside a connected mount");
    cr_assert_neq(lv_test_click(v, "boom", NULL), 0);
    cr_assert_str_eq(lv_test_error(v), "the view crashed");
    cr_assert_not(lv_test_alive(v));
}

Test(crash, an_unlinked_child_crashes_alone)
{
    lv_test_view *v = lv_test_live(t, "/p");
    lv_test_view *kid = lv_test_child(v, "kid");
    cr_assert_not_null(kid);
    cr_assert_neq(lv_test_click(kid, "boom", NULL), 0);
    cr_assert_str_eq(lv_test_error(kid), "the view crashed");
    cr_assert_not(lv_test_alive(kid));
    cr_assert(lv_test_alive(v));
    cr_assert_eq(lv_test_click(v, "ok", NULL), 0);
}

Test(crash, a_linked_child_takes_its_parent_down)
{
    lv_test_view *v = lv_test_live(t, "/p?link=1");
    lv_test_view *kid = lv_test_child(v, "kid");
    cr_assert_not_null(kid);
    cr_assert_neq(lv_test_click(kid, "boom", NULL), 0);
    cr_assert_not(lv_test_alive(kid));
    /* The parent ended with it: its topic is no longer joined. */
    cr_assert_neq(lv_test_click(v, "ok", NULL), 0);
}

Test(crash, a_dead_page_renders_in_the_layout_without_a_view)
{
    cr_assert_eq(lv_test_get(t, "/dead"), 200);
    const char *body = lv_test_body(t);
    cr_assert_not_null(strstr(body, "<h1 id=\"dead\">Dead view</h1>"));
    cr_assert_not_null(strstr(body, "name=\"csrf-token\""));
    cr_assert_null(strstr(body, "data-phx-main"));
    cr_assert_null(strstr(body, "data-phx-session"));
}
