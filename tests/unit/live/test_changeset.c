/* Changesets: casting, every check and its message, error visibility
 * (action, _target, _unused_), mass assignment, and the template value. */
#include <criterion/criterion.h>
#include <string.h>

#include "live/live.h"
#include "util/form.h"
#include "util/value.h"

static bool not_reserved(const lv_value *v, void *user)
{
    return strcmp(lv_value_str_of(v), (const char *)user) != 0;
}

static const lv_field user_fields[] = {
    {.name = "name", .type = LV_FIELD_STRING, .required = true, .min_length = 2, .max_length = 5},
    {.name = "age", .type = LV_FIELD_INT, .min = LV_BOUND(18), .max = LV_BOUND(130)},
    {.name = "score", .type = LV_FIELD_DOUBLE, .min = LV_BOUND(0.5), .max = LV_BOUND(9.5)},
    {.name = "admin_ok", .type = LV_FIELD_BOOL},
    {.name = "email", .type = LV_FIELD_EMAIL, .required = true},
    {.name = "code", .pattern = "^[A-Z]{3}$"},
    {.name = "nick", .check = not_reserved, .check_user = "root", .check_message = "is reserved"},
};
#define N_FIELDS (sizeof user_fields / sizeof user_fields[0])

static lv_schema *schema;

static void setup(void)
{
    schema = lv_schema_new("user", user_fields, N_FIELDS);
    cr_assert_not_null(schema);
}

static void teardown(void)
{
    lv_schema_free(schema);
}

/* Casts a url-encoded form. */
static lv_changeset *cast(const char *form, const lv_value *data, const char *action)
{
    lv_value obj;
    cr_assert_eq(lv_form_decode(form, strlen(form), NULL, &obj), LV_FORM_OK, "%s", form);
    lv_params params = lv_params_of(&obj);
    lv_changeset *cs = lv_changeset_cast(schema, data, &params, action);
    lv_params_release(&params);
    lv_value_free(&obj); /* the changeset keeps copies of what it needs */
    return cs;
}

static const char *error(lv_changeset *cs, const char *field)
{
    return lv_changeset_error(cs, field);
}

static void expect_error(const char *form, const char *field, const char *message)
{
    lv_changeset *cs = cast(form, NULL, "save");
    const char *got = error(cs, field);
    if (message) {
        cr_assert_not_null(got, "%s: no error for %s", form, field);
        cr_assert_str_eq(got, message, "%s", form);
        cr_assert_not(lv_changeset_valid(cs));
    } else {
        cr_assert_null(got, "%s: unexpected error %s", form, got);
    }
    lv_changeset_free(cs);
}

TestSuite(changeset, .init = setup, .fini = teardown);

Test(changeset, a_valid_form_casts_typed_data)
{
    lv_changeset *cs = cast("user[name]=Ann&user[age]=42&user[score]=2.5&user[admin_ok]=true"
                            "&user[email]=a%40b.io&user[code]=ABC&user[nick]=annie",
                            NULL, "save");
    cr_assert(lv_changeset_valid(cs));
    cr_assert_str_eq(lv_changeset_action(cs), "save");
    cr_assert_str_eq(lv_changeset_get_str(cs, "name"), "Ann");
    cr_assert_eq(lv_changeset_get_int(cs, "age", -1), 42);
    cr_assert_float_eq(lv_changeset_get_double(cs, "score", 0), 2.5, 1e-12);
    cr_assert(lv_changeset_get_bool(cs, "admin_ok"));
    cr_assert_str_eq(lv_changeset_get_str(cs, "email"), "a@b.io");
    const lv_value *data = lv_changeset_data(cs);
    cr_assert_eq(lv_map_len(data), N_FIELDS);
    cr_assert_eq(lv_value_kind_of(lv_map_get(data, "age")), LV_VALUE_INT);
    cr_assert_eq(lv_value_kind_of(lv_map_get(data, "score")), LV_VALUE_DOUBLE);
    lv_changeset_free(cs);
}

Test(changeset, undeclared_fields_are_dropped)
{
    lv_changeset *cs = cast("user[name]=Ann&user[email]=a%40b.io&user[role]=admin&role=admin&user[_unused_x]=",
                            NULL, "save");
    cr_assert(lv_changeset_valid(cs));
    cr_assert_null(lv_map_get(lv_changeset_data(cs), "role"));
    lv_value *v = lv_changeset_value(cs);
    cr_assert_null(lv_map_get(lv_map_get(v, "data"), "role"));
    cr_assert_null(lv_map_get(lv_map_get(v, "params"), "role"));
    lv_value_delete(v);
    lv_changeset_free(cs);
}

