/* The dashboard example (examples/dashboard.c): an interval timer on the
 * test's clock, events pushed to a hook, and a hook's pushEvent answered
 * with lv_reply. */
#include "examples_app.h"

TestSuite(dashboard, .init = examples_setup, .fini = examples_teardown);

Test(dashboard, ticks_every_second_of_the_test_clock)
{
    lv_test_view *v = live("/dashboard");
    assert_html_has(v, "<span id=\"ticks\">0</span>");
    cr_assert_eq(lv_test_advance(t, 999), 0, "nothing is due before a second");
    assert_html_has(v, "<span id=\"ticks\">0</span>");
    cr_assert_eq(lv_test_advance(t, 1), 1);
    assert_html_has(v, "<span id=\"ticks\">1</span>");
    cr_assert_eq(lv_test_advance(t, 3000), 3);
    assert_html_has(v, "<span id=\"ticks\">4</span>");
    cr_assert_eq(lv_test_pushed_count(v, "sales"), 4);
    const lv_value *sales = lv_test_pushed(v, "sales");
    cr_assert_not_null(sales);
    int64_t last = lv_value_int_of(lv_map_get(sales, "value"));
    cr_assert(last >= 1000 && last < 5000);
    char shown[64]; /* the pushed figure is the one shown, as format_number writes it */
    snprintf(shown, sizeof shown, "class=\"value\">$%lld,%03lld<", (long long)(last / 1000), (long long)(last % 1000));
    assert_html_has(v, shown);
}

Test(dashboard, the_hook_gets_the_history)
{
    lv_test_view *v = live("/dashboard");
    lv_test_advance(t, 2000);
    const lv_value *reply = lv_test_hook_event(v, "history", NULL);
    cr_assert_not_null(reply, "%s", lv_test_error(v));
    const lv_value *points = lv_map_get(reply, "points");
    cr_assert_eq(lv_list_len(points), 3, "the first figures and two ticks");
    cr_assert_eq(lv_value_int_of(lv_list_at(points, 2)), lv_value_int_of(lv_map_get(lv_test_pushed(v, "sales"), "value")));
}

Test(dashboard, the_timer_ends_with_the_view)
{
    lv_test_view *v = live("/dashboard");
    lv_test_close(v);
    cr_assert_eq(lv_test_advance(t, 10000), 0);
}
