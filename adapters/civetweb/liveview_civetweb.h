/* liveview_civetweb.h: LiveViews inside a CivetWeb server the program
 * already runs (docs/integration.md, "CivetWeb").
 *
 *     struct mg_context *ctx = mg_start2(&init, &error);   // your server
 *     lv_app *app = lv_app_new(NULL);
 *     lv_route(app, "/counter", &counter_view);
 *     lv_adapter_start(app);                    // the app's loops, no listener
 *     lv_civetweb_mount(app, ctx, "");          // pages, assets, the socket
 *     ...
 *     lv_app_stop(app); lv_app_wait(app);       // views end, sockets get 1001
 *     mg_stop(ctx);                             // CivetWeb closes the rest
 *     lv_civetweb_unmount(ctx);
 *     lv_app_free(app);
 *
 * The adapter is built on <liveview_adapter.h> only: CivetWeb parses HTTP
 * and WebSocket frames on its worker threads and the library answers
 * through that API. It is compiled into the program (not part of
 * libliveview), so programs without CivetWeb never link it. */
#ifndef LIVEVIEW_CIVETWEB_H
#define LIVEVIEW_CIVETWEB_H

#include <stddef.h>

#include <liveview.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

struct mg_context;
struct mg_connection;

/* What the adapter enforces itself: CivetWeb buffers a whole frame and a
 * whole body before the library sees them, so these bound what one
 * connection can make the adapter hold. */
typedef struct lv_civetweb_options {
    /* Largest message reassembled from fragments, and largest single
     * message passed on (a bigger one is closed with 1009). Keep it at
     * lv_config.max_message_bytes. Default 1 MiB (that field's default). */
    size_t max_message_bytes;
    /* Largest request body read for the library (413 beyond). Default
     * 1 MiB (lv_config's default). */
    size_t max_body_bytes;
    /* Bytes queued towards one WebSocket client that does not read before
     * it is closed (1008). Default 4 MiB (lv_config.max_outbound_bytes's
     * default). */
    size_t max_outbound_bytes;
} lv_civetweb_options;

/* Registers app's paths with CivetWeb's ctx: the WebSocket at
 * /live/websocket, the client's assets at /assets, and everything under
 * prefix (the app's pages, lv_http_route handlers, lv_static mounts and the
 * long-poll fallback at /live/longpoll). prefix "" (or NULL, or "/") hands
 * every path no handler of the program claims to the library; CivetWeb
 * tries exact and "path/..." matches of the program's own handlers first,
 * then patterns in the order they were registered, so mount before
 * registering a handler for "/" (which, as a pattern, matches every path).
 * Another prefix ("/app") hands only "/app" and "/app/..." over: the app's
 * routes are then registered with that prefix ("/app/counter").
 *
 * The app's loops must run (lv_adapter_start, or lv_app_start) before the
 * first request; a request that comes while they do not is answered 503.
 * Returns 0, or -1 (logged) for a NULL app or ctx, a prefix not starting
 * with '/', or no memory. What it allocates is freed by
 * lv_civetweb_unmount.
 *
 * Session data: the program's own session store is read by an
 * lv_session_data_fn (lv_app_set_session_data) that calls
 * lv_civetweb_connection(req) to reach the CivetWeb connection (its
 * cookies and headers: mg_get_cookie, mg_get_header). */
int lv_civetweb_mount(lv_app *app, struct mg_context *ctx, const char *prefix);
/* lv_civetweb_mount with options (NULL: the defaults). */
int lv_civetweb_mount_with(lv_app *app, struct mg_context *ctx, const char *prefix,
                           const lv_civetweb_options *options);

/* Frees what lv_civetweb_mount allocated for ctx. Call it after
 * mg_stop(ctx) returned (CivetWeb's handlers may run until then) and before
 * lv_app_free; ctx is only compared, never used. */
void lv_civetweb_unmount(struct mg_context *ctx);

/* The CivetWeb connection a page request or handler request came from
 * (for an lv_session_data_fn or an lv_http_handler): the user_data this
 * adapter gives lv_adapter_request, so NULL for a request of the built-in
 * server (and meaningless for another adapter's). Borrowed: valid during
 * the callback, while CivetWeb's worker thread waits for the answer. */
const struct mg_connection *lv_civetweb_connection(const lv_request *req);

/* For TLS with CivetWeb 1.15 on OpenSSL 3 (Debian 12): call it once before
 * mg_init_library, and link liveview_civetweb_tls (openssl3_compat.c),
 * without which the first HTTPS request crashes inside CivetWeb
 * (civetweb/civetweb#1334). Does nothing but make sure that library is
 * loaded. */
void lv_civetweb_openssl3_compat(void);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
