/* Hello, name: a path parameter. The route is "/hi/:name"; the segment
 * arrives decoded in mount's and handle_params' params ("/hi/caf%C3%A9"
 * says hello to café) and is escaped like any assign when rendered. The
 * links patch from one name to another: the same route, so the view stays
 * and handle_params runs with the new name.
 *
 * The connected mount also reads the connect params (the browser's time
 * zone, sent by assets/js/app.js) and connect info (the client's address
 * and user agent): lv_connect_params and lv_connect_info. */
#include "examples.h"

static int hi_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "patches", 0);
    /* What the browser said when it connected: its time zone (a connect
     * param, from assets/js/app.js) and where it connected from (connect
     * info). Both exist only in the connected mount, so they are kept in
     * assigns; the HTTP render has neither. */
    const lv_params *connect = lv_connect_params(socket);
    const char *tz = connect ? lv_param(connect, "timezone") : NULL;
    const char *from = lv_connect_info(socket, "client_address");
    const char *agent = lv_connect_info(socket, "user_agent");
    lv_assign_str(socket, "timezone", tz && *tz ? tz : (lv_connected(socket) ? "unknown" : ""));
    lv_assign_str(socket, "from", from ? from : "");
    lv_assign_str(socket, "agent", agent ? agent : "");
    return 0;
}

static int hi_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const char *name = lv_param(params, "name");
    lv_assign_str(socket, "name", name && *name ? name : "stranger");
    lv_assign_int(socket, "patches", lv_get_int(socket, "patches") + (lv_connected(socket) ? 1 : 0));
    return 0;
}

const lv_view lv_example_hi = {
    .name = "hi",
    .template_text =
        "<main>\n"
        "<h1 id=\"greeting\">Hello, {{name}}!</h1>\n"
        "<p class=\"muted\">The name is the last segment of the path: try /hi/your-name.</p>\n"
        "<p>Say hi to <a id=\"to-alice\" href=\"/hi/alice\" data-phx-link=\"patch\" "
        "data-phx-link-state=\"push\">alice</a>, <a id=\"to-bob\" href=\"/hi/bob\" "
        "data-phx-link=\"patch\" data-phx-link-state=\"push\">bob</a> or <a id=\"to-cafe\" "
        "href=\"/hi/caf%C3%A9\" data-phx-link=\"patch\" data-phx-link-state=\"push\">café</a>.</p>\n"
        "<p class=\"muted\">handle_params has run <span id=\"patches\">{{patches}}</span> "
        "time(s) on this connection.</p>\n"
        "<div class=\"panel visitor\" id=\"visitor\">{{#if timezone}}"
        "<p>Your time zone: <b id=\"timezone\">{{timezone}}</b>, connected from <b id=\"from\">{{from}}</b>.</p>"
        "<p class=\"muted small\">Browser: <span id=\"agent\">{{agent}}</span></p>"
        "{{else}}<p class=\"muted\">Connecting: the time zone comes with the WebSocket.</p>{{/if}}</div>\n"
        "</main>",
    .mount = hi_mount,
    .handle_params = hi_params,
};
