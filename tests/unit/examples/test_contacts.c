/* The contacts example (examples/contacts.c): 100 row components loaded
 * with one update_many call, send_update now and after a delay, and a
 * row's events putting flash, pushing an event and patching the URL. */
#include "examples_app.h"

TestSuite(contacts, .init = examples_setup, .fini = examples_teardown);

Test(contacts, a_hundred_rows_in_one_query)
{
    lv_test_view *v = live("/contacts");
    assert_html_has(v, "<b id=\"rows-loaded\">100</b> rows were loaded in <b id=\"queries\">1</b> query");
    assert_html_has(v, "Ken Thompson");
    cr_assert_eq(html_count(v, "data-phx-component="), 100);
}

Test(contacts, highlight_now_and_off_a_second_later)
{
    lv_test_view *v = live("/contacts");
    lv_value *id = value_of("id", "7");
    cr_assert_eq(lv_test_click(v, "highlight", id), 0);
    lv_value_delete(id);
    assert_html_has(v, "id=\"contact-7\" class=\"highlight\"");
    cr_assert_eq(lv_test_advance(t, 999), 0);
    assert_html_has(v, "class=\"highlight\"");
    cr_assert_eq(lv_test_advance(t, 1), 1);
    assert_html_lacks(v, "class=\"highlight\"");
    /* The rows' data stayed: no query ran for the updates. */
    assert_html_has(v, "<b id=\"queries\">1</b>");
}

Test(contacts, a_row_flashes_pushes_and_patches)
{
    lv_test_view *v = live("/contacts");
    lv_test_event star = {.type = "click", .event = "star", .target = "contact-12"};
    cr_assert_eq(lv_test_push(v, &star), 0);
    cr_assert_str_eq(lv_test_flash(v, "info"), "Starred Grace Hopper.");
    cr_assert_eq(lv_value_int_of(lv_map_get(lv_test_pushed(v, "starred"), "id")), 12);
    assert_html_has(v, "★");
    lv_test_event select = {.type = "click", .event = "select", .target = "contact-12"};
    cr_assert_eq(lv_test_push(v, &select), 0);
    cr_assert_str_eq(lv_test_path(v), "/contacts?selected=12");
    assert_html_has(v, "<b id=\"selected\">Grace Hopper</b>");
}
