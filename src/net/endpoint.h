/* The one interface between a server (the bytes) and what answers it (the
 * decisions). A server adapter -- net/server.c on libuv today; a long-poll
 * transport or another web server tomorrow -- parses requests and frames and
 * calls an lv_endpoint; the endpoint decides what to answer and never sees a
 * socket, a loop or which server carries it. endpoint/endpoint.c is the app's
 * endpoint.
 *
 * Everything here is plain data and function pointers, so the decisions can
 * be driven directly by unit tests, and nothing here names libuv.
 *
 * Threading: every call into the endpoint, and every use of what the server
 * lends it (lv_endpoint_conn, lv_runtime), happens on the thread
 * running the server's loop. */
#ifndef LV_NET_ENDPOINT_H
#define LV_NET_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/runtime.h"

typedef struct lv_http_response lv_http_response;

/* What a server lends for answering a request later (a long poll): the
 * endpoint sets lv_http_response.held during http and answers once through
 * respond, on the loop thread, unless on_held_close came first. */
typedef struct lv_http_hold_ops {
    /* Sends res (read during the call; the caller frees it) as the answer
     * to the held request. The handle is dead afterwards. */
    void (*respond)(void *handle, const lv_http_response *res);
} lv_http_hold_ops;

typedef struct lv_http_hold {
    const lv_http_hold_ops *ops; /* NULL: this server cannot hold requests */
    void *handle;
} lv_http_hold;

/* One complete HTTP request. Every pointer is borrowed from the server and
 * valid only during the call it is passed to. */
typedef struct lv_http_request {
    const char *method;         /* "GET", "HEAD", "POST", ... */
    const char *path;           /* the target up to '?', starts with '/' */
    const char *query;          /* the target after '?', or NULL */
    const char *const *headers; /* name, value, name, value, ..., NULL; or NULL */
    const char *body;           /* kept only when wants_body said so */
    size_t body_len;
    const char *peer_addr;      /* the client's IP address as text, "" when unknown */
    int peer_port;
    lv_http_hold hold;          /* valid until answered or on_held_close */
    void *adapter_data;         /* an adapter's own pointer (lv_request_adapter_data) */
} lv_http_request;

/* The value of the first header with that name (any case), or NULL. */
const char *lv_http_request_header(const lv_http_request *req, const char *name);

/* The answer to one request, written by the endpoint and sent (then freed
 * with lv_http_response_free) by the server. The server adds Content-Length,
 * X-Content-Type-Options: nosniff and, when it closes, Connection: close. */
struct lv_http_response {
    int status;
    char *content_type;         /* owned; NULL for no Content-Type */
    lv_buf headers;             /* whole lines "Name: value\r\n" (Set-Cookie, Location, ...) */
    /* The body: either bytes that outlive the server's run (an asset's
     * static bytes, sent without a copy) or body_buf's own data. */
    const char *body;
    size_t body_len;
    lv_buf body_buf;            /* owned storage body may point into */
    bool head_only;             /* send Content-Length of the body but not the body (HEAD) */
    bool close;                 /* close the connection after this response */
    /* Set by the endpoint: nothing is sent now; the answer comes later
     * through the request's hold (the rest of res is ignored). held_ctx is
     * what on_held_close gets. While held, the connection reads nothing
     * else (a pipelined request closes it). */
    bool held;
    void *held_ctx;
};

#define LV_HTTP_RESPONSE_INIT {0}

/* The reason phrase the server writes after a status code. */
const char *lv_http_status_text(int status);
/* Sets content_type to a copy of type (NULL for none). */
void lv_http_response_set_type(lv_http_response *res, const char *type);
/* Makes body_buf (taken from *body, which is left empty) the body. */
void lv_http_response_take_body(lv_http_response *res, lv_buf *body);
/* The plain-text error every refusal gets: "<status> <reason>\n". */
void lv_http_response_error(lv_http_response *res, int status, bool close);
void lv_http_response_free(lv_http_response *res);

