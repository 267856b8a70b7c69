/* The suite's views of stream resets and positions: /stream/reset
 * (StreamResetLive: filter, reorder, inserts at an index, update_only),
 * /stream/reset-lc and /stream/nested-component-reset (LiveComponents as
 * the stream's items, the second with a stream of its own), and
 * /stream/inside-for (a stream filled by async work, inside a loop). */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "streams_views.h"

/* Inserts {id, name} (copied) into the stream; the stream takes the item. */
static int insert_named(lv_socket *socket, const char *stream, const char *id, const char *name, int at)
{
    lv_value *item = lv_map_new();
    lv_map_set_str(item, "id", id);
    lv_map_set_str(item, "name", name);
    return lv_stream_insert(socket, stream, item, at, 0);
}

/* Resets `stream` to items with these ids, named by the id in capitals
 * ("a" is "A"), each with `prefix` before its id. */
static int reset_to(lv_socket *socket, const char *stream, const char *prefix, const char *ids, const char *names_prefix)
{
    if (lv_stream_reset(socket, stream) != 0) return -1;
    for (const char *p = ids; *p; p++) {
        char id[96], name[96];
        snprintf(id, sizeof id, "%s%c", prefix, *p);
        snprintf(name, sizeof name, "%s%c", names_prefix, *p - 'a' + 'A');
        if (insert_named(socket, stream, id, name, LV_STREAM_APPEND) != 0) return -1;
    }
    return 0;
}

/* ---- /stream/reset ------------------------------------------------------------ */

typedef struct stream_reset {
    int unique; /* Phoenix's System.unique_integer, for new ids and names */
} stream_reset;

static int stream_reset_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    return reset_to(socket, "items", "", "abcd", "");
}

/* ?phx-remove: the items hide with JS.hide() when removed. */
static int stream_reset_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    if (lv_param(params, "phx-remove"))
        lv_assign_str(socket, "remove", "[[\"hide\",{}]]");
    else
        lv_assign_value(socket, "remove", NULL);
    return 0;
}

/* A new item "a-<n>" named "<n>" at `at`. */
static int insert_unique(lv_socket *socket, int at)
{
    stream_reset *s = lv_state(socket);
    char id[32], name[32];
    snprintf(id, sizeof id, "a-%d", ++s->unique);
    snprintf(name, sizeof name, "%d", ++s->unique);
    return insert_named(socket, "items", id, name, at);
}

static int stream_reset_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "filter") == 0) return reset_to(socket, "items", "", "bcd", "");
    if (strcmp(event, "reorder") == 0) return reset_to(socket, "items", "", "bacd", "");
    if (strcmp(event, "reset") == 0) return reset_to(socket, "items", "", "abcd", "");
    if (strcmp(event, "prepend") == 0) return insert_unique(socket, LV_STREAM_PREPEND);
    if (strcmp(event, "append") == 0) return insert_unique(socket, LV_STREAM_APPEND);
    if (strcmp(event, "insert-at-one") == 0) return insert_unique(socket, 1);
    if (strcmp(event, "bulk-insert") == 0) {
        /* Phoenix's stream(items, Enum.reverse([e, f, g]), at: 1): each one
         * at index 1, so they end up in the order e, f, g. */
        if (insert_named(socket, "items", "g", "G", 1) != 0) return -1;
        if (insert_named(socket, "items", "f", "F", 1) != 0) return -1;
        return insert_named(socket, "items", "e", "E", 1);
    }
    if (strcmp(event, "insert-existing-at-one") == 0) return insert_named(socket, "items", "c", "C", 1);
    if (strcmp(event, "delete-insert-existing-at-one") == 0) {
        if (lv_stream_delete(socket, "items", "items-c") != 0) return -1;
        return insert_named(socket, "items", "c", "C", 1);
    }
    if (strcmp(event, "prepend-existing") == 0) return insert_named(socket, "items", "c", "C", LV_STREAM_PREPEND);
    if (strcmp(event, "append-existing") == 0) return insert_named(socket, "items", "c", "C", LV_STREAM_APPEND);
    if (strcmp(event, "new-update-only") == 0 || strcmp(event, "existing-update-only") == 0) {
        bool existing = event[0] == 'e';
        char name[32];
        stream_reset *s = lv_state(socket);
        snprintf(name, sizeof name, "C %d", ++s->unique);
        lv_value *item = lv_map_new();
        lv_map_set_str(item, "id", existing ? "c" : "e");
        lv_map_set_str(item, "name", existing ? name : "E");
        return lv_stream_update(socket, "items", item);
    }
    return -1;
}

static const lv_view stream_reset_view = {
    .name = "conformance stream reset",
    .template_file = "stream_reset.html",
    .events = (const char *const[]){"filter", "reorder", "reset", "prepend", "append", "bulk-insert",
                                    "insert-at-one", "insert-existing-at-one", "delete-insert-existing-at-one",
                                    "prepend-existing", "append-existing", "new-update-only",
                                    "existing-update-only", NULL},
    .state_size = sizeof(stream_reset),
    .mount = stream_reset_mount,
    .handle_params = stream_reset_params,
    .handle_event = stream_reset_event,
};

/* ---- /stream/reset-lc: LiveComponents as the stream's items ------------------- */

/* The item component: its arguments (id, item) become its assigns. */
static const lv_component reset_lc_item = {
    .name = "conf_stream_reset_lc_item",
    .template_text = "<li id=\"{{id}}\">\n  {{item.name}}\n</li>",
};