Test(changeset, required)
{
    expect_error("user[email]=a%40b.io", "name", "can't be blank");
    expect_error("user[name]=&user[email]=a%40b.io", "name", "can't be blank");
    expect_error("user[name]=%20%20%09&user[email]=a%40b.io", "name", "can't be blank");
    expect_error("user[name]=Al&user[email]=a%40b.io", "age", NULL); /* optional and absent */
}

Test(changeset, lengths_count_characters)
{
    expect_error("user[name]=A", "name", "should be at least 2 character(s)");
    expect_error("user[name]=Alexandra", "name", "should be at most 5 character(s)");
    /* five characters, ten bytes */
    expect_error("user[name]=%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9", "name", NULL);
}

Test(changeset, integers)
{
    expect_error("user[age]=17", "age", "must be greater than or equal to 18");
    expect_error("user[age]=131", "age", "must be less than or equal to 130");
    expect_error("user[age]=18", "age", NULL);
    expect_error("user[age]=4x", "age", "is invalid");
    expect_error("user[age]=1.5", "age", "is invalid");
    expect_error("user[age]=%2B20", "age", "is invalid");
    expect_error("user[age]=99999999999999999999", "age", "is invalid");
    expect_error("user[age]=", "age", NULL); /* empty is missing, not invalid */
    expect_error("user[age][x]=1", "age", "is invalid");
}

Test(changeset, doubles)
{
    expect_error("user[score]=0.4", "score", "must be greater than or equal to 0.5");
    expect_error("user[score]=9.75", "score", "must be less than or equal to 9.5");
    expect_error("user[score]=nan", "score", "is invalid");
    expect_error("user[score]=inf", "score", "is invalid");
    expect_error("user[score]=1e999", "score", "is invalid");
    expect_error("user[score]=3", "score", NULL);
}

Test(changeset, booleans)
{
    expect_error("user[admin_ok]=yes", "admin_ok", "is invalid");
    lv_changeset *cs = cast("user[admin_ok]=false&user[admin_ok]=true", NULL, NULL);
    cr_assert(lv_changeset_get_bool(cs, "admin_ok")); /* the checkbox after its hidden input */
    lv_changeset_free(cs);
    cs = cast("user[admin_ok]=false", NULL, NULL);
    cr_assert_not(lv_changeset_get_bool(cs, "admin_ok"));
    lv_changeset_free(cs);
}

Test(changeset, email_pattern_and_check)
{
    expect_error("user[email]=nope", "email", "has invalid format");
    expect_error("user[email]=a%40b", "email", "has invalid format");
    expect_error("user[email]=a%20b%40c.de", "email", "has invalid format");
    expect_error("user[email]=a%40b%40c.de", "email", "has invalid format");
    expect_error("user[code]=abc", "code", "has invalid format");
    expect_error("user[code]=ABCD", "code", "has invalid format");
    expect_error("user[code]=XYZ", "code", NULL);
    expect_error("user[nick]=root", "nick", "is reserved");
    expect_error("user[nick]=rooty", "nick", NULL);
}

Test(changeset, no_action_hides_errors_but_not_validity)
{
    lv_changeset *cs = cast("user[name]=A", NULL, NULL);
    cr_assert_not(lv_changeset_valid(cs));
    lv_value *v = lv_changeset_value(cs);
    cr_assert_eq(lv_map_len(lv_map_get(v, "errors")), 0);
    cr_assert_eq(lv_value_kind_of(lv_map_get(v, "action")), LV_VALUE_NULL);
    cr_assert_not(lv_value_bool_of(lv_map_get(v, "valid")));
    lv_value_delete(v);
    lv_changeset_free(cs);
}

Test(changeset, change_shows_the_target_and_used_fields_only)
{
    /* The user typed in name; email was never focused (the client marks it
     * _unused_), so its "can't be blank" stays hidden. */
    lv_changeset *cs = cast("user[name]=A&user[email]=&user[_unused_email]=&_target=user%5Bname%5D", NULL,
                            "validate");
    lv_value *v = lv_changeset_value(cs);
    const lv_value *errors = lv_map_get(v, "errors");
    cr_assert_eq(lv_map_len(errors), 1);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(errors, "name")), "should be at least 2 character(s)");
    cr_assert_str_eq(lv_changeset_error(cs, "email"), "can't be blank"); /* computed all the same */
    lv_value_delete(v);
    lv_changeset_free(cs);

    /* Once both were used, both show. */
    cs = cast("user[name]=A&user[email]=x&_target=user%5Bemail%5D", NULL, "validate");
    v = lv_changeset_value(cs);
    errors = lv_map_get(v, "errors");
    cr_assert_eq(lv_map_len(errors), 2);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(errors, "email")), "has invalid format");
    lv_value_delete(v);
    lv_changeset_free(cs);

    /* The target shows even if marked unused. */
    cs = cast("user[email]=x&user[_unused_email]=&_target=user%5Bemail%5D", NULL, "validate");
    v = lv_changeset_value(cs);
    cr_assert_not_null(lv_map_get(lv_map_get(v, "errors"), "email"));
    lv_value_delete(v);
    lv_changeset_free(cs);
}

