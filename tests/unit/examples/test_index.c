/* The index example (examples/index.c): a LiveView without dynamics. */
#include "examples_app.h"

TestSuite(index, .init = examples_setup, .fini = examples_teardown);

Test(index, links_every_example)
{
    lv_test_view *v = live("/");
    static const char *const links[] = {"/counter", "/todos", "/form", "/login", "/rtcounter", "/volume",
                                        "/dashboard", "/search", "/pagination", "/servers", "/hi/world",
                                        "/livenav", "/books", "/js", "/autocomplete", "/feed", "/volunteers",
                                        "/decarbonize"};
    for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
        char href[64];
        snprintf(href, sizeof href, "href=\"%s\"", links[i]);
        assert_html_has(v, href);
    }
}

Test(index, an_unknown_path_has_no_view)
{
    cr_assert_null(lv_test_live(t, "/no-such-page"));
    cr_assert_eq(lv_test_status(t), 404);
    cr_assert_not_null(lv_test_last_error(t));
}
