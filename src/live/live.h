/* The LiveView runtime's internals, shared by live/, channel/ and endpoint/.
 *
 * live/ owns the app (configuration, routes, signing keys), the socket (one
 * view instance: assigns, private state, queued infos), the view lifecycle
 * (lifecycle.h) and the dead render of a page. It never touches a socket:
 * the server calls endpoint/endpoint.c, which dispatches HTTP (lv_page_render
 * for pages) and hands WebSocket messages to the channel, which runs them
 * through the lifecycle. */
#ifndef LV_LIVE_LIVE_H
#define LV_LIVE_LIVE_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "liveview.h"
#include "render/assigns.h"
#include "render/render.h"
#include "render/tmpl.h"
#include "security/csrf.h"
#include "security/origin.h"
#include "security/proxy.h"
#include "security/serde.h"
#include "security/token.h"
#include "util/buf.h"
#include "util/form.h"
#include "util/redis_url.h"
#include "util/runtime.h"
#include "util/task_queue.h"
#include "util/value.h"

/* Random bytes in a view id: 12 bytes = 96 bits, 16 base64url characters. */
#define LV_ID_BYTES 12
#define LV_ID_LEN (4 + 16) /* "phx-" + 16 */

/* What callbacks receive as const lv_params *: a read-only view of a map
 * that whoever calls the callback owns. Numbers read as text are formatted
 * once into `texts`, which the params own, so the strings lv_param returns
 * live exactly as long as the params (lv_params_release frees them). */
struct lv_params {
    const lv_value *map;           /* borrowed: a MAP, or NULL for none */
    struct lv_param_text *texts;   /* owned: numbers read as text so far */
};

/* A view of map (borrowed; NULL reads as empty), valid while map is. */
lv_params lv_params_of(const lv_value *map);
/* Frees what reading the params allocated; the map is not touched. */
void lv_params_release(lv_params *params);

typedef struct lv_route_entry {
    char *path;
    const lv_view *view;
    lv_tmpl *tmpl;
    const lv_live_session *session; /* borrowed; NULL: the "default" session */
} lv_route_entry;

/* Live sessions (live/live_session.c). */
#define LV_DEFAULT_LIVE_SESSION "default"
/* Adds a route in session (NULL: the default one); lv_route and
 * lv_live_route. Returns 0, or -1 after logging why. */
int lv_app_add_route(lv_app *app, const char *path, const lv_view *view, const lv_live_session *session);
/* The name of the route's live session. */
const char *lv_route_session_name(const lv_route_entry *route);
/* Runs the on_mount hooks of the socket's route before its mount. Returns
 * LV_ON_MOUNT_CONT, LV_ON_MOUNT_HALT, or -1 when a hook failed. */
int lv_live_session_run_hooks(lv_socket *socket, const lv_params *params, const lv_params *session);

typedef struct lv_http_route_entry {
    char *method;
    char *path;
    lv_http_handler handler;
} lv_http_route_entry;


typedef struct lv_pubsub lv_pubsub; /* live/pubsub.c */
typedef struct lv_presence lv_presence; /* live/presence.c */
struct lv_app_files;    /* endpoint/files.c: the client's files, lv_static mounts */

/* One event loop of the app: lv_config.workers of them, each on its own
 * thread with its own connections and views. A view stays on the loop that
 * accepted its socket (socket->loop), so its callbacks, timers, async
 * results and pub/sub deliveries all run on that one thread, one at a time.
 * Loop 0 also runs lv_app_post's tasks and the broker's callbacks. */
typedef struct lv_loop {
    lv_app *app;
    unsigned index;
    lv_runtime runtime;    /* lent by this loop's server while it runs */
    lv_task_queue tasks;   /* work posted to this loop from any thread */
    lv_pubsub *pubsub;     /* this loop's subscribers; its thread only */
    atomic_uint sockets_opened; /* WebSockets accepted here (balance, tests) */
    /* endpoint/run.c's: the loop's lv_server while it serves; threads that
     * wake it count themselves in server_users, which the run waits out
     * before freeing it. */
    _Atomic(void *) server;
    atomic_int server_users;
    /* endpoint/adapter.c's, this loop's thread only: the sockets and the
     * held requests of adapters other than the built-in server, ended or
     * answered when the loop stops. */
    struct lv_adapter_socket *adapter_sockets;
    struct adapter_http *adapter_held;
} lv_loop;

/* A registered component: its definition, and the view and route entry that
 * let its instances be ordinary sockets. */
