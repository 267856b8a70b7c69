/* The long-poll transport (docs/longpoll.md, docs/protocol.md §1.9): the
 * phoenix.js 1.8 LongPoll client's sessions at /live/longpoll, each one
 * channel (channel/channel.h) exactly as a WebSocket has, admitted by the
 * same socket policy (lv_socket_admit).
 *
 * What the client speaks: a GET without a token opens a session and is
 * answered {"status":410,"token":T,"messages":[]}; a GET with T is held
 * until the session has messages ({"status":200,...}) or the poll window
 * passes ({"status":204,...}); a POST with T carries up to 100 messages,
 * one a line (application/x-ndjson), answered {"status":200} once they
 * were handled (their replies wait for the next GET). The HTTP status is
 * 200 and the logical one is in the JSON body, as Phoenix answers, except
 * for a refused body (400, 413), which gets both.
 *
 * A token is signed (purpose "longpoll"), expires with the cookie session
 * (session_ttl_s), names a random server-side session id, and works only
 * with the cookie session that opened the session (its CSRF state).
 *
 * Threading: a session lives on the loop thread that opened it, its views
 * and timers with it. The table is locked, so any loop may look a session
 * up; a request that reaches a loop other than its session's is held
 * there and handed to the session's loop, which serves it and sends the
 * answer back (docs/longpoll.md, "Several loops"). */
#ifndef LV_ENDPOINT_LONGPOLL_H
#define LV_ENDPOINT_LONGPOLL_H

#include "live/live.h"
#include "net/endpoint.h"

#define LV_LONGPOLL_PATH "/live/longpoll"
/* The client's MAX_LONGPOLL_BATCH_SIZE: lines in one POST. */
#define LV_LONGPOLL_MAX_BATCH 100

/* Answers one request at LV_LONGPOLL_PATH (the endpoint's http). May hold
 * a GET (res->held). */
void lv_longpoll_http(lv_app *app, const lv_http_request *http, lv_http_response *res);
/* The endpoint's on_held_close: a held GET's client is gone. */
void lv_longpoll_held_close(void *held_ctx, lv_endpoint_close reason);
/* The server is stopping: ends this loop's sessions (views get
 * LV_TERMINATE_SHUTDOWN) and stops their timers. */
void lv_longpoll_stopping(lv_app *app);
/* How many sessions the app has (for tests and logs). */
size_t lv_longpoll_session_count(lv_app *app);
/* How many requests any app of the process handed to another loop (tests). */
unsigned lv_longpoll_relay_count(void);

/* Splits a POST body into its messages, without copying: lines of an
 * x-ndjson body (LF or CRLF; an empty last line is ignored), or the whole
 * body for any other type. Every message must be a JSON array's text
 * ('[' ... ']') or, in x-ndjson, a standard base64 line (a binary frame:
 * an upload chunk). Returns the number of messages (at most max), or -1 with
 * a static reason in *error. */
int lv_longpoll_split(const char *body, size_t len, bool ndjson, const char **starts,
                      size_t *lens, int max, const char **error);

#endif
