/* The libuv server: one loop serving HTTP/1.1 and WebSockets, which hands
 * every complete request and message to an lv_endpoint (net/endpoint.h) and
 * writes back what it answers. It knows limits, deadlines and
 * backpressure; nothing of views, sessions or routes. */
#ifndef LV_NET_SERVER_H
#define LV_NET_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "net/endpoint.h"
#include "util/task_queue.h"

/* What the servers of one process count together (one per loop, on their
 * own threads): bytes buffered in unfinished WebSocket messages and HTTP
 * bodies, open connections in all and per client address. Lives as long as
 * every server given it. */
typedef struct lv_server_shared {
    atomic_size_t buffered_bytes;
    atomic_uint connections;
    pthread_mutex_t lock; /* guards by_address */
    struct lv_address_count *by_address[256];
} lv_server_shared;

void lv_server_shared_init(lv_server_shared *sh);
void lv_server_shared_destroy(lv_server_shared *sh);

typedef struct lv_server_config {
    const char *host; /* IPv4 or IPv6 literal */
    int port;         /* 0: any free port (the endpoint's started gets it) */
    size_t max_header_bytes;
    size_t max_body_bytes;
    size_t max_message_bytes;  /* one WebSocket message */
    size_t max_outbound_bytes; /* queued to a client that does not read */
    unsigned header_timeout_s;
    unsigned idle_timeout_s;
    /* Seconds to finish a WebSocket message once its first byte arrived,
     * and an HTTP body once its head arrived; pings and trickled bytes do
     * not extend them (0: no deadline). */
    unsigned message_timeout_s;
    unsigned body_timeout_s;
    /* Seconds a WebSocket may stay open without a joined view (the
     * endpoint's joined_any says); 0: no limit. */
    unsigned join_grace_s;
    /* Process-wide (over every server sharing `shared`): bytes buffered in
     * unfinished messages and bodies, connections in all and per client
     * address; 0: no limit. */
    size_t max_buffered_bytes;
    unsigned max_connections;
    unsigned max_connections_per_address;
    /* Borrowed; NULL: this server counts on its own. */
    lv_server_shared *shared;
    /* Stop on SIGINT and SIGTERM (lv_app_run); a server started beside a
     * program's own code leaves the signals to the program. */
    bool handle_signals;
    /* Work other threads post to this loop (may be NULL), borrowed: it must
     * outlive the server. The loop runs it once listening and whenever
     * lv_server_wake is called; when stopping (or when it cannot listen) it
     * closes it and runs what is left, so every accepted task runs once
     * before lv_server_run returns. */
    lv_task_queue *tasks;
    /* Bind with SO_REUSEPORT, so that several servers of this process (one
     * per loop) listen on one port and the kernel spreads the connections
     * over them. The first checks that the port is free without it;
     * joins_port says the port is the first one's, already bound. */
    bool reuse_port;
    bool joins_port;
    /* Run the loop (tasks, timers, the thread pool) without listening: the
     * app is served by an adapter of its own (liveview_adapter.h). The
     * port reported is 0. */
    bool no_listen;
    /* Called on the loop thread when the server begins to stop (whatever
     * asked it to: lv_server_stop or a signal), so its siblings can stop
     * too. May be NULL. */
    void (*on_stopping)(void *ctx);
    void *on_stopping_ctx;
} lv_server_config;

typedef struct lv_server lv_server;

/* A server for cfg (copied; host must outlive the server) answering
 * through ep (copied; what it points to must outlive the server). */
lv_server *lv_server_new(const lv_server_config *cfg, const lv_endpoint *ep);
/* Binds and listens, on any thread before lv_server_run (which then serves
 * on its own): returns the port, or -1 (logged). Calling it again returns
 * the same answer. */
int lv_server_listen(lv_server *s);
/* Listens (unless lv_server_listen did) and serves until lv_server_stop (or SIGINT or SIGTERM when
 * cfg.handle_signals), then runs the tasks left, closes every connection and
 * drains the loop. Returns 0, or -1 when it could not listen. Call once; the
 * calling thread is the loop thread. */
int lv_server_run(lv_server *s);
/* Asks the server to stop, from any thread or a signal handler; before
 * lv_server_run, it stops as soon as it listens. */
void lv_server_stop(lv_server *s);
/* Asks the loop to run its task queue soon; from any thread or a signal
 * handler, before, during or after lv_server_run (then it does nothing). */
void lv_server_wake(lv_server *s);
/* Frees a server whose lv_server_run returned (or never ran). */
void lv_server_free(lv_server *s);

#endif