typedef struct lv_component_entry {
    const lv_component *def;
    lv_view view;
    lv_route_entry route;
} lv_component_entry;

struct lv_app {
    lv_config config;
    lv_loop *loops;       /* config.workers of them */
    unsigned loop_count;
    lv_broker broker;
    /* With a broker of one's own: how many loops subscribe to each topic,
     * so the broker hears of a topic once for the process (live/pubsub.c). */
    pthread_mutex_t topics_lock;
    struct lv_topic_count *topic_counts;
    size_t topic_count_len;
    bool broker_is_custom; /* lv_app_set_broker was called */
    lv_presence *presence; /* created with the app; has its own lock */
    struct lv_revocations *revocations; /* revoked sessions (live/sessions.c); own lock */
    lv_component_entry **components;
    size_t component_count;
    /* Views that templates may nest with {{live_render}} (live/nested.c). */
    lv_route_entry *live_views;
    size_t live_view_count;
    lv_key flash_key;     /* flash carried across navigations */
    lv_route_entry *routes;
    size_t route_count;
    lv_http_route_entry *http_routes;
    size_t http_route_count;
    lv_key session_key;   /* data-phx-session (JWT serde) */
    lv_key cookie_key;    /* the session cookie */
    lv_key aead_key;      /* data-phx-session (encrypted serde) */
    lv_key longpoll_key;  /* long-poll session tokens (endpoint/longpoll.c) */
    lv_serde serde;       /* how data-phx-session is made and read */
    lv_session_data_fn session_data;
    void *session_data_ctx;
    lv_origin_policy origins;
    lv_trusted_proxies trusted_proxies;
    lv_host_allowlist allowed_hosts; /* empty: any Host */
    char *csp;               /* the Content-Security-Policy, or NULL when off */
    bool csp_is_default;     /* csp is ours: the page's ws:/wss: are added */
    const lv_layout *layout; /* the app's root layout, or NULL (live/layout.c) */
    lv_view layout_view;     /* its template's source, for templates.c */
    lv_tmpl *layout_tmpl;    /* compiled, or NULL for the default page */
    atomic_bool stop_requested;
    atomic_bool run_claimed;  /* an app runs once: lv_app_run or lv_app_start */
    atomic_bool running;      /* from run/start until run returns or wait joined */
    struct lv_app_runner *runner; /* lv_app_start's thread until lv_app_wait */
    pthread_t home_thread;    /* lv_app_new's: the loop thread while not running */
    /* endpoint/adapter.c's: the loop the next adapter request or socket
     * goes to, and bytes adapters queued for the loops (max_buffered_bytes). */
    atomic_uint adapter_next_loop;
    atomic_size_t adapter_queued_bytes;
    /* Owned by endpoint/files.c, which sets files_free to release them. */
    struct lv_app_files *files;
    void (*files_free)(struct lv_app_files *files);
    /* Owned by endpoint/longpoll.c, which sets longpoll_free. */
    struct lv_longpoll *longpoll;
    void (*longpoll_free)(struct lv_longpoll *lp);
    char *asset_tags; /* owned: the client's <link>/<script> tags, once prepared */
    /* lv_config.redis_url parsed (host NULL when not set), and the broker
     * that endpoint/broker.c runs while the app is served. */
    lv_redis_url redis_url;
    struct lv_redis_broker *redis_broker;
    atomic_int bound_port;
    /* Uploads (live/upload.c): the key of upload tokens, the private
     * directory (made on first use unless configured; under upload_dir_lock),
     * the bytes reserved by uploads in flight, and the file operations. */
    lv_key upload_key;
    pthread_mutex_t upload_dir_lock;
    char *upload_dir;
    bool upload_dir_created;
    _Atomic int64_t upload_bytes_in_flight;
    const struct lv_upload_io *upload_io;
};

/* Whether the calling thread may use the app's loop-thread-only functions
 * now: a thread running one of its loops, or, while it does not run (before
 * lv_app_run or lv_app_start, after they end, and in tests that never run
 * it), the thread that created it. */
bool lv_app_on_loop_thread(const lv_app *app);
/* The loop the calling thread runs for app: its own loop thread's, loop 0
 * for the creating thread while the app does not run, else NULL. */
lv_loop *lv_app_current_loop(const lv_app *app);
/* Marks the calling thread as the one running loop, until
 * lv_app_leave_loop. */
