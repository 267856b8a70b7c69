/* liveview.h: LiveView for C programs.
 *
 * A LiveView is a page rendered by the server that stays connected: the
 * browser (running the official Phoenix LiveView client) sends user events
 * over a WebSocket, the server runs your C callbacks, re-renders, and sends
 * back only what changed. This header is the whole public API; read it top to
 * bottom.
 *
 * A counter in full:
 *
 *     #include <liveview.h>
 *
 *     static int mount(lv_socket *s, const lv_params *params, const lv_params *session)
 *     {
 *         lv_assign_int(s, "count", 0);
 *         return 0;
 *     }
 *
 *     static int handle_event(lv_socket *s, const char *event, const lv_params *value)
 *     {
 *         int64_t count = lv_get_int(s, "count");
 *         lv_assign_int(s, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
 *         return 0;
 *     }
 *
 *     static const lv_view counter = {
 *         .name = "counter",
 *         .template_text = "<h1 id=\"count\">{{count}}</h1>"
 *                          "<button phx-click=\"dec\">-</button>"
 *                          "<button phx-click=\"inc\">+</button>",
 *         .events = (const char *const[]){"inc", "dec", NULL},
 *         .mount = mount,
 *         .handle_event = handle_event,
 *     };
 *
 *     int main(void)
 *     {
 *         lv_app *app = lv_app_new(NULL);
 *         if (!app || lv_route(app, "/counter", &counter) != 0) return 1;
 *         int rc = lv_app_run(app);
 *         lv_app_free(app);
 *         return rc;
 *     }
 *
 * Threads: every callback of one view runs on the server's loop thread, one
 * at a time, in the order the client's messages arrived. User code needs no
 * locks for its view's state.
 *
 * Memory: unless a comment says otherwise, pointers passed to a function are
 * borrowed (copied if kept), and pointers returned are owned by the library
 * and valid until the next call on the same object. */
#ifndef LIVEVIEW_H
#define LIVEVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LV_VERSION "0.1.0"
/* The version of the phoenix_live_view client this server speaks to. */
#define LV_CLIENT_VERSION "1.2.12"

typedef struct lv_app lv_app;
typedef struct lv_socket lv_socket;
typedef struct lv_params lv_params;

/* ------------------------------------------------------------------------
 * Views
 * ------------------------------------------------------------------------ */

/* Why a view ends, as told to terminate. */
typedef enum lv_terminate_reason {
    LV_TERMINATE_LEAVE = 0, /* the client left the view (navigation, phx_leave) */
    LV_TERMINATE_CLOSED,    /* the connection closed or timed out */
    LV_TERMINATE_REPLACED,  /* the client joined the same view again */
    LV_TERMINATE_SHUTDOWN,  /* the server is stopping */
} lv_terminate_reason;

/* A LiveView: a template and the callbacks that keep its assigns. Declare it
 * `static const` and register it with lv_route; the library keeps the
 * pointer, so it must outlive the app.
 *
 * Callbacks returning int return 0 on success. A non-zero return from mount
 * refuses the join; from handle_event or handle_info it answers the client
 * with an error and sends no diff. */
typedef struct lv_view {
    /* Names the view in logs and in template error messages. */
    const char *name;
    /* The template: HTML with {{assign}} interpolations (HTML-escaped). It is
     * compiled once, by lv_route; a syntax error names the line and column. */
    const char *template_text;
    /* The event names handle_event accepts, NULL-terminated. An event not in
     * this list is answered with an error and never reaches user code, so a
     * client cannot invoke handlers the view did not declare. */
    const char *const *events;
    /* Bytes of private C state per view instance, zeroed before mount and
     * freed after terminate; reach it with lv_state. May be 0. */
    size_t state_size;

    /* Required. Runs twice: for the HTTP render (lv_connected false) and again
     * when the browser joins over the WebSocket (lv_connected true). `params`
     * holds the join parameters (connected) or the query string (HTTP);
     * `session` is the verified session data. */
    int (*mount)(lv_socket *socket, const lv_params *params, const lv_params *session);
    /* Optional: a declared event arrived. `value` holds the event's values:
     * phx-value-* attributes, the element's value, or the fields of a form. */
    int (*handle_event)(lv_socket *socket, const char *event, const lv_params *value);
    /* Optional: runs after mount with the URL's query parameters. */
    int (*handle_params)(lv_socket *socket, const lv_params *params, const char *url);
    /* Optional: a message sent with lv_send_info arrived. */
    int (*handle_info)(lv_socket *socket, const char *name, const lv_params *payload);
    /* Optional: the view ends. Runs exactly once per connected mount, with the
     * view's state and assigns still readable. */
    void (*terminate)(lv_socket *socket, lv_terminate_reason reason);
} lv_view;

/* ------------------------------------------------------------------------
 * Assigns: the values a template reads. Setting an assign to the value it
 * already has is not a change; only changed assigns are re-rendered and sent.
 * ------------------------------------------------------------------------ */

void lv_assign_int(lv_socket *socket, const char *name, int64_t value);
void lv_assign_double(lv_socket *socket, const char *name, double value);
void lv_assign_bool(lv_socket *socket, const char *name, bool value);
/* Copies value (NUL-terminated; NULL stores an empty assign). It is escaped
 * when rendered, so any text is safe. */
