/* The sensors example (examples/sensors.c): readings broadcast by a thread
 * of the program, here by the test itself (lv_broadcast from the thread
 * that created the app delivers at once), a threshold form with a
 * changeset. */
#include "examples_app.h"

TestSuite(sensors, .init = examples_setup, .fini = examples_teardown);

static void send_reading(int64_t seq, double temperature, double pressure)
{
    lv_value *msg = lv_map_new();
    lv_map_set_int(msg, "seq", seq);
    lv_map_set_double(msg, "temperature", temperature);
    lv_map_set_double(msg, "pressure", pressure);
    cr_assert_eq(lv_broadcast(app, "sensors", "reading", msg), 0);
    lv_value_delete(msg);
}

Test(sensors, broadcast_readings_reach_the_page)
{
    lv_test_view *v = live("/sensors");
    send_reading(7, 21.5, 1012.25);
    assert_html_has(v, "<span id=\"seq\" class=\"value\">7</span>");
    assert_html_has(v, "21.5");
    assert_html_has(v, "1012.");
    send_reading(8, 22.0, 1013.0);
    assert_html_has(v, "<span id=\"seq\" class=\"value\">8</span>");
}

Test(sensors, readings_above_the_threshold_are_counted_and_marked)
{
    lv_test_view *v = live("/sensors");
    assert_html_lacks(v, "class=\"hot-point\"");
    send_reading(1, 20.0, 1000.0);
    send_reading(2, 35.0, 1000.0); /* above the default 27 */
    assert_html_has(v, "<span id=\"above\">1</span>");
    assert_html_has(v, "class=\"hot-point\"");
    assert_html_has(v, "id=\"temperature-stat\"");
    assert_html_has(v, "stat hot");
}

Test(sensors, the_threshold_form_refuses_a_value_out_of_range_then_takes_a_good_one)
{
    lv_test_view *v = live("/sensors");
    send_reading(1, 30.0, 1000.0);
    assert_html_has(v, "<span id=\"above\">1</span>");
    cr_assert_eq(lv_test_change(v, "validate", "threshold[limit]=99"), 0);
    assert_html_has(v, "phx-feedback-for");
    cr_assert_eq(lv_test_submit(v, "set_threshold", "threshold[limit]=99"), 0);
    assert_html_has(v, "<span id=\"threshold\">27.0</span>");
    cr_assert_eq(lv_test_submit(v, "set_threshold", "threshold[limit]=32.5"), 0);
    assert_html_has(v, "<span id=\"threshold\">32.5</span>");
    assert_html_has(v, "<span id=\"above\">0</span>");
}

Test(sensors, stop_and_start_are_answered_ok)
{
    lv_test_view *v = live("/sensors");
    cr_assert_eq(lv_test_click(v, "stop", NULL), 0);
    cr_assert_eq(lv_test_click(v, "start", NULL), 0);
    cr_assert_neq(lv_test_click(v, "explode", NULL), 0);
    cr_assert(lv_test_alive(v));
}
