/* Function components: registration, checked once, and lookup. */
#include "render/fcomponents.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "render/registry.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/value_json.h"

static pthread_mutex_t fc_lock = PTHREAD_MUTEX_INITIALIZER;
static lv_fc_entry **entries;
static size_t entry_count;

const char *lv_fc_type_name(lv_attr_type type)
{
    switch (type) {
    case LV_ATTR_STRING: return "a string";
    case LV_ATTR_INT: return "an integer";
    case LV_ATTR_NUMBER: return "a number";
    case LV_ATTR_BOOL: return "true or false";
    case LV_ATTR_LIST: return "a list";
    case LV_ATTR_MAP: return "a map";
    case LV_ATTR_ANY: break;
    }
    return "any value";
}

bool lv_fc_value_fits(lv_attr_type type, const lv_value *v)
{
    if (v->kind == LV_VALUE_NULL) return true;
    switch (type) {
    case LV_ATTR_STRING: return v->kind == LV_VALUE_STRING || v->kind == LV_VALUE_SAFE;
    case LV_ATTR_INT: return v->kind == LV_VALUE_INT;
    case LV_ATTR_NUMBER: return v->kind == LV_VALUE_INT || v->kind == LV_VALUE_DOUBLE;
    case LV_ATTR_BOOL: return v->kind == LV_VALUE_BOOL;
    case LV_ATTR_LIST: return v->kind == LV_VALUE_LIST;
    case LV_ATTR_MAP: return v->kind == LV_VALUE_MAP;
    case LV_ATTR_ANY: return true;
    }
    return false;
}

/* The default's text as a value of the attribute's type. False when it is
 * not one. */
static bool parse_default(lv_attr_type type, const char *text, lv_value *out)
{
    *out = lv_value_null();
    if (!text) return true;
    if (type == LV_ATTR_STRING || type == LV_ATTR_ANY) {
        *out = lv_value_string(text, strlen(text));
        return true;
    }
    if (lv_value_parse_json(text, strlen(text), LV_JSON_MAX_DEPTH, out) != LV_JSON_OK) return false;
    if (out->kind != LV_VALUE_NULL && lv_fc_value_fits(type, out)) return true;
    lv_value_free(out);
    return false;
}

static void entry_free(lv_fc_entry *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->attr_count; i++) {
        free(e->attrs[i].name);
        lv_value_free(&e->attrs[i].default_value);
    }
    for (size_t i = 0; i < e->slot_count; i++) free(e->slots[i]);
    free(e->attrs);
    free(e->slots);
    free(e->name);
    free(e->text);
    free(e->template_name);
    free(e);
}

/* Words the template language owns after "{{#" or as a tag. */
static bool reserved_name(const char *name)
{
    static const char *const words[] = {"if", "unless", "each", "stream", "else", "as", "component", "slot",
                                        "slots", "true", "false", "null", "async_result", NULL};
    for (const char *const *w = words; *w; w++)
        if (!strcmp(name, *w)) return true;
    return false;
}

/* Why the declaration is refused, or NULL; builds *out meanwhile. */
static const char *build_entry(const lv_function_component *fc, lv_fc_entry *e)
{
    if (!fc->name || !lv_registry_valid_name(fc->name, false) || reserved_name(fc->name))
        return "a name of letters, digits and _ that is not a keyword (if, each, slot...)";
    e->name = lv_xstrdup(fc->name);
    if (!fc->template_text == !fc->template_name) return "exactly one of template_text and template_name";
    if (fc->template_text) {
        e->text_len = strlen(fc->template_text);
        e->text = lv_xstrndup(fc->template_text, e->text_len);
    } else {
        if (!lv_registry_valid_name(fc->template_name, true)) return "a template_name that names a template";
        e->template_name = lv_xstrdup(fc->template_name);
    }
    for (const lv_attr_decl *a = fc->attrs; a && a->name; a++) {
        if (!lv_registry_valid_name(a->name, false) || !strcmp(a->name, "slots"))
            return "attribute names of letters, digits and _ (not \"slots\")";
        if (lv_fc_attr_of(e, a->name, strlen(a->name))) return "attribute names declared once";
        if ((unsigned)a->type > LV_ATTR_MAP) return "a known attribute type";
        if (a->required && a->default_value) return "no default for a required attribute";
        lv_value def;
        if (!parse_default(a->type, a->default_value, &def)) return "defaults of the attribute's type";
        e->attrs = lv_xrealloc(e->attrs, (e->attr_count + 1) * sizeof *e->attrs);
        e->attrs[e->attr_count++] = (lv_fc_attr){lv_xstrdup(a->name), a->type, a->required, def};
    }
    for (const char *const *s = fc->slots; s && *s; s++) {
        if (!lv_registry_valid_name(*s, false) || !strcmp(*s, "inner_block"))
            return "slot names of letters, digits and _ (not \"inner_block\")";
        if (lv_fc_has_slot(e, *s, strlen(*s))) return "slot names declared once";
        e->slots = lv_xrealloc(e->slots, (e->slot_count + 1) * sizeof *e->slots);
        e->slots[e->slot_count++] = lv_xstrdup(*s);
    }
    return NULL;
}

