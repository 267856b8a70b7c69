/* The live navigation example (examples/livenav.c): push_patch,
 * push_navigate with flash over the same connection, and a full redirect
 * whose flash survives in a cookie. */
#include "examples_app.h"

TestSuite(livenav, .init = examples_setup, .fini = examples_teardown);

Test(livenav, push_patch_changes_the_tab)
{
    lv_test_view *v = live("/livenav");
    assert_html_has(v, "<b id=\"tab\">1</b>");
    cr_assert_eq(lv_test_click(v, "next_tab", NULL), 0);
    cr_assert_str_eq(lv_test_path(v), "/livenav?tab=2");
    assert_html_has(v, "<b id=\"tab\">2</b>");
    assert_html_has(v, "<span id=\"patches\">2</span>");
}

Test(livenav, push_navigate_joins_b_with_the_flash_and_back)
{
    lv_test_view *v = live("/livenav");
    cr_assert_eq(lv_test_click(v, "navigate", NULL), 0);
    cr_assert(lv_test_alive(v), "%s", lv_test_error(v));
    cr_assert_str_eq(lv_test_path(v), "/livenav/b?from=navigate");
    assert_html_has(v, "<b id=\"from\">navigate</b>");
    cr_assert_str_eq(lv_test_flash(v, "info"), "Welcome to B: you came with push_navigate.");
    assert_html_has(v, "id=\"flash-info\"");

    cr_assert_eq(lv_test_click(v, "back", NULL), 0);
    cr_assert_str_eq(lv_test_path(v), "/livenav?tab=2");
    assert_html_has(v, "<b id=\"tab\">2</b>");
    assert_html_has(v, "Back on A, tab 2, from B.");
}

Test(livenav, redirect_is_a_page_load_carrying_the_flash)
{
    lv_test_view *v = live("/livenav");
    cr_assert_eq(lv_test_click(v, "redirect", NULL), 0);
    cr_assert_not(lv_test_alive(v));
    cr_assert_str_eq(lv_test_redirect(t), "/livenav/b?from=redirect");
    lv_test_view *b = live(lv_test_redirect(t));
    assert_html_has(b, "<b id=\"from\">redirect</b>");
    assert_html_has(b, "Welcome to B: you came with a full redirect.");
    cr_assert_neq(lv_test_click(v, "navigate", NULL), 0, "the old page has gone");
}

Test(livenav, a_redirect_link_navigates)
{
    lv_test_view *v = live("/livenav");
    cr_assert_eq(lv_test_navigate(v, "/livenav/b?from=link"), 0);
    assert_html_has(v, "<b id=\"from\">link</b>");
    cr_assert_eq(lv_test_patch(v, "/livenav?tab=3"), 0, "a patch to another view navigates");
    assert_html_has(v, "<b id=\"tab\">3</b>");
}

Test(livenav, mount_can_send_the_browser_elsewhere)
{
    cr_assert_null(lv_test_live(t, "/navtest?mount_redirect=/counter"));
    cr_assert_eq(lv_test_status(t), 302);
    cr_assert_str_eq(lv_test_redirect(t), "/counter");
}