void lv_app_enter_loop(lv_loop *loop);
void lv_app_leave_loop(void);
/* Runs fn(loop->app, arg) on loop's thread, after what was posted to it
 * before (endpoint/run.c). Any thread. Returns 0, or -1 when the loop is
 * stopping: fn then never runs and arg stays the caller's. */
int lv_loop_post(lv_loop *loop, lv_post_fn fn, void *arg);
/* WebSockets accepted by loop `index` of app so far (tests, balance). */
unsigned lv_app_loop_sockets(const lv_app *app, unsigned index);

/* One HTTP request as the decision code sees it: filled by endpoint/endpoint.c
 * from what the server parsed, read and answered by handlers and the dead
 * render, turned into the server's response by endpoint/endpoint.c. */
struct lv_request {
    lv_app *app;
    const char *method;      /* borrowed for the request's life */
    const char *path;        /* NUL-terminated copy of the path */
    const char *query;       /* the raw query string or NULL */
    const char *const *headers; /* name, value, name, value, ..., NULL */
    lv_value params;         /* query + form body (+ path params of a page): a MAP */
    lv_params params_view;   /* over params */
    json_t *session;         /* the cookie session (an object; never NULL) */
    bool session_changed;    /* send a new cookie with the response */
    bool csrf_in_body;       /* params' _csrf_token came from the form body */
    /* The response. */
    int status;              /* 0 until a handler responds */
    char *content_type;
    lv_buf body;
    char *location;
    lv_buf extra_headers; /* whole header lines, each ending in CRLF */
    void *adapter_data;   /* lv_adapter_request.user_data (lv_request_adapter_data) */
};

/* Fills req from a parsed request (whose strings it borrows; headers are
 * name, value, ..., NULL): the params from the query and an urlencoded form
 * body, and the session. Returns false, with nothing to free, when the
 * query or body cannot be decoded. */
bool lv_request_init(lv_request *req, lv_app *app, const char *method, const char *path,
                     const char *query, const char *const *headers, const char *body, size_t body_len);
/* Decodes req->query and, when body is not NULL, a url-encoded form body
 * into req->params (a field of the body replaces one of the query) and sets
 * params_view over them. On failure the params are empty and the status
 * says why (the caller answers 400). */
lv_form_status lv_request_decode_params(lv_request *req, const char *body, size_t body_len);
/* Decodes the session cookie of req (an invalid or expired one counts as
 * none) and makes sure it holds a CSRF state, creating one (and marking the
 * session changed) when missing. */
void lv_request_load_session(lv_request *req);
/* The CSRF state of the request's session (24 characters). */
const char *lv_request_csrf_state(const lv_request *req);
/* The Set-Cookie header line (without CRLF) for the session when it
 * changed, else NULL. The caller frees it. */
char *lv_request_session_cookie(lv_request *req);
/* True when a non-GET request carries a CSRF token (field or header) that
 * matches its session. */
bool lv_request_csrf_ok(const lv_request *req);
/* Frees what the request owns (not the borrowed strings). */
void lv_request_free(lv_request *req);
/* Finds a handler route; NULL when none. *path_known tells whether another
 * method is served at that path (405 rather than 404). */
const lv_http_route_entry *lv_app_find_http_route(const lv_app *app, const char *method,
                                                  const char *path, bool *path_known);

/* Where a view wants the client to go, set by lv_push_patch and friends and
 * carried out by the channel (or the dead render) after the callback. */
typedef enum lv_nav_kind { LV_NAV_NONE = 0, LV_NAV_PATCH, LV_NAV_NAVIGATE, LV_NAV_REDIRECT } lv_nav_kind;

typedef struct lv_nav {
    lv_nav_kind kind;
    bool replace;
    char *to; /* owned */
} lv_nav;

/* Everything a view rarely uses, allocated on first use so an idle counter
 * pays one pointer for all of it. */
typedef struct lv_socket_extras {
    struct lv_timer_rec *timers;
    struct lv_async_job *jobs;
    char **topics; /* subscriptions, owned */
    size_t topic_count;
    bool presence;   /* tracked presences once (live/presence.c): untrack at the end */
    lv_value events; /* [[name, payload], ...] to send: a LIST, or null for none */
    lv_value reply;  /* hook reply to send: a MAP, or null for none */
    char *title;     /* current title, owned */
    bool title_changed;
    lv_nav nav;
    int next_timer_id;
    struct lv_components *components; /* instances of this view, live/components.c */
    lv_value temporaries; /* name -> default of lv_temporary_assign: a MAP, or null */
    struct lv_uploads *uploads;       /* live/upload.c */
} lv_socket_extras;

