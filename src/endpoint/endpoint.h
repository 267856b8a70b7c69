/* The app's endpoint (net/endpoint.h): every decision the server used to
 * make about a request or a socket, made here without a socket in sight.
 *
 * endpoint/ is where a server meets the app, the top of the layers: it may
 * use net/ (to run the libuv server, endpoint/run.c), channel/ (one per
 * accepted socket) and live/. It cannot live in live/ itself, because
 * channel/ drives live/'s views and live/ must not know channel/.
 *
 * HTTP: the client's files and lv_static mounts (endpoint/files.h, checked
 * first), handler routes (with Plug's CSRF rule for state-changing
 * methods), pages (the dead render), 404 and 405.
 * Sockets: the Origin check, the serializer version, the connect-time CSRF
 * check; an accepted socket is one channel, which answers through the send
 * function the server lent. */
#ifndef LV_ENDPOINT_ENDPOINT_H
#define LV_ENDPOINT_ENDPOINT_H

#include "channel/channel.h"
#include "live/live.h"
#include "net/endpoint.h"

/* Where the official client opens its socket. */
#define LV_SOCKET_PATH "/live/websocket"

/* What an accepted socket's conn_ctx points to. */
typedef struct lv_endpoint_socket {
    lv_channel channel;
} lv_endpoint_socket;

/* What the checks every socket passes (WebSocket or long poll) found. */
typedef struct lv_socket_admission {
    /* The cookie session's CSRF state, "" when the request has no valid
     * session: what a long-poll session is bound to. */
    char cookie_state[LV_CSRF_STATE_LEN + 1];
    /* The socket URL's _csrf_token matched it (else joins are refused). */
    bool verified;
} lv_socket_admission;

/* The socket policy: the Origin check, the serializer version and the
 * connect-time CSRF check. Returns 0 with *out filled, or the HTTP status
 * to refuse with (403 for a foreign Origin or a wrong vsn). */
int lv_socket_admit(lv_app *app, const lv_http_request *http, lv_socket_admission *out);
/* Starts the channel of an admitted socket: its connect session and what
 * the request says about the client (lv_connect_info). */
void lv_socket_channel_init(lv_channel *ch, lv_app *app, const lv_http_request *http,
                            const lv_socket_admission *admission, lv_channel_send_fn send,
                            void *send_ctx);

/* The endpoint answering for app (its ctx). The client's files are served
 * once lv_app_files_prepare has run. */
lv_endpoint lv_app_endpoint(lv_app *app);

#endif
