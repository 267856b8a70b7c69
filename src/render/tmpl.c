#include "render/tmpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* A byte range of the source text. */
typedef struct text_span {
    size_t start;
    size_t len;
} text_span;

typedef struct parsed_slot {
    text_span name;
    int line;
} parsed_slot;

/* What the parser collects before the template is built: N + 1 statics
 * around N slots. */
typedef struct parse_state {
    text_span *statics;
    size_t static_count;
    size_t static_cap;
    parsed_slot *slots;
    size_t slot_count;
    size_t slot_cap;
} parse_state;

static void push_static(parse_state *ps, size_t start, size_t len)
{
    if (ps->static_count == ps->static_cap) {
        ps->static_cap = ps->static_cap ? ps->static_cap * 2 : 4;
        ps->statics = lv_xrealloc(ps->statics, ps->static_cap * sizeof *ps->statics);
    }
    ps->statics[ps->static_count++] = (text_span){start, len};
}

static void push_slot(parse_state *ps, size_t name_start, size_t name_len, int line)
{
    if (ps->slot_count == ps->slot_cap) {
        ps->slot_cap = ps->slot_cap ? ps->slot_cap * 2 : 4;
        ps->slots = lv_xrealloc(ps->slots, ps->slot_cap * sizeof *ps->slots);
    }
    ps->slots[ps->slot_count++] = (parsed_slot){{name_start, name_len}, line};
}

static void free_parse_state(parse_state *ps)
{
    free(ps->statics);
    free(ps->slots);
}

static bool is_tag_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Fills *err for the byte at `offset`. Lines and columns are recomputed from
 * the start of the text: this runs once per failed compile, so keeping the
 * scanner free of position bookkeeping is the better trade. */
static void report(lv_tmpl_error *err, const char *name, const char *text, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void report(lv_tmpl_error *err, const char *name, const char *text, size_t offset, const char *fmt, ...)
{
    if (!err) return;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    err->line = line;
    err->col = (int)(offset - line_start + 1);

    /* A long template name or detail is cut to fit the message; the line
     * and column are in *err anyway. */
    int prefix = snprintf(err->message, sizeof err->message, "%s: line %d, column %d: ", name, line, err->col);
    if (prefix < 0 || (size_t)prefix >= sizeof err->message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + prefix, sizeof err->message - (size_t)prefix, fmt, ap);
    va_end(ap);
}

/* Splits text into statics and `{{ name }}` slots. Returns false after
 * reporting the first error. Anything that is not a complete `{{ ... }}`
 * (a lone brace, a `}}` with no opener) is text, so ordinary HTML, CSS and
 * JavaScript need no escaping. */
static bool parse(parse_state *ps, const char *name, const char *text, size_t len, lv_tmpl_error *err)
{
    size_t static_start = 0;
    size_t i = 0;
    int line = 1;

    while (i < len) {
        if (text[i] == '\n') line++;
        if (text[i] != '{' || i + 1 >= len || text[i + 1] != '{') {
            i++;
            continue;
        }

        size_t open = i;
        const char *close_at = memmem(text + open + 2, len - open - 2, "}}", 2);
        if (!close_at) {
            report(err, name, text, open, "unterminated {{ ... }}");
            return false;
        }
        size_t close = (size_t)(close_at - text);

        size_t name_start = open + 2, name_end = close;
        while (name_start < name_end && is_tag_space(text[name_start])) name_start++;
        while (name_end > name_start && is_tag_space(text[name_end - 1])) name_end--;
        if (name_start == name_end) {
            report(err, name, text, open, "empty {{ }}: expected an assign name");
            return false;
        }
        for (size_t k = name_start; k < name_end; k++) {
            bool ok = k == name_start ? is_name_start(text[k]) : is_name_char(text[k]);
            if (ok) continue;
            /* Quote at most the first line of what was written, so a stray
             * `{{` far from its `}}` does not flood the message. */
            size_t shown = name_end - name_start;
            const char *newline = memchr(text + name_start, '\n', shown);
            if (newline) shown = (size_t)(newline - (text + name_start));
            if (shown > 40) shown = 40;
            report(err, name, text, k, "invalid assign name \"%.*s\" (a name is [A-Za-z_][A-Za-z0-9_]*)",
                   (int)shown, text + name_start);
            return false;
        }

        push_static(ps, static_start, open - static_start);
        push_slot(ps, name_start, name_end - name_start, line);
        for (size_t k = open; k < close; k++)
            if (text[k] == '\n') line++;
        i = close + 2;
        static_start = i;
    }
    push_static(ps, static_start, len - static_start);
    return true;
}

lv_tmpl *lv_tmpl_compile(const char *name, const char *text, size_t len, lv_tmpl_error *err)
{
    if (!name) name = "template";
    if (!text) {
        text = "";
        len = 0;
    }

    parse_state ps = {0};
    if (!parse(&ps, name, text, len, err)) {
        free_parse_state(&ps);
        return NULL;
    }

    lv_tmpl *t = lv_xcalloc(1, sizeof *t);
    t->name = lv_xstrdup(name);
    t->slot_count = ps.slot_count;
    t->slots = lv_xcalloc(ps.slot_count, sizeof *t->slots);
    for (size_t i = 0; i < ps.slot_count; i++) {
        t->slots[i].assign = lv_xstrndup(text + ps.slots[i].name.start, ps.slots[i].name.len);
        t->slots[i].line = ps.slots[i].line;
        atomic_init(&t->slots[i].reported_missing, false);
    }

    /* The statics never change, so their JSON (the "s" of every full render)
     * is written once, here. */
    lv_buf json = LV_BUF_INIT;
    lv_buf_putc(&json, '[');
    t->statics = lv_xmalloc(ps.static_count * sizeof *t->statics);
    t->static_lens = lv_xmalloc(ps.static_count * sizeof *t->static_lens);
    for (size_t i = 0; i < ps.static_count; i++) {
        const char *start = text + ps.statics[i].start;
        size_t static_len = ps.statics[i].len;
        /* Copied by length: an embedded NUL is kept as text. */
        t->statics[i] = lv_xstrndup(start, static_len);
        t->static_lens[i] = static_len;
        if (i) lv_buf_putc(&json, ',');
        lv_json_str(&json, start, static_len);
    }
    lv_buf_putc(&json, ']');
    t->statics_json_len = json.len;
    t->statics_json = lv_buf_take(&json);

    free_parse_state(&ps);
    return t;
}

void lv_tmpl_free(lv_tmpl *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->slot_count; i++) free(t->slots[i].assign);
    if (t->statics)
        for (size_t i = 0; i <= t->slot_count; i++) free(t->statics[i]);
    free(t->slots);
    free(t->statics);
    free(t->static_lens);
    free(t->statics_json);
    free(t->name);
    free(t);
}
