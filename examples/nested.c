/* Nested LiveViews (docs/nested.md). /nested is a parent view with two
 * children placed by {{live_render}}: a clock that ticks on its own timer
 * and a counter with its own events, which reports its count to the parent
 * with lv_send_parent. The parent can remove the counter (the child ends)
 * and bring it back (a new child, from zero). Both /nested and /nested/b
 * render a sticky child with the same id (as Phoenix apps put one in the
 * layout every view renders): its count survives live navigation between
 * the two pages. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define LINK_REDIRECT "data-phx-link=\"redirect\" data-phx-link-state=\"push\""

/* ---- the clock child: its own timer ---- */

static void assign_time(lv_socket *socket)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char text[16];
    strftime(text, sizeof text, "%H:%M:%S", &tm);
    lv_assign_str(socket, "time", text);
}

static int clock_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    assign_time(socket);
    if (lv_connected(socket)) lv_send_interval(socket, 1000, "tick", NULL);
    return 0;
}

static int clock_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)name;
    (void)payload;
    assign_time(socket);
    return 0;
}

const lv_view lv_example_nested_clock = {
    .name = "nested_clock",
    .template_text = "<p class=\"clock\">UTC time, from the clock's own timer: "
                     "<b id=\"clock-time\">{{time}}</b></p>",
    .mount = clock_mount,
    .handle_info = clock_info,
};

/* ---- the counter child: its own events, and a message to its parent ---- */

static int child_counter_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    /* The live_render's other arguments arrive as the session. */
    lv_assign_str(socket, "label", lv_param(session, "label") ? lv_param(session, "label") : "Counter");
    lv_assign_int(socket, "count", 0);
    return 0;
}

static int child_counter_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    if (strcmp(event, "report") == 0) {
        lv_value *payload = lv_map_new();
        lv_map_set_int(payload, "count", count);
        int rc = lv_send_parent(socket, "child_count", payload);
        lv_value_delete(payload);
        return rc;
    }
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

const lv_view lv_example_nested_counter = {
    .name = "nested_counter",
    .template_text = "<p>{{label}}, a child view with its own events:</p>\n"
                     "<div class=\"counter\">\n"
                     "  <button id=\"child-dec\" phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
                     "  <span id=\"child-count\" class=\"value\">{{count}}</span>\n"
                     "  <button id=\"child-inc\" phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
                     "</div>\n"
                     "<p><button id=\"child-report\" phx-click=\"report\">Tell the parent</button></p>",
    .events = (const char *const[]){"inc", "dec", "report", NULL},
    .mount = child_counter_mount,
    .handle_event = child_counter_event,
};

/* ---- the sticky child, on both pages ---- */

#define STICKY_CHILD "{{live_render \"nested_sticky\" id=\"sticky\" sticky=true}}\n"

static int sticky_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "likes", 0);
    return 0;
}

static int sticky_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_assign_int(socket, "likes", lv_get_int(socket, "likes") + 1);
    return 0;
}

const lv_view lv_example_nested_sticky = {
    .name = "nested_sticky",
    .template_text = "<aside class=\"sticky-child\">Sticky child: "
                     "<span id=\"sticky-likes\">{{likes}}</span> like(s) "
                     "<button id=\"sticky-like\" phx-click=\"like\">Like</button></aside>",
    .events = (const char *const[]){"like", NULL},
    .mount = sticky_mount,
    .handle_event = sticky_event,
};

/* ---- the parent ---- */

static int parent_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "clicks", 0);
    lv_assign_bool(socket, "show_counter", true);
    lv_assign_str(socket, "report", "none yet");
    lv_page_title(socket, "Nested views");
    return 0;
}

static int parent_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "toggle_counter") == 0)
        lv_assign_bool(socket, "show_counter", !lv_get_bool(socket, "show_counter"));
    else
        lv_assign_int(socket, "clicks", lv_get_int(socket, "clicks") + 1);
    return 0;
}

static int parent_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "child_count") == 0)
        lv_assign_printf(socket, "report", "the counter was at %lld", (long long)lv_param_int(payload, "count", 0));
    return 0;
}

const lv_view lv_example_nested = {
    .name = "nested",
    .template_text =
        "<main>\n"
        "<h1>Nested views</h1>\n" STICKY_CHILD
        "<p>The parent: <span id=\"parent-clicks\">{{clicks}}</span> click(s) "
        "<button id=\"parent-click\" phx-click=\"click\">Click the parent</button> "
        "<button id=\"toggle-counter\" phx-click=\"toggle_counter\">"
        "{{#if show_counter}}Remove the counter{{else}}Add the counter{{/if}}</button></p>\n"
        "<p>Last report from the counter: <b id=\"parent-report\">{{report}}</b></p>\n"
        "{{live_render \"nested_clock\" id=\"clock\"}}\n"
        "{{#if show_counter}}{{live_render \"nested_counter\" id=\"counter\" label=\"Child counter\"}}{{/if}}\n"
        "<p><a id=\"link-nested-b\" href=\"/nested/b\" " LINK_REDIRECT ">Another page (live_redirect)</a>: "
        "the sticky child above keeps its count.</p>\n"
        "</main>",
    .events = (const char *const[]){"click", "toggle_counter", NULL},
    .mount = parent_mount,
    .handle_event = parent_event,
    .handle_info = parent_info,
};

static int nested_b_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_page_title(socket, "Nested views: page B");
    return 0;
}

const lv_view lv_example_nested_b = {
    .name = "nested_b",
    .template_text = "<main>\n<h1 id=\"nested-b\">Nested views: page B</h1>\n" STICKY_CHILD
                     "<p>A new view joined over the same socket; the sticky child was not torn down.</p>\n"
                     "<p><a id=\"link-nested\" href=\"/nested\" " LINK_REDIRECT ">Back (live_redirect)</a></p>\n"
                     "</main>",
    .mount = nested_b_mount,
};

int lv_example_nested_register(lv_app *app)
{
    if (lv_live_view_register(app, &lv_example_nested_clock) != 0 ||
        lv_live_view_register(app, &lv_example_nested_counter) != 0 ||
        lv_live_view_register(app, &lv_example_nested_sticky) != 0 ||
        lv_route(app, "/nested", &lv_example_nested) != 0 || lv_route(app, "/nested/b", &lv_example_nested_b) != 0)
        return -1;
    return 0;
}
