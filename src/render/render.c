#include "render/render.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/escape.h"
#include "render/registry.h"
#include "render/stream.h"
#include "util/json.h"
#include "util/log.h"

/* ---- Scratch ---------------------------------------------------------------
 * Per-thread buffers reused across slots and renders, so the hot path does
 * not allocate once it has warmed up. A pthread key frees them when their
 * thread exits. */
typedef struct render_scratch {
    lv_buf html;    /* one text slot's HTML before it is written as JSON */
    lv_buf changed; /* the changed-assign bitset of a diff */
    bool registered;
} render_scratch;

/* A value bigger than this is rendered fine, but its buffer is not kept
 * around afterwards: one huge assign should not pin memory in every worker
 * thread for the life of the process. */
#define SCRATCH_KEEP_BYTES (64u * 1024u)

static _Thread_local render_scratch thread_scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_key_once = PTHREAD_ONCE_INIT;
static bool scratch_key_made;

static void free_scratch(void *p)
{
    render_scratch *s = p;
    lv_buf_free(&s->html);
    lv_buf_free(&s->changed);
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
        if (scratch_key_made) pthread_setspecific(scratch_key, s);
        s->registered = true;
    }
    return s;
}

static void trim_scratch(lv_buf *b)
{
    if (b->cap > SCRATCH_KEEP_BYTES) lv_buf_free(b);
}

/* ---- State ----------------------------------------------------------------- */

typedef struct state_rec {
    int32_t branch;   /* IF: the branch the client shows, -1 for "" */
    uint32_t count;   /* EACH: rows the client has */
    uint32_t cap;
    uint64_t *hashes; /* EACH: per row, a hash of what produced it */
} state_rec;

struct lv_render_state {
    uint64_t source_hash;
    uint32_t rec_count;
    state_rec recs[];
};

static bool needs_state(const lv_tmpl *t)
{
    return t->state_count > 0 || t->reloadable;
}

static bool state_matches(const lv_tmpl *t, const lv_render_state *s)
{
    if (!needs_state(t)) return true;
    return s && s->source_hash == t->source_hash && s->rec_count == t->state_count;
}

bool lv_render_state_current(const lv_tmpl *t, const lv_render_state *state)
{
    return state_matches(t, state);
}

void lv_render_state_free(lv_render_state *s)
{
    if (!s) return;
    for (uint32_t i = 0; i < s->rec_count; i++) free(s->recs[i].hashes);
    free(s);
}

size_t lv_render_state_bytes(const lv_render_state *s)
{
    if (!s) return 0;
    size_t n = sizeof *s + s->rec_count * sizeof(state_rec);
    for (uint32_t i = 0; i < s->rec_count; i++) n += s->recs[i].cap * sizeof(uint64_t);
    return n;
}

/* Makes *sp a fresh state for t (or NULL when t needs none). */
static lv_render_state *reset_state(const lv_tmpl *t, lv_render_state **sp)
{
    lv_render_state_free(*sp);
    *sp = NULL;
    if (!needs_state(t)) return NULL;
    lv_render_state *s = lv_xcalloc(1, sizeof *s + t->state_count * sizeof(state_rec));
    s->source_hash = t->source_hash;
    s->rec_count = t->state_count;
    for (uint32_t i = 0; i < s->rec_count; i++) s->recs[i].branch = -1;
    *sp = s;
    return s;
}

/* ---- Evaluation ------------------------------------------------------------ */

typedef struct ctx {
    const lv_tmpl *t;
    const lv_assigns *a;
    lv_value *locals;        /* t->local_count shallow copies, never freed */
    const uint64_t *changed; /* diffs: the changed-assign bitset */
    const lv_component_hooks *hooks;
    lv_render_state *state;  /* NULL for stateless renders */
    /* Shared statics ("p") of the loop being written: slot by block id, -1
     * when unused; NULL outside loop rows. */
    int32_t *p_slot;
    uint32_t *p_blocks;
    uint32_t *p_uses;        /* by p index */
    uint32_t p_count;
    /* Where each "s":<index> was written, to inline the statics of a block
     * used only once (a reference would cost more than it saves). */
    struct p_ref {
        size_t offset;
        uint32_t len;
        uint32_t index;
    } *p_refs;
    size_t p_ref_count;
    size_t p_ref_cap;
} ctx;

static const lv_value null_value = {.kind = LV_VALUE_NULL};

struct lv_helper_call {
    const lv_value *const *args;
    size_t argc;
    const char *const *keys;
    const lv_value *const *named;
    size_t named_count;
    lv_buf html;
    bool wrote;
    lv_value result;
    bool returned;
};

static void report_missing(const lv_tmpl *t, const lv_tmpl_expr *e)
{
    /* The exchange makes exactly one render print, however many threads
     * render the template at once. */
    lv_tmpl_expr *m = (lv_tmpl_expr *)e;
    if (atomic_exchange_explicit(&m->reported, true, memory_order_relaxed)) return;
    lv_log_warn("template %s line %d: assign \"%s\" is not set", e->source, e->line,
                t->assign_names[e->id]);
}

static void report_helper_failed(const lv_tmpl_expr *e)
{
    lv_tmpl_expr *m = (lv_tmpl_expr *)e;
    if (atomic_exchange_explicit(&m->reported, true, memory_order_relaxed)) return;
    lv_log_warn("template %s line %d: helper \"%s\" failed", e->source, e->line, e->helper_name);
}

