/* Changesets: a form's params cast into typed, validated data, as Ecto's
 * changesets do (liveview.h, "Forms: changesets, JS commands").
 *
 * A schema is compiled once (its patterns with regcomp) and is read-only
 * afterwards, so every view and thread may share it: regexec on a compiled
 * pattern is thread-safe. A changeset is made per event and is small: one
 * block holding a state per field, the data map and the params map.
 *
 * Which errors templates see: all of them are computed, so `valid` is true
 * only when every field passes. They are shown only once an action is set
 * (an untouched form shows none), and never for a field the client marks
 * "_unused_" (phoenix_live_view 1.x adds user[_unused_email]= for each
 * input the user has not focused yet), except the field named by _target,
 * which just changed. On submit the client marks nothing unused, so every
 * error shows. */
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/log.h"
#include "util/number.h"
#include "util/value.h"

#define UNUSED_PREFIX "_unused_"

struct lv_schema {
    char *form; /* owned; NULL for top-level fields */
    size_t count;
    lv_field *fields;  /* owned copy; its strings are borrowed */
    regex_t *patterns; /* count entries; compiled where fields[i].pattern */
};

typedef struct field_state {
    const char *error; /* a literal, a schema string, message or owned */
    char *owned;       /* from lv_changeset_add_error */
    char message[80];  /* messages with a number in them */
    bool unused;       /* the client has not seen the user use it */
} field_state;

struct lv_changeset {
    const lv_schema *schema; /* borrowed: must outlive the changeset */
    char *action;            /* owned, or NULL */
    lv_value data;           /* MAP: every declared field, typed or null */
    lv_value params;         /* MAP: the text sent for declared fields */
    size_t target;           /* index of the _target field, or SIZE_MAX */
    field_state fields[];    /* schema->count */
};

/* ---- Schemas ------------------------------------------------------------------ */

void lv_schema_free(lv_schema *schema)
{
    if (!schema) return;
    for (size_t i = 0; i < schema->count; i++)
        if (schema->fields[i].pattern) regfree(&schema->patterns[i]);
    free(schema->patterns);
    free(schema->fields);
    free(schema->form);
    free(schema);
}

lv_schema *lv_schema_new(const char *form_name, const lv_field *fields, size_t count)
{
    lv_schema *schema = lv_xcalloc(1, sizeof *schema);
    schema->form = form_name && *form_name ? lv_xstrdup(form_name) : NULL;
    schema->fields = lv_xcalloc(count ? count : 1, sizeof *fields);
    schema->patterns = lv_xcalloc(count ? count : 1, sizeof *schema->patterns);
    for (size_t i = 0; i < count; i++) {
        const lv_field *f = &fields[i];
        const char *why = NULL;
        if (!f->name || !*f->name || strncmp(f->name, UNUSED_PREFIX, strlen(UNUSED_PREFIX)) == 0 ||
            strpbrk(f->name, "[]"))
            why = "a field needs a name without brackets or the _unused_ prefix";
        for (size_t j = 0; !why && j < i; j++)
            if (strcmp(fields[j].name, f->name) == 0) why = "the field is declared twice";
        if (why) {
            lv_log_error("schema %s, field \"%s\": %s", form_name ? form_name : "(top level)",
                         f->name ? f->name : "", why);
            lv_schema_free(schema);
            return NULL;
        }
        if (f->pattern) {
            int rc = regcomp(&schema->patterns[i], f->pattern, REG_EXTENDED | REG_NOSUB);
            if (rc != 0) {
                char msg[128];
                regerror(rc, &schema->patterns[i], msg, sizeof msg);
                lv_log_error("schema %s, field \"%s\": bad pattern \"%s\": %s",
                             form_name ? form_name : "(top level)", f->name, f->pattern, msg);
                schema->count = i; /* patterns 0..i-1 are compiled */
                schema->fields[i].pattern = NULL;
                lv_schema_free(schema);
                return NULL;
            }
        }
        schema->fields[i] = *f;
        schema->count = i + 1;
    }
    return schema;
}

/* ---- Casting ------------------------------------------------------------------ */

