/* The counter example (examples/counter.c), driven as a browser would. */
#include "examples_app.h"

TestSuite(counter, .init = examples_setup, .fini = examples_teardown);

Test(counter, starts_at_zero_and_counts_clicks)
{
    lv_test_view *v = live("/counter");
    assert_html_has(v, "<span id=\"count\" class=\"value\">0</span>");
    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);
    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);
    assert_html_has(v, ">2</span>");
    cr_assert_eq(lv_test_click(v, "dec", NULL), 0);
    assert_html_has(v, "<span id=\"count\" class=\"value\">1</span>");
}

Test(counter, the_dead_render_shows_the_same_count)
{
    cr_assert_eq(lv_test_get(t, "/counter"), 200);
    cr_assert(strstr(lv_test_body(t), "<span id=\"count\" class=\"value\">0</span>"));
    cr_assert_not_null(lv_test_cookie(t, "_lv_session"), "the page sets the session cookie");
}

Test(counter, an_undeclared_event_is_refused_and_changes_nothing)
{
    lv_test_view *v = live("/counter");
    cr_assert_neq(lv_test_click(v, "reset", NULL), 0);
    cr_assert_str_eq(lv_test_error(v), "unknown event");
    cr_assert(lv_test_alive(v));
    cr_assert_eq(lv_test_click(v, "inc", NULL), 0);
    cr_assert_null(lv_test_error(v));
    assert_html_has(v, ">1</span>");
}
