/* Uploads inside the runtime (docs/uploads.md): each view's upload configs
 * and entries, the messages of the upload flow, and what the upload channel
 * (channel/channel.c) asks of them.
 *
 * The flow, and who checks what:
 * - a form event carries "uploads" (the files chosen): entries are recorded
 *   and checked (accept, declared size, max_entries) and the "uploads"
 *   assign re-rendered, so the file input lists their refs as active;
 * - "allow_upload" (the preflight): each valid entry gets a token signed
 *   with the app's upload key, bound to this view, config and entry, with a
 *   short expiry; its declared size is reserved against the app's cap;
 * - the client joins "lvu:<entry ref>" with the token: a temp file is
 *   created in the private directory and the chunk timer starts;
 * - each binary chunk is checked (chunk size, declared size, max_file_size)
 *   before a byte is written; a refused chunk removes the file and ends the
 *   entry with an error;
 * - "progress" events move the entry's progress; 100 marks it done only
 *   when every declared byte arrived;
 * - the view consumes done entries (lv_consume_uploaded_entries) or cancels
 *   them; whatever remains is removed when the view ends. */
#ifndef LV_LIVE_UPLOAD_H
#define LV_LIVE_UPLOAD_H

#include <stdint.h>

#include "live/live.h"
#include "util/buf.h"
#include "util/value.h"

/* The upload channel's owner is told when an entry's channel must close
 * (the entry was consumed, cancelled or timed out): it sends phx_close on
 * "lvu:<entry_ref>" and forgets the channel. */
typedef void (*lv_upload_close_fn)(void *ctx, lv_socket *socket, const char *entry_ref);
void lv_uploads_set_closer(lv_socket *socket, lv_upload_close_fn fn, void *ctx);

/* A form event's "uploads" ({config ref: [entry, ...]}): records the
 * entries. Unknown config refs and malformed entries are ignored (logged). */
void lv_uploads_put_from_event(lv_socket *socket, const lv_value *uploads);

/* "allow_upload" {ref, entries, cid}: records and checks the entries and
 * appends the reply's keys besides the diff ("ref", "config", "entries",
 * "errors", or "error") to out, each preceded by a comma. Returns false with
 * *refused set (a static reason) when the request cannot be answered (an
 * unknown config ref, a component's upload). */
bool lv_uploads_preflight(lv_socket *socket, const lv_value *payload, lv_buf *out, const char **refused);

/* "progress" {ref, entry_ref, progress}: moves the entry's progress (an
 * integer 0-100, or {"error": reason} from the client) and runs the config's
 * progress callback. Returns 0, or -1 when the callback failed; false in
 * *known when there is no such entry (answered with an empty diff). */
int lv_uploads_progress(lv_socket *socket, const lv_value *payload);

/* Verifies an upload token for the channel "lvu:<entry_ref>". Returns true
 * and fills view_id (the view it was made for) and conf_ref; false with
 * *reason "invalid_token" otherwise (forged, expired, another entry's). */
bool lv_upload_token_verify(lv_app *app, const char *token, const char *entry_ref, char *view_id,
                            size_t view_id_cap, char *conf_ref, size_t conf_ref_cap);

/* The channel's join: registers the entry (it must be preflighted, valid and
 * not registered yet), creates its temp file and starts its chunk timer.
 * NULL when it may start, else the reason for the client ("disallowed",
 * "already_registered", "writer_error"). */
const char *lv_upload_join(lv_socket *socket, const char *conf_ref, const char *entry_ref);

/* One chunk for the entry. NULL when it was written; else the reason for
 * the client ("file_size_limit_exceeded" with *limit set, "chunk_too_large",
 * "writer_error", "disallowed"), and the entry has ended: its file removed,
 * its error set, its channel to be closed by the caller. */
const char *lv_upload_chunk(lv_socket *socket, const char *entry_ref, const uint8_t *data, size_t len,
                            int64_t *limit);

/* The client left the entry's channel: an unfinished entry stops (its file
 * removed). */
void lv_upload_leave(lv_socket *socket, const char *entry_ref);

/* Removes every file and reservation of the socket's uploads and frees
 * them (the view ends). No channel is told. */
void lv_uploads_free(lv_socket *socket);

/* Tests: replaces the app's file operations (NULL: back to POSIX). */
void lv_upload_set_io(lv_app *app, const struct lv_upload_io *io);

#endif
