#include "render/assigns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The assigns store lives for as long as a user is connected, so it is kept
 * in a single allocation: the items array, exactly `count` long, followed by
 * the names, NUL-terminated, in insertion order:
 *
 *     items[0] .. items[count-1] | "name0\0" "name1\0" ...
 *
 * A one-assign view thus costs one malloc of sizeof(lv_assign) plus the name
 * (46 bytes for "count"). The price is a realloc and a pointer fix-up for
 * every *new* name, and a linear lookup; a view has a handful of assigns,
 * mostly created at mount, and comparing a few short names beats hashing
 * them. cap always equals count. */

void lv_assigns_init(lv_assigns *a)
{
    a->items = NULL;
    a->count = 0;
    a->cap = 0;
    a->streams = NULL;
    a->stream_cid = 0;
}

void lv_assigns_free(lv_assigns *a)
{
    for (uint32_t i = 0; i < a->count; i++) lv_value_free(&a->items[i].value);
    free(a->items); /* the names live in the same block */
    lv_streams_free(a->streams);
    lv_assigns_init(a);
}

static lv_assign *find_assign(const lv_assigns *a, const char *name)
{
    for (uint32_t i = 0; i < a->count; i++) {
        lv_assign *item = &a->items[i];
        if (item->name[0] == name[0] && strcmp(item->name, name) == 0) return item;
    }
    return NULL;
}

static void append_assign(lv_assigns *a, const char *name, lv_value v)
{
    if (a->count == UINT32_MAX) abort();

    size_t name_size = strlen(name) + 1;
    size_t items_size = (size_t)a->count * sizeof(lv_assign);
    char *old_block = (char *)a->items;
    size_t names_used = 0;
    if (a->count) {
        const char *last = a->items[a->count - 1].name;
        names_used = (size_t)(last + strlen(last) + 1 - (old_block + items_size));
    }

    /* A name that is the tail of a stored one ("xcount" + 1) points into the
     * block about to move: remember where, to copy it after the move. */
    size_t old_size = items_size + names_used;
    uintptr_t name_addr = (uintptr_t)name, block_addr = (uintptr_t)old_block;
    bool name_in_block = old_block && name_addr >= block_addr && name_addr < block_addr + old_size;
    size_t name_offset = name_in_block ? (size_t)(name_addr - block_addr) : 0;

    size_t new_items_size = items_size + sizeof(lv_assign);
    char *block = lv_xrealloc(old_block, new_items_size + names_used + name_size);
    char *names = block + new_items_size;
    memmove(names, block + items_size, names_used);
    if (name_in_block) {
        /* The old names moved up by one item; the name moved with them. */
        size_t moved_offset = name_offset >= items_size ? name_offset + sizeof(lv_assign) : name_offset;
        memmove(names + names_used, block + moved_offset, name_size);
    } else {
        memcpy(names + names_used, name, name_size);
    }

    a->items = (lv_assign *)block;
    a->count++;
    a->cap = a->count;
    char *p = names;
    for (uint32_t i = 0; i < a->count; i++) {
        a->items[i].name = p;
        p += strlen(p) + 1;
    }
    lv_assign *added = &a->items[a->count - 1];
    added->value = v;
    added->changed = true;
}

void lv_assigns_put(lv_assigns *a, const char *name, lv_value v)
{
    lv_assign *item = find_assign(a, name);
    if (!item) {
        append_assign(a, name, v);
        return;
    }
    if (lv_value_equal(&item->value, &v)) {
        lv_value_free(&v);
        return;
    }
    lv_value_free(&item->value);
    item->value = v;
    item->changed = true;
}

void lv_assigns_reset_quietly(lv_assigns *a, const char *name, lv_value v)
{
    lv_assign *item = find_assign(a, name);
    if (!item) {
        lv_value_free(&v);
        return;
    }
    lv_value_free(&item->value);
    item->value = v;
}

const lv_value *lv_assigns_get(const lv_assigns *a, const char *name)
{
    const lv_assign *item = find_assign(a, name);
    return item ? &item->value : NULL;
}

bool lv_assigns_changed(const lv_assigns *a, const char *name)
{
    if (name[0] == '@' && strncmp(name, LV_STREAM_DEP_PREFIX, LV_STREAM_DEP_PREFIX_LEN) == 0) {
        const char *stream = name + LV_STREAM_DEP_PREFIX_LEN;
        const lv_stream_rec *s = lv_streams_find(a->streams, stream, strlen(stream));
        return s && lv_stream_pending(s);
    }
    const lv_assign *item = find_assign(a, name);
    return item && item->changed;
}

bool lv_assigns_any_changed(const lv_assigns *a)
{
    for (uint32_t i = 0; i < a->count; i++)
        if (a->items[i].changed) return true;
    return lv_streams_any_pending(a->streams);
}

void lv_assigns_clear_changed(lv_assigns *a)
{
    for (uint32_t i = 0; i < a->count; i++) a->items[i].changed = false;
    lv_streams_prune(a->streams);
}
