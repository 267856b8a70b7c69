/* The conformance views of the /stream pages, /healthy/:category,
 * /keyed-comprehension, /components: the suite's StreamLive (two streams
 * of users and a LiveComponent with a third), HealthyLive (a stream reset
 * on every patch), and the registration of the other files' views
 * (streams_reset.c, streams_limit.c, streams_pages.c). */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "streams_views.h"

/* A user of the suite, {id, name}, plus the CSS selector of its element
 * (for the "JS Hide" button) given the stream's DOM prefix. The item is
 * taken by the stream. */
static int insert_user(lv_socket *socket, const char *stream, const char *id, const char *name, int at)
{
    lv_value *user = lv_map_new();
    lv_map_set_str(user, "id", id);
    lv_map_set_str(user, "name", name);
    char selector[160];
    snprintf(selector, sizeof selector, "#%s-%s", stream, id);
    lv_map_set_str(user, "selector", selector);
    return lv_stream_insert(socket, stream, user, at, 0);
}

/* The id after "<prefix>-" in a DOM id, or NULL when it does not start so. */
static const char *id_after_prefix(const char *dom_id, const char *prefix)
{
    size_t n = strlen(prefix);
    if (!dom_id || strncmp(dom_id, prefix, n) != 0 || dom_id[n] != '-' || !dom_id[n + 1]) return NULL;
    return dom_id + n + 1;
}

/* delete / update / move-to-first / move-to-last / move on the stream
 * `stream`, as the suite's view and component do for theirs. Returns 1 when
 * `event` was not one of them. */
static int user_event(lv_socket *socket, const char *stream, const char *event, const lv_params *value)
{
    const char *dom_id = lv_param(value, "id");
    const char *id = id_after_prefix(dom_id, stream);
    if (strcmp(event, "delete") == 0) return dom_id ? lv_stream_delete(socket, stream, dom_id) : -1;
    if (strcmp(event, "update") == 0) return id ? insert_user(socket, stream, id, "updated", LV_STREAM_APPEND) : -1;
    int at;
    const char *name = "updated";
    if (strcmp(event, "move-to-first") == 0) {
        at = LV_STREAM_PREPEND;
    } else if (strcmp(event, "move-to-last") == 0) {
        at = LV_STREAM_APPEND;
    } else if (strcmp(event, "move") == 0) {
        at = (int)lv_param_int(value, "at", -1);
        name = lv_param(value, "name");
        if (!name) return -1;
    } else {
        return 1;
    }
    if (!id || lv_stream_delete(socket, stream, dom_id) != 0) return -1;
    return insert_user(socket, stream, id, name, at);
}

/* ---- The component with its own stream (StreamComponent) ---------------------- */

static int stream_component_mount(lv_socket *socket)
{
    if (insert_user(socket, "c_users", "1", "chris", LV_STREAM_APPEND) != 0) return -1;
    return insert_user(socket, "c_users", "2", "callan", LV_STREAM_APPEND);
}

static int stream_component_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "reset") == 0) return lv_stream_reset(socket, "c_users");
    int rc = user_event(socket, "c_users", event, value);
    return rc == 1 ? -1 : rc;
}

static const lv_component stream_component = {
    .name = "conf_stream_component",
    .template_text =
        "<div id=\"c_users\" phx-update=\"stream\">\n"
        "  {{#stream c_users as user}}\n"
        "  <div id=\"{{user.dom_id}}\">\n"
        "    {{user.name}}\n"
        "    <button phx-click=\"delete\" phx-value-id=\"{{user.dom_id}}\" phx-target=\"{{myself}}\">delete</button>\n"
        "    <button phx-click=\"update\" phx-value-id=\"{{user.dom_id}}\" phx-target=\"{{myself}}\">update</button>\n"
        "    <button phx-click=\"move-to-first\" phx-value-id=\"{{user.dom_id}}\" phx-target=\"{{myself}}\">make "
        "first</button>\n"
        "    <button phx-click=\"move-to-last\" phx-value-id=\"{{user.dom_id}}\" phx-target=\"{{myself}}\">make "
        "last</button>\n"
        "  </div>\n"
        "  {{/stream}}\n"
        "</div>",
    .events = (const char *const[]){"reset", "delete", "update", "move-to-first", "move-to-last", NULL},
    .mount = stream_component_mount,
    .handle_event = stream_component_event,
};

/* ---- /stream (StreamLive) ------------------------------------------------------- */

static int stream_users(lv_socket *socket)
{
    if (insert_user(socket, "users", "1", "chris", LV_STREAM_APPEND) != 0) return -1;
    return insert_user(socket, "users", "2", "callan", LV_STREAM_APPEND);
}

