/* The admin example (examples/admin.c): a live session whose on_mount hook
 * sends visitors who are not signed in to /login, and live navigation that
 * stays on the socket within the session only. */
#include "examples_app.h"

TestSuite(admin, .init = examples_setup, .fini = examples_teardown);

static void sign_in(const char *name)
{
    live("/login");
    char body[64];
    snprintf(body, sizeof body, "name=%s", name);
    cr_assert_eq(lv_test_post(t, "/login", body), 303);
}

Test(admin, a_visitor_not_signed_in_is_sent_to_login)
{
    cr_assert_null(lv_test_live(t, "/admin"));
    cr_assert_eq(lv_test_status(t), 302);
    cr_assert_str_eq(lv_test_redirect(t), "/login");
    cr_assert_null(lv_test_live(t, "/admin/users"));
    cr_assert_str_eq(lv_test_redirect(t), "/login");
}

Test(admin, the_hook_assigns_the_current_user)
{
    sign_in("ada");
    lv_test_view *v = live("/admin");
    assert_html_has(v, "<b id=\"current-user\">ada</b>");
    assert_html_has(v, "<code id=\"live-session\">admin</code>");
}

Test(admin, navigation_inside_the_session_stays_live)
{
    sign_in("grace");
    lv_test_view *v = live("/admin");
    cr_assert_eq(lv_test_navigate(v, "/admin/users"), 0, "%s", lv_test_error(v) ? lv_test_error(v) : "");
    cr_assert(lv_test_alive(v));
    cr_assert_str_eq(lv_test_path(v), "/admin/users");
    assert_html_has(v, "<li>grace</li>");
    cr_assert_eq(lv_test_navigate(v, "/admin"), 0);
    assert_html_has(v, "Admin overview");
}

Test(admin, navigation_out_of_the_session_is_a_page_load)
{
    sign_in("linus");
    lv_test_view *v = live("/admin");
    cr_assert_eq(lv_test_navigate(v, "/counter"), -1);
    cr_assert_not(lv_test_alive(v));
    cr_assert_str_eq(lv_test_redirect(t), "/counter");
    /* And into it from the default session's page. */
    lv_test_view *counter = live("/counter");
    cr_assert_eq(lv_test_navigate(counter, "/admin/users"), -1);
    cr_assert_str_eq(lv_test_redirect(t), "/admin/users");
    lv_test_view *users = live(lv_test_redirect(t));
    assert_html_has(users, "<li>linus</li>");
}
