/* libFuzzer target for the hot-path JSON reader (util/json_scan.h): every
 * input is parsed by the reader and by the jansson path, which must agree
 * (tests/support/json_agree.h), at the channel's nesting limit and at a
 * small one; then it is decoded as a Phoenix frame (lv_phx_decode), whose
 * fast path and fallback must agree with a decode through jansson alone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/phx.h"
#include "support/json_agree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lv_json_scan scan;

static void fail(const char *why, const uint8_t *data, size_t len)
{
    fprintf(stderr, "fuzz_json_scan: %s: %.*s\n", why, (int)(len > 500 ? 500 : len), (const char *)data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy without a terminator, so reads past size are caught. */
    char *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    const char *why = json_agree(&scan, copy, size, LV_PHX_MAX_DEPTH);
    if (!why) why = json_agree(&scan, copy, size, 3);
    if (why) fail(why, data, size);

    lv_phx_msg m;
    lv_phx_status st = lv_phx_decode(copy, size, &m);
    lv_value slow;
    lv_json_status js = lv_value_parse_json(copy, size, LV_PHX_MAX_DEPTH, &slow);
    if ((st == LV_PHX_NOT_JSON || st == LV_PHX_TOO_DEEP) != (js != LV_JSON_OK))
        fail("lv_phx_decode and jansson disagree on the JSON", data, size);
    if (st == LV_PHX_OK && !json_agree_same(m.payload, &slow.as.list->items[4]))
        fail("lv_phx_decode's payload differs from jansson's", data, size);
    if (m.recovered && (!m.ref || !m.topic)) fail("recovered without a ref and a topic", data, size);
    lv_value_free(&slow);
    lv_phx_msg_free(&m);
    free(copy);
    return 0;
}
