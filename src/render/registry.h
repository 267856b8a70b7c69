/* Process-wide registries the template compiler reads: helpers (C functions
 * callable from templates) and named template texts (partials registered with
 * lv_partial, partial files, and templates embedded at build time). Lookups
 * happen when a template is compiled, never while rendering, so the hot path
 * takes no lock. A mutex guards registration against a concurrent compile.
 * Nothing here does I/O. */
#ifndef LV_RENDER_REGISTRY_H
#define LV_RENDER_REGISTRY_H

#include <liveview.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct lv_helper_entry {
    char *name;
    lv_helper_fn fn;
    void *user;
} lv_helper_entry;

/* The entry for name (len bytes), or NULL. Entries live until exit and a
 * re-registration updates one in place, so the pointer stays valid. The
 * built-in helpers are registered on first use. */
const lv_helper_entry *lv_registry_helper(const char *name, size_t len);

/* Registers a named text. `copy` copies text; otherwise it is borrowed and
 * must stay valid (embedded templates are static). source_path (copied, may
 * be NULL) is the file it came from, for reloading in development. Replaces
 * an earlier text of the same name. */
void lv_registry_set_text(const char *name, const char *text, size_t len, bool copy, const char *source_path);
/* Looks up name, then name + ".html". On success returns a malloc'd copy of
 * the text the caller frees, and sets *len, and *source_path to a malloc'd
 * copy of the path or NULL. Returns NULL when absent. */
char *lv_registry_get_text(const char *name, size_t name_len, size_t *len, char **source_path);
/* True for [A-Za-z_][A-Za-z0-9_]* (helpers) or, with dots, dashes and
 * slashes allowed after the first character, for text names. */
bool lv_registry_valid_name(const char *name, bool text_name);

/* lv_helper_register without registering the built-ins first: for the
 * built-ins themselves. */
int lv_registry_add_helper(const char *name, lv_helper_fn fn, void *user);

#endif
