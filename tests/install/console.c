/* An out-of-tree program built against an installed liveview with nothing
 * but pkg-config (tests/install/install.test.mjs):
 *
 *     cc console.c $(pkg-config --cflags --libs liveview)
 *
 * It serves a counter at "/" on LV_HOST:LV_PORT until SIGINT or SIGTERM. */
#include <liveview.h>
#include <string.h>

static int mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    return 0;
}

static int handle_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

static const lv_view counter = {
    .name = "console",
    .template_text = "<h1>Console</h1>"
                     "<p>Count: <span id=\"count\">{{count}}</span></p>"
                     "<button id=\"dec\" phx-click=\"dec\">-</button>"
                     "<button id=\"inc\" phx-click=\"inc\">+</button>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = mount,
    .handle_event = handle_event,
};

int main(void)
{
    lv_app *app = lv_app_new(NULL);
    if (!app) return 1;
    if (lv_route(app, "/", &counter) != 0) {
        lv_app_free(app);
        return 1;
    }
    int rc = lv_app_run(app);
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
