/* liveview_test.h: testing LiveViews in C, without a browser or a socket.
 *
 * Modelled on Phoenix.LiveViewTest. A test loads a page the way a browser
 * would and drives the view through the very code a WebSocket reaches: the
 * app's endpoint answers the HTTP request (the dead render, the session
 * cookie), a connection is "upgraded" with the Origin and CSRF token a
 * browser sends, the view is joined with the page's tokens, and every click
 * or form event is a Phoenix channel message handled by the same channel
 * and lifecycle code as in production. What the server sends back is
 * applied with a C port of the client's own rendering (components,
 * streams), so lv_test_html is the HTML the browser's DOM would hold.
 *
 *     #include <liveview.h>
 *     #include <liveview_test.h>
 *
 *     lv_app *app = lv_app_new(NULL);
 *     lv_route(app, "/counter", &counter);
 *     lv_test *t = lv_test_new(app);
 *     lv_test_view *v = lv_test_live(t, "/counter");
 *     assert(v && strstr(lv_test_html(v), "<span id=\"count\">0</span>"));
 *     assert(lv_test_click(v, "inc", NULL) == 0);
 *     assert(strstr(lv_test_html(v), "<span id=\"count\">1</span>"));
 *     lv_test_free(t);
 *     lv_app_free(app);
 *
 * Time is the test's: the app's timers (lv_send_after, lv_send_interval)
 * run on a manual clock that only lv_test_advance moves, and async work
 * (lv_start_async) waits until lv_test_run_async runs it. Nothing sleeps,
 * nothing depends on the machine's speed. Pub/sub (lv_broadcast) is
 * delivered at once, to every view of the app, as in a running server.
 *
 * Rules: one lv_test at a time per app, and not while the app is being
 * served (lv_app_run): lv_test lends the app its own runtime. Call
 * everything from one thread. Every function accepts NULL and a view that
 * has ended, and answers with an error (-1, NULL) rather than crashing.
 *
 * Memory: lv_test owns every view and every string it returns; a returned
 * string is valid until the next call on the same view (or lv_test for the
 * lv_test_* functions taking one), unless a comment says otherwise. */
#ifndef LIVEVIEW_TEST_H
#define LIVEVIEW_TEST_H

#include <stdint.h>

#include "liveview.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from libliveview.so like liveview.h's declarations (see there). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* A browser, in effect: its cookie jar, its clock, its pending async work,
 * and the views (tabs) it has open. */
typedef struct lv_test lv_test;
/* One joined LiveView, on its own connection (a browser tab). */
typedef struct lv_test_view lv_test_view;

/* Starts testing app (borrowed: it must outlive the lv_test). Returns NULL
 * for a NULL app, or when the app's client files cannot be prepared (an
 * assets_dir override without js/app.js). */
lv_test *lv_test_new(lv_app *app);
/* Closes every view (their terminate runs), finishes the async work still
 * queued (results are dropped, as for views that have gone), and frees
 * everything, views included. NULL is ignored. */
void lv_test_free(lv_test *t);

/* ------------------------------------------------------------------------
 * Pages
 * ------------------------------------------------------------------------ */

/* Loads path ("/users/7?tab=posts") as a browser would and connects its
 * LiveView: GET through the app's endpoint (keeping the cookies it sets),
 * then a WebSocket connection with the page's CSRF token, then phx_join
 * with the page's data-phx-session and data-phx-static. Returns the joined
 * view, or NULL when there is none: no LiveView at path (see
 * lv_test_status: 404...), mount sent the browser elsewhere
 * (lv_test_redirect says where), or the join was refused
 * (lv_test_last_error says why). */
lv_test_view *lv_test_live(lv_test *t, const char *path);

/* Plain requests with the cookie jar, as a browser submitting a form or
 * following a link: GET, or POST with an urlencoded body (NULL for none) to
 * which the CSRF token of the last page loaded is added as _csrf_token when
 * the body has none, as the page's form would carry it. Returns the HTTP
 * status (303 after lv_respond_redirect: lv_test_redirect holds Location),
 * or -1 for bad arguments. */
/* Joins the nested view with `id` that parent's template renders
 * ({{live_render "name" id="..."}}, docs/nested.md) on parent's connection,
 * with the token of its container in lv_test_html(parent), as the client's
 * joinChild does. The child is a view like any other: lv_test_html shows
 * its own HTML (its container in the parent's stays empty), lv_test_click
 * sends to its topic. It ends when the server closes it (its parent left
 * or ended) and with its parent's connection. Returns NULL (reason in
 * lv_test_last_error) when the parent shows no such child or the join was
 * refused. Owned by t. */
