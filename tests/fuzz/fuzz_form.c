/* libFuzzer target: form decoding never crashes, and on success yields a
 * map whose leaves are strings, each a valid C string of its full length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/value.h"
#include "util/form.h"

static void check(const lv_value *v, int depth)
{
    if (depth > 40) abort();
    if (v->kind == LV_VALUE_STRING) {
        if (strlen(v->as.s.ptr) != v->as.s.len) abort();
        return;
    }
    if (v->kind == LV_VALUE_LIST) {
        for (size_t i = 0; i < lv_list_len(v); i++)
            if (lv_list_at(v, i)->kind != LV_VALUE_STRING) abort();
        return;
    }
    if (v->kind != LV_VALUE_MAP) abort();
    for (size_t i = 0; i < lv_map_len(v); i++) check(lv_map_value_at(v, i), depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lv_value out = lv_value_int(1);
    lv_form_status st = lv_form_decode((const char *)data, size, NULL, &out);
    if (st == LV_FORM_OK) {
        if (out.kind != LV_VALUE_MAP) abort();
        check(&out, 0);
        lv_buf text = LV_BUF_INIT;
        lv_value_append_json(&out, &text);
        if (!text.len) abort();
        lv_buf_free(&text);
        lv_value_free(&out);
    } else if (out.kind != LV_VALUE_NULL) {
        abort();
    }
    return 0;
}