static const lv_value *eval(ctx *c, const lv_tmpl_expr *e, lv_value *tmp);

/* Up to this many arguments live on the stack. */
#define INLINE_ARGS 8

static const lv_value *call_helper(ctx *c, const lv_tmpl_expr *e, lv_value *tmp)
{
    size_t total = (size_t)e->arg_count + e->named_count;
    const lv_value *inline_vals[INLINE_ARGS];
    lv_value inline_tmps[INLINE_ARGS];
    const char *inline_keys[INLINE_ARGS];
    const lv_value **vals = total <= INLINE_ARGS ? inline_vals : lv_xmalloc(total * sizeof *vals);
    lv_value *tmps = total <= INLINE_ARGS ? inline_tmps : lv_xmalloc(total * sizeof *tmps);
    const char **keys = e->named_count <= INLINE_ARGS ? inline_keys : lv_xmalloc(e->named_count * sizeof *keys);
    for (size_t i = 0; i < total; i++) {
        tmps[i] = lv_value_null();
        const lv_tmpl_expr *arg = i < e->arg_count ? e->args[i] : e->named[i - e->arg_count].value;
        vals[i] = eval(c, arg, &tmps[i]);
    }
    for (uint32_t i = 0; i < e->named_count; i++) keys[i] = e->named[i].key;

    lv_helper_call call = {
        .args = vals,
        .argc = e->arg_count,
        .keys = keys,
        .named = vals + e->arg_count,
        .named_count = e->named_count,
        .html = LV_BUF_INIT,
        .result = lv_value_null(),
    };
    const lv_helper_entry *h = e->helper;
    int rc = h->fn(&call, h->user);
    if (rc != 0) {
        report_helper_failed(e);
        lv_value_free(&call.result);
    } else if (call.wrote) {
        lv_value_free(&call.result);
        *tmp = lv_value_safe(call.html.data ? call.html.data : "", call.html.len);
    } else {
        *tmp = call.result;
    }
    lv_buf_free(&call.html);
    for (size_t i = 0; i < total; i++) lv_value_free(&tmps[i]);
    if (vals != inline_vals) free(vals);
    if (tmps != inline_tmps) free(tmps);
    if (keys != inline_keys) free(keys);
    return tmp;
}

/* Evaluates e. The result is borrowed: from the assigns, the locals, the
 * template, or *tmp (which the caller frees with lv_value_free after use;
 * it must start null). */
static const lv_value *eval(ctx *c, const lv_tmpl_expr *e, lv_value *tmp)
{
    const lv_value *v;
    switch (e->base) {
    case LV_BASE_ASSIGN:
        v = lv_assigns_get(c->a, c->t->assign_names[e->id]);
        if (!v) {
            report_missing(c->t, e);
            return &null_value;
        }
        break;
    case LV_BASE_LOCAL: v = &c->locals[e->id]; break;
    case LV_BASE_LITERAL: v = &e->literal; break;
    case LV_BASE_CALL: v = call_helper(c, e, tmp); break;
    default: return &null_value;
    }
    for (uint32_t i = 0; i < e->seg_count; i++) {
        const lv_tmpl_seg *seg = &e->segs[i];
        if (seg->key) {
            v = lv_value_map_get(v, seg->key, seg->key_len);
        } else {
            size_t n = lv_value_list_len(v);
            v = seg->index >= 0 && (size_t)seg->index < n ? &v->as.list->items[seg->index] : NULL;
        }
        if (!v) return &null_value;
    }
    return v;
}

static bool eval_truthy(ctx *c, const lv_tmpl_expr *e)
{
    lv_value tmp = lv_value_null();
    bool truthy = lv_value_truthy(eval(c, e, &tmp));
    lv_value_free(&tmp);
    return truthy;
}

/* The branch an IF shows, or -1. */
static int32_t choose_branch(ctx *c, const lv_tmpl_dyn *d)
{
    for (uint32_t i = 0; i < d->branch_count; i++) {
        const lv_tmpl_branch *b = &d->branches[i];
        if (!b->cond || eval_truthy(c, b->cond) != b->negate) return (int32_t)i;
    }
    return -1;
}

/* ---- HTML of values ----------------------------------------------------------- */

static void append_value_html(const lv_value *v, lv_buf *out)
{
    switch (v->kind) {
    case LV_VALUE_NULL: break;
    case LV_VALUE_STRING: lv_html_escape(out, v->as.s.ptr, v->as.s.len); break;
    case LV_VALUE_SAFE: lv_buf_append(out, v->as.s.ptr, v->as.s.len); break;
    case LV_VALUE_LIST:
        /* Items one after the other, each escaped on its own: a string that
         * looks like markup inside a list is still text. */
        for (size_t i = 0; i < lv_value_list_len(v); i++) append_value_html(&v->as.list->items[i], out);
        break;
    case LV_VALUE_MAP: break;
    default: lv_value_to_text(v, out); break; /* digits, letters, '.', '-', '+' */
    }
}

static void append_value_raw(const lv_value *v, lv_buf *out)
{
    if (v->kind == LV_VALUE_STRING) {
        lv_buf_append(out, v->as.s.ptr, v->as.s.len);
    } else if (v->kind == LV_VALUE_LIST) {
        for (size_t i = 0; i < lv_value_list_len(v); i++) append_value_raw(&v->as.list->items[i], out);
    } else {
        append_value_html(v, out);
    }
}

