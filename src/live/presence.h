/* Presence (live/presence.c): who is tracked under which topic and key, on
 * this process and on the others of a cluster, kept in step over pub/sub.
 * docs/presence.md describes the design; this header exposes the pure state
 * machine (no app, no I/O, no clock: time is counted in heartbeat ticks) for
 * the unit tests, and the hooks the rest of live/ calls.
 *
 * Every node (process) publishes on one internal topic, LV_PRESENCE_TOPIC,
 * messages {"name":"presence","payload":P} where P is one of
 *   {"kind":"delta","node":N,"vsn":V,"diffs":{topic:{"joins":{..},"leaves":{..}}}}
 *   {"kind":"heartbeat","node":N,"vsn":V}
 *   {"kind":"sync","node":N,"to":M or "*"}      (asks M, or every node, for its state)
 *   {"kind":"state","node":N,"vsn":V,"topics":{topic:{key:{"metas":[..]}}}}
 * V counts the node's local changes: a delta applies only on top of the
 * one before it; a gap, an unknown node or a heartbeat ahead of what is
 * known asks that node for its whole state. */
#ifndef LV_LIVE_PRESENCE_H
#define LV_LIVE_PRESENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "liveview.h"
#include "util/value.h"

#define LV_PRESENCE_TOPIC "lv:presence"
#define LV_PRESENCE_HEARTBEAT_MS 1000
#define LV_PRESENCE_EXPIRY_BEATS 3

typedef struct lv_presence_state lv_presence_state;

/* What one step produced: diffs for this node's subscribers and messages
 * for the other nodes. Both owned by the out. */
typedef struct lv_presence_out {
    lv_value diffs;    /* MAP topic -> {"joins":{key:{"metas":[..]}},"leaves":{..}} */
    lv_value messages; /* LIST of payload MAPs to publish on LV_PRESENCE_TOPIC */
} lv_presence_out;

void lv_presence_out_init(lv_presence_out *out);
void lv_presence_out_free(lv_presence_out *out);

/* A state for node `node` (copied) that forgets a remote node after
 * expiry_beats ticks without a word from it. Free with
 * lv_presence_state_free. */
lv_presence_state *lv_presence_state_new(const char *node, unsigned expiry_beats);
void lv_presence_state_free(lv_presence_state *st);
const char *lv_presence_state_node(const lv_presence_state *st);

/* Tracks owner under (topic, key) with meta (a MAP, borrowed; the stored
 * copy gets a fresh "phx_ref"). Tracking a (topic, key) the owner already
 * tracks replaces its meta (the new one carries "phx_ref_prev"). */
void lv_presence_state_track(lv_presence_state *st, const void *owner, const char *topic,
                             const char *key, const lv_value *meta, lv_presence_out *out);
/* True when owner tracks (topic, key). */
bool lv_presence_state_tracks(const lv_presence_state *st, const void *owner, const char *topic,
                              const char *key);
/* Untracks one (topic, key) of owner, or all of owner's when topic is NULL. */
void lv_presence_state_untrack(lv_presence_state *st, const void *owner, const char *topic,
                               const char *key, lv_presence_out *out);
/* Applies a message's payload from another node (anything malformed, or
 * this node's own, is ignored). */
void lv_presence_state_receive(lv_presence_state *st, const lv_value *payload, lv_presence_out *out);
/* One heartbeat period passed: publishes this node's heartbeat (when it
 * tracks anything) and drops the nodes silent for too long. */
void lv_presence_state_tick(lv_presence_state *st, lv_presence_out *out);
/* Asks every node for its state (a node that just joined the cluster). */
void lv_presence_state_ask_all(lv_presence_state *st, lv_presence_out *out);
/* Whether ticks matter: something is tracked here or a remote node is known. */
bool lv_presence_state_busy(const lv_presence_state *st);
/* The presences of topic, local and remote: {key:{"metas":[meta..]}}, owned
 * by the caller. */
lv_value lv_presence_state_list(const lv_presence_state *st, const char *topic);

/* The app's presence (created with the app, freed with it). */
typedef struct lv_presence lv_presence;
lv_presence *lv_presence_new(void);
void lv_presence_free(lv_presence *p);
/* For tests: the heartbeat period and how many silent ones drop a node. */
void lv_presence_set_timing(lv_app *app, unsigned heartbeat_ms, unsigned expiry_beats);
/* This node's id, for tests. */
const char *lv_presence_node_id(lv_app *app);
/* A message published on LV_PRESENCE_TOPIC, on a loop thread. */
void lv_presence_receive(lv_app *app, const char *message, size_t len);
/* The view ends: its presences leave (lv_socket_release_runtime). */
void lv_presence_socket_ended(lv_socket *socket);
/* The loop's runtime is gone (endpoint stopped): forget its timer. */
void lv_presence_runtime_gone(lv_app *app);

#endif
