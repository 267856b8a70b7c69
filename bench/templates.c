/* bench_templates: one event on a 100-row table where one row changes.
 *
 * Compares, per event, on one core, with no I/O:
 *   - tracked:   lv_render_diff_state (what the client has: a hash per row),
 *                which sends the one changed row;
 *   - stateless: lv_render_diff without state, which resends the changed
 *                loop whole (rows and statics);
 *   - full:      lv_render_full, a full re-render and full resend of the
 *                template on every event (what LiveViewJS-style engines do
 *                before diffing).
 * Times cover rendering and diffing; the assign update (a deep comparison of
 * the old and new list, which decides what changed) is timed separately,
 * since every strategy needs it. Bytes are the JSON payload of the diff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/render.h"

#define ROWS 100
#define EVENTS 20000

static const char TABLE[] =
    "<h1>{{title}}</h1>\n"
    "<table id=\"orders\">\n"
    "  <thead><tr><th>#</th><th>Customer</th><th>Amount</th><th>Paid</th></tr></thead>\n"
    "  <tbody>\n"
    "{{#each rows as row}}"
    "    <tr id=\"row-{{row.id}}\"><td>{{row.id}}</td><td>{{row.name}}</td>"
    "<td class=\"num\">{{format_number row.amount}}</td>"
    "<td>{{#if row.paid}}<span class=\"paid\">paid</span>{{else}}<span class=\"due\">due</span>{{/if}}</td></tr>\n"
    "{{/each}}"
    "  </tbody>\n"
    "</table>\n"
    "<p>{{pluralize count \"order\"}}</p>";

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Row i's name carries its edit count, so each event differs from the one
 * before in exactly one row. */
static lv_value make_rows(const int *edits)
{
    lv_value rows = lv_value_list();
    for (int i = 0; i < ROWS; i++) {
        char name[48];
        if (edits[i])
            snprintf(name, sizeof name, "Customer %d (edit %d)", i, edits[i]);
        else
            snprintf(name, sizeof name, "Customer %d", i);
        lv_value row = lv_value_map();
        lv_value_map_set(&row, "id", lv_value_int(i + 1));
        lv_value_map_set(&row, "name", lv_value_string(name, strlen(name)));
        lv_value_map_set(&row, "amount", lv_value_int(1000 + i * 37));
        lv_value_map_set(&row, "paid", lv_value_bool(i % 3 == 0));
        lv_value_list_push(&rows, row);
    }
    return rows;
}

typedef enum strategy { TRACKED, STATELESS, FULL } strategy;

static void run(const lv_tmpl *t, strategy which, const char *label)
{
    lv_assigns a;
    lv_assigns_init(&a);
    lv_assigns_put(&a, "title", lv_value_string("Orders", 6));
    lv_assigns_put(&a, "count", lv_value_int(ROWS));
    int edits[ROWS] = {0};
    lv_assigns_put(&a, "rows", make_rows(edits));
    lv_render_state *state = NULL;
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(t, &a, &state, NULL, &out);
    size_t join_bytes = out.len;
    lv_assigns_clear_changed(&a);

    /* The lists are built ahead, so only the engine is measured. */
    lv_value *next = malloc(EVENTS * sizeof *next);
    for (int e = 0; e < EVENTS; e++) {
        edits[(e * 37) % ROWS]++;
        next[e] = make_rows(edits);
    }

    uint64_t render_ns = 0, assign_ns = 0;
    size_t bytes = 0;
    for (int e = 0; e < EVENTS; e++) {
        uint64_t t0 = now_ns();
        lv_assigns_put(&a, "rows", next[e]);
        uint64_t t1 = now_ns();
        lv_buf_reset(&out);
        switch (which) {
        case TRACKED: lv_render_diff_state(t, &a, &state, NULL, &out); break;
        case STATELESS: lv_render_diff(t, &a, &out); break;
        case FULL: lv_render_full(t, &a, &out); break;
        }
        lv_assigns_clear_changed(&a);
        uint64_t t2 = now_ns();
        assign_ns += t1 - t0;
        render_ns += t2 - t1;
        bytes += out.len;
    }
    printf("%-10s render+diff %7.2f us/event   bytes/event %6zu   (assign update %5.2f us; join %zu bytes)\n", label,
           (double)render_ns / EVENTS / 1000.0, bytes / EVENTS, (double)assign_ns / EVENTS / 1000.0, join_bytes);
    if (which == TRACKED) {
        printf("           render state: %zu bytes for %d rows\n", lv_render_state_bytes(state), ROWS);
        printf("           last diff: %.*s\n", (int)(out.len > 200 ? 200 : out.len), out.data);
    }
    free(next);
    lv_render_state_free(state);
    lv_buf_free(&out);
    lv_assigns_free(&a);
}

int main(void)
{
    lv_tmpl_error err;
    lv_tmpl *t = lv_tmpl_compile("bench", TABLE, sizeof TABLE - 1, &err);
    if (!t) {
        fprintf(stderr, "bench_templates: %s\n", err.message);
        return 1;
    }
    printf("bench_templates: %d-row table, one row changes per event, %d events\n", ROWS, EVENTS);
    run(t, TRACKED, "tracked");
    run(t, STATELESS, "stateless");
    run(t, FULL, "full");
    lv_tmpl_free(t);
    return 0;
}