/* Attribute names from an attribute map are limited to characters that
 * cannot end the tag or start another attribute. */
static bool valid_attr_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '_' || ch == ':' || ch == '.' || ch == '@';
        if (!ok) return false;
    }
    return true;
}

/* One attribute: bare for true, absent for false or null, else quoted. */
static bool append_attr(const char *name, const lv_value *v, bool space_before, lv_buf *out)
{
    if (v->kind == LV_VALUE_NULL || (v->kind == LV_VALUE_BOOL && !v->as.b)) return false;
    if (space_before) lv_buf_putc(out, ' ');
    lv_buf_puts(out, name);
    if (v->kind == LV_VALUE_BOOL) return true;
    lv_buf_append(out, "=\"", 2);
    append_value_html(v, out);
    lv_buf_putc(out, '"');
    return true;
}

static void component_call(ctx *c, const lv_tmpl_dyn *d, bool html, lv_buf *out)
{
    bool wanted = c->hooks && (html || d->live_view ? c->hooks->render_html != NULL : c->hooks->render_cid != NULL);
    if (!wanted) {
        if (!html) lv_buf_append(out, "\"\"", 2);
        return;
    }
    uint32_t n = d->named_count;
    const char **keys = lv_xmalloc((n ? n : 1) * sizeof *keys);
    const lv_value **vals = lv_xmalloc((n ? n : 1) * sizeof *vals);
    lv_value *tmps = lv_xmalloc((n ? n : 1) * sizeof *tmps);
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = d->named[i].key;
        tmps[i] = lv_value_null();
        vals[i] = eval(c, d->named[i].value, &tmps[i]);
    }
    lv_component_call call = {d->attr_name, n, keys, vals, d->live_view};
    if (html) {
        c->hooks->render_html(c->hooks->user, &call, out);
    } else if (d->live_view) {
        /* A nested view's container travels as the slot's HTML string. */
        lv_buf container = LV_BUF_INIT;
        c->hooks->render_html(c->hooks->user, &call, &container);
        lv_json_str(out, container.data ? container.data : "", container.len);
        lv_buf_free(&container);
    } else {
        int64_t cid = c->hooks->render_cid(c->hooks->user, &call);
        if (cid >= 0)
            lv_json_int(out, cid);
        else
            lv_buf_append(out, "\"\"", 2);
    }
    for (uint32_t i = 0; i < n; i++) lv_value_free(&tmps[i]);
    free(keys);
    free(vals);
    free(tmps);
}

/* Appends the HTML of a text-like slot (TEXT, RAW, ATTR, ATTRS). */
static void text_slot_html(ctx *c, const lv_tmpl_dyn *d, lv_buf *out)
{
    lv_value tmp = lv_value_null();
    const lv_value *v = eval(c, d->expr, &tmp);
    switch (d->kind) {
    case LV_DYN_TEXT: append_value_html(v, out); break;
    case LV_DYN_RAW: append_value_raw(v, out); break;
    case LV_DYN_ATTR: append_attr(d->attr_name, v, false, out); break;
    case LV_DYN_ATTRS:
        if (v->kind == LV_VALUE_MAP && v->as.map) {
            bool wrote = false;
            for (uint32_t i = 0; i < v->as.map->count; i++) {
                const lv_map_entry *entry = &v->as.map->entries[i];
                if (valid_attr_name(entry->key) && append_attr(entry->key, &entry->value, wrote, out)) wrote = true;
            }
        } else if (v->kind == LV_VALUE_SAFE) {
            lv_buf_append(out, v->as.s.ptr, v->as.s.len);
        }
        break;
    default: break;
    }
    lv_value_free(&tmp);
}

/* ---- Dead render ---------------------------------------------------------------- */

static void html_block(ctx *c, const lv_tmpl_block *b, lv_buf *out);

static void html_each(ctx *c, const lv_tmpl_dyn *d, lv_buf *out)
{
    lv_value tmp = lv_value_null();
    const lv_value *list = eval(c, d->expr, &tmp);
    size_t n = lv_value_list_len(list);
    for (size_t i = 0; i < n; i++) {
        c->locals[d->item_local] = list->as.list->items[i];
        if (d->index_local != UINT32_MAX) c->locals[d->index_local] = lv_value_int((int64_t)i);
        html_block(c, d->body, out);
    }
    lv_value_free(&tmp);
}

/* The stream's pending items at the positions the client will give them
 * when it joins (it clears what the dead render showed and applies the
 * inserts); every one of them, as Phoenix's dead render: the client applies
 * the limits. */
static void html_stream(ctx *c, const lv_tmpl_dyn *d, lv_buf *out)
{
    const lv_stream_rec *s = lv_streams_find(c->a->streams, d->attr_name, strlen(d->attr_name));
    if (!s || s->count == s->head) return;
    uint32_t *order = lv_xmalloc(s->count * sizeof *order);
    size_t n = lv_stream_simulate(s, false, order);
    for (size_t i = 0; i < n; i++) {
        c->locals[d->item_local] = s->inserts[order[i]].item;
        html_block(c, d->body, out);
    }
    free(order);
}

