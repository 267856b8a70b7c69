/* Fuzzes the template compiler and the renderers together.
 *
 * The input is compiled as template text (with two partials registered, so
 * {{> row}} inclusions are explored too). When it does not compile, the
 * error must point inside the text (line >= 1, column within its line) and
 * name the template or partial. When it compiles, every assign it reads gets
 * a value derived from the input (strings carry the fuzzer's bytes: quotes,
 * angle brackets, controls, broken UTF-8; lists of strings and of maps;
 * maps), and:
 *   - the full tree parses as JSON, is HTML-safe (no raw < > &, controls,
 *     U+2028/9), and the client mirror (tests/unit/render/client_merge.h)
 *     builds exactly the dead render's HTML from it (when the template and
 *     that HTML are valid UTF-8: the JSON writer substitutes U+FFFD for each
 *     invalid piece by design, and two invalid statics can join into a valid
 *     sequence in the HTML);
 *   - after assign changes, the stateful diff merged into the client's tree
 *     still gives the dead render's HTML, and so does the stateless diff
 *     (which resends changed blocks whole);
 *   - a diff with nothing changed is {}.
 * Loops nested deeper than MAX_LOOP_DEPTH are compiled but not rendered, to
 * keep each run's work bounded (two rows per level).
 *
 * Build: cmake -DLV_FUZZ=ON -DCMAKE_C_COMPILER=clang; bin/fuzz_tmpl */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "unit/render/client_merge.h"
#include "util/json.h"

#define MAX_LOOP_DEPTH 4

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_tmpl: check failed at line %d: %s\n", __LINE__, #cond);                    \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

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

static lv_value bytes_value(const uint8_t *data, size_t size, size_t salt)
{
    size_t start = size ? (salt * 31) % size : 0;
    size_t len = size - start < 24 ? size - start : 24;
    return lv_value_string((const char *)data + start, len);
}

static lv_value item_value(const uint8_t *data, size_t size, size_t salt)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "name", bytes_value(data, size, salt));
    lv_value_map_set(&m, "done", lv_value_bool(salt & 1));
    lv_value_map_set(&m, "id", lv_value_int((int64_t)salt));
    lv_value tags = lv_value_list();
    lv_value_list_push(&tags, bytes_value(data, size, salt + 7));
    lv_value_map_set(&m, "tags", tags);
    return m;
}

/* A value of a kind that cycles with i and salt. */
static lv_value value_for(size_t i, const uint8_t *data, size_t size, unsigned salt)
{
    size_t k = i + salt;
    switch (k % 8) {
    case 0: return lv_value_int((int64_t)size * 7919 - (int64_t)k);
    case 1: return lv_value_double(((double)size + 0.1 * salt) / (double)(i + 3));
    case 2: return lv_value_bool(k & 2);
    case 3: return lv_value_null();
    case 4: {
        lv_value l = lv_value_list();
        for (size_t r = 0; r < (k & 1) + 1; r++) lv_value_list_push(&l, bytes_value(data, size, k + r));
        return l;
    }
    case 5: {
        lv_value l = lv_value_list();
        for (size_t r = 0; r < 2 - (salt & 1); r++) lv_value_list_push(&l, item_value(data, size, k + r * salt));
        return l;
    }
    case 6: {
        lv_value m = item_value(data, size, k);
        lv_value_map_set(&m, "hidden", lv_value_bool(salt & 1));
        return m;
    }
    default: return bytes_value(data, size, k);
    }
}

static int loop_depth(const lv_tmpl_block *b)
{
    int deepest = 0;
    for (uint32_t i = 0; i < b->dyn_count; i++) {
        const lv_tmpl_dyn *d = &b->dyns[i];
        int depth = 0;
        for (uint32_t k = 0; k < d->branch_count; k++) {
            int bd = loop_depth(d->branches[k].body);
            if (bd > depth) depth = bd;
        }
        if (d->body) depth = 1 + loop_depth(d->body);
        if (depth > deepest) deepest = depth;
    }
    return deepest;
}

static char *dead_html(const lv_tmpl *t, const lv_assigns *a, size_t *len)
{
    lv_buf b = LV_BUF_INIT;
    lv_render_html(t, a, &b);
    *len = b.len;
    return lv_buf_take(&b);
}

