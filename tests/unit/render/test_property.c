/* Property: for random sequences of assign changes on templates with nested
 * conditionals and loops, merging the server's diffs into the client's tree
 * (with the mirror of rendered.js in client_merge.h) yields exactly the HTML
 * of a fresh dead render of the same assigns. Fixed seeds, thousands of
 * steps per template. Also: the HTML built from a fresh full tree equals the
 * dead render (the page does not flicker when the client takes over). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client_merge.h"
#include "render/registry.h"
#include "render/render.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n ? (uint32_t)(rng_state % n) : 0;
}

static const char *const WORDS[] = {
    "a", "b", "milk", "", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' onmouseover='x",
    "&amp;", "caf\xc3\xa9", "0", "<b>bold</b>", "x y",
};
#define WORD_COUNT (sizeof WORDS / sizeof *WORDS)

static lv_value word(void)
{
    const char *w = WORDS[rnd(WORD_COUNT)];
    return lv_value_string(w, strlen(w));
}

static lv_value make_item(void)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "id", lv_value_int(rnd(6)));
    lv_value_map_set(&m, "name", word());
    lv_value_map_set(&m, "done", lv_value_bool(rnd(2)));
    if (rnd(4)) lv_value_map_set(&m, "flag", rnd(2) ? lv_value_bool(rnd(2)) : word());
    lv_value tags = lv_value_list();
    for (uint32_t i = rnd(3); i > 0; i--) lv_value_list_push(&tags, rnd(5) ? word() : lv_value_safe("<u>s</u>", 8));
    lv_value_map_set(&m, "tags", tags);
    return m;
}

static lv_value make_attrs(void)
{
    lv_value m = lv_value_map();
    if (rnd(2)) lv_value_map_set(&m, "data-x", word());
    if (rnd(2)) lv_value_map_set(&m, "hidden", lv_value_bool(rnd(2)));
    if (rnd(3) == 0) lv_value_map_set(&m, "bad\" onclick=\"x", lv_value_int(1));
    return m;
}

/* Mutates the list assign "items" in one of the ways a view would. */
static void mutate_items(lv_assigns *a)
{
    const lv_value *cur = lv_assigns_get(a, "items");
    lv_value next = cur ? lv_value_clone(cur) : lv_value_list();
    size_t n = lv_value_list_len(&next);
    lv_value rebuilt = lv_value_list();
    uint32_t op = rnd(8);
    size_t at = n ? rnd((uint32_t)n) : 0;
    for (size_t i = 0; i < n; i++) {
        lv_value item = next.as.list->items[i];
        next.as.list->items[i] = lv_value_null();
        if (op == 0 && i == at) { /* remove */
            lv_value_free(&item);
            continue;
        }
        if (op == 1 && i == at) lv_value_list_push(&rebuilt, make_item()); /* insert */
        if (op == 2 && i == at) { /* change one field */
            static const char *const fields[] = {"name", "done", "flag", "id"};
            const char *f = fields[rnd(4)];
            lv_value_map_set(&item, f, f[0] == 'd' ? lv_value_bool(rnd(2)) : f[0] == 'i' ? lv_value_int(rnd(6)) : word());
        }
        lv_value_list_push(&rebuilt, item);
    }
    if (op == 3 || n == 0) lv_value_list_push(&rebuilt, make_item()); /* append */
    if (op == 4 && rnd(4) == 0) { /* clear */
        lv_value_free(&rebuilt);
        rebuilt = lv_value_list();
    }
    if (op == 5 && lv_value_list_len(&rebuilt) > 1) { /* swap two */
        size_t len = lv_value_list_len(&rebuilt);
        size_t x = rnd((uint32_t)len), y = rnd((uint32_t)len);
        lv_value tmp = rebuilt.as.list->items[x];
        rebuilt.as.list->items[x] = rebuilt.as.list->items[y];
        rebuilt.as.list->items[y] = tmp;
    }
    if (op == 6 && lv_value_list_len(&rebuilt) > 1) { /* reverse */
        size_t len = lv_value_list_len(&rebuilt);
        for (size_t i = 0; i < len / 2; i++) {
            lv_value tmp = rebuilt.as.list->items[i];
            rebuilt.as.list->items[i] = rebuilt.as.list->items[len - 1 - i];
            rebuilt.as.list->items[len - 1 - i] = tmp;
        }
    }
    free(next.as.list); /* items were moved out */
    lv_assigns_put(a, "items", rebuilt);
}

static void mutate(lv_assigns *a)
{
    switch (rnd(10)) {
    case 0: lv_assigns_put(a, "title", word()); break;
    case 1: lv_assigns_put(a, "show", lv_value_bool(rnd(2))); break;
    case 2: lv_assigns_put(a, "alt", rnd(3) ? lv_value_bool(rnd(2)) : lv_value_int(rnd(2))); break;
    case 3: lv_assigns_put(a, "cls", word()); break;
    case 4: lv_assigns_put(a, rnd(2) ? "msg" : "other", word()); break;
    case 5: lv_assigns_put(a, "count", lv_value_int((int64_t)rnd(4) - 1)); break;
    case 6: lv_assigns_put(a, "attrs", make_attrs()); break;
    default: mutate_items(a); break;
    }
}

static void check_same_html(json_t *client, const lv_tmpl *t, const lv_assigns *a, int step)
{
    lv_buf html = LV_BUF_INIT;
    lv_render_html(t, a, &html);
    char *got = client_html(client);
    cr_assert_not(client_failed, "step %d: the client would fail: %s", step, client_failure);
    cr_assert_str_eq(got, html.data ? html.data : "", "step %d: merged HTML differs from the dead render", step);
    free(got);
    lv_buf_free(&html);
}

