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
 * Threads: an app runs lv_config.workers event loops (one per core by
 * default), each on its own thread. A view lives on the loop that accepted
 * its socket, and every callback of that view runs there, one at a time, in
 * the order the client's messages arrived: user code needs no locks for its
 * view's state (state shared between views does, docs/workers.md). Loop 0
 * is the thread inside lv_app_run, or one of the library's after
 * lv_app_start; the others are the library's. While the app is not running
 * (before either, after they end, in tests that never run it) the thread
 * that called lv_app_new counts as loop 0's. Other threads of the
 * program reach views through lv_broadcast and lv_app_post (docs/threads.md):
 *
 *   Any thread, any time ("safe from any thread"):
 *     lv_app_stop (also from a signal handler), lv_app_post, lv_broadcast,
 *     lv_pubsub_deliver, lv_presence_list, lv_app_port (valid once lv_app_start returned 0),
 *     the value functions on values the thread owns (lv_map_new ...),
 *     lv_schema_* once made, lv_config_defaults.
 *   The socket's loop thread only (inside its callbacks):
 *     everything taking an lv_socket, lv_request or lv_changeset made there,
 *     lv_subscribe, lv_unsubscribe, lv_presence_track and the others.
 *   Before lv_app_run or lv_app_start only (set-up, on the creating thread):
 *     lv_route, lv_http_route, lv_component_register, lv_app_set_serde,
 *     lv_app_set_broker, lv_app_set_session_data and the other lv_app_set_*.
 *   The thread that started the app (or one it hands the app to):
 *     lv_app_run, lv_app_start, lv_app_wait (once), then lv_app_free.
 *
 * None of the lv_socket functions may be called from another thread, not
 * even with a lock of your own: the loop does not take it. Post instead.
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

/* libliveview.so exports what this header declares and nothing else: the
 * library is compiled with -fvisibility=hidden, and this makes every
 * declaration below visible. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

#define LV_VERSION "0.1.0"
/* The version of the phoenix_live_view client this server speaks to. */
#define LV_CLIENT_VERSION "1.2.12"

typedef struct lv_app lv_app;
typedef struct lv_socket lv_socket;
typedef struct lv_params lv_params;
/* A structured value: null, bool, number, string, list or map. Built and
 * read with the functions under "Structured values and templates". */
typedef struct lv_value lv_value;

/* ------------------------------------------------------------------------
 * Views
 * ------------------------------------------------------------------------ */

/* Why a view ends, as told to terminate. */
typedef enum lv_terminate_reason {
    LV_TERMINATE_LEAVE = 0, /* the client left the view (navigation, phx_leave) */
    LV_TERMINATE_CLOSED,    /* the connection closed or timed out */
    LV_TERMINATE_REPLACED,  /* the client joined the same view again */
    LV_TERMINATE_SHUTDOWN,  /* the server is stopping */
    LV_TERMINATE_CRASHED,   /* a callback failed (or a linked view did): the client remounts it */
} lv_terminate_reason;

/* A LiveView: a template and the callbacks that keep its assigns. Declare it
 * `static const` and register it with lv_route; the library keeps the
 * pointer, so it must outlive the app.
 *
 * Callbacks returning int return 0 on success. A non-zero return from mount
 * refuses the join (an HTTP render answers 500); from handle_event or
 * handle_params it crashes the view, as a raise does in Phoenix: the client
 * gets phx_error and mounts the view again from scratch (docs/protocol.md
 * §1.6); from handle_info it is logged and the info's diff dropped. */
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
    /* Optional: runs after mount, and after every patch of the URL, with the
     * URL's path parameters (routes like "/users/:id") and query
     * parameters. */
    int (*handle_params)(lv_socket *socket, const lv_params *params, const char *url);
    /* Optional: a message sent with lv_send_info arrived. */
    int (*handle_info)(lv_socket *socket, const char *name, const lv_params *payload);
    /* Optional: the view ends. Runs exactly once per connected mount, with the
     * view's state and assigns still readable. */
    void (*terminate)(lv_socket *socket, lv_terminate_reason reason);
    /* The template as a file name instead of template_text (which must then
     * be NULL): a template embedded with the CMake function
     * lv_embed_templates, or a path read at lv_route (relative paths from
     * LV_TEMPLATES_DIR, else the working directory). With LV_ENV=dev a changed
     * file is picked up on the next render, without a restart. */
    const char *template_file;
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
/* Connect params: the `params` the page's JavaScript gave LiveSocket
 * (assets/js/app.js sends the browser's time zone as "timezone"), as sent
 * with the join. Keys starting with "_" belong to the client and the CSRF
 * check and are left out. Available during mount when connected, and the
 * handle_params that follows it; NULL anywhere else (the HTTP render, later
 * callbacks, components): keep what you need in assigns. Valid until that
 * callback returns. */
const lv_params *lv_connect_params(const lv_socket *socket);
/* Connect info: what the WebSocket's handshake said about the client, with
 * the lifetime of lv_connect_params. Keys:
 *   "peer_address"    the TCP peer's IP address ("127.0.0.1", "::1")
 *   "client_address"  the client's address: the peer's, or, when the peer is
 *                     a trusted proxy (lv_config.trusted_proxies), the one
 *                     its X-Forwarded-For / Forwarded header names
 *   "user_agent"      the User-Agent header (NULL when absent)
 * NULL for any other key. */
const char *lv_connect_info(const lv_socket *socket, const char *key);
/* The client's own counts of this view's joins, sent with every join
 * (Phoenix's `_mounts` and `_mount_attempts` connect params, which
 * lv_connect_params leaves out): how many times it joined successfully
 * before (0 on a page's first join, more after a crash or a reconnect; a
 * nested view counts its parent's joins), and how many joins failed since
 * the last success. -1 outside the connected mount, or when the client did
 * not send them. */
int lv_connect_mounts(const lv_socket *socket);
int lv_connect_mount_attempts(const lv_socket *socket);
/* Links a nested view (live_render) to its parent, as Erlang's
 * Process.link: from now on a crash of either ends the other. A crash of
 * the child (a failing mount on join, handle_event or handle_params) is
 * then a crash of the parent too, which the client remounts with its
 * children. Returns 0, or -1 for a view without a parent (a root, a sticky
 * or a disconnected view). */
int lv_link_parent(lv_socket *socket);
/* The view instance's id ("phx-..."), unique per page load. */
const char *lv_socket_id(const lv_socket *socket);
/* The view's private state (lv_view.state_size bytes), or NULL when 0. */
void *lv_state(lv_socket *socket);
/* The app the view belongs to. */
lv_app *lv_socket_app(lv_socket *socket);
/* Queues a message to this same view: handle_info receives it after the
 * current callback returns, and the resulting diff is pushed to the client.
 * `payload` is a map (borrowed: copied before this returns) or NULL for an
 * empty one; handle_info reads it as params. Returns 0, or -1 when the
 * payload is not a map or the socket is a component's (lv_send_parent). */
int lv_send_info(lv_socket *socket, const char *name, const lv_value *payload);

/* ------------------------------------------------------------------------
 * Messages over time: timers, async work, pub/sub. Each arrives in the
 * view's handle_info, on the view's own thread, and whatever it changes is
 * pushed to the client as a diff. All of them end with the view: a timer
 * never fires and a result is never delivered after terminate.
 *
 * Payloads, here and below (lv_push_event, lv_reply, lv_send_parent, the JS
 * commands): a map built with lv_map_new, borrowed and copied before the
 * function returns (the caller still frees it), or NULL for an empty map.
 * Anything but a map is refused with -1. A payload that travels as JSON (to
 * the client, or through a pub/sub broker) is refused too when it holds a
 * double that JSON cannot carry (NaN, an infinity) or nests lists and maps
 * more than 64 deep.
 * ------------------------------------------------------------------------ */

/* Delivers info `name` with `payload` after ms milliseconds. Returns a timer
 * id (> 0), or -1 for a bad payload or when the view is not connected
 * (timers need the WebSocket). */
int lv_send_after(lv_socket *socket, unsigned ms, const char *name, const lv_value *payload);
/* The same every ms milliseconds until cancelled or the view ends. */
int lv_send_interval(lv_socket *socket, unsigned ms, const char *name, const lv_value *payload);
/* Cancels a timer of this view; unknown ids are ignored. */
void lv_cancel_timer(lv_socket *socket, int timer_id);

/* Work for libuv's thread pool: runs on a worker thread with arg, must not
 * touch the socket, and returns a new value of any kind (a map, a list, a
 * string...) that the library takes over, or NULL for failure. */
typedef lv_value *(*lv_async_fn)(void *arg);
/* Runs fn(arg) off the loop. When it finishes, handle_info receives `name`
 * with the params {"ok":true,"result":<the value>} or {"ok":false}. If the
 * view has ended by then the result is freed unseen. free_arg (may be NULL)
 * frees arg once fn has returned, before handle_info sees the result.
 * Returns 0, or -1 when the view is not connected (arg is then freed too). */
int lv_start_async(lv_socket *socket, const char *name, lv_async_fn fn, void *arg,
                   void (*free_arg)(void *arg));

/* Async assigns (docs/async.md), Phoenix's assign_async. Sets each assign
 * of `names` ("org" or "org, profile": assign names separated by commas,
 * at most 16) to an AsyncResult, a map templates branch on with
 * {{#async_result org}}...{{else loading}}...{{else failed}}...{{/async_result}}:
 *     {"ok": bool, "loading": bool, "failed": null or a reason, "result": value}
 * It is loading at once (a previous ok result stays in "result"), and fn(arg)
 * runs off the loop as for lv_start_async. fn returns a map with a value per
 * name (each becomes ok with that result; a name missing from it fails), a
 * string saying why it failed, or NULL (failed "error"); the library takes
 * it. The change is pushed to the client when it arrives; no handle_info
 * runs. A second start for the same names while one runs replaces it: the
 * first one's result is dropped unseen (the latest start wins). During the
 * HTTP render the assigns are set loading and fn does not run (arg is
 * freed): start it again in the connected mount, as the same code does.
 * Returns 0, or -1 (arg freed) for bad names, a component's socket or no fn. */
