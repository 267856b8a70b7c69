/* Streams: collections the client keeps and the server forgets
 * (docs/streams.md). A view inserts, deletes and resets items; the next
 * render (dead render, join or diff) sends what is pending in the 1.x
 * "stream" format (docs/protocol.md §4.1) and the pending operations are then
 * dropped, so a long feed costs the server nothing per item once sent.
 *
 * The streams of a view hang off its assigns (lv_assigns.streams in
 * render/assigns.h, which builds on this file, not the other way round):
 * that gives them the assigns' lifetime and their change tracking: a stream
 * with pending operations counts as a changed assign named
 * LV_STREAM_DEP_PREFIX "<name>" (the compiler makes a {{#stream name}} slot
 * depend on that name), and lv_assigns_clear_changed, which the channel
 * calls once a render has been sent, drops the pending operations. */
#ifndef LV_RENDER_STREAM_H
#define LV_RENDER_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/value.h"

/* Pending inserts kept per stream between two renders; past this the oldest
 * pending insert is dropped (logged once per render). */
#define LV_STREAM_MAX_PENDING 1000
/* Pending deletes per stream between two renders; the same rule. */
#define LV_STREAM_MAX_DELETES 1000
/* Streams per view. */
#define LV_STREAM_MAX_STREAMS 64
/* Bytes of a stream name, of a DOM id prefix, of a DOM id. */
#define LV_STREAM_MAX_NAME 64
#define LV_STREAM_MAX_DOM_ID 256
/* An insert position past this is refused (the client clamps to the end
 * anyway; a huge number is a bug). */
#define LV_STREAM_MAX_AT 1000000
/* |limit| past this is refused. */
#define LV_STREAM_MAX_LIMIT 1000000

/* The name a {{#stream name}} slot depends on in the assigns: a name no
 * template identifier can spell. */
#define LV_STREAM_DEP_PREFIX "@stream:"
#define LV_STREAM_DEP_PREFIX_LEN 8

typedef struct lv_stream_insert_op {
    lv_value item;  /* a map, with "dom_id" set */
    const char *dom_id; /* item's "dom_id" string (borrowed from item) */
    int32_t at;     /* -1 append, 0 prepend, n: at index n */
    int32_t limit;  /* 0: none; > 0 keep the first n, < 0 keep the last -n */
    bool update_only; /* the client updates the element if it has it, never adds it */
} lv_stream_insert_op;

typedef struct lv_stream_rec {
    char *name;
    char *prefix;          /* DOM ids are "<prefix>-<id>" */
    int32_t default_limit; /* for inserts given limit 0 */
    uint32_t ref;          /* the client's handle on the stream ("0", "1", ...) */
    /* Pending since the last render. inserts[head, count) are live. */
    lv_stream_insert_op *inserts;
    uint32_t head, count, cap;
    char **deletes;
    uint32_t delete_count, delete_cap;
    bool reset;
    bool warned; /* a cap was hit and logged since the last render */
    /* Bumped by every queued operation: a loop row holding the stream hashes
     * it, so the row is sent again exactly when the stream has news. */
    uint64_t version;
} lv_stream_rec;

typedef struct lv_streams {
    lv_stream_rec *items;
    uint32_t count;
    uint32_t cap;
} lv_streams;

/* The stream called name (len bytes), or NULL. ss may be NULL (no streams
 * yet). */
const lv_stream_rec *lv_streams_find(const lv_streams *ss, const char *name, size_t len);
/* True when the stream has something to send. */
bool lv_stream_pending(const lv_stream_rec *s);

/* The operations below return 0, or -1 after logging why (an invalid name,
 * item, position or limit; too many streams). *ss is the view's set of
 * streams, allocated on first use (NULL until then; lv_streams_free frees
 * it). A stream is created on first use with the defaults: prefix = name,
 * no limit. */

/* Sets the DOM id prefix (NULL: keep) and the default limit. */
int lv_streams_configure(lv_streams **ss, const char *name, const char *prefix, int limit);
/* Queues item (taken, freed on error too): a map with an "id" (integer or
 * non-empty string). "dom_id" is set in it to "<prefix>-<id>". Of several
 * inserts of one DOM id before a render only the last counts: the earlier
 * pending one is dropped. limit 0 uses the stream's default limit. */
int lv_streams_insert(lv_streams **ss, const char *name, lv_value item, int at, int limit);
/* The same, as an update only (Phoenix's update_only: true). */
int lv_streams_update(lv_streams **ss, const char *name, lv_value item);
/* Queues the removal of the element with this DOM id; drops a pending
 * insert of it. */
int lv_streams_delete(lv_streams **ss, const char *name, const char *dom_id);
/* The same for the DOM id of item (a map with an "id"). */
int lv_streams_delete_item(lv_streams **ss, const char *name, const lv_value *item);
/* Queues the removal of every element of the stream and drops the pending
 * operations; inserts after it are sent after the reset. */
int lv_streams_reset(lv_streams **ss, const char *name);
/* Appends the DOM id of item in stream s ("<prefix>-<id>"). False when item
 * is not a map with a usable "id". */
bool lv_stream_dom_id(const lv_stream_rec *s, const lv_value *item, lv_buf *out);

/* After a render was sent: every stream forgets its pending operations. */
void lv_streams_prune(lv_streams *streams);
bool lv_streams_any_pending(const lv_streams *streams);
void lv_streams_free(lv_streams *streams);
/* Heap bytes held (pending items included), for tests. */
size_t lv_streams_bytes(const lv_streams *streams);

/* The order the client ends up with when it applies s's pending inserts to
 * an empty container (dom_patch.ts: inserts at their position, then, with
 * apply_limits, the limit): indexes into s->inserts, written to order (room
 * for s->count); returns how many. The dead render passes false: it shows
 * every item at its position and the browser applies the limits when it
 * joins, as with Phoenix (whose own suite checks that the dead render of a
 * limited stream holds every item). */
size_t lv_stream_simulate(const lv_stream_rec *s, bool apply_limits, uint32_t *order);

#endif
