/* Fuzzes the template compiler and the three renderers together.
 *
 * The input is compiled as template text. When it compiles, every slot's
 * assign is set (values derived from the input, so strings carry the
 * fuzzer's bytes: quotes, angle brackets, controls, broken UTF-8) and:
 *   - the HTML must equal the statics interleaved with the escaped values,
 *     using a separate, naive escaper as the reference;
 *   - the full tree must parse with jansson, with exactly the keys "0" ..
 *     "N-1" plus "s", an array of N + 1 strings, each equal to its static
 *     (and each dynamic to its escaped value) wherever that text is valid
 *     UTF-8 (elsewhere the writer substitutes U+FFFD by design);
 *   - every JSON output is HTML-safe: no raw < > &, control bytes, U+2028 or
 *     U+2029;
 *   - the first diff (every assign new) equals the full tree without "s",
 *     a diff with nothing changed is {}, and after one assign changes the
 *     diff holds exactly the slots that read it.
 * When it does not compile, the error must point inside the text and name
 * the template.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined -Isrc ... -ljansson -lm */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "render/escape.h"
#include "util/json.h"

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_tmpl: check failed at line %d: %s\n", __LINE__, #cond);                    \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* The reference escaper: one byte at a time, no fast path. */
static void naive_escape(lv_buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': lv_buf_puts(out, "&amp;"); break;
        case '<': lv_buf_puts(out, "&lt;"); break;
        case '>': lv_buf_puts(out, "&gt;"); break;
        case '"': lv_buf_puts(out, "&quot;"); break;
        case '\'': lv_buf_puts(out, "&#39;"); break;
        default: lv_buf_append(out, &s[i], 1); break;
        }
    }
}

static void escaped_text(const lv_value *v, lv_buf *out)
{
    lv_buf text = LV_BUF_INIT;
    lv_value_to_text(v, &text);
    naive_escape(out, text.data ? text.data : "", text.len);
    lv_buf_free(&text);
}

/* jansson refuses to build a string from invalid UTF-8, which makes it a
 * validator that agrees with the parser used below. */
static bool valid_utf8(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (!j) return false;
    json_decref(j);
    return true;
}

static void check_html_safe_json(const lv_buf *b)
{
    const unsigned char *p = (const unsigned char *)b->data;
    for (size_t i = 0; i < b->len; i++) {
        CHECK(p[i] != '<' && p[i] != '>' && p[i] != '&');
        CHECK(p[i] >= 0x20);
        if (p[i] == 0xe2 && i + 2 < b->len && p[i + 1] == 0x80) CHECK(p[i + 2] != 0xa8 && p[i + 2] != 0xa9);
    }
}

static json_t *parse_object(const lv_buf *b)
{
    json_error_t jerr;
    json_t *root = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        fprintf(stderr, "fuzz_tmpl: invalid JSON (%s) in: %.*s\n", jerr.text, (int)b->len, b->data);
        abort();
    }
    CHECK(json_is_object(root));
    return root;
}

static bool json_string_is(const json_t *j, const char *s, size_t n)
{
    return json_is_string(j) && json_string_length(j) == n && memcmp(json_string_value(j), s, n) == 0;
}

/* A value for slot i, of a kind that cycles with i. Strings reuse the
 * template's own bytes so they carry whatever the fuzzer put in. */
static lv_value value_for(const lv_tmpl *t, size_t i, const uint8_t *data, size_t size, unsigned salt)
{
    switch ((i + salt) % 6) {
    case 0: return lv_value_int((int64_t)size * 7919 - (int64_t)i * 104729 - (int64_t)salt);
    case 1: return lv_value_double(((double)size + 0.1 * (double)salt) / (double)(i + 3));
    case 2: return lv_value_bool((i + salt) & 1);
    case 3: return lv_value_null();
    case 4: return lv_value_string(t->statics[i], t->static_lens[i]);
    default: {
        size_t start = (i * 31 + salt) % (size + 1);
        size_t len = (size - start) < 64 ? size - start : 64;
        return lv_value_string((const char *)data + start, len);
    }
    }
}

