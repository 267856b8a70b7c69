/* A C mirror of the phoenix_live_view 1.2.12 client's Rendered class
 * (assets/node_modules/phoenix_live_view/assets/js/phoenix_live_view/
 * rendered.js): mergeDiff with mutableMerge and mergeKeyed, and toString
 * with shared templates ("p") and keyed comprehensions, including the
 * "stream" of a comprehension (see client_streams). Tests merge the
 * server's diffs with it and compare the HTML the client would show against
 * a fresh render. Components ("c") are not mirrored: no template here emits
 * them. Header-only, for the render tests. */
#ifndef LV_TEST_CLIENT_MERGE_H
#define LV_TEST_CLIENT_MERGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

/* Set when the client would have thrown (a move without "km", a number
 * where a component is meant). */
static bool client_failed;
static char client_failure[200];

static void client_fail(const char *why)
{
    if (!client_failed) snprintf(client_failure, sizeof client_failure, "%s", why);
    client_failed = true;
}

static void client_do_merge(json_t *target, json_t *source);

/* rendered.js mergeKeyed */
static void client_merge_keyed(json_t *target, json_t *source)
{
    json_t *sk = json_object_get(source, "k");
    json_t *tk = json_object_get(target, "k");
    if (!json_is_object(tk)) {
        client_fail("keyed merge into a node without k");
        return;
    }
    json_t *cloned = json_is_true(json_object_get(sk, "km")) ? json_deep_copy(target) : NULL;
    const char *key;
    json_t *entry;
    json_object_foreach(sk, key, entry) {
        if (strcmp(key, "kc") == 0 || strcmp(key, "km") == 0) continue;
        if (json_is_array(entry)) {
            if (!cloned) {
                client_fail("move without km");
                continue;
            }
            char old[24];
            snprintf(old, sizeof old, "%lld", (long long)json_integer_value(json_array_get(entry, 0)));
            json_t *from = json_object_get(json_object_get(cloned, "k"), old);
            json_object_set_new(tk, key, from ? json_deep_copy(from) : json_object());
            client_do_merge(json_object_get(tk, key), json_array_get(entry, 1));
        } else if (json_is_integer(entry)) {
            if (!cloned) {
                client_fail("move without km");
                continue;
            }
            char old[24];
            snprintf(old, sizeof old, "%lld", (long long)json_integer_value(entry));
            json_t *from = json_object_get(json_object_get(cloned, "k"), old);
            if (!from) client_fail("move from a missing entry");
            json_object_set_new(tk, key, from ? json_deep_copy(from) : json_object());
        } else if (json_is_object(entry)) {
            if (!json_object_get(tk, key)) json_object_set_new(tk, key, json_object());
            client_do_merge(json_object_get(tk, key), entry);
        }
    }
    json_int_t skc = json_integer_value(json_object_get(sk, "kc"));
    json_int_t tkc = json_integer_value(json_object_get(tk, "kc"));
    for (json_int_t i = skc; i < tkc; i++) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)i);
        json_object_del(tk, k);
    }
    json_object_set_new(tk, "kc", json_integer(skc));
    json_t *stream = json_object_get(source, "stream");
    if (stream) json_object_set(target, "stream", stream);
    json_t *p = json_object_get(source, "p");
    if (p) json_object_set(target, "p", p);
    json_decref(cloned);
}

/* rendered.js doMutableMerge */
static void client_do_merge(json_t *target, json_t *source)
{
    if (json_object_get(source, "k")) {
        client_merge_keyed(target, source);
        return;
    }
    const char *key;
    json_t *val;
    json_object_foreach(source, key, val) {
        json_t *target_val = json_object_get(target, key);
        if (json_is_object(val) && !json_object_get(val, "s") && json_is_object(target_val))
            client_do_merge(target_val, val);
        else
            json_object_set_new(target, key, json_deep_copy(val));
    }
}

/* rendered.js mergeDiff + mutableMerge for a tree without components.
 * Returns the new tree (a new reference); takes the old one. */
static json_t *client_merge(json_t *rendered, json_t *diff)
{
    if (json_object_get(diff, "s")) {
        json_decref(rendered);
        return json_deep_copy(diff);
    }
    client_do_merge(rendered, diff);
    return rendered;
}

static json_t *client_template_static(json_t *part, json_t *templates)
{
    if (json_is_integer(part)) {
        char k[24];
        snprintf(k, sizeof k, "%lld", (long long)json_integer_value(part));
        json_t *t = templates ? json_object_get(templates, k) : NULL;
        if (!t) client_fail("a template index with no template");
        return t;
    }
    return part;
}

