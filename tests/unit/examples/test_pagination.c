/* The pagination example (examples/pagination.c): the query string read
 * by handle_params, live_patch links, and push_patch from an event. */
#include "examples_app.h"

TestSuite(pagination, .init = examples_setup, .fini = examples_teardown);

Test(pagination, reads_the_query_string)
{
    lv_test_view *v = live("/pagination?page=2&per_page=5");
    assert_html_has(v, "Page 2 of 10, 5 per page, sorted by id (asc).");
    assert_html_has(v, "<tr><td>6</td>");
}

Test(pagination, patch_links_change_the_page)
{
    lv_test_view *v = live("/pagination");
    assert_html_has(v, "Page 1 of 5");
    cr_assert_eq(lv_test_patch(v, "/pagination?page=3&per_page=10&sort_by=item&sort_order=desc"), 0);
    cr_assert_str_eq(lv_test_path(v), "/pagination?page=3&per_page=10&sort_by=item&sort_order=desc");
    assert_html_has(v, "Page 3 of 5, 10 per page, sorted by item (desc).");
}

Test(pagination, the_page_size_select_patches_through_the_server)
{
    lv_test_view *v = live("/pagination?page=4");
    cr_assert_eq(lv_test_change(v, "per_page", "per_page=20"), 0);
    cr_assert_str_eq(lv_test_path(v), "/pagination?page=1&per_page=20&sort_by=id&sort_order=asc");
    assert_html_has(v, "Page 1 of 3, 20 per page");
    assert_html_has(v, "<option value=\"20\" selected>");
}
