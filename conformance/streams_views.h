/* The registration functions of the stream part's files, each called by
 * conf_streams_register (streams.c). Each returns 0, or -1 after logging. */
#ifndef CONF_STREAMS_VIEWS_H
#define CONF_STREAMS_VIEWS_H

#include <liveview.h>

/* /stream/reset, /stream/reset-lc, /stream/nested-component-reset,
 * /stream/inside-for (streams_reset.c). */
int conf_streams_reset_register(lv_app *app);
/* /stream/limit (streams_limit.c). */
int conf_streams_limit_register(lv_app *app);
/* /components and /keyed-comprehension (streams_pages.c). */
int conf_streams_pages_register(lv_app *app);

#endif
