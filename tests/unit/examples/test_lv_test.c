/* liveview_test.h itself, on the examples app: bad input never crashes,
 * navigation from mount, timers and async work on demand, pushed events,
 * hook replies and titles (through /navtest, the view the protocol tests
 * drive). */
#include "examples_app.h"

TestSuite(lv_test, .init = examples_setup, .fini = examples_teardown);

Test(lv_test, null_and_bad_arguments_are_errors)
{
    cr_assert_null(lv_test_new(NULL));
    lv_test_free(NULL);
    cr_assert_null(lv_test_live(NULL, "/counter"));
    cr_assert_null(lv_test_live(t, NULL));
    cr_assert_null(lv_test_live(t, "counter"));
    cr_assert_not_null(lv_test_last_error(t));
    cr_assert_eq(lv_test_get(NULL, "/"), -1);
    cr_assert_eq(lv_test_post(t, NULL, "a=1"), -1);
    cr_assert_eq(lv_test_status(NULL), 0);
    cr_assert_str_eq(lv_test_body(NULL), "");
    cr_assert_null(lv_test_redirect(NULL));
    cr_assert_null(lv_test_cookie(t, NULL));
    cr_assert_null(lv_test_html(NULL));
    cr_assert_null(lv_test_title(NULL));
    cr_assert_null(lv_test_path(NULL));
    cr_assert_null(lv_test_flash(NULL, "info"));
    cr_assert_null(lv_test_pushed(NULL, "x"));
    cr_assert_eq(lv_test_pushed_count(NULL, "x"), -1);
    cr_assert_not(lv_test_alive(NULL));
    cr_assert_null(lv_test_error(NULL));
    cr_assert_eq(lv_test_click(NULL, "inc", NULL), -1);
    cr_assert_eq(lv_test_change(NULL, "x", "a=1"), -1);
    cr_assert_eq(lv_test_submit(NULL, "x", "a=1"), -1);
    cr_assert_eq(lv_test_keydown(NULL, "x", "a"), -1);
    cr_assert_eq(lv_test_keyup(NULL, "x", "a"), -1);
    cr_assert_null(lv_test_hook_event(NULL, "x", NULL));
    cr_assert_eq(lv_test_push(NULL, NULL), -1);
    cr_assert_eq(lv_test_patch(NULL, "/"), -1);
    cr_assert_eq(lv_test_navigate(NULL, "/"), -1);
    lv_test_close(NULL);
    cr_assert_eq(lv_test_advance(NULL, 10), -1);
    cr_assert_eq(lv_test_now(NULL), 0);
    cr_assert_eq(lv_test_run_async(NULL), -1);

    lv_test_view *v = live("/counter");
    cr_assert_eq(lv_test_click(v, NULL, NULL), -1);
    cr_assert_not_null(lv_test_error(v));
    lv_value *list = lv_list_new();
    cr_assert_eq(lv_test_click(v, "inc", list), -1, "a value is a map");
    lv_value_delete(list);
    cr_assert_eq(lv_test_submit(v, "inc", NULL), -1);
    cr_assert_eq(lv_test_keydown(v, "inc", NULL), -1);
    cr_assert_eq(lv_test_push(v, &(lv_test_event){.type = NULL, .event = "inc"}), -1);
    cr_assert_eq(lv_test_patch(v, "nowhere"), -1);
    cr_assert_eq(lv_test_navigate(v, NULL), -1);
    cr_assert(lv_test_alive(v), "bad arguments leave the view alone");
    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);
    assert_html_has(v, ">1</span>");
}

Test(lv_test, an_ended_view_refuses_events_but_keeps_its_html)
{
    lv_test_view *v = live("/counter");
    lv_test_close(v);
    lv_test_close(v); /* twice is fine */
    cr_assert_not(lv_test_alive(v));
    cr_assert_eq(lv_test_click(v, "inc", NULL), -1);
    cr_assert_not_null(lv_test_error(v));
    cr_assert_null(lv_test_hook_event(v, "inc", NULL));
    cr_assert_eq(lv_test_advance(t, 1000), 0);
    assert_html_has(v, ">0</span>");
    cr_assert_null(lv_test_flash(v, "info"));
}

Test(lv_test, mount_navigations)
{
    cr_assert_null(lv_test_live(t, "/navtest?mount_navigate=/counter"));
    cr_assert_eq(lv_test_status(t), 302, "the dead render redirects");
    cr_assert_str_eq(lv_test_redirect(t), "/counter");
    /* The dead render follows no patch either: a patch is a redirect too. */
    cr_assert_null(lv_test_live(t, "/navtest?mount_patch=/navtest%3Floop%3D0"));
    cr_assert_str_eq(lv_test_redirect(t), "/navtest?loop=0");
    lv_test_view *v = live(lv_test_redirect(t));
    assert_html_has(v, "<p id=\"loop\">0</p>");
}

