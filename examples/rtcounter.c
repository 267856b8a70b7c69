/* The realtime counter: one count shared by every visitor, kept in step over
 * pub/sub. A click changes the count and broadcasts it; every view showing
 * the page is subscribed to the topic and takes the new count in
 * handle_info, so two browser windows move together. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define RTCOUNTER_TOPIC "rtcounter"

/* The process-wide count, changed by views on every loop (LV_WORKERS): an
 * atomic, not a lock, is enough for one number. */
static _Atomic int64_t shared_count;

static int rtcounter_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    /* Only the connected view listens: the HTTP render is over at once. */
    if (lv_connected(socket) && lv_subscribe(socket, RTCOUNTER_TOPIC) != 0) return -1;
    lv_assign_int(socket, "count", atomic_load(&shared_count));
    return 0;
}

static int rtcounter_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t delta = strcmp(event, "inc") == 0 ? 1 : -1;
    int64_t count = atomic_fetch_add(&shared_count, delta) + delta;
    /* This view shows the new count in its reply; the broadcast reaches the
     * others (and this one, where setting the same count changes nothing). */
    lv_assign_int(socket, "count", count);
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "count", count);
    int rc = lv_broadcast(lv_socket_app(socket), RTCOUNTER_TOPIC, "count", payload);
    lv_value_delete(payload);
    return rc;
}

static int rtcounter_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    /* With several loops, two clicks' broadcasts can reach a loop in either
     * order, so the payload may be the older count: showing the shared count
     * as it is now converges on the last. */
    (void)payload;
    if (strcmp(name, "count") == 0) lv_assign_int(socket, "count", atomic_load(&shared_count));
    return 0;
}

const lv_view lv_example_rtcounter = {
    .name = "rtcounter",
    .template_text = "<main>\n"
                     "<h1>Realtime counter</h1>\n"
                     "<p class=\"muted\">One count for everyone: open this page in two windows.</p>\n"
                     "<div class=\"counter\">\n"
                     "  <button phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
                     "  <span id=\"count\" class=\"value\">{{count}}</span>\n"
                     "  <button phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
                     "</div>\n"
                     "</main>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = rtcounter_mount,
    .handle_event = rtcounter_event,
    .handle_info = rtcounter_info,
};
