/* Bindings: the client attributes a page reaches for, each wired to the
 * server and visible in the page (docs/bindings.md):
 *   phx-click-away   a menu that closes when the click lands outside it
 *   phx-focus/-blur  an input that reports focus and blur
 *   phx-keyup        the last key released in an input
 *   phx-throttle     a button whose clicks reach the server at most once
 *                    per 30 s, beside one that is not throttled
 *   phx-mounted      JS commands run when an element enters the page
 *   page loading     js_push page_loading=true: phx:page-loading-start and
 *                    -stop around the event (the 1.2 client reads no bare
 *                    phx-page-loading attribute)
 *   phx-trigger-action  a form validated over the socket, then submitted
 *                    over HTTP (POST /bindings/submit writes the session)
 * The infinite scroll (phx-viewport-top/-bottom) is its own page, /scroll. */
#include <ctype.h>
#include <string.h>

#include "examples.h"

#define NAME_MAX_LEN 40

static int bindings_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    lv_assign_bool(socket, "menu_open", false);
    lv_assign_int(socket, "click_aways", 0);
    lv_assign_str(socket, "focus_state", "not yet focused");
    lv_assign_int(socket, "focus_count", 0);
    lv_assign_str(socket, "last_key", "none");
    lv_assign_int(socket, "keyups", 0);
    lv_assign_int(socket, "throttled", 0);
    lv_assign_int(socket, "pings", 0);
    lv_assign_int(socket, "mounted_seen", 0);
    lv_assign_bool(socket, "show_box", false);
    lv_assign_int(socket, "slow_done", 0);
    lv_assign_str(socket, "name", "");
    lv_assign_str(socket, "name_error", "");
    lv_assign_bool(socket, "trigger_submit", false);
    const char *saved = lv_param(session, "bindings_name");
    lv_assign_str(socket, "saved_name", saved ? saved : "");
    return 0;
}

static void count(lv_socket *socket, const char *name)
{
    lv_assign_int(socket, name, lv_get_int(socket, name) + 1);
}

/* A name is 1 to 40 letters, digits, spaces, '-' or '.'. */
static bool valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > NAME_MAX_LEN) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != ' ' && c != '-' && c != '.') return false;
    }
    return true;
}

/* "save_name": checked over the socket; a valid name sets trigger_submit,
 * and the client then submits the same form to its action over HTTP. */
static int save_name(lv_socket *socket, const lv_params *value)
{
    const char *name = lv_param(value, "name");
    lv_assign_str(socket, "name", name ? name : "");
    bool ok = valid_name(name);
    lv_assign_str(socket, "name_error", ok ? "" : "1 to 40 letters, digits, spaces, '-' or '.'");
    lv_assign_bool(socket, "trigger_submit", ok);
    return 0;
}

static int bindings_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (!strcmp(event, "open_menu")) {
        lv_assign_bool(socket, "menu_open", true);
    } else if (!strcmp(event, "close_menu")) {
        if (lv_get_bool(socket, "menu_open")) count(socket, "click_aways");
        lv_assign_bool(socket, "menu_open", false);
    } else if (!strcmp(event, "focused")) {
        lv_assign_str(socket, "focus_state", "focused");
        count(socket, "focus_count");
    } else if (!strcmp(event, "blurred")) {
        lv_assign_str(socket, "focus_state", "blurred");
    } else if (!strcmp(event, "key_up")) {
        const char *key = lv_param(value, "key");
        lv_assign_str(socket, "last_key", key && *key ? key : "none");
        count(socket, "keyups");
    } else if (!strcmp(event, "throttled")) {
        count(socket, "throttled");
    } else if (!strcmp(event, "ping")) {
        count(socket, "pings");
    } else if (!strcmp(event, "mounted_note")) {
        count(socket, "mounted_seen");
    } else if (!strcmp(event, "toggle_box")) {
        lv_assign_bool(socket, "show_box", !lv_get_bool(socket, "show_box"));
    } else if (!strcmp(event, "slow")) {
        count(socket, "slow_done");
    } else if (!strcmp(event, "save_name")) {
        return save_name(socket, value);
    }
    return 0;
}

/* POST /bindings/submit: what phx-trigger-action sends, with the page's
 * _csrf_token (checked before this runs). The name is checked again here:
 * the HTTP request is not the event that was validated. */
void lv_example_bindings_submit(lv_request *req)
{
    const char *name = lv_param(lv_request_params(req), "name");
    if (!valid_name(name)) {
        lv_respond(req, 422, "text/plain; charset=utf-8", "invalid name\n", 13);
        return;
    }
    lv_session_put(req, "bindings_name", name);
    lv_respond_redirect(req, "/bindings");
}

const lv_view lv_example_bindings = {
    .name = "bindings",
    .template_file = "bindings.html",
    .events = (const char *const[]){"open_menu", "close_menu", "focused", "blurred", "key_up", "throttled", "ping",
                                    "mounted_note", "toggle_box", "slow", "save_name", NULL},
    .mount = bindings_mount,
    .handle_event = bindings_event,
};
