/* The complete example of docs/testing.md ("Testing a view in C"), kept
 * verbatim here so the documentation cannot drift from what works. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <string.h>

static int mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    if (lv_connected(s)) lv_send_interval(s, 1000, "tick", NULL);
    return 0;
}

static int handle_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)value;
    lv_assign_int(s, "count", lv_get_int(s, "count") + (strcmp(event, "inc") == 0 ? 1 : -1));
    return 0;
}

static int handle_info(lv_socket *s, const char *name, const lv_params *payload)
{
    (void)name;
    (void)payload;
    lv_assign_int(s, "count", lv_get_int(s, "count") + 10);
    return 0;
}

static const lv_view counter = {
    .name = "counter",
    .template_text = "<span id=\"count\">{{count}}</span>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = mount,
    .handle_event = handle_event,
    .handle_info = handle_info,
};

Test(counter, counts_clicks_and_ticks)
{
    lv_app *app = lv_app_new(NULL);
    cr_assert_eq(lv_route(app, "/counter", &counter), 0);
    lv_test *t = lv_test_new(app);

    lv_test_view *v = lv_test_live(t, "/counter");
    cr_assert_not_null(v, "%s", lv_test_last_error(t));
    cr_assert(strstr(lv_test_html(v), "<span id=\"count\">0</span>"));

    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);   /* 0: the server replied ok */
    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);
    cr_assert(strstr(lv_test_html(v), ">2</span>"));

    cr_assert_neq(lv_test_click(v, "reset", NULL), 0); /* not declared: refused */
    cr_assert_str_eq(lv_test_error(v), "unknown event");

    cr_assert_eq(lv_test_advance(t, 1000), 1);         /* the interval fires once */
    cr_assert(strstr(lv_test_html(v), ">12</span>"));

    lv_test_free(t);                                   /* terminate runs, timers stop */
    lv_app_free(app);
}