static void html_block(ctx *c, const lv_tmpl_block *b, lv_buf *out)
{
    for (uint32_t i = 0; i < b->dyn_count; i++) {
        const lv_tmpl_dyn *d = &b->dyns[i];
        lv_buf_append(out, b->statics[i], b->static_lens[i]);
        switch (d->kind) {
        case LV_DYN_IF: {
            int32_t branch = choose_branch(c, d);
            if (branch >= 0) html_block(c, d->branches[branch].body, out);
            break;
        }
        case LV_DYN_EACH: html_each(c, d, out); break;
        case LV_DYN_STREAM: html_stream(c, d, out); break;
        case LV_DYN_COMPONENT: component_call(c, d, true, out); break;
        default: text_slot_html(c, d, out); break;
        }
    }
    lv_buf_append(out, b->statics[b->dyn_count], b->static_lens[b->dyn_count]);
}

/* ---- Rendered trees ----------------------------------------------------------- */

static void append_key(lv_buf *out, size_t i)
{
    lv_buf_putc(out, '"');
    lv_json_int(out, (int64_t)i);
    lv_buf_append(out, "\":", 2);
}

/* A node's "s": the array, or inside loop rows an index into "p". */
static void append_statics(ctx *c, const lv_tmpl_block *b, lv_buf *out)
{
    lv_buf_append(out, "\"s\":", 4);
    if (!c->p_slot) {
        lv_buf_append(out, b->statics_json, b->statics_json_len);
        return;
    }
    if (c->p_slot[b->id] < 0) {
        c->p_slot[b->id] = (int32_t)c->p_count;
        c->p_uses[c->p_count] = 0;
        c->p_blocks[c->p_count++] = b->id;
    }
    uint32_t index = (uint32_t)c->p_slot[b->id];
    c->p_uses[index]++;
    if (c->p_ref_count == c->p_ref_cap) {
        c->p_ref_cap = c->p_ref_cap ? c->p_ref_cap * 2 : 16;
        c->p_refs = lv_xrealloc(c->p_refs, c->p_ref_cap * sizeof *c->p_refs);
    }
    size_t at = out->len;
    lv_json_int(out, index);
    c->p_refs[c->p_ref_count++] = (struct p_ref){at, (uint32_t)(out->len - at), index};
}

static void full_block(ctx *c, const lv_tmpl_block *b, bool with_statics, lv_buf *out);
static void full_each(ctx *c, const lv_tmpl_dyn *d, lv_buf *out);
static void stream_node(ctx *c, const lv_tmpl_dyn *d, bool with_statics, lv_buf *out);

static void full_dyn(ctx *c, const lv_tmpl_dyn *d, lv_buf *out)
{
    switch (d->kind) {
    case LV_DYN_IF: {
        int32_t branch = choose_branch(c, d);
        if (c->state && d->state_index >= 0 && !c->p_slot) c->state->recs[d->state_index].branch = branch;
        if (branch < 0)
            lv_buf_append(out, "\"\"", 2);
        else
            full_block(c, d->branches[branch].body, true, out);
        break;
    }
    case LV_DYN_EACH: full_each(c, d, out); break;
    case LV_DYN_STREAM: stream_node(c, d, true, out); break;
    case LV_DYN_COMPONENT: component_call(c, d, false, out); break;
    default: {
        /* Dynamics are JSON strings of escaped HTML: a JSON number would mean
         * a component id (docs/protocol.md §4.2). */
        lv_buf *html = &scratch()->html;
        lv_buf_reset(html);
        text_slot_html(c, d, html);
        lv_json_str(out, html->data ? html->data : "", html->len);
        trim_scratch(html);
        break;
    }
    }
}

static void full_block(ctx *c, const lv_tmpl_block *b, bool with_statics, lv_buf *out)
{
    lv_buf_putc(out, '{');
    for (uint32_t i = 0; i < b->dyn_count; i++) {
        if (i) lv_buf_putc(out, ',');
        append_key(out, i);
        full_dyn(c, &b->dyns[i], out);
    }
    if (with_statics) {
        if (b->dyn_count) lv_buf_putc(out, ',');
        append_statics(c, b, out);
    }
    lv_buf_putc(out, '}');
}

static void set_row_locals(ctx *c, const lv_tmpl_dyn *d, const lv_value *list, size_t i)
{
    c->locals[d->item_local] = list->as.list->items[i];
    if (d->index_local != UINT32_MAX) c->locals[d->index_local] = lv_value_int((int64_t)i);
}

/* An entry of "k": every dynamic of the row, nested nodes with statics. */
static void full_entry(ctx *c, const lv_tmpl_dyn *d, const lv_value *list, size_t i, lv_buf *out)
{
    set_row_locals(c, d, list, i);
    full_block(c, d->body, false, out);
}

/* Starts collecting "p" for the rows of an outermost loop. Returns false
 * when a collection is already running (the loop is inside rows). */
static bool begin_shared(ctx *c)
{
    if (c->p_slot) return false;
    c->p_slot = lv_xmalloc(c->t->block_count * sizeof *c->p_slot);
    for (uint32_t i = 0; i < c->t->block_count; i++) c->p_slot[i] = -1;
    c->p_blocks = lv_xmalloc(c->t->block_count * sizeof *c->p_blocks);
    c->p_uses = lv_xmalloc(c->t->block_count * sizeof *c->p_uses);
    c->p_count = 0;
    c->p_ref_count = 0;
    return true;
}

/* Rewrites the references written since the collection began: a block used
 * once gets its statics inline, the others are renumbered densely. Returns
 * the number of blocks left to share. */
