/* Presence (examples/presence.c): every tab lists who is on the page,
 * joins, renames and leaves arrive live, and a closed tab leaves. */
#include "examples_app.h"

TestSuite(presence, .init = examples_setup, .fini = examples_teardown);

Test(presence, a_second_tab_appears_in_the_first_and_leaves_when_closed)
{
    lv_test_view *a = live("/presence");
    assert_html_has(a, "1 visitor here");
    assert_html_has(a, "<span class=\"name\">guest-1</span> <span class=\"muted\">(you)</span>");
    lv_test_view *b = live("/presence");
    assert_html_has(b, "2 visitors here");
    assert_html_has(a, "2 visitors here");
    assert_html_has(a, "<span class=\"name\">guest-2</span></li>");
    assert_html_has(a, "<li>guest-2 joined</li>");
    lv_test_close(b);
    assert_html_has(a, "1 visitor here");
    assert_html_lacks(a, "<span class=\"name\">guest-2</span>");
    assert_html_has(a, "<li>guest-2 left</li>");
}

Test(presence, a_new_name_shows_in_every_tab)
{
    lv_test_view *a = live("/presence");
    lv_test_view *b = live("/presence");
    cr_assert_eq(lv_test_submit(b, "rename", "name=%20%20Bob%20"), 0);
    assert_html_has(b, "<span class=\"name\">Bob</span> <span class=\"muted\">(you)</span>");
    assert_html_has(a, "<span class=\"name\">Bob</span></li>");
    assert_html_has(a, "<li>guest-2 is now Bob</li>");
    assert_html_has(a, "2 visitors here");
}

Test(presence, a_bad_name_is_refused_with_a_message)
{
    lv_test_view *a = live("/presence");
    cr_assert_eq(lv_test_submit(a, "rename", "name=%20%20"), 0);
    assert_html_has(a, "A name has 1 to 40 characters.");
    assert_html_has(a, "<span class=\"name\">guest-1</span>");
    char body[128];
    snprintf(body, sizeof body, "name=%s", "0123456789012345678901234567890123456789X");
    cr_assert_eq(lv_test_submit(a, "rename", body), 0);
    assert_html_has(a, "A name has 1 to 40 characters.");
    cr_assert_eq(lv_test_submit(a, "rename", "name=Ann"), 0);
    assert_html_lacks(a, "A name has");
    assert_html_has(a, "<span class=\"name\">Ann</span>");
}

Test(presence, the_page_without_a_connection_lists_who_is_there)
{
    lv_test_view *a = live("/presence");
    cr_assert_not_null(a);
    cr_assert_eq(lv_test_get(t, "/presence"), 200);
    cr_assert(strstr(lv_test_body(t), "<span class=\"name\">guest-1</span>") != NULL, "%s", lv_test_body(t));
}
