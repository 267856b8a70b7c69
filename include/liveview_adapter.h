/* liveview_adapter.h: serving an app's LiveViews from a web server of your
 * own (docs/integration.md).
 *
 * The library never needs to own a socket. A web server that already runs
 * in the program (CivetWeb, a device's own HTTP stack) becomes an
 * "adapter": it parses HTTP and WebSocket frames itself and hands the
 * library plain data through the functions below; the library answers
 * with plain data and callbacks. Pages, the client's assets, lv_static
 * mounts, lv_http_route handlers, LiveView sockets (and long poll, for an
 * adapter that can answer a request later) all work this way, through the
 * very code the built-in libuv server uses: every check (Host, Origin,
 * CSRF at connect and join, form tokens) and every limit of the channel
 * (views per connection, message size, join grace) holds for adapter
 * sockets as for built-in ones. The built-in server is itself a user of
 * this API.
 *
 * The adapter's part:
 *   - route HTTP requests to lv_adapter_http (every path the app serves:
 *     its pages, "/assets/...", its handlers; the adapter decides which
 *     paths it leaves to the library);
 *   - a WebSocket at LV_ADAPTER_SOCKET_PATH: lv_adapter_socket_open with the
 *     upgrade request (refuse the handshake with the status it returns),
 *     then every complete message to lv_adapter_socket_text (binary
 *     messages, upload chunks, to lv_adapter_socket_binary), and
 *     lv_adapter_socket_closed once the connection is gone;
 *   - the two callbacks of lv_adapter_socket_ops: write a text message,
 *     close the connection;
 *   - session data, if the adapter has its own session store: an
 *     lv_session_data_fn (liveview.h, lv_app_set_session_data) reading the
 *     request's cookies or headers, and lv_request_adapter_data for the
 *     adapter's own pointer. Its own session serializer, if any:
 *     lv_app_set_serde;
 *   - the app's loops running: lv_adapter_start (no listener of the
 *     library's) or lv_app_start/lv_app_run (the built-in listener too);
 *     then lv_app_stop, lv_app_wait, lv_app_free as usual.
 *
 * Threads: every function here is safe from any thread once the app's
 * loops run (lv_adapter_start or lv_app_start returned 0, or inside
 * lv_app_run), so a web server's worker threads call in directly. Each
 * request and each socket is handled on one of the app's loop threads
 * (a socket stays on the loop that opened it, with its views), and the
 * library calls the adapter's callbacks there: respond, send_text and
 * close run on a loop thread, never on the thread that called in (unless
 * that thread is the loop's own). So what the callbacks touch must be
 * safe to use from that thread while the adapter's own threads run: with
 * CivetWeb, mg_websocket_write from a thread other than the connection's
 * handler needs mg_lock_connection around it. A socket's messages are
 * handled in the order the calls that fed them returned (one queue per
 * loop), whatever threads made them. Callbacks must not block for long
 * (they hold up every view of that loop) and must not call back into
 * lv_adapter_socket_closed for the same socket (a close request is
 * answered by closing the connection; the adapter's close handler then
 * calls lv_adapter_socket_closed, from its own thread).
 *
 * Limits that stay the adapter's: connections in all and per address,
 * request head and body sizes, idle and read timeouts, outbound
 * backpressure (a send_text that cannot be written should close the
 * connection rather than queue without bound). The library checks a
 * message against lv_config.max_message_bytes and counts bytes queued
 * for its loops against lv_config.max_buffered_bytes.
 *
 * Memory: pointers passed in are borrowed for the call (copied if kept);
 * what a callback receives is valid only during the callback. */
#ifndef LIVEVIEW_ADAPTER_H
#define LIVEVIEW_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liveview.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* Where the official client opens its WebSocket, and where it long-polls
 * when WebSockets fail (a plain HTTP path: hand it to lv_adapter_http; it
 * needs an adapter whose respond may come later, see lv_adapter_http). */
#define LV_ADAPTER_SOCKET_PATH "/live/websocket"
#define LV_ADAPTER_LONGPOLL_PATH "/live/longpoll"