Test(changeset, submit_shows_every_error)
{
    lv_changeset *cs = cast("user[name]=", NULL, "save");
    lv_value *v = lv_changeset_value(cs);
    const lv_value *errors = lv_map_get(v, "errors");
    cr_assert_eq(lv_map_len(errors), 2);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(errors, "name")), "can't be blank");
    cr_assert_str_eq(lv_value_str_of(lv_map_get(errors, "email")), "can't be blank");
    lv_value_delete(v);
    lv_changeset_free(cs);
}

Test(changeset, data_gives_values_the_params_do_not_change)
{
    lv_value *data = lv_map_new();
    lv_map_set_str(data, "name", "Bob");
    lv_map_set_str(data, "email", "bob@x.org");
    lv_map_set_int(data, "age", 40);
    lv_map_set_str(data, "secret", "kept out");
    lv_changeset *cs = cast("user[age]=41", data, "save");
    cr_assert(lv_changeset_valid(cs));
    cr_assert_str_eq(lv_changeset_get_str(cs, "name"), "Bob");
    cr_assert_eq(lv_changeset_get_int(cs, "age", 0), 41);
    cr_assert_null(lv_map_get(lv_changeset_data(cs), "secret"));
    lv_changeset_free(cs);
    /* An emptied field is cleared, and then required again. */
    cs = cast("user[name]=", data, "save");
    cr_assert_str_eq(lv_changeset_error(cs, "name"), "can't be blank");
    lv_changeset_free(cs);
    lv_value_delete(data);
}

Test(changeset, params_keep_what_the_user_typed)
{
    lv_changeset *cs = cast("user[age]=4x", NULL, "validate");
    lv_value *v = lv_changeset_value(cs);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(lv_map_get(v, "params"), "age")), "4x");
    cr_assert_eq(lv_value_kind_of(lv_map_get(lv_map_get(v, "data"), "age")), LV_VALUE_NULL);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(v, "form")), "user");
    lv_value_delete(v);
    lv_changeset_free(cs);
}

Test(changeset, add_error)
{
    lv_changeset *cs = cast("user[name]=Ann&user[email]=a%40b.io", NULL, "save");
    cr_assert(lv_changeset_valid(cs));
    cr_assert_eq(lv_changeset_add_error(cs, "name", "has already been taken"), 0);
    cr_assert_eq(lv_changeset_add_error(cs, "nope", "x"), -1);
    cr_assert_not(lv_changeset_valid(cs));
    cr_assert_str_eq(lv_changeset_error(cs, "name"), "has already been taken");
    lv_changeset_free(cs);
}

Test(changeset, null_params_and_top_level_forms)
{
    lv_changeset *cs = lv_changeset_cast(schema, NULL, NULL, NULL);
    cr_assert_not(lv_changeset_valid(cs)); /* name and email are required */
    lv_changeset_free(cs);

    static const lv_field top[] = {{.name = "q", .required = true}};
    lv_schema *s = lv_schema_new(NULL, top, 1);
    lv_value *obj = lv_map_new();
    lv_map_set_str(obj, "q", "rust");
    lv_map_set_str(obj, "_target", "q");
    lv_params params = lv_params_of(obj);
    cs = lv_changeset_cast(s, NULL, &params, "validate");
    cr_assert(lv_changeset_valid(cs));
    cr_assert_str_eq(lv_changeset_get_str(cs, "q"), "rust");
    lv_changeset_free(cs);
    lv_params_release(&params);
    lv_value_delete(obj);
    lv_schema_free(s);
}

Test(changeset, bad_schemas_are_refused)
{
    static const lv_field bad_pattern[] = {{.name = "a", .pattern = "(["}};
    static const lv_field twice[] = {{.name = "a"}, {.name = "a"}};
    static const lv_field bracket[] = {{.name = "a[b]"}};
    static const lv_field unnamed[] = {{.type = LV_FIELD_INT}};
    cr_assert_null(lv_schema_new("f", bad_pattern, 1));
    cr_assert_null(lv_schema_new("f", twice, 2));
    cr_assert_null(lv_schema_new("f", bracket, 1));
    cr_assert_null(lv_schema_new("f", unnamed, 1));
}
