/* The JS commands example (examples/js_commands.c): the commands are the
 * client's, so the test checks what the server puts in the page and the
 * two round trips it takes part in: push and patch. */
#include "examples_app.h"

TestSuite(js_commands, .init = examples_setup, .fini = examples_teardown);

Test(js_commands, the_page_carries_the_commands)
{
    lv_test_view *v = live("/js");
    assert_html_has(v, "id=\"show\" phx-click=\"[[&quot;show&quot;");
    assert_html_has(v, "#panel");
    assert_html_has(v, "&quot;push&quot;");
    assert_html_has(v, "<span id=\"pushes\">0</span>");
}

Test(js_commands, push_counts_and_patch_changes_the_tab)
{
    lv_test_view *v = live("/js");
    lv_value *by = lv_map_new();
    lv_map_set_int(by, "by", 2);
    cr_assert_eq(lv_test_click(v, "inc", by), 0);
    lv_value_delete(by);
    assert_html_has(v, "<span id=\"pushes\">2</span>");
    cr_assert_eq(lv_test_patch(v, "/js?tab=2"), 0);
    assert_html_has(v, "Tab <span id=\"tab\">2</span>");
    cr_assert_eq(lv_test_navigate(v, "/counter"), 0);
    assert_html_has(v, "id=\"count\"");
}
