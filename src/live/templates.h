/* Templates from files: the I/O side of the template engine.
 *
 * A view's template comes from template_text (a C string), or from
 * template_file: a template embedded into the program at build time
 * (lv_embed_templates in CMake, registered with lv_template_embed) or a file
 * read when the route is registered (absolute, or relative to
 * LV_TEMPLATES_DIR, else the working directory).
 *
 * In development mode (LV_ENV=dev) the files a template was built from (its
 * own file, the source file of an embedded template, partial files) are
 * stat()ed by lv_template_refresh, which the runtime calls once per render;
 * a changed file is recompiled in place and every view's next diff carries
 * the new tree. In production lv_template_refresh does nothing. */
#ifndef LV_LIVE_TEMPLATES_H
#define LV_LIVE_TEMPLATES_H

#include <stdbool.h>

#include "liveview.h"
#include "render/tmpl.h"

/* Compiles the view's template (see above). Returns NULL and fills *err (a
 * message naming the template, line and column, or the file that could not
 * be read). Free with lv_tmpl_free. */
lv_tmpl *lv_template_load(const lv_view *view, lv_tmpl_error *err);

/* Development mode only: recompiles t in place when one of its files
 * changed since it was compiled, and returns true. A template that no longer
 * compiles is reported on stderr and the old one is kept. The pointer t
 * stays valid either way. Not thread-safe against renders of t on other
 * threads (development runs one loop). */
bool lv_template_refresh(lv_tmpl *t);

/* True when LV_ENV=dev. */
bool lv_templates_dev_mode(void);

#endif
