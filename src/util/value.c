#include "util/value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/number.h"

lv_value lv_value_null(void)
{
    return (lv_value){.kind = LV_VALUE_NULL};
}

lv_value lv_value_bool(bool b)
{
    return (lv_value){.kind = LV_VALUE_BOOL, .as.b = b};
}

lv_value lv_value_int(int64_t i)
{
    return (lv_value){.kind = LV_VALUE_INT, .as.i = i};
}

lv_value lv_value_double(double d)
{
    return (lv_value){.kind = LV_VALUE_DOUBLE, .as.d = d};
}

lv_value lv_value_string(const char *s, size_t n)
{
    lv_value v = {.kind = LV_VALUE_STRING};
    v.as.s.ptr = n ? lv_xstrndup(s, n) : lv_xstrdup("");
    v.as.s.len = n;
    return v;
}

lv_value lv_value_safe(const char *s, size_t n)
{
    lv_value v = lv_value_string(s, n);
    v.kind = LV_VALUE_SAFE;
    return v;
}

lv_value lv_value_list(void)
{
    return (lv_value){.kind = LV_VALUE_LIST, .as.list = NULL};
}

lv_value lv_value_map(void)
{
    return (lv_value){.kind = LV_VALUE_MAP, .as.map = NULL};
}

/* Containers grow by half again (from 4), which keeps the slack of the
 * lists a view holds per connected user small. */
static uint32_t grown(uint32_t cap)
{
    if (cap >= UINT32_MAX / 2) abort();
    return cap < 4 ? 4 : cap + cap / 2;
}

void lv_value_list_push(lv_value *list, lv_value item)
{
    lv_list *l = list->as.list;
    if (!l || l->count == l->cap) {
        uint32_t cap = grown(l ? l->cap : 0);
        l = lv_xrealloc(l, sizeof *l + (size_t)cap * sizeof(lv_value));
        if (!list->as.list) l->count = 0;
        l->cap = cap;
        list->as.list = l;
    }
    l->items[l->count++] = item;
}

static lv_map_entry *map_find(const lv_map *m, const char *key, size_t key_len)
{
    if (!m) return NULL;
    for (uint32_t i = 0; i < m->count; i++) {
        const char *k = m->entries[i].key;
        if (strncmp(k, key, key_len) == 0 && k[key_len] == '\0') return (lv_map_entry *)&m->entries[i];
    }
    return NULL;
}

void lv_value_map_set(lv_value *map, const char *key, lv_value v)
{
    lv_map_entry *e = map_find(map->as.map, key, strlen(key));
    if (e) {
        lv_value_free(&e->value);
        e->value = v;
        return;
    }
    lv_map *m = map->as.map;
    if (!m || m->count == m->cap) {
        uint32_t cap = grown(m ? m->cap : 0);
        m = lv_xrealloc(m, sizeof *m + (size_t)cap * sizeof(lv_map_entry));
        if (!map->as.map) m->count = 0;
        m->cap = cap;
        map->as.map = m;
    }
    m->entries[m->count++] = (lv_map_entry){lv_xstrdup(key), v};
}

const lv_value *lv_value_map_get(const lv_value *map, const char *key, size_t key_len)
{
    if (!map || map->kind != LV_VALUE_MAP) return NULL;
    lv_map_entry *e = map_find(map->as.map, key, key_len);
    return e ? &e->value : NULL;
}

size_t lv_value_list_len(const lv_value *v)
{
    return v && v->kind == LV_VALUE_LIST && v->as.list ? v->as.list->count : 0;
}

lv_value lv_value_clone(const lv_value *v)
{
    switch (v->kind) {
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: {
        lv_value c = lv_value_string(v->as.s.ptr, v->as.s.len);
        c.kind = v->kind;
        return c;
    }
    case LV_VALUE_LIST: {
        lv_value c = lv_value_list();
        for (size_t i = 0; i < lv_value_list_len(v); i++) lv_value_list_push(&c, lv_value_clone(&v->as.list->items[i]));
        return c;
    }
    case LV_VALUE_MAP: {
        lv_value c = lv_value_map();
        const lv_map *m = v->as.map;
        for (uint32_t i = 0; m && i < m->count; i++)
            lv_value_map_set(&c, m->entries[i].key, lv_value_clone(&m->entries[i].value));
        return c;
    }
    default: return *v;
    }
}

void lv_value_free(lv_value *v)
{
    switch (v->kind) {
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: free(v->as.s.ptr); break;
    case LV_VALUE_LIST:
        if (v->as.list)
            for (uint32_t i = 0; i < v->as.list->count; i++) lv_value_free(&v->as.list->items[i]);
        free(v->as.list);
        break;
    case LV_VALUE_MAP:
        if (v->as.map)
            for (uint32_t i = 0; i < v->as.map->count; i++) {
                free(v->as.map->entries[i].key);
                lv_value_free(&v->as.map->entries[i].value);
            }
        free(v->as.map);
        break;
    default: break;
    }
    *v = lv_value_null();
}

/* Two doubles are "equal" when they render the same text, because equality
 * only decides whether the client must be sent a new value: every NaN prints
 * "NaN", so NaN equals NaN (otherwise a NaN assign would be resent after
 * every event), and 0.0 and -0.0 both print "0" (as in JavaScript), which
 * == already says. Distinct doubles print distinct texts. */
static bool same_double(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return a == b;
}

