/* Templates: text compiled once, when a view is registered, into statics and
 * dynamic slots. The first slice of the language is `{{ name }}`: the value
 * of the assign `name`, HTML-escaped. Whitespace inside the braces is
 * ignored; a name is [A-Za-z_][A-Za-z0-9_]*.
 *
 * A template with N slots has N + 1 statics, which is exactly the "s" array
 * of the client's rendered tree (protocol.md §4.2), so the statics' JSON is
 * written once, at compile time. Each slot records the assign it reads, so a
 * render after an event evaluates only the slots whose assign changed. */
#ifndef LV_RENDER_TMPL_H
#define LV_RENDER_TMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "render/value.h"
#include "util/buf.h"

typedef struct lv_tmpl_error {
    int line; /* 1-based */
    int col;  /* 1-based, in bytes */
    char message[200];
} lv_tmpl_error;

typedef struct lv_tmpl_slot {
    char *assign; /* name of the assign it reads (owned) */
    int line;     /* where the slot starts, for messages */
    atomic_bool reported_missing;
} lv_tmpl_slot;

typedef struct lv_tmpl {
    char *name;           /* for messages (owned) */
    size_t slot_count;
    lv_tmpl_slot *slots;  /* slot_count */
    char **statics;       /* slot_count + 1, owned */
    size_t *static_lens;
    char *statics_json;   /* "[\"...\",\"...\"]", owned */
    size_t statics_json_len;
} lv_tmpl;

/* Compiles text (len bytes) named `name`. Returns NULL on a parse error and
 * fills *err with the line, column and a message that names the template.
 * The caller frees the result with lv_tmpl_free. */
lv_tmpl *lv_tmpl_compile(const char *name, const char *text, size_t len, lv_tmpl_error *err);
void lv_tmpl_free(lv_tmpl *t);

#endif
