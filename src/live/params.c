/* Nested params by path: the public accessors for the trees that form
 * events decode into (util/form.h). A path uses a form field's own syntax,
 * "user[address][city]", so the name an input carries is the path that
 * reads its value back.
 *
 * Why paths rather than a sub-params handle: an lv_params is a borrowed view
 * that the caller of a view callback owns, with nowhere to keep a second
 * view of a subtree alive for exactly as long as the first. A path lookup
 * needs no storage at all. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/number.h"
#include "util/value.h"

/* Walks path from root. Returns the node, or NULL when absent or the path
 * is malformed ("a[", "a]b", "[x]", "a[b]c"). NULL or "" is root itself. */
static json_t *walk(json_t *root, const char *path)
{
    if (!root) return NULL;
    if (!path || !*path) return root;
    size_t head = strcspn(path, "[]");
    if (head == 0 || path[head] == ']') return NULL;
    char key[1100]; /* above the decoder's key limit (1,024) */
    if (head >= sizeof key) return NULL;
    memcpy(key, path, head);
    key[head] = '\0';
    json_t *node = json_object_get(root, key);
    const char *p = path + head;
    while (node && *p) {
        if (*p != '[') return NULL;
        const char *close = strchr(p + 1, ']');
        if (!close) return NULL;
        size_t len = (size_t)(close - (p + 1));
        if (len == 0 || len >= sizeof key || memchr(p + 1, '[', len)) return NULL;
        memcpy(key, p + 1, len);
        key[len] = '\0';
        if (json_is_object(node)) {
            node = json_object_get(node, key);
        } else if (json_is_array(node)) {
            char *end;
            errno = 0;
            unsigned long long i = strtoull(key, &end, 10);
            if (*end || errno || key[0] < '0' || key[0] > '9') return NULL;
            node = i < json_array_size(node) ? json_array_get(node, (size_t)i) : NULL;
        } else {
            return NULL;
        }
        p = close + 1;
    }
    return node;
}

static json_t *root_of(const lv_params *p)
{
    return p ? p->object : NULL;
}

/* Numbers are formatted into a small per-thread buffer because jansson keeps
 * them as numbers. */
static _Thread_local char number_text[LV_DOUBLE_TEXT_SIZE];

const char *lv_json_scalar_text(json_t *v)
{
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(number_text, sizeof number_text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return number_text;
    }
    if (json_is_real(v)) {
        lv_double_text(json_real_value(v), number_text);
        return number_text;
    }
    if (json_is_true(v)) return "true";
    if (json_is_false(v)) return "false";
    return NULL;
}

const char *lv_param_path(const lv_params *params, const char *path)
{
    if (!path || !*path) return NULL;
    return lv_json_scalar_text(walk(root_of(params), path));
}

size_t lv_params_len(const lv_params *params, const char *path)
{
    json_t *v = walk(root_of(params), path);
    if (json_is_object(v)) return json_object_size(v);
    if (json_is_array(v)) return json_array_size(v);
    return 0;
}

const char *lv_params_key_at(const lv_params *params, const char *path, size_t i)
{
    json_t *v = walk(root_of(params), path);
    if (!json_is_object(v) || i >= json_object_size(v)) return NULL;
    /* Objects decoded from forms are small (the decoder caps the pairs), so
     * walking the iterator is cheaper than keeping an index. */
    void *it = json_object_iter(v);
    for (size_t k = 0; it && k < i; k++) it = json_object_iter_next(v, it);
    return it ? json_object_iter_key(it) : NULL;
}

static lv_value from_json(json_t *v, int depth)
{
    if (depth > 64) return lv_value_null();
    switch (json_typeof(v)) {
    case JSON_STRING: return lv_value_string(json_string_value(v), json_string_length(v));
    case JSON_INTEGER: return lv_value_int(json_integer_value(v));
    case JSON_REAL: return lv_value_double(json_real_value(v));
    case JSON_TRUE: return lv_value_bool(true);
    case JSON_FALSE: return lv_value_bool(false);
    case JSON_ARRAY: {
        lv_value list = lv_value_list();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) lv_value_list_push(&list, from_json(item, depth + 1));
        return list;
    }
    case JSON_OBJECT: {
        lv_value map = lv_value_map();
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item) lv_value_map_set(&map, key, from_json(item, depth + 1));
        return map;
    }
    default: return lv_value_null();
    }
}

lv_value *lv_params_value(const lv_params *params, const char *path)
{
    json_t *v = walk(root_of(params), path);
    if (!v) return NULL;
    lv_value *box = lv_xmalloc(sizeof *box);
    *box = from_json(v, 0);
    return box;
}
