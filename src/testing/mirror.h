/* A C port of what the phoenix_live_view 1.2.12 client does with the
 * server's rendered trees (assets/node_modules/phoenix_live_view/assets/js/
 * phoenix_live_view/rendered.js, and the stream part of dom_patch.ts), so a
 * test can know the HTML a browser's DOM would hold without a browser.
 *
 * Two levels:
 * - lv_mirror_merge and lv_mirror_render are rendered.js's mergeDiff and
 *   toString on a jansson tree: shared templates ("p"), keyed
 *   comprehensions ("k", moves with "km"), components ("c", statics shared
 *   by cid) and the "stream" of a comprehension, whose entries are handed
 *   out instead of written (see lv_mirror_render). The render unit tests
 *   and the template fuzzer check the server against it.
 * - lv_mirror keeps one view's tree and the children of its stream
 *   containers, applying every diff the way the client patches the DOM
 *   (lv_test, include/liveview_test.h).
 *
 * What is not modelled: the DOM itself (attributes changed by JS commands,
 * phx-update="ignore" contents kept across renders, form input values the
 * user typed), the phx-skip/magic-id optimisation (it only avoids DOM work:
 * the HTML is the same), and uploads. Components' root elements get the
 * data-phx-component attribute the client gives them. */
#ifndef LV_TESTING_MIRROR_H
#define LV_TESTING_MIRROR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Set when the client would have thrown (a move without "km", a number
 * where no component is, a template index with no template...). The first
 * reason is kept. */
typedef struct lv_mirror_error {
    bool failed;
    char why[200];
} lv_mirror_error;

/* rendered.js mergeDiff: merges diff (borrowed, never changed) into
 * rendered (taken: NULL for an empty tree) and returns the new tree (a new
 * reference the caller owns). A top-level "s" replaces the tree. Title,
 * events and reply ("t", "e", "r") are the caller's to remove first, as
 * Rendered.extract does. */
json_t *lv_mirror_merge(json_t *rendered, const json_t *diff, lv_mirror_error *err);

/* rendered.js toString: appends the HTML of rendered to out. The tree is
 * updated as the client updates it while rendering (templates resolved, a
 * rendered stream's entries dropped). Each stream rendered is appended to
 * streams (when not NULL) as [stream, [entry html, ...]] and its entries
 * are not written: a marker "\x01<ref>\x01" stands where the container's
 * children go. */
void lv_mirror_render(json_t *rendered, json_t *streams, lv_buf *out, lv_mirror_error *err);

/* One view as the client holds it. */
typedef struct lv_mirror_child {
    char *id;   /* owned: the element's DOM id */
    char *html; /* owned */
} lv_mirror_child;

typedef struct lv_mirror_container {
    char *ref; /* owned: the stream's ref */
    lv_mirror_child *children;
    size_t count;
} lv_mirror_container;

typedef struct lv_mirror {
    json_t *rendered; /* owned; NULL before the first tree */
    lv_mirror_container *containers;
    size_t container_count;
    char *html; /* owned: the HTML after the last tree or diff */
    lv_mirror_error error;
} lv_mirror;

void lv_mirror_init(lv_mirror *m);
/* A join's "rendered" (borrowed): replaces everything the mirror held. */
void lv_mirror_reset(lv_mirror *m, const json_t *rendered);
/* Applies one diff (borrowed, without "t", "e", "r") as the client patches
 * the DOM: merge, render, then the streams of that render into their
 * containers. Returns 0, or -1 when the client would have failed
 * (m->error says why; the HTML keeps its last good value). */
int lv_mirror_apply(lv_mirror *m, const json_t *diff);
/* The HTML now (owned by the mirror), "" before the first tree. */
const char *lv_mirror_html(const lv_mirror *m);
void lv_mirror_free(lv_mirror *m);

#endif
