/* The sort example (examples/sort.c): four query params, a form answered
 * with push_patch, prev/next live_patch links. */
#include "examples_app.h"

TestSuite(sort, .init = examples_setup, .fini = examples_teardown);

Test(sort, defaults_then_the_form_patches_the_url)
{
    lv_test_view *v = live("/sort");
    assert_html_has(v, "Page 1 of 5, 5 per page, sorted by name (asc)");
    assert_html_has(v, "<td>Aconcagua</td>");
    assert_html_lacks(v, "id=\"prev\"");
    cr_assert_eq(lv_test_change(v, "sort", "sort_by=height_m&sort_order=desc&per_page=10"), 0);
    cr_assert_str_eq(lv_test_path(v), "/sort?page=1&per_page=10&sort_by=height_m&sort_order=desc");
    assert_html_has(v, "Page 1 of 3, 10 per page, sorted by height_m (desc)");
    assert_html_has(v, "<tbody><tr><td>Everest</td>");
    assert_html_has(v, "<option value=\"height_m\" selected>Height</option>");
    assert_html_has(v, "<option value=\"desc\" selected>descending</option>");
}

Test(sort, next_and_previous_keep_the_order)
{
    lv_test_view *v = live("/sort?sort_by=first_ascent&sort_order=asc&per_page=5&page=1");
    assert_html_has(v, "<tbody><tr><td>Fuji</td>");
    assert_html_has(v, "href=\"/sort?page=2&amp;per_page=5&amp;sort_by=first_ascent&amp;sort_order=asc\"");
    cr_assert_eq(lv_test_patch(v, "/sort?page=2&per_page=5&sort_by=first_ascent&sort_order=asc"), 0);
    assert_html_has(v, "Page 2 of 5");
    assert_html_has(v, "id=\"prev\" href=\"/sort?page=1&amp;per_page=5&amp;sort_by=first_ascent");
}

Test(sort, bad_params_fall_back)
{
    lv_test_view *v = live("/sort?page=99&per_page=7&sort_by=evil&sort_order=sideways");
    assert_html_has(v, "Page 5 of 5, 5 per page, sorted by name (asc)");
    assert_html_lacks(v, "id=\"next\"");
    cr_assert_eq(lv_test_patch(v, "/sort?page=-3"), 0);
    assert_html_has(v, "Page 1 of 5");
}
