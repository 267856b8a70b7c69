/* Live sessions: named groups of routes with on_mount hooks (Phoenix's
 * live_session). The name travels in the page's session token (live/page.c)
 * and a join checks it against the session of the view it mounts
 * (live/lifecycle.c), so live navigation never crosses a session's
 * boundary: the client loads the page over HTTP instead, and the other
 * session's hooks judge the fresh request. */
#include <string.h>

#include "live/live.h"
#include "util/log.h"

#define LV_MAX_SESSION_NAME 64

static bool valid_session_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > LV_MAX_SESSION_NAME) return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-';
        if (!ok) return false;
    }
    return strcmp(name, LV_DEFAULT_LIVE_SESSION) != 0;
}

/* Phoenix refuses to define a live_session twice: two groups under one name
 * would share tokens while running different hooks. */
static bool name_taken_by_another(const lv_app *app, const lv_live_session *session)
{
    for (size_t i = 0; i < app->route_count; i++) {
        const lv_live_session *other = app->routes[i].session;
        if (other && other != session && strcmp(other->name, session->name) == 0) return true;
    }
    return false;
}

int lv_live_route(lv_app *app, const lv_live_session *session, const char *path, const lv_view *view)
{
    if (!app || !session) {
        lv_log_error("lv_live_route: no app or no session");
        return -1;
    }
    if (!valid_session_name(session->name)) {
        lv_log_error("route %s: live session name \"%.64s\" is not 1-64 letters, digits, _ or - "
                     "(or is the reserved \"default\")",
                     path ? path : "(null)", session->name ? session->name : "(null)");
        return -1;
    }
    if (name_taken_by_another(app, session)) {
        lv_log_error("route %s: another live session is already named \"%s\"", path ? path : "(null)",
                     session->name);
        return -1;
    }
    return lv_app_add_route(app, path, view, session);
}

const char *lv_route_session_name(const lv_route_entry *route)
{
    return route && route->session ? route->session->name : LV_DEFAULT_LIVE_SESSION;
}

const char *lv_live_session_name(const lv_socket *socket)
{
    if (!socket) return NULL;
    const lv_socket *view = socket->parent ? socket->parent : socket;
    return lv_route_session_name(view->route);
}

int lv_live_session_run_hooks(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    const lv_live_session *live_session = socket->route->session;
    if (!live_session || !live_session->on_mount) return LV_ON_MOUNT_CONT;
    for (const lv_on_mount_fn *hook = live_session->on_mount; *hook; hook++) {
        int rc = (*hook)(socket, params, session);
        if (rc == LV_ON_MOUNT_HALT) return LV_ON_MOUNT_HALT;
        if (rc != LV_ON_MOUNT_CONT) {
            lv_log_warn("%s: an on_mount hook of live session \"%s\" failed", socket->route->view->name,
                        live_session->name);
            return -1;
        }
    }
    return LV_ON_MOUNT_CONT;
}
