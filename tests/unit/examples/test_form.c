/* The form example (examples/form.c): validation on change, errors on a
 * bad submit, the list growing on a good one. */
#include "examples_app.h"

TestSuite(form, .init = examples_setup, .fini = examples_teardown);

Test(form, validates_then_saves)
{
    lv_test_view *v = live("/form");
    cr_assert_eq(lv_test_change(v, "validate", "name=ab"), 0);
    assert_html_has(v, "at least 3 characters");
    assert_html_has(v, "aria-invalid=\"true\"");
    cr_assert_eq(lv_test_change(v, "validate", "name=ada"), 0);
    assert_html_lacks(v, "at least 3 characters");

    cr_assert_eq(lv_test_submit(v, "save", "name=x"), 0);
    assert_html_has(v, "at least 3 characters");
    assert_html_lacks(v, "<li>x</li>");

    cr_assert_eq(lv_test_submit(v, "save", "name=Ada+Lovelace"), 0);
    assert_html_has(v, "<ul id=\"names\"><li>Ada Lovelace</li></ul>");
    assert_html_lacks(v, "aria-invalid");
}

Test(form, a_forged_csrf_token_is_refused)
{
    lv_test_view *v = live("/form");
    cr_assert_neq(lv_test_submit(v, "save", "name=Mallory&_csrf_token=forged"), 0);
    cr_assert_str_eq(lv_test_error(v), "invalid CSRF token");
    assert_html_lacks(v, "Mallory");
}
