/* Nested params by path. */
#include <criterion/criterion.h>
#include <string.h>

#include "live/live.h"
#include "util/form.h"

static json_t *decode(const char *form)
{
    json_t *obj = NULL;
    cr_assert_eq(lv_form_decode(form, strlen(form), NULL, &obj), LV_FORM_OK);
    return obj;
}

Test(params, paths_use_the_field_name_syntax)
{
    json_t *obj = decode("user[name]=bob&user[address][city]=Lyon&tags[]=a&tags[]=b&n=1");
    lv_params p = {obj};
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
    json_decref(obj);
}

Test(params, malformed_paths_find_nothing)
{
    json_t *obj = decode("a[b]=1");
    lv_params p = {obj};
    const char *bad[] = {"a[", "a]", "[b]", "a[b]c", "a[]", "a[[b]]", "a[b", "", "a[b][c]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_null(lv_param_path(&p, bad[i]), "%s", bad[i]);
    cr_assert_null(lv_param_path(NULL, "a[b]"));
    json_decref(obj);
}

Test(params, numbers_and_booleans_read_as_text)
{
    json_t *obj = json_pack("{s:{s:i, s:b, s:f}}", "v", "i", 42, "b", 1, "f", 1.5);
    lv_params p = {obj};
    cr_assert_str_eq(lv_param_path(&p, "v[i]"), "42");
    cr_assert_str_eq(lv_param_path(&p, "v[b]"), "true");
    cr_assert_str_eq(lv_param_path(&p, "v[f]"), "1.5");
    json_decref(obj);
}

Test(params, a_subtree_as_a_value)
{
    json_t *obj = decode("user[name]=bob&user[tags][]=x");
    lv_params p = {obj};
    lv_value *v = lv_params_value(&p, "user");
    cr_assert_eq(lv_value_kind_of(v), LV_VALUE_MAP);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(v, "name")), "bob");
    cr_assert_eq(lv_list_len(lv_map_get(v, "tags")), 1);
    lv_value_delete(v);
    cr_assert_null(lv_params_value(&p, "nope"));
    v = lv_params_value(&p, NULL);
    cr_assert_eq(lv_map_len(v), 1);
    lv_value_delete(v);
    json_decref(obj);
}
