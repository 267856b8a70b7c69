/* Lists and maps: equality for change tracking, hashing, the public
 * builders of liveview.h and their ownership rules. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "render/assigns.h"
#include "util/value.h"

static lv_value *todo(int64_t id, const char *text, bool done)
{
    lv_value *m = lv_map_new();
    lv_map_set_int(m, "id", id);
    lv_map_set_str(m, "text", text);
    lv_map_set_bool(m, "done", done);
    return m;
}

Test(structured, builders_and_getters)
{
    lv_value *list = lv_list_new();
    lv_list_push(list, todo(1, "milk", false));
    lv_list_push(list, todo(2, "<eggs>", true));
    lv_list_push_str(list, "x");
    lv_list_push_int(list, 5);
    cr_assert_eq(lv_value_kind_of(list), LV_VALUE_LIST);
    cr_assert_eq(lv_list_len(list), 4);
    const lv_value *second = lv_list_at(list, 1);
    cr_assert_eq(lv_map_len(second), 3);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(second, "text")), "<eggs>");
    cr_assert(lv_value_bool_of(lv_map_get(second, "done")));
    cr_assert_eq(lv_value_int_of(lv_map_get(second, "id")), 2);
    cr_assert_str_eq(lv_map_key_at(second, 2), "done");
    cr_assert_null(lv_map_key_at(second, 3));
    cr_assert_null(lv_list_at(list, 4));
    cr_assert_null(lv_map_get(list, "id"), "a list is not a map");
    cr_assert_eq(lv_value_double_of(lv_list_at(list, 3)), 5.0);

    /* Setting an existing key replaces in place, keeping the order. */
    lv_value *m = todo(3, "a", false);
    lv_map_set_str(m, "id", "three");
    cr_assert_str_eq(lv_map_key_at(m, 0), "id");
    cr_assert_str_eq(lv_value_str_of(lv_map_value_at(m, 0)), "three");
    lv_value_delete(m);

    lv_value *copy = lv_value_copy(list);
    cr_assert(lv_value_equal(copy, list));
    lv_value_delete(copy);
    lv_value_delete(list);
    lv_value_delete(NULL);
}

Test(structured, wrong_kinds_free_what_they_take)
{
    lv_value *not_list = lv_value_new_int(1);
    lv_list_push(not_list, lv_value_new_str("leak?")); /* freed, not leaked (ASan checks) */
    lv_map_set(not_list, "k", lv_value_new_str("leak?"));
    cr_assert_eq(lv_value_int_of(not_list), 1);
    lv_value_delete(not_list);
}

Test(structured, deep_equality_and_hash)
{
    lv_value a = lv_value_list(), b = lv_value_list();
    for (int i = 0; i < 3; i++) {
        lv_value m = lv_value_map();
        lv_value_map_set(&m, "n", lv_value_int(i));
        lv_value_map_set(&m, "s", lv_value_string("x", 1));
        lv_value_list_push(&a, lv_value_clone(&m));
        lv_value_list_push(&b, m);
    }
    cr_assert(lv_value_equal(&a, &b));
    cr_assert_eq(lv_value_hash(&a, 1), lv_value_hash(&b, 1));
    lv_value_map_set(&b.as.list->items[2], "s", lv_value_string("y", 1));
    cr_assert_not(lv_value_equal(&a, &b));
    cr_assert_neq(lv_value_hash(&a, 1), lv_value_hash(&b, 1));

    lv_value s = lv_value_string("<b>", 3), h = lv_value_safe("<b>", 3);
    cr_assert_not(lv_value_equal(&s, &h), "text and safe HTML render differently");
    cr_assert_neq(lv_value_hash(&s, 0), lv_value_hash(&h, 0));
    lv_value n1 = lv_value_double(NAN), n2 = lv_value_double(-NAN);
    cr_assert(lv_value_equal(&n1, &n2));
    cr_assert_eq(lv_value_hash(&n1, 0), lv_value_hash(&n2, 0));
    lv_value empty1 = lv_value_list(), empty2 = lv_value_list();
    lv_value_list_push(&empty2, lv_value_int(1));
    lv_value_free(&empty2.as.list->items[0]);
    empty2.as.list->count = 0; /* allocated but empty equals never allocated */
    cr_assert(lv_value_equal(&empty1, &empty2));
    lv_value_free(&empty2);
    lv_value_free(&s);
    lv_value_free(&h);
    lv_value_free(&a);
    lv_value_free(&b);
}

Test(structured, assigns_change_only_when_deeply_different)
{
    lv_assigns as;
    lv_assigns_init(&as);
    lv_value l = lv_value_list();
    lv_value_list_push(&l, lv_value_string("a", 1));
    lv_assigns_put(&as, "l", lv_value_clone(&l));
    lv_assigns_clear_changed(&as);
    lv_assigns_put(&as, "l", lv_value_clone(&l));
    cr_assert_not(lv_assigns_changed(&as, "l"));
    lv_value_list_push(&l, lv_value_string("b", 1));
    lv_assigns_put(&as, "l", l);
    cr_assert(lv_assigns_changed(&as, "l"));
    lv_assigns_free(&as);
}

Test(structured, value_stays_small)
{
    cr_assert_eq(sizeof(lv_value), 24, "a one-int view costs no more than before lists existed");
}
