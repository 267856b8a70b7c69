/* The registry of function components (lv_function_component_register):
 * declarations the template compiler reads when it meets {{#name ...}}.
 * Entries are immutable once registered and live until exit (a second
 * registration of a name adds an entry that later lookups find first), so
 * a compile may hold one without a lock. Nothing here does I/O. */
#ifndef LV_RENDER_FCOMPONENTS_H
#define LV_RENDER_FCOMPONENTS_H

#include <liveview.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/value.h"

typedef struct lv_fc_attr {
    char *name;
    lv_attr_type type;
    bool required;
    lv_value default_value; /* null when none */
} lv_fc_attr;

typedef struct lv_fc_entry {
    char *name;
    char *text;          /* the body, or NULL: template_name */
    size_t text_len;
    char *template_name; /* resolved as a partial when the body is compiled */
    lv_fc_attr *attrs;
    size_t attr_count;
    char **slots;
    size_t slot_count;
} lv_fc_entry;

/* The latest entry registered as name (len bytes), or NULL. */
const lv_fc_entry *lv_fc_lookup(const char *name, size_t len);

/* The declared attribute / slot called name, or NULL. */
const lv_fc_attr *lv_fc_attr_of(const lv_fc_entry *fc, const char *name, size_t len);
bool lv_fc_has_slot(const lv_fc_entry *fc, const char *name, size_t len);

/* "a string", "an integer"...: for messages. */
const char *lv_fc_type_name(lv_attr_type type);
/* True when v may be given for an attribute of this type (null always
 * may: it means "not given"). */
bool lv_fc_value_fits(lv_attr_type type, const lv_value *v);

#endif