lv_test_view *lv_test_child(lv_test_view *parent, const char *id);
int lv_test_get(lv_test *t, const char *path);
int lv_test_post(lv_test *t, const char *path, const char *urlencoded);

/* The status of the last HTTP response (lv_test_live's GET included), 0
 * before any. */
int lv_test_status(const lv_test *t);
/* The body of the last HTTP response ("" before any). */
const char *lv_test_body(const lv_test *t);
/* Where the browser was last sent: an HTTP Location, or a view's
 * lv_redirect (a full page load, not followed: load it with lv_test_live).
 * NULL when the last request or event sent it nowhere. */
const char *lv_test_redirect(const lv_test *t);
/* Why the last lv_test_live, lv_test_get or lv_test_post failed, or NULL. */
const char *lv_test_last_error(const lv_test *t);
/* A cookie of the jar, or NULL. */
const char *lv_test_cookie(const lv_test *t, const char *name);

/* ------------------------------------------------------------------------
 * What the view shows
 * ------------------------------------------------------------------------ */

/* The view's HTML (the content of its container element) as the browser's
 * DOM holds it after every reply and push so far: diffs merged with the
 * client's algorithm, components rendered in place (their root element
 * carries data-phx-component), stream items kept in their phx-update=
 * "stream" container across renders, inserted, updated, deleted, reset and
 * limited as the client does. Not modelled: what JavaScript changes in the
 * DOM (JS commands, hooks), phx-update="ignore" keeping its old content,
 * values typed into inputs. A view that has ended keeps its last HTML.
 * NULL for a NULL view. */
const char *lv_test_html(lv_test_view *v);
/* The page title (document.title): the dead render's, then every title
 * the view set. */
const char *lv_test_title(lv_test_view *v);
/* The view's URL path and query ("/servers?name=lively-frog"): the page's,
 * then each push_patch or live_patch, then the view it navigated to. */
const char *lv_test_path(lv_test_view *v);
/* The view's flash message for key ("info", "error"), or NULL: what
 * {{flash.key}} shows. */
const char *lv_test_flash(lv_test_view *v, const char *key);
/* The payload (a map) of the last lv_push_event (or lv_push_event_before)
 * named name the view received, or NULL when none. lv_test_pushed_count
 * says how many. */
const lv_value *lv_test_pushed(lv_test_view *v, const char *name);
int lv_test_pushed_count(lv_test_view *v, const char *name);
/* True while the view is joined: false after it redirected away, failed
 * to rejoin, was closed, or its connection was. */
bool lv_test_alive(const lv_test_view *v);
/* Why the last event failed (the server's reason, e.g. "unknown event"),
 * or why the view ended ("the view crashed" when a callback failed: the
 * server sent phx_error, as Phoenix does); NULL when it did not. */
const char *lv_test_error(const lv_test_view *v);

/* ------------------------------------------------------------------------
 * Events, as the client sends them
 *
 * Each returns 0 when the server replied ok (its diff, navigation and
 * pushed events are then applied), or -1: a NULL or ended view, a bad
 * argument, or an error reply (lv_test_error says which). Navigation is
 * followed as the client follows it: a patch changes lv_test_path and runs
 * handle_params; a push_navigate or live_redirect leaves the view and joins
 * the next one on the same connection (the same lv_test_view, now showing
 * it); a redirect ends the view and sets lv_test_redirect.
 * ------------------------------------------------------------------------ */

/* phx-click: value is the map of the element's phx-value-* attributes
 * (borrowed; NULL for none). "lv:clear-flash" with {"key":"info"} clears a
 * flash, as a click on it does. */
int lv_test_click(lv_test_view *v, const char *event, const lv_value *value);
/* phx-change and phx-submit of a form: its fields urlencoded
 * ("name=ada&age=36", "user%5Bname%5D=ada"). The page's _csrf_token is
 * added when the data has none, as the hidden input of form_for would add
 * it. A change also names the field that changed (_target): the last field
 * of the data. */