/* One HTTP request (or WebSocket upgrade request), as the adapter parsed
 * it. Every pointer is borrowed for the call it is passed to. */
typedef struct lv_adapter_request {
    const char *method;         /* "GET", "POST", ... */
    /* The request-target as sent, not decoded: "/counter?x=1". Must start
     * with '/'. */
    const char *target;
    /* name, value, name, value, ..., NULL (names in any case; a header sent
     * twice appears twice). NULL for none. Include Host, Cookie, Origin. */
    const char *const *headers;
    const char *body;           /* the whole body, or NULL */
    size_t body_len;
    const char *peer_addr;      /* the TCP peer's IP address as text, or NULL */
    int peer_port;
    /* The adapter's own pointer for this request, returned by
     * lv_request_adapter_data to its lv_session_data_fn and handlers (for
     * instance its connection, to reach its session store). May be NULL. */
    void *user_data;
} lv_adapter_request;

/* The answer to one request: the adapter writes the status line, the
 * headers below, Content-Type, Content-Length (body_len) and then the body
 * (none when head_only). Borrowed: valid only during the respond call. */
typedef struct lv_adapter_response {
    int status;
    const char *reason;         /* the reason phrase ("OK"; "" for an unusual status) */
    const char *content_type;   /* NULL: send no Content-Type */
    /* Further header lines, each "Name: value\r\n" (Set-Cookie, Location,
     * Cache-Control, Content-Security-Policy, ...); headers_len 0 for none. */
    const char *headers;
    size_t headers_len;
    const char *body;
    size_t body_len;
    bool head_only;             /* a HEAD answer: Content-Length of body_len, no body */
    bool close;                 /* close the connection after this response */
} lv_adapter_response;

/* Receives the one response to a request; res is valid only during the
 * call. Runs on a loop thread of the app. */
typedef void (*lv_adapter_respond_fn)(void *ctx, const lv_adapter_response *res);

/* Starts the app's loops on threads of the library's own, without the
 * built-in listener: timers, async work, pub/sub and broadcasts then run
 * for adapter sockets. Returns 0 once they run, -1 (logged) when they
 * cannot. Then, as after lv_app_start: lv_app_stop (any thread),
 * lv_app_wait, lv_app_free. An app runs once: lv_adapter_start,
 * lv_app_start and lv_app_run exclude each other. lv_app_port is 0. */
int lv_adapter_start(lv_app *app);

/* Whether the library will read the body of this request (a handler's or
 * a long poll's); any other body may be discarded unread. target as in
 * lv_adapter_request. */
bool lv_adapter_wants_body(lv_app *app, const char *method, const char *target);

/* Answers one HTTP request: a page (the dead render, with the session
 * cookie), a client asset, an lv_static file, an lv_http_route handler,
 * 404, 405, a long poll. respond(ctx, res) is called exactly once, on a
 * loop thread: usually before this returns when called on a loop thread,
 * soon after otherwise; a long poll's GET is answered when it has
 * something to say or its window (lv_config.longpoll_window_ms) ends, so an
 * adapter that cannot answer later must not route LV_ADAPTER_LONGPOLL_PATH
 * here (or turn lv_config.longpoll off). Returns 0, or -1 (respond is
 * never called: answer 503 yourself) when the app's loops do not run or
 * are stopping, or req is malformed (NULL fields, a target not starting
 * with '/'). */
int lv_adapter_http(lv_app *app, const lv_adapter_request *req, lv_adapter_respond_fn respond,
                    void *ctx);

/* lv_adapter_http for a server whose request handler runs on its own
 * thread and answers before it returns (CivetWeb's): blocks until the
 * response is there and copies it into *out (owned: free it with
 * lv_adapter_reply_free). Not from a loop thread of the app's (a callback):
 * returns -1 there. Returns 0, or -1 as lv_adapter_http (then *out is
 * empty, free to free). */
