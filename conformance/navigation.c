/* The /navigation live session (the suite's Navigation.ALive, BLive,
 * RedirectLoopLive and the dead Navigation.Dead page). Its layout (the
 * sidebar, its own LiveSocket) is the root layout's `navigation` branch
 * (layout.c): the session's views navigate among themselves over the
 * WebSocket; a link out of the session (/stream) is a page load. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"

/* Page A's next ?param= (the suite uses System.unique_integer). */
static atomic_long next_param = 1;

static int a_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "param_current", "");
    return 0;
}

static int a_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const char *param = lv_param(params, "param");
    lv_assign_str(socket, "param_current", param ? param : "");
    lv_assign_int(socket, "param_next", atomic_fetch_add(&next_param, 1));
    return 0;
}

static int a_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    return lv_push_navigate(socket, "/navigation/b", false);
}

static const lv_view nav_a = {
    .name = "navigation a",
    .template_file = "nav_a.html",
    .events = (const char *const[]){"server_navigate", NULL},
    .mount = a_mount,
    .handle_params = a_params,
    .handle_event = a_event,
};

/* B's index streams 100 items (again at every patch back to the index, as
 * the suite's view does); /navigation/b/:id shows one. */
static int b_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    return lv_stream(socket, "items", NULL);
}

static int b_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    lv_assign_bool(socket, "container", lv_param(params, "container") != NULL);
    const char *id = lv_param(params, "id");
    lv_assign_bool(socket, "index", id == NULL);
    if (id) {
        lv_assign_str(socket, "id", id);
        return 0;
    }
    for (int i = 1; i <= 100; i++) {
        lv_value *item = lv_map_new();
        char item_id[24];
        snprintf(item_id, sizeof item_id, "item-%d", i);
        lv_map_set_str(item, "id", item_id);
        lv_map_set_int(item, "name", i);
        if (lv_stream_insert(socket, "items", item, LV_STREAM_APPEND, 0) != 0) return -1;
    }
    return 0;
}

static const lv_view nav_b = {
    .name = "navigation b",
    .template_file = "nav_b.html",
    .mount = b_mount,
    .handle_params = b_params,
};

/* A patch to ?loop=true patches to itself from handle_params for ever,
 * until the library stops it as a crash; the client then rejoins that URL,
 * where mount turns the loop off and says so. */
static int loop_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    bool looped = lv_param(params, "loop") != NULL;
    lv_assign_str(socket, "message", looped ? "Too many redirects" : "");
    lv_assign_bool(socket, "loop", !looped);
    return 0;
}

static int loop_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    if (lv_param(params, "loop") && lv_get_bool(socket, "loop"))
        return lv_push_patch(socket, "/navigation/redirectloop?loop=true", false);
    return 0;
}

static const lv_view nav_loop = {
    .name = "navigation redirect loop",
    .template_file = "nav_loop.html",
    .mount = loop_mount,
    .handle_params = loop_params,
};

static void dead_page(lv_request *req)
{
    lv_respond_page(req, 200, "<h1>Dead view</h1>");
}

static const lv_live_session navigation_session = {.name = "navigation"};

int conf_navigation_register(lv_app *app)
{
    if (lv_live_route(app, &navigation_session, "/navigation/a", &nav_a) != 0 ||
        lv_live_route(app, &navigation_session, "/navigation/b", &nav_b) != 0 ||
        lv_live_route(app, &navigation_session, "/navigation/b/:id", &nav_b) != 0 ||
        lv_live_route(app, &navigation_session, "/navigation/redirectloop", &nav_loop) != 0 ||
        lv_http_route(app, "GET", "/navigation/dead", dead_page) != 0)
        return -1;
    return 0;
}