/* What a server lends the endpoint for one accepted socket. Sends made after
 * the connection started closing are dropped; the handle must not be used
 * after on_close. */
typedef struct lv_endpoint_conn_ops {
    /* Sends one text message; data is only read during the call. */
    void (*send_text)(void *handle, const char *data, size_t len);
    /* Closes the socket with a WebSocket close code (1000, 1001, 1008...)
     * and a short reason; on_close follows once it is closed. */
    void (*close)(void *handle, uint16_t code, const char *reason);
} lv_endpoint_conn_ops;

typedef struct lv_endpoint_conn {
    const lv_endpoint_conn_ops *ops; /* static: outlives every connection */
    void *handle;
} lv_endpoint_conn;

typedef enum lv_endpoint_close {
    LV_ENDPOINT_CLOSED,   /* the peer left, broke the protocol or timed out */
    LV_ENDPOINT_SHUTDOWN, /* the server is stopping */
} lv_endpoint_close;


typedef struct lv_endpoint {
    void *ctx; /* passed to the calls below that do not take a conn_ctx */
    /* Where clients open sockets (e.g. "/live/websocket"): what a server
     * registers its WebSocket handler at. Any request there is a handshake;
     * the server checks the RFC 6455 part and calls upgrade. */
    const char *socket_path;

    /* Whether to keep the body of a request whose head just arrived (path
     * without the query). NULL: keep every body. */
    bool (*wants_body)(void *ctx, const char *method, const char *path);
    /* Answers one request (every path but socket_path). res starts as
     * LV_HTTP_RESPONSE_INIT. */
    void (*http)(void *ctx, const lv_http_request *req, lv_http_response *res);

    /* A valid handshake at socket_path. Returns 0 to accept, with
     * *conn_ctx set to what later calls for this socket get, or the HTTP
     * status to refuse with (the server answers it and closes). conn is
     * valid until on_close; nothing may be sent before this returns. */
    int (*upgrade)(void *ctx, const lv_http_request *req, lv_endpoint_conn conn, void **conn_ctx);
    /* One complete message from the client. */
    void (*on_text)(void *conn_ctx, const char *data, size_t len);
    void (*on_binary)(void *conn_ctx, const uint8_t *data, size_t len);
    /* Whether the socket has joined anything yet (a socket that has not
     * after the server's join grace is closed). NULL: never asked. */
    bool (*joined_any)(void *conn_ctx);
    /* The socket is gone; called once, never from inside another call for
     * the same socket, so conn_ctx can be freed here. */
    void (*on_close)(void *conn_ctx, lv_endpoint_close reason);

    /* Whether a TCP peer is a proxy whose forwarded headers are believed:
     * its connections are not counted against its own address (NULL: none
     * is). */
    bool (*trusted_peer)(void *ctx, const char *peer_addr);
    /* The client behind a trusted peer, as the request's forwarded headers
     * say, written into out (size bytes); a WebSocket opened through a
     * trusted proxy counts against this address. */
    void (*client_address)(void *ctx, const lv_http_request *req, char *out, size_t size);

    /* A held request (lv_http_response.held) will never be answered: its
     * client went away, its connection timed out (the server's idle
     * timeout) or the server is stopping. Called once, never from inside
     * respond or another call for that request. */
    void (*on_held_close)(void *held_ctx, lv_endpoint_close reason);
    /* The server begins to stop, before it closes the connections: the
     * endpoint ends what no connection carries (long-poll sessions) and
     * stops their timers. May be NULL. */
    void (*stopping)(void *ctx);

    /* The server listens on port and lends rt until stopped (both may be
     * NULL). */
    void (*started)(void *ctx, const lv_runtime *rt, int port);
    /* Every socket is closed and the loop is drained: rt is gone. */
    void (*stopped)(void *ctx);
} lv_endpoint;

#endif