static json_t *parse(const lv_buf *b)
{
    json_error_t err;
    json_t *j = json_loadb(b->data, b->len, 0, &err);
    cr_assert_not_null(j, "invalid JSON (%s): %s", err.text, b->data);
    return j;
}

static void run_property(const char *text, uint64_t seed, int steps)
{
    lv_tmpl_error err = {0};
    lv_tmpl *t = lv_tmpl_compile("prop", text, strlen(text), &err);
    cr_assert_not_null(t, "%s", err.message);
    rng_state = seed;
    client_failed = false;

    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "title", word());
    lv_assigns_put(&a, "show", lv_value_bool(true));
    lv_assigns_put(&a, "alt", lv_value_bool(false));
    lv_assigns_put(&a, "cls", word());
    lv_assigns_put(&a, "msg", word());
    lv_assigns_put(&a, "other", word());
    lv_assigns_put(&a, "count", lv_value_int(1));
    lv_assigns_put(&a, "attrs", make_attrs());
    lv_assigns_put(&a, "items", lv_value_list());
    for (int i = 0; i < 3; i++) mutate_items(&a);

    lv_render_state *state = NULL;
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(t, &a, &state, NULL, &out);
    lv_assigns_clear_changed(&a);
    json_t *client = parse(&out);
    check_same_html(client, t, &a, 0);

    size_t diff_bytes = 0, full_bytes = 0;
    for (int step = 1; step <= steps; step++) {
        int changes = 1 + (int)rnd(3);
        for (int k = 0; k < changes; k++) mutate(&a);
        lv_buf_reset(&out);
        lv_render_diff_state(t, &a, &state, NULL, &out);
        lv_assigns_clear_changed(&a);
        diff_bytes += out.len;
        json_t *diff = parse(&out);
        client = client_merge(client, diff);
        json_decref(diff);
        check_same_html(client, t, &a, step);

        /* A fresh join of the same state gives the same page. */
        if (step % 16 == 0) {
            lv_buf_reset(&out);
            lv_render_full(t, &a, &out);
            full_bytes += out.len * 16;
            json_t *fresh = parse(&out);
            check_same_html(fresh, t, &a, step);
            json_decref(fresh);
        }
    }
    cr_log_info("seed %llu: %d steps, %zu diff bytes vs ~%zu full bytes", (unsigned long long)seed, steps,
                diff_bytes, full_bytes);
    cr_assert_lt(diff_bytes, full_bytes, "diffs should be smaller than full renders");
    json_decref(client);
    lv_buf_free(&out);
    lv_render_state_free(state);
    lv_assigns_free(&a);
    lv_tmpl_free(t);
}

static const char NESTED[] =
    "<h1>{{title}}</h1>\n"
    "{{#if show}}<p class=\"{{cls}}\">{{msg}}</p>{{else if alt}}<p class=\"{{cls}}\">{{other}}</p>"
    "{{else}}<i>none</i>{{/if}}\n"
    "<ul>{{#each items as item, i}}<li id=\"r{{item.id}}\" {{attrs}}>{{i}}: {{item.name}}"
    "{{#if item.done}} <b>done</b>{{else}} <input type=\"checkbox\" checked={{item.flag}}>{{/if}}"
    "{{#each item.tags as tag}}<em>{{tag}}</em>{{/each}}</li>{{/each}}</ul>\n"
    "{{#unless items}}<p>empty</p>{{/unless}}\n"
    "{{#if show}}<ol>{{#each items as it}}<li>{{it.name}}|{{title}}{{#if alt}}!{{/if}}</li>{{/each}}</ol>{{/if}}\n"
    "<footer>{{pluralize count \"item\"}} {{{msg}}}</footer>";

/* Loops at the top, no index: moves are possible when rows shift. */
static const char KEYED[] =
    "<ul>{{#each items as item}}<li>{{item.name}}{{#if item.done}}<s>x</s>{{/if}}</li>{{/each}}</ul>"
    "{{#each items as item}}{{#each item.tags as tag}}[{{tag}}]{{/each}}{{/each}}"
    "<p>{{length items}}</p>";

/* Branches with equal statics (no "s" resent on a switch), else-if chains
 * and unless. */
static const char BRANCHES[] =
    "{{#if show}}<b>{{msg}}</b>{{else if alt}}<b>{{other}}</b>{{else unless count}}<i>{{count}}</i>"
    "{{else}}<u>{{title}}{{#if alt}}{{cls}}{{/if}}</u>{{/if}}"
    "{{#each items as x}}{{#if show}}<a>{{x.name}}</a>{{else}}<a>{{x.id}}</a>{{/if}}{{/each}}";

Test(property, nested_ifs_and_loops, .init = cr_redirect_stderr)
{
    for (uint64_t seed = 1; seed <= 4; seed++) run_property(NESTED, seed * 0x9e3779b97f4a7c15ull, 1500);
}

Test(property, keyed_rows_and_moves, .init = cr_redirect_stderr)
{
    for (uint64_t seed = 1; seed <= 4; seed++) run_property(KEYED, seed * 7919 + 1, 1500);
}

Test(property, branches_and_fingerprints, .init = cr_redirect_stderr)
{
    for (uint64_t seed = 1; seed <= 4; seed++) run_property(BRANCHES, seed * 104729 + 3, 1500);
}
