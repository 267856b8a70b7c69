/* Sessions: a plain HTTP login that writes the session cookie, and a
 * LiveView that reads it in mount. The login form is an ordinary POST form
 * carrying the page's CSRF token, so the POST handler only runs for a form
 * this site rendered. */
#include <string.h>

#include "examples.h"

#define MAX_NAME_BYTES 40

static int login_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *error = lv_param(params, "error");
    lv_assign_str(socket, "message",
                  error ? "Please give a name of 1 to 40 characters." : "");
    return 0;
}

/* The template reads csrf_token, an assign every view has: the masked token
 * of the page, which the POST handler checks. */
const lv_view lv_example_login = {
    .name = "login",
    .template_text = "<main>\n"
                     "<h1>Sign in</h1>\n"
                     "<form id=\"login-form\" method=\"post\" action=\"/login\">\n"
                     "  <input type=\"hidden\" name=\"_csrf_token\" value=\"{{csrf_token}}\">\n"
                     "  <label>Name <input name=\"name\" autocomplete=\"username\"></label>\n"
                     "  <button type=\"submit\">Sign in</button>\n"
                     "</form>\n"
                     "<p class=\"invalid-feedback\">{{message}}</p>\n"
                     "<p class=\"muted\"><a href=\"/me\">Who am I?</a></p>\n"
                     "</main>",
    .mount = login_mount,
};

static bool valid_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    return len > 0 && len <= MAX_NAME_BYTES;
}

void lv_example_login_post(lv_request *req)
{
    const char *name = lv_param(lv_request_params(req), "name");
    if (!valid_name(name)) {
        lv_respond_redirect(req, "/login?error=name");
        return;
    }
    /* A new session at login, so a session planted before it is worthless. */
    lv_session_clear(req);
    lv_session_put(req, "user", name);
    lv_respond_redirect(req, "/me");
}

/* Clearing a signed-in session also revokes it: a copy of the old cookie
 * no longer signs anyone in (docs/security.md, "Ending sessions"). */
void lv_example_logout_post(lv_request *req)
{
    lv_session_clear(req);
    lv_respond_redirect(req, "/login");
}

/* Ends every session of this user, in every browser and on every process
 * of a cluster, this one included. */
void lv_example_logout_everywhere_post(lv_request *req)
{
    lv_session_revoke_everywhere(req, "user");
    lv_respond_redirect(req, "/login");
}

static int me_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    const char *user = lv_param(session, "user");
    if (user)
        lv_assign_printf(socket, "status", "Signed in as %s", user);
    else
        lv_assign_str(socket, "status", "Not signed in.");
    return 0;
}

const lv_view lv_example_me = {
    .name = "me",
    .template_text = "<main>\n"
                     "<h1>Who am I?</h1>\n"
                     "<p id=\"me\">{{status}}</p>\n"
                     "<form id=\"logout-form\" method=\"post\" action=\"/logout\">\n"
                     "  <input type=\"hidden\" name=\"_csrf_token\" value=\"{{csrf_token}}\">\n"
                     "  <button type=\"submit\">Sign out</button>\n"
                     "</form>\n"
                     "<form id=\"logout-everywhere-form\" method=\"post\" action=\"/logout-everywhere\">\n"
                     "  <input type=\"hidden\" name=\"_csrf_token\" value=\"{{csrf_token}}\">\n"
                     "  <button type=\"submit\">Sign out everywhere</button>\n"
                     "</form>\n"
                     "<p class=\"muted\"><a href=\"/login\">Sign in</a></p>\n"
                     "</main>",
    .mount = me_mount,
};
