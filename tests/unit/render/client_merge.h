/* The client's Rendered class for the render tests: a thin wrapper over
 * the library's port of phoenix_live_view 1.2.12's rendered.js
 * (src/testing/mirror.c, which lv_test uses too), keeping the names these
 * tests were written with. Tests merge the server's diffs with it and
 * compare the HTML the client would show against a fresh render.
 * Header-only, for the render tests and the template fuzzer. */
#ifndef LV_TEST_CLIENT_MERGE_H
#define LV_TEST_CLIENT_MERGE_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "testing/mirror.h"
#include "util/buf.h"

/* Set when the client would have thrown; the tests reset client_failed. */
static bool client_failed;
static char client_failure[200];

/* When not NULL, each stream rendered is appended as [stream, [entry html,
 * ...]] and a marker "\x01<ref>\x01" is written where its entries go (see
 * lv_mirror_render). */
static json_t *client_streams;

static void client_note(const lv_mirror_error *err)
{
    if (!err->failed || client_failed) return;
    client_failed = true;
    memcpy(client_failure, err->why, sizeof client_failure);
}

/* rendered.js mergeDiff. Returns the new tree; takes the old one. */
static json_t *client_merge(json_t *rendered, json_t *diff)
{
    lv_mirror_error err = {0};
    json_t *merged = lv_mirror_merge(rendered, diff, &err);
    client_note(&err);
    return merged;
}

/* rendered.js toString into out (templates: NULL at the root). */
static void client_to_output(json_t *rendered, json_t *templates, lv_buf *out)
{
    (void)templates;
    lv_mirror_error err = {0};
    lv_mirror_render(rendered, client_streams, out, &err);
    client_note(&err);
}

/* The HTML the client builds from its tree, as a string the caller frees. */
static char *client_html(json_t *rendered)
{
    lv_buf out = LV_BUF_INIT;
    client_to_output(rendered, NULL, &out);
    return lv_buf_take(&out);
}

#endif
