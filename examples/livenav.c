/* Live navigation between two views on one WebSocket. Page A patches its
 * own URL from the server (lv_push_patch: handle_params runs, no new view)
 * and sends the browser to page B with lv_push_navigate (the client leaves
 * A and joins B over the same socket, no page load) carrying a flash, or
 * with lv_redirect (a full page load, the flash in a cookie). Links do the
 * same from the client: data-phx-link="patch" and "redirect".
 *
 * /navtest, not linked from the index, is a view the protocol tests drive:
 * it navigates wherever an event says, so the tests can check what the
 * server refuses to send. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define LINK_PATCH "data-phx-link=\"patch\" data-phx-link-state=\"push\""
#define LINK_REDIRECT "data-phx-link=\"redirect\" data-phx-link-state=\"push\""

static int nav_a_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "patches", 0);
    /* The layout's live_title keeps its suffix around it, also after a live
     * navigation, when only this view's part changes. */
    lv_page_title(socket, "Live navigation: page A");
    return 0;
}

static int nav_a_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    int64_t tab = lv_param_int(params, "tab", 1);
    lv_assign_int(socket, "tab", tab < 1 ? 1 : tab);
    if (lv_connected(socket)) lv_assign_int(socket, "patches", lv_get_int(socket, "patches") + 1);
    return 0;
}

static int nav_a_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "next_tab") == 0) {
        char to[64];
        snprintf(to, sizeof to, "/livenav?tab=%lld", (long long)lv_get_int(socket, "tab") + 1);
        return lv_push_patch(socket, to, false);
    }
    if (strcmp(event, "navigate") == 0) {
        lv_put_flash(socket, "info", "Welcome to B: you came with push_navigate.");
        return lv_push_navigate(socket, "/livenav/b?from=navigate", false);
    }
    /* redirect: a full page load, and the flash still arrives. */
    lv_put_flash(socket, "info", "Welcome to B: you came with a full redirect.");
    return lv_redirect(socket, "/livenav/b?from=redirect");
}

const lv_view lv_example_livenav_a = {
    .name = "livenav_a",
    .template_text =
        "<main>\n"
        "{{> flash}}\n"
        "<h1>Live navigation: page A</h1>\n"
        "<p>Tab <b id=\"tab\">{{tab}}</b>. handle_params has run <span id=\"patches\">{{patches}}</span> "
        "time(s) on this view.</p>\n"
        "<p class=\"actions\">\n"
        "  <button id=\"next-tab\" phx-click=\"next_tab\">Next tab (push_patch)</button>\n"
        "  <button id=\"navigate\" phx-click=\"navigate\">To B (push_navigate)</button>\n"
        "  <button id=\"redirect\" phx-click=\"redirect\">To B (redirect)</button>\n"
        "</p>\n"
        "<p>Links: <a id=\"link-tab\" href=\"/livenav?tab=1\" " LINK_PATCH ">tab 1 (live_patch)</a> · "
        "<a id=\"link-b\" href=\"/livenav/b?from=link\" " LINK_REDIRECT ">page B (live_redirect)</a></p>\n"
        "</main>",
    .events = (const char *const[]){"next_tab", "navigate", "redirect", NULL},
    .mount = nav_a_mount,
    .handle_params = nav_a_params,
    .handle_event = nav_a_event,
};

static int nav_b_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *from = lv_param(params, "from");
    lv_assign_str(socket, "from", from ? from : "a typed URL");
    lv_page_title(socket, "Live navigation: page B");
    return 0;
}

static int nav_b_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_put_flash(socket, "info", "Back on A, tab 2, from B.");
    return lv_push_navigate(socket, "/livenav?tab=2", false);
}

const lv_view lv_example_livenav_b = {
    .name = "livenav_b",
    .template_text =
        "<main>\n"
        "{{> flash}}\n"
        "<h1>Live navigation: page B</h1>\n"
        "<p>You arrived by <b id=\"from\">{{from}}</b>.</p>\n"
        "<p class=\"actions\"><button id=\"back\" phx-click=\"back\">Back to A, tab 2 "
        "(push_navigate)</button></p>\n"
        "<p>Link: <a id=\"link-a\" href=\"/livenav\" " LINK_REDIRECT ">page A (live_redirect)</a></p>\n"
        "</main>",
    .events = (const char *const[]){"back", NULL},
    .mount = nav_b_mount,
    .handle_event = nav_b_event,
};

/* ---- /navtest: driven by the protocol tests ---- */

