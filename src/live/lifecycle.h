/* The view lifecycle: the one step every path runs.
 *
 * A step runs one callback of a view (mount with handle_params, handle_params
 * after a patch, handle_event, handle_info, a component's handle_event),
 * follows the patches it asked for, renders only what changed and collects
 * what else the view asked of the client (components, title, pushed events,
 * a hook reply, flash, navigation). The join, every client message to a
 * joined view, every queued info and the HTTP render go through it; none of
 * them renders by hand.
 *
 * The functions here speak LiveView (what a join, an event or a live_patch
 * means) but not Phoenix's channel protocol: they never see a ref, a
 * join_ref or a frame. The channel wraps what they produce into replies and
 * pushes (docs/protocol.md §1.3-1.7). */
#ifndef LV_LIVE_LIFECYCLE_H
#define LV_LIVE_LIFECYCLE_H

#include <stdbool.h>

#include "live/live.h"
#include "util/buf.h"

/* The answer to a client message: a reply status and its payload (a JSON
 * object). `payload` points into per-thread scratch memory, valid until the
 * next lifecycle call on this thread. */
typedef struct lv_answer {
    bool ok;
    const char *payload;
    size_t len;
    /* The view's own callback failed (handle_event, handle_params, a patch
     * loop): the view crashed. Phoenix's channel process would die there, so
     * the channel sends phx_error instead of this reply and ends the view;
     * the client then rejoins it from scratch (docs/protocol.md §1.6). */
    bool crashed;
    /* The failing view was linked to its parent (lv_link_parent): that view
     * crashed too. Set with `crashed`, or with a failed join's answer. */
    const lv_socket *crashed_parent;
} lv_answer;

/* Sends one push of a joined view (a diff, or a navigation); the payload is
 * only valid during the call. */
typedef void (*lv_view_push_fn)(void *ctx, lv_socket *socket, const char *event,
                                const char *payload, size_t len);

/* What a join carries besides its payload: the outcome of the connection's
 * own check (docs/protocol.md §8.2). */
typedef struct lv_join_context {
    /* The socket's connect-time CSRF check failed: every join is stale. */
    bool connect_refused;
    /* The CSRF state the connection was authenticated with, or NULL when
     * no connect-time check ran (unit tests). */
    const char *connect_state;
    /* What the handshake said about the client (lv_connect_info), or NULL. */
    const lv_connect_data *connect_info;
    /* The view joined on this connection with this id (a nested view's
     * parent), or NULL; NULL function: no view is. */
    lv_socket *(*find_view)(void *find_ctx, const char *id);
    void *find_ctx;
} lv_join_context;

/* Verifies and mounts a join of `topic` ("lv:<id>") with the join's
 * payload, then renders the whole view. A nested view's token (live/nested.c)
 * names its parent, which must be joined on this connection (ctx->find_view):
 * the new socket's view_parent is then that view. Returns the new connected socket
 * (owned by the caller: end it with lv_view_end) with an ok answer holding
 * {"rendered":...}, or NULL with an error answer (stale, unauthorized, join
 * crashed, or a navigation away from mount). */
lv_socket *lv_view_join(lv_app *app, const char *topic, const lv_value *payload,
                        const lv_join_context *ctx, lv_answer *answer);

/* Handles a client message to a joined view other than phx_leave: "event"
 * (the view's or a component's), "live_patch", "cids_destroyed",
 * "cids_will_destroy"; anything else is answered ok with {} so every push
 * gets its reply (docs/protocol.md §1.7). */
void lv_view_handle(lv_socket *socket, const char *event, const lv_value *payload, lv_answer *answer);

/* Runs the view's queued infos (lv_send_info, timers, broadcasts, async
 * results) through handle_info, one step each, pushing what each changes. */
void lv_view_drain_infos(lv_socket *socket, lv_view_push_fn push, void *ctx);

/* Runs terminate once and frees the socket. */
void lv_view_end(lv_socket *socket, lv_terminate_reason reason);

/* ---- the step itself, for the HTTP render (live/page.c) ---- */

typedef enum lv_callback_kind {
    LV_CALLBACK_MOUNT,       /* mount, then handle_params with the same params */
    LV_CALLBACK_PARAMS,      /* handle_params after a live_patch */
    LV_CALLBACK_EVENT,       /* handle_event (a component's, on a component's socket) */
    LV_CALLBACK_INFO,        /* handle_info */
    LV_CALLBACK_CLEAR_FLASH, /* the client's lv:clear-flash */
    LV_CALLBACK_RENDER,      /* no callback: render what changed (async assigns) */
    LV_CALLBACK_UPDATE,      /* a component's update with params (lv_send_update) */
    LV_CALLBACK_LIBRARY,     /* the library's own work on the view (uploads): `run` */
} lv_callback_kind;

typedef struct lv_callback {
    lv_callback_kind kind;
    const char *name;         /* EVENT and INFO: its name; CLEAR_FLASH: the key or NULL */
    const lv_params *params;  /* MOUNT: URL params; EVENT: value; INFO: payload;
                               * PARAMS: the URL's params when already decoded, else NULL */
    const lv_params *session; /* MOUNT */
    const char *url;          /* MOUNT and PARAMS */
    /* LIBRARY: run(socket, arg), or nothing when NULL (a re-render). */
    int (*run)(lv_socket *socket, const void *arg);
    const void *arg;
} lv_callback;

/* How the step's output is shaped. */
typedef enum lv_step_mode {
    LV_STEP_JOIN,  /* {"rendered":...,"liveview_version":...} */
    LV_STEP_REPLY, /* {"diff":...} with a navigation, or {} */
    LV_STEP_PUSH,  /* a navigation push, then a diff push (infos) */
    LV_STEP_PAGE,  /* the view's HTML, for the dead render */
} lv_step_mode;

typedef enum lv_step_status {
    LV_STEP_OK,
    LV_STEP_FAILED, /* the callback failed or patched wrongly: `reason` */
    LV_STEP_AWAY,   /* JOIN and PAGE: mount sent the client elsewhere: `nav` */
} lv_step_status;

typedef struct lv_step {
    lv_step_status status;
    const char *reason; /* FAILED: a static reason for the client */
    bool mounted;       /* MOUNT: mount itself succeeded (terminate is due) */
    bool halted;        /* MOUNT: an on_mount hook halted it (mount never ran) */
    lv_nav nav;         /* AWAY, or PUSH: the navigation to carry out (owned) */
    lv_buf *out;        /* borrowed from the caller: reset after the callback,
                         * then holds the output for the mode (PUSH: the diff,
                         * nothing when none) */
} lv_step;

/* Runs cb on socket and renders for mode into step->out (zero the rest of
 * step first; free it with lv_step_free). A failed callback sends nothing:
 * the assigns it changed stay marked and go out with the next render, and
 * any navigation it asked for is dropped. */
void lv_step_run(lv_socket *socket, const lv_callback *cb, lv_step_mode mode, lv_step *step);
void lv_step_free(lv_step *step);

/* Frees the per-thread scratch memory of the lifecycle (at thread exit). */
void lv_lifecycle_thread_cleanup(void);

/* Appends "key":{"to":...} for a navigation (key live_patch, live_redirect
 * or redirect), with the flash token for a navigation that leaves the
 * view. */
void lv_nav_write(lv_socket *socket, const lv_nav *nav, lv_buf *out);

#endif
