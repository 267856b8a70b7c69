#include "util/value_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Measures the nesting of arrays and objects without parsing, skipping
 * strings, so a hostile text of 100,000 '[' costs one pass and no stack. */
static bool depth_within(const char *s, size_t n, size_t max_depth)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* A map built with room for n entries whose keys are known to be distinct
 * (jansson refused duplicates), filled by appending. Going through
 * lv_value_map_set would look every key up first, which makes an object of
 * 100,000 keys, well within one message, cost 5e9 comparisons. This writes
 * the lv_map layout of value.h directly, the way value.c grows it. */
static lv_value map_with_room(size_t n)
{
    lv_value v = lv_value_map();
    if (n == 0) return v;
    lv_map *m = lv_xmalloc(sizeof *m + n * sizeof(lv_map_entry));
    m->count = 0;
    m->cap = (uint32_t)n;
    v.as.map = m;
    return v;
}

static bool convert(const json_t *j, size_t depth_left, lv_value *out)
{
    *out = lv_value_null();
    switch (json_typeof(j)) {
    case JSON_STRING: *out = lv_value_string(json_string_value(j), json_string_length(j)); return true;
    case JSON_INTEGER: *out = lv_value_int(json_integer_value(j)); return true;
    case JSON_REAL: *out = lv_value_double(json_real_value(j)); return true;
    case JSON_TRUE: *out = lv_value_bool(true); return true;
    case JSON_FALSE: *out = lv_value_bool(false); return true;
    case JSON_NULL: return true;
    case JSON_ARRAY: {
        if (depth_left == 0) return false;
        lv_value list = lv_value_list();
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item) {
            lv_value v;
            if (!convert(item, depth_left - 1, &v)) {
                lv_value_free(&list);
                return false;
            }
            lv_value_list_push(&list, v);
        }
        *out = list;
        return true;
    }
    case JSON_OBJECT: {
        if (depth_left == 0 || json_object_size(j) > UINT32_MAX) return false;
        lv_value map = map_with_room(json_object_size(j));
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)j, key, item) {
            lv_value v;
            if (!convert(item, depth_left - 1, &v)) {
                lv_value_free(&map);
                return false;
            }
            lv_map *m = map.as.map;
            m->entries[m->count++] = (lv_map_entry){lv_xstrdup(key), v};
        }
        *out = map;
        return true;
    }
    }
    return true;
}

bool lv_value_from_json(const json_t *json, size_t max_depth, lv_value *out)
{
    return json && convert(json, max_depth, out);
}

lv_json_status lv_value_parse_json(const char *s, size_t n, size_t max_depth, lv_value *out)
{
    *out = lv_value_null();
    if (!depth_within(s, n, max_depth)) return LV_JSON_TOO_DEEP;
    /* jansson refuses invalid UTF-8 and, without JSON_ALLOW_NUL, "\u0000",
     * so every string converted below is a C string of its full length. */
    json_t *root = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (!root) return LV_JSON_INVALID;
    bool ok = convert(root, max_depth, out);
    json_decref(root);
    return ok ? LV_JSON_OK : LV_JSON_TOO_DEEP;
}

static bool json_safe(const lv_value *v, size_t depth_left)
{
    switch (v->kind) {
    case LV_VALUE_DOUBLE: return isfinite(v->as.d);
    case LV_VALUE_LIST:
        if (depth_left == 0) return false;
        for (size_t i = 0; i < lv_value_list_len(v); i++)
            if (!json_safe(&v->as.list->items[i], depth_left - 1)) return false;
        return true;
    case LV_VALUE_MAP:
        if (depth_left == 0) return false;
        for (uint32_t i = 0; v->as.map && i < v->as.map->count; i++)
            if (!json_safe(&v->as.map->entries[i].value, depth_left - 1)) return false;
        return true;
    default: return true;
    }
}

bool lv_value_json_safe(const lv_value *v)
{
    return v && json_safe(v, LV_JSON_MAX_DEPTH);
}

bool lv_value_json_map(const lv_value *v)
{
    return v && v->kind == LV_VALUE_MAP && lv_value_json_safe(v);
}

const char *lv_value_str_at(const lv_value *map, const char *key)
{
    const lv_value *v = lv_value_map_get(map, key, strlen(key));
    return v && v->kind == LV_VALUE_STRING ? v->as.s.ptr : NULL;
}

bool lv_value_map_remove(lv_value *map, const char *key)
{
    if (!map || map->kind != LV_VALUE_MAP || !map->as.map) return false;
    lv_map *m = map->as.map;
    for (uint32_t i = 0; i < m->count; i++) {
        if (strcmp(m->entries[i].key, key) != 0) continue;
        free(m->entries[i].key);
        lv_value_free(&m->entries[i].value);
        memmove(&m->entries[i], &m->entries[i + 1], (m->count - i - 1) * sizeof *m->entries);
        m->count--;
        return true;
    }
    return false;
}
