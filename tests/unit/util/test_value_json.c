/* JSON text into values: kinds, key order, the nesting limit (measured
 * before parsing), refusals, and the round trip through the writer. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/value.h"
#include "util/value_json.h"

static lv_value parse_ok(const char *text)
{
    lv_value v;
    lv_json_status st = lv_value_parse_json(text, strlen(text), LV_JSON_MAX_DEPTH, &v);
    cr_assert_eq(st, LV_JSON_OK, "%s: status %d", text, st);
    return v;
}

static void expect_status(const char *text, size_t max_depth, lv_json_status want)
{
    lv_value v = lv_value_int(7);
    cr_expect_eq(lv_value_parse_json(text, strlen(text), max_depth, &v), want, "%s", text);
    if (want != LV_JSON_OK) cr_expect_eq(v.kind, LV_VALUE_NULL, "a refusal leaves null: %s", text);
    lv_value_free(&v);
}

static char *json_of(const lv_value *v)
{
    lv_buf b = LV_BUF_INIT;
    lv_value_append_json(v, &b);
    return lv_buf_take(&b);
}

Test(value_json, scalars_keep_their_kinds)
{
    lv_value v = parse_ok("[1,-2.5,1e3,\"s\",true,false,null,9223372036854775807]");
    cr_assert_eq(lv_value_list_len(&v), 8);
    const lv_value *it = v.as.list->items;
    cr_expect_eq(it[0].kind, LV_VALUE_INT);
    cr_expect_eq(it[0].as.i, 1);
    cr_expect_eq(it[1].kind, LV_VALUE_DOUBLE);
    cr_expect_eq(it[1].as.d, -2.5);
    cr_expect_eq(it[2].kind, LV_VALUE_DOUBLE, "1e3 is a JSON real");
    cr_expect_eq(it[3].kind, LV_VALUE_STRING);
    cr_expect_str_eq(it[3].as.s.ptr, "s");
    cr_expect_eq(it[4].kind, LV_VALUE_BOOL);
    cr_expect(it[4].as.b);
    cr_expect_not(it[5].as.b);
    cr_expect_eq(it[6].kind, LV_VALUE_NULL);
    cr_expect_eq(it[7].as.i, INT64_MAX);
    lv_value_free(&v);
    v = parse_ok("\"top-level scalar\"");
    cr_expect_str_eq(lv_value_str_of(&v), "top-level scalar");
    lv_value_free(&v);
}

Test(value_json, objects_keep_the_order_received)
{
    lv_value v = parse_ok("{\"z\":1,\"a\":{\"y\":[],\"b\":{}},\"m\":\"\\u00e9\"}");
    cr_assert_eq(lv_map_len(&v), 3);
    cr_expect_str_eq(lv_map_key_at(&v, 0), "z");
    cr_expect_str_eq(lv_map_key_at(&v, 1), "a");
    cr_expect_str_eq(lv_map_key_at(&v, 2), "m");
    cr_expect_str_eq(lv_value_str_at(&v, "m"), "\xc3\xa9");
    char *text = json_of(&v);
    cr_expect_str_eq(text, "{\"z\":1,\"a\":{\"y\":[],\"b\":{}},\"m\":\"\xc3\xa9\"}");
    free(text);
    lv_value_free(&v);
}

/* The converter fills maps without looking keys up; the result must still
 * be an ordinary map that grows and replaces like any other. */
Test(value_json, parsed_maps_are_ordinary_maps)
{
    lv_value v = parse_ok("{\"a\":1}");
    lv_value_map_set(&v, "b", lv_value_int(2));
    lv_value_map_set(&v, "a", lv_value_int(3));
    for (int i = 0; i < 20; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        lv_value_map_set(&v, key, lv_value_int(i));
    }
    cr_expect_eq(lv_map_len(&v), 22);
    cr_expect_eq(lv_value_int_of(lv_map_get(&v, "a")), 3);
    cr_expect_str_eq(lv_map_key_at(&v, 0), "a");
    lv_value copy = lv_value_clone(&v);
    cr_expect(lv_value_equal(&copy, &v));
    lv_value_free(&copy);
    lv_value_free(&v);
    v = parse_ok("{}");
    cr_expect_eq(v.kind, LV_VALUE_MAP);
    lv_value_map_set(&v, "x", lv_value_int(1));
    cr_expect_eq(lv_map_len(&v), 1);
    lv_value_free(&v);
}

