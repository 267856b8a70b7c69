/* libFuzzer target for lv_query_to_json: any bytes give a JSON object whose
 * keys are non-empty and whose values are all strings, with at most 256
 * pairs, and decoding never reads past len. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_query: %s\n", why);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy without a terminator, so ASan catches reads past len. */
    char *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    json_t *obj = lv_query_to_json(copy, size);
    if (!json_is_object(obj)) fail("result is not an object");
    if (json_object_size(obj) > 256) fail("more than 256 pairs");
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        if (!json_is_string(value)) fail("a value is not a string");
        if (key[0] == '\0') fail("an empty key");
    }
    /* The object must survive a round trip through the JSON writer. */
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text) fail("result cannot be serialized");
    json_t *back = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    if (!back || !json_equal(back, obj)) fail("result does not round-trip through JSON");
    json_decref(back);
    free(text);
    json_decref(obj);
    free(copy);
    return 0;
}