/* What a WebSocket's handshake told about the client, kept by its
 * connection (the channel) for every join on it: lv_connect_info's keys. */
typedef struct lv_connect_data {
    char *peer_address;   /* owned: the TCP peer, "" when unknown */
    char *client_address; /* owned: the client behind trusted proxies (security/proxy.h) */
    char *user_agent;     /* owned; NULL when the handshake had none */
} lv_connect_data;

void lv_connect_data_free(lv_connect_data *d);

/* What lv_connect_params and lv_connect_info read, lent to the socket for
 * its connected mount only (Phoenix's get_connect_params is mount-only
 * too): nothing stays on an idle view. */
typedef struct lv_connect {
    lv_params params;            /* the join's params without "_" keys */
    int mounts, mount_attempts;  /* "_mounts" and "_mount_attempts", or -1 */
    const lv_connect_data *info; /* NULL when the connection gave none */
} lv_connect;

/* A message queued with lv_send_info. */
typedef struct lv_info {
    struct lv_info *next;
    char *name;
    lv_value payload; /* a MAP */
    bool render_only; /* no handle_info: render what changed (async assigns, uploads) */
    /* lv_send_update: payload {"component","id","assigns"} for a component's
     * update, not an info for handle_info. */
    bool component_update;
} lv_info;

struct lv_socket {
    lv_app *app;
    lv_loop *loop; /* where the view lives: its callbacks, timers and infos */
    const lv_route_entry *route;
    lv_assigns assigns;
    lv_render_state *render_state; /* what the client has, for minimal diffs; NULL when stateless */
    void *state;
    lv_info *infos_head; /* queued by lv_send_info, drained by the channel */
    lv_info *infos_tail;
    lv_socket_extras *extras; /* NULL until needed */
    const lv_connect *connect; /* during the join's mount step only, else NULL */
    /* Who drains infos that arrive outside a callback (timers, broadcasts,
     * async results): the channel, while joined. */
    void *owner;
    void (*notify)(void *owner, lv_socket *socket);
    bool connected;
    bool warned_missing_csrf;
    lv_socket *parent; /* for a component's socket: the view holding it */
    /* For a nested LiveView (live_render) joined over the socket: the view
     * that rendered it, on the same channel, which ends its children before
     * itself (live/nested.c); NULL for a root or sticky view. */
    lv_socket *view_parent;
    /* lv_link_parent: a crash of this nested view crashes view_parent. */
    bool linked_to_parent;
    int cid;           /* for a component's socket */ /* a form event without _csrf_token was logged */
    char id[LV_ID_LEN + 1];
    char csrf_state[LV_CSRF_STATE_LEN + 1]; /* that form tokens must match */
};

/* Looks up the route registered with exactly this pattern; NULL when none. */
const lv_route_entry *lv_app_find_route(const lv_app *app, const char *path, size_t len);
/* Matches a request path (len bytes, without the query) against the routes'
 * patterns; adds the ":name" values to params (when non-NULL). NULL when no
 * route matches or a segment is not valid percent-encoded UTF-8. */
const lv_route_entry *lv_app_match_route(const lv_app *app, const char *path, size_t len,
                                         lv_value *params);

/* Async work (live/runtime.c, live/async.c). Where a job's result goes: an
 * info to handle_info (lv_start_async), AsyncResult assigns
 * (lv_assign_async), or a stream and its AsyncResult (lv_stream_async). */
typedef enum lv_async_target { LV_ASYNC_INFO = 0, LV_ASYNC_ASSIGNS, LV_ASYNC_STREAM, LV_ASYNC_STREAM_RESET } lv_async_target;
/* Starts fn(arg) on the thread pool. assign_key NULL: the result becomes
 * info `name`; else lv_async_assign_finish gets it. Returns 0, or -1 (arg
 * freed) when the view is not connected. */
int lv_async_job_start(lv_socket *s, const char *name, lv_async_fn fn, void *arg, void (*free_arg)(void *arg),
                       const char *assign_key, lv_async_target target);
/* Orphans the running jobs of key (an assign key when assign_key, else an
 * lv_start_async name): their results are dropped unseen. Returns how many. */
int lv_async_job_orphan(lv_socket *s, const char *key, bool assign_key);
/* On the view's loop: a job of lv_assign_async/lv_stream_async finished
 * with result (taken; NULL for failure). Sets the assigns and queues a
 * render. */
