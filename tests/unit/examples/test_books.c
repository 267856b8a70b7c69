/* The books example (examples/books.c): a changeset form (errors for used
 * fields on change, all of them on submit), edit, cancel and delete. */
#include "examples_app.h"

TestSuite(books, .init = examples_setup, .fini = examples_teardown);

Test(books, shows_the_shelf)
{
    lv_test_view *v = live("/books");
    assert_html_has(v, "<tr id=\"book-1\">");
    assert_html_has(v, "<td class=\"title\">Dune</td>");
    assert_html_has(v, "<p id=\"count\">3 books</p>");
    assert_html_has(v, "Add a book");
}

Test(books, errors_show_for_used_fields_then_all_on_submit)
{
    lv_test_view *v = live("/books");
    cr_assert_eq(lv_test_change(v, "validate",
                                "book%5Btitle%5D=D&book%5Bauthor%5D=&book%5B_unused_author%5D=&book%5Bgenre%5D=&"
                                "book%5B_unused_genre%5D="),
                 0);
    assert_html_has(v, "should be at least 2 character(s)");
    assert_html_lacks(v, "can&#39;t be blank");
    cr_assert_eq(lv_test_submit(v, "save", "book%5Btitle%5D=D&book%5Bauthor%5D=&book%5Bgenre%5D="), 0);
    assert_html_has(v, "can&#39;t be blank");
    assert_html_has(v, "<p id=\"count\">3 books</p>");
}

Test(books, adds_edits_and_deletes_a_book)
{
    lv_test_view *v = live("/books");
    cr_assert_eq(lv_test_submit(v, "save",
                                "book%5Btitle%5D=Solaris&book%5Bauthor%5D=Stanis%C5%82aw+Lem&book%5Byear%5D=1961&"
                                "book%5Bgenre%5D=Science+fiction&book%5Bavailable%5D=true"),
                 0);
    assert_html_has(v, "Added “Solaris”.");
    assert_html_has(v, "<tr id=\"book-4\">");
    assert_html_has(v, "<td class=\"author\">Stanisław Lem</td>");
    assert_html_has(v, "<p id=\"count\">4 books</p>");

    lv_value *id = value_of("id", "4");
    cr_assert_eq(lv_test_click(v, "edit", id), 0);
    assert_html_has(v, "Edit “Solaris”");
    assert_html_has(v, "id=\"cancel\"");
    cr_assert_eq(lv_test_submit(v, "save",
                                "book%5Btitle%5D=Solaris+%28new%29&book%5Bauthor%5D=Lem&book%5Byear%5D=1961&"
                                "book%5Bisbn%5D=&book%5Bgenre%5D=Science+fiction"),
                 0);
    assert_html_has(v, "Saved “Solaris (new)”.");
    assert_html_has(v, "<td class=\"title\">Solaris (new)</td>");
    assert_html_has(v, "Add a book");

    cr_assert_eq(lv_test_click(v, "delete", id), 0);
    lv_value_delete(id);
    assert_html_lacks(v, "id=\"book-4\"");
    assert_html_has(v, "<p id=\"count\">3 books</p>");
}

Test(books, another_window_sees_a_deletion)
{
    lv_test_view *a = live("/books");
    lv_test_view *b = live("/books");
    lv_value *id = value_of("id", "2");
    cr_assert_eq(lv_test_click(a, "delete", id), 0);
    lv_value_delete(id);
    assert_html_lacks(b, "The Odyssey");
    assert_html_has(b, "2 books");
}