int lv_assign_async(lv_socket *socket, const char *names, lv_async_fn fn, void *arg,
                    void (*free_arg)(void *arg));
/* Phoenix's stream_async: the assign `name` is an AsyncResult as above and
 * fn returns a list of stream items, each inserted (appended) into the
 * stream `name` when it arrives (after a reset of the stream when reset);
 * the AsyncResult's result is then how many were inserted. A string or NULL
 * fails it as above. */
int lv_stream_async(lv_socket *socket, const char *name, lv_async_fn fn, void *arg,
                    void (*free_arg)(void *arg), bool reset);
/* Cancels the running work of lv_assign_async/lv_stream_async for names
 * (their AsyncResults become failed "cancelled") or of lv_start_async for
 * a name (handle_info receives it with {"ok":false,"reason":"cancelled"}).
 * The result, when it comes, is dropped. Returns 0, or -1 when nothing of
 * that name runs. */
int lv_cancel_async(lv_socket *socket, const char *names);
/* Phoenix's temporary_assigns: after every render the assign `name` goes
 * back to default_value (taken; NULL for null) without counting as a
 * change, so a large list is sent once and not kept by the server. A later
 * render of a part that reads it shows the default. Call it in mount.
 * Returns 0, or -1 for a NULL socket or name. */
int lv_temporary_assign(lv_socket *socket, const char *name, lv_value *default_value);

/* Pub/sub between views: lv_broadcast delivers info `name` with `payload`
 * to every view subscribed to topic (the sender too, when subscribed).
 * Subscriptions end with the view. Returns 0, or -1 for a bad payload (it
 * travels as JSON) or a NULL topic or name. lv_subscribe and lv_unsubscribe
 * run on the view's loop thread (its callbacks). lv_broadcast is safe from
 * any thread: on a loop thread it delivers to that loop's subscribers before
 * returning; every other loop gets a copy soon after, in the order each
 * thread broadcast. From a thread that runs no loop it returns -1 once the
 * app is stopping. */
int lv_subscribe(lv_socket *socket, const char *topic);
void lv_unsubscribe(lv_socket *socket, const char *topic);
int lv_broadcast(lv_app *app, const char *topic, const char *name, const lv_value *payload);

/* A broker carries broadcasts between processes (the default one is local:
 * this process only). It is told when this process gains its first or loses
 * its last subscriber of a topic, and publishes messages that every process
 * subscribed to the topic, this one included, passes to lv_pubsub_deliver.
 * Messages are opaque bytes. All three callbacks run on loop 0 (a
 * broadcast from another thread or loop is posted there first); a publish
 * that returns non-zero for a posted broadcast is logged. With several
 * loops topic_added is called after the subscription is made, so a refusal
 * is only logged. */
typedef struct lv_broker {
    void *ctx;
    int (*topic_added)(void *ctx, const char *topic);
    void (*topic_removed)(void *ctx, const char *topic);
    int (*publish)(void *ctx, const char *topic, const char *message, size_t len);
} lv_broker;
/* Replaces the local broker (copied). Before the app runs. */
void lv_app_set_broker(lv_app *app, const lv_broker *broker);
/* Hands a published message to this process's subscribers of topic. Safe
 * from any thread (a broker's own receiving thread): the calling loop's
 * subscribers get it at once, every other loop a copy, dropped by a loop
 * that is stopping. */
void lv_pubsub_deliver(lv_app *app, const char *topic, const char *message, size_t len);

/* Whether the app shares pub/sub and counters with other processes
 * (lv_config.redis_url is set). */
bool lv_app_clustered(const lv_app *app);
/* A counter shared by every process of the cluster, kept in Redis (the key
 * "lv:counter:<name>"): adds delta (0 reads it) and stores the new value in
 * *value. When topic and event are not NULL, the same atomic step broadcasts
 * info `event` with {"value": <the new value>} on topic to every process,
 * this one included, so every view sees the values in the one order Redis
 * made them, whichever process changed them.
 *
 * It blocks on the network (a connection of its own, at most a second to
 * connect and per reply): call it from lv_start_async work, never from a
 * view callback or another loop thread's task. Safe from any thread. Returns
 * 0, or -1 (logged at debug level) when the app is not clustered, Redis
 * cannot be reached, or the key holds something else; an app then usually
 * falls back to what this process knows (examples/rtcounter.c). */
int lv_shared_counter_add(lv_app *app, const char *name, int64_t delta, const char *topic, const char *event,
                          int64_t *value);

/* ------------------------------------------------------------------------
 * Presence: who is here, like Phoenix.Presence (docs/presence.md).
 *
 * A connected view tracks itself in a topic under a key ("alice", a user
 * id) with a meta map ({"name": "Alice"}); a key may have several metas
 * (several tabs, several processes). Presences end with the view. Views
 * subscribed to the topic (lv_subscribe) receive every change in
 * handle_info as "presence_diff" with the params
 *     {"joins": {key: {"metas": [meta, ...]}}, "leaves": {key: {"metas": [...]}}}
 * and lv_presence_list gives the whole picture. Each meta carries a
 * "phx_ref" naming that one presence, and after an update a "phx_ref_prev"
 * naming the one it replaced. Through a pub/sub broker (lv_app_set_broker)
 * presence spans every process of the cluster; a process that dies takes
 * its presences with it within a few seconds (3 missed heartbeats of 1 s).
 * ------------------------------------------------------------------------ */

/* Tracks the view under (topic, key) with meta (a map, copied; NULL for an
 * empty one). Tracking a (topic, key) the view already tracks replaces its
 * meta, as lv_presence_update. A view may track many. Loop thread, in a
 * connected view's callbacks. Returns 0, or -1 for a socket that is not a
 * connected view (the HTTP render, a component), an empty or NULL topic or
 * key (or longer than 256 bytes), the reserved topic "lv:presence", or a
 * meta that is not a map JSON can carry nested at most 32 deep. */
int lv_presence_track(lv_socket *socket, const char *topic, const char *key, const lv_value *meta);
/* Replaces the meta of a presence the view tracks: a leave of the old meta
 * and a join of the new one, in one diff. Returns 0, or -1 as
 * lv_presence_track, or when the view does not track (topic, key). */
int lv_presence_update(lv_socket *socket, const char *topic, const char *key, const lv_value *meta);
/* Stops tracking (topic, key); nothing happens when the view does not. */
void lv_presence_untrack(lv_socket *socket, const char *topic, const char *key);
/* The presences of topic on every process: a new map (the caller frees it
 * with lv_value_delete) of key -> {"metas": [meta, ...]}, empty when nobody
 * is there; NULL for a NULL app or topic. Safe from any thread. */
lv_value *lv_presence_list(lv_app *app, const char *topic);

/* ------------------------------------------------------------------------
 * Navigation, flash, title, events to the client.
 *
 * Targets are local paths ("/users/7?tab=posts"): one '/', then no '/' or
 * '\', no control characters, no scheme. Anything else is refused (-1) and
 * logged, never sent.
 * ------------------------------------------------------------------------ */

/* Changes the URL without leaving the view: handle_params runs with the new
 * params, and the re-render goes with the same reply. `replace` replaces the
 * history entry instead of pushing one. A view that keeps patching from
 * handle_params is stopped after 20 patches in a row. */
int lv_push_patch(lv_socket *socket, const char *to, bool replace);
/* Moves to another LiveView over the same WebSocket (no page load). */
int lv_push_navigate(lv_socket *socket, const char *to, bool replace);
/* A full page load of `to`. Flash set before it survives the navigation.
 * `to` may also be an absolute http(s) URL on a host listed in
 * lv_config.allowed_redirect_hosts (an external redirect). */
int lv_redirect(lv_socket *socket, const char *to);

/* Flash messages: the assign "flash" is a map of key -> message that
 * templates show ({{flash.info}}); the client's lv:clear-flash clears one.
 * Flash survives lv_push_navigate and lv_redirect in a signed token that
 * lives 60 seconds. */
void lv_put_flash(lv_socket *socket, const char *key, const char *message);
/* Clears one key, or every key when key is NULL. */
void lv_clear_flash(lv_socket *socket, const char *key);

/* Sets the page title (document.title), sent only when it changes. */
void lv_page_title(lv_socket *socket, const char *title);
/* Sends event `name` with `payload` (a map, copied; NULL for {}) to the
 * client: hooks receive it with handleEvent, and window listeners as
 * "phx:name". Returns 0, or -1 for a bad payload (see "Payloads" above: it
 * travels as JSON) or a NULL name. */
int lv_push_event(lv_socket *socket, const char *name, const lv_value *payload);
/* As lv_push_event, but the client dispatches the event before it applies
 * the diff that carries it (Phoenix's push_event(..., dispatch: :before)):
 * a "phx:name" listener sees the page as it was before this render. */
int lv_push_event_before(lv_socket *socket, const char *name, const lv_value *payload);
/* From handle_event of a hook's pushEvent: the reply its callback receives
 * (a map, copied; NULL for {}). Returns 0, or -1 for a bad payload. */
int lv_reply(lv_socket *socket, const lv_value *payload);

/* ------------------------------------------------------------------------
 * Params: read-only named values (event values, form fields, query and join
 * parameters, session data, info payloads, component arguments): a map of
 * values, read by key or by path (below, under Forms). Every string they
 * return, converted numbers included, is valid as long as the params are,
 * which is for the duration of the callback that received them; copy what
 * you keep.
 * ------------------------------------------------------------------------ */

/* The value of key as text, or NULL when absent or not a scalar (null, a
 * list, a map). Numbers are converted the way templates print them (as
 * JavaScript does: 1.5, 2), booleans to "true"/"false". */
const char *lv_param(const lv_params *params, const char *key);
/* The value as an integer: an integer, a double with no fraction within
 * int64, or a string of decimal digits with an optional '-'; fallback when
 * absent or anything else. */
