/* The autocomplete example (examples/autocomplete.c): suggestions on
 * change, a pick on submit. */
#include "examples_app.h"

TestSuite(autocomplete, .init = examples_setup, .fini = examples_teardown);

Test(autocomplete, suggests_then_picks)
{
    lv_test_view *v = live("/autocomplete");
    cr_assert_eq(lv_test_change(v, "suggest", "search%5Bq%5D=cl"), 0);
    assert_html_has(v, "<ul id=\"suggestions\"><li>Clojure</li></ul>");
    assert_html_has(v, "<option value=\"Clojure\"></option>");
    cr_assert_eq(lv_test_change(v, "suggest", "search%5Bq%5D=c"), 0);
    assert_html_has(v, "<li>C#</li>");
    cr_assert_eq(html_count(v, "<li>"), 8, "at most 8 suggestions");
    assert_html_has(v, "<span id=\"events\">2</span>");
    cr_assert_eq(lv_test_submit(v, "pick", "search%5Bq%5D=Elixir"), 0);
    assert_html_has(v, "<p id=\"picked\">You picked Elixir.</p>");
}