static uint32_t inline_single_uses(ctx *c, lv_buf *out, uint32_t *shared)
{
    uint32_t kept = 0;
    int64_t *renumber = lv_xmalloc(c->p_count * sizeof *renumber);
    for (uint32_t i = 0; i < c->p_count; i++) {
        renumber[i] = c->p_uses[i] > 1 ? (int64_t)kept : -1;
        if (c->p_uses[i] > 1) shared[kept++] = c->p_blocks[i];
    }
    if (kept == c->p_count) {
        free(renumber);
        return kept; /* every reference pays for itself */
    }
    size_t from = c->p_refs[0].offset;
    lv_buf tail = LV_BUF_INIT;
    lv_buf_append(&tail, out->data + from, out->len - from);
    out->len = from;
    size_t copied = 0; /* into tail */
    for (size_t r = 0; r < c->p_ref_count; r++) {
        const struct p_ref *ref = &c->p_refs[r];
        size_t rel = ref->offset - from;
        lv_buf_append(out, tail.data + copied, rel - copied);
        if (renumber[ref->index] >= 0) {
            lv_json_int(out, renumber[ref->index]);
        } else {
            const lv_tmpl_block *b = c->t->blocks[c->p_blocks[ref->index]];
            lv_buf_append(out, b->statics_json, b->statics_json_len);
        }
        copied = rel + ref->len;
    }
    lv_buf_append(out, tail.data + copied, tail.len - copied);
    lv_buf_free(&tail);
    free(renumber);
    return kept;
}

/* Ends the collection, appending ,"p":{...} when any statics were shared. */
static void end_shared(ctx *c, lv_buf *out)
{
    if (c->p_count) {
        uint32_t *shared = lv_xmalloc(c->p_count * sizeof *shared);
        uint32_t kept = inline_single_uses(c, out, shared);
        if (kept) {
            lv_buf_append(out, ",\"p\":{", 6);
            for (uint32_t i = 0; i < kept; i++) {
                if (i) lv_buf_putc(out, ',');
                append_key(out, i);
                const lv_tmpl_block *b = c->t->blocks[shared[i]];
                lv_buf_append(out, b->statics_json, b->statics_json_len);
            }
            lv_buf_putc(out, '}');
        }
        free(shared);
    }
    free(c->p_slot);
    free(c->p_blocks);
    free(c->p_uses);
    free(c->p_refs);
    c->p_slot = NULL;
    c->p_blocks = NULL;
    c->p_uses = NULL;
    c->p_refs = NULL;
    c->p_count = 0;
    c->p_ref_count = c->p_ref_cap = 0;
}

/* The hash of what produced row i: the item, the index when the body reads
 * it, and (in ctx_hash) every outside value the body reads. Equal hashes
 * mean equal rows, since rendering is a function of these (helpers must be
 * pure). */
static uint64_t loop_context_hash(ctx *c, const lv_tmpl_dyn *d)
{
    uint64_t h = d->body->fingerprint;
    for (uint32_t i = 0; i < d->free_var_count; i++) {
        const lv_tmpl_free_var *fv = &d->free_vars[i];
        const char *name = fv->base == LV_BASE_ASSIGN ? c->t->assign_names[fv->id] : NULL;
        if (name && strncmp(name, LV_STREAM_DEP_PREFIX, LV_STREAM_DEP_PREFIX_LEN) == 0) {
            /* A stream in the rows: they change when it has new operations. */
            const char *stream = name + LV_STREAM_DEP_PREFIX_LEN;
            const lv_stream_rec *s = lv_streams_find(c->a->streams, stream, strlen(stream));
            h = lv_hash_u64(s ? s->version : 0, h);
            continue;
        }
        const lv_value *v = name ? lv_assigns_get(c->a, name) : &c->locals[fv->id];
        h = v ? lv_value_hash(v, h) : lv_hash_u64(0xdeadull, h);
    }
    return h;
}

static uint64_t row_hash(const lv_tmpl_dyn *d, const lv_value *list, size_t i, uint64_t ctx_hash)
{
    uint64_t h = lv_value_hash(&list->as.list->items[i], ctx_hash);
    if (d->index_local != UINT32_MAX) h = lv_hash_u64(i, h);
    return h;
}

static void store_hashes(state_rec *rec, const uint64_t *hashes, size_t n)
{
    if (n > rec->cap || n < rec->cap / 4) {
        free(rec->hashes);
        rec->cap = (uint32_t)n;
        rec->hashes = n ? lv_xmalloc(n * sizeof *rec->hashes) : NULL;
    }
    if (n) memcpy(rec->hashes, hashes, n * sizeof *hashes);
    rec->count = (uint32_t)n;
}

static state_rec *loop_record(ctx *c, const lv_tmpl_dyn *d)
{
    if (!c->state || d->state_index < 0 || c->p_slot) return NULL;
    return &c->state->recs[d->state_index];
}