/* ?mount_patch=, ?mount_navigate= and ?mount_redirect= navigate from mount. */
static int navtest_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *to;
    if ((to = lv_param(params, "mount_patch"))) lv_push_patch(socket, to, true);
    if ((to = lv_param(params, "mount_navigate"))) lv_push_navigate(socket, to, false);
    if ((to = lv_param(params, "mount_redirect"))) {
        lv_put_flash(socket, "info", "Sent away by mount");
        lv_redirect(socket, to);
    }
    lv_assign_int(socket, "clicks", 0);
    lv_assign_int(socket, "infos", 0);
    lv_assign_int(socket, "refused", 0);
    lv_assign_int(socket, "loop", 0);
    lv_assign_str(socket, "pending", "");
    lv_assign_str(socket, "status", "");
    return 0;
}

/* ?loop=N patches to ?loop=N+1, forever: the server must stop it. */
static int navtest_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    int64_t loop = lv_param_int(params, "loop", 0);
    lv_assign_int(socket, "loop", loop);
    if (loop > 0) {
        char to[48];
        snprintf(to, sizeof to, "/navtest?loop=%lld", (long long)loop + 1);
        return lv_push_patch(socket, to, true);
    }
    return 0;
}

static lv_value *slow_result(void *arg)
{
    (void)arg;
    struct timespec delay = {0, 300 * 1000000L};
    nanosleep(&delay, NULL);
    return lv_value_new_str("done");
}

static void count_refusal(lv_socket *socket, int rc)
{
    if (rc != 0) lv_assign_int(socket, "refused", lv_get_int(socket, "refused") + 1);
}

static int navtest_event(lv_socket *socket, const char *event, const lv_params *value)
{
    const char *to = lv_param(value, "to");
    const char *flash = lv_param(value, "flash");
    if (flash) lv_put_flash(socket, "info", flash);
    if (strcmp(event, "patch") == 0) {
        count_refusal(socket, lv_push_patch(socket, to, false));
    } else if (strcmp(event, "navigate") == 0) {
        count_refusal(socket, lv_push_navigate(socket, to, false));
    } else if (strcmp(event, "redirect") == 0) {
        count_refusal(socket, lv_redirect(socket, to));
    } else if (strcmp(event, "later") == 0) {
        /* Navigation from handle_info: sent as pushes, not in a reply. */
        lv_assign_str(socket, "pending", to);
        return lv_send_info(socket, "navigate_later", NULL);
    } else if (strcmp(event, "ping") == 0) {
        lv_assign_int(socket, "clicks", lv_get_int(socket, "clicks") + 1);
        return lv_send_info(socket, "pong", NULL);
    } else if (strcmp(event, "timer") == 0) {
        return lv_send_after(socket, (unsigned)lv_param_int(value, "ms", 100), "fired", NULL) > 0 ? 0 : -1;
    } else if (strcmp(event, "async") == 0) {
        return lv_start_async(socket, "slow", slow_result, NULL, NULL);
    } else if (strcmp(event, "title") == 0) {
        lv_page_title(socket, lv_param(value, "title"));
    } else if (strcmp(event, "push") == 0) {
        lv_value *payload = lv_map_new();
        lv_map_set_int(payload, "n", 1);
        int rc = lv_push_event(socket, "hello", payload);
        lv_value_delete(payload);
        return rc;
    } else if (strcmp(event, "hook") == 0) {
        lv_value *payload = lv_map_new();
        lv_map_set_bool(payload, "pong", true);
        int rc = lv_reply(socket, payload);
        lv_value_delete(payload);
        return rc;
    }
    return 0;
}

static int navtest_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    lv_assign_int(socket, "infos", lv_get_int(socket, "infos") + 1);
    if (strcmp(name, "navigate_later") == 0) count_refusal(socket, lv_push_patch(socket, lv_get_str(socket, "pending"), false));
    if (strcmp(name, "fired") == 0) lv_assign_str(socket, "status", "fired");
    if (strcmp(name, "slow") == 0) lv_assign_str(socket, "status", lv_param(payload, "result"));
    return 0;
}

const lv_view lv_example_navtest = {
    .name = "navtest",
    .template_text = "<main>{{> flash}}<p id=\"clicks\">{{clicks}}</p><p id=\"infos\">{{infos}}</p>"
                     "<p id=\"refused\">{{refused}}</p><p id=\"loop\">{{loop}}</p>"
                     "<p id=\"status\">{{status}}</p></main>",
    .events = (const char *const[]){"patch", "navigate", "redirect", "later", "ping",  "timer",
                                    "async", "title",    "push",     "hook",  NULL},
    .mount = navtest_mount,
    .handle_params = navtest_params,
    .handle_event = navtest_event,
    .handle_info = navtest_info,
};
