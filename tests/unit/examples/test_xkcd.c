/* The comics example (examples/xkcd.c): the dead render reads the archive,
 * the connected view fetches asynchronously with a loading state, and the
 * latest request wins. */
#include "examples_app.h"

TestSuite(xkcd, .init = examples_setup, .fini = examples_teardown);

Test(xkcd, the_dead_render_has_the_comic)
{
    cr_assert_eq(lv_test_get(t, "/xkcd?num=3"), 200);
    cr_assert(strstr(lv_test_body(t), "#3: Island") != NULL);
    cr_assert(strstr(lv_test_body(t), "src=\"/xkcd/art?num=3\"") != NULL);
}

Test(xkcd, loading_then_the_comic_and_links_around_it)
{
    lv_test_view *v = live("/xkcd?num=3");
    assert_html_has(v, "Fetching comic #3");
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_has(v, "<h2 id=\"comic-title\">#3: Island</h2>");
    assert_html_has(v, "id=\"prev\" href=\"/xkcd?num=2\"");
    assert_html_has(v, "id=\"next\" href=\"/xkcd?num=4\"");
    assert_html_lacks(v, "id=\"random\" href=\"/xkcd?num=3\"");
    cr_assert_eq(lv_test_patch(v, "/xkcd?num=12"), 0);
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_has(v, "#12: Compiling");
    assert_html_has(v, "id=\"next\" href=\"/xkcd?num=1\""); /* the archive wraps around */
}

/* Both fetches run and the last asked for shows. (The test runtime
 * completes work in the order it was queued, so a stale result arriving
 * last, which the view drops by name, cannot be staged here.) */
Test(xkcd, every_request_fetches_and_the_last_one_shows)
{
    lv_test_view *v = live("/xkcd?num=1");
    cr_assert_eq(lv_test_patch(v, "/xkcd?num=2"), 0);
    cr_assert_eq(lv_test_run_async(t), 2, "both fetches run");
    assert_html_has(v, "#2: Petit Trees");
    assert_html_lacks(v, "#1: Barrel");
}

Test(xkcd, unknown_numbers_show_the_latest)
{
    lv_test_view *v = live("/xkcd?num=999");
    cr_assert_eq(lv_test_run_async(t), 1);
    assert_html_has(v, "#12: Compiling");
}

Test(xkcd, the_art_is_an_svg_per_comic)
{
    cr_assert_eq(lv_test_get(t, "/xkcd/art?num=5"), 200);
    cr_assert(strncmp(lv_test_body(t), "<svg ", 5) == 0);
    cr_assert(strstr(lv_test_body(t), ">#5</text>") != NULL);
    cr_assert_eq(lv_test_get(t, "/xkcd/art?num=0"), 404);
    cr_assert_eq(lv_test_get(t, "/xkcd/art?num=abc"), 404);
    cr_assert_eq(lv_test_get(t, "/xkcd/art"), 404);
}
