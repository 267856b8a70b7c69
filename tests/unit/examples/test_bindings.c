/* The bindings example (examples/bindings.c): the events each binding
 * sends, as the client sends them, and the HTTP side of
 * phx-trigger-action. */
#include "examples_app.h"

TestSuite(bindings, .init = examples_setup, .fini = examples_teardown);

Test(bindings, the_page_carries_every_binding)
{
    lv_test_view *v = live("/bindings");
    assert_html_has(v, "phx-focus=\"focused\" phx-blur=\"blurred\" phx-keyup=\"key_up\"");
    assert_html_has(v, "phx-throttle=\"30000\"");
    assert_html_has(v, "phx-mounted=\"[[&quot;push&quot;,{&quot;event&quot;:&quot;mounted_note&quot;}]");
    assert_html_has(v, "&quot;page_loading&quot;:true");
    assert_html_has(v, "action=\"/bindings/submit\" method=\"post\" phx-submit=\"save_name\"");
    assert_html_lacks(v, "phx-submit=\"save_name\" phx-trigger-action");
    assert_html_lacks(v, "id=\"menu\"");
}

Test(bindings, click_away_focus_blur_keyup_and_counts)
{
    lv_test_view *v = live("/bindings");
    cr_assert_eq(lv_test_click(v, "open_menu", NULL), 0);
    assert_html_has(v, "phx-click-away=\"close_menu\"");
    cr_assert_eq(lv_test_click(v, "close_menu", NULL), 0);
    assert_html_lacks(v, "id=\"menu\"");
    assert_html_has(v, "<span id=\"click-aways\">1</span>");
    cr_assert_eq(lv_test_click(v, "close_menu", NULL), 0);
    assert_html_has(v, "<span id=\"click-aways\">1</span>"); /* nothing was open */
    cr_assert_eq(lv_test_click(v, "focused", NULL), 0);
    assert_html_has(v, "<span id=\"focus-state\">focused</span>");
    cr_assert_eq(lv_test_keyup(v, "key_up", "q"), 0);
    assert_html_has(v, "<kbd id=\"last-key\">q</kbd>");
    cr_assert_eq(lv_test_click(v, "blurred", NULL), 0);
    assert_html_has(v, "<span id=\"focus-state\">blurred</span>");
    cr_assert_eq(lv_test_click(v, "mounted_note", NULL), 0);
    assert_html_has(v, "<span id=\"mounted-seen\">1</span>");
    cr_assert_eq(lv_test_click(v, "toggle_box", NULL), 0);
    assert_html_has(v, "id=\"mounted-box\"");
}

Test(bindings, trigger_action_after_a_valid_name_then_the_post_saves_it)
{
    lv_test_view *v = live("/bindings");
    cr_assert_eq(lv_test_submit(v, "save_name", "name=%3Cb%3E"), 0);
    assert_html_has(v, "id=\"name-error\"");
    assert_html_lacks(v, "phx-submit=\"save_name\" phx-trigger-action");
    cr_assert_eq(lv_test_submit(v, "save_name", "name=Ada+L."), 0);
    assert_html_has(v, "phx-submit=\"save_name\" phx-trigger-action");
    assert_html_lacks(v, "id=\"name-error\"");
    /* What the browser then does: the form's POST, with the page's token. */
    cr_assert_eq(lv_test_post(t, "/bindings/submit", "name=Ada+L."), 303);
    cr_assert_str_eq(lv_test_redirect(t), "/bindings");
    v = live("/bindings");
    assert_html_has(v, "The session says: Ada L..");
}

Test(bindings, the_post_checks_the_name_and_the_token)
{
    live("/bindings");
    cr_assert_eq(lv_test_post(t, "/bindings/submit", "name="), 422);
    cr_assert_eq(lv_test_post(t, "/bindings/submit", "name=ada&_csrf_token=forged"), 403);
}
