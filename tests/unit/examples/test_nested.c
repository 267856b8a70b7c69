/* The nested views example (examples/nested.c): children joined on their
 * parent's connection with their own events, a report to the parent, a
 * child that ends when the parent stops rendering it, and the clock's own
 * timer. */
#include "examples_app.h"

TestSuite(nested, .init = examples_setup, .fini = examples_teardown);

Test(nested, the_dead_render_puts_children_inline)
{
    cr_assert_eq(lv_test_get(t, "/nested"), 200);
    cr_assert(strstr(lv_test_body(t), "data-phx-parent-id=\"phx-"));
    cr_assert(strstr(lv_test_body(t), "<span id=\"child-count\" class=\"value\">0</span>"));
    cr_assert(strstr(lv_test_body(t), "<div id=\"sticky\" data-phx-session=\"ey"), "a sticky child has a token");
}

Test(nested, a_child_has_its_own_events_and_reports_to_its_parent)
{
    lv_test_view *parent = live("/nested");
    cr_assert_null(strstr(lv_test_html(parent), "child-count"), "the parent's tree leaves the child empty");
    lv_test_view *counter = lv_test_child(parent, "counter");
    cr_assert_not_null(counter, "%s", lv_test_last_error(t));
    assert_html_has(counter, "<span id=\"child-count\" class=\"value\">0</span>");
    cr_assert_eq(lv_test_click(counter, "inc", NULL), 0);
    cr_assert_eq(lv_test_click(counter, "inc", NULL), 0);
    assert_html_has(counter, "<span id=\"child-count\" class=\"value\">2</span>");
    cr_assert_neq(lv_test_click(counter, "click", NULL), 0, "the parent's event is not the child's");
    cr_assert_eq(lv_test_click(counter, "report", NULL), 0);
    assert_html_has(parent, "<b id=\"parent-report\">the counter was at 2</b>");
}

Test(nested, a_removed_child_leaves_the_page_and_the_clock_ticks)
{
    lv_test_view *parent = live("/nested");
    lv_test_view *clock = lv_test_child(parent, "clock");
    cr_assert_not_null(clock, "%s", lv_test_last_error(t));
    assert_html_has(clock, "id=\"clock-time\"");
    cr_assert_eq(lv_test_advance(t, 1000), 1, "the clock's own interval");

    lv_test_view *counter = lv_test_child(parent, "counter");
    cr_assert_not_null(counter);
    cr_assert_eq(lv_test_click(parent, "toggle_counter", NULL), 0);
    cr_assert_null(strstr(lv_test_html(parent), "id=\"counter\""));
    cr_assert_null(lv_test_child(parent, "counter"), "no counter on the page now");
    lv_test_close(parent);
    cr_assert_not(lv_test_alive(clock), "a child ends with its parent's connection");
}

Test(nested, a_child_is_closed_when_its_parent_navigates_away_but_not_the_sticky_one)
{
    lv_test_view *parent = live("/nested");
    lv_test_view *clock = lv_test_child(parent, "clock");
    lv_test_view *sticky = lv_test_child(parent, "sticky");
    cr_assert_not_null(clock);
    cr_assert_not_null(sticky, "%s", lv_test_last_error(t));
    cr_assert_eq(lv_test_click(sticky, "like", NULL), 0);
    cr_assert_eq(lv_test_navigate(parent, "/nested/b"), 0);
    cr_assert(lv_test_alive(parent));
    cr_assert_not(lv_test_alive(clock), "the server closed the child with its parent");
    cr_assert(lv_test_alive(sticky));
    cr_assert_eq(lv_test_click(sticky, "like", NULL), 0);
    assert_html_has(sticky, "<span id=\"sticky-likes\">2</span>");
}