void lv_assign_str(lv_socket *socket, const char *name, const char *value);
void lv_assign_printf(lv_socket *socket, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Getters return 0, 0.0, false or NULL when the assign is missing or holds
 * another type (an int reads as a double too). */
int64_t lv_get_int(const lv_socket *socket, const char *name);
double lv_get_double(const lv_socket *socket, const char *name);
bool lv_get_bool(const lv_socket *socket, const char *name);
/* Valid until the assign is next set. */
const char *lv_get_str(const lv_socket *socket, const char *name);

/* ------------------------------------------------------------------------
 * The socket: one instance of a view for one browser tab.
 * ------------------------------------------------------------------------ */

/* True over the WebSocket, false during the HTTP render. */
bool lv_connected(const lv_socket *socket);
/* The view instance's id ("phx-..."), unique per page load. */
const char *lv_socket_id(const lv_socket *socket);
/* The view's private state (lv_view.state_size bytes), or NULL when 0. */
void *lv_state(lv_socket *socket);
/* The app the view belongs to. */
lv_app *lv_socket_app(lv_socket *socket);
/* Queues a message to this same view: handle_info receives it after the
 * current callback returns, and the resulting diff is pushed to the client.
 * `payload_json` is a JSON object text or NULL. Returns 0, or -1 when the
 * payload is not a JSON object. */
int lv_send_info(lv_socket *socket, const char *name, const char *payload_json);

/* ------------------------------------------------------------------------
 * Params: read-only named values (event values, query and join parameters,
 * session data). Strings are valid as long as the params are, which is for
 * the duration of the callback that received them.
 * ------------------------------------------------------------------------ */

/* The value of key as text (numbers and booleans are converted), or NULL
 * when absent or not a scalar. */
const char *lv_param(const lv_params *params, const char *key);
/* The value as an integer, or fallback when absent or not a whole number. */
int64_t lv_param_int(const lv_params *params, const char *key, int64_t fallback);
/* The number of keys. */
size_t lv_params_count(const lv_params *params);

/* ------------------------------------------------------------------------
 * The application: configuration, routes, and the server.
 * ------------------------------------------------------------------------ */

typedef struct lv_config {
    /* Address to listen on. Default "127.0.0.1"; env LV_HOST. */
    const char *host;
    /* Port. Default 4000; env LV_PORT. */
    int port;
    /* Secret that every token is signed with: at least 32 bytes of random.
     * Env LV_SECRET_KEY_BASE. When NULL, a random key is made at start and a
     * warning says that sessions will not survive a restart. */
    const char *secret_key_base;
    /* Directory holding js/app.js and node_modules/ with the client bundles.
     * Env LV_ASSETS_DIR. */
    const char *assets_dir;
    /* <title> of every page. Default "liveview-c". */
    const char *title;
    /* Largest WebSocket message accepted (1009 beyond). Default 1 MiB; env
     * LV_MAX_MESSAGE_BYTES. */
    size_t max_message_bytes;
    /* Bytes queued towards one slow client before it is disconnected.
     * Default 4 MiB; env LV_MAX_OUTBOUND_BYTES. */
    size_t max_outbound_bytes;
    /* Largest HTTP request head and body accepted. Defaults 16 KiB, 1 MiB. */
    size_t max_header_bytes;
    size_t max_body_bytes;
    /* Seconds to receive a request head; seconds of silence before an idle
     * HTTP or WebSocket connection is closed. Defaults 10, 60; env
     * LV_HEADER_TIMEOUT, LV_IDLE_TIMEOUT. */
    unsigned header_timeout_s;
    unsigned idle_timeout_s;
    /* Views one WebSocket may join at once. Default 100. */
    unsigned max_views_per_connection;
    /* Lifetime of a page's session token, in seconds. Default 14 days. */
    int64_t session_ttl_s;
} lv_config;

/* Fills cfg with the defaults above, then applies the LV_* environment
 * variables. */
void lv_config_defaults(lv_config *cfg);

/* Creates an app. cfg may be NULL for lv_config_defaults. Strings in cfg are
 * copied. Returns NULL (after printing why) for an invalid configuration, such
 * as a secret shorter than 32 bytes. */
lv_app *lv_app_new(const lv_config *cfg);
/* Serves `view` at `path` (an exact path such as "/counter"). Compiles the
 * template; returns 0, or -1 after printing the error (a template syntax
 * error names the line and column). */
int lv_route(lv_app *app, const char *path, const lv_view *view);
/* Listens and serves until lv_app_stop, SIGINT or SIGTERM. Returns 0 after a
 * clean stop, -1 when it cannot listen. */
int lv_app_run(lv_app *app);
/* Asks a running app to stop; safe from any thread and from signal handlers. */
void lv_app_stop(lv_app *app);
/* Frees the app; call after lv_app_run has returned. */
void lv_app_free(lv_app *app);
/* The port the app listens on once running (useful with port 0). */
int lv_app_port(const lv_app *app);

#ifdef __cplusplus
}
#endif

#endif