static bool all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n\f\v", s[i])) return false;
    return true;
}

/* Code points of valid UTF-8 (the form decoder refuses anything else). */
static size_t utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
    return count;
}

static bool parse_int(const char *s, int64_t *out)
{
    const char *digits = *s == '-' ? s + 1 : s;
    if (*digits < '0' || *digits > '9') return false;
    bool negative = *s == '-';
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t n = 0;
    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        unsigned d = (unsigned)(*p - '0');
        if (n > (limit - d) / 10) return false;
        n = n * 10 + d;
    }
    *out = negative ? (int64_t)(0 - n) : (int64_t)n;
    return true;
}

static bool parse_double(const char *s, double *out)
{
    /* strtod also reads "inf", "nan" and hex floats: a form wants decimals. */
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s)) return false;
    char *end;
    double d = strtod(s, &end);
    if (*end || !isfinite(d)) return false;
    *out = d;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "1")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "0")) {
        *out = false;
        return true;
    }
    return false;
}

/* local@domain.tld, with no blanks, one '@', and a dot inside the domain. */
static bool email_shaped(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',') return false;
    const char *domain = at + 1;
    const char *dot = strrchr(domain, '.');
    return dot && dot > domain && dot[1] && !strstr(domain, "..");
}

/* Casts the text of one field. Returns false when it is not of the type. */
static bool cast_text(lv_field_type type, const char *text, size_t len, lv_value *out)
{
    if (all_blank(text, len)) {
        *out = lv_value_null(); /* empty means missing, as Ecto's empty_values */
        return true;
    }
    switch (type) {
    case LV_FIELD_INT: {
        int64_t i;
        if (!parse_int(text, &i)) return false;
        *out = lv_value_int(i);
        return true;
    }
    case LV_FIELD_DOUBLE: {
        double d;
        if (!parse_double(text, &d)) return false;
        *out = lv_value_double(d);
        return true;
    }
    case LV_FIELD_BOOL: {
        bool b;
        if (!parse_bool(text, &b)) return false;
        *out = lv_value_bool(b);
        return true;
    }
    case LV_FIELD_STRING:
    case LV_FIELD_EMAIL:
    default: *out = lv_value_string(text, len); return true;
    }
}

static void format_bound(char *out, size_t size, const char *what, double bound, bool integral)
{
    char number[LV_DOUBLE_TEXT_SIZE];
    if (integral && bound == floor(bound) && fabs(bound) < 9e15) {
        snprintf(out, size, "must be %s %lld", what, (long long)bound);
    } else {
        lv_double_text(bound, number);
        snprintf(out, size, "must be %s %s", what, number);
    }
}

/* Runs the checks after the cast on one typed value. */
static void validate_field(const lv_schema *schema, size_t i, const lv_value *v, field_state *st)
{
    const lv_field *f = &schema->fields[i];
    if (v->kind == LV_VALUE_NULL) {
        if (f->required) st->error = "can't be blank";
        return;
    }
    if (v->kind == LV_VALUE_STRING) {
        size_t chars = utf8_length(v->as.s.ptr, v->as.s.len);
        if (f->min_length && chars < f->min_length) {
            snprintf(st->message, sizeof st->message, "should be at least %zu character(s)", f->min_length);
            st->error = st->message;
            return;
        }
        if (f->max_length && chars > f->max_length) {
            snprintf(st->message, sizeof st->message, "should be at most %zu character(s)", f->max_length);
            st->error = st->message;
            return;
        }
        if (f->type == LV_FIELD_EMAIL && !email_shaped(v->as.s.ptr)) {
            st->error = "has invalid format";
            return;
        }
    }
    if (v->kind == LV_VALUE_INT || v->kind == LV_VALUE_DOUBLE) {
        double d = v->kind == LV_VALUE_INT ? (double)v->as.i : v->as.d;
        bool integral = f->type == LV_FIELD_INT;
        if (f->min.set && d < f->min.value) {
            format_bound(st->message, sizeof st->message, "greater than or equal to", f->min.value, integral);
            st->error = st->message;
            return;
        }
        if (f->max.set && d > f->max.value) {
            format_bound(st->message, sizeof st->message, "less than or equal to", f->max.value, integral);
            st->error = st->message;
            return;
        }
    }
    if (f->pattern) {
        lv_buf text = LV_BUF_INIT;
        lv_value_to_text(v, &text);
        int rc = regexec(&schema->patterns[i], text.data ? text.data : "", 0, NULL, 0);
        lv_buf_free(&text);
        if (rc != 0) {
            st->error = "has invalid format";
            return;
        }
    }
    if (f->check && !f->check(v, f->check_user)) st->error = f->check_message ? f->check_message : "is invalid";
}

