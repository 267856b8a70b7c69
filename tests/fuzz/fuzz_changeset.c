/* libFuzzer target: any url-encoded form cast into a changeset with every
 * field type never crashes, and the result holds exactly the declared
 * fields, with errors only for declared fields. The first byte picks the
 * action and whether an existing record is given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/form.h"

static bool short_enough(const lv_value *v, void *user)
{
    (void)user;
    return lv_value_kind_of(v) != LV_VALUE_STRING || strlen(lv_value_str_of(v)) < 10;
}

static const lv_field fields[] = {
    {.name = "s", .type = LV_FIELD_STRING, .required = true, .min_length = 2, .max_length = 8},
    {.name = "i", .type = LV_FIELD_INT, .min = LV_BOUND(-5), .max = LV_BOUND(1000)},
    {.name = "d", .type = LV_FIELD_DOUBLE, .min = LV_BOUND(0.5), .max = LV_BOUND(1e6)},
    {.name = "b", .type = LV_FIELD_BOOL, .required = true},
    {.name = "e", .type = LV_FIELD_EMAIL},
    {.name = "p", .pattern = "^(a|b)+[0-9]*$"},
    {.name = "c", .check = short_enough, .check_message = "is too long"},
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lv_schema *schemas[2];
    if (!schemas[0]) {
        schemas[0] = lv_schema_new("f", fields, N_FIELDS);
        schemas[1] = lv_schema_new(NULL, fields, N_FIELDS);
        if (!schemas[0] || !schemas[1]) abort();
    }
    if (size == 0) return 0;
    uint8_t mode = data[0];
    lv_value obj;
    if (lv_form_decode((const char *)data + 1, size - 1, NULL, &obj) != LV_FORM_OK) return 0;
    static const char *const actions[] = {NULL, "validate", "save", "insert"};
    lv_value *record = NULL;
    if (mode & 4) {
        record = lv_map_new();
        lv_map_set_str(record, "s", "abc");
        lv_map_set_int(record, "i", 7);
        lv_map_set_str(record, "d", "not a number"); /* a record of the wrong type */
        lv_map_set_str(record, "x", "undeclared");
    }
    lv_params params = lv_params_of(&obj);
    lv_changeset *cs = lv_changeset_cast(schemas[(mode >> 3) & 1], record, &params, actions[mode & 3]);
    const lv_value *cs_data = lv_changeset_data(cs);
    if (lv_map_len(cs_data) != N_FIELDS) abort();
    bool any_error = false;
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (strcmp(lv_map_key_at(cs_data, i), fields[i].name) != 0) abort();
        if (lv_changeset_error(cs, fields[i].name)) any_error = true;
    }
    if (any_error == lv_changeset_valid(cs)) abort();
    lv_value *v = lv_changeset_value(cs);
    const lv_value *errors = lv_map_get(v, "errors");
    for (size_t i = 0; i < lv_map_len(errors); i++)
        if (!lv_changeset_error(cs, lv_map_key_at(errors, i))) abort();
    if (!actions[mode & 3] && lv_map_len(errors)) abort();
    lv_value_delete(v);
    lv_changeset_free(cs);
    lv_value_delete(record);
    lv_params_release(&params);
    lv_value_free(&obj);
    return 0;
}