static void full_each(ctx *c, const lv_tmpl_dyn *d, lv_buf *out)
{
    state_rec *rec = loop_record(c, d);
    lv_value tmp = lv_value_null();
    const lv_value *list = eval(c, d->expr, &tmp);
    size_t n = lv_value_list_len(list);
    bool outermost = begin_shared(c);
    lv_buf_append(out, "{\"k\":{", 6);
    for (size_t i = 0; i < n; i++) {
        append_key(out, i);
        full_entry(c, d, list, i, out);
        lv_buf_putc(out, ',');
    }
    lv_buf_append(out, "\"kc\":", 5);
    lv_json_int(out, (int64_t)n);
    lv_buf_append(out, "},", 2);
    if (outermost) {
        /* The loop's own statics are an array: "p" resolves only below it. */
        lv_buf_append(out, "\"s\":", 4);
        lv_buf_append(out, d->body->statics_json, d->body->statics_json_len);
        end_shared(c, out);
    } else {
        append_statics(c, d->body, out);
    }
    lv_buf_putc(out, '}');
    if (rec) {
        uint64_t ctx_hash = loop_context_hash(c, d);
        uint64_t *hashes = lv_xmalloc((n ? n : 1) * sizeof *hashes);
        for (size_t i = 0; i < n; i++) hashes[i] = row_hash(d, list, i, ctx_hash);
        store_hashes(rec, hashes, n);
        free(hashes);
    }
    lv_value_free(&tmp);
}

/* ---- Streams ----------------------------------------------------------------------- */

/* ,"stream":[ref,[[dom_id,at,limit,update_only],...],[deleted dom ids],true]
 * (docs/protocol.md §4.1; the client tests `reset !== undefined`, so the last
 * element is there only for a reset). */
static void append_stream_ops(const lv_stream_rec *s, int64_t cid, lv_buf *out)
{
    if (cid > 0)
        lv_buf_printf(out, ",\"stream\":[\"%lld-%u\",[", (long long)cid, s->ref);
    else
        lv_buf_printf(out, ",\"stream\":[\"%u\",[", s->ref);
    for (uint32_t i = s->head; i < s->count; i++) {
        const lv_stream_insert_op *op = &s->inserts[i];
        if (i > s->head) lv_buf_putc(out, ',');
        lv_buf_putc(out, '[');
        lv_json_str(out, op->dom_id, strlen(op->dom_id));
        lv_buf_putc(out, ',');
        lv_json_int(out, op->at);
        lv_buf_putc(out, ',');
        if (op->limit)
            lv_json_int(out, op->limit);
        else
            lv_buf_append(out, "null", 4);
        if (op->update_only)
            lv_buf_append(out, ",true]", 6);
        else
            lv_buf_append(out, ",false]", 7);
    }
    lv_buf_append(out, "],[", 3);
    for (uint32_t i = 0; i < s->delete_count; i++) {
        if (i) lv_buf_putc(out, ',');
        lv_json_str(out, s->deletes[i], strlen(s->deletes[i]));
    }
    lv_buf_putc(out, ']');
    if (s->reset) lv_buf_append(out, ",true", 5);
    lv_buf_putc(out, ']');
}

/* A stream's comprehension: "k" holds only the items inserted since the
 * last render (the client keeps the others in the DOM and empties "k" after
 * applying it), then "stream". with_statics for a node the client does not
 * have yet (join, a branch switch); a diff of a node it has omits them. */
static void stream_node(ctx *c, const lv_tmpl_dyn *d, bool with_statics, lv_buf *out)
{
    const lv_stream_rec *s = lv_streams_find(c->a->streams, d->attr_name, strlen(d->attr_name));
    bool outermost = begin_shared(c); /* false in the rows of a loop */
    lv_buf_append(out, "{\"k\":{", 6);
    uint32_t n = s ? s->count - s->head : 0;
    for (uint32_t i = 0; i < n; i++) {
        append_key(out, i);
        c->locals[d->item_local] = s->inserts[s->head + i].item;
        full_block(c, d->body, false, out);
        lv_buf_putc(out, ',');
    }
    lv_buf_append(out, "\"kc\":", 5);
    lv_json_int(out, n);
    lv_buf_putc(out, '}');
    if (with_statics) {
        lv_buf_putc(out, ',');
        if (outermost) {
            lv_buf_append(out, "\"s\":", 4);
            lv_buf_append(out, d->body->statics_json, d->body->statics_json_len);
        } else {
            append_statics(c, d->body, out);
        }
    }
    if (outermost) end_shared(c, out);
    if (s) append_stream_ops(s, c->a->stream_cid, out);
    lv_buf_putc(out, '}');
}

/* ---- Diffs ------------------------------------------------------------------------- */

static bool deps_changed(const ctx *c, const lv_tmpl_dyn *d)
{
    for (uint32_t w = 0; w < c->t->assign_words; w++)
        if (d->deps[w] & c->changed[w]) return true;
    return false;
}

/* Old row hash -> old index, open addressing. */
typedef struct hash_index {
    uint64_t *keys;
    uint32_t *rows; /* old index + 1; 0 = empty */
    size_t mask;
} hash_index;

static void hash_index_build(hash_index *hi, const uint64_t *hashes, size_t m)
{
    size_t size = 8;
    while (size < m * 2) size *= 2;
    hi->keys = lv_xmalloc(size * sizeof *hi->keys);
    hi->rows = lv_xcalloc(size, sizeof *hi->rows);
    hi->mask = size - 1;
    for (size_t j = 0; j < m; j++) {
        size_t slot = (size_t)hashes[j] & hi->mask;
        while (hi->rows[slot] && hi->keys[slot] != hashes[j]) slot = (slot + 1) & hi->mask;
        if (!hi->rows[slot]) {
            hi->keys[slot] = hashes[j];
            hi->rows[slot] = (uint32_t)j + 1;
        }
    }
}