/* The field a _target names: "book[title]" for form "book", "title" for
 * top-level fields. SIZE_MAX when it names none of ours. */
static size_t target_field(const lv_schema *schema, const lv_value *root)
{
    const lv_value *t = lv_value_map_get(root, "_target", 7);
    if (!t || t->kind != LV_VALUE_STRING) return SIZE_MAX;
    const char *name = t->as.s.ptr;
    size_t len = t->as.s.len;
    if (schema->form) {
        size_t form_len = strlen(schema->form);
        if (len < form_len + 3 || memcmp(name, schema->form, form_len) != 0 || name[form_len] != '[' ||
            name[len - 1] != ']')
            return SIZE_MAX;
        name += form_len + 1;
        len -= form_len + 2;
    }
    for (size_t i = 0; i < schema->count; i++)
        if (strlen(schema->fields[i].name) == len && memcmp(schema->fields[i].name, name, len) == 0) return i;
    return SIZE_MAX;
}

/* The text of a scalar param (as lv_param gives it); false for null, a map
 * or a list. */
static bool param_text(const lv_value *raw, lv_buf *text)
{
    lv_buf_reset(text);
    if (raw->kind == LV_VALUE_NULL || raw->kind == LV_VALUE_LIST || raw->kind == LV_VALUE_MAP) return false;
    lv_value_to_text(raw, text);
    lv_buf_putc(text, '\0'); /* an empty text still gets a buffer */
    text->len--;
    return true;
}

lv_changeset *lv_changeset_cast(const lv_schema *schema, const lv_value *data, const lv_params *params,
                                const char *action)
{
    lv_changeset *cs = lv_xcalloc(1, sizeof *cs + schema->count * sizeof(field_state));
    cs->schema = schema;
    cs->action = action ? lv_xstrdup(action) : NULL;
    cs->data = lv_value_map();
    cs->params = lv_value_map();
    const lv_value *root = params ? params->map : NULL;
    const lv_value *form = schema->form && root ? lv_value_map_get(root, schema->form, strlen(schema->form)) : root;
    if (form && form->kind != LV_VALUE_MAP) form = NULL;
    cs->target = root ? target_field(schema, root) : SIZE_MAX;

    lv_buf text = LV_BUF_INIT;
    char unused_key[128];
    for (size_t i = 0; i < schema->count; i++) {
        const lv_field *f = &schema->fields[i];
        field_state *st = &cs->fields[i];
        snprintf(unused_key, sizeof unused_key, UNUSED_PREFIX "%s", f->name);
        st->unused = form && lv_value_map_get(form, unused_key, strlen(unused_key)) != NULL;
        const lv_value *raw = form ? lv_value_map_get(form, f->name, strlen(f->name)) : NULL;
        lv_value typed = lv_value_null();
        if (raw) {
            if (!param_text(raw, &text)) {
                st->error = "is invalid";
            } else {
                lv_value_map_set(&cs->params, f->name, lv_value_string(text.data, text.len));
                if (!cast_text(f->type, text.data, text.len, &typed)) st->error = "is invalid";
            }
        } else if (data) {
            const lv_value *old = lv_value_map_get(data, f->name, strlen(f->name));
            if (old) typed = lv_value_clone(old);
        }
        if (!st->error) validate_field(schema, i, &typed, st);
        lv_value_map_set(&cs->data, f->name, typed);
    }
    lv_buf_free(&text);
    return cs;
}

