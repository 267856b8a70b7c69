/* The feed example (examples/feed.c): a stream. Posts go on top, the page
 * keeps 50, delete and clear, and auto-posting on the test's clock. */
#include "examples_app.h"

TestSuite(feed, .init = examples_setup, .fini = examples_teardown);

/* The position of a post in the page, or -1. */
static long position(lv_test_view *v, int id)
{
    char needle[32];
    snprintf(needle, sizeof needle, "<li id=\"posts-%d\"", id);
    const char *html = lv_test_html(v);
    const char *at = strstr(html, needle);
    return at ? at - html : -1;
}

Test(feed, new_posts_go_on_top_and_stay_across_renders)
{
    lv_test_view *v = live("/feed");
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 3);
    cr_assert_lt(position(v, 3), position(v, 1), "newest first");
    cr_assert_eq(lv_test_click(v, "post", NULL), 0);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 4, "the client keeps the posts the server forgot");
    cr_assert_lt(position(v, 4), position(v, 3));
    assert_html_has(v, "<span id=\"posted\">4</span>");
    assert_html_has(v, "wants &lt;b&gt;bold&lt;/b&gt; text");
}

Test(feed, keeps_the_latest_fifty)
{
    lv_test_view *v = live("/feed");
    lv_value *count = value_of("count", "100");
    cr_assert_eq(lv_test_click(v, "burst", count), 0);
    lv_value_delete(count);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 50);
    cr_assert_geq(position(v, 103), 0);
    cr_assert_eq(position(v, 53), -1, "the oldest went");
}

Test(feed, delete_and_clear)
{
    lv_test_view *v = live("/feed");
    lv_value *id = value_of("id", "posts-2");
    cr_assert_eq(lv_test_click(v, "delete", id), 0);
    lv_value_delete(id);
    cr_assert_eq(position(v, 2), -1);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 2);
    cr_assert_eq(lv_test_click(v, "clear", NULL), 0);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 0);
    cr_assert_eq(lv_test_click(v, "post", NULL), 0);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 1);
    cr_assert_geq(position(v, 4), 0);
}

Test(feed, a_bad_delete_is_an_error)
{
    lv_test_view *v = live("/feed");
    lv_value *id = value_of("id", "other-1");
    cr_assert_neq(lv_test_click(v, "delete", id), 0);
    lv_value_delete(id);
    cr_assert_str_eq(lv_test_error(v), "the view crashed");
}

Test(feed, auto_posts_every_second_then_stops)
{
    lv_test_view *v = live("/feed");
    cr_assert_eq(lv_test_click(v, "auto", NULL), 0);
    assert_html_has(v, "Stop auto-posting");
    cr_assert_eq(lv_test_advance(t, 2500), 2);
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 5);
    cr_assert_eq(lv_test_advance(t, 60000), 58, "60 posts at most");
    assert_html_has(v, "Auto-post every second");
    cr_assert_eq(html_count(v, "<li id=\"posts-"), 50);
    cr_assert_eq(lv_test_advance(t, 5000), 0);
}