typedef struct lv_adapter_reply {
    lv_adapter_response response; /* points into storage */
    void *storage;                /* the library's */
} lv_adapter_reply;
int lv_adapter_http_wait(lv_app *app, const lv_adapter_request *req, lv_adapter_reply *out);
void lv_adapter_reply_free(lv_adapter_reply *reply);

/* ------------------------------------------------------------------------
 * LiveView sockets
 * ------------------------------------------------------------------------ */

typedef struct lv_adapter_socket lv_adapter_socket;

/* What the library calls for one socket, on the socket's loop thread, with
 * the ctx given to lv_adapter_socket_open. The struct must outlive the
 * socket (declare it static const). */
typedef struct lv_adapter_socket_ops {
    /* Write one text message (a WebSocket text frame) to the client; data
     * is valid only during the call. Never called after close or after
     * lv_adapter_socket_closed returned. */
    void (*send_text)(void *ctx, const char *data, size_t len);
    /* The library wants the connection closed, with a WebSocket close code
     * (1000, 1001 when the app stops, 1008 for a policy violation such as a
     * socket that joined nothing within lv_config.join_grace_s, 1009 for a
     * message too big) and a short reason. Close it; the adapter then calls
     * lv_adapter_socket_closed as for any other close. Called at most once. */
    void (*close)(void *ctx, uint16_t code, const char *reason);
} lv_adapter_socket_ops;

/* Opens a LiveView socket for an upgrade request at LV_ADAPTER_SOCKET_PATH
 * (its target with the query the client sent, its Host, Origin and Cookie
 * headers, its peer address). The library checks Host and Origin, the
 * client's protocol version and the connect-time CSRF token. Returns 0 and
 * sets *out when accepted (finish the handshake; messages may be fed at
 * once), or the HTTP status to refuse the handshake with (403 for a foreign
 * Origin or a wrong version, 421 for a Host not allowed, 400 malformed),
 * or -1 when the app's loops do not run or are stopping (answer 503).
 * Nothing is sent before the client's first message. The WebSocket
 * handshake itself (Upgrade, Sec-WebSocket-Key/Version/Accept) is the
 * adapter's. Blocks until the socket's loop has decided, unless called on a
 * loop thread (the socket then lives on that loop). ops and ctx: see
 * lv_adapter_socket_ops; *out is the library's until
 * lv_adapter_socket_closed. */
int lv_adapter_socket_open(lv_app *app, const lv_adapter_request *upgrade,
                           const lv_adapter_socket_ops *ops, void *ctx, lv_adapter_socket **out);

/* One complete text message from the client (a Phoenix channel frame),
 * copied; handled on the socket's loop after everything fed before it.
 * Returns 0, or -1 when it is not taken: the app is stopping, the message
 * is larger than lv_config.max_message_bytes or over
 * lv_config.max_buffered_bytes queued (the library then asks close with
 * 1009 or 1013), or, on the loop thread, the socket is closing. A message
 * taken from another thread for a socket that is closing by the time the
 * loop reaches it is dropped there. A malformed frame is answered on the
 * socket, as the protocol says, not here. */
int lv_adapter_socket_text(lv_adapter_socket *socket, const char *data, size_t len);
/* One complete binary message (an upload chunk), like
 * lv_adapter_socket_text. */
int lv_adapter_socket_binary(lv_adapter_socket *socket, const void *data, size_t len);

/* The connection is gone (the client left, the adapter closed it, or it
 * did after the library's close). Ends the socket's views (terminate with
 * LV_TERMINATE_CLOSED, or LV_TERMINATE_SHUTDOWN when the app stopped
 * first) and frees the socket. Returns once the library has let go of it:
 * no callback for it runs after this returns, so the adapter may free ctx.
 * Call it exactly once per accepted socket, also after the app has
 * stopped (and before lv_app_free). From a foreign thread it waits for the
 * socket's loop; do not call it from inside this socket's callbacks. */
void lv_adapter_socket_closed(lv_adapter_socket *socket);

/* The user_data of the lv_adapter_request a request (handler or page
 * render, or the lv_session_data_fn) came from; NULL for a request of the
 * built-in server. */
void *lv_request_adapter_data(const lv_request *req);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