void lv_changeset_free(lv_changeset *cs)
{
    if (!cs) return;
    for (size_t i = 0; i < cs->schema->count; i++) free(cs->fields[i].owned);
    lv_value_free(&cs->data);
    lv_value_free(&cs->params);
    free(cs->action);
    free(cs);
}

/* ---- Reading ------------------------------------------------------------------ */

static size_t field_index(const lv_changeset *cs, const char *field)
{
    if (!field) return SIZE_MAX;
    for (size_t i = 0; i < cs->schema->count; i++)
        if (strcmp(cs->schema->fields[i].name, field) == 0) return i;
    return SIZE_MAX;
}

bool lv_changeset_valid(const lv_changeset *cs)
{
    for (size_t i = 0; i < cs->schema->count; i++)
        if (cs->fields[i].error) return false;
    return true;
}

const char *lv_changeset_action(const lv_changeset *cs)
{
    return cs->action;
}

const lv_value *lv_changeset_data(const lv_changeset *cs)
{
    return &cs->data;
}

static const lv_value *data_of(const lv_changeset *cs, const char *field)
{
    return field ? lv_value_map_get(&cs->data, field, strlen(field)) : NULL;
}

const char *lv_changeset_get_str(const lv_changeset *cs, const char *field)
{
    const lv_value *v = data_of(cs, field);
    return v && v->kind == LV_VALUE_STRING ? v->as.s.ptr : NULL;
}

int64_t lv_changeset_get_int(const lv_changeset *cs, const char *field, int64_t fallback)
{
    const lv_value *v = data_of(cs, field);
    return v && v->kind == LV_VALUE_INT ? v->as.i : fallback;
}

double lv_changeset_get_double(const lv_changeset *cs, const char *field, double fallback)
{
    const lv_value *v = data_of(cs, field);
    if (v && v->kind == LV_VALUE_DOUBLE) return v->as.d;
    if (v && v->kind == LV_VALUE_INT) return (double)v->as.i;
    return fallback;
}

bool lv_changeset_get_bool(const lv_changeset *cs, const char *field)
{
    const lv_value *v = data_of(cs, field);
    return v && v->kind == LV_VALUE_BOOL && v->as.b;
}

const char *lv_changeset_error(const lv_changeset *cs, const char *field)
{
    size_t i = field_index(cs, field);
    return i == SIZE_MAX ? NULL : cs->fields[i].error;
}

int lv_changeset_add_error(lv_changeset *cs, const char *field, const char *message)
{
    size_t i = field_index(cs, field);
    if (i == SIZE_MAX) return -1;
    field_state *st = &cs->fields[i];
    free(st->owned);
    st->owned = lv_xstrdup(message && *message ? message : "is invalid");
    st->error = st->owned;
    return 0;
}

static bool error_shown(const lv_changeset *cs, size_t i)
{
    const field_state *st = &cs->fields[i];
    return cs->action && st->error && (!st->unused || i == cs->target);
}

lv_value *lv_changeset_value(const lv_changeset *cs)
{
    lv_value map = lv_value_map();
    lv_value_map_set(&map, "valid", lv_value_bool(lv_changeset_valid(cs)));
    lv_value_map_set(&map, "action",
                     cs->action ? lv_value_string(cs->action, strlen(cs->action)) : lv_value_null());
    const char *form = cs->schema->form;
    lv_value_map_set(&map, "form", form ? lv_value_string(form, strlen(form)) : lv_value_null());
    lv_value_map_set(&map, "data", lv_value_clone(&cs->data));
    lv_value_map_set(&map, "params", lv_value_clone(&cs->params));
    lv_value errors = lv_value_map();
    for (size_t i = 0; i < cs->schema->count; i++)
        if (error_shown(cs, i))
            lv_value_map_set(&errors, cs->schema->fields[i].name,
                             lv_value_string(cs->fields[i].error, strlen(cs->fields[i].error)));
    lv_value_map_set(&map, "errors", errors);
    lv_value *box = lv_xmalloc(sizeof *box);
    *box = map;
    return box;
}

void lv_changeset_assign(lv_socket *socket, const char *name, const lv_changeset *cs)
{
    lv_assign_value(socket, name, lv_changeset_value(cs));
}
