/* libFuzzer target: form decoding never crashes, and on success yields an
 * object whose leaves are valid strings. */
#include <stdint.h>
#include <stdlib.h>

#include "util/form.h"

static void check(json_t *v, int depth)
{
    if (depth > 40) abort();
    if (json_is_string(v)) return;
    if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) if (!json_is_string(item)) abort();
        return;
    }
    if (!json_is_object(v)) abort();
    const char *key;
    json_t *child;
    json_object_foreach(v, key, child) check(child, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *out = NULL;
    lv_form_status st = lv_form_decode((const char *)data, size, NULL, &out);
    if (st == LV_FORM_OK) {
        check(out, 0);
        char *text = json_dumps(out, JSON_COMPACT);
        if (!text) abort();
        free(text);
        json_decref(out);
    } else if (out) {
        abort();
    }
    return 0;
}