void lv_async_assign_finish(lv_socket *s, const char *key, lv_async_target target, lv_value *result);
/* Resets the temporary assigns to their defaults after a render, without
 * marking them changed (live/async.c). */
void lv_temporary_assigns_reset(lv_socket *s);

/* The socket's extras, allocated on first use. */
lv_socket_extras *lv_socket_extras_of(lv_socket *socket);
/* Stops the socket's timers, orphans its async jobs and ends its
 * subscriptions: called before terminate's socket is freed. */
void lv_socket_release_runtime(lv_socket *socket);
/* Queues an info with payload (a MAP, taken). */
void lv_socket_queue_info(lv_socket *socket, const char *name, lv_value payload);
/* A payload argument of the public API (borrowed; NULL for an empty map)
 * as a copy in *out. False when it is not a map, or, when it will travel
 * as JSON (as_json), when JSON cannot carry it (util/value_json.h). */
bool lv_payload_copy(const lv_value *payload, bool as_json, lv_value *out);
/* Queues a re-render of the view (after a change the library made outside
 * any message: an upload timed out) and tells the owner. */
void lv_socket_queue_rerender(lv_socket *socket);
/* Tells the owner that infos are waiting (no-op without an owner). */
void lv_socket_notify(lv_socket *socket);
/* True for a local path a browser cannot read as another host. */
bool lv_local_path(const char *path);
/* A signed flash token for the socket's flash map, or NULL when empty. */
char *lv_flash_token(lv_socket *socket);
/* Sets the "flash" assign from a flash token; invalid tokens are ignored. */
void lv_flash_from_token(lv_socket *socket, const char *token);
/* The flash map of a token as a JSON object (new reference), or NULL. */
json_t *lv_flash_decode(lv_app *app, const char *token);

/* Components (live/components.c). The hooks render a view's component
 * slots: over the WebSocket they mount/update instances and collect their
 * trees for the "c" key; for the dead render they append HTML. */
lv_component_hooks lv_components_hooks(lv_socket *view_socket);
/* Appends ,"c":{...} (the trees collected since the last call) to the JSON
 * object ending `out`, when there are any; returns true if it did. */
bool lv_components_take_c(lv_socket *view_socket, lv_buf *out, bool has_keys);
/* Forgets that the client has the view's components, so each is sent whole
 * the next time it renders: a tree replaced whole (top-level "s") drops the
 * client's components with it. */
void lv_components_resend(lv_socket *view_socket);
/* The definition of a component's socket (socket->parent is set). */
const lv_component *lv_component_def_of(const lv_socket *component);
/* The component instance of cid in the view, or NULL. */
lv_socket *lv_components_find(lv_socket *view_socket, int64_t cid);
/* Collects one component's changes (and its new nested components) for
 * the view's next "c". */
void lv_components_collect_one(lv_socket *component);
/* The instance of component `name` with `id` in the view, or NULL. */
lv_socket *lv_components_find_by_id(lv_socket *view_socket, const char *name, const char *id);
/* Runs the component's update (update_many with one socket when it has
 * that) with params, or assigns them when it has neither. Returns 0, or
 * the callback's failure. */
int lv_component_run_update(lv_socket *component, const lv_params *params);
/* The payload of an lv_send_update info (taken): {"component","id","assigns"}. */
lv_value lv_component_update_payload(const char *component, const char *id, const lv_value *assigns, bool *ok);
/* cids_destroyed: forgets the cids (a LIST of integers; anything else
 * counts as none) and appends the reply {"cids":[...]} naming them to out. */
void lv_components_destroy(lv_socket *view_socket, const lv_value *cids, lv_buf *out);
void lv_components_free(lv_socket *view_socket);
void lv_components_registry_free(lv_app *app);

/* Frees a loop's pub/sub table and the app's topic counts (at app free). */
void lv_pubsub_free(lv_pubsub *pubsub);
void lv_pubsub_counts_free(lv_app *app);
void lv_pubsub_remove_socket(lv_app *app, lv_socket *socket);
/* Tells the broker this process listens to topic with no view subscribed
 * (presence's internal topic, live/presence.c). Loop 0 (the broker's). Returns 0, or
 * the broker's refusal. */
int lv_pubsub_listen(lv_app *app, const char *topic);

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

/* The dead render of a page for req: mounts the route's view disconnected
 * with the request's session data, renders the root layout with a masked
 * CSRF token and the serialized session, and sets the response in req
 * (200, or 500 with an error page when mount failed). The request's session
 * must have been loaded (lv_request_load_session). */
