/* The search example (examples/search.c): a loading state, then async
 * work run when the test says. */
#include "examples_app.h"

TestSuite(search, .init = examples_setup, .fini = examples_teardown);

Test(search, shows_loading_then_the_results)
{
    lv_test_view *v = live("/search");
    cr_assert_eq(lv_test_submit(v, "search", "query=59601"), 0);
    assert_html_has(v, "id=\"loading\"");
    assert_html_has(v, "readonly");
    assert_html_lacks(v, "id=\"summary\"");
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_lacks(v, "id=\"loading\"");
    assert_html_has(v, "2 stores");
    assert_html_has(v, "Downtown Helena");
    assert_html_has(v, "Westside Helena");
    assert_html_lacks(v, "Butte");
}

Test(search, a_newer_search_wins)
{
    lv_test_view *v = live("/search");
    cr_assert_eq(lv_test_submit(v, "search", "query=Butte"), 0);
    cr_assert_eq(lv_test_submit(v, "search", "query=Missoula"), 0);
    cr_assert_eq(lv_test_run_async(t), 2);
    assert_html_has(v, "North Missoula");
    assert_html_lacks(v, "Downtown Butte");
}

Test(search, nothing_found)
{
    lv_test_view *v = live("/search");
    cr_assert_eq(lv_test_submit(v, "search", "query=Paris"), 0);
    lv_test_run_async(t);
    assert_html_has(v, "0 stores");
}
