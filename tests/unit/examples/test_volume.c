/* The volume example (examples/volume.c): window key events, flash and
 * the page title. */
#include "examples_app.h"

TestSuite(volume, .init = examples_setup, .fini = examples_teardown);

Test(volume, arrow_keys_move_the_volume_and_the_title)
{
    lv_test_view *v = live("/volume");
    cr_assert_str_eq(lv_test_title(v), "Volume: 5");
    assert_html_has(v, "<span id=\"volume\" class=\"value\">5</span>");
    cr_assert_eq(html_count(v, "class=\"bar on\""), 5);
    cr_assert_eq(lv_test_keydown(v, "up", "ArrowUp"), 0);
    assert_html_has(v, ">6</span>");
    cr_assert_eq(html_count(v, "class=\"bar on\""), 6);
    cr_assert_str_eq(lv_test_title(v), "Volume: 6");
}

Test(volume, the_edges_flash_and_a_click_clears_it)
{
    lv_test_view *v = live("/volume");
    for (int i = 0; i < 7; i++) cr_assert_eq(lv_test_click(v, "up", NULL), 0);
    assert_html_has(v, ">10</span>");
    cr_assert_str_eq(lv_test_flash(v, "info"), "Maximum volume: it does not go to 11.");
    assert_html_has(v, "id=\"flash-info\"");
    lv_value *key = value_of("key", "info");
    cr_assert_eq(lv_test_click(v, "lv:clear-flash", key), 0);
    lv_value_delete(key);
    cr_assert_null(lv_test_flash(v, "info"));
    assert_html_lacks(v, "flash-info");

    for (int i = 0; i < 12; i++) cr_assert_eq(lv_test_keydown(v, "down", "ArrowDown"), 0);
    assert_html_has(v, "<span id=\"volume\" class=\"value\">0</span>");
    cr_assert_str_eq(lv_test_flash(v, "error"), "Muted: the volume is at 0.");
}
