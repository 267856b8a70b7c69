/* The hello toggle example (examples/hello_toggle.c). */
#include "examples_app.h"

TestSuite(hello_toggle, .init = examples_setup, .fini = examples_teardown);

Test(hello_toggle, a_click_flips_the_greeting_and_back)
{
    lv_test_view *v = live("/helloToggle");
    assert_html_has(v, "<p id=\"greeting\" class=\"greeting\">Hello World</p>");
    assert_html_has(v, "aria-pressed=\"false\"");
    cr_assert_eq(lv_test_click(v, "toggle", NULL), 0);
    assert_html_has(v, "<p id=\"greeting\" class=\"greeting\">👋 Hello, World! 🌎</p>");
    assert_html_has(v, "aria-pressed=\"true\"");
    cr_assert_eq(lv_test_click(v, "toggle", NULL), 0);
    assert_html_has(v, ">Hello World</p>");
}
