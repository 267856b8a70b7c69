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
    lv_assign_int(socket, "marks", 0);
    lv_assign_str(socket, "redirect_status", "");
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

/* "mark": a render, with one event the client dispatches before applying
 * it and one after (the DispatchOrder hook in assets/js/app.js shows what
 * each saw). */
static int js_mark(lv_socket *socket)
{
    lv_assign_int(socket, "marks", lv_get_int(socket, "marks") + 1);
    if (lv_push_event_before(socket, "seen_before", NULL) != 0) return -1;
    return lv_push_event(socket, "seen_after", NULL);
}

/* "redirect": to an external host. hexdocs.pm is allowed by main.c's
 * default allowed_redirect_hosts; evil.example is not, so lv_redirect
 * refuses it (and logs why) and the page says so. */
static int js_redirect(lv_socket *socket, const lv_params *value)
{
    const char *to = lv_param(value, "to");
    const char *url = to && !strcmp(to, "docs") ? "https://hexdocs.pm/phoenix_live_view/Phoenix.LiveView.JS.html"
                                                : "https://evil.example/";
    if (lv_redirect(socket, url) != 0) lv_assign_str(socket, "redirect_status", "The redirect was refused.");
    return 0;
}

static int js_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (!strcmp(event, "mark")) return js_mark(socket);
    if (!strcmp(event, "redirect")) return js_redirect(socket, value);
    int64_t by = lv_param_int(value, "by", 1);
    if (by < 1 || by > 10) by = 1;
    lv_assign_int(socket, "pushes", lv_get_int(socket, "pushes") + by);
    return 0;
}

const lv_view lv_example_js_commands = {
    .name = "js_commands",
    .template_file = "js_commands.html",
    .events = (const char *const[]){"inc", "mark", "redirect", NULL},
    .mount = js_mount,
    .handle_params = js_params,
    .handle_event = js_event,
};
