/* The servers example (examples/servers.c): live_patch links and the
 * title set by handle_params. */
#include "examples_app.h"

TestSuite(servers, .init = examples_setup, .fini = examples_teardown);

Test(servers, shows_the_first_server_then_the_patched_one)
{
    lv_test_view *v = live("/servers");
    assert_html_has(v, "<h2 id=\"server-name\">dancing-lizard</h2>");
    cr_assert_str_eq(lv_test_title(v), "dancing-lizard · Servers");
    cr_assert_eq(lv_test_patch(v, "/servers?name=curious-cat"), 0);
    assert_html_has(v, "<h2 id=\"server-name\">curious-cat</h2>");
    assert_html_has(v, "<b id=\"server-status\">down</b>");
    cr_assert_str_eq(lv_test_title(v), "curious-cat · Servers");
    cr_assert_str_eq(lv_test_path(v), "/servers?name=curious-cat");
}

Test(servers, an_unknown_name_shows_the_first)
{
    lv_test_view *v = live("/servers?name=nope");
    assert_html_has(v, "dancing-lizard</h2>");
}