Test(lv_test, a_patch_loop_is_stopped_by_the_server)
{
    lv_test_view *v = live("/navtest");
    lv_value *to = value_of("to", "/navtest?loop=1");
    cr_assert_neq(lv_test_click(v, "patch", to), 0);
    lv_value_delete(to);
    cr_assert_str_eq(lv_test_error(v), "the view crashed");
}

Test(lv_test, timers_fire_on_the_test_clock_only)
{
    lv_test_view *v = live("/navtest");
    lv_value *ms = lv_map_new();
    lv_map_set_int(ms, "ms", 250);
    cr_assert_eq(lv_test_click(v, "timer", ms), 0);
    lv_value_delete(ms);
    cr_assert_eq(lv_test_advance(t, 249), 0);
    assert_html_lacks(v, "<p id=\"status\">fired</p>");
    cr_assert_eq(lv_test_advance(t, 1), 1);
    assert_html_has(v, "<p id=\"status\">fired</p>");
    cr_assert_eq(lv_test_now(t), 250);
    cr_assert_eq(lv_test_advance(t, 10000), 0, "a one-shot fires once");
}

Test(lv_test, async_work_runs_when_asked)
{
    lv_test_view *v = live("/navtest");
    cr_assert_eq(lv_test_click(v, "async", NULL), 0);
    assert_html_has(v, "<p id=\"status\"></p>");
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_has(v, "<p id=\"status\">done</p>");
    cr_assert_eq(lv_test_run_async(t), 0);
}

Test(lv_test, async_work_of_a_closed_view_is_dropped)
{
    lv_test_view *v = live("/navtest");
    cr_assert_eq(lv_test_click(v, "async", NULL), 0);
    lv_test_close(v);
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_lacks(v, "done");
}

Test(lv_test, pushed_events_titles_and_hook_replies)
{
    lv_test_view *v = live("/navtest");
    cr_assert_null(lv_test_pushed(v, "hello"));
    cr_assert_eq(lv_test_click(v, "push", NULL), 0);
    cr_assert_eq(lv_test_click(v, "push", NULL), 0);
    cr_assert_eq(lv_test_pushed_count(v, "hello"), 2);
    cr_assert_eq(lv_value_int_of(lv_map_get(lv_test_pushed(v, "hello"), "n")), 1);

    lv_value *title = value_of("title", "A <new> title");
    cr_assert_eq(lv_test_click(v, "title", title), 0);
    lv_value_delete(title);
    cr_assert_str_eq(lv_test_title(v), "A <new> title");

    const lv_value *reply = lv_test_hook_event(v, "hook", NULL);
    cr_assert_not_null(reply);
    cr_assert(lv_value_bool_of(lv_map_get(reply, "pong")));
    reply = lv_test_hook_event(v, "ping", NULL);
    cr_assert_not_null(reply, "no reply is an empty map");
    cr_assert_eq(lv_map_len(reply), 0);
    cr_assert_null(lv_test_hook_event(v, "nope", NULL));
}

Test(lv_test, navigation_from_handle_info_is_followed)
{
    lv_test_view *v = live("/navtest");
    lv_value *to = value_of("to", "/navtest?loop=0&x=1");
    cr_assert_eq(lv_test_click(v, "later", to), 0);
    lv_value_delete(to);
    cr_assert_str_eq(lv_test_path(v), "/navtest?loop=0&x=1");
    assert_html_has(v, "<p id=\"infos\">1</p>");
}

/* /rtcounter: a click in one view reaches the other through a broadcast;
 * a broadcast from the test reaches it too; a broadcast older than what a
 * view shows (its version is lower: several loops can deliver two clicks'
 * broadcasts in either order) is ignored. */
static int rtcounter_send(int64_t count, int64_t version)
{
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "count", count);
    if (version) lv_map_set_int(payload, "version", version);
    int rc = lv_broadcast(app, "rtcounter", "count", payload);
    lv_value_delete(payload);
    return rc;
}

Test(lv_test, a_broadcast_reaches_the_other_views)
{
    lv_test_view *v = live("/rtcounter");
    lv_test_view *w = live("/rtcounter");
    cr_assert_eq(lv_test_click(w, "inc", NULL), 0);
    cr_assert_eq(lv_test_click(w, "inc", NULL), 0);
    assert_html_has(w, ">2</span>");
    assert_html_has(v, ">2</span>");
    cr_assert_eq(rtcounter_send(1, 1), 0, "the first click's broadcast, late");
    assert_html_has(v, ">2</span>");
    cr_assert_eq(rtcounter_send(42, 0), 0, "a count without a version is shown");
    assert_html_has(v, ">42</span>");
}
