/* The todos example (examples/todos.c): add, toggle and delete, and the
 * list kept in step between two windows over pub/sub. */
#include "examples_app.h"

TestSuite(todos, .init = examples_setup, .fini = examples_teardown);

Test(todos, add_toggle_delete)
{
    lv_test_view *v = live("/todos");
    assert_html_has(v, "0 items left");
    cr_assert_eq(lv_test_submit(v, "add", "text=Buy+milk"), 0);
    cr_assert_eq(lv_test_submit(v, "add", "text=%3Cb%3Ebread%3C%2Fb%3E"), 0);
    assert_html_has(v, "<li id=\"todo-1\"");
    assert_html_has(v, "<span class=\"text\">Buy milk</span>");
    assert_html_has(v, "&lt;b&gt;bread&lt;/b&gt;"); /* escaped, never markup */
    assert_html_has(v, "2 items left");
    assert_html_has(v, "id=\"new-todo-2\""); /* the input was renamed: the client empties it */

    lv_value *one = value_of("id", "1");
    cr_assert_eq(lv_test_click(v, "toggle", one), 0);
    assert_html_has(v, "<li id=\"todo-1\" class=\"done\">");
    assert_html_has(v, "1 item left");
    assert_html_lacks(v, "All done!");

    lv_value *two = value_of("id", "2");
    cr_assert_eq(lv_test_click(v, "delete", two), 0);
    assert_html_lacks(v, "id=\"todo-2\"");
    assert_html_has(v, "id=\"all-done\"");
    lv_value_delete(one);
    lv_value_delete(two);
}

Test(todos, blank_text_adds_nothing)
{
    lv_test_view *v = live("/todos");
    cr_assert_eq(lv_test_submit(v, "add", "text=+++"), 0);
    assert_html_lacks(v, "<li id=\"todo-");
}

Test(todos, a_second_window_sees_the_change)
{
    lv_test_view *a = live("/todos");
    lv_test_view *b = live("/todos");
    cr_assert_eq(lv_test_submit(a, "add", "text=shared"), 0);
    assert_html_has(b, "<span class=\"text\">shared</span>");
    assert_html_has(b, "1 item left");
}
