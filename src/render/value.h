/* Assign values and the assigns store with change tracking.
 *
 * A view's state is a small set of named values. Setting a value equal to the
 * current one is not a change, so the renderer re-evaluates, and the diff
 * carries, only the slots that read an assign that really changed (Phoenix's
 * change tracking). The templates issue extends lv_value with safe HTML,
 * lists and maps. */
#ifndef LV_RENDER_VALUE_H
#define LV_RENDER_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef enum lv_value_kind {
    LV_VALUE_NULL = 0,
    LV_VALUE_BOOL,
    LV_VALUE_INT,
    LV_VALUE_DOUBLE,
    LV_VALUE_STRING,
} lv_value_kind;

typedef struct lv_value {
    lv_value_kind kind;
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *ptr; /* owned, NUL-terminated */
            size_t len;
        } s;
    } as;
} lv_value;

lv_value lv_value_null(void);
lv_value lv_value_bool(bool b);
lv_value lv_value_int(int64_t i);
lv_value lv_value_double(double d);
/* Copies n bytes of s. */
lv_value lv_value_string(const char *s, size_t n);
void lv_value_free(lv_value *v);
bool lv_value_equal(const lv_value *a, const lv_value *b);
/* Appends the text form, before any escaping: integers in decimal, doubles in
 * the shortest form that reads back to the same double, booleans as
 * "true"/"false", null as nothing. */
void lv_value_to_text(const lv_value *v, lv_buf *out);

typedef struct lv_assign {
    char *name; /* owned */
    lv_value value;
    bool changed;
} lv_assign;

typedef struct lv_assigns {
    lv_assign *items;
    uint32_t count;
    uint32_t cap;
} lv_assigns;

void lv_assigns_init(lv_assigns *a);
void lv_assigns_free(lv_assigns *a);
/* Stores v under name, taking ownership of v's memory. Marks the assign
 * changed when it is new or its value differs; an equal value is freed and
 * leaves the change bit alone. */
void lv_assigns_put(lv_assigns *a, const char *name, lv_value v);
/* NULL when the assign does not exist. */
const lv_value *lv_assigns_get(const lv_assigns *a, const char *name);
bool lv_assigns_changed(const lv_assigns *a, const char *name);
bool lv_assigns_any_changed(const lv_assigns *a);
/* Called after a render has been sent: nothing is changed any more. */
void lv_assigns_clear_changed(lv_assigns *a);

#endif