static int items_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    return reset_to(socket, "items", "", "abcd", "");
}

/* Both views' "reorder": a reset to e, a, f, g (a stays, the others are new). */
static int items_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "reorder") != 0) return -1;
    return reset_to(socket, "items", "", "eafg", "");
}

static const lv_view stream_reset_lc_view = {
    .name = "conformance stream reset-lc",
    .template_file = "stream_reset_lc.html",
    .events = (const char *const[]){"reorder", NULL},
    .mount = items_mount,
    .handle_event = items_event,
};

/* ---- /stream/nested-component-reset: item components with their own stream --- */

typedef struct nested_item {
    bool initialized; /* its stream was filled by the first update */
} nested_item;

/* The first update fills the component's stream (other items in the HTTP
 * render than over the socket, as the suite's view does, so the page shows
 * the connected ones only if the join replaces what the dead render had);
 * later updates only take the new arguments. */
static int nested_item_update(lv_socket *socket, const lv_params *params)
{
    nested_item *n = lv_state(socket);
    const char *id = lv_param(params, "id");
    if (!id) return -1;
    lv_assign_str(socket, "id", id);
    lv_assign_value(socket, "item", lv_params_value(params, "item"));
    if (n->initialized) return 0;
    n->initialized = true;
    char nested_id[160], prefix[160];
    snprintf(nested_id, sizeof nested_id, "%s-nested", id);
    lv_assign_str(socket, "nested_id", nested_id);
    snprintf(prefix, sizeof prefix, "%s-", id);
    return reset_to(socket, "nested", prefix, lv_connected(socket) ? "abcd" : "efgh", "N-");
}

static int nested_item_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "reorder") != 0) return -1;
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s-", lv_get_str(socket, "id"));
    return reset_to(socket, "nested", prefix, "eafg", "N-");
}

static const lv_component nested_reset_item = {
    .name = "conf_stream_nested_reset_item",
    .template_text = "<li id=\"{{id}}\">\n"
                     "  {{item.name}}\n"
                     "  <div id=\"{{nested_id}}\" phx-update=\"stream\" style=\"display: flex; gap: 4px;\">\n"
                     "    {{#stream nested as n}}<span id=\"{{n.dom_id}}\">{{n.name}}</span>{{/stream}}\n"
                     "  </div>\n"
                     "  <button phx-click=\"reorder\" phx-target=\"{{myself}}\">Reorder</button>\n"
                     "</li>",
    .events = (const char *const[]){"reorder", NULL},
    .state_size = sizeof(nested_item),
    .update = nested_item_update,
    .handle_event = nested_item_event,
};

static const lv_view stream_nested_component_reset_view = {
    .name = "conformance stream nested-component-reset",
    .template_file = "stream_nested_component_reset.html",
    .events = (const char *const[]){"reorder", NULL},
    .mount = items_mount,
    .handle_event = items_event,
};

/* ---- /stream/inside-for: a stream filled by async work, inside a loop ---------- */

/* Off the loop: the four items (Phoenix's view sleeps first; nothing here
 * depends on how long the work takes). */
static lv_value *four_items(void *arg)
{
    (void)arg;
    lv_value *items = lv_list_new();
    for (const char *p = "abcd"; *p; p++) {
        lv_value *item = lv_map_new();
        char id[2] = {*p, 0}, name[2] = {(char)(*p - 'a' + 'A'), 0};
        lv_map_set_str(item, "id", id);
        lv_map_set_str(item, "name", name);
        lv_list_push(items, item);
    }
    return items;
}

static int inside_for_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *rows = lv_list_new();
    lv_list_push_int(rows, 1);
    lv_assign_value(socket, "rows", rows);
    if (lv_stream(socket, "items", NULL) != 0) return -1;
    return lv_connected(socket) ? lv_start_async(socket, "foo", four_items, NULL, NULL) : 0;
}

static int inside_for_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "foo") != 0 || !lv_param_path(payload, "ok")) return -1;
    size_t n = lv_params_len(payload, "result");
    for (size_t i = 0; i < n; i++) {
        char id_path[48], name_path[48];
        snprintf(id_path, sizeof id_path, "result[%zu][id]", i);
        snprintf(name_path, sizeof name_path, "result[%zu][name]", i);
        const char *id = lv_param_path(payload, id_path), *item_name = lv_param_path(payload, name_path);
        if (!id || !item_name || insert_named(socket, "items", id, item_name, LV_STREAM_APPEND) != 0) return -1;
    }
    return 0;
}

static const lv_view stream_inside_for_view = {
    .name = "conformance stream inside-for",
    .template_file = "stream_inside_for.html",
    .mount = inside_for_mount,
    .handle_info = inside_for_info,
};

int conf_streams_reset_register(lv_app *app)
{
    if (lv_component_register(app, &reset_lc_item) != 0 || lv_component_register(app, &nested_reset_item) != 0)
        return -1;
    if (lv_route(app, "/stream/reset", &stream_reset_view) != 0 ||
        lv_route(app, "/stream/reset-lc", &stream_reset_lc_view) != 0 ||
        lv_route(app, "/stream/nested-component-reset", &stream_nested_component_reset_view) != 0 ||
        lv_route(app, "/stream/inside-for", &stream_inside_for_view) != 0)
        return -1;
    return conf_streams_limit_register(app);
}
