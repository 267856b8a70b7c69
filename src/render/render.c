#include "render/render.h"

#include <pthread.h>
#include <stdio.h>

#include "render/escape.h"
#include "util/json.h"

/* Scratch space for one slot at a time: the text of a non-string value, and
 * the escaped HTML that is then written as a JSON string. It is per thread,
 * so renders on different threads never share it, and reused across slots
 * and renders, so the hot path does not allocate once it has warmed up. A
 * pthread key frees it when its thread exits. */
typedef struct render_scratch {
    lv_buf text;
    lv_buf html;
    bool registered;
} render_scratch;

/* A value bigger than this is rendered fine, but its buffer is not kept
 * around afterwards: one huge assign should not pin memory in every worker
 * thread for the life of the process. */
#define SCRATCH_KEEP_BYTES (64u * 1024u)

static _Thread_local render_scratch thread_scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;
static bool scratch_key_made; /* written once, under pthread_once */

static void free_scratch(void *p)
{
    render_scratch *s = p;
    lv_buf_free(&s->text);
    lv_buf_free(&s->html);
}

static void create_scratch_key(void)
{
    scratch_key_made = pthread_key_create(&scratch_key, free_scratch) == 0;
}

static render_scratch *scratch(void)
{
    render_scratch *s = &thread_scratch;
    if (!s->registered) {
        pthread_once(&scratch_key_once, create_scratch_key);
        /* Without a key the buffers outlive their thread: a small leak per
         * thread, not a reason to fail a render. */
        if (scratch_key_made) pthread_setspecific(scratch_key, s);
        s->registered = true;
    }
    return s;
}

static void trim_scratch(lv_buf *b)
{
    if (b->cap > SCRATCH_KEEP_BYTES) lv_buf_free(b);
}

static void report_missing(const lv_tmpl *t, size_t i)
{
    lv_tmpl_slot *slot = &t->slots[i];
    /* The exchange makes exactly one render print, however many threads
     * render the template at once; the order of other memory is irrelevant. */
    if (atomic_exchange_explicit(&slot->reported_missing, true, memory_order_relaxed)) return;
    fprintf(stderr, "liveview: template %s line %d: assign \"%s\" is not set\n", t->name, slot->line, slot->assign);
}

/* Appends slot i's value to out, HTML-escaped. A missing assign is empty. */
static void append_escaped_slot(const lv_tmpl *t, size_t i, const lv_assigns *a, lv_buf *out)
{
    const lv_value *v = lv_assigns_get(a, t->slots[i].assign);
    if (!v) {
        report_missing(t, i);
        return;
    }
    if (v->kind == LV_VALUE_STRING) {
        lv_html_escape(out, v->as.s.ptr, v->as.s.len);
        return;
    }
    lv_buf *text = &scratch()->text;
    lv_buf_reset(text);
    lv_value_to_text(v, text);
    lv_html_escape(out, text->data, text->len);
    trim_scratch(text);
}

/* Appends slot i's value as a JSON string of its escaped HTML: dynamics must
 * be strings, since a JSON number would mean a component id (protocol.md
 * §4.2). */
static void append_json_slot(const lv_tmpl *t, size_t i, const lv_assigns *a, lv_buf *out)
{
    lv_buf *html = &scratch()->html;
    lv_buf_reset(html);
    append_escaped_slot(t, i, a, html);
    lv_json_str(out, html->data, html->len);
    trim_scratch(html);
}

static void append_key(lv_buf *out, size_t i)
{
    lv_buf_putc(out, '"');
    lv_json_int(out, (int64_t)i);
    lv_buf_append(out, "\":", 2);
}

void lv_render_html(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    for (size_t i = 0; i < t->slot_count; i++) {
        lv_buf_append(out, t->statics[i], t->static_lens[i]);
        append_escaped_slot(t, i, a, out);
    }
    lv_buf_append(out, t->statics[t->slot_count], t->static_lens[t->slot_count]);
}

void lv_render_full(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    lv_buf_putc(out, '{');
    for (size_t i = 0; i < t->slot_count; i++) {
        append_key(out, i);
        append_json_slot(t, i, a, out);
        lv_buf_putc(out, ',');
    }
    lv_buf_append(out, "\"s\":", 4);
    lv_buf_append(out, t->statics_json, t->statics_json_len);
    lv_buf_putc(out, '}');
}

bool lv_render_diff(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    bool wrote = false;
    lv_buf_putc(out, '{');
    for (size_t i = 0; i < t->slot_count; i++) {
        if (!lv_assigns_changed(a, t->slots[i].assign)) continue;
        if (wrote) lv_buf_putc(out, ',');
        append_key(out, i);
        append_json_slot(t, i, a, out);
        wrote = true;
    }
    lv_buf_putc(out, '}');
    return wrote;
}
