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

Test(js_commands, the_new_commands_are_in_the_page)
{
    lv_test_view *v = live("/js");
    assert_html_has(v, "&quot;toggle_attr&quot;,{&quot;attr&quot;:[&quot;data-state&quot;,&quot;on&quot;,&quot;off&quot;]");
    assert_html_has(v, "phx-mounted=\"[[&quot;ignore_attrs&quot;,{&quot;attrs&quot;:[&quot;open&quot;]}]]\"");
    assert_html_has(v, "[[&quot;push_focus&quot;,{}],[&quot;show&quot;");
    assert_html_has(v, "[&quot;focus_first&quot;,{&quot;to&quot;:&quot;#dialog&quot;}]");
    assert_html_has(v, "[&quot;pop_focus&quot;,{}]");
}

/* One mark: the render, an event dispatched before it and one after. */
Test(js_commands, a_mark_pushes_an_event_before_and_one_after)
{
    lv_test_view *v = live("/js");
    cr_assert_eq(lv_test_click(v, "mark", NULL), 0);
    assert_html_has(v, "<span id=\"marks\">1</span>");
    cr_assert_eq(lv_test_pushed_count(v, "seen_before"), 1);
    cr_assert_eq(lv_test_pushed_count(v, "seen_after"), 1);
}

/* hexdocs.pm is on the examples' allow-list (main.c sets it, the test app
 * here does not): with the default configuration both are refused. */
Test(js_commands, an_external_redirect_needs_an_allowed_host)
{
    lv_test_view *v = live("/js");
    lv_value *to = lv_map_new();
    lv_map_set_str(to, "to", "docs");
    cr_assert_eq(lv_test_click(v, "redirect", to), 0);
    assert_html_has(v, "The redirect was refused.");
    cr_assert(lv_test_alive(v));
    lv_value_delete(to);
}

Test(js_commands, an_allowed_host_is_followed)
{
    lv_test_free(t);
    lv_app_free(app);
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.log = quiet_log;
    cfg.allowed_redirect_hosts = "hexdocs.pm";
    app = lv_app_new(&cfg);
    cr_assert_eq(lv_examples_register(app), 0);
    t = lv_test_new(app);
    lv_test_view *v = live("/js");
    lv_value *to = lv_map_new();
    lv_map_set_str(to, "to", "elsewhere");
    cr_assert_eq(lv_test_click(v, "redirect", to), 0);
    assert_html_has(v, "The redirect was refused.");
    lv_map_set_str(to, "to", "docs");
    cr_assert_eq(lv_test_click(v, "redirect", to), 0);
    cr_assert_str_eq(lv_test_redirect(t), "https://hexdocs.pm/phoenix_live_view/Phoenix.LiveView.JS.html");
    cr_assert(!lv_test_alive(v));
    lv_value_delete(to);
}