static void client_to_output(json_t *rendered, json_t *templates, lv_buf *out);

static void client_dynamic(json_t *v, json_t *templates, lv_buf *out)
{
    if (json_is_integer(v) || json_is_real(v)) {
        client_fail("a number (component) in a dynamic");
    } else if (json_is_object(v)) {
        client_to_output(v, templates, out);
    } else if (json_is_string(v)) {
        lv_buf_append(out, json_string_value(v), json_string_length(v));
    } else {
        lv_buf_puts(out, "undefined");
    }
}

static void client_dynamics(json_t *node, json_t *statics, json_t *templates, lv_buf *out)
{
    size_t n = json_array_size(statics);
    if (!json_is_array(statics) || n == 0) {
        client_fail("statics are not an array");
        return;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        json_t *s = json_array_get(statics, i);
        lv_buf_append(out, json_string_value(s), json_string_length(s));
        char k[24];
        snprintf(k, sizeof k, "%zu", i);
        client_dynamic(json_object_get(node, k), templates, out);
    }
    json_t *last = json_array_get(statics, n - 1);
    lv_buf_append(out, json_string_value(last), json_string_length(last));
}

/* Streams: rendered.js hands the "stream" of a comprehension to DOMPatch
 * with the HTML of its entries. The mirror collects, for each stream
 * rendered, [stream, [entry html, ...]] in client_streams (when not NULL)
 * and writes a marker "\x01<ref>\x01" where the entries would go; a test
 * applies them to its model of the container as dom_patch.ts does. */
static json_t *client_streams;

/* rendered.js comprehensionToBuffer */
static void client_comprehension(json_t *rendered, json_t *templates, lv_buf *out)
{
    json_t *keyed_templates = templates ? templates : json_object_get(rendered, "p");
    json_incref(keyed_templates);
    json_t *statics = json_incref(client_template_static(json_object_get(rendered, "s"), templates));
    if (statics) json_object_set(rendered, "s", statics);
    json_object_del(rendered, "p");
    json_t *k = json_object_get(rendered, "k");
    json_int_t kc = json_integer_value(json_object_get(k, "kc"));
    json_t *stream = json_object_get(rendered, "stream");
    json_t *entries = stream ? json_array() : NULL;
    for (json_int_t i = 0; i < kc; i++) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)i);
        json_t *entry = json_object_get(k, key);
        if (!entry) {
            client_fail("a keyed entry below kc is missing");
            continue;
        }
        if (stream) {
            lv_buf one = LV_BUF_INIT;
            client_dynamics(entry, statics, keyed_templates, &one);
            json_array_append_new(entries, json_stringn(one.data ? one.data : "", one.len));
            lv_buf_free(&one);
        } else {
            client_dynamics(entry, statics, keyed_templates, out);
        }
    }
    if (stream) {
        /* "we don't need to store the rendered tree for streams" */
        const char *ref = json_string_value(json_array_get(stream, 0));
        lv_buf_printf(out, "\x01%s\x01", ref ? ref : "?");
        bool reset = json_array_size(stream) > 3;
        if (kc > 0 || json_array_size(json_array_get(stream, 2)) > 0 || reset) {
            if (client_streams) json_array_append_new(client_streams, json_pack("[O,O]", stream, entries));
            /* The marker stays where the container's children go (the real
             * client keeps them in the DOM); not a protocol key. */
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
static void client_to_output(json_t *rendered, json_t *templates, lv_buf *out)
{
    if (json_object_get(rendered, "k")) {
        client_comprehension(rendered, templates, out);
        return;
    }
    json_t *own = json_object_get(rendered, "p");
    json_t *held = NULL;
    if (own) {
        held = json_incref(own);
        templates = held;
        json_object_del(rendered, "p");
    }
    json_t *statics = json_incref(client_template_static(json_object_get(rendered, "s"), templates));
    if (statics) json_object_set(rendered, "s", statics);
    client_dynamics(rendered, statics, templates, out);
    json_decref(statics);
    json_decref(held);
}

/* The HTML the client builds from its tree, as a string the caller frees. */
static char *client_html(json_t *rendered)
{
    lv_buf out = LV_BUF_INIT;
    client_to_output(rendered, NULL, &out);
    return lv_buf_take(&out);
}

#endif
