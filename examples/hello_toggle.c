/* Hello toggle (LiveViewJS's helloToggleEmoji): the smallest state change
 * there is, one boolean flipped by a click, and the greeting that shows
 * it. */
#include "examples.h"

static int toggle_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_bool(socket, "emoji", false);
    return 0;
}

static int toggle_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_assign_bool(socket, "emoji", !lv_get_bool(socket, "emoji"));
    return 0;
}

const lv_view lv_example_hello_toggle = {
    .name = "hello_toggle",
    .template_file = "hello_toggle.html",
    .events = (const char *const[]){"toggle", NULL},
    .mount = toggle_mount,
    .handle_event = toggle_event,
};
