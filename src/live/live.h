/* The LiveView runtime's internals, shared by live/, channel/ and net/.
 *
 * live/ owns the app (configuration, routes, signing keys), the socket (one
 * view instance: assigns, private state, queued infos) and the dead render of
 * a page. It never touches a socket: net/ calls lv_page_render for HTTP and
 * the channel drives sockets for WebSocket joins. */
#ifndef LV_LIVE_LIVE_H
#define LV_LIVE_LIVE_H

#include <jansson.h>
#include <stdatomic.h>

#include "liveview.h"
#include "render/tmpl.h"
#include "render/value.h"
#include "security/csrf.h"
#include "security/token.h"
#include "util/buf.h"

/* Random bytes in a view id: 12 bytes = 96 bits, 16 base64url characters. */
#define LV_ID_BYTES 12
#define LV_ID_LEN (4 + 16) /* "phx-" + 16 */

typedef struct lv_route_entry {
    char *path;
    const lv_view *view;
    lv_tmpl *tmpl;
} lv_route_entry;

struct lv_app {
    lv_config config;
    lv_route_entry *routes;
    size_t route_count;
    lv_key session_key; /* signs data-phx-session */
    atomic_bool stop_requested;
    void *server;       /* net/ state while running */
    int bound_port;
};

/* A message queued with lv_send_info. */
typedef struct lv_info {
    struct lv_info *next;
    char *name;
    json_t *payload;
} lv_info;

struct lv_params {
    json_t *object; /* borrowed: a JSON object */
};

struct lv_socket {
    lv_app *app;
    const lv_route_entry *route;
    lv_assigns assigns;
    void *state;
    lv_info *infos_head; /* queued by lv_send_info, drained by the channel */
    lv_info *infos_tail;
    bool connected;
    char id[LV_ID_LEN + 1];
};

/* Looks up the route of an exact path; NULL when none. */
const lv_route_entry *lv_app_find_route(const lv_app *app, const char *path, size_t len);

/* Creates a socket for route (connected or not) with a fresh id, or with the
 * given id when id is non-NULL. Free with lv_socket_free. */
lv_socket *lv_socket_new(lv_app *app, const lv_route_entry *route, bool connected, const char *id);
/* Frees the socket, its assigns, state and queued infos (terminate must have
 * run already if it was due). */
void lv_socket_free(lv_socket *socket);
/* Removes and returns the oldest queued info, or NULL. The caller frees it
 * with lv_info_free. */
lv_info *lv_socket_next_info(lv_socket *socket);
void lv_info_free(lv_info *info);

/* The dead render of a page: mounts the route's view disconnected, renders
 * the root layout with a masked CSRF token and the signed session, and
 * appends the HTML to out. `query` is the raw query string (may be NULL).
 * Returns the HTTP status: 200, or 500 when mount failed (out then holds an
 * error page). */
int lv_page_render(lv_app *app, const lv_route_entry *route, const char *url_query, lv_buf *out);

/* What a verified join carries: the view id, the route and the CSRF state the
 * page was rendered with, and the session data for mount. */
typedef struct lv_join_claims {
    json_t *claims;          /* owned: the verified token payload */
    const char *id;          /* into claims */
    const char *route_path;  /* into claims */
    const char *csrf_state;  /* into claims */
    json_t *session;         /* into claims: an object */
} lv_join_claims;

/* Verifies a session token for a join on `topic` and the CSRF token the
 * client sent. Returns 0 and fills out (free with lv_join_claims_free), or -1
 * with *why set to a static reason for the log. Never logs the token. */
int lv_join_verify(lv_app *app, const char *topic, const char *session_token,
                   const char *csrf_token, lv_join_claims *out, const char **why);
void lv_join_claims_free(lv_join_claims *c);

/* Converts a raw query string (a=1&b=x) into a JSON object; decoding is
 * strict (bad %XX escapes drop the pair). Returns a new reference. */
json_t *lv_query_to_json(const char *query, size_t len);

/* Unix time in seconds. */
int64_t lv_now_seconds(void);

#endif
