/* The suite's /errors view (ErrorLive) and its nested child: views that
 * fail on purpose, for the client's answers to a crash. A failing mount
 * over HTTP is a 500; a failing connected mount refuses the join, and the
 * client reloads the page (and backs off into its failsafe mode); a failing
 * handle_event crashes the view, which the client remounts over the same
 * WebSocket; a child that fails its join is retried a few times, and a child
 * linked to its parent (lv_link_parent) takes the parent down with it.
 *
 * The suite's parent counts its child's failures by messages between the two
 * processes; here the child decides from the client's own counts, sent with
 * every join (lv_connect_mounts, lv_connect_mount_attempts), which say the
 * same: fail the first `want_fails` attempts, or, linked, the join of the
 * page's first mount. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conformance.h"

/* The time of a render, to the microsecond, as the suite's DateTime.utc_now:
 * a remount shows a new one. */
static void assign_render_time(lv_socket *socket)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char text[64];
    size_t n = strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(text + n, sizeof text - n, ".%06ldZ", now.tv_nsec / 1000);
    lv_assign_str(socket, "rendered_at", text);
}

static int errors_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *dead = lv_param(params, "dead-mount");
    const char *connected = lv_param(params, "connected-mount");
    if (dead && strcmp(dead, "raise") == 0) return -1;
    if (connected && strcmp(connected, "raise") == 0 && lv_connected(socket)) return -1;
    const char *child_raise = lv_param(params, "connected-child-mount-raise");
    bool link = child_raise && strcmp(child_raise, "link") == 0;
    lv_assign_bool(socket, "child", child_raise || lv_param(params, "child"));
    lv_assign_bool(socket, "link", link);
    lv_assign_int(socket, "want_fails", child_raise && !link ? lv_param_int(params, "connected-child-mount-raise", 0) : 0);
    assign_render_time(socket);
    return 0;
}

static int crash(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)socket;
    (void)event;
    (void)value;
    return -1; /* "boom" */
}

static const lv_view errors_view = {
    .name = "errors",
    .template_file = "errors.html",
    .events = (const char *const[]){"boom", NULL},
    .mount = errors_mount,
    .handle_event = crash,
};

static int child_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    lv_assign_bool(socket, "connected", lv_connected(socket));
    assign_render_time(socket);
    if (!lv_connected(socket)) return 0;
    const char *link = lv_param(session, "link");
    if (link && strcmp(link, "true") == 0) {
        if (lv_link_parent(socket) != 0) return -1;
        return lv_connect_mounts(socket) == 0 ? -1 : 0;
    }
    return lv_connect_mount_attempts(socket) < lv_param_int(session, "want_fails", 0) ? -1 : 0;
}

static const lv_view errors_child = {
    .name = "errors_child",
    .template_file = "errors_child.html",
    .events = (const char *const[]){"boom", NULL},
    .mount = child_mount,
    .handle_event = crash,
};

int conf_errors_register(lv_app *app)
{
    if (lv_live_view_register(app, &errors_child) != 0 || lv_route(app, "/errors", &errors_view) != 0) return -1;
    return 0;
}
