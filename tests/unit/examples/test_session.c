/* The session examples (examples/session.c): a POST handler signs in by
 * writing the session cookie, and /me reads it in mount. */
#include "examples_app.h"

TestSuite(session, .init = examples_setup, .fini = examples_teardown);

Test(session, sign_in_then_out)
{
    lv_test_view *me = live("/me");
    assert_html_has(me, "<p id=\"me\">Not signed in.</p>");

    live("/login"); /* the form's page: its CSRF token signs the POST */
    cr_assert_eq(lv_test_post(t, "/login", "name=ada"), 303);
    cr_assert_str_eq(lv_test_redirect(t), "/me");
    me = live("/me");
    assert_html_has(me, "<p id=\"me\">Signed in as ada</p>");

    cr_assert_eq(lv_test_post(t, "/logout", NULL), 303);
    cr_assert_str_eq(lv_test_redirect(t), "/login");
    me = live("/me");
    assert_html_has(me, "Not signed in.");
}

Test(session, a_bad_name_goes_back_with_an_error)
{
    live("/login");
    cr_assert_eq(lv_test_post(t, "/login", "name="), 303);
    cr_assert_str_eq(lv_test_redirect(t), "/login?error=name");
    lv_test_view *login = live(lv_test_redirect(t));
    assert_html_has(login, "Please give a name of 1 to 40 characters.");
}

Test(session, a_post_without_the_pages_token_is_refused)
{
    cr_assert_eq(lv_test_post(t, "/login", "name=ada&_csrf_token=forged"), 403);
    lv_test_view *me = live("/me");
    assert_html_has(me, "Not signed in.");
}

Test(session, sign_out_everywhere_ends_the_session)
{
    live("/login");
    cr_assert_eq(lv_test_post(t, "/login", "name=ada"), 303);
    lv_test_view *me = live("/me");
    assert_html_has(me, "Sign out everywhere");
    cr_assert_eq(lv_test_post(t, "/logout-everywhere", NULL), 303);
    cr_assert_str_eq(lv_test_redirect(t), "/login");
    me = live("/me");
    assert_html_has(me, "Not signed in.");
}
