/* The assigns store: values by name, and their change bits. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "render/assigns.h"
#include "util/value.h"

Test(assigns, put_get_and_changed)
{
    lv_assigns a;
    lv_assigns_init(&a);
    cr_assert_null(lv_assigns_get(&a, "count"));
    cr_assert_not(lv_assigns_changed(&a, "count"));
    cr_assert_not(lv_assigns_any_changed(&a));

    lv_assigns_put(&a, "count", lv_value_int(0));
    const lv_value *v = lv_assigns_get(&a, "count");
    cr_assert_not_null(v);
    cr_assert_eq(v->kind, LV_VALUE_INT);
    cr_assert_eq(v->as.i, 0);
    cr_assert(lv_assigns_changed(&a, "count"), "a new assign is a change");
    cr_assert(lv_assigns_any_changed(&a));

    lv_assigns_clear_changed(&a);
    cr_assert_not(lv_assigns_changed(&a, "count"));
    cr_assert_not(lv_assigns_any_changed(&a));

    lv_assigns_put(&a, "count", lv_value_int(1));
    cr_assert(lv_assigns_changed(&a, "count"));
    cr_assert_eq(lv_assigns_get(&a, "count")->as.i, 1);
    lv_assigns_free(&a);
    cr_assert_eq(a.count, 0);
    cr_assert_null(a.items);
}

Test(assigns, equal_put_is_not_a_change)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "name", lv_value_string("ada", 3));
    lv_assigns_clear_changed(&a);
    /* The equal value is freed by put: ASan would report it otherwise. */
    lv_assigns_put(&a, "name", lv_value_string("ada", 3));
    cr_assert_not(lv_assigns_changed(&a, "name"));
    cr_assert_not(lv_assigns_any_changed(&a));
    cr_assert_str_eq(lv_assigns_get(&a, "name")->as.s.ptr, "ada");

    lv_assigns_put(&a, "name", lv_value_string("bob", 3));
    cr_assert(lv_assigns_changed(&a, "name"));
    cr_assert_str_eq(lv_assigns_get(&a, "name")->as.s.ptr, "bob");
    lv_assigns_free(&a);
}

Test(assigns, equal_put_keeps_a_pending_change)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "n", lv_value_int(1));
    lv_assigns_put(&a, "n", lv_value_int(1));
    cr_assert(lv_assigns_changed(&a, "n"), "the bit from the first put stays until cleared");
    lv_assigns_free(&a);
}

Test(assigns, kind_change_is_a_change)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "x", lv_value_int(1));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "x", lv_value_double(1.0));
    cr_assert(lv_assigns_changed(&a, "x"));
    cr_assert_eq(lv_assigns_get(&a, "x")->kind, LV_VALUE_DOUBLE);
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "x", lv_value_string("1", 1));
    cr_assert(lv_assigns_changed(&a, "x"));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "x", lv_value_null());
    cr_assert(lv_assigns_changed(&a, "x"));
    lv_assigns_free(&a);
}

Test(assigns, change_bits_are_per_name)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "a", lv_value_int(1));
    lv_assigns_put(&a, "b", lv_value_int(2));
    lv_assigns_clear_changed(&a);
    lv_assigns_put(&a, "b", lv_value_int(3));
    cr_assert_not(lv_assigns_changed(&a, "a"));
    cr_assert(lv_assigns_changed(&a, "b"));
    cr_assert_not(lv_assigns_changed(&a, "missing"));
    lv_assigns_free(&a);
}

Test(assigns, names_keep_insertion_order)
{
    static const char *names[] = {"zeta", "alpha", "m", "count", "a_long_assign_name_for_the_pool", "_x1"};
    size_t n = sizeof names / sizeof names[0];
    lv_assigns a;
    lv_assigns_init(&a);
    for (size_t i = 0; i < n; i++) lv_assigns_put(&a, names[i], lv_value_int((int64_t)i));
    cr_assert_eq(a.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(a.items[i].name, names[i]);
        cr_assert_eq(lv_assigns_get(&a, names[i])->as.i, (int64_t)i);
    }
    lv_assigns_free(&a);
}

Test(assigns, many_assigns)
{
    lv_assigns a;
    lv_assigns_init(&a);
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "assign_%d", i);
        lv_assigns_put(&a, name, lv_value_string(name, strlen(name)));
    }
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "assign_%d", i);
        const lv_value *v = lv_assigns_get(&a, name);
        cr_assert_not_null(v);
        cr_assert_str_eq(v->as.s.ptr, name);
        cr_assert_str_eq(a.items[i].name, name);
    }
    lv_assigns_free(&a);
}

Test(assigns, name_aliasing_a_stored_name)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "xcount", lv_value_int(1));
    /* The tail of a stored name is a different name, and its memory moves
     * while it is being added. */
    lv_assigns_put(&a, a.items[0].name + 1, lv_value_int(2));
    cr_assert_eq(a.count, 2);
    cr_assert_str_eq(a.items[0].name, "xcount");
    cr_assert_str_eq(a.items[1].name, "count");
    cr_assert_eq(lv_assigns_get(&a, "count")->as.i, 2);
    lv_assigns_free(&a);
}

Test(assigns, free_is_reusable)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_free(&a); /* freeing an empty store is fine */
    lv_assigns_put(&a, "s", lv_value_string("v", 1));
    lv_assigns_free(&a);
    lv_assigns_put(&a, "s", lv_value_string("w", 1));
    cr_assert_str_eq(lv_assigns_get(&a, "s")->as.s.ptr, "w");
    lv_assigns_free(&a);
}
