/* The counter: the smallest LiveView. The count lives in an assign; + and -
 * change it, and only the changed number travels back to the browser. */
#include <string.h>

#include "examples.h"

/* The count a fresh page starts from. */
#define COUNTER_START 0

static int counter_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", COUNTER_START);
    return 0;
}

static int counter_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

const lv_view lv_example_counter = {
    .name = "counter",
    .template_text = "<main>\n"
                     "<h1>Counter</h1>\n"
                     "<div class=\"counter\">\n"
                     "  <button phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
                     "  <span id=\"count\" class=\"value\">{{count}}</span>\n"
                     "  <button phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
                     "</div>\n"
                     "</main>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = counter_mount,
    .handle_event = counter_event,
};
