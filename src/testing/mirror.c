/* The client's Rendered class and stream patching, in C (see mirror.h).
 * Function names follow rendered.js so the two can be read side by side. */
#include "testing/mirror.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Components nest; a tree that nests deeper than this (or a component that
 * holds itself) is refused instead of overflowing the stack. */
#define MIRROR_MAX_DEPTH 200

static void fail(lv_mirror_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(lv_mirror_error *err, const char *fmt, ...)
{
    if (!err || err->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->why, sizeof err->why, fmt, ap);
    va_end(ap);
    err->failed = true;
}

static void int_key(char out[24], json_int_t i)
{
    snprintf(out, 24, "%lld", (long long)i);
}

/* ------------------------------------------------------------------------
 * mergeDiff
 * ------------------------------------------------------------------------ */

static void do_mutable_merge(json_t *target, json_t *source, lv_mirror_error *err, int depth);

/* rendered.js mergeKeyed */
static void merge_keyed(json_t *target, json_t *source, lv_mirror_error *err, int depth)
{
    json_t *sk = json_object_get(source, "k");
    json_t *tk = json_object_get(target, "k");
    if (!json_is_object(tk)) {
        fail(err, "a keyed merge into a node without k"); /* the client throws */
        return;
    }
    json_t *cloned = json_is_true(json_object_get(sk, "km")) ? json_deep_copy(target) : NULL;
    const char *key;
    json_t *entry;
    json_object_foreach(sk, key, entry) {
        if (strcmp(key, "kc") == 0 || strcmp(key, "km") == 0) continue;
        if (json_is_array(entry) || json_is_integer(entry)) {
            /* A move, [old_idx, diff] or old_idx, reads the tree as it was. */
            if (!cloned) {
                fail(err, "a keyed move without km");
                continue;
            }
            json_int_t old_idx = json_integer_value(json_is_array(entry) ? json_array_get(entry, 0) : entry);
            char old[24];
            int_key(old, old_idx);
            json_t *from = json_object_get(json_object_get(cloned, "k"), old);
            if (!from) fail(err, "a keyed move from a missing entry %s", old);
            json_object_set_new(tk, key, from ? json_deep_copy(from) : json_object());
            if (json_is_array(entry)) do_mutable_merge(json_object_get(tk, key), json_array_get(entry, 1), err, depth + 1);
        } else if (json_is_object(entry)) {
            if (!json_object_get(tk, key)) json_object_set_new(tk, key, json_object());
            do_mutable_merge(json_object_get(tk, key), entry, err, depth + 1);
        }
    }
    json_int_t skc = json_integer_value(json_object_get(sk, "kc"));
    json_int_t tkc = json_integer_value(json_object_get(tk, "kc"));
    for (json_int_t i = skc; i < tkc; i++) {
        char k[24];
        int_key(k, i);
        json_object_del(tk, k);
    }
    json_object_set_new(tk, "kc", json_integer(skc));
    json_t *stream = json_object_get(source, "stream");
    if (stream) json_object_set(target, "stream", stream);
    json_t *p = json_object_get(source, "p");
    if (p) json_object_set(target, "p", p);
    json_decref(cloned);
}

/* rendered.js doMutableMerge: source's values are shared into target (the
 * caller gives up source). */
static void do_mutable_merge(json_t *target, json_t *source, lv_mirror_error *err, int depth)
{
    if (depth > MIRROR_MAX_DEPTH) {
        fail(err, "a diff nested too deeply");
        return;
    }
    if (!json_is_object(target) || !json_is_object(source)) {
        fail(err, "a diff merged into something that is not a tree");
        return;
    }
    if (json_object_get(source, "k")) {
        merge_keyed(target, source, err, depth);
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(source, key, val) {
        json_t *target_val = json_object_get(target, key);
        if (json_is_object(val) && !json_object_get(val, "s") && json_is_object(target_val))
            do_mutable_merge(target_val, val, err, depth + 1);
        else
            json_object_set(target, key, val);
    }
}

/* rendered.js cloneMerge, without the magic ids: a new tree, target with
 * source merged in; neither is changed. */
static json_t *clone_merge(const json_t *target, json_t *source, lv_mirror_error *err)
{
    json_t *merged = json_deep_copy(target);
    json_t *src = json_deep_copy(source);
    do_mutable_merge(merged, src, err, 0);
    json_decref(src);
    return merged;
}

/* rendered.js cachedFindComponent: the whole tree of component cid after
 * this diff, its statics possibly shared from another cid ("s": n, from
 * this diff's n when positive, from the client's -n when negative). */
static json_t *find_component(const char *cid, json_t *newc, json_t *oldc, json_t *cache,
                              lv_mirror_error *err, int depth)
{
    json_t *cached = json_object_get(cache, cid);
    if (cached) return cached;
    json_t *cdiff = json_object_get(newc, cid);
    if (!json_is_object(cdiff) || depth > MIRROR_MAX_DEPTH) {
        fail(err, "component %s: %s", cid, depth > MIRROR_MAX_DEPTH ? "statics shared in a cycle" : "not a tree");
        json_object_set_new(cache, cid, json_object());
        return json_object_get(cache, cid);
    }
    json_t *scid = json_object_get(cdiff, "s");
    json_t *ndiff;
    if (json_is_integer(scid)) {
        json_int_t n = json_integer_value(scid);
        char other[24];
        int_key(other, n > 0 ? n : -n);
        json_t *tdiff = n > 0 ? find_component(other, newc, oldc, cache, err, depth + 1)
                              : json_object_get(oldc, other);
        if (!tdiff) {
            fail(err, "component %s shares the statics of %lld, which the client does not have", cid,
                 (long long)n);
            ndiff = json_object();
        } else {
            json_t *stat = json_object_get(tdiff, "s");
            ndiff = clone_merge(tdiff, cdiff, err);
            if (stat) json_object_set(ndiff, "s", stat);
        }
    } else {
        json_t *old = json_object_get(oldc, cid);
        ndiff = scid || !old ? json_deep_copy(cdiff) : clone_merge(old, cdiff, err);
    }
    json_object_set_new(cache, cid, ndiff);
    return ndiff;
}

json_t *lv_mirror_merge(json_t *rendered, const json_t *diff_in, lv_mirror_error *err)
{
    if (!json_is_object(diff_in)) {
        fail(err, "a diff that is not an object");
        return rendered ? rendered : json_object();
    }
    json_t *diff = json_deep_copy(diff_in);
    json_t *newc = json_incref(json_object_get(diff, "c"));
    json_object_del(diff, "c");
    if (json_object_get(diff, "s") || !rendered) {
        json_decref(rendered);
        rendered = json_incref(diff);
    } else {
        do_mutable_merge(rendered, diff, err, 0);
    }
    json_decref(diff);
    json_t *oldc = json_object_get(rendered, "c");
    if (!json_is_object(oldc)) {
        oldc = json_object();
        json_object_set_new(rendered, "c", oldc);
    }
    if (json_is_object(newc)) {
        json_t *cache = json_object();
        const char *cid;
        json_t *unused;
        json_object_foreach(newc, cid, unused) find_component(cid, newc, oldc, cache, err, 0);
        json_t *tree;
        json_object_foreach(cache, cid, tree) json_object_set(oldc, cid, tree);
        json_decref(cache);
    } else if (newc) {
        fail(err, "\"c\" is not an object");
    }
    json_decref(newc);
    return rendered;
}

/* ------------------------------------------------------------------------
 * toString
 * ------------------------------------------------------------------------ */

typedef struct render_ctx {
    json_t *components; /* the tree's "c", or NULL */
    json_t *streams;    /* where rendered streams go, or NULL */
    lv_mirror_error *err;
    int depth;
} render_ctx;

static void to_output(json_t *rendered, json_t *templates, render_ctx *c, lv_buf *out);

static json_t *template_static(json_t *part, json_t *templates, render_ctx *c)
{
    if (!json_is_integer(part)) return part;
    char k[24];
    int_key(k, json_integer_value(part));
    json_t *t = templates ? json_object_get(templates, k) : NULL;
    if (!t) fail(c->err, "a template index with no template");
    return t;
}

/* Gives the root element of a component's HTML the attribute the client
 * adds (modifyRoot): data-phx-component="cid". */
static void mark_component_root(lv_buf *html, json_int_t cid, lv_buf *out)
{
    const char *s = html->data ? html->data : "";
    const char *tag = strchr(s, '<');
    while (tag && !((tag[1] >= 'a' && tag[1] <= 'z') || (tag[1] >= 'A' && tag[1] <= 'Z')))
        tag = strchr(tag + 1, '<');
    if (!tag) {
        lv_buf_append(out, s, html->len);
        return;
    }
    const char *name_end = tag + 1 + strcspn(tag + 1, " \t\r\n/>");
    lv_buf_append(out, s, (size_t)(name_end - s));
    lv_buf_printf(out, " data-phx-component=\"%lld\"", (long long)cid);
    lv_buf_puts(out, name_end);
}

/* rendered.js recursiveCIDToString */
static void component_to_output(json_int_t cid, render_ctx *c, lv_buf *out)
{
    char k[24];
    int_key(k, cid);
    json_t *component = c->components ? json_object_get(c->components, k) : NULL;
    if (!json_is_object(component)) {
        fail(c->err, "no component for CID %lld", (long long)cid);
        return;
    }
    if (c->depth > MIRROR_MAX_DEPTH) {
        fail(c->err, "components nested too deeply");
        return;
    }
    c->depth++;
    lv_buf html = LV_BUF_INIT;
    json_incref(component); /* it may replace itself in the table meanwhile */
    to_output(component, NULL, c, &html);
    json_decref(component);
    c->depth--;
    mark_component_root(&html, cid, out);
    lv_buf_free(&html);
}

static void dynamic_to_output(json_t *v, json_t *templates, render_ctx *c, lv_buf *out)
{
    if (json_is_integer(v)) {
        component_to_output(json_integer_value(v), c, out);
    } else if (json_is_real(v)) {
        fail(c->err, "a number that is not a CID in a dynamic");
    } else if (json_is_object(v)) {
        c->depth++;
        if (c->depth > MIRROR_MAX_DEPTH)
            fail(c->err, "a tree nested too deeply");
        else
            to_output(v, templates, c, out);
        c->depth--;
    } else if (json_is_string(v)) {
        lv_buf_append(out, json_string_value(v), json_string_length(v));
    } else {
        lv_buf_puts(out, "undefined"); /* what JavaScript writes for a missing dynamic */
    }
}

/* rendered.js dynamicsToBuffer */
static void dynamics_to_output(json_t *node, json_t *statics, json_t *templates, render_ctx *c, lv_buf *out)
{
    size_t n = json_array_size(statics);
    if (!json_is_array(statics) || n == 0) {
        fail(c->err, "statics are not an array");
        return;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        json_t *s = json_array_get(statics, i);
        lv_buf_append(out, json_string_value(s), json_string_length(s));
        char k[24];
        int_key(k, (json_int_t)i);
        dynamic_to_output(json_object_get(node, k), templates, c, out);
    }
    json_t *last = json_array_get(statics, n - 1);
    lv_buf_append(out, json_string_value(last), json_string_length(last));
}

/* rendered.js comprehensionToBuffer. A stream's entries go to c->streams
 * (DOMPatch places them in their container) and a marker stays where the
 * container's children are; a stream once rendered keeps its marker
 * ("mirror_stream_ref", not a protocol key) for the renders after. */
static void comprehension_to_output(json_t *rendered, json_t *templates, render_ctx *c, lv_buf *out)
{
    json_t *keyed_templates = json_incref(templates ? templates : json_object_get(rendered, "p"));
    json_t *statics = json_incref(template_static(json_object_get(rendered, "s"), templates, c));
    if (statics) json_object_set(rendered, "s", statics);
    json_object_del(rendered, "p");
    json_t *k = json_object_get(rendered, "k");
    json_int_t kc = json_integer_value(json_object_get(k, "kc"));
    json_t *stream = json_object_get(rendered, "stream");
    json_t *entries = stream ? json_array() : NULL;
    for (json_int_t i = 0; i < kc; i++) {
        char key[24];
        int_key(key, i);
        json_t *entry = json_object_get(k, key);
        if (!entry) {
            fail(c->err, "a keyed entry below kc is missing");
            continue;
        }
        if (stream) {
            lv_buf one = LV_BUF_INIT;
            dynamics_to_output(entry, statics, keyed_templates, c, &one);
            json_array_append_new(entries, json_stringn(one.data ? one.data : "", one.len));
            lv_buf_free(&one);
        } else {
            dynamics_to_output(entry, statics, keyed_templates, c, out);
        }
    }
    if (stream) {
        const char *ref = json_string_value(json_array_get(stream, 0));
        lv_buf_printf(out, "\x01%s\x01", ref ? ref : "?");
        bool reset = json_is_true(json_array_get(stream, 3));
        if (kc > 0 || json_array_size(json_array_get(stream, 2)) > 0 || reset) {
            if (c->streams) json_array_append_new(c->streams, json_pack("[O,O]", stream, entries));
            json_object_set_new(rendered, "mirror_stream_ref", json_string(ref ? ref : "?"));
            json_object_del(rendered, "stream");
            json_object_set_new(rendered, "k", json_pack("{s:i}", "kc", 0));
        }
        json_decref(entries);
    } else if (json_object_get(rendered, "mirror_stream_ref")) {
        lv_buf_printf(out, "\x01%s\x01", json_string_value(json_object_get(rendered, "mirror_stream_ref")));
    }
    json_decref(statics);
    json_decref(keyed_templates);
}

/* rendered.js toOutputBuffer */
static void to_output(json_t *rendered, json_t *templates, render_ctx *c, lv_buf *out)
{
    if (json_object_get(rendered, "k")) {
        comprehension_to_output(rendered, templates, c, out);
        return;
    }
    json_t *own = json_object_get(rendered, "p");
    json_t *held = NULL;
    if (own) {
        held = json_incref(own);
        templates = held;
        json_object_del(rendered, "p");
    }
    json_t *statics = json_incref(template_static(json_object_get(rendered, "s"), templates, c));
    if (statics) json_object_set(rendered, "s", statics);
    dynamics_to_output(rendered, statics, templates, c, out);
    json_decref(statics);
    json_decref(held);
}

void lv_mirror_render(json_t *rendered, json_t *streams, lv_buf *out, lv_mirror_error *err)
{
    if (!json_is_object(rendered)) {
        fail(err, "no tree to render");
        return;
    }
    render_ctx c = {.components = json_object_get(rendered, "c"), .streams = streams, .err = err};
    json_incref(c.components);
    to_output(rendered, NULL, &c, out);
    json_decref(c.components);
}

/* ------------------------------------------------------------------------
 * One view: the tree, and the children of its stream containers as the
 * DOM keeps them across renders (dom_patch.ts).
 * ------------------------------------------------------------------------ */

void lv_mirror_init(lv_mirror *m)
{
    memset(m, 0, sizeof *m);
}

static void container_remove(lv_mirror_container *box, size_t i)
{
    free(box->children[i].id);
    free(box->children[i].html);
    memmove(box->children + i, box->children + i + 1, (box->count - i - 1) * sizeof *box->children);
    box->count--;
}

static void container_clear(lv_mirror_container *box)
{
    while (box->count) container_remove(box, box->count - 1);
}

static void containers_free(lv_mirror *m)
{
    for (size_t i = 0; i < m->container_count; i++) {
        container_clear(&m->containers[i]);
        free(m->containers[i].children);
        free(m->containers[i].ref);
    }
    free(m->containers);
    m->containers = NULL;
    m->container_count = 0;
}

static lv_mirror_container *container_of(lv_mirror *m, const char *ref, bool create)
{
    for (size_t i = 0; i < m->container_count; i++)
        if (strcmp(m->containers[i].ref, ref) == 0) return &m->containers[i];
    if (!create) return NULL;
    m->containers = lv_xrealloc(m->containers, (m->container_count + 1) * sizeof *m->containers);
    lv_mirror_container *box = &m->containers[m->container_count++];
    *box = (lv_mirror_container){lv_xstrdup(ref), NULL, 0};
    return box;
}

static long container_find(const lv_mirror_container *box, const char *id)
{
    for (size_t i = 0; i < box->count; i++)
        if (strcmp(box->children[i].id, id) == 0) return (long)i;
    return -1;
}

/* The value of the first id="..." of an element's HTML, unescaped as the
 * DOM would hold it; NULL when there is none. */
static char *element_id(const char *html)
{
    const char *p = html;
    while ((p = strstr(p, "id=\""))) {
        if (p == html || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') break;
        p += 4;
    }
    if (!p) return NULL;
    p += 4;
    lv_buf b = LV_BUF_INIT;
    static const char *const entities[][2] = {
        {"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&#39;", "'"}, {"&#x27;", "'"},
    };
    while (*p && *p != '"') {
        bool matched = false;
        for (size_t k = 0; k < sizeof entities / sizeof *entities && !matched; k++) {
            size_t n = strlen(entities[k][0]);
            if (strncmp(p, entities[k][0], n) == 0) {
                lv_buf_puts(&b, entities[k][1]);
                p += n;
                matched = true;
            }
        }
        if (!matched) lv_buf_putc(&b, *p++);
    }
    return lv_buf_take(&b);
}

/* The insert [dom_id, at, limit, update_only] of the stream for id. */
static json_t *insert_for(json_t *stream, const char *id)
{
    size_t i;
    json_t *ins;
    json_array_foreach(json_array_get(stream, 1), i, ins)
        if (json_is_string(json_array_get(ins, 0)) && strcmp(json_string_value(json_array_get(ins, 0)), id) == 0)
            return ins;
    return NULL;
}

/* dom_patch.ts for one new or updated element: an element already there is
 * morphed in place; a new one goes at `at` (-1: the end), then the limit
 * trims the other end. update_only inserts only update. */
static void container_insert(lv_mirror_container *box, char *id, const char *html, json_t *ins)
{
    long existing = container_find(box, id);
    if (existing >= 0) {
        free(box->children[existing].html);
        box->children[existing].html = lv_xstrdup(html);
        free(id);
        return;
    }
    if (ins && json_is_true(json_array_get(ins, 3))) {
        free(id);
        return;
    }
    json_int_t at = ins ? json_integer_value(json_array_get(ins, 1)) : -1;
    size_t pos = at < 0 || (size_t)at > box->count ? box->count : (size_t)at;
    box->children = lv_xrealloc(box->children, (box->count + 1) * sizeof *box->children);
    memmove(box->children + pos + 1, box->children + pos, (box->count - pos) * sizeof *box->children);
    box->children[pos] = (lv_mirror_child){id, lv_xstrdup(html)};
    box->count++;
    json_t *limit = ins ? json_array_get(ins, 2) : NULL;
    if (!json_is_integer(limit)) return;
    json_int_t l = json_integer_value(limit);
    if (l >= 0)
        while (box->count > (size_t)l) container_remove(box, box->count - 1);
    else
        while (box->count > (size_t)-l) container_remove(box, 0);
}

/* DOMPatch's streams of one render: a reset empties the container, then
 * the deletes, then each entry in order. */
static void apply_streams(lv_mirror *m, json_t *streams)
{
    size_t i;
    json_t *pair;
    json_array_foreach(streams, i, pair) {
        json_t *stream = json_array_get(pair, 0), *entries = json_array_get(pair, 1);
        const char *ref = json_string_value(json_array_get(stream, 0));
        lv_mirror_container *box = container_of(m, ref ? ref : "?", true);
        if (json_is_true(json_array_get(stream, 3))) container_clear(box);
        size_t k;
        json_t *del;
        json_array_foreach(json_array_get(stream, 2), k, del) {
            long at = json_is_string(del) ? container_find(box, json_string_value(del)) : -1;
            if (at >= 0) container_remove(box, (size_t)at);
        }
        json_t *entry;
        json_array_foreach(entries, k, entry) {
            char *id = element_id(json_string_value(entry));
            if (!id) {
                fail(&m->error, "a stream item without an id: the client cannot place it");
                continue;
            }
            container_insert(box, id, json_string_value(entry), insert_for(stream, id));
        }
    }
}

/* The render's HTML with each marker replaced by its container's
 * children. */
static char *fill_markers(lv_mirror *m, const char *html)
{
    lv_buf out = LV_BUF_INIT;
    const char *p = html;
    const char *mark;
    while ((mark = strchr(p, '\x01'))) {
        const char *end = strchr(mark + 1, '\x01');
        if (!end) break;
        lv_buf_append(&out, p, (size_t)(mark - p));
        char *ref = lv_xstrndup(mark + 1, (size_t)(end - mark - 1));
        lv_mirror_container *box = container_of(m, ref, false);
        for (size_t i = 0; box && i < box->count; i++) lv_buf_puts(&out, box->children[i].html);
        free(ref);
        p = end + 1;
    }
    lv_buf_puts(&out, p);
    return lv_buf_take(&out);
}

static int render_view(lv_mirror *m)
{
    json_t *streams = json_array();
    lv_buf out = LV_BUF_INIT;
    lv_mirror_render(m->rendered, streams, &out, &m->error);
    apply_streams(m, streams);
    json_decref(streams);
    int rc = m->error.failed ? -1 : 0;
    if (rc == 0) {
        free(m->html);
        m->html = fill_markers(m, out.data ? out.data : "");
    }
    lv_buf_free(&out);
    return rc;
}

void lv_mirror_reset(lv_mirror *m, const json_t *rendered)
{
    lv_mirror_free(m);
    m->rendered = lv_mirror_merge(NULL, rendered, &m->error);
    render_view(m);
}

int lv_mirror_apply(lv_mirror *m, const json_t *diff)
{
    m->rendered = lv_mirror_merge(m->rendered, diff, &m->error);
    if (m->error.failed) return -1;
    return render_view(m);
}

const char *lv_mirror_html(const lv_mirror *m)
{
    return m->html ? m->html : "";
}

void lv_mirror_free(lv_mirror *m)
{
    json_decref(m->rendered);
    containers_free(m);
    free(m->html);
    lv_mirror_init(m);
}
