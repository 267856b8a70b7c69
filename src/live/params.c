/* Params: the read-only view over a map of values that callbacks receive
 * (event values, form fields, query and join parameters, session data, info
 * payloads, component arguments), read by key or by path. A path uses a
 * form field's own syntax, "user[address][city]", so the name an input
 * carries is the path that reads its value back.
 *
 * Why paths rather than a sub-params handle: an lv_params is a borrowed view
 * that the caller of a view callback owns, with nowhere to keep a second
 * view of a subtree alive for exactly as long as the first. A path lookup
 * needs no storage at all.
 *
 * Numbers are read as text through a side table owned by the params: the
 * first read of a number formats it, later reads of the same value return
 * the same string, and all of them are freed with the params. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/value.h"

typedef struct lv_param_text {
    struct lv_param_text *next;
    const lv_value *value; /* the number this is the text of */
    char text[];
} lv_param_text;

lv_params lv_params_of(const lv_value *map)
{
    return (lv_params){map, NULL};
}

void lv_params_release(lv_params *p)
{
    while (p->texts) {
        lv_param_text *t = p->texts;
        p->texts = t->next;
        free(t);
    }
}

/* The text of a scalar, or NULL for null, a list or a map. Params are
 * handed to callbacks as const, but the table is the params' own cache:
 * every lv_params is made by the library as a non-const object, so writing
 * through the cast is defined. */
static const char *scalar_text(const lv_params *params, const lv_value *v)
{
    if (!v) return NULL;
    switch (v->kind) {
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: return v->as.s.ptr;
    case LV_VALUE_BOOL: return v->as.b ? "true" : "false";
    case LV_VALUE_INT:
    case LV_VALUE_DOUBLE: break;
    default: return NULL;
    }
    lv_params *p = (lv_params *)params;
    for (lv_param_text *t = p->texts; t; t = t->next)
        if (t->value == v) return t->text;
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(v, &text);
    lv_param_text *t = lv_xmalloc(sizeof *t + text.len + 1);
    t->value = v;
    memcpy(t->text, text.data ? text.data : "", text.len);
    t->text[text.len] = '\0';
    lv_buf_free(&text);
    t->next = p->texts;
    p->texts = t;
    return t->text;
}

static const lv_value *root_of(const lv_params *p)
{
    return p ? p->map : NULL;
}

static const lv_value *get(const lv_value *map, const char *key)
{
    return key ? lv_value_map_get(map, key, strlen(key)) : NULL;
}

/* Walks path from root. Returns the node, or NULL when absent or the path
 * is malformed ("a[", "a]b", "[x]", "a[b]c"). NULL or "" is root itself. */
static const lv_value *walk(const lv_value *root, const char *path)
{
    if (!root) return NULL;
    if (!path || !*path) return root;
    size_t head = strcspn(path, "[]");
    if (head == 0 || path[head] == ']') return NULL;
    const lv_value *node = lv_value_map_get(root, path, head);
    const char *p = path + head;
    while (node && *p) {
        if (*p != '[') return NULL;
        const char *close = strchr(p + 1, ']');
        if (!close) return NULL;
        size_t len = (size_t)(close - (p + 1));
        if (len == 0 || memchr(p + 1, '[', len)) return NULL;
        if (node->kind == LV_VALUE_MAP) {
            node = lv_value_map_get(node, p + 1, len);
        } else if (node->kind == LV_VALUE_LIST) {
            if (p[1] < '0' || p[1] > '9') return NULL;
            char *end;
            errno = 0;
            unsigned long long i = strtoull(p + 1, &end, 10);
            if (end != close || errno) return NULL;
            node = i < lv_value_list_len(node) ? &node->as.list->items[i] : NULL;
        } else {
            return NULL;
        }
        p = close + 1;
    }
    return node;
}

const char *lv_param(const lv_params *params, const char *key)
{
    return scalar_text(params, get(root_of(params), key));
}

int64_t lv_param_int(const lv_params *params, const char *key, int64_t fallback)
{
    const lv_value *v = get(root_of(params), key);
    if (!v) return fallback;
    switch (v->kind) {
    case LV_VALUE_INT: return v->as.i;
    case LV_VALUE_DOUBLE: {
        double d = v->as.d;
        if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) return (int64_t)d;
        return fallback;
    }
    case LV_VALUE_STRING: {
        /* Strictly an optional '-' and digits: no spaces, no '+', no overflow. */
        const char *s = v->as.s.ptr;
        const char *digits = s[0] == '-' ? s + 1 : s;
        if (*digits < '0' || *digits > '9') return fallback;
        char *end;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        return *end || errno == ERANGE ? fallback : (int64_t)n;
    }
    default: return fallback;
    }
}

size_t lv_params_count(const lv_params *params)
{
    const lv_value *m = root_of(params);
    return m && m->kind == LV_VALUE_MAP && m->as.map ? m->as.map->count : 0;
}

const char *lv_param_path(const lv_params *params, const char *path)
{
    if (!path || !*path) return NULL;
    return scalar_text(params, walk(root_of(params), path));
}

size_t lv_params_len(const lv_params *params, const char *path)
{
    const lv_value *v = walk(root_of(params), path);
    if (!v) return 0;
    if (v->kind == LV_VALUE_MAP) return v->as.map ? v->as.map->count : 0;
    return lv_value_list_len(v);
}

const char *lv_params_key_at(const lv_params *params, const char *path, size_t i)
{
    const lv_value *v = walk(root_of(params), path);
    if (!v || v->kind != LV_VALUE_MAP || !v->as.map || i >= v->as.map->count) return NULL;
    return v->as.map->entries[i].key;
}

lv_value *lv_params_value(const lv_params *params, const char *path)
{
    const lv_value *v = walk(root_of(params), path);
    return v ? lv_value_copy(v) : NULL;
}