bool lv_value_equal(const lv_value *a, const lv_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case LV_VALUE_NULL: return true;
    case LV_VALUE_BOOL: return a->as.b == b->as.b;
    case LV_VALUE_INT: return a->as.i == b->as.i;
    case LV_VALUE_DOUBLE: return same_double(a->as.d, b->as.d);
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE:
        return a->as.s.len == b->as.s.len && memcmp(a->as.s.ptr, b->as.s.ptr, a->as.s.len) == 0;
    case LV_VALUE_LIST: {
        size_t n = lv_value_list_len(a);
        if (n != lv_value_list_len(b)) return false;
        for (size_t i = 0; i < n; i++)
            if (!lv_value_equal(&a->as.list->items[i], &b->as.list->items[i])) return false;
        return true;
    }
    case LV_VALUE_MAP: {
        /* Order matters: it is the order an each over the map's values (or
         * an attribute map) renders in. */
        uint32_t n = a->as.map ? a->as.map->count : 0;
        if (n != (b->as.map ? b->as.map->count : 0)) return false;
        for (uint32_t i = 0; i < n; i++) {
            const lv_map_entry *x = &a->as.map->entries[i], *y = &b->as.map->entries[i];
            if (strcmp(x->key, y->key) != 0 || !lv_value_equal(&x->value, &y->value)) return false;
        }
        return true;
    }
    }
    return false;
}

/* A 64-bit multiply-xorshift mix (the finaliser of MurmurHash3 / splitmix),
 * applied per 8-byte word: fast, and good enough to make an accidental row
 * collision a 2^-64 event. Not meant to resist an adversary who picks values
 * to collide, which would only make a row stale for that adversary's page. */
uint64_t lv_hash_u64(uint64_t x, uint64_t seed)
{
    uint64_t h = seed ^ (x + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2));
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

uint64_t lv_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = lv_hash_u64(n, seed);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = lv_hash_u64(w, h);
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++) tail |= (uint64_t)p[i] << (8 * i);
    return lv_hash_u64(tail, h);
}

uint64_t lv_value_hash(const lv_value *v, uint64_t seed)
{
    uint64_t h = lv_hash_u64((uint64_t)v->kind + 1, seed);
    switch (v->kind) {
    case LV_VALUE_NULL: return h;
    case LV_VALUE_BOOL: return lv_hash_u64(v->as.b, h);
    case LV_VALUE_INT: return lv_hash_u64((uint64_t)v->as.i, h);
    case LV_VALUE_DOUBLE: {
        double d = v->as.d;
        if (isnan(d)) d = NAN; /* every NaN is equal, so they hash alike */
        if (d == 0) d = 0.0;   /* and so are 0.0 and -0.0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return lv_hash_u64(bits, h);
    }
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: return lv_hash_bytes(v->as.s.ptr, v->as.s.len, h);
    case LV_VALUE_LIST:
        for (size_t i = 0; i < lv_value_list_len(v); i++) h = lv_value_hash(&v->as.list->items[i], h);
        return lv_hash_u64(lv_value_list_len(v), h);
    case LV_VALUE_MAP: {
        uint32_t n = v->as.map ? v->as.map->count : 0;
        for (uint32_t i = 0; i < n; i++) {
            h = lv_hash_bytes(v->as.map->entries[i].key, strlen(v->as.map->entries[i].key), h);
            h = lv_value_hash(&v->as.map->entries[i].value, h);
        }
        return lv_hash_u64(n, h);
    }
    }
    return h;
}

bool lv_value_truthy(const lv_value *v)
{
    if (!v) return false;
    switch (v->kind) {
    case LV_VALUE_NULL: return false;
    case LV_VALUE_BOOL: return v->as.b;
    case LV_VALUE_INT: return v->as.i != 0;
    case LV_VALUE_DOUBLE: return v->as.d != 0.0 && !isnan(v->as.d);
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: return v->as.s.len > 0;
    case LV_VALUE_LIST: return lv_value_list_len(v) > 0;
    case LV_VALUE_MAP: return v->as.map && v->as.map->count > 0;
    }
    return false;
}

void lv_value_to_text(const lv_value *v, lv_buf *out)
{
    switch (v->kind) {
    case LV_VALUE_NULL: break;
    case LV_VALUE_BOOL:
        if (v->as.b)
            lv_buf_append(out, "true", 4);
        else
            lv_buf_append(out, "false", 5);
        break;
    case LV_VALUE_INT: lv_json_int(out, v->as.i); break; /* a JSON integer is plain decimal */
    case LV_VALUE_DOUBLE: lv_double_append(out, v->as.d); break;
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: lv_buf_append(out, v->as.s.ptr, v->as.s.len); break;
    case LV_VALUE_LIST:
    case LV_VALUE_MAP: break;
    }
}

void lv_value_append_json(const lv_value *v, lv_buf *out)
{
    switch (v->kind) {
    case LV_VALUE_NULL: lv_buf_puts(out, "null"); break;
    case LV_VALUE_BOOL: lv_buf_puts(out, v->as.b ? "true" : "false"); break;
    case LV_VALUE_INT: lv_json_int(out, v->as.i); break;
    case LV_VALUE_DOUBLE: lv_json_double(out, v->as.d); break;
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: lv_json_str(out, v->as.s.ptr, v->as.s.len); break;
    case LV_VALUE_LIST:
        lv_buf_putc(out, '[');
        for (uint32_t i = 0; v->as.list && i < v->as.list->count; i++) {
            if (i) lv_buf_putc(out, ',');
            lv_value_append_json(&v->as.list->items[i], out);
        }
        lv_buf_putc(out, ']');
        break;
    case LV_VALUE_MAP:
        lv_buf_putc(out, '{');
        for (uint32_t i = 0; v->as.map && i < v->as.map->count; i++) {
            if (i) lv_buf_putc(out, ',');
            lv_json_cstr(out, v->as.map->entries[i].key);
            lv_buf_putc(out, ':');
            lv_value_append_json(&v->as.map->entries[i].value, out);
        }
        lv_buf_putc(out, '}');
        break;
    }
}