Test(value_json, refusals)
{
    expect_status("", 8, LV_JSON_INVALID);
    expect_status("{", 8, LV_JSON_INVALID);
    expect_status("{\"a\":1,\"a\":2}", 8, LV_JSON_INVALID);
    expect_status("[\"\xff\"]", 8, LV_JSON_INVALID);
    expect_status("[\"a\\u0000b\"]", 8, LV_JSON_INVALID);
    expect_status("{\"a\\u0000\":1}", 8, LV_JSON_INVALID);
    expect_status("[1] x", 8, LV_JSON_INVALID);
    expect_status("NaN", 8, LV_JSON_INVALID);
}

Test(value_json, nesting_is_limited)
{
    expect_status("[[[]]]", 3, LV_JSON_OK);
    expect_status("[[[[]]]]", 3, LV_JSON_TOO_DEEP);
    expect_status("{\"a\":{\"b\":{\"c\":{}}}}", 3, LV_JSON_TOO_DEEP);
    expect_status("[\"[[[[[[\",{\"]]]]\":[]}]", 3, LV_JSON_OK); /* brackets in strings do not count */
    expect_status("[[]][[]]", 2, LV_JSON_INVALID);
    size_t n = 100000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    expect_status(deep, LV_JSON_MAX_DEPTH, LV_JSON_TOO_DEEP);
    free(deep);
}

Test(value_json, trees_convert_with_the_same_limit)
{
    json_t *tree = json_pack("{s:[i,{s:s}], s:f}", "a", 1, "b", "c", "d", 0.5);
    lv_value v;
    cr_assert(lv_value_from_json(tree, 3, &v));
    char *text = json_of(&v);
    cr_expect_str_eq(text, "{\"a\":[1,{\"b\":\"c\"}],\"d\":0.5}");
    free(text);
    lv_value_free(&v);
    cr_expect_not(lv_value_from_json(tree, 2, &v));
    cr_expect_eq(v.kind, LV_VALUE_NULL);
    cr_expect_not(lv_value_from_json(NULL, 2, &v));
    json_decref(tree);
}

/* Wide objects are converted in one pass: a message may hold 100,000 keys,
 * which a lookup per key would turn into billions of comparisons. */
Test(value_json, wide_objects_convert_whole)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_putc(&b, '{');
    for (int i = 0; i < 100000; i++) lv_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
    lv_buf_putc(&b, '}');
    lv_value v;
    cr_assert_eq(lv_value_parse_json(b.data, b.len, 2, &v), LV_JSON_OK);
    cr_expect_eq(lv_map_len(&v), 100000);
    cr_expect_str_eq(lv_map_key_at(&v, 99999), "k99999");
    cr_expect_eq(lv_value_int_of(lv_map_value_at(&v, 4242)), 4242);
    lv_value_free(&v);
    lv_buf_free(&b);
}

Test(value_json, json_safe_values)
{
    lv_value v = parse_ok("{\"a\":[1,2.5,{\"b\":null}]}");
    cr_expect(lv_value_json_safe(&v));
    lv_value *inner = (lv_value *)lv_map_get(&v, "a");
    lv_value_list_push(inner, lv_value_double(INFINITY));
    cr_expect_not(lv_value_json_safe(&v));
    lv_value_free(&v);
    lv_value nan = lv_value_double(NAN);
    cr_expect_not(lv_value_json_safe(&nan));
    cr_expect_not(lv_value_json_safe(NULL));
}

Test(value_json, string_fields_and_removal)
{
    lv_value v = parse_ok("{\"s\":\"x\",\"n\":1,\"t\":\"y\",\"u\":\"z\"}");
    cr_expect_str_eq(lv_value_str_at(&v, "s"), "x");
    cr_expect_null(lv_value_str_at(&v, "n"));
    cr_expect_null(lv_value_str_at(&v, "missing"));
    cr_expect_null(lv_value_str_at(NULL, "s"));
    cr_expect(lv_value_map_remove(&v, "t"));
    cr_expect_not(lv_value_map_remove(&v, "t"));
    char *text = json_of(&v);
    cr_expect_str_eq(text, "{\"s\":\"x\",\"n\":1,\"u\":\"z\"}");
    free(text);
    cr_expect(lv_value_map_remove(&v, "u"));
    cr_expect(lv_value_map_remove(&v, "s"));
    cr_expect(lv_value_map_remove(&v, "n"));
    cr_expect_eq(lv_map_len(&v), 0);
    lv_value_free(&v);
    lv_value list = lv_value_list();
    cr_expect_not(lv_value_map_remove(&list, "a"));
}
