/* Rendering a compiled template against assigns, in the three forms a view
 * needs: the HTML of the dead render, the full rendered tree of a join reply,
 * and the diff after an event. An assign that does not exist renders as
 * nothing and is reported on stderr once per slot (template name and line).
 * Nothing here does I/O besides that report. */
#ifndef LV_RENDER_RENDER_H
#define LV_RENDER_RENDER_H

#include <stdbool.h>

#include "render/tmpl.h"
#include "render/value.h"
#include "util/buf.h"

/* Appends the HTML: statics and escaped values interleaved. */
void lv_render_html(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);
/* Appends the full rendered tree: {"0":"...","1":"...",...,"s":[...]}, every
 * dynamic present, text as JSON strings of escaped HTML. */
void lv_render_full(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);
/* Appends a diff holding only the slots whose assign changed, in index
 * order: {"1":"..."}, or {} when nothing changed. Returns true when at least
 * one slot was written. Change bits are left for the caller to clear. */
bool lv_render_diff(const lv_tmpl *t, const lv_assigns *a, lv_buf *out);

#endif
