/* Phoenix's channel protocol over one connection (docs/protocol.md §1.3-1.7).
 *
 * It receives client text messages and answers through a send callback; it
 * never touches a socket, and it knows what a topic, a ref and a join_ref
 * are but not what a view does: joins, events and infos go to the view
 * lifecycle (live/lifecycle.h), whose answers it wraps into replies and
 * pushes. Rules it keeps:
 * - every push from the client gets exactly one reply, whatever it holds;
 * - messages are handled strictly in arrival order, one at a time; infos
 *   that arrive meanwhile wait until the message is answered;
 * - replies and pushes carry the join_ref of the join they belong to, and a
 *   message for an earlier join of a topic is unmatched;
 * - a second join of a topic replaces the first; several views may be
 *   joined on one connection, up to a limit. */
#ifndef LV_CHANNEL_CHANNEL_H
#define LV_CHANNEL_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "live/live.h"

/* Sends one text frame's payload; data is only valid during the call. */
typedef void (*lv_channel_send_fn)(void *ctx, const char *data, size_t len);

typedef struct lv_channel_view {
    char *topic;    /* owned */
    char *join_ref; /* owned */
    lv_socket *socket;
} lv_channel_view;

/* A joined upload channel, "lvu:<entry ref>" (docs/uploads.md): it carries
 * one entry's chunks to the view that made its token. */
typedef struct lv_channel_upload {
    char *topic;    /* owned */
    char *join_ref; /* owned */
    lv_socket *socket;
} lv_channel_upload;

typedef enum lv_connect_session {
    LV_CONNECT_UNCHECKED = 0, /* no connect-time check (unit tests) */
    LV_CONNECT_VERIFIED,      /* the socket URL's CSRF token matched the cookie session */
    LV_CONNECT_REFUSED,       /* it did not: every join is answered stale */
} lv_connect_session;

typedef struct lv_channel {
    lv_app *app;
    lv_channel_send_fn send;
    void *send_ctx;
    lv_connect_session connect;
    bool busy; /* handling a message: infos wait until it is answered */
    char connect_csrf_state[LV_CSRF_STATE_LEN + 1]; /* when VERIFIED */
    lv_connect_data *connect_info; /* owned; NULL when not given */
    lv_channel_view *views;
    uint32_t view_count;
    uint32_t view_cap;
    lv_channel_upload *uploads; /* owned */
    uint32_t upload_count;
} lv_channel;

void lv_channel_init(lv_channel *ch, lv_app *app, lv_channel_send_fn send, void *send_ctx);
/* Records the outcome of the connect-time check (as Phoenix does): with
 * state NULL the socket gets no session and every join is refused; with a
 * state, every joined page must have been rendered for that session. */
void lv_channel_set_connect_session(lv_channel *ch, const char *csrf_state);
/* Gives the channel what the handshake said about the client (taken:
 * freed with the channel), for its joins' lv_connect_info. */
void lv_channel_set_connect_info(lv_channel *ch, lv_connect_data *info);
/* Handles one complete text message. */
void lv_channel_handle_text(lv_channel *ch, const char *data, size_t len);
/* Handles one binary message (upload chunks, docs/protocol.md §1.8). */
void lv_channel_handle_binary(lv_channel *ch, const uint8_t *data, size_t len);
/* Ends every joined view (running terminate once each) and frees them. The
 * send callback is not used any more. */
void lv_channel_close(lv_channel *ch, lv_terminate_reason reason);
/* Frees the per-thread scratch memory of the channel code (at thread exit). */
void lv_channel_thread_cleanup(void);

#endif