int64_t lv_param_int(const lv_params *params, const char *key, int64_t fallback);
/* The number of keys. */
size_t lv_params_count(const lv_params *params);

/* ------------------------------------------------------------------------
 * Session serializers: how the session data given to mount travels through
 * the page (data-phx-session) and back with the join. The default signs it
 * as a JWT (HS256); LV_SERDE_ENCRYPTED encrypts it too (AES-256-GCM). An app
 * may bring its own with lv_app_set_serde.
 * ------------------------------------------------------------------------ */

typedef struct lv_serde {
    /* Returns a malloc'd, NUL-terminated token for the JSON object text
     * `json` (len bytes), or NULL on failure. The caller frees it. */
    char *(*serialize)(void *ctx, const char *json, size_t len);
    /* Returns the malloc'd JSON object text of a token, or NULL when the token
     * is not authentic, has expired or is malformed. The caller frees it. */
    char *(*deserialize)(void *ctx, const char *token, size_t len);
    /* Optional: frees ctx when the app is freed. */
    void (*free_ctx)(void *ctx);
    void *ctx;
} lv_serde;

typedef enum lv_serde_kind {
    LV_SERDE_JWT = 0,   /* signed: tamper-proof, readable by the client */
    LV_SERDE_ENCRYPTED, /* AES-256-GCM: tamper-proof and secret */
} lv_serde_kind;

/* ------------------------------------------------------------------------
 * Structured values and templates.
 *
 * Assigns can hold lists and maps as well as scalars, for templates that loop
 * ({{#each todos as todo}}) and reach into records ({{todo.text}}). The
 * template language is in docs/templates.md.
 *
 * Values are built bottom-up and handed over: every lv_value * returned by a
 * constructor below belongs to the caller until it is passed to a function
 * documented as taking it (lv_list_push, lv_map_set, lv_assign_value), which
 * then owns and eventually frees it. A value that is never handed over is
 * freed with lv_value_delete.
 *
 *     lv_value *todos = lv_list_new();
 *     lv_value *todo = lv_map_new();
 *     lv_map_set_int(todo, "id", 1);
 *     lv_map_set_str(todo, "text", "Buy milk");
 *     lv_map_set_bool(todo, "done", false);
 *     lv_list_push(todos, todo);           // todos now owns todo
 *     lv_assign_value(socket, "todos", todos); // the socket owns todos
 *
 * Setting an assign to a value equal to the current one (deep equality) is
 * not a change: nothing is re-rendered or sent.
 * ------------------------------------------------------------------------ */

typedef enum lv_value_kind {
    LV_VALUE_NULL = 0,
    LV_VALUE_BOOL,
    LV_VALUE_INT,
    LV_VALUE_DOUBLE,
    LV_VALUE_STRING, /* text: escaped when rendered */
    LV_VALUE_SAFE,   /* trusted HTML: rendered as is */
    LV_VALUE_LIST,
    LV_VALUE_MAP, /* string keys, kept in insertion order */
} lv_value_kind;

/* Constructors: each returns a new value owned by the caller. Strings are
 * copied; NULL reads as "". */
lv_value *lv_value_new_null(void);
lv_value *lv_value_new_bool(bool b);
lv_value *lv_value_new_int(int64_t i);
lv_value *lv_value_new_double(double d);
lv_value *lv_value_new_str(const char *s);
lv_value *lv_value_new_strn(const char *s, size_t n);
/* Trusted HTML, never escaped: only for markup your code produced. */
lv_value *lv_value_new_safe(const char *html);
lv_value *lv_list_new(void);
lv_value *lv_map_new(void);
/* Deep copy, owned by the caller. */
lv_value *lv_value_copy(const lv_value *v);
/* Frees a value the caller owns (NULL is fine). */
void lv_value_delete(lv_value *v);

/* Appends item to list, taking item. */
void lv_list_push(lv_value *list, lv_value *item);
void lv_list_push_str(lv_value *list, const char *s);
void lv_list_push_int(lv_value *list, int64_t i);
/* Sets key in map (replacing an existing entry in place), taking v. */
void lv_map_set(lv_value *map, const char *key, lv_value *v);
void lv_map_set_str(lv_value *map, const char *key, const char *s);
void lv_map_set_safe(lv_value *map, const char *key, const char *html);
void lv_map_set_int(lv_value *map, const char *key, int64_t i);
void lv_map_set_double(lv_value *map, const char *key, double d);
void lv_map_set_bool(lv_value *map, const char *key, bool b);

/* Reading values. Pointers returned are borrowed from the value they came
 * from. Accessors return 0, false, NULL or an empty count on the wrong kind. */
lv_value_kind lv_value_kind_of(const lv_value *v);
int64_t lv_value_int_of(const lv_value *v);
double lv_value_double_of(const lv_value *v); /* an int reads as a double too */
bool lv_value_bool_of(const lv_value *v);
const char *lv_value_str_of(const lv_value *v); /* string or safe HTML */
size_t lv_list_len(const lv_value *list);
const lv_value *lv_list_at(const lv_value *list, size_t i);
size_t lv_map_len(const lv_value *map);
const lv_value *lv_map_get(const lv_value *map, const char *key);
/* The i-th entry in insertion order; NULL past the end. */
const char *lv_map_key_at(const lv_value *map, size_t i);
const lv_value *lv_map_value_at(const lv_value *map, size_t i);

/* Stores v under name, taking v. */
void lv_assign_value(lv_socket *socket, const char *name, lv_value *v);
/* Stores trusted HTML (copied): rendered without escaping. */
void lv_assign_raw(lv_socket *socket, const char *name, const char *html);
/* The assign's value, NULL when missing; valid until the assign is next set. */
const lv_value *lv_get_value(const lv_socket *socket, const char *name);

/* Partials: templates included by name with {{> name}}. Register them before
 * the lv_route calls whose templates include them; the text is copied. A
 * partial file is read now and, with LV_ENV=dev, re-read when it changes.
 * Return 0, or -1 (after printing why) for a bad name or unreadable file. */
int lv_partial(const char *name, const char *text);
int lv_partial_file(const char *name, const char *path);

/* Function components with slots and declared attributes
 * (docs/function-components.md): a named template called as a block,
 *
 *     {{#card title="Totals" tone=tone}}
 *       <p>the default slot</p>
 *       {{:footer}}<a href="/more">More</a>
 *     {{/card}}
 *
 * whose body reads its attributes by name and places the slots with
 * {{slot}} (the default one) and {{slot "footer"}}; `slots.footer` is true
 * when the call gave that slot. Everything is checked when the calling
 * template compiles: unknown or missing required attributes, literals of
 * the wrong type, unknown slots, with the template's name and line. An
 * attribute left out is its default, or null: never an assign of the same
 * name. Slot content is compiled in the caller's scope. */
typedef enum lv_attr_type {
    LV_ATTR_ANY = 0,
    LV_ATTR_STRING,
    LV_ATTR_INT,
    LV_ATTR_NUMBER, /* an int or a double */
    LV_ATTR_BOOL,
    LV_ATTR_LIST,
    LV_ATTR_MAP,
} lv_attr_type;

typedef struct lv_attr_decl {
    const char *name;
    lv_attr_type type;
    bool required;
    /* The value when the call leaves the attribute out, as text: a string
     * as is, "42", "1.5", "true", or JSON for a list or map. NULL: null. A
     * required attribute has none. */
    const char *default_value;
} lv_attr_decl;

typedef struct lv_function_component {
    const char *name;          /* letters, digits and _; the block's name */
    const char *template_text; /* the body, or NULL to use template_name */
    const char *template_name; /* a partial or embedded template ("card.html") */
    const lv_attr_decl *attrs; /* ends with an entry whose name is NULL; may be NULL */
    const char *const *slots;  /* named slots, NULL-terminated; may be NULL */
} lv_function_component;

/* Registers (copies) a function component, before the lv_route calls whose
 * templates use it; registering a name again replaces it for templates
 * compiled later. Returns 0, or -1 (after printing why) for a bad name, not
 * exactly one of template_text and template_name, a bad or duplicate
 * attribute or slot name, a required attribute with a default, or a
 * default that is not of the attribute's type. */
int lv_function_component_register(const lv_function_component *fc);

/* Templates embedded into the program by the CMake function
 * lv_embed_templates (generated code calls this before main). A view whose
 * template_file is `name` uses the text; with LV_ENV=dev the file at
 * source_path is read instead when it exists, and re-read when it changes. A
 * name also serves as a partial ("todo_item.html" is {{> todo_item}}). The
 * strings are borrowed and must be static. */
void lv_template_embed(const char *name, const char *text, size_t len, const char *source_path);

/* Helpers: C functions called from templates, {{format_number total}} or
 * {{#if (eq filter "done")}}. A helper reads its arguments (positional and
 * name=value) and either writes HTML or returns a value. It must depend on
 * its arguments only: the renderer re-runs it only when they change. */
typedef struct lv_helper_call lv_helper_call;
/* Returns 0, or non-zero to render nothing (reported once per call site). */
typedef int (*lv_helper_fn)(lv_helper_call *call, void *user);
/* Registers fn under name (a [A-Za-z_][A-Za-z0-9_]* name) for templates
 * compiled from now on; a later registration replaces an earlier one.
 * Returns 0, or -1 for an invalid name. Built in: pluralize, format_number,
 * eq, not, length (docs/templates.md). */
int lv_helper_register(const char *name, lv_helper_fn fn, void *user);
/* Positional arguments; a missing assign arrives as null. NULL past the end. */
size_t lv_helper_argc(const lv_helper_call *call);
const lv_value *lv_helper_arg(const lv_helper_call *call, size_t i);
/* Named arguments (key=value), in template order; NULL when absent. */
const lv_value *lv_helper_named(const lv_helper_call *call, const char *key);
size_t lv_helper_named_count(const lv_helper_call *call);
const char *lv_helper_named_key_at(const lv_helper_call *call, size_t i);
const lv_value *lv_helper_named_value_at(const lv_helper_call *call, size_t i);
/* Output. HTML written with lv_helper_html is trusted as is; lv_helper_text
 * and lv_helper_value escape. A helper that writes nothing may instead return
 * a value (lv_helper_return, taking v), which templates can test or pass on. */
