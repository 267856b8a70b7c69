/* HTML escaping, as phoenix_html does it: & < > " ' become &amp; &lt; &gt;
 * &quot; &#39;. Safe both in text and in quoted attribute values. */
#ifndef LV_RENDER_ESCAPE_H
#define LV_RENDER_ESCAPE_H

#include <stddef.h>

#include "util/buf.h"

void lv_html_escape(lv_buf *out, const char *s, size_t n);

#endif
