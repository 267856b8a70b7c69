/* /components (the suite's ComponentsLive: focus_wrap containers and a
 * dropdown toggled with JS commands) and /keyed-comprehension
 * (KeyedComprehensionLive: two tables of shuffled rows, re-rendered on
 * every "randomize").
 *
 * Both suite views set `tailwind: true`, which makes the suite's layout
 * load Tailwind (and /keyed-comprehension daisyUI) from a CDN. There is no
 * network here and the Content-Security-Policy refuses foreign scripts, so
 * they are left out; the one Tailwind rule a spec depends on (`hidden`) is
 * in /assets/e2e/streams.css. */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "streams_views.h"

/* ---- /components ---------------------------------------------------------------- */

static int components_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_bool(socket, "focus_wrap", true);
    return 0;
}

static int components_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const char *tab = lv_param(params, "tab");
    bool focus_wrap = !tab || strcmp(tab, "focus_wrap") == 0;
    lv_assign_bool(socket, "focus_wrap", focus_wrap);
    lv_assign_str(socket, "focus_wrap_tab_class",
                  focus_wrap ? "whitespace-nowrap py-2 px-1 border-b-2 font-medium text-sm transition-colors "
                               "border-blue-500 text-blue-600"
                             : "whitespace-nowrap py-2 px-1 border-b-2 font-medium text-sm transition-colors "
                               "border-transparent text-gray-500 hover:text-gray-700 hover:border-gray-300");
    return 0;
}

static const lv_view components_view = {
    .name = "conformance components",
    .template_file = "components.html",
    .mount = components_mount,
    .handle_params = components_params,
};

/* ---- /keyed-comprehension ------------------------------------------------------- */

#define KEYED_DEFAULT_SIZE 10
#define KEYED_MAX_SIZE 1000

typedef struct keyed {
    uint64_t rng;     /* xorshift state: the rows are shuffled, the same way every run */
    int64_t size;     /* rows shown */
    int64_t unique;   /* Phoenix's System.unique_integer, for "change first" */
} keyed;

static uint64_t next_random(keyed *k)
{
    k->rng ^= k->rng << 13;
    k->rng ^= k->rng >> 7;
    k->rng ^= k->rng << 17;
    return k->rng;
}

/* {id, entry: {other, foo: {bar}}}, the suite's row; owned by the caller. */
static lv_value *row_new(int64_t id, const char *other, const char *bar)
{
    lv_value *foo = lv_map_new();
    lv_map_set_str(foo, "bar", bar);
    lv_value *entry = lv_map_new();
    lv_map_set_str(entry, "other", other);
    lv_map_set(entry, "foo", foo);
    lv_value *row = lv_map_new();
    lv_map_set_int(row, "id", id);
    lv_map_set(row, "entry", entry);
    return row;
}

/* `size` distinct ids out of 1..2*size in a random order (Enum.take_random). */
static void assign_random_items(lv_socket *socket, keyed *k)
{
    int64_t n = 2 * k->size;
    int64_t ids[2 * KEYED_MAX_SIZE];
    for (int64_t i = 0; i < n; i++) ids[i] = i + 1;
    for (int64_t i = 0; i < k->size; i++) {
        int64_t j = i + (int64_t)(next_random(k) % (uint64_t)(n - i));
        int64_t t = ids[i];
        ids[i] = ids[j];
        ids[j] = t;
    }
    lv_value *items = lv_list_new();
    for (int64_t i = 0; i < k->size; i++) {
        char bar[32];
        snprintf(bar, sizeof bar, "New%lld", (long long)(ids[i] + 1));
        lv_list_push(items, row_new(ids[i], "hey", bar));
    }
    lv_assign_value(socket, "items", items);
}