void lv_helper_html(lv_helper_call *call, const char *html, size_t len);
void lv_helper_text(lv_helper_call *call, const char *text, size_t len);
void lv_helper_value(lv_helper_call *call, const lv_value *v);
void lv_helper_return(lv_helper_call *call, lv_value *v);

/* ------------------------------------------------------------------------
 * Forms: changesets, JS commands.
 *
 * Nested params. Form events arrive decoded into a tree: "user[name]=bob"
 * is the key "user" holding a map with "name". A path names a value in it
 * with the same syntax a form field's name uses: "user[name]",
 * "user[address][city]", "tags[0]" (a list item, or the map key "0").
 * Results are valid as long as the params are.
 * ------------------------------------------------------------------------ */

/* The scalar at path as text (numbers and booleans converted, as by
 * lv_param), or NULL when absent, not a scalar, or the path is malformed. */
const char *lv_param_path(const lv_params *params, const char *path);
/* The entries of the map or list at path (path NULL or "" for the top
 * level); 0 for a scalar or an absent path. */
size_t lv_params_len(const lv_params *params, const char *path);
/* The key of the i-th entry of the map at path, in the order received; NULL
 * past the end or when path is not a map. */
const char *lv_params_key_at(const lv_params *params, const char *path, size_t i);
/* A copy of the subtree at path (NULL or "": everything) as a value: maps,
 * lists, strings, numbers, booleans. Owned by the caller; NULL when
 * absent. */
lv_value *lv_params_value(const lv_params *params, const char *path);

/* Changesets cast a form's params into typed, validated data, the way
 * Ecto's do: declare the fields once, then cast each form event.
 *
 *     static const lv_field book_fields[] = {
 *         {.name = "title", .type = LV_FIELD_STRING, .required = true, .max_length = 80},
 *         {.name = "year", .type = LV_FIELD_INT, .min = LV_BOUND(1450), .max = LV_BOUND(2100)},
 *         {.name = "isbn", .pattern = "^[0-9-]{10,17}$"},
 *     };
 *     schema = lv_schema_new("book", book_fields, 3);   // once, at start
 *
 *     // handle_event("validate" | "save", value):
 *     lv_changeset *cs = lv_changeset_cast(schema, NULL, value, event);
 *     if (strcmp(event, "save") == 0 && lv_changeset_valid(cs)) store(lv_changeset_data(cs));
 *     lv_changeset_assign(socket, "changeset", cs);   // {{changeset.errors.title}}
 *     lv_changeset_free(cs);
 *
 * Only declared fields are read from the params and kept in the data: a
 * form that adds book[admin]=true changes nothing. Errors are always
 * computed (lv_changeset_valid tells the truth), but are shown to templates
 * only once an action is set, and, on a change event, only for fields the
 * user has used: the client marks a field it never focused with an
 * "_unused_" key, and the field named by "_target" (the one that changed) is
 * always shown. docs/forms.md has the whole story.
 * ------------------------------------------------------------------------ */

typedef enum lv_field_type {
    LV_FIELD_STRING = 0,
    LV_FIELD_INT,    /* decimal digits with an optional '-', within int64 */
    LV_FIELD_DOUBLE, /* a finite decimal number */
    LV_FIELD_BOOL,   /* "true"/"false", "on", "1"/"0" (a checkbox sends these) */
    LV_FIELD_EMAIL,  /* a string shaped like local@domain.tld */
} lv_field_type;

/* An optional number bound: .min = LV_BOUND(0). */
typedef struct lv_bound {
    bool set;
    double value;
} lv_bound;
#define LV_BOUND(x) {true, (double)(x)}

/* One declared field. Strings are borrowed by lv_schema_new and must outlive
 * the schema (string literals do). Checks run in this order and the first
 * failing one gives the field's error: type ("is invalid"), required
 * ("can't be blank"; an empty or all-blank string counts as missing), length
 * in characters, number bounds, pattern ("has invalid format"), check. */
typedef struct lv_field {
    const char *name;
    lv_field_type type;
    bool required;
    size_t min_length; /* characters (code points); 0: no bound */
    size_t max_length; /* 0: no bound */
    lv_bound min;      /* LV_FIELD_INT and LV_FIELD_DOUBLE */
    lv_bound max;
    /* A POSIX extended regular expression the text must match (compiled
     * once, by lv_schema_new). Anchor it with ^...$ to match the whole. */
    const char *pattern;
    /* A custom check of the typed value (never called for a missing one):
     * returns true when valid, else the field's error is check_message
     * (default "is invalid"). */
    bool (*check)(const lv_value *value, void *user);
    void *check_user;
    const char *check_message;
} lv_field;

typedef struct lv_schema lv_schema;
typedef struct lv_changeset lv_changeset;

/* Compiles a schema for the form named form_name (the params key and the
 * prefix of its inputs' names, "book" for book[title]; NULL when the fields
 * are top-level params). The fields array is copied. Returns NULL, after
 * printing why, for a bad pattern, a duplicate or empty field name. Free
 * with lv_schema_free; a schema is read-only once made and may be shared by
 * every view and thread. */
lv_schema *lv_schema_new(const char *form_name, const lv_field *fields, size_t count);
void lv_schema_free(lv_schema *schema);

/* Casts params (a form event's value, or NULL) over data (the record being
 * edited: a map of the fields' current values, or NULL for a new one) and
 * validates the result. action is NULL (errors hidden: the form was just
 * opened), "validate" for phx-change or "save"/"insert"/... for phx-submit
 * (copied). A field absent from params keeps its value from data; an empty
 * one becomes null. Returns a new changeset the caller frees. */
lv_changeset *lv_changeset_cast(const lv_schema *schema, const lv_value *data, const lv_params *params,
                                const char *action);
void lv_changeset_free(lv_changeset *cs);
/* True when no field has an error, whether shown or not. */
bool lv_changeset_valid(const lv_changeset *cs);
/* The action given to cast (NULL when none). */
const char *lv_changeset_action(const lv_changeset *cs);
/* The typed data: a map of every declared field (null when missing), in
 * declaration order. Borrowed from the changeset. */
const lv_value *lv_changeset_data(const lv_changeset *cs);
/* Typed reads of the data: fallback / NULL when missing or another type. */
const char *lv_changeset_get_str(const lv_changeset *cs, const char *field);
int64_t lv_changeset_get_int(const lv_changeset *cs, const char *field, int64_t fallback);
double lv_changeset_get_double(const lv_changeset *cs, const char *field, double fallback);
bool lv_changeset_get_bool(const lv_changeset *cs, const char *field);
/* The field's error message (shown or not), or NULL. */
const char *lv_changeset_error(const lv_changeset *cs, const char *field);
/* Adds an error the schema cannot know ("has already been taken"); the
 * message is copied. Returns -1 for an undeclared field. */
int lv_changeset_add_error(lv_changeset *cs, const char *field, const char *message);
/* The changeset as a value for templates, owned by the caller:
 * {"valid":bool, "action":str|null, "form":"book", "data":{...},
 *  "params":{field: the text the user typed, for declared fields sent},
 *  "errors":{field: message, only the errors to show}}. */
lv_value *lv_changeset_value(const lv_changeset *cs);
/* Assigns lv_changeset_value(cs) as `name` (the changeset stays the
 * caller's). Templates read {{changeset.errors.title}}, and the form
 * helpers take it whole: {{text_input changeset "title"}}. */
void lv_changeset_assign(lv_socket *socket, const char *name, const lv_changeset *cs);

/* JS commands: what phx-click and the other bindings run in the browser
 * without a round trip (show, hide, add a class...), built in C as the JSON
 * the client executes. Each command function appends to js and returns it,
 * so calls chain:
 *
 *     lv_js *js = lv_js_new();
 *     lv_js_push(lv_js_show(js, &(lv_js_opts){.to = "#panel"}), "opened", NULL);
 *     lv_assign_js(socket, "open_panel", js);   // <button phx-click={{open_panel}}>
 *
 * gives [["show",{"to":"#panel"}],["push",{"event":"opened"}]]. Strings are
 * JSON-escaped, and the template escapes the JSON again inside the
 * attribute, so any text is safe. Templates can also build commands with
 * helpers: phx-click={{js_toggle to="#menu"}} (docs/js-commands.md). */
typedef struct lv_js lv_js;

/* Options shared by the commands; zero fields are left to the client's
 * defaults and omitted from the JSON. */
typedef struct lv_js_opts {
    /* A CSS selector of the elements the command acts on; NULL: the element
     * whose binding runs the command. */
    const char *to;
    /* Milliseconds a transition lasts (the client's default is 200). */
    int time;
    /* A transition as three space-separated class lists: the classes during
     * the whole transition, at its start and at its end. For example
     * {"transition-opacity duration-300", "opacity-0", "opacity-100"}. */
    const char *transition[3];
    /* toggle only: the transitions to show (in) and to hide (out). */
    const char *in[3];
    const char *out[3];
    /* show and toggle: the display value when shown (default "block"). */
    const char *display;
    /* The client normally blocks other commands on the element until a
     * transition ends; true lets it run without blocking. */
    bool non_blocking;
    /* dispatch only: the event does not bubble. */
    bool no_bubbles;
    /* push only: the element(s) getting the phx-*-loading classes, a
     * phx-target (a selector or a component id), and the page loading
     * indicator. */
    const char *loading;
    const char *target;
    bool page_loading;
} lv_js_opts;

/* A new, empty command list, owned by the caller (lv_js_free). */
lv_js *lv_js_new(void);
void lv_js_free(lv_js *js);
/* The JSON ("[]" when empty), borrowed until js changes; NULL when a
 * command was given an invalid argument (a bad payload, a NULL name). */
