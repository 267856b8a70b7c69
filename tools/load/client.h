/* The connections of liveview-load on one libuv loop: each loads the page,
 * opens the WebSocket, joins the view and clicks (client.c). */
#ifndef LV_LOAD_CLIENT_H
#define LV_LOAD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "load.h"

typedef struct load_config {
    load_url url;
    struct sockaddr_storage addr; /* the server, resolved once */
    const char *path;             /* the page, "/counter" */
    const char *socket_path;      /* "/live/websocket" */
    const char *event;            /* the phx-click event, "inc" */
    int connections; /* clicking */
    int idle;        /* more connections that join and hold, never click (--idle) */
    int pipeline;    /* events in flight per connection */
    double seconds;  /* measured */
    double warmup;   /* clicked but not measured, before */
    bool join_only;  /* join and hold, no events */
    int setup_concurrency;  /* connections loading and joining at once */
    double setup_timeout;   /* per connection: page, upgrade and join */
    double drain_timeout;   /* for the replies in flight when the time is up */
    double heartbeat_interval;
} load_config;

typedef struct load_result {
    uint64_t events;        /* ok replies to events in the measured time (and its drain) */
    uint64_t warmup_events; /* ok replies before it */
    uint64_t joined;
    uint64_t heartbeats;      /* heartbeat replies */
    uint64_t reply_bytes;     /* bytes of the measured events' ok replies (WebSocket payloads) */
    uint64_t pushes;          /* "diff" messages the server pushed on its own in the measured time (pub/sub) */
    uint64_t push_bytes;      /* their bytes (WebSocket payloads) */
    uint64_t error_replies;   /* event replies with another status than ok */
    uint64_t join_failures;   /* connections that never joined: connect, page, upgrade, join */
    uint64_t protocol_errors; /* unparseable frames or messages, replies to nothing in flight */
    uint64_t closed;          /* joined connections the server closed or errored */
    uint64_t unanswered;      /* events still in flight when the drain timed out */
    double seconds;           /* measured time, drain included */
    double setup_seconds;     /* from the start to every connection joined or failed */
    double client_cpu_seconds; /* this process's CPU time (user + system) in the measured time */
    load_hist hist;           /* send-to-reply latency of the measured events */
    char first_error[256];
} load_result;

/* What the caller does at the run's turning points (processes meet there; the
 * server's CPU time is read there). Each may be NULL. setup_done may block. */
typedef struct load_hooks {
    void *ctx;
    void (*setup_done)(void *ctx, const load_result *result);
    void (*measure_start)(void *ctx);
    void (*measure_end)(void *ctx);
} load_hooks;

uint64_t load_errors(const load_result *r);

/* Runs the whole load on a loop of its own and fills *result. Returns 0 when
 * something was measured, -1 when no connection could join (the reason is in
 * result->first_error). */
int load_run(const load_config *config, const load_hooks *hooks, load_result *result);

#endif
