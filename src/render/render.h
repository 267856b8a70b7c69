/* Rendering a compiled template against assigns, in the three forms a view
 * needs: the HTML of the dead render, the full rendered tree of a join reply,
 * and the diff after an event (docs/protocol.md §4, for the 1.2.x client).
 *
 * Two APIs:
 *   - stateless (lv_render_html / lv_render_full / lv_render_diff): a diff
 *     holds the slots whose assigns changed; a changed conditional or loop is
 *     resent whole, with its statics.
 *   - stateful (lv_render_full_state / lv_render_diff_state): a per-view
 *     lv_render_state remembers what the client has (the branch of each
 *     conditional, a 64-bit hash per loop row), so a conditional that stays
 *     on its branch sends only its changed slots, a branch switch sends
 *     statics only when the new branch's fingerprint differs, and a loop
 *     sends only new or changed rows, moves ("km") for shifted rows, and
 *     "kc". Statics of blocks inside loop rows that a payload uses more
 *     than once are shared through "p"; a block used once is sent inline.
 *
 * A missing assign renders as nothing and is reported on stderr once per
 * expression (template and line); that report is the only I/O here. */
#ifndef LV_RENDER_RENDER_H
#define LV_RENDER_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "render/assigns.h"
#include "render/tmpl.h"
#include "util/buf.h"
#include "util/value.h"

/* The components issue's hook. A {{component "name" key=value ...}} slot
 * calls it with the evaluated arguments. Without hooks, or with a NULL
 * function, the slot renders as nothing. */
typedef struct lv_component_call {
    const char *name;
    uint32_t arg_count;
    const char *const *keys;     /* arg_count */
    const lv_value *const *values; /* arg_count, borrowed for the call */
    /* {{live_render "name" ...}}: a nested LiveView. Both renders call
     * render_html for it: the dead render puts the HTML in place, a
     * rendered tree carries it as the slot's string (the child's container;
     * docs/nested.md). */
    bool live_view;
} lv_component_call;

typedef struct lv_component_hooks {
    /* Dead render: append the component's HTML. */
    void (*render_html)(void *user, const lv_component_call *call, lv_buf *out);
    /* Rendered tree: return the cid to put in the slot (a JSON number) after
     * recording the component's own tree for the reply's "c"; or -1 for an
     * empty slot. */
    int64_t (*render_cid)(void *user, const lv_component_call *call);
    void *user;
} lv_component_hooks;

/* What the client has for one view. NULL is a valid state for a template
 * that needs none (no conditionals or loops, not reloadable): the counter
 * keeps no render state at all. */
typedef struct lv_render_state lv_render_state;

/* Stateless API: see above. */
void lv_render_html(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);
void lv_render_full(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);
/* Appends {} or {"i":...} in index order; true when something was written.
 * Change bits are left for the caller to clear. */
bool lv_render_diff(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);

/* The dead render with component hooks (hooks may be NULL). */
void lv_render_html_ex(const lv_tmpl *t, const lv_assigns *a, const lv_component_hooks *hooks, lv_buf *out);

/* Stateful API. *state starts NULL and is owned by the caller (free it with
 * lv_render_state_free); these functions create or replace it as the
 * template requires. lv_render_full_state writes the join's tree and records
 * it as what the client has. lv_render_diff_state writes what changed since
 * (or the whole tree, with "s", when the state was made for another version
 * of the template, e.g. after a reload in development) and returns true when
 * the diff is not {}. hooks may be NULL. */
void lv_render_full_state(const lv_tmpl *t, const lv_assigns *a, lv_render_state **state,
                          const lv_component_hooks *hooks, lv_buf *out);
bool lv_render_diff_state(const lv_tmpl *t, const lv_assigns *a, lv_render_state **state,
                          const lv_component_hooks *hooks, lv_buf *out);
void lv_render_state_free(lv_render_state *state);
/* False when state records a tree of another version of t (reloaded in
 * development): the next lv_render_diff_state then sends the whole tree. */
bool lv_render_state_current(const lv_tmpl *t, const lv_render_state *state);
/* Heap bytes held by a state (for tests and the memory bench). */
size_t lv_render_state_bytes(const lv_render_state *state);

#endif