static long hash_index_find(const hash_index *hi, uint64_t h)
{
    size_t slot = (size_t)h & hi->mask;
    while (hi->rows[slot]) {
        if (hi->keys[slot] == h) return (long)hi->rows[slot] - 1;
        slot = (slot + 1) & hi->mask;
    }
    return -1;
}

/* The rows of a loop the client has, against the rows now: unchanged rows
 * are skipped, a row the client has elsewhere is moved ("i": old index, with
 * "km"), anything else is sent in full. Returns false when nothing changed. */
static bool diff_each(ctx *c, const lv_tmpl_dyn *d, state_rec *rec, lv_buf *out)
{
    lv_value tmp = lv_value_null();
    const lv_value *list = eval(c, d->expr, &tmp);
    size_t n = lv_value_list_len(list);
    uint64_t ctx_hash = loop_context_hash(c, d);
    uint64_t *hashes = lv_xmalloc((n ? n : 1) * sizeof *hashes);
    for (size_t i = 0; i < n; i++) hashes[i] = row_hash(d, list, i, ctx_hash);

    size_t m = rec->count;
    hash_index old = {0};
    bool moved = false, wrote = false;
    begin_shared(c);
    lv_buf_append(out, "{\"k\":{", 6);
    for (size_t i = 0; i < n; i++) {
        if (i < m && hashes[i] == rec->hashes[i]) continue;
        if (!old.keys && m) hash_index_build(&old, rec->hashes, m);
        long from = m ? hash_index_find(&old, hashes[i]) : -1;
        append_key(out, i);
        if (from >= 0) {
            lv_json_int(out, from);
            moved = true;
        } else {
            full_entry(c, d, list, i, out);
        }
        lv_buf_putc(out, ',');
        wrote = true;
    }
    lv_buf_append(out, "\"kc\":", 5);
    lv_json_int(out, (int64_t)n);
    /* Clients from 1.2.8 on read moves only when "km" says there are some
     * (docs/protocol.md §4.3); the pinned client is 1.2.12. */
    if (moved) lv_buf_append(out, ",\"km\":true", 10);
    lv_buf_putc(out, '}');
    end_shared(c, out);
    lv_buf_putc(out, '}');

    bool changed = wrote || n != m;
    if (changed) store_hashes(rec, hashes, n);
    free(old.keys);
    free(old.rows);
    free(hashes);
    lv_value_free(&tmp);
    return changed;
}

/* Appends "i":... for every slot of b whose assigns changed, after a comma
 * when *count is not zero. Returns the number written. */
static size_t diff_block(ctx *c, const lv_tmpl_block *b, lv_buf *out)
{
    size_t count = 0;
    for (uint32_t i = 0; i < b->dyn_count; i++) {
        const lv_tmpl_dyn *d = &b->dyns[i];
        if (!deps_changed(c, d)) continue;
        size_t mark = out->len;
        if (count) lv_buf_putc(out, ',');
        append_key(out, i);
        bool keep = true;
        state_rec *rec = c->state && d->state_index >= 0 ? &c->state->recs[d->state_index] : NULL;
        if (d->kind == LV_DYN_IF && rec) {
            int32_t now = choose_branch(c, d);
            int32_t before = rec->branch;
            if (now == before) {
                /* Same branch: only its changed slots, merged by the client. */
                if (now < 0) {
                    keep = false;
                } else {
                    lv_buf_putc(out, '{');
                    keep = diff_block(c, d->branches[now].body, out) > 0;
                    lv_buf_putc(out, '}');
                }
            } else {
                rec->branch = now;
                if (now < 0) {
                    lv_buf_append(out, "\"\"", 2);
                } else {
                    /* Statics only when the client's node has others. */
                    const lv_tmpl_block *next = d->branches[now].body;
                    bool same_statics = before >= 0 && d->branches[before].body->fingerprint == next->fingerprint;
                    full_block(c, next, !same_statics, out);
                }
            }
        } else if (d->kind == LV_DYN_EACH && rec) {
            keep = diff_each(c, d, rec, out);
        } else if (d->kind == LV_DYN_STREAM) {
            /* Only what is pending: an outside value the body reads changing
             * does not resend items the server no longer has. */
            const lv_stream_rec *s = lv_streams_find(c->a->streams, d->attr_name, strlen(d->attr_name));
            keep = s && lv_stream_pending(s);
            if (keep) stream_node(c, d, false, out);
        } else {
            full_dyn(c, d, out);
        }
        if (keep) {
            count++;
        } else {
            out->len = mark;
            if (out->data) out->data[mark] = '\0';
        }
    }
    return count;
}

/* ---- Entry points -------------------------------------------------------------- */

static void ctx_init(ctx *c, const lv_tmpl *t, const lv_assigns *a, const lv_component_hooks *hooks,
                     lv_value *locals)
{
    memset(c, 0, sizeof *c);
    c->t = t;
    c->a = a;
    c->hooks = hooks;
    c->locals = locals;
}

/* Locals live on the stack for small templates. */
#define INLINE_LOCALS 16

#define WITH_LOCALS(t, name)                                                                                \
    lv_value name##_inline[INLINE_LOCALS];                                                                  \
    lv_value *name = (t)->local_count <= INLINE_LOCALS ? name##_inline                                     \
                                                       : lv_xmalloc((t)->local_count * sizeof(lv_value));
