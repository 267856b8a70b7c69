/* A dashboard: numbers that change every second, from an interval timer
 * started when the view connects (and stopped with it), and a chart that a
 * client hook draws from events the server pushes.
 *
 * The chart is a <canvas> with phx-hook="Sparkline" (assets/js/app.js). On
 * mount the hook asks for the history with pushEvent("history"), answered by
 * lv_reply; after that every tick sends the new sales figure with
 * lv_push_event, which the hook receives in handleEvent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define TICK_MS 1000
#define HISTORY 30

typedef struct dashboard {
    uint32_t seed;
    int64_t history[HISTORY]; /* sales, oldest first */
    size_t count;
} dashboard;

/* Small, fast, good enough for made-up figures. */
static uint32_t next_random(dashboard *d)
{
    d->seed ^= d->seed << 13;
    d->seed ^= d->seed >> 17;
    d->seed ^= d->seed << 5;
    return d->seed;
}

static void record_sales(dashboard *d, int64_t sales)
{
    if (d->count == HISTORY) {
        memmove(d->history, d->history + 1, (HISTORY - 1) * sizeof *d->history);
        d->count--;
    }
    d->history[d->count++] = sales;
}

/* New figures: orders only grow, sales and the rating wander. */
static void update(lv_socket *socket, dashboard *d)
{
    int64_t sales = 1000 + (int64_t)(next_random(d) % 4000);
    record_sales(d, sales);
    lv_assign_int(socket, "orders", lv_get_int(socket, "orders") + (int64_t)(next_random(d) % 4));
    lv_assign_int(socket, "sales", sales);
    lv_assign_printf(socket, "rating", "%.1f", 3.0 + (double)(next_random(d) % 21) / 10.0);
}

static int dashboard_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    dashboard *d = lv_state(socket);
    d->seed = (uint32_t)time(NULL) | 1u;
    lv_assign_int(socket, "orders", 100);
    lv_assign_int(socket, "ticks", 0);
    update(socket, d);
    /* Timers need the WebSocket; the HTTP render shows the first figures. */
    if (lv_connected(socket) && lv_send_interval(socket, TICK_MS, "tick", NULL) < 0) return -1;
    return 0;
}

static int dashboard_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)payload;
    if (strcmp(name, "tick") != 0) return 0;
    dashboard *d = lv_state(socket);
    update(socket, d);
    lv_assign_int(socket, "ticks", lv_get_int(socket, "ticks") + 1);
    lv_value *event = lv_map_new();
    lv_map_set_int(event, "value", d->history[d->count - 1]);
    int rc = lv_push_event(socket, "sales", event);
    lv_value_delete(event);
    return rc;
}

/* The hook's pushEvent("history"): the reply goes to its callback. */
static int dashboard_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    dashboard *d = lv_state(socket);
    lv_value *points = lv_list_new();
    for (size_t i = 0; i < d->count; i++) lv_list_push_int(points, d->history[i]);
    lv_value *reply = lv_map_new();
    lv_map_set(reply, "points", points);
    int rc = lv_reply(socket, reply);
    lv_value_delete(reply);
    return rc;
}

const lv_view lv_example_dashboard = {
    .name = "dashboard",
    .template_text =
        "<main>\n"
        "<h1>Sales dashboard</h1>\n"
        "<p class=\"muted\">New figures every second from a server timer; the chart is drawn "
        "by a client hook from the events the server pushes.</p>\n"
        "<div class=\"stats\">\n"
        "  <div class=\"stat\"><span class=\"label\">Orders</span><span id=\"orders\" "
        "class=\"value\">{{format_number orders}}</span></div>\n"
        "  <div class=\"stat\"><span class=\"label\">Sales</span><span id=\"sales\" "
        "class=\"value\">${{format_number sales}}</span></div>\n"
        "  <div class=\"stat\"><span class=\"label\">Rating</span><span id=\"rating\" "
        "class=\"value\">{{rating}}</span></div>\n"
        "</div>\n"
        "<canvas id=\"sales-chart\" phx-hook=\"Sparkline\" phx-update=\"ignore\" width=\"640\" "
        "height=\"240\" aria-label=\"sales, last 30 seconds\"></canvas>\n"
        "<p class=\"muted\">Updates so far: <span id=\"ticks\">{{ticks}}</span></p>\n"
        "</main>",
    .events = (const char *const[]){"history", NULL},
    .state_size = sizeof(dashboard),
    .mount = dashboard_mount,
    .handle_event = dashboard_event,
    .handle_info = dashboard_info,
};
