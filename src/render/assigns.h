/* The assigns store: a view's named values with change tracking.
 *
 * Setting a value equal to the current one (deep equality, util/value.h) is
 * not a change, so the renderer re-evaluates, and the diff carries, only the
 * parts of a template that read an assign that really changed (Phoenix's
 * change tracking). The view's streams hang off its assigns, which gives
 * them the assigns' lifetime and change tracking (render/stream.h). */
#ifndef LV_RENDER_ASSIGNS_H
#define LV_RENDER_ASSIGNS_H

#include <stdbool.h>
#include <stdint.h>

#include "render/stream.h"
#include "util/value.h"

typedef struct lv_assign {
    char *name; /* owned */
    lv_value value;
    bool changed;
} lv_assign;

typedef struct lv_assigns {
    lv_assign *items;
    uint32_t count;
    uint32_t cap;
    lv_streams *streams; /* NULL until a stream is used */
    /* A component's cid (0 for a view's): its streams' refs are "<cid>-<n>",
     * as Phoenix's, since the client resets a stream by its ref across the
     * whole page. */
    int64_t stream_cid;
} lv_assigns;

void lv_assigns_init(lv_assigns *a);
void lv_assigns_free(lv_assigns *a);
/* Stores v under name, taking ownership of v's memory. Marks the assign
 * changed when it is new or its value differs; an equal value is freed and
 * leaves the change bit alone. */
void lv_assigns_put(lv_assigns *a, const char *name, lv_value v);
/* Replaces an existing assign's value (v taken; freed when there is no
 * such assign) without marking it changed: temporary assigns, reset after
 * a render to what the client already shows no longer matters. */
void lv_assigns_reset_quietly(lv_assigns *a, const char *name, lv_value v);
/* NULL when the assign does not exist. */
const lv_value *lv_assigns_get(const lv_assigns *a, const char *name);
/* A name LV_STREAM_DEP_PREFIX "x" asks whether stream x has pending
 * operations; the stream's pending operations count as a change for
 * lv_assigns_any_changed too. */
bool lv_assigns_changed(const lv_assigns *a, const char *name);
bool lv_assigns_any_changed(const lv_assigns *a);
/* Called after a render has been sent: nothing is changed any more, and
 * streams drop what they had pending (it has been sent). */
void lv_assigns_clear_changed(lv_assigns *a);

#endif