const char *lv_js_json(const lv_js *js);
/* Assigns the JSON as a string assign and frees js. Returns 0, or -1 (the
 * assign is then "") when a command was invalid. */
int lv_assign_js(lv_socket *socket, const char *name, lv_js *js);

/* opts may be NULL everywhere. */
lv_js *lv_js_show(lv_js *js, const lv_js_opts *opts);
lv_js *lv_js_hide(lv_js *js, const lv_js_opts *opts);
lv_js *lv_js_toggle(lv_js *js, const lv_js_opts *opts);
/* names: space-separated classes. */
lv_js *lv_js_add_class(lv_js *js, const char *names, const lv_js_opts *opts);
lv_js *lv_js_remove_class(lv_js *js, const char *names, const lv_js_opts *opts);
lv_js *lv_js_toggle_class(lv_js *js, const char *names, const lv_js_opts *opts);
/* Runs opts->transition on the elements without changing anything else. */
lv_js *lv_js_transition(lv_js *js, const lv_js_opts *opts);
lv_js *lv_js_set_attr(lv_js *js, const char *attr, const char *value, const lv_js_opts *opts);
lv_js *lv_js_remove_attr(lv_js *js, const char *attr, const lv_js_opts *opts);
/* Dispatches a DOM CustomEvent `event` on the elements; detail (a map,
 * copied into the JSON; NULL for none) is its detail. */
lv_js *lv_js_dispatch(lv_js *js, const char *event, const lv_value *detail, const lv_js_opts *opts);
/* Pushes `event` to the server (handle_event) with value (a map, copied into
 * the JSON; NULL for none) as its value. A bad payload (see "Payloads")
 * makes the command invalid, for both. */
lv_js *lv_js_push(lv_js *js, const char *event, const lv_value *value, const lv_js_opts *opts);
lv_js *lv_js_focus(lv_js *js, const lv_js_opts *opts);
/* Live navigation to another view (navigate) or a patch of this view's URL
 * (patch), as the links of lv_push_navigate/lv_push_patch would. href must
 * be a local path. */
lv_js *lv_js_navigate(lv_js *js, const char *href, bool replace);
lv_js *lv_js_patch(lv_js *js, const char *href, bool replace);
/* Runs the commands held in attribute `attr` of the elements (opts->to, or
 * the element itself): phx-remove, data-cancel... */
lv_js *lv_js_exec(lv_js *js, const char *attr, const lv_js_opts *opts);
/* Toggles attribute `attr`: absent, it is set to val1; present, it flips
 * between val1 and val2, or is removed when val2 is NULL. */
lv_js *lv_js_toggle_attr(lv_js *js, const char *attr, const char *val1, const char *val2,
                         const lv_js_opts *opts);
/* Makes later patches leave these attributes of the elements as the
 * browser has them: space-separated names, a trailing '*' matches a prefix
 * ("open data-*"), e.g. a <details>' open. */
lv_js *lv_js_ignore_attrs(lv_js *js, const char *names, const lv_js_opts *opts);
/* Focuses the first focusable element inside the elements (a dialog's first
 * input). */
lv_js *lv_js_focus_first(lv_js *js, const lv_js_opts *opts);
/* Remembers the elements (or the one clicked) on the client's focus stack;
 * pop_focus focuses the last one remembered and forgets it: open a dialog
 * with push_focus, close it with pop_focus. */
lv_js *lv_js_push_focus(lv_js *js, const lv_js_opts *opts);
lv_js *lv_js_pop_focus(lv_js *js);

/* ------------------------------------------------------------------------
 * LiveComponents: stateful parts of a page with their own assigns, template
 * and events. A template places one with
 *
 *     {{component "card" id=item.id title=item.title}}
 *
 * The id (required) tells instances apart within a view: the first time an
 * id appears the component is mounted; every time its arguments change,
 * update receives them. Its events come from elements with
 * phx-target="{{myself}}" (the assign myself is the component's cid) and go
 * to the component's handle_event, not the view's. A component's template
 * must have exactly one root element. The socket passed to the callbacks is
 * the component's own: lv_assign_* and lv_state work as in views, and
 * lv_send_parent talks to the view that holds it.
 * ------------------------------------------------------------------------ */

typedef struct lv_component {
    const char *name;
    const char *template_text;
    const char *const *events;      /* NULL-terminated, as for views */
    size_t state_size;
    /* Optional: the first render of this id. */
    int (*mount)(lv_socket *socket);
    /* Optional: the arguments from the template, first after mount, then
     * whenever they change. Without it, every argument becomes an assign. */
    int (*update)(lv_socket *socket, const lv_params *params);
    /* Optional: a declared event targeted at this component. It may reply
     * (lv_reply), push events, put flash, set the title and navigate as a
     * view's would: those are the page's, carried out for its view (a
     * patch runs the view's handle_params). */
    int (*handle_event)(lv_socket *socket, const char *event, const lv_params *value);
    /* Optional, instead of update: every instance of this component whose
     * arguments changed in one render, in one call (count of them, in page
     * order), so a list of 100 loads its data with one query. Over the
     * WebSocket a render batches them; the HTTP render, which writes each
     * component where it stands, calls it once per instance (count 1);
     * lv_send_update calls it with its one instance. Returns 0, or -1
     * (logged; the instances render with what they have). */
    int (*update_many)(lv_socket *const *sockets, const lv_params *const *params, size_t count);
} lv_component;

/* Makes a component available to the app's templates under its name; the
 * pointer is kept. Returns 0, or -1 (template error, name taken). */
int lv_component_register(lv_app *app, const lv_component *component);
/* From a component's callback: queues info `name` with `payload` (a map,
 * copied; NULL for an empty one) to the view that holds the component (its
 * handle_info); from a nested view joined over the socket, to its parent
 * view. Returns 0, or -1 for a bad payload or a socket that is neither (a
 * root view, a sticky one, a nested view in the HTTP render). */
int lv_send_parent(lv_socket *socket, const char *name, const lv_value *payload);
/* Phoenix's send_update: from a view or any of its components, queues
 * an update of the instance of `component` with `id` (the id it was
 * placed with, as text: "7") with `assigns` (a map, copied; NULL for
 * {}): after the current callback, its update (or update_many, with that
 * one instance; without either, the assigns are set) runs with them and
 * its diff is pushed to the client. An instance that is not on the page
 * by then is logged and skipped. Returns 0, or -1 for a bad payload or a
 * NULL name or id. */
int lv_send_update(lv_socket *socket, const char *component, const char *id, const lv_value *assigns);
/* The same after ms milliseconds (a timer of the view: cancel it with
 * lv_cancel_timer). Returns the timer id (> 0), or -1 as lv_send_update
 * or when the view is not connected. */
int lv_send_update_after(lv_socket *socket, unsigned ms, const char *component, const char *id,
                         const lv_value *assigns);

/* ------------------------------------------------------------------------
 * Nested LiveViews (docs/nested.md): a view inside a view's template,
 *
 *     {{live_render "clock" id="clock"}}
 *
 * with its own state, events, timers and lifetime. The HTTP render mounts it
 * and puts its HTML inline; in the browser the client joins it over its own
 * topic "lv:<id>" with a signed token bound to its parent, so its events and
 * diffs never touch the parent. It ends when the parent's template stops
 * rendering it (the client leaves it) or when the parent ends. Its mount
 * gets no params and, as session, the live_render's other arguments
 * ({{live_render "room" id="r1" topic=room_topic}}: session key "topic").
 * A nested view has no URL: handle_params is refused. lv_send_parent (from
 * its callbacks) queues an info to the parent's handle_info.
 *
 * A sticky child, {{live_render "player" id="player" sticky=true}}, has no
 * parent: the client joins it beside the page's view. Render it with the
 * same id in every view that shows it (Phoenix's app layout; a partial
 * does it here): on live navigation (lv_push_navigate,
 * data-phx-link="redirect") the client keeps the joined child, with its
 * state, in the new view's page. The app's root layout (lv_app_layout)
 * cannot hold one: it is not a view.
 * ------------------------------------------------------------------------ */

/* Makes view available to templates as {{live_render "<view->name>" id=..}};
 * the pointer is kept (it must outlive the app). Returns 0, or -1 after
 * logging why (no name, mount or template; a template error; a
 * handle_params; the name taken). */
int lv_live_view_register(lv_app *app, const lv_view *view);

/* ------------------------------------------------------------------------
 * Streams: long collections the browser keeps and the server forgets.
 *
 * A template shows a stream in a container with phx-update="stream", each
 * item one element whose id is the item's dom_id:
 *
 *     <ul id="feed" phx-update="stream">
 *       {{#stream messages as msg}}<li id="{{msg.dom_id}}">{{msg.text}}</li>{{/stream}}
 *     </ul>
 *
 *     lv_value *m = lv_map_new();
 *     lv_map_set_int(m, "id", 42);                  // dom_id "messages-42"
 *     lv_map_set_str(m, "text", "hello");
 *     lv_stream_insert(socket, "messages", m, LV_STREAM_PREPEND, 50);
 *
 * An item travels once, in the next render (the page, the join or a diff),
 * and is then freed: the server keeps only what has not been sent yet, so
 * a feed of a million items costs it nothing per item. The browser applies
 * the inserts, deletes and resets. See docs/streams.md.
 *
 * Names are letters, digits and _ (at most 64 bytes), at most 64 streams a
 * view. Each function returns 0, or -1 after logging why.
 * ------------------------------------------------------------------------ */

#define LV_STREAM_APPEND (-1)
#define LV_STREAM_PREPEND 0

typedef struct lv_stream_opts {
    /* DOM ids are "<dom_prefix>-<id>"; default: the stream's name. */
    const char *dom_prefix;
    /* The limit of inserts given limit 0 (see lv_stream_insert); 0: none. */
    int limit;
} lv_stream_opts;

/* Configures a stream (opts may be NULL for the defaults); optional, a
 * stream is created by its first use. Call it in mount, before inserting. */
