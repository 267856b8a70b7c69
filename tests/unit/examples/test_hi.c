/* The hi example (examples/hi.c): a path parameter, decoded and escaped,
 * and patches between names. */
#include "examples_app.h"

TestSuite(hi, .init = examples_setup, .fini = examples_teardown);

Test(hi, greets_the_path_segment)
{
    lv_test_view *v = live("/hi/caf%C3%A9");
    assert_html_has(v, "<h1 id=\"greeting\">Hello, café!</h1>");
    assert_html_has(v, "<span id=\"patches\">1</span>");
}

Test(hi, escapes_the_name)
{
    lv_test_view *v = live("/hi/%3Cscript%3E");
    assert_html_has(v, "Hello, &lt;script&gt;!");
}

Test(hi, patches_count_on_the_connection)
{
    lv_test_view *v = live("/hi/world");
    cr_assert_eq(lv_test_patch(v, "/hi/alice"), 0);
    cr_assert_eq(lv_test_patch(v, "/hi/bob"), 0);
    assert_html_has(v, "Hello, bob!");
    assert_html_has(v, "<span id=\"patches\">3</span>");
}