static bool source_utf8;

/* The client's HTML from its tree equals the dead render. */
static void check_client(json_t *client, const lv_tmpl *t, const lv_assigns *a)
{
    size_t len;
    char *html = dead_html(t, a, &len);
    client_failed = false;
    lv_buf got = LV_BUF_INIT; /* by length: statics may hold NUL bytes */
    client_to_output(client, NULL, &got);
    CHECK(!client_failed);
    if (source_utf8 && valid_utf8(html, len)) CHECK(got.len == len && (len == 0 || memcmp(got.data, html, len) == 0));
    lv_buf_free(&got);
    free(html);
}

static void check_compile_error(const lv_tmpl_error *err, const uint8_t *data, size_t size)
{
    CHECK(err->line >= 1);
    CHECK(err->col >= 1);
    bool ours = strncmp(err->message, "fuzz: line ", 11) == 0 || strncmp(err->message, "row: line ", 10) == 0 ||
                strncmp(err->message, "cell: line ", 11) == 0;
    CHECK(ours);
    if (strncmp(err->message, "fuzz:", 5) == 0) {
        /* The column is within its line of the input. */
        int line = 1;
        size_t line_start = 0;
        for (size_t i = 0; i < size && line < err->line; i++)
            if (data[i] == '\n') {
                line++;
                line_start = i + 1;
            }
        CHECK(line == err->line);
        CHECK(line_start + (size_t)err->col - 1 <= size);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool registered;
    if (!registered) {
        lv_partial("row", "<li class=\"{{item.name}}\" {{attrs}}>{{> cell v=item.id}}{{#if item.done}}x{{/if}}</li>");
        lv_partial("cell", "<td>{{v}}</td>");
        registered = true;
    }
    lv_tmpl_error err;
    memset(&err, 0, sizeof err);
    lv_tmpl *t = lv_tmpl_compile("fuzz", (const char *)data, size, &err);
    if (!t) {
        check_compile_error(&err, data, size);
        return 0;
    }
    source_utf8 = valid_utf8((const char *)data, size);
    if (loop_depth(t->root) > MAX_LOOP_DEPTH) {
        lv_tmpl_free(t);
        return 0;
    }

    lv_assigns a;
    lv_assigns_init(&a);
    for (uint32_t i = 0; i < t->assign_count; i++) lv_assigns_put(&a, t->assign_names[i], value_for(i, data, size, 0));

    /* The join. */
    lv_render_state *state = NULL;
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(t, &a, &state, NULL, &out);
    check_html_safe_json(&out);
    json_t *client = parse_object(&out);
    CHECK(json_is_array(json_object_get(client, "s")) || json_is_integer(json_object_get(client, "s")));
    json_t *stateless_client = json_deep_copy(client);
    check_client(client, t, &a);
    lv_assigns_clear_changed(&a);

    /* Nothing changed: {}. */
    lv_buf_reset(&out);
    CHECK(!lv_render_diff_state(t, &a, &state, NULL, &out));
    CHECK(out.len == 2 && memcmp(out.data, "{}", 2) == 0);

    /* Rounds of changes: both kinds of diff keep the client in step. */
    for (unsigned round = 1; round <= 3; round++) {
        for (uint32_t i = 0; i < t->assign_count; i++)
            if ((i + round) % 2 == 0 || round == 3)
                lv_assigns_put(&a, t->assign_names[i], value_for(i, data, size, round));
        lv_buf stateless = LV_BUF_INIT;
        lv_render_diff(t, &a, &stateless);
        check_html_safe_json(&stateless);
        json_t *sdiff = parse_object(&stateless);
        stateless_client = client_merge(stateless_client, sdiff);
        json_decref(sdiff);
        check_client(stateless_client, t, &a);
        lv_buf_free(&stateless);

        lv_buf_reset(&out);
        lv_render_diff_state(t, &a, &state, NULL, &out);
        check_html_safe_json(&out);
        json_t *diff = parse_object(&out);
        client = client_merge(client, diff);
        json_decref(diff);
        check_client(client, t, &a);
        lv_assigns_clear_changed(&a);
    }

    json_decref(client);
    json_decref(stateless_client);
    lv_render_state_free(state);
    lv_buf_free(&out);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
    return 0;
}