#define END_LOCALS(name)                                                                                    \
    if (name != name##_inline) free(name);

void lv_render_html_ex(const lv_tmpl *t, const lv_assigns *a, const lv_component_hooks *hooks, lv_buf *out)
{
    WITH_LOCALS(t, locals)
    ctx c;
    ctx_init(&c, t, a, hooks, locals);
    html_block(&c, t->root, out);
    END_LOCALS(locals)
}

void lv_render_html(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    lv_render_html_ex(t, a, NULL, out);
}

static void render_full(const lv_tmpl *t, const lv_assigns *a, lv_render_state *state,
                        const lv_component_hooks *hooks, lv_buf *out)
{
    WITH_LOCALS(t, locals)
    ctx c;
    ctx_init(&c, t, a, hooks, locals);
    c.state = state;
    full_block(&c, t->root, true, out);
    END_LOCALS(locals)
}

void lv_render_full(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    render_full(t, a, NULL, NULL, out);
}

void lv_render_full_state(const lv_tmpl *t, const lv_assigns *a, lv_render_state **state,
                          const lv_component_hooks *hooks, lv_buf *out)
{
    lv_render_state *s = reset_state(t, state);
    render_full(t, a, s, hooks, out);
}

/* The changed-assign bitset of t, in the per-thread scratch. */
static const uint64_t *changed_bits(const lv_tmpl *t, const lv_assigns *a, bool *any)
{
    lv_buf *b = &scratch()->changed;
    size_t bytes = (t->assign_words ? t->assign_words : 1) * sizeof(uint64_t);
    lv_buf_reset(b);
    lv_buf_reserve(b, bytes);
    uint64_t *bits = (uint64_t *)(void *)b->data; /* malloc'd: aligned for uint64_t */
    memset(bits, 0, bytes);
    *any = false;
    if (!lv_assigns_any_changed(a)) return bits;
    for (uint32_t i = 0; i < t->assign_count; i++) {
        if (lv_assigns_changed(a, t->assign_names[i])) {
            bits[i / 64] |= 1ull << (i % 64);
            *any = true;
        }
    }
    return bits;
}

static bool render_diff(const lv_tmpl *t, const lv_assigns *a, lv_render_state *state,
                        const lv_component_hooks *hooks, lv_buf *out)
{
    bool any;
    const uint64_t *shared = changed_bits(t, a, &any);
    /* A copy: a component slot below renders the component's own diff, whose
     * bits go to the same per-thread scratch (and may move it). */
    size_t words = t->assign_words ? t->assign_words : 1;
    uint64_t inline_bits[8];
    uint64_t *changed = words <= 8 ? inline_bits : lv_xmalloc(words * sizeof *changed);
    memcpy(changed, shared, words * sizeof *changed);
    lv_buf_putc(out, '{');
    size_t count = 0;
    if (any) {
        WITH_LOCALS(t, locals)
        ctx c;
        ctx_init(&c, t, a, hooks, locals);
        c.changed = changed;
        c.state = state;
        count = diff_block(&c, t->root, out);
        END_LOCALS(locals)
    }
    lv_buf_putc(out, '}');
    if (changed != inline_bits) free(changed);
    return count > 0;
}

bool lv_render_diff(const lv_tmpl *t, const lv_assigns *a, lv_buf *out)
{
    return render_diff(t, a, NULL, NULL, out);
}

bool lv_render_diff_state(const lv_tmpl *t, const lv_assigns *a, lv_render_state **state,
                          const lv_component_hooks *hooks, lv_buf *out)
{
    if (!state_matches(t, *state)) {
        /* The client has a tree of another template (reloaded in
         * development): replace it whole; "s" at the top does that. */
        lv_render_full_state(t, a, state, hooks, out);
        return true;
    }
    return render_diff(t, a, *state, hooks, out);
}

/* ---- The helper API ----------------------------------------------------------- */

size_t lv_helper_argc(const lv_helper_call *call)
{
    return call->argc;
}

const lv_value *lv_helper_arg(const lv_helper_call *call, size_t i)
{
    return i < call->argc ? call->args[i] : NULL;
}

const lv_value *lv_helper_named(const lv_helper_call *call, const char *key)
{
    for (size_t i = 0; i < call->named_count; i++)
        if (strcmp(call->keys[i], key) == 0) return call->named[i];
    return NULL;
}

size_t lv_helper_named_count(const lv_helper_call *call)
{
    return call->named_count;
}

const char *lv_helper_named_key_at(const lv_helper_call *call, size_t i)
{
    return i < call->named_count ? call->keys[i] : NULL;
}

const lv_value *lv_helper_named_value_at(const lv_helper_call *call, size_t i)
{
    return i < call->named_count ? call->named[i] : NULL;
}

void lv_helper_html(lv_helper_call *call, const char *html, size_t len)
{
    lv_buf_append(&call->html, html, len);
    call->wrote = true;
}

void lv_helper_text(lv_helper_call *call, const char *text, size_t len)
{
    lv_html_escape(&call->html, text, len);
    call->wrote = true;
}

void lv_helper_value(lv_helper_call *call, const lv_value *v)
{
    if (v) append_value_html(v, &call->html);
    call->wrote = true;
}

void lv_helper_return(lv_helper_call *call, lv_value *v)
{
    lv_value_free(&call->result);
    if (v) {
        call->result = *v;
        free(v);
    }
    call->returned = true;
}
