/* The infinite feed (examples/scroll.c): a window of three pages over a
 * stream, moved by the viewport events. */
#include "examples_app.h"

TestSuite(scroll, .init = examples_setup, .fini = examples_teardown);

static lv_value *edge(const char *id)
{
    lv_value *v = lv_map_new();
    lv_map_set_str(v, "id", id);
    return v;
}

Test(scroll, next_pages_slide_the_window_and_prev_brings_pages_back)
{
    lv_test_view *v = live("/scroll");
    cr_assert_eq(html_count(v, "class=\"scroll-post\""), 20);
    assert_html_has(v, "phx-viewport-bottom=\"next-page\"");
    assert_html_lacks(v, "phx-viewport-top");
    lv_value *last = edge("posts-20");
    for (int i = 0; i < 3; i++) cr_assert_eq(lv_test_click(v, "next-page", last), 0);
    lv_value_delete(last);
    assert_html_has(v, "Pages 2 to 4");
    cr_assert_eq(html_count(v, "class=\"scroll-post\""), 60, "three pages kept");
    assert_html_lacks(v, "id=\"posts-20\"");
    assert_html_has(v, "id=\"posts-21\"");
    assert_html_has(v, "id=\"posts-80\"");
    assert_html_has(v, "phx-viewport-top=\"prev-page\"");
    lv_value *first = edge("posts-21");
    cr_assert_eq(lv_test_click(v, "prev-page", first), 0);
    lv_value_delete(first);
    assert_html_has(v, "Pages 1 to 3");
    cr_assert_eq(html_count(v, "class=\"scroll-post\""), 60);
    assert_html_has(v, "<li id=\"posts-1\" class=\"scroll-post\">Post 1:");
    assert_html_lacks(v, "id=\"posts-61\"");
    cr_assert(strstr(lv_test_html(v), "id=\"posts-1\"") < strstr(lv_test_html(v), "id=\"posts-2\""), "in order");
}

Test(scroll, the_end_and_an_overrun)
{
    lv_test_view *v = live("/scroll");
    lv_value *last = edge("x");
    for (int i = 0; i < 12; i++) cr_assert_eq(lv_test_click(v, "next-page", last), 0);
    lv_value_delete(last);
    assert_html_has(v, "Pages 8 to 10");
    assert_html_has(v, "id=\"the-end\"");
    assert_html_lacks(v, "phx-viewport-bottom");
    lv_value *overran = edge("posts-141");
    lv_map_set_bool(overran, "_overran", true);
    cr_assert_eq(lv_test_click(v, "prev-page", overran), 0);
    lv_value_delete(overran);
    assert_html_has(v, "Pages 1 to 1");
    cr_assert_eq(html_count(v, "class=\"scroll-post\""), 20);
}
