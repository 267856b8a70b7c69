/* The integration API (include/liveview_adapter.h) on the endpoint: every
 * LiveView socket, the built-in server's and any adapter's, is an
 * lv_adapter_socket, fed and closed through the same functions; only the
 * built-in server's are fed on their loop thread directly (no queue), and
 * closed by the server itself when it stops. */
#ifndef LV_ENDPOINT_ADAPTER_H
#define LV_ENDPOINT_ADAPTER_H

#include <pthread.h>
#include <stdatomic.h>

#include "endpoint/endpoint.h"
#include <liveview_adapter.h>

struct lv_adapter_socket {
    /* First, so the socket is an lv_endpoint_socket too (what the test
     * browser and the endpoint tests read through conn_ctx). */
    lv_endpoint_socket base;
    lv_app *app;
    lv_loop *loop;
    void (*send_text)(void *ctx, const char *data, size_t len);
    void (*close)(void *ctx, uint16_t code, const char *reason);
    void *ctx;
    bool builtin;         /* the libuv server's: it closes it itself at a stop */
    /* The loop thread's only: */
    bool close_requested; /* close was called: nothing more is sent or read */
    bool channel_open;    /* until the channel is closed */
    void *grace_timer;    /* lv_config.join_grace_s, adapters' sockets */
    struct lv_adapter_socket *prev, *next; /* the loop's adapter_sockets */
    /* Any thread's: */
    atomic_uint queued;   /* messages posted, not yet handled */
    atomic_uint refs;     /* the adapter's (until closed) + each posted task */
    pthread_mutex_t lock; /* guards ended, with ended_cond */
    pthread_cond_t ended_cond;
    bool ended;           /* the channel is closed: closed may return */
};

/* The built-in server's side of lv_app_endpoint (net/endpoint.h): the
 * socket calls, on the loop thread, through the public functions. */
int lv_adapter_builtin_upgrade(void *app, const lv_http_request *http, lv_endpoint_conn conn,
                               void **conn_ctx);
void lv_adapter_builtin_text(void *conn_ctx, const char *data, size_t len);
void lv_adapter_builtin_binary(void *conn_ctx, const uint8_t *data, size_t len);
bool lv_adapter_builtin_joined_any(void *conn_ctx);
void lv_adapter_builtin_close(void *conn_ctx, lv_endpoint_close reason);

/* The calling loop is stopping (its queue is closed and run): ends its
 * adapters' sockets (close 1001, views terminated with SHUTDOWN) and
 * answers their held requests with 503. */
void lv_adapter_loop_stopping(lv_app *app);

#endif