static int stream_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    if (stream_users(socket) != 0) return -1;
    if (insert_user(socket, "admins", "1", "chris-admin", LV_STREAM_APPEND) != 0) return -1;
    return insert_user(socket, "admins", "2", "callan-admin", LV_STREAM_APPEND);
}

static int stream_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "reset-users") == 0) {
        lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
        return lv_stream_reset(socket, "users");
    }
    if (strcmp(event, "reset-users-reorder") == 0) {
        lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
        if (lv_stream_reset(socket, "users") != 0) return -1;
        if (insert_user(socket, "users", "3", "peter", LV_STREAM_APPEND) != 0) return -1;
        if (insert_user(socket, "users", "1", "chris", LV_STREAM_APPEND) != 0) return -1;
        return insert_user(socket, "users", "4", "mona", LV_STREAM_APPEND);
    }
    if (strcmp(event, "stream-users") == 0) return stream_users(socket);
    if (strcmp(event, "append-users") == 0) {
        if (insert_user(socket, "users", "4", "foo", LV_STREAM_APPEND) != 0) return -1;
        return insert_user(socket, "users", "3", "last_user", LV_STREAM_APPEND);
    }
    if (strncmp(event, "admin-", 6) == 0) {
        int rc = user_event(socket, "admins", event + 6, value);
        return rc == 1 ? -1 : rc;
    }
    int rc = user_event(socket, "users", event, value);
    return rc == 1 ? -1 : rc;
}

/* ?empty_item: the container also holds an element that is not an item. */
static int stream_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    lv_assign_bool(socket, "extra_item_with_id", lv_param(params, "empty_item") != NULL);
    return 0;
}

static const lv_view stream_view = {
    .name = "conformance stream",
    .template_file = "stream.html",
    .events = (const char *const[]){"delete", "update", "move-to-first", "move-to-last", "move", "reset-users",
                                    "reset-users-reorder", "stream-users", "append-users", "admin-delete",
                                    "admin-update", "admin-move-to-first", "admin-move-to-last", NULL},
    .mount = stream_mount,
    .handle_params = stream_params,
    .handle_event = stream_event,
};

/* ---- /healthy/:category (HealthyLive) ------------------------------------------- */

static const struct {
    const char *category, *title, *other;
    const char *names[2];
    const char *ids[2];
} healthy_stuff[] = {
    {"fruits", "Fruits", "/healthy/veggies", {"Apples", "Oranges"}, {"1", "2"}},
    {"veggies", "Veggies", "/healthy/fruits", {"Carrots", "Tomatoes"}, {"3", "4"}},
};

static int insert_item(lv_socket *socket, const char *id, const char *name, int at)
{
    lv_value *item = lv_map_new();
    lv_map_set_str(item, "id", id);
    lv_map_set_str(item, "name", name);
    return lv_stream_insert(socket, "items", item, at, 0);
}

static int healthy_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    return lv_stream(socket, "items", NULL);
}

/* Every patch shows the category's items only: a reset, then its items. */
static int healthy_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const char *category = lv_param(params, "category");
    for (size_t i = 0; i < sizeof healthy_stuff / sizeof *healthy_stuff; i++) {
        if (!category || strcmp(category, healthy_stuff[i].category) != 0) continue;
        lv_assign_str(socket, "title", healthy_stuff[i].title);
        lv_assign_str(socket, "other", healthy_stuff[i].other);
        if (lv_stream_reset(socket, "items") != 0) return -1;
        for (size_t j = 0; j < 2; j++)
            if (insert_item(socket, healthy_stuff[i].ids[j], healthy_stuff[i].names[j], LV_STREAM_APPEND) != 0)
                return -1;
        return 0;
    }
    return -1; /* Phoenix's Map.fetch! raises for another category */
}

static int healthy_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "load-more") != 0) return -1;
    if (insert_item(socket, "5", "Pumpkins", LV_STREAM_APPEND) != 0) return -1;
    return insert_item(socket, "6", "Melons", LV_STREAM_APPEND);
}

static const lv_view healthy_view = {
    .name = "conformance healthy",
    .template_file = "healthy.html",
    .events = (const char *const[]){"load-more", NULL},
    .mount = healthy_mount,
    .handle_params = healthy_params,
    .handle_event = healthy_event,
};

int conf_streams_register(lv_app *app)
{
    if (lv_component_register(app, &stream_component) != 0 || lv_route(app, "/stream", &stream_view) != 0 ||
        lv_route(app, "/healthy/:category", &healthy_view) != 0)
        return -1;
    return conf_streams_reset_register(app);
}
