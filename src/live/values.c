/* The public API for structured values (liveview.h, "Structured values and
 * templates"): boxed lv_values the application builds and hands over, and
 * the assign functions that take them. A box is one malloc of an lv_value;
 * handing it to a container or to the assigns moves its contents and frees
 * the box. */
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/value.h"

static lv_value *box(lv_value v)
{
    lv_value *b = lv_xmalloc(sizeof *b);
    *b = v;
    return b;
}

/* Moves a box's contents out and frees the box. */
static lv_value unbox(lv_value *b)
{
    if (!b) return lv_value_null();
    lv_value v = *b;
    free(b);
    return v;
}

lv_value *lv_value_new_null(void)
{
    return box(lv_value_null());
}

lv_value *lv_value_new_bool(bool b)
{
    return box(lv_value_bool(b));
}

lv_value *lv_value_new_int(int64_t i)
{
    return box(lv_value_int(i));
}

lv_value *lv_value_new_double(double d)
{
    return box(lv_value_double(d));
}

lv_value *lv_value_new_str(const char *s)
{
    return box(lv_value_string(s ? s : "", s ? strlen(s) : 0));
}

lv_value *lv_value_new_strn(const char *s, size_t n)
{
    return box(lv_value_string(s ? s : "", s ? n : 0));
}

lv_value *lv_value_new_safe(const char *html)
{
    return box(lv_value_safe(html ? html : "", html ? strlen(html) : 0));
}

lv_value *lv_list_new(void)
{
    return box(lv_value_list());
}

lv_value *lv_map_new(void)
{
    return box(lv_value_map());
}

lv_value *lv_value_copy(const lv_value *v)
{
    return box(v ? lv_value_clone(v) : lv_value_null());
}

void lv_value_delete(lv_value *v)
{
    if (!v) return;
    lv_value_free(v);
    free(v);
}

void lv_list_push(lv_value *list, lv_value *item)
{
    if (!list || list->kind != LV_VALUE_LIST) {
        lv_value_delete(item);
        return;
    }
    lv_value_list_push(list, unbox(item));
}

void lv_list_push_str(lv_value *list, const char *s)
{
    lv_list_push(list, lv_value_new_str(s));
}

void lv_list_push_int(lv_value *list, int64_t i)
{
    lv_list_push(list, lv_value_new_int(i));
}

void lv_map_set(lv_value *map, const char *key, lv_value *v)
{
    if (!map || map->kind != LV_VALUE_MAP || !key) {
        lv_value_delete(v);
        return;
    }
    lv_value_map_set(map, key, unbox(v));
}

void lv_map_set_str(lv_value *map, const char *key, const char *s)
{
    lv_map_set(map, key, lv_value_new_str(s));
}

void lv_map_set_safe(lv_value *map, const char *key, const char *html)
{
    lv_map_set(map, key, lv_value_new_safe(html));
}

void lv_map_set_int(lv_value *map, const char *key, int64_t i)
{
    lv_map_set(map, key, lv_value_new_int(i));
}

void lv_map_set_double(lv_value *map, const char *key, double d)
{
    lv_map_set(map, key, lv_value_new_double(d));
}

void lv_map_set_bool(lv_value *map, const char *key, bool b)
{
    lv_map_set(map, key, lv_value_new_bool(b));
}

lv_value_kind lv_value_kind_of(const lv_value *v)
{
    return v ? v->kind : LV_VALUE_NULL;
}

int64_t lv_value_int_of(const lv_value *v)
{
    return v && v->kind == LV_VALUE_INT ? v->as.i : 0;
}

double lv_value_double_of(const lv_value *v)
{
    if (v && v->kind == LV_VALUE_DOUBLE) return v->as.d;
    if (v && v->kind == LV_VALUE_INT) return (double)v->as.i;
    return 0.0;
}

bool lv_value_bool_of(const lv_value *v)
{
    return v && v->kind == LV_VALUE_BOOL && v->as.b;
}

const char *lv_value_str_of(const lv_value *v)
{
    return v && (v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE) ? v->as.s.ptr : NULL;
}

size_t lv_list_len(const lv_value *list)
{
    return lv_value_list_len(list);
}

const lv_value *lv_list_at(const lv_value *list, size_t i)
{
    return i < lv_value_list_len(list) ? &list->as.list->items[i] : NULL;
}

size_t lv_map_len(const lv_value *map)
{
    return map && map->kind == LV_VALUE_MAP && map->as.map ? map->as.map->count : 0;
}

const lv_value *lv_map_get(const lv_value *map, const char *key)
{
    return key ? lv_value_map_get(map, key, strlen(key)) : NULL;
}

const char *lv_map_key_at(const lv_value *map, size_t i)
{
    return i < lv_map_len(map) ? map->as.map->entries[i].key : NULL;
}

const lv_value *lv_map_value_at(const lv_value *map, size_t i)
{
    return i < lv_map_len(map) ? &map->as.map->entries[i].value : NULL;
}

void lv_assign_value(lv_socket *socket, const char *name, lv_value *v)
{
    lv_assigns_put(&socket->assigns, name, unbox(v));
}

void lv_assign_raw(lv_socket *socket, const char *name, const char *html)
{
    lv_assigns_put(&socket->assigns, name, lv_value_safe(html ? html : "", html ? strlen(html) : 0));
}

const lv_value *lv_get_value(const lv_socket *socket, const char *name)
{
    return lv_assigns_get(&socket->assigns, name);
}
