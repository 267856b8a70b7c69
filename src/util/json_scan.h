/* A strict JSON reader for the hot path: client messages decoded straight
 * into lv_values whose memory comes from an arena, so decoding a message
 * allocates nothing once the arena and the reader's stacks have grown to the
 * size of the messages seen (docs/performance.md, "Hot path").
 *
 * It accepts exactly what lv_value_parse_json (jansson, util/value_json.h)
 * accepts and builds the same value (same kinds, same order of keys, the
 * same doubles through strtod), and refuses what it refuses: invalid UTF-8,
 * lone or reversed surrogate escapes, "\u0000", raw control characters in
 * strings, duplicate keys, integers outside int64, numbers whose magnitude
 * overflows a double, nesting deeper than the limit, anything after the
 * value but whitespace. For two rare shapes it gives up instead of
 * deciding (LV_SCAN_UNSUPPORTED), and the caller asks jansson: an object of
 * more than LV_SCAN_MAX_KEYS keys (duplicates are found by comparing keys
 * pairwise) and a number of more than 64 characters. tests/fuzz/fuzz_json_scan.c
 * checks the agreement with jansson.
 *
 * Values it builds live in the arena: never lv_value_free them; they are
 * gone at the next lv_json_scan_reset. */
#ifndef LV_UTIL_JSON_SCAN_H
#define LV_UTIL_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util/value.h"

#define LV_SCAN_MAX_KEYS 64

typedef enum lv_scan_status {
    LV_SCAN_OK = 0,
    LV_SCAN_INVALID,     /* refused: what jansson refuses as invalid */
    LV_SCAN_TOO_DEEP,    /* refused: nested deeper than max_depth */
    LV_SCAN_UNSUPPORTED, /* not decided here: ask jansson */
} lv_scan_status;

typedef struct lv_arena_block lv_arena_block;

/* The reusable memory of the reader (one per thread in practice): the arena
 * its values live in and the stacks where a list's items and a map's
 * entries gather until their container closes. Zero-initialise; free with
 * lv_json_scan_free. */
typedef struct lv_json_scan {
    lv_arena_block *blocks; /* the current block first */
    size_t wanted;          /* bytes the last message needed, for the next block */
    lv_value *items;
    size_t items_len, items_cap;
    lv_map_entry *entries;
    size_t entries_len, entries_cap;
} lv_json_scan;

/* A cursor over one text. */
typedef struct lv_json_reader {
    const char *p, *end;
    lv_json_scan *scan;
    size_t depth;     /* containers open around the cursor */
    size_t max_depth; /* a container at depth max_depth + 1 is refused */
    lv_scan_status status;
} lv_json_reader;

void lv_json_reader_init(lv_json_reader *r, lv_json_scan *scan, const char *s, size_t n, size_t max_depth);
/* Skips whitespace, then consumes c; false (status INVALID) when the next
 * byte is another. */
bool lv_json_read_byte(lv_json_reader *r, char c);
/* Skips whitespace; false (status INVALID) unless the text ends there. */
bool lv_json_read_end(lv_json_reader *r);
/* Reads one value at the cursor into *out (arena memory). False with
 * r->status set when it cannot. */
bool lv_json_read_value(lv_json_reader *r, lv_value *out);

/* The whole of s as one JSON value (any kind), like lv_value_parse_json but
 * into the arena. On anything but OK *out is null. */
lv_scan_status lv_json_scan_text(lv_json_scan *scan, const char *s, size_t n, size_t max_depth,
                                 lv_value *out);

/* Forgets every value built since the last reset. Keeps one block, grown
 * to what the largest recent message needed (up to a bound), so a warm
 * reader allocates nothing. */
void lv_json_scan_reset(lv_json_scan *scan);
void lv_json_scan_free(lv_json_scan *scan);

#endif