static void check_compile_error(const lv_tmpl_error *err, size_t size)
{
    CHECK(err->line >= 1);
    CHECK(err->col >= 1);
    CHECK((size_t)err->col <= size);
    CHECK(strncmp(err->message, "fuzz: line ", 11) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lv_tmpl_error err;
    memset(&err, 0, sizeof err);
    lv_tmpl *t = lv_tmpl_compile("fuzz", (const char *)data, size, &err);
    if (!t) {
        check_compile_error(&err, size);
        return 0;
    }

    size_t n = t->slot_count;
    size_t static_bytes = 0;
    for (size_t i = 0; i <= n; i++) static_bytes += t->static_lens[i];
    CHECK(static_bytes + 5 * n <= size); /* each slot took at least "{{x}}" */

    lv_assigns a;
    lv_assigns_init(&a);
    for (size_t i = 0; i < n; i++) {
        if (!lv_assigns_get(&a, t->slots[i].assign))
            lv_assigns_put(&a, t->slots[i].assign, value_for(t, i, data, size, 0));
    }

    /* HTML against the reference. */
    lv_buf html = LV_BUF_INIT, expected = LV_BUF_INIT;
    lv_render_html(t, &a, &html);
    for (size_t i = 0; i < n; i++) {
        lv_buf_append(&expected, t->statics[i], t->static_lens[i]);
        escaped_text(lv_assigns_get(&a, t->slots[i].assign), &expected);
    }
    lv_buf_append(&expected, t->statics[n], t->static_lens[n]);
    CHECK(html.len == expected.len);
    CHECK(memcmp(html.data, expected.data, html.len) == 0);

    /* The full tree. */
    lv_buf full = LV_BUF_INIT;
    lv_render_full(t, &a, &full);
    check_html_safe_json(&full);
    json_t *full_json = parse_object(&full);
    CHECK(json_object_size(full_json) == n + 1);
    json_t *statics = json_object_get(full_json, "s");
    CHECK(json_is_array(statics));
    CHECK(json_array_size(statics) == n + 1);
    for (size_t i = 0; i <= n; i++) {
        json_t *s = json_array_get(statics, i);
        CHECK(json_is_string(s));
        if (valid_utf8(t->statics[i], t->static_lens[i])) CHECK(json_string_is(s, t->statics[i], t->static_lens[i]));
    }
    char key[24];
    lv_buf value_html = LV_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%zu", i);
        json_t *dyn = json_object_get(full_json, key);
        CHECK(json_is_string(dyn));
        lv_buf_reset(&value_html);
        escaped_text(lv_assigns_get(&a, t->slots[i].assign), &value_html);
        const char *vh = value_html.data ? value_html.data : "";
        if (valid_utf8(vh, value_html.len)) CHECK(json_string_is(dyn, vh, value_html.len));
    }
    /* The statics' JSON is exactly the array the writer would produce. */
    lv_buf statics_json = LV_BUF_INIT;
    lv_buf_putc(&statics_json, '[');
    for (size_t i = 0; i <= n; i++) {
        if (i) lv_buf_putc(&statics_json, ',');
        lv_json_str(&statics_json, t->statics[i], t->static_lens[i]);
    }
    lv_buf_putc(&statics_json, ']');
    CHECK(statics_json.len == t->statics_json_len);
    CHECK(memcmp(statics_json.data, t->statics_json, statics_json.len) == 0);

    /* First diff: everything is new, so it is the full tree minus "s". */
    lv_buf diff = LV_BUF_INIT;
    CHECK(lv_render_diff(t, &a, &diff) == (n > 0));
    check_html_safe_json(&diff);
    json_t *diff_json = parse_object(&diff);
    CHECK(json_object_size(diff_json) == n);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%zu", i);
        CHECK(json_equal(json_object_get(diff_json, key), json_object_get(full_json, key)));
    }
    json_decref(diff_json);

    /* Nothing changed: {}. */
    lv_assigns_clear_changed(&a);
    lv_buf_reset(&diff);
    CHECK(!lv_render_diff(t, &a, &diff));
    CHECK(diff.len == 2 && memcmp(diff.data, "{}", 2) == 0);

    /* One assign changes: exactly the slots reading it. */
    if (n > 0) {
        const char *changed = t->slots[0].assign;
        lv_value old_copy = *lv_assigns_get(&a, changed);
        lv_value next = value_for(t, 0, data, size, 1);
        bool differs = !lv_value_equal(&old_copy, &next);
        lv_assigns_put(&a, changed, next);
        lv_buf_reset(&diff);
        bool wrote = lv_render_diff(t, &a, &diff);
        CHECK(wrote == differs);
        check_html_safe_json(&diff);
        diff_json = parse_object(&diff);
        size_t readers = 0;
        for (size_t i = 0; i < n; i++) {
            snprintf(key, sizeof key, "%zu", i);
            bool reads = strcmp(t->slots[i].assign, changed) == 0;
            if (reads) readers++;
            CHECK((json_object_get(diff_json, key) != NULL) == (reads && differs));
        }
        CHECK(json_object_size(diff_json) == (differs ? readers : 0));
        json_decref(diff_json);
    }

    json_decref(full_json);
    lv_buf_free(&statics_json);
    lv_buf_free(&value_html);
    lv_buf_free(&diff);
    lv_buf_free(&full);
    lv_buf_free(&html);
    lv_buf_free(&expected);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
    return 0;
}
