/* The realtime counter (examples/rtcounter.c): one count for every window,
 * kept in step over pub/sub. */
#include "examples_app.h"

TestSuite(rtcounter, .init = examples_setup, .fini = examples_teardown);

Test(rtcounter, two_windows_move_together)
{
    lv_test_view *a = live("/rtcounter");
    lv_test_view *b = live("/rtcounter");
    assert_html_has(a, "<span id=\"count\" class=\"value\">0</span>");
    cr_assert_eq(lv_test_click(a, "inc", NULL), 0);
    cr_assert_eq(lv_test_click(a, "inc", NULL), 0);
    assert_html_has(a, ">2</span>");
    assert_html_has(b, "<span id=\"count\" class=\"value\">2</span>");
    cr_assert_eq(lv_test_click(b, "dec", NULL), 0);
    assert_html_has(a, "<span id=\"count\" class=\"value\">1</span>");
}

Test(rtcounter, a_closed_window_stops_listening)
{
    lv_test_view *a = live("/rtcounter");
    lv_test_view *b = live("/rtcounter");
    lv_test_close(b);
    cr_assert_not(lv_test_alive(b));
    cr_assert_eq(lv_test_click(a, "inc", NULL), 0);
    assert_html_has(b, ">0</span>"); /* its last HTML, unchanged */
    cr_assert_neq(lv_test_click(b, "inc", NULL), 0);
    lv_test_view *c = live("/rtcounter");
    assert_html_has(c, "<span id=\"count\" class=\"value\">1</span>");
}
