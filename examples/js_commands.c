/* JS commands: every command of the client's JS, each wired to a button
 * and visibly doing its job in the page without a round trip (except push,
 * which is the round trip). Most are written in the template with the js_*
 * helpers; the "open panel" command is built in C with the lv_js builder,
 * to show both ways (docs/js-commands.md). */
#include <string.h>

#include "examples.h"

static int js_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "pushes", 0);
    lv_assign_str(socket, "tab", "1");
    lv_value *detail = lv_map_new();
    lv_map_set_str(detail, "from", "liveview-c");
    lv_assign_value(socket, "greeting_detail", detail);
    lv_value *push_value = lv_map_new();
    lv_map_set_int(push_value, "by", 2);
    lv_assign_value(socket, "push_value", push_value);
    /* Show the panel with a fade, and mark the button pressed. */
    lv_js *open = lv_js_new();
    lv_js_show(open, &(lv_js_opts){.to = "#panel",
                                   .time = 300,
                                   .transition = {"fade-transition", "fade-start", "fade-end"}});
    lv_js_set_attr(open, "aria-pressed", "true", NULL);
    lv_assign_js(socket, "open_panel", open);
    return 0;
}

static int js_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const char *tab = lv_param(params, "tab");
    lv_assign_str(socket, "tab", tab && (!strcmp(tab, "1") || !strcmp(tab, "2")) ? tab : "1");
    return 0;
}

static int js_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    int64_t by = lv_param_int(value, "by", 1);
    if (by < 1 || by > 10) by = 1;
    lv_assign_int(socket, "pushes", lv_get_int(socket, "pushes") + by);
    return 0;
}

const lv_view lv_example_js_commands = {
    .name = "js_commands",
    .template_file = "js_commands.html",
    .events = (const char *const[]){"inc", NULL},
    .mount = js_mount,
    .handle_params = js_params,
    .handle_event = js_event,
};
