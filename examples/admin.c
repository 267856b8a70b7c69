/* Live sessions: /admin and /admin/users form the live session "admin",
 * whose on_mount hook runs before every mount of either view, over HTTP and
 * on every join. It reads the user that /login (session.c) put in the
 * cookie session under "user", assigns it as current_user, and sends a
 * visitor who is not signed in to /login, halting the mount before the
 * view's own mount runs.
 *
 * Between the two admin pages, links navigate live, on the same WebSocket.
 * A live link out of the session (to /counter) is refused by the server
 * (the page's token names the "admin" session) and the client loads that
 * page over HTTP instead, as Phoenix does across live_sessions. */
#include <string.h>

#include "examples.h"

#define LINK_REDIRECT "data-phx-link=\"redirect\" data-phx-link-state=\"push\""

static int require_user(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    const char *user = lv_param(session, "user");
    if (!user || !*user) {
        lv_redirect(socket, "/login");
        return LV_ON_MOUNT_HALT;
    }
    lv_assign_str(socket, "current_user", user);
    return LV_ON_MOUNT_CONT;
}

static const lv_live_session admin_session = {
    .name = "admin",
    .on_mount = (const lv_on_mount_fn[]){require_user, NULL},
};

/* The same bar on both pages: who is signed in, and the links. */
#define ADMIN_NAV                                                                                   \
    "<p class=\"muted\">Signed in as <b id=\"current-user\">{{current_user}}</b> · live session "   \
    "<code id=\"live-session\">{{live_session}}</code></p>\n"                                       \
    "<p class=\"actions\">\n"                                                                       \
    "  <a id=\"link-admin\" href=\"/admin\" " LINK_REDIRECT ">Overview</a> ·\n"                    \
    "  <a id=\"link-users\" href=\"/admin/users\" " LINK_REDIRECT ">Users</a> ·\n"                 \
    "  <a id=\"link-counter\" href=\"/counter\" " LINK_REDIRECT ">Counter (another session)</a>\n" \
    "</p>\n"

static int admin_home_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "live_session", lv_live_session_name(socket));
    lv_page_title(socket, "Admin");
    return 0;
}

const lv_view lv_example_admin_home = {
    .name = "admin_home",
    .template_text = "<main>\n"
                     "<h1 id=\"admin-title\">Admin overview</h1>\n" ADMIN_NAV
                     "<p>Both admin pages run the live session's on_mount hook before their mount: "
                     "it found your name in the session cookie.</p>\n"
                     "</main>",
    .mount = admin_home_mount,
};

static const char *const admin_users[] = {"margaret", "edsger", "barbara", NULL};

static int admin_users_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *users = lv_list_new();
    for (const char *const *u = admin_users; *u; u++) lv_list_push_str(users, *u);
    /* The signed-in user is listed too: the hook's assign is readable here. */
    lv_list_push_str(users, lv_get_str(socket, "current_user"));
    lv_assign_value(socket, "users", users);
    lv_assign_str(socket, "live_session", lv_live_session_name(socket));
    lv_page_title(socket, "Admin: users");
    return 0;
}

const lv_view lv_example_admin_users = {
    .name = "admin_users",
    .template_text = "<main>\n"
                     "<h1 id=\"admin-title\">Users</h1>\n" ADMIN_NAV
                     "<ul id=\"users\">{{#each users as user}}<li>{{user}}</li>{{/each}}</ul>\n"
                     "</main>",
    .mount = admin_users_mount,
};

int lv_example_admin_register(lv_app *app)
{
    if (lv_live_route(app, &admin_session, "/admin", &lv_example_admin_home) != 0 ||
        lv_live_route(app, &admin_session, "/admin/users", &lv_example_admin_users) != 0)
        return -1;
    return 0;
}
