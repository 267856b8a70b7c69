/* bench_server: the liveview-c side of `make bench` (bench/suite.sh,
 * docs/performance.md). Every example of the examples server (the rows use
 * /counter and /rtcounter, the broadcast view), plus /list: 100 rows of which
 * a "bump" click changes one, for the bytes-per-update row. Its LiveViewJS
 * twin is in bench/peers/liveviewjs/server.js. Configured like
 * liveview-examples, from the environment (LV_HOST, LV_PORT, LV_WORKERS...);
 * the bench binds 127.0.0.1. */
#include <stdio.h>

#include "examples.h"

#define LIST_ROWS 100

/* The rows with row `bumped` (or none, for -1) at `value` and the others at
 * their start; owned by the caller. */
static lv_value *list_rows(const lv_value *old, int64_t bumped)
{
    lv_value *rows = lv_list_new();
    for (int64_t i = 0; i < LIST_ROWS; i++) {
        const lv_value *was = old ? lv_list_at(old, (size_t)i) : NULL;
        int64_t value = was ? lv_value_int_of(lv_map_get(was, "value")) : 0;
        char name[32];
        snprintf(name, sizeof name, "row %lld", (long long)(i + 1));
        lv_value *row = lv_map_new();
        lv_map_set_int(row, "id", i + 1);
        lv_map_set_str(row, "name", name);
        lv_map_set_int(row, "value", i == bumped ? value + 1 : value);
        lv_list_push(rows, row);
    }
    return rows;
}

static int list_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_value(socket, "rows", list_rows(NULL, -1));
    lv_assign_int(socket, "clicks", 0);
    return 0;
}

/* Each click adds one to the next row in turn: one row of the hundred
 * changes, as in the LiveViewJS twin. */
static int list_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    int64_t clicks = lv_get_int(socket, "clicks");
    lv_assign_value(socket, "rows", list_rows(lv_get_value(socket, "rows"), clicks % LIST_ROWS));
    lv_assign_int(socket, "clicks", clicks + 1);
    return 0;
}

static const lv_view bench_list = {
    .name = "bench_list",
    .template_text = "<main>\n"
                     "<h1>List</h1>\n"
                     "<button phx-click=\"bump\">bump</button>\n"
                     "<table>\n"
                     "{{#each rows as row}}<tr><td>{{row.id}}</td><td>{{row.name}}</td><td>{{row.value}}</td></tr>"
                     "{{/each}}\n"
                     "</table>\n"
                     "</main>",
    .events = (const char *const[]){"bump", NULL},
    .mount = list_mount,
    .handle_event = list_event,
};

int main(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.title = "Bench";
    lv_app *app = lv_app_new(&cfg);
    if (!app) return 1;
    if (lv_examples_register(app) != 0 || lv_route(app, "/list", &bench_list) != 0) {
        lv_app_free(app);
        return 1;
    }
    int rc = lv_app_run(app);
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
