/* Params: the read-only view over a map that callbacks receive, by key and
 * by path, and the lifetime of the strings it hands out. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "live/live.h"
#include "util/form.h"

static lv_value decode(const char *form)
{
    lv_value obj;
    cr_assert_eq(lv_form_decode(form, strlen(form), NULL, &obj), LV_FORM_OK);
    return obj;
}

Test(params, paths_use_the_field_name_syntax)
{
    lv_value obj = decode("user[name]=bob&user[address][city]=Lyon&tags[]=a&tags[]=b&n=1");
    lv_params p = lv_params_of(&obj);
    cr_assert_str_eq(lv_param_path(&p, "user[name]"), "bob");
    cr_assert_str_eq(lv_param_path(&p, "user[address][city]"), "Lyon");
    cr_assert_str_eq(lv_param_path(&p, "tags[1]"), "b");
    cr_assert_str_eq(lv_param_path(&p, "n"), "1");
    cr_assert_null(lv_param_path(&p, "user")); /* a map is not a scalar */
    cr_assert_null(lv_param_path(&p, "tags[2]"));
    cr_assert_null(lv_param_path(&p, "user[nope]"));
    cr_assert_eq(lv_params_len(&p, "user"), 2);
    cr_assert_eq(lv_params_len(&p, "tags"), 2);
    cr_assert_eq(lv_params_len(&p, NULL), 3);
    cr_assert_eq(lv_params_len(&p, "n"), 0);
    cr_assert_str_eq(lv_params_key_at(&p, "user", 0), "name");
    cr_assert_str_eq(lv_params_key_at(&p, "user", 1), "address");
    cr_assert_null(lv_params_key_at(&p, "user", 2));
    cr_assert_null(lv_params_key_at(&p, "tags", 0));
    lv_params_release(&p);
    lv_value_free(&obj);
}

