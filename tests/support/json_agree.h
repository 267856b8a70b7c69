/* The differential check of the hot-path JSON reader (util/json_scan.h)
 * against the jansson path (lv_value_parse_json): shared by the fuzz target
 * tests/fuzz/fuzz_json_scan.c and the unit test tests/unit/util/test_json_scan.c.
 *
 * json_agree returns NULL when the two agree on the text, else what differs:
 * - the reader accepts only what jansson accepts, and builds the same value
 *   (kinds, integers, doubles bit for bit, string bytes, keys in order);
 * - what jansson accepts the reader accepts too, unless it gave up
 *   (LV_SCAN_UNSUPPORTED, its documented escape to jansson);
 * - both refuse the same texts (the kind of refusal may differ: jansson's
 *   path measures the nesting of the whole text before parsing, the reader
 *   stops at the first error), with one exception: jansson 2.14 drops a NUL
 *   byte that follows a number or a literal ("[1\0]" reads as [1]; its
 *   stream takes NUL for "buffer empty"), which RFC 8259 and the reader
 *   refuse. lv_phx_decode then asks jansson, so frames are decided as before. */
#ifndef LV_TESTS_JSON_AGREE_H
#define LV_TESTS_JSON_AGREE_H

#include <stdbool.h>
#include <string.h>

#include "util/json_scan.h"
#include "util/value_json.h"

static bool json_agree_same(const lv_value *a, const lv_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case LV_VALUE_NULL: return true;
    case LV_VALUE_BOOL: return a->as.b == b->as.b;
    case LV_VALUE_INT: return a->as.i == b->as.i;
    case LV_VALUE_DOUBLE: return memcmp(&a->as.d, &b->as.d, sizeof a->as.d) == 0;
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE:
        return a->as.s.len == b->as.s.len && memcmp(a->as.s.ptr, b->as.s.ptr, a->as.s.len) == 0 &&
               b->as.s.ptr[b->as.s.len] == '\0';
    case LV_VALUE_LIST: {
        size_t n = lv_value_list_len(a);
        if (n != lv_value_list_len(b)) return false;
        for (size_t i = 0; i < n; i++)
            if (!json_agree_same(&a->as.list->items[i], &b->as.list->items[i])) return false;
        return true;
    }
    case LV_VALUE_MAP: {
        uint32_t n = a->as.map ? a->as.map->count : 0;
        if (n != (b->as.map ? b->as.map->count : 0)) return false;
        for (uint32_t i = 0; i < n; i++) {
            if (strcmp(a->as.map->entries[i].key, b->as.map->entries[i].key) != 0) return false;
            if (!json_agree_same(&a->as.map->entries[i].value, &b->as.map->entries[i].value)) return false;
        }
        return true;
    }
    }
    return false;
}

static const char *json_agree(lv_json_scan *scan, const char *text, size_t len, size_t max_depth)
{
    lv_value slow, fast;
    lv_json_status js = lv_value_parse_json(text, len, max_depth, &slow);
    lv_scan_status fs = lv_json_scan_text(scan, text, len, max_depth, &fast);
    const char *why = NULL;
    if (fs == LV_SCAN_OK && js != LV_JSON_OK)
        why = "the reader accepts what jansson refuses";
    else if (fs == LV_SCAN_OK && !json_agree_same(&slow, &fast))
        why = "the reader builds another value";
    else if ((fs == LV_SCAN_INVALID || fs == LV_SCAN_TOO_DEEP) && js == LV_JSON_OK && !memchr(text, 0, len))
        why = "the reader refuses what jansson accepts";
    lv_value_free(&slow);
    lv_json_scan_reset(scan);
    return why;
}

#endif
