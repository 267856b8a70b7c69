/* liveview-conformance: the views of Phoenix LiveView's own end-to-end
 * suite (test/e2e in the phoenix_live_view repository), written in C, so
 * that suite's specs run unchanged against liveview-c (docs/conformance.md).
 * Each part registers its routes from its own file. */
#ifndef LV_CONFORMANCE_H
#define LV_CONFORMANCE_H

#include <liveview.h>

/* Each returns 0, or -1 after logging why (a taken path, a template error). */

/* The shell: the /navigation pages (their own layout), /errors, /js, /select. */
int conf_core_register(lv_app *app);
/* the /stream pages, /healthy/:category, /keyed-comprehension, /components. */
int conf_streams_register(lv_app *app);
/* the /form and /form-unsaved pages, /upload, POST /submit. */
int conf_forms_register(lv_app *app);

/* conf_core_register's parts, one file each. */
int conf_navigation_register(lv_app *app); /* navigation.c */
int conf_errors_register(lv_app *app);     /* errors.c */
int conf_js_register(lv_app *app);         /* js_select.c */
int conf_select_register(lv_app *app);     /* js_select.c */

/* The root layout of every page (layout.c): the suite's root and live
 * layouts in one template. */
int conf_layout_register(lv_app *app);

#endif