Test(params, malformed_paths_find_nothing)
{
    lv_value obj = decode("a[b]=1&l[]=x");
    lv_params p = lv_params_of(&obj);
    const char *bad[] = {"a[", "a]", "[b]", "a[b]c", "a[]", "a[[b]]", "a[b", "", "a[b][c]",
                         "l[-0]", "l[+0]", "l[ 0]", "l[0x]", "l[99999999999999999999]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_null(lv_param_path(&p, bad[i]), "%s", bad[i]);
    cr_assert_str_eq(lv_param_path(&p, "l[0]"), "x");
    cr_assert_null(lv_param_path(NULL, "a[b]"));
    lv_params_release(&p);
    lv_value_free(&obj);
}

Test(params, numbers_and_booleans_read_as_text)
{
    lv_value *v = lv_map_new();
    lv_map_set_int(v, "i", 42);
    lv_map_set_bool(v, "b", true);
    lv_map_set_double(v, "f", 1.5);
    lv_map_set_double(v, "tenth", 0.1);
    lv_map_set_double(v, "whole", 2.0);
    lv_map_set(v, "none", lv_value_new_null());
    lv_value *obj = lv_map_new();
    lv_map_set(obj, "v", v);
    lv_params p = lv_params_of(obj);
    cr_assert_str_eq(lv_param_path(&p, "v[i]"), "42");
    cr_assert_str_eq(lv_param_path(&p, "v[b]"), "true");
    cr_assert_str_eq(lv_param_path(&p, "v[f]"), "1.5");
    /* As a template prints them, which is as JavaScript does. */
    cr_assert_str_eq(lv_param_path(&p, "v[tenth]"), "0.1");
    cr_assert_str_eq(lv_param_path(&p, "v[whole]"), "2");
    cr_assert_null(lv_param_path(&p, "v[none]"));
    lv_params_release(&p);
    lv_value_delete(obj);
}

/* The header promises that strings live as long as the params: reading a
 * second number must not overwrite the text of the first (it used to, from
 * a per-thread buffer), and reading the same one twice gives the same
 * text. */
Test(params, number_texts_live_as_long_as_the_params)
{
    lv_value *obj = lv_map_new();
    lv_map_set_int(obj, "a", 7);
    lv_map_set_double(obj, "b", -2.25);
    lv_map_set_int(obj, "c", INT64_MIN);
    lv_params p = lv_params_of(obj);
    const char *a = lv_param(&p, "a");
    const char *b = lv_param(&p, "b");
    const char *c = lv_param(&p, "c");
    cr_assert_str_eq(a, "7");
    cr_assert_str_eq(b, "-2.25");
    cr_assert_str_eq(c, "-9223372036854775808");
    cr_assert_str_eq(a, "7", "the first text survives later reads");
    cr_assert_eq(lv_param(&p, "a"), a, "a second read of the same number gives the same text");
    cr_assert_str_eq(lv_param(&p, "b"), "-2.25");
    lv_params_release(&p);
    cr_assert_null(p.texts);
    lv_value_delete(obj);
}

Test(params, typed_reads_of_integers)
{
    lv_value *obj = lv_map_new();
    lv_map_set_int(obj, "i", -12);
    lv_map_set_double(obj, "whole", 3.0);
    lv_map_set_double(obj, "half", 3.5);
    lv_map_set_double(obj, "nan", NAN);
    lv_map_set_str(obj, "s", "-40");
    lv_map_set_str(obj, "plus", "+4");
    lv_map_set_str(obj, "big", "99999999999999999999");
    lv_map_set_bool(obj, "b", true);
    lv_params p = lv_params_of(obj);
    cr_assert_eq(lv_param_int(&p, "i", 0), -12);
    cr_assert_eq(lv_param_int(&p, "whole", 0), 3);
    cr_assert_eq(lv_param_int(&p, "half", 9), 9);
    cr_assert_eq(lv_param_int(&p, "nan", 9), 9);
    cr_assert_eq(lv_param_int(&p, "s", 0), -40);
    cr_assert_eq(lv_param_int(&p, "plus", 9), 9);
    cr_assert_eq(lv_param_int(&p, "big", 9), 9);
    cr_assert_eq(lv_param_int(&p, "b", 9), 9);
    cr_assert_eq(lv_param_int(&p, "absent", 9), 9);
    cr_assert_eq(lv_params_count(&p), 8);
    lv_params_release(&p);
    lv_value_delete(obj);
}

Test(params, empty_params_read_as_nothing)
{
    lv_params p = lv_params_of(NULL);
    cr_assert_null(lv_param(&p, "a"));
    cr_assert_eq(lv_param_int(&p, "a", 5), 5);
    cr_assert_eq(lv_params_count(&p), 0);
    cr_assert_eq(lv_params_len(&p, NULL), 0);
    cr_assert_null(lv_params_value(&p, NULL));
    cr_assert_null(lv_param(NULL, "a"));
    cr_assert_eq(lv_params_count(NULL), 0);
    lv_params_release(&p);
}

/* A nested form as handle_event sees it: every level is reachable by key,
 * by path and as a value, and the order of the fields is the form's. */
Test(params, over_a_nested_form)
{
    lv_value obj = decode("order[lines][0][sku]=A1&order[lines][0][qty]=2&order[lines][1][sku]=B2"
                          "&order[note]=a+b%26c&order[tags][]=x&order[tags][]=y&q=1");
    lv_params p = lv_params_of(&obj);
    cr_assert_null(lv_param(&p, "order"));
    cr_assert_str_eq(lv_param(&p, "q"), "1");
    cr_assert_eq(lv_param_int(&p, "q", 0), 1);
    cr_assert_str_eq(lv_param_path(&p, "order[lines][0][sku]"), "A1");
    cr_assert_str_eq(lv_param_path(&p, "order[lines][0][qty]"), "2");
    cr_assert_str_eq(lv_param_path(&p, "order[lines][1][sku]"), "B2");
    cr_assert_str_eq(lv_param_path(&p, "order[note]"), "a b&c");
    cr_assert_str_eq(lv_param_path(&p, "order[tags][1]"), "y");
    cr_assert_eq(lv_params_len(&p, "order"), 3);
    cr_assert_str_eq(lv_params_key_at(&p, "order", 0), "lines");
    cr_assert_str_eq(lv_params_key_at(&p, "order", 2), "tags");
    /* "lines[0]" is a map key here, not a list index: forms make maps. */
    cr_assert_str_eq(lv_params_key_at(&p, "order[lines]", 1), "1");
    lv_value *lines = lv_params_value(&p, "order[lines]");
    cr_assert_eq(lv_value_kind_of(lines), LV_VALUE_MAP);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(lv_map_get(lines, "1"), "sku")), "B2");
    lv_value_delete(lines);
    lv_params_release(&p);
    lv_value_free(&obj);
}

Test(params, a_subtree_as_a_value)
{
    lv_value obj = decode("user[name]=bob&user[tags][]=x");
    lv_params p = lv_params_of(&obj);
    lv_value *v = lv_params_value(&p, "user");
    cr_assert_eq(lv_value_kind_of(v), LV_VALUE_MAP);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(v, "name")), "bob");
    cr_assert_eq(lv_list_len(lv_map_get(v, "tags")), 1);
    lv_value_delete(v);
    cr_assert_null(lv_params_value(&p, "nope"));
    v = lv_params_value(&p, NULL);
    cr_assert_eq(lv_map_len(v), 1);
    lv_value_delete(v);
    lv_params_release(&p);
    lv_value_free(&obj);
}