void lv_page_render(lv_request *req, const lv_route_entry *route);
/* What the root layout wraps: one page's parts (live/layout.c). */
typedef struct lv_page_parts {
    const char *title;         /* the view's (lv_page_title), or NULL */
    const char *id;            /* the view's id */
    const char *csrf_token;    /* masked, for the meta tag */
    const char *session_token; /* data-phx-session */
    const lv_buf *inner;       /* the view's HTML */
} lv_page_parts;
/* A dead page (lv_respond_page) has no view: id and session_token are NULL
 * and the container is its HTML alone. */

/* Appends the view's container (the main view's div, with its id and
 * session) holding the view's HTML. */
void lv_page_container(const lv_page_parts *parts, lv_buf *out);
/* Renders the app's root layout (app->layout_tmpl must be set) around the
 * page's parts into out. */
void lv_layout_render(lv_request *req, const lv_page_parts *parts, lv_buf *out);
/* Frees the app's layout template (at app free). */
void lv_layout_free(lv_app *app);

/* Appends the <link> and <script> tags that load the client (its CSS, the
 * Phoenix and LiveView bundles, app.js) to a page's <head>. */
void lv_page_asset_tags(const lv_app *app, lv_buf *out);

/* Sets the assign "csrf_token" (what forms send back) to a masking of the
 * socket's CSRF state; `token` when given, else a fresh one. */
void lv_socket_set_csrf(lv_socket *socket, const char *state, const char *token);

/* What a verified join carries: the view id, the route and the CSRF state the
 * page was rendered with, and the session data for mount. */
typedef struct lv_join_claims {
    json_t *claims;          /* owned: the verified token payload */
    const char *id;          /* into claims */
    const char *route_path;  /* into claims; NULL for a nested view's token */
    const char *view_name;   /* into claims: a nested view's (live_render), else NULL */
    const char *parent_id;   /* into claims: a nested view's parent, NULL for a sticky one */
    const char *csrf_state;  /* into claims */
    lv_value session;        /* owned: the session data, a MAP */
} lv_join_claims;

/* Verifies a session token for a join on `topic` and the CSRF token the
 * client sent. When connect_state is non-NULL (the CSRF state the socket's
 * connection was authenticated with), the page must have been rendered for
 * that same session. Returns 0 and fills out (free with
 * lv_join_claims_free), or -1 with *why set to a static reason for the log.
 * Never logs the token. */
int lv_join_verify(lv_app *app, const char *topic, const char *session_token,
                   const char *csrf_token, const char *connect_state, lv_join_claims *out,
                   const char **why);
void lv_join_claims_free(lv_join_claims *c);

/* Nested LiveViews (live/nested.c, docs/nested.md). */
/* The registered view for {{live_render "name"}}, or NULL. */
const lv_route_entry *lv_live_view_find(const lv_app *app, const char *name);
void lv_live_views_free(lv_app *app);
/* The hook of a {{live_render}} slot in parent's template: the dead render
 * mounts the child and writes its container with its HTML inside; a
 * connected render writes the container alone, with the signed session
 * token the client joins the child with. */
void lv_nested_render(lv_socket *parent, const lv_component_call *call, lv_buf *out);

/* Unix time in seconds. */
int64_t lv_now_seconds(void);
/* Unix time in milliseconds. */
int64_t lv_now_ms(void);

/* The default Content-Security-Policy of pages (docs/security.md): no
 * inline script, no eval, styles from files plus style attributes (which
 * LiveView patches and progress bars set), sockets to the page's own host
 * (the endpoint appends ws:// and wss:// of the request's Host to
 * connect-src), no framing, no plugins, forms and <base> to this origin. */
#define LV_DEFAULT_CSP                                                                              \
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "  \
    "img-src 'self' data: blob:; font-src 'self'; object-src 'none'; base-uri 'self'; "                \
    "form-action 'self'; frame-ancestors 'none'; connect-src 'self'"

/* Revoked sessions (live/sessions.c). The internal topic that carries
 * revocations between the processes of a cluster: never delivered to
 * views. */
#define LV_SESSIONS_TOPIC "lv:sessions"
/* Whether the cookie session `session` (a JSON object) has been revoked. */
bool lv_sessions_refused(lv_app *app, json_t *session);
/* Revokes the session id sid (this process and, through the broker, the
 * others). */
void lv_sessions_revoke_id(lv_app *app, const char *sid);
/* A revocation published by another process (or echoed back by ours). */
void lv_sessions_receive(lv_app *app, const char *message, size_t len);

#endif