static int keyed_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    keyed *k = lv_state(socket);
    k->rng = 0x9e3779b97f4a7c15u;
    k->size = KEYED_DEFAULT_SIZE;
    lv_assign_int(socket, "count", 0);
    lv_assign_int(socket, "size", k->size);
    lv_value *tables = lv_list_new();
    lv_list_push_int(tables, 1);
    lv_list_push_int(tables, 2);
    lv_assign_value(socket, "tables", tables);
    assign_random_items(socket, k);
    return 0;
}

/* The three tabs render the same rows: the templates of liveview-c have no
 * `:key` (rows are matched by position), so the tab only changes which one
 * is marked active. */
static int keyed_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    static const char *const tabs[] = {"all_keyed", "rows_keyed", "no_keyed"};
    const char *tab = lv_param(params, "tab");
    const char *active = "all_keyed";
    for (size_t i = 0; i < 3; i++)
        if (tab && strcmp(tab, tabs[i]) == 0) active = tabs[i];
    lv_assign_str(socket, "active_tab", active);
    for (size_t i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s_class", tabs[i]);
        lv_assign_str(socket, name, strcmp(active, tabs[i]) == 0 ? "tab tab-active" : "tab ");
    }
    return 0;
}

static int keyed_event(lv_socket *socket, const char *event, const lv_params *value)
{
    keyed *k = lv_state(socket);
    if (strcmp(event, "randomize") == 0 || strcmp(event, "change_size") == 0) {
        if (event[0] == 'c') {
            const char *text = lv_param(value, "size");
            int64_t size = text && *text ? lv_param_int(value, "size", -1) : 0;
            if (size < 0 || size > KEYED_MAX_SIZE) return -1;
            k->size = size;
            lv_assign_int(socket, "size", size);
        }
        assign_random_items(socket, k);
        lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
        return 0;
    }
    const lv_value *items = lv_get_value(socket, "items");
    lv_value *changed = lv_list_new();
    if (strcmp(event, "change_0") == 0) {
        /* A new first row, the others kept. */
        char bar[32];
        snprintf(bar, sizeof bar, "%lld", (long long)++k->unique);
        lv_list_push(changed, row_new(2000, "hey", bar));
        for (size_t i = 1; i < lv_list_len(items); i++) lv_list_push(changed, lv_value_copy(lv_list_at(items, i)));
    } else if (strcmp(event, "change_other") == 0) {
        /* Every row's entry.other changes; nothing the page shows does. */
        for (size_t i = 0; i < lv_list_len(items); i++) {
            const lv_value *row = lv_list_at(items, i);
            const lv_value *entry = lv_map_get(row, "entry");
            char other[32];
            snprintf(other, sizeof other, "hey %lld", (long long)++k->unique);
            lv_list_push(changed, row_new(lv_value_int_of(lv_map_get(row, "id")), other,
                                          lv_value_str_of(lv_map_get(lv_map_get(entry, "foo"), "bar"))));
        }
    } else {
        lv_value_delete(changed);
        return -1;
    }
    lv_assign_value(socket, "items", changed);
    return 0;
}

static const lv_view keyed_view = {
    .name = "conformance keyed-comprehension",
    .template_file = "keyed_comprehension.html",
    .events = (const char *const[]){"randomize", "change_size", "change_0", "change_other", NULL},
    .state_size = sizeof(keyed),
    .mount = keyed_mount,
    .handle_params = keyed_params,
    .handle_event = keyed_event,
};

/* Debian's Chromium asks every page for /favicon.ico (Playwright's own
 * headless shell does not), and a 404 is a console error, which the
 * /components spec counts as a failure. No icon, no error. */
static void no_favicon(lv_request *req)
{
    lv_respond(req, 204, "image/x-icon", "", 0);
}

int conf_streams_pages_register(lv_app *app)
{
    if (lv_http_route(app, "GET", "/favicon.ico", no_favicon) != 0) return -1;
    if (lv_route(app, "/components", &components_view) != 0) return -1;
    return lv_route(app, "/keyed-comprehension", &keyed_view);
}
