/* The async example (examples/async.c): loading, ok and failed states of
 * lv_assign_async, the latest start winning over a slow one, cancel,
 * stream_async pages and an update-only insert, and the log sent once. */
#include "examples_app.h"

TestSuite(async_example, .init = examples_setup, .fini = examples_teardown);

Test(async_example, loads_the_organization_and_the_posts)
{
    cr_assert_eq(lv_test_get(t, "/async"), 200);
    cr_assert(strstr(lv_test_body(t), "Loading the organization"), "the HTTP render shows loading");
    lv_test_view *v = live("/async");
    assert_html_has(v, "id=\"org-loading\"");
    cr_assert_eq(lv_test_run_async(t), 2);
    assert_html_has(v, "<b id=\"org-name\">Acme Corp #1</b>");
    assert_html_has(v, "<li id=\"posts-5\">Post number 5</li>");
    assert_html_has(v, "5 more loaded");
    assert_html_has(v, "<li>line 100</li>");
}

Test(async_example, failure_then_the_latest_start_wins_over_a_slow_one)
{
    lv_test_view *v = live("/async");
    lv_test_run_async(t);
    cr_assert_eq(lv_test_click(v, "fail", NULL), 0);
    assert_html_has(v, "id=\"org-refreshing\"");
    lv_test_run_async(t);
    /* The previous result stays, with the failure beside it. */
    assert_html_has(v, "Acme Corp #1");
    assert_html_has(v, "last attempt: The directory is unreachable.");

    cr_assert_eq(lv_test_click(v, "slow", NULL), 0);
    cr_assert_eq(lv_test_click(v, "reload", NULL), 0);
    cr_assert_eq(lv_test_click(v, "release", NULL), 0);
    cr_assert_eq(lv_test_run_async(t), 2);
    cr_assert_eq(lv_test_click(v, "check", NULL), 0);
    assert_html_has(v, "<span id=\"slow-done\">1</span>");
    assert_html_has(v, "Acme Corp #4");
    assert_html_lacks(v, "Slow Corp");
}

Test(async_example, cancel_and_a_slow_load_released)
{
    lv_test_view *v = live("/async");
    lv_test_run_async(t);
    cr_assert_eq(lv_test_click(v, "slow", NULL), 0);
    cr_assert_eq(lv_test_click(v, "cancel", NULL), 0);
    assert_html_has(v, "last attempt: cancelled");
    cr_assert_eq(lv_test_click(v, "slow", NULL), 0);
    cr_assert_eq(lv_test_click(v, "release", NULL), 0);
    lv_test_run_async(t);
    assert_html_has(v, "Slow Corp #3");
}

Test(async_example, more_posts_and_an_update_only_edit)
{
    lv_test_view *v = live("/async");
    lv_test_run_async(t);
    cr_assert_eq(lv_test_click(v, "more", NULL), 0);
    assert_html_has(v, "loading…");
    lv_test_run_async(t);
    assert_html_has(v, "<li id=\"posts-10\">Post number 10</li>");
    cr_assert_eq(lv_test_click(v, "edit", NULL), 0);
    assert_html_has(v, "<li id=\"posts-1\">Post number 1 (edited)</li>");
    assert_html_lacks(v, "posts-0");
}
