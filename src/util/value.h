/* lv_value: the one value model of the library. Assigns, params, event
 * payloads and template data are all lv_values; this file knows nothing of
 * views or rendering (the assigns store is render/assigns.h).
 *
 * lv_value is 24 bytes whatever its kind: scalars and the (pointer, length)
 * of a string live inline; a list or map is one heap block holding its count,
 * capacity and items, so a view with one int assign costs no more than
 * before lists existed. The kinds are in liveview.h (lv_value_kind). */
#ifndef LV_UTIL_VALUE_H
#define LV_UTIL_VALUE_H

#include <liveview.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct lv_list lv_list;
typedef struct lv_map lv_map;

struct lv_value {
    lv_value_kind kind;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *ptr; /* owned, NUL-terminated; STRING and SAFE */
            size_t len;
        } s;
        lv_list *list; /* owned; NULL means empty */
        lv_map *map;   /* owned; NULL means empty */
    } as;
};

struct lv_list {
    uint32_t count;
    uint32_t cap;
    lv_value items[]; /* count used */
};

typedef struct lv_map_entry {
    char *key; /* owned */
    lv_value value;
} lv_map_entry;

struct lv_map {
    uint32_t count;
    uint32_t cap;
    lv_map_entry entries[]; /* count used, insertion order */
};

lv_value lv_value_null(void);
lv_value lv_value_bool(bool b);
lv_value lv_value_int(int64_t i);
lv_value lv_value_double(double d);
/* Copies n bytes of s. */
lv_value lv_value_string(const char *s, size_t n);
/* Trusted HTML: copies n bytes of s. */
lv_value lv_value_safe(const char *s, size_t n);
/* Empty containers (no allocation until the first item). */
lv_value lv_value_list(void);
lv_value lv_value_map(void);
/* Appends item to *list (a LIST value), taking item's memory. */
void lv_value_list_push(lv_value *list, lv_value item);
/* Sets key in *map (a MAP value), taking v's memory; an existing key keeps
 * its position and gets the new value. */
void lv_value_map_set(lv_value *map, const char *key, lv_value v);
/* NULL when absent or when map is not a MAP. */
const lv_value *lv_value_map_get(const lv_value *map, const char *key, size_t key_len);
size_t lv_value_list_len(const lv_value *v);
/* Deep copy. */
lv_value lv_value_clone(const lv_value *v);
void lv_value_free(lv_value *v);
/* Deep equality, for change tracking. Doubles compare by rendered text (NaN
 * equals NaN, 0.0 equals -0.0: both are "0"); a string never equals safe
 * HTML of the same bytes, since they render differently. */
bool lv_value_equal(const lv_value *a, const lv_value *b);
/* A 64-bit hash consistent with lv_value_equal, mixed into seed. */
uint64_t lv_value_hash(const lv_value *v, uint64_t seed);
/* Template truthiness: null, false, 0, 0.0, NaN, "", an empty list or map
 * are false; everything else is true. */
bool lv_value_truthy(const lv_value *v);
/* Appends the text form, before any escaping: integers in decimal, doubles as
 * JavaScript's String(n) writes them (util/number.h), booleans as
 * "true"/"false", null as nothing, strings and safe HTML as their bytes.
 * Lists and maps have no text form here (the renderer renders lists item by
 * item) and append nothing. */
void lv_value_to_text(const lv_value *v, lv_buf *out);

/* Appends v as JSON: maps as objects, lists as arrays, safe HTML as a
 * string, a double that is not finite as null. Strings are escaped by
 * lv_json_str (so '<', '>' and '&' too). */
void lv_value_append_json(const lv_value *v, lv_buf *out);

/* 64-bit hash mixing used by values, fingerprints and row hashes. */
uint64_t lv_hash_bytes(const void *data, size_t n, uint64_t seed);
uint64_t lv_hash_u64(uint64_t x, uint64_t seed);

#endif