int lv_stream(lv_socket *socket, const char *name, const lv_stream_opts *opts);
/* Queues item (taken, also on error): a map with an "id" (an integer or a
 * non-empty string). The template sees it with "dom_id" added. `at`:
 * LV_STREAM_APPEND (-1), LV_STREAM_PREPEND (0) or an index. `limit`: after
 * the insert the browser keeps the first `limit` items (> 0) or the last
 * -limit (< 0); 0 uses the stream's default. Inserting a DOM id the browser
 * has updates that element in place. At most 1000 inserts wait per stream
 * between two renders; past that the oldest waiting one is dropped. */
int lv_stream_insert(lv_socket *socket, const char *name, lv_value *item, int at, int limit);
/* Phoenix's stream_insert with update_only: item (taken) replaces the
 * element with its DOM id if the browser shows it, and is never added when
 * it does not (an item scrolled out of a limited stream stays out). */
int lv_stream_update(lv_socket *socket, const char *name, lv_value *item);
/* Removes the item with this DOM id ("messages-42") from the browser. */
int lv_stream_delete(lv_socket *socket, const char *name, const char *dom_id);
/* The same, by item (a map with the "id" it was inserted with; borrowed). */
int lv_stream_delete_item(lv_socket *socket, const char *name, const lv_value *item);
/* Removes every item of the stream from the browser and forgets pending
 * inserts; inserts after the reset are shown after it. */
int lv_stream_reset(lv_socket *socket, const char *name);

/* ------------------------------------------------------------------------
 * The application: configuration, routes, and the server.
 * ------------------------------------------------------------------------ */

/* How much the library logs, most severe first. */
typedef enum lv_log_level {
    LV_LOG_ERROR = 0,
    LV_LOG_WARN,
    LV_LOG_INFO,
    LV_LOG_DEBUG,
} lv_log_level;

/* Receives each log line the library writes: its level and the message
 * (no timestamp or level in it; control characters escaped as \xNN). It
 * may be called from any thread the library runs, one call per line; the
 * message is valid only during the call. */
typedef void (*lv_log_fn)(void *ctx, lv_log_level level, const char *message);

typedef struct lv_config {
    /* Address to listen on. Default "127.0.0.1"; env LV_HOST. */
    const char *host;
    /* Port. Default 4000; env LV_PORT. */
    int port;
    /* Secret that every token is signed with: at least 32 bytes of random.
     * Env LV_SECRET_KEY_BASE. When NULL, a random key is made at start and a
     * warning says that sessions will not survive a restart. */
    const char *secret_key_base;
    /* The browser client is compiled into the library. When set, this
     * directory's js/app.js (and css/app.css if there) replace the library's
     * own, read once at start: a custom app.js with its own hooks. NULL by
     * default; env LV_ASSETS_DIR. */
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
    /* The long-poll transport at /live/longpoll, for networks that block
     * WebSockets (docs/longpoll.md). Default true; env LV_LONGPOLL=0 turns
     * it off. A poll is held up to longpoll_window_ms (default 10000, at
     * most 19000: the client gives up after 20 s; env
     * LV_LONGPOLL_WINDOW_MS); a session without a poll for 1.5 windows
     * expires and its views end. At most longpoll_max_sessions sessions at
     * once (default 10000; env LV_LONGPOLL_MAX_SESSIONS). Bodies are bounded
     * by max_message_bytes, queued replies by max_outbound_bytes. */
    bool longpoll;
    unsigned longpoll_window_ms;
    unsigned longpoll_max_sessions;
    /* Lifetime of a page's session token and of the session cookie, in
     * seconds. Default 14 days. */
    int64_t session_ttl_s;
    /* How session data travels through the page: LV_SERDE_JWT (signed,
     * default) or LV_SERDE_ENCRYPTED (AES-256-GCM). Env LV_SESSION_SERDE
     * ("jwt" or "encrypted"). */
    lv_serde_kind session_serde;
    /* Name of the session cookie. Default "_lv_session". */
    const char *session_cookie;
    /* Adds Secure to the session cookie: set it when served over HTTPS.
     * Default false; env LV_SECURE_COOKIES=1. */
    bool secure_cookies;
    /* Origins allowed to open the WebSocket, comma-separated: exact origins
     * such as https://app.example.com, or wildcard subdomains (the syntax is
     * in docs/security.md). NULL or "": the page's own origin only. Env
     * LV_ALLOWED_ORIGINS. */
    const char *allowed_origins;
    /* Reverse proxies whose X-Forwarded-For / Forwarded headers are
     * believed, comma-separated: addresses and CIDR ranges, IPv4 and IPv6
     * ("127.0.0.1, 10.0.0.0/8, ::1"). NULL or "": none, the TCP peer is the
     * client. The rules are in docs/layouts.md; what they decide reaches
     * views as lv_connect_info(socket, "client_address"). An entry that is
     * not an address or range makes lv_app_new fail. Env
     * LV_TRUSTED_PROXIES. */
    const char *trusted_proxies;
    /* Refuse form events that carry no _csrf_token (by default they are
     * processed after a warning, as LiveViewJS does; a wrong token is always
     * refused). Env LV_CSRF_STRICT=1. */
    bool csrf_strict;
    /* The most detailed level logged. Default LV_LOG_INFO; env LV_LOG
     * ("error", "warn", "info" or "debug"). */
    lv_log_level log_level;
    /* Where log lines go: NULL writes them to stderr as
     * "2026-12-02T10:25:32.123Z liveview [warn] message"; a program with its
     * own logging passes a function (and its ctx). Logging is process-wide:
     * the app created last decides. */
    lv_log_fn log;
    void *log_ctx;
    /* Event loops, each on its own thread with its own connections and
     * views: a view stays on the loop that accepted its socket, so its
     * callbacks still run one at a time. Default (and 0): one per core this
     * process may use; env LV_WORKERS. LV_ENV=dev serves on one loop.
     * State shared by views (a global count, a list) needs a lock or atomics
     * once there are several (docs/threads.md). */
    unsigned workers;
    /* Redis that carries pub/sub between the processes of a cluster
     * (docs/scaling.md): redis://host:port[/db], with credentials
     * redis://:password@host:port/db or redis://user:password@host:port/db.
     * While the app runs, lv_broadcast reaches the views of every process
     * using the same Redis, and lv_shared_counter_add keeps counters there.
     * NULL or "": pub/sub stays within this process. A malformed URL makes
     * lv_app_new fail; a Redis that is down is not an error (local delivery
     * goes on and the broker reconnects). Ignored when the app sets its own
     * broker (lv_app_set_broker). Env LV_REDIS_URL. */
    const char *redis_url;
    /* Hosts that lv_redirect may send the browser to with an absolute
     * http(s) URL, comma-separated host or host:port entries compared
     * exactly, ignoring case ("docs.example.com, example.org:8443"). NULL
     * or "": local paths only. A redirect to any other host is refused (-1)
     * and logged; a malformed entry makes lv_app_new fail. Env
     * LV_ALLOWED_REDIRECT_HOSTS. */
    const char *allowed_redirect_hosts;
    /* Revoked sessions remembered at once (docs/security.md, "Ending
     * sessions"): a logout or lv_sessions_revoke adds one until the cookies
     * it refuses expire. When full, the oldest is dropped and every session
     * created before it is refused too (fail closed). Default 100000; env
     * LV_SESSION_REVOCATIONS_MAX. */
    size_t session_revocations_max;
    /* The Content-Security-Policy header of every page. NULL: the strict
     * default of docs/security.md (scripts and styles from this origin,
     * inline style attributes allowed, sockets to this host, no framing);
     * "" or "off": no header; any other text is sent as it is. Env LV_CSP. */
    const char *content_security_policy;
    /* Host header values served, comma-separated ("app.example.com,
     * app.example.com:8443"; ports compared exactly, a name without a port
     * matches it with any port), against DNS rebinding. Any other Host gets
     * 421 Misdirected Request. NULL or "": any Host. Env LV_ALLOWED_HOSTS. */
    const char *allowed_hosts;
    /* Limits against clients that hold memory or descriptors
     * (docs/limits.md). Over every loop of the process:
     * - max_buffered_bytes: bytes buffered in unfinished WebSocket messages
     *   and HTTP bodies; the connection whose bytes cross it is refused
     *   (WebSocket close 1008, HTTP 503). Default 64 MiB; env
     *   LV_MAX_BUFFERED_BYTES.
     * - max_connections: open connections; more are accepted and closed at
     *   once. Default 10000, lowered to three quarters of the descriptor
     *   limit (RLIMIT_NOFILE) when that is smaller; env LV_MAX_CONNECTIONS.
     * - max_connections_per_address: open connections from one client
     *   address (the TCP peer; for a WebSocket through a trusted proxy, the
     *   address it forwards). Default 256; env
     *   LV_MAX_CONNECTIONS_PER_ADDRESS.
     * Per connection:
     * - message_timeout_s: seconds to finish a WebSocket message from its
     *   first byte (close 1008); body_timeout_s: seconds to finish an HTTP
     *   body from the end of its head (408). Pings and trickled bytes do
     *   not extend them. Defaults 30, 30; env LV_MESSAGE_TIMEOUT,
     *   LV_BODY_TIMEOUT.
     * - join_grace_s: seconds a WebSocket may stay open without a joined
     *   view (one without a valid session never gets one): then close 1008.
     *   Default 10; env LV_JOIN_GRACE.
     * 0 turns any of them off. */
    size_t max_buffered_bytes;
    unsigned max_connections;
    unsigned max_connections_per_address;
    unsigned message_timeout_s;
    unsigned body_timeout_s;
    unsigned join_grace_s;
    /* Uploads (docs/uploads.md). The private directory that holds files
     * while they arrive: NULL or "" for a fresh one under $TMPDIR (or /tmp),
     * made 0700 on the first upload and removed when the app is freed; a
     * configured directory is made when missing and must belong to this user
     * with mode 0700 (lv_app_new fails otherwise). Never served by URL. Env
     * LV_UPLOAD_DIR. */
    const char *upload_dir;
    /* Bytes of uploads the app accepts at once, over every view: each file's
     * declared size is reserved at preflight and released when it is
     * consumed, cancelled or dropped; a file that does not fit gets the
     * error "server_busy". Default 1 GiB; env LV_UPLOAD_MAX_BYTES_IN_FLIGHT. */
    int64_t upload_max_bytes_in_flight;
    /* Seconds an upload token (sent with the preflight reply) may wait
     * before the client joins its upload channel. Default 60. */
    unsigned upload_token_ttl_s;
} lv_config;

