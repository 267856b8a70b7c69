/* The volunteers example (examples/volunteers.c): a changeset form, the
 * sheet shared over pub/sub, check out and in. */
#include "examples_app.h"

TestSuite(volunteers, .init = examples_setup, .fini = examples_teardown);

Test(volunteers, signs_up_and_both_windows_see_it)
{
    lv_test_view *a = live("/volunteers");
    lv_test_view *b = live("/volunteers");
    assert_html_has(a, "id=\"empty\"");
    cr_assert_eq(lv_test_change(a, "validate", "volunteer%5Bname%5D=A&volunteer%5Bphone%5D=&volunteer%5B_unused_phone%5D="), 0);
    assert_html_has(a, "should be at least 2 character(s)");
    cr_assert_eq(lv_test_submit(a, "save", "volunteer%5Bname%5D=Ada&volunteer%5Bphone%5D=555-555-1234"), 0);
    assert_html_has(a, "Thanks, Ada: you are on the list.");
    assert_html_has(a, "<li id=\"volunteer-1\"");
    assert_html_has(b, "<span class=\"name\">Ada</span>");
    assert_html_has(b, "<span class=\"phone\">555-555-1234</span>");
    assert_html_has(b, "1 volunteer, 0 checked out");
    assert_html_lacks(b, "id=\"empty\"");
}

Test(volunteers, a_phone_signs_up_once)
{
    lv_test_view *v = live("/volunteers");
    cr_assert_eq(lv_test_submit(v, "save", "volunteer%5Bname%5D=Ada&volunteer%5Bphone%5D=5555551234"), 0);
    cr_assert_eq(lv_test_submit(v, "save", "volunteer%5Bname%5D=Bob&volunteer%5Bphone%5D=555.555.1234"), 0);
    assert_html_has(v, "has already signed up");
    assert_html_has(v, "1 volunteer, 0 checked out");
}

Test(volunteers, checks_out_and_in)
{
    lv_test_view *v = live("/volunteers");
    cr_assert_eq(lv_test_submit(v, "save", "volunteer%5Bname%5D=Ada&volunteer%5Bphone%5D=5555551234"), 0);
    lv_value *id = value_of("id", "1");
    cr_assert_eq(lv_test_click(v, "toggle", id), 0);
    assert_html_has(v, "class=\"volunteer out\"");
    assert_html_has(v, "1 volunteer, 1 checked out");
    cr_assert_eq(lv_test_click(v, "toggle", id), 0);
    lv_value_delete(id);
    assert_html_has(v, "Check out</button>");
}
