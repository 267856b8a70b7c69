/* The prints example (examples/prints.c): the range input's form changes. */
#include "examples_app.h"

TestSuite(prints, .init = examples_setup, .fini = examples_teardown);

Test(prints, the_price_follows_the_quantity)
{
    lv_test_view *v = live("/prints");
    assert_html_has(v, "type=\"range\" id=\"quantity\" name=\"quantity\" min=\"1\" max=\"100\" value=\"10\"");
    assert_html_has(v, "<dd id=\"total\">$15.00</dd>");
    cr_assert_eq(lv_test_change(v, "update", "quantity=12"), 0);
    assert_html_has(v, "<dd id=\"unit-price\">$1.00</dd>");
    assert_html_has(v, "<dd id=\"total\">$12.00</dd>");
    cr_assert_eq(lv_test_change(v, "update", "quantity=60"), 0);
    assert_html_has(v, "<dd id=\"total\">$45.00</dd>");
}

Test(prints, bad_quantities_are_clamped_or_ignored)
{
    lv_test_view *v = live("/prints");
    cr_assert_eq(lv_test_change(v, "update", "quantity=1000"), 0);
    assert_html_has(v, "<strong id=\"quantity-label\">100</strong>");
    cr_assert_eq(lv_test_change(v, "update", "quantity=-5"), 0);
    assert_html_has(v, "<strong id=\"quantity-label\">1</strong>");
    cr_assert_eq(lv_test_change(v, "update", "quantity=lots"), 0);
    assert_html_has(v, "<strong id=\"quantity-label\">1</strong>");
    cr_assert_eq(lv_test_change(v, "update", ""), 0);
    assert_html_has(v, "<dd id=\"total\">$1.50</dd>");
}