static int add_entry(const lv_function_component *fc);

/* Phoenix.Component.focus_wrap: a container whose Tab focus wraps around
 * (the client's built-in Phoenix.FocusWrap hook moves the focus from the
 * sentinel divs back into it), for menus and dialogs. */
static const lv_function_component builtin_focus_wrap = {
    .name = "focus_wrap",
    .template_text = "<div id=\"{{id}}\" phx-hook=\"Phoenix.FocusWrap\" class={{class}}>"
                     "<div id=\"{{id}}-start\" tabindex=\"0\" aria-hidden=\"true\"></div>"
                     "{{slot}}"
                     "<div id=\"{{id}}-end\" tabindex=\"0\" aria-hidden=\"true\"></div>"
                     "</div>",
    .attrs = (const lv_attr_decl[]){{.name = "id", .type = LV_ATTR_STRING, .required = true},
                                    {.name = "class", .type = LV_ATTR_STRING},
                                    {0}},
};

static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;

/* First in the registry: an application's component of the same name is
 * found before it (lookups go newest first). */
static void register_builtins(void)
{
    add_entry(&builtin_focus_wrap);
}

int lv_function_component_register(const lv_function_component *fc)
{
    pthread_once(&builtins_once, register_builtins);
    return add_entry(fc);
}

static int add_entry(const lv_function_component *fc)
{
    if (!fc) return -1;
    lv_fc_entry *e = lv_xcalloc(1, sizeof *e);
    const char *wrong = build_entry(fc, e);
    if (wrong) {
        lv_log_error("function component %s: expected %s", e->name ? e->name : "(unnamed)", wrong);
        entry_free(e);
        return -1;
    }
    pthread_mutex_lock(&fc_lock);
    entries = lv_xrealloc(entries, (entry_count + 1) * sizeof *entries);
    entries[entry_count++] = e;
    pthread_mutex_unlock(&fc_lock);
    return 0;
}

const lv_fc_entry *lv_fc_lookup(const char *name, size_t len)
{
    pthread_once(&builtins_once, register_builtins);
    const lv_fc_entry *found = NULL;
    pthread_mutex_lock(&fc_lock);
    for (size_t i = entry_count; i-- > 0;) {
        if (strncmp(entries[i]->name, name, len) == 0 && entries[i]->name[len] == '\0') {
            found = entries[i];
            break;
        }
    }
    pthread_mutex_unlock(&fc_lock);
    return found;
}

const lv_fc_attr *lv_fc_attr_of(const lv_fc_entry *fc, const char *name, size_t len)
{
    for (size_t i = 0; i < fc->attr_count; i++)
        if (strncmp(fc->attrs[i].name, name, len) == 0 && fc->attrs[i].name[len] == '\0') return &fc->attrs[i];
    return NULL;
}

bool lv_fc_has_slot(const lv_fc_entry *fc, const char *name, size_t len)
{
    for (size_t i = 0; i < fc->slot_count; i++)
        if (strncmp(fc->slots[i], name, len) == 0 && fc->slots[i][len] == '\0') return true;
    return false;
}