/* Fills cfg with the defaults above, then applies the LV_* environment
 * variables. */
void lv_config_defaults(lv_config *cfg);

/* Creates an app. cfg may be NULL for lv_config_defaults. Strings in cfg are
 * copied. Returns NULL (after printing why) for an invalid configuration, such
 * as a secret shorter than 32 bytes. */
lv_app *lv_app_new(const lv_config *cfg);
/* Serves `view` at `path`: an exact path ("/counter") or a pattern whose
 * ":name" segments match one path segment each ("/users/:id"); the values
 * arrive in mount's and handle_params' params. Routes are tried in the
 * order they were added. Compiles the template; returns 0, or -1 after
 * printing the error (a template syntax error names the line and column). */
int lv_route(lv_app *app, const char *path, const lv_view *view);

/* Live sessions (docs/sessions.md): a named group of routes whose views
 * share on_mount hooks, as Phoenix's live_session. The hooks run in order
 * before every mount of the group's views, for the HTTP render and for
 * every join (a live navigation included), with mount's params and
 * session: authenticate from the session, assign the current user, or send
 * the browser elsewhere (lv_redirect, lv_push_navigate) and return
 * LV_ON_MOUNT_HALT, and mount never runs. A hook returns LV_ON_MOUNT_CONT
 * to go on, and -1 (or a halt without a navigation) fails the mount.
 *
 * Live navigation stays on the WebSocket within a session only: the page's
 * token names the session it was rendered for, and a join of a view of
 * another session with it is refused with "unauthorized", after which the
 * client loads the page over HTTP (where the other session's hooks run on
 * the fresh token). Routes added with lv_route are in the session named
 * "default", which has no hooks. */
#define LV_ON_MOUNT_CONT 0
#define LV_ON_MOUNT_HALT 1
typedef int (*lv_on_mount_fn)(lv_socket *socket, const lv_params *params, const lv_params *session);
typedef struct lv_live_session {
    /* Letters, digits, '_' and '-', at most 64 bytes; not "default". */
    const char *name;
    /* The hooks, NULL-terminated; NULL for none. */
    const lv_on_mount_fn *on_mount;
} lv_live_session;
/* lv_route, with the route in session. The library keeps the pointer: the
 * session (declare it static const) must outlive the app. Two sessions
 * must not share a name. Returns 0, or -1 after logging why. */
int lv_live_route(lv_app *app, const lv_live_session *session, const char *path, const lv_view *view);
/* The name of the live session of the socket's view ("default" outside
 * any; a component answers for its view). */
const char *lv_live_session_name(const lv_socket *socket);
/* Listens and serves on the calling thread until lv_app_stop, SIGINT or
 * SIGTERM (it installs watchers for both). Returns 0 after a clean stop, -1
 * when it cannot listen (logged). An app runs once: a second lv_app_run or
 * lv_app_start is refused with -1. The server ignores SIGPIPE process-wide
 * (a client gone mid-write must not kill the program). */
int lv_app_run(lv_app *app);
/* Serves on a thread of the library's own and returns 0 once listening
 * (lv_app_port is then valid), or -1 when it cannot listen, with the reason
 * logged and the thread joined. Installs no signal handlers: a program that
 * wants Ctrl-C to stop the app installs its own handler calling lv_app_stop.
 * An app runs once (see lv_app_run). */
int lv_app_start(lv_app *app);
/* Blocks until an app started with lv_app_start has stopped (lv_app_stop)
 * and its thread is joined; returns what lv_app_run would have. Call it
 * once, not from the loop thread (refused with -1), and only after
 * lv_app_start returned 0 (else -1). */
int lv_app_wait(lv_app *app);
/* Asks the app to stop; safe from any thread and from signal handlers,
 * before, during or after the run. Before it runs, the app stops as soon
 * as it listens. Every loop stops; open views get terminate
 * (LV_TERMINATE_SHUTDOWN) on their own loop. lv_app_run and lv_app_wait
 * return once every loop has ended. */
void lv_app_stop(lv_app *app);
/* Frees the app: after lv_app_run returned or lv_app_wait did. Freeing an
 * app that is still running is a bug: it is logged and the program aborts.
 * Tasks posted to an app that never ran are run here first. */
void lv_app_free(lv_app *app);
/* The port the app listens on once running (useful with port 0); 0 before. */
int lv_app_port(const lv_app *app);

/* Work posted to the loop thread; arg is the poster's. */
typedef void (*lv_post_fn)(lv_app *app, void *arg);
/* Runs fn(app, arg) on loop 0's thread, after what is queued before it:
 * the way for another thread of the program to run code on a loop (to
 * broadcast, to use the broker). Loop 0 is not every view's loop: reach a
 * view by broadcasting to a topic it subscribed to. Safe from any thread,
 * but not from a signal handler (it allocates). Returns 0, or -1 once the
 * app is stopping (lv_app_stop was called), when fn never runs.
 *
 * Every fn for which lv_app_post returned 0 runs exactly once, and before
 * lv_app_run or lv_app_wait returns (the queue is drained when the app
 * stops, before the connections close), so fn may free arg. Posted before
 * the app runs, fn waits until the loop runs; if the app never runs, it
 * runs in lv_app_free. Tasks from one thread run in the order posted. */
int lv_app_post(lv_app *app, lv_post_fn fn, void *arg);
/* Replaces the session serializer chosen by lv_config.session_serde with the
 * app's own (copied; its free_ctx, if any, runs when the app is freed). */
void lv_app_set_serde(lv_app *app, const lv_serde *serde);

/* ------------------------------------------------------------------------
 * Plain HTTP requests, the session cookie, and session data for views.
 *
 * Besides LiveViews an app can serve plain HTTP handlers (a login form's
 * POST, a download). Every request, page or handler, sees the session kept
 * in a signed cookie (HttpOnly, SameSite=Lax, Secure when configured).
 * Handlers for methods other than GET and HEAD are protected against CSRF:
 * the request must carry the page's token in a `_csrf_token` field or an
 * `x-csrf-token` header, or it is refused with 403 before the handler runs.
 * ------------------------------------------------------------------------ */

typedef struct lv_request lv_request;

/* Handles a request: read it, change the session, then respond with one of
 * the lv_respond_* functions (a handler that does not respond sends 204). */
typedef void (*lv_http_handler)(lv_request *req);

/* Serves handler for method ("GET", "POST", ...) at an exact path. Returns 0,
 * or -1 when the path is taken. */
int lv_http_route(lv_app *app, const char *method, const char *path, lv_http_handler handler);

const char *lv_request_method(const lv_request *req);
const char *lv_request_path(const lv_request *req);
/* A request header (any case), or NULL. */
const char *lv_request_header(const lv_request *req, const char *name);
/* A cookie sent with the request, or NULL. */
const char *lv_request_cookie(const lv_request *req, const char *name);
/* The query parameters and, for POST, the url-encoded form body. */
const lv_params *lv_request_params(const lv_request *req);

/* The session: string values by key. Changes are sent back as a new cookie
 * with the response. Keys starting with "_" are reserved. */
const char *lv_session_get(const lv_request *req, const char *key);
void lv_session_put(lv_request *req, const char *key, const char *value);
void lv_session_delete(lv_request *req, const char *key);
/* Empties the session and renews its CSRF state (do it at login and logout,
 * against session fixation). A session that held data (keys set with
 * lv_session_put) is revoked as well: a copy of its old cookie no longer
 * signs anyone in, on any process of a cluster (docs/security.md). */
void lv_session_clear(lv_request *req);
/* "Log out everywhere": ends every session, on every process, whose `key`
 * holds the value it holds in this request's session (lv_session_get), then
 * clears this one. Nothing happens but the clear when the key is unset. */
void lv_session_revoke_everywhere(lv_request *req, const char *key);
/* Ends every session created before now whose `key` holds `value` (an
 * admin signing a user out), on every process. Returns 0, or -1 for a
 * NULL or empty key or value. Safe from any thread. */
int lv_sessions_revoke(lv_app *app, const char *key, const char *value);

/* Responses. body is copied. A redirect is a 303 to a local path. */
void lv_respond(lv_request *req, int status, const char *content_type, const char *body, size_t len);
void lv_respond_redirect(lv_request *req, const char *path);
/* A dead page (Phoenix's controller `render` with a layout): `html`, a
 * trusted fragment (copied), inside the app's root layout (lv_app_layout) or
 * the default page, with the page's CSRF token and the client's tags but no
 * LiveView container. The layout's assigns hook runs as for a view's page;
 * `page_title` is lv_config.title (or the layout's default_title). */
void lv_respond_page(lv_request *req, int status, const char *html);

/* The session data handed to views' mount, as a JSON object text the caller
 * frees, or NULL for none. The default returns the cookie session; an app
 * may replace it (for example to read its own authentication cookie). It is
 * serialized into the page with the session serializer and comes back,
 * verified, as mount's `session` on the join. */
typedef char *(*lv_session_data_fn)(const lv_request *req, void *ctx);
void lv_app_set_session_data(lv_app *app, lv_session_data_fn fn, void *ctx);
/* The default lv_session_data_fn: the cookie session as a JSON object. */
char *lv_cookie_session_data(const lv_request *req, void *ctx);