int lv_test_change(lv_test_view *v, const char *event, const char *urlencoded);
int lv_test_submit(lv_test_view *v, const char *event, const char *urlencoded);
/* phx-keydown / phx-keyup (and their phx-window- forms): key is what the
 * browser reports ("ArrowUp", "a"). */
int lv_test_keydown(lv_test_view *v, const char *event, const char *key);
int lv_test_keyup(lv_test_view *v, const char *event, const char *key);
/* A hook's pushEvent(event, payload): returns the view's reply (lv_reply;
 * owned by the view, valid until its next event), an empty map when it
 * replied nothing, or NULL when the event failed. */
const lv_value *lv_test_hook_event(lv_test_view *v, const char *event, const lv_value *payload);

/* The hook reply (lv_reply) carried by the view's last answer that had
 * one, also of an event sent to a component with lv_test_push; NULL when
 * none came yet (or since lv_test_hook_event asked again). Owned by the
 * view, valid until its next event. */
const lv_value *lv_test_last_reply(lv_test_view *v);
/* The general form of the events above. */
typedef struct lv_test_event {
    /* "click", "form", "keydown", "keyup", "blur", "focus" or "hook". */
    const char *type;
    const char *event;
    /* Every type but "form": the value map (borrowed; NULL for {}). */
    const lv_value *value;
    /* "form": the urlencoded fields, and the field that changed (_target;
     * NULL for a submit). */
    const char *form;
    const char *changed;
    /* phx-target: the id of a component's root element ("calculator"),
     * which sends the event to that component; NULL for the view. */
    const char *target;
} lv_test_event;
int lv_test_push(lv_test_view *v, const lv_test_event *event);

/* The view's URL changes without leaving it (a data-phx-link="patch" link,
 * or back/forward): live_patch, handle_params runs. A URL of another view
 * is navigated to instead, as the client does. */
int lv_test_patch(lv_test_view *v, const char *path);
/* A data-phx-link="redirect" link: live navigation to path over the same
 * connection. When the server refuses the join (a view of another live
 * session, no LiveView at path), the client loads the page over HTTP
 * instead: the view ends, lv_test_redirect is path, and this returns -1. */
int lv_test_navigate(lv_test_view *v, const char *path);
/* A file chosen in the live_file_input of upload `name` and sent as the
 * client sends it (docs/uploads.md): the form's phx-change event with the
 * file's description, the allow_upload preflight, the upload channel joined
 * with its token, the bytes in chunks of the config's chunk_size, and a
 * progress event after each chunk. Returns 0 once every byte was accepted
 * (the entry is done; the view's progress callback has run); -1 when the
 * view refused the file, with lv_test_error saying why ("too_large",
 * "not_accepted", "too_many_files", ...). type may be NULL ("").
 * For an external upload (lv_upload_config.external) the page's uploader
 * is played instead of the channel: the preflight's meta is taken and the
 * entry's progress reported at 100 (not at all by lv_test_upload_partial).
 * For an auto_upload config that is all the client does; otherwise the
 * test then submits the form (lv_test_submit), whose handle_event consumes
 * the entry. */
int lv_test_upload(lv_test_view *v, const char *name, const char *filename, const char *type, const void *bytes,
                   size_t len);
/* The same, but the client stops after `sent` of the len bytes, its upload
 * channel still joined: what the view shows mid-upload, a cancel, or (with
 * lv_test_advance past the config's chunk_timeout) a stalled upload. */
int lv_test_upload_partial(lv_test_view *v, const char *name, const char *filename, const char *type,
                           const void *bytes, size_t len, size_t sent);
/* The tab closes: the connection goes and the view's terminate runs.
 * The view stays readable (and ended) until lv_test_free. */
void lv_test_close(lv_test_view *v);

/* ------------------------------------------------------------------------
 * Time and work
 * ------------------------------------------------------------------------ */

/* Moves the clock ms milliseconds on: every timer due by then fires, in
 * order of due time (then of creation), intervals as many times as they
 * fall due, and whatever they change is pushed to the views. Returns how
 * many timers fired, or -1 for a NULL t. */
int lv_test_advance(lv_test *t, uint64_t ms);
/* Milliseconds the clock has moved since lv_test_new. */
uint64_t lv_test_now(const lv_test *t);
/* Runs the async work queued so far (lv_start_async), oldest first, each
 * on this thread, then its completion; work queued meanwhile runs too.
 * Returns how many ran, or -1 for a NULL t. */
int lv_test_run_async(lv_test *t);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