/* ------------------------------------------------------------------------
 * Static files (docs/static.md).
 *
 * A folder on disk or files compiled into the program, served under a URL
 * prefix with a content type by extension, an ETag (If-None-Match gets
 * 304), `Cache-Control: no-cache` (browsers revalidate, cheaply), and the
 * gzip copy when the client accepts gzip. A prefix owns every path below
 * it: its files answer GET and HEAD, anything else there is 404 or 405,
 * before views and handlers are looked at. Register mounts before
 * lv_app_run, from the thread that created the app.
 * ------------------------------------------------------------------------ */

/* One file compiled into a program: the CMake function lv_embed_static
 * (cmake/LiveViewStatic.cmake) writes tables of these. */
typedef struct lv_embedded_file {
    const char *path;          /* relative to the embedded folder: "img/logo.png" */
    const unsigned char *data;
    size_t len;
    const char *etag;          /* a quoted hash of data: "\"1f2e...\"" */
    const unsigned char *gzip; /* data compressed with gzip, or NULL */
    size_t gzip_len;
    const char *gzip_etag;     /* a quoted hash of gzip, or NULL */
} lv_embedded_file;

/* Serves the regular files under dir at url_prefix ("/static": GET
 * /static/img/a.png is dir/img/a.png), and dir/<file>.gz in place of <file>
 * to clients that accept gzip. Refused with 400 or 404: "..", "." and
 * encoded slashes or backslashes, dotfiles, directories (no listing),
 * symbolic links (never followed) and files larger than
 * max_outbound_bytes. Files are read when requested, on the loop thread,
 * and kept in memory until their size or modification time changes. The
 * prefix starts with '/', is not "/" and names no other mount. Returns 0,
 * or -1 after logging why (dir cannot be opened, bad or taken prefix). */
int lv_static(lv_app *app, const char *url_prefix, const char *dir);
/* Serves a table of embedded files at url_prefix, as lv_static does a
 * folder. files (count rows) is borrowed: it must outlive the app (the
 * generated tables are static). Returns 0, or -1 as lv_static. */
int lv_static_embedded(lv_app *app, const char *url_prefix, const lv_embedded_file *files,
                       size_t count);

/* ------------------------------------------------------------------------
 * The root layout: the page around every view (docs/layouts.md).
 *
 * Without one, a page is a minimal HTML document: the title, the client's
 * tags and the view. An app's own layout is a template, compiled and
 * escaped like a view's, that writes the whole document:
 *
 *     <!DOCTYPE html>
 *     <html lang="en"><head>
 *       <meta charset="utf-8">
 *       <meta name="csrf-token" content="{{csrf_token}}">
 *       {{live_title}}
 *       <link rel="stylesheet" href="/static/site.css">
 *       {{live_client}}
 *     </head><body>
 *       <nav><a href="/" class="{{#if (eq path "/")}}current{{/if}}">Home</a></nav>
 *       {{inner_content}}
 *     </body></html>
 *
 * The library's assigns (set after the app's, so they always hold):
 *   inner_content  the view's container with the view inside (trusted HTML)
 *   live_client    the <link>/<script> tags that load the client (trusted HTML)
 *   live_title     <title data-prefix=".." data-suffix="..">prefix title suffix</title>:
 *                  the client keeps the prefix and suffix when a view changes
 *                  its title with lv_page_title (trusted HTML)
 *   page_title     the view's title (lv_page_title in mount), else the
 *                  app's assign default_title (a string; live_title then
 *                  also carries it as data-default, which the client shows
 *                  when a view sets an empty title), else lv_config.title
 *   csrf_token     the page's CSRF token, which the client reads from
 *                  <meta name="csrf-token" content="{{csrf_token}}">
 *   path           the request's path, for a navigation bar
 * The layout is rendered with each page load: a live navigation
 * (lv_push_navigate, data-phx-link="redirect") keeps it as it was.
 * ------------------------------------------------------------------------ */

typedef struct lv_layout {
    /* Names the layout in error messages. Default "layout". */
    const char *name;
    /* The template, as text or as a file (embedded or read now), exactly as
     * lv_view's template_text and template_file. */
    const char *template_text;
    const char *template_file;
    /* What live_title puts around the view's title ("Acme · ", " | Acme");
     * NULL for none. */
    const char *title_prefix;
    const char *title_suffix;
    /* Optional: the app's own assigns for one page, added to `assigns` (a
     * map: lv_map_set_str(assigns, "user", ...)) from the request (its path,
     * its session with lv_session_get). user is the field below. Runs on
     * the loop thread, for every page render. */
    void (*assigns)(const lv_request *req, lv_value *assigns, void *user);
    void *user;
} lv_layout;

/* Makes layout the root layout of every page of app (NULL: back to the
 * default). Compiles the template now; returns 0, or -1 after printing why
 * (a syntax error with its line and column, an unreadable file, a template
 * that never renders {{inner_content}}). The library keeps the pointer: the
 * layout and its strings must outlive the app. */
int lv_app_layout(lv_app *app, const lv_layout *layout);

/* ------------------------------------------------------------------------
 * Uploads: files from a <input type="file"> to the server, the official
 * client's way (docs/uploads.md). In mount, allow an upload by name; the
 * template renders {{live_file_input uploads.photos}} inside a form with
 * phx-change and phx-submit; the client then sends the file in chunks over
 * the WebSocket, and in the submit's handle_event the view consumes the
 * finished files. The library keeps the assign "uploads" (a map: name ->
 * {name, ref, accept, max_entries, max_file_size, auto_upload, errors,
 * entries}, each entry {ref, upload_ref, client_name, client_type,
 * client_size, progress, done, valid, preflighted, errors}); errors are code
 * strings ("too_large", "not_accepted", "too_many_files"...), which
 * {{upload_error_text code}} says in words. Every limit is enforced on the
 * bytes received, not on what the client claims.
 * ------------------------------------------------------------------------ */

/* One file of an upload, as the view sees it. Strings are valid until the
 * callback it was given to returns (or the next lv_uploaded_entries). */
typedef struct lv_upload_entry {
    const char *ref;         /* the client's ref for it */
    const char *client_name; /* what the browser called it: never a path to trust */
    const char *client_type; /* what the browser said it is: a claim, not a check */
    int64_t client_size;     /* the declared size */
    int64_t received;        /* bytes stored so far */
    int progress;            /* 0-100, as the client reported it */
    bool done;               /* every declared byte arrived */
    bool valid;              /* no error */
    const char *error;       /* the first error code, or NULL */
    /* The file holding the bytes, in the private upload directory; set for
     * done entries. lv_consume_uploaded_entries' callback may move (rename)
     * it elsewhere. NULL for an external upload's entries (the bytes went
     * elsewhere). */
    const char *path;
} lv_upload_entry;

/* Told each time an entry's progress changes (as handle_event would be,
 * on the view's thread; its assign changes are rendered). Return 0. */
typedef int (*lv_upload_progress_fn)(lv_socket *socket, const char *name, const lv_upload_entry *entry);

typedef struct lv_upload_config {
    /* Extensions and MIME types, separated by spaces or commas: ".png .jpg
     * image/png"; a MIME type may have the wildcard subtype '*' (any image:
     * "image/" followed by '*'). NULL or "": anything. Checked against the
     * client's claims (its file name and type), not the bytes. */
    const char *accept;
    /* Files at once. 0: 1. */
    unsigned max_entries;
    /* Largest file in bytes, enforced on the declared size and on the bytes
     * received. 0: 8 000 000. */
    int64_t max_file_size;
    /* Bytes per chunk the client sends; a larger chunk is refused. 0:
     * 64 000. At most lv_config.max_message_bytes - 1024. */
    unsigned chunk_size;
    /* Milliseconds without a chunk before an upload is stopped and its file
     * removed. 0: 10 000. */
    unsigned chunk_timeout_ms;
    /* Upload as soon as files are chosen, without waiting for the submit. */
    bool auto_upload;
    /* Optional. */
    lv_upload_progress_fn progress;
    /* Optional: Phoenix's `external`. The browser sends each file itself,
     * with the JavaScript uploader that meta names (the LiveSocket's
     * `uploaders` option), straight to storage instead of over this
     * server's socket. At the preflight it runs once per valid entry and
     * fills meta (an empty map the library owns) with what that uploader
     * needs: "uploader" (its name, a string) is required; anything else (a
     * presigned URL, form fields) goes along. Return 0, or -1 to refuse the
     * entry (external_client_failure). The client reports the progress; an
     * entry is done at 100, with no path. */
    int (*external)(lv_socket *socket, const lv_upload_entry *entry, lv_value *meta);
} lv_upload_config;

/* Allows an upload called name (letters, digits, '_'; the file input's
 * name) with config (copied; NULL for the defaults). In mount (connected
 * or not) or later; allowing the same name again replaces its config and
 * cancels its entries. Returns 0, or -1 (logged) for a bad name or accept
 * list or a socket that is a component's. */
int lv_allow_upload(lv_socket *socket, const char *name, const lv_upload_config *config);
/* Cancels one entry (ref from the template, e.g. phx-value-ref) of upload
 * name: its transfer stops and its file is removed. Returns 0, or -1 when
 * there is no such entry. */
int lv_cancel_upload(lv_socket *socket, const char *name, const char *entry_ref);
/* Called once per finished file. Return true when the callback took the
 * file (moved or renamed entry->path, or removed it itself); on false the
 * library removes it. */
typedef bool (*lv_upload_consume_fn)(lv_socket *socket, const lv_upload_entry *entry, void *ctx);
/* Hands each done entry of upload name to fn, then drops them from the
 * upload; entries still in progress stay. Returns how many were handed, or
 * -1 for an unknown name. */
int lv_consume_uploaded_entries(lv_socket *socket, const char *name, lv_upload_consume_fn fn, void *ctx);
/* The entries of upload name: *in_progress and *done receive arrays (valid
 * until the next call on the socket) of *in_progress_count and *done_count
 * pointers. Returns 0, or -1 for an unknown name. */
int lv_uploaded_entries(lv_socket *socket, const char *name, const lv_upload_entry *const **in_progress,
                        size_t *in_progress_count, const lv_upload_entry *const **done, size_t *done_count);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
