/* The view lifecycle (see lifecycle.h): one step that runs a callback,
 * follows patches, renders what changed and collects the outputs; and the
 * join, client messages and infos, each written once on top of it. */
#include "live/lifecycle.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "live/templates.h"
#include "live/upload.h"
#include "render/render.h"
#include "util/form.h"
#include "util/json.h"
#include "util/log.h"
#include "util/value_json.h"

/* A view sending itself infos from handle_info could loop forever inside one
 * loop tick; past this many in one drain the rest are dropped with an error. */
#define LV_MAX_INFOS_PER_DRAIN 1000

/* Phoenix stops a view that keeps patching from handle_params after 20. */
#define LV_MAX_PATCHES 20

/* The answer of the latest client message, and the pushes of the latest
 * info, on this thread: their capacity stays with the thread, not with each
 * connection. */
static _Thread_local lv_buf answer_scratch;
static _Thread_local lv_buf push_scratch;

void lv_lifecycle_thread_cleanup(void)
{
    lv_buf_free(&answer_scratch);
    lv_buf_free(&push_scratch);
}

/* Answers with what a step wrote into answer_scratch. */
static void answer_rendered(lv_answer *answer, bool ok)
{
    answer->crashed = false;
    answer->crashed_parent = NULL;
    answer->ok = ok;
    answer->payload = answer_scratch.data;
    answer->len = answer_scratch.len;
}

static void answer_text(lv_answer *answer, bool ok, const char *text)
{
    lv_buf_reset(&answer_scratch);
    lv_buf_puts(&answer_scratch, text);
    answer->crashed = false;
    answer->crashed_parent = NULL;
    answer->ok = ok;
    answer->payload = answer_scratch.data;
    answer->len = answer_scratch.len;
}

/* An error reply: {"reason":...}. */
static void answer_error(lv_answer *answer, const char *reason)
{
    lv_buf_reset(&answer_scratch);
    lv_buf_puts(&answer_scratch, "{\"reason\":");
    lv_json_cstr(&answer_scratch, reason);
    lv_buf_putc(&answer_scratch, '}');
    answer->crashed = false;
    answer->crashed_parent = NULL;
    answer->ok = false;
    answer->payload = answer_scratch.data;
    answer->len = answer_scratch.len;
}

/* ---- URLs ---- */

/* The path and query of a URL, absolute ("http://host/p?q#f") or local. */
static void url_parts(const char *url, const char **path, size_t *path_len, const char **query,
                      size_t *query_len)
{
    const char *p = url ? url : "";
    const char *scheme = strstr(p, "://");
    if (scheme) {
        p = strchr(scheme + 3, '/');
        if (!p) p = "/";
    }
    const char *end = p + strcspn(p, "?#");
    *path = p;
    *path_len = (size_t)(end - p);
    *query = "";
    *query_len = 0;
    if (*end == '?') {
        *query = end + 1;
        *query_len = strcspn(end + 1, "#");
    }
}

/* The route a URL leads to, with its params (path parameters and query)
 * in *params, a new MAP the caller frees, also when no route matches. */
static const lv_route_entry *route_url(lv_app *app, const char *url, lv_value *params)
{
    const char *path, *query;
    size_t path_len, query_len;
    url_parts(url, &path, &path_len, &query, &query_len);
    if (lv_form_decode(query, query_len, NULL, params) != LV_FORM_OK) {
        lv_log_warn("a URL's query could not be decoded; ignoring it");
        *params = lv_value_map();
    }
    return lv_app_match_route(app, path, path_len, params);
}

/* ---- the step ---- */

static lv_nav take_nav(lv_socket *socket)
{
    lv_nav nav = {LV_NAV_NONE, false, NULL};
    if (socket->extras) {
        nav = socket->extras->nav;
        socket->extras->nav = (lv_nav){LV_NAV_NONE, false, NULL};
    }
    return nav;
}

static int run_handle_params(lv_socket *socket, const char *url)
{
    const lv_view *view = socket->route->view;
    if (!view->handle_params) return 0;
    lv_value obj;
    if (route_url(socket->app, url, &obj) != socket->route) {
        lv_log_warn("%s: %s does not route to this view", view->name, url ? url : "(no URL)");
        lv_value_free(&obj);
        return -1;
    }
    lv_params params = lv_params_of(&obj);
    int rc = view->handle_params(socket, &params, url ? url : "");
    lv_params_release(&params);
    lv_value_free(&obj);
    return rc;
}

static int run_callback(lv_socket *socket, const lv_callback *cb, lv_step *step)
{
    const lv_view *view = socket->route->view;
    switch (cb->kind) {
    case LV_CALLBACK_MOUNT: {
        int hooks = lv_live_session_run_hooks(socket, cb->params, cb->session);
        if (hooks == LV_ON_MOUNT_HALT) {
            step->halted = true;
            return 0;
        }
        if (hooks != LV_ON_MOUNT_CONT) return -1;
        if (view->mount(socket, cb->params, cb->session) != 0) return -1;
        step->mounted = true;
        return view->handle_params ? view->handle_params(socket, cb->params, cb->url) : 0;
    }
    case LV_CALLBACK_PARAMS:
        if (!cb->params) return run_handle_params(socket, cb->url);
        return view->handle_params ? view->handle_params(socket, cb->params, cb->url) : 0;
    case LV_CALLBACK_EVENT:
        if (socket->parent) return lv_component_def_of(socket)->handle_event(socket, cb->name, cb->params);
        return view->handle_event(socket, cb->name, cb->params);
    case LV_CALLBACK_INFO:
        if (!view->handle_info) {
            lv_log_warn("%s: info \"%s\" sent but the view has no handle_info", view->name, cb->name);
            return 0;
        }
        return view->handle_info(socket, cb->name, cb->params);
    case LV_CALLBACK_CLEAR_FLASH:
        lv_clear_flash(socket, cb->name);
        return 0;
    case LV_CALLBACK_RENDER:
        return 0;
    case LV_CALLBACK_UPDATE:
        return socket->parent ? lv_component_run_update(socket, cb->params) : -1;
    case LV_CALLBACK_LIBRARY:
        return cb->run ? cb->run(socket, cb->arg) : 0;
    }
    return -1;
}

/* Carries out push_patch requests: handle_params for each new URL until the
 * view stops patching. Returns the last patch (taken), or kind NONE; on
 * failure *failed says why, else NULL. */
static lv_nav follow_patches(lv_socket *socket, const char **failed)
{
    lv_nav last = {LV_NAV_NONE, false, NULL};
    *failed = NULL;
    lv_socket_extras *x = socket->extras;
    for (int n = 0; x && x->nav.kind == LV_NAV_PATCH; n++) {
        lv_nav patch = take_nav(socket);
        free(last.to);
        last = patch;
        if (n >= LV_MAX_PATCHES) {
            lv_log_error("%s: more than %d patches in a row; stopping", socket->route->view->name,
                         LV_MAX_PATCHES);
            *failed = "too many patches";
            return last;
        }
        if (run_handle_params(socket, patch.to) != 0) {
            *failed = "live_patch failed";
            return last;
        }
    }
    return last;
}

void lv_nav_write(lv_socket *socket, const lv_nav *nav, lv_buf *out)
{
    assert(nav->kind != LV_NAV_NONE && nav->to);
    lv_buf_puts(out, nav->kind == LV_NAV_PATCH      ? "\"live_patch\":"
                     : nav->kind == LV_NAV_NAVIGATE ? "\"live_redirect\":"
                                                    : "\"redirect\":");
    lv_buf_puts(out, "{\"to\":");
    lv_json_cstr(out, nav->to);
    if (nav->kind != LV_NAV_REDIRECT) lv_buf_puts(out, nav->replace ? ",\"kind\":\"replace\"" : ",\"kind\":\"push\"");
    if (nav->kind != LV_NAV_PATCH) {
        char *flash = lv_flash_token(socket);
        if (flash) {
            lv_buf_puts(out, ",\"flash\":");
            lv_json_cstr(out, flash);
            free(flash);
        }
    }
    lv_buf_putc(out, '}');
}

/* Appends the title, pushed events and hook reply the view set (keys "t",
 * "e", "r") to the JSON object that ends `out`, which has keys already when
 * has_keys. Clears them. Returns true when it added any. */
static bool append_outputs(lv_socket *socket, lv_buf *out, bool has_keys)
{
    lv_socket_extras *x = socket->extras;
    if (!x || (!x->title_changed && x->events.kind == LV_VALUE_NULL && x->reply.kind == LV_VALUE_NULL))
        return false;
    assert(out->len > 0 && out->data[out->len - 1] == '}');
    out->len--; /* reopen the object */
    bool first = !has_keys;
    if (x->title_changed) {
        lv_buf_puts(out, first ? "\"t\":" : ",\"t\":");
        lv_json_cstr(out, x->title);
        x->title_changed = false;
        first = false;
    }
    lv_value *lists[2] = {&x->events, &x->reply};
    const char *keys[2] = {"\"e\":", "\"r\":"};
    for (int i = 0; i < 2; i++) {
        if (lists[i]->kind == LV_VALUE_NULL) continue;
        if (!first) lv_buf_putc(out, ',');
        lv_buf_puts(out, keys[i]);
        lv_value_append_json(lists[i], out);
        lv_value_free(lists[i]);
        first = false;
    }
    lv_buf_putc(out, '}');
    return true;
}

/* Appends the whole tree (whole) or what changed since the last render:
 * the view's slots, its components' trees ("c") and the outputs above.
 * Clears the change bits. Returns false when a diff holds nothing ({} is
 * then written). A component's socket renders only that component. */
static bool render_tree(lv_socket *socket, bool whole, lv_buf *out)
{
    if (socket->parent) {
        /* A component's changes go with its view's diff, where what it
         * asked of the page (flash, title, events, reply) is rendered. */
        lv_components_collect_one(socket);
        socket = socket->parent;
        whole = false;
    }
    lv_template_refresh(socket->route->tmpl);
    lv_component_hooks hooks = lv_components_hooks(socket);
    bool changed = true;
    if (!whole && !lv_render_state_current(socket->route->tmpl, socket->render_state))
        lv_components_resend(socket);
    if (whole)
        lv_render_full_state(socket->route->tmpl, &socket->assigns, &socket->render_state, &hooks, out);
    else
        changed = lv_render_diff_state(socket->route->tmpl, &socket->assigns, &socket->render_state,
                                       &hooks, out);
    lv_assigns_clear_changed(&socket->assigns);
    lv_temporary_assigns_reset(socket);
    changed = lv_components_take_c(socket, out, changed) || changed;
    return append_outputs(socket, out, changed) || changed;
}

static void render_page(lv_socket *socket, lv_buf *out)
{
    lv_template_refresh(socket->route->tmpl);
    lv_component_hooks hooks = lv_components_hooks(socket);
    lv_render_html_ex(socket->route->tmpl, &socket->assigns, &hooks, out);
}

static void render_join(lv_socket *socket, const lv_nav *patch, lv_buf *out)
{
    lv_buf_puts(out, "{\"rendered\":");
    render_tree(socket, true, out);
    if (patch->kind == LV_NAV_PATCH) {
        lv_buf_putc(out, ',');
        lv_nav_write(socket, patch, out);
    }
    lv_buf_puts(out, ",\"liveview_version\":\"" LV_CLIENT_VERSION "\"}");
}

static void render_reply(lv_socket *socket, const lv_nav *nav, lv_buf *out)
{
    lv_buf_puts(out, "{\"diff\":");
    bool any = render_tree(socket, false, out);
    if (nav->kind != LV_NAV_NONE) {
        lv_buf_putc(out, ',');
        lv_nav_write(socket->parent ? socket->parent : socket, nav, out);
    } else if (!any) {
        lv_buf_reset(out);
        lv_buf_putc(out, '{');
    }
    lv_buf_putc(out, '}');
}

void lv_step_run(lv_socket *socket, const lv_callback *cb, lv_step_mode mode, lv_step *step)
{
    step->status = LV_STEP_OK;
    /* A component's navigation is recorded on its view (live/navigation.c)
     * and followed there: a patch runs the view's handle_params. */
    lv_socket *view = socket->parent ? socket->parent : socket;
    if (run_callback(socket, cb, step) != 0) {
        lv_nav dropped = take_nav(view);
        free(dropped.to);
        step->status = LV_STEP_FAILED;
        step->reason = cb->kind == LV_CALLBACK_MOUNT    ? "join crashed"
                       : cb->kind == LV_CALLBACK_PARAMS ? "live_patch failed"
                                                        : "event failed";
        return;
    }
    if (step->halted) {
        /* A hook halted the mount: it must have sent the client elsewhere
         * (a patch would need the handle_params that never ran). */
        lv_nav nav = take_nav(socket);
        if (nav.kind == LV_NAV_NAVIGATE || nav.kind == LV_NAV_REDIRECT) {
            step->status = LV_STEP_AWAY;
            step->nav = nav;
            return;
        }
        free(nav.to);
        lv_log_warn("%s: an on_mount hook halted the mount without a redirect", socket->route->view->name);
        step->status = LV_STEP_FAILED;
        step->reason = "join crashed";
        return;
    }
    /* The dead render follows no patch: any navigation becomes a redirect. */
    lv_nav patch = {LV_NAV_NONE, false, NULL};
    if (mode != LV_STEP_PAGE) {
        const char *failed;
        patch = follow_patches(view, &failed);
        if (failed) {
            free(patch.to);
            step->status = LV_STEP_FAILED;
            step->reason = mode == LV_STEP_JOIN ? "join crashed" : failed;
            return;
        }
    }
    /* Reset only now: the callbacks above may have run other views' steps
     * (a broadcast drains their infos at once) on the same scratch. */
    lv_buf_reset(step->out);
    lv_nav nav = take_nav(view);
    switch (mode) {
    case LV_STEP_JOIN:
    case LV_STEP_PAGE:
        if (nav.kind != LV_NAV_NONE) {
            step->status = LV_STEP_AWAY;
            step->nav = nav;
            free(patch.to);
            return;
        }
        if (mode == LV_STEP_JOIN)
            render_join(socket, &patch, step->out);
        else
            render_page(socket, step->out);
        free(patch.to);
        return;
    case LV_STEP_REPLY:
    case LV_STEP_PUSH:
        if (nav.kind == LV_NAV_NONE) {
            nav = patch;
        } else {
            free(patch.to);
        }
        if (mode == LV_STEP_REPLY) {
            render_reply(socket, &nav, step->out);
            free(nav.to);
        } else {
            step->nav = nav;
            if (!render_tree(socket, false, step->out)) lv_buf_reset(step->out);
        }
        return;
    }
}

void lv_step_free(lv_step *step)
{
    free(step->nav.to);
    step->nav = (lv_nav){LV_NAV_NONE, false, NULL};
}

/* ---- the join ---- */

/* The join's params the view may read (lv_connect_params): the client's
 * own "_" keys (_csrf_token, _mounts, _track_static...) left out. */
static lv_value connect_params_of(const lv_value *join_params)
{
    lv_value out = lv_value_map();
    size_t n = join_params && join_params->kind == LV_VALUE_MAP && join_params->as.map
                   ? join_params->as.map->count : 0;
    for (size_t i = 0; i < n; i++) {
        const lv_map_entry *e = &join_params->as.map->entries[i];
        if (e->key[0] != '_') lv_value_map_set(&out, e->key, lv_value_clone(&e->value));
    }
    return out;
}

/* The client's join counter `key` (_mounts, _mount_attempts) of the join's
 * params, or -1 when absent or not a non-negative int. */
static int count_param(const lv_value *join_params, const char *key)
{
    const lv_value *v = lv_value_map_get(join_params, key, strlen(key));
    return v && v->kind == LV_VALUE_INT && v->as.i >= 0 && v->as.i < INT_MAX ? (int)v->as.i : -1;
}

/* Mounts a verified join (the route and params decided) and answers it;
 * takes nothing. Returns the socket, or NULL after an error answer. */
static lv_socket *mount_joined(lv_app *app, const char *topic, const lv_value *payload, const lv_join_context *ctx,
                               const lv_join_claims *claims, const char *csrf, const lv_route_entry *route,
                               const lv_value *url_params, const char *url, lv_socket *view_parent,
                               lv_answer *answer);

/* The join of a nested view (its token names a view, live/nested.c): its
 * parent must be joined on this connection; a sticky one has none. Frees
 * the claims. */
static lv_socket *join_nested(lv_app *app, const char *topic, const lv_value *payload, const lv_join_context *ctx,
                              lv_join_claims *claims, const char *csrf, lv_answer *answer)
{
    const lv_route_entry *route = lv_live_view_find(app, claims->view_name);
    bool sticky = json_is_true(json_object_get(claims->claims, "sticky"));
    lv_socket *parent = NULL;
    if (claims->parent_id && ctx->find_view) parent = ctx->find_view(ctx->find_ctx, claims->parent_id);
    const char *why = !route                     ? "its token names no registered nested view"
                      : !claims->parent_id && !sticky ? "its token names no parent"
                      : claims->parent_id && !parent  ? "its parent view is not joined on this connection"
                                                      : NULL;
    if (why) {
        lv_log_warn("join of %s refused: %s", topic, why);
        lv_join_claims_free(claims);
        answer_error(answer, "stale");
        return NULL;
    }
    lv_value no_params = lv_value_map();
    lv_socket *socket = mount_joined(app, topic, payload, ctx, claims, csrf, route, &no_params, NULL, parent, answer);
    lv_value_free(&no_params);
    lv_join_claims_free(claims);
    return socket;
}

lv_socket *lv_view_join(lv_app *app, const char *topic, const lv_value *payload,
                        const lv_join_context *ctx, lv_answer *answer)
{
    if (ctx->connect_refused) {
        /* The socket URL's token did not match the cookie session, so this
         * socket has no session at all (Phoenix: session nil -> stale). */
        lv_log_warn("join of %s refused: the socket's CSRF token did not match its session", topic);
        answer_error(answer, "stale");
        return NULL;
    }
    const char *csrf = lv_value_str_at(lv_value_map_get(payload, "params", 6), "_csrf_token");
    const char *session_token = lv_value_str_at(payload, "session");
    lv_join_claims claims;
    const char *why = NULL;
    if (lv_join_verify(app, topic, session_token, csrf, ctx->connect_state, &claims, &why) != 0) {
        lv_log_warn("join of %s refused: %s", topic, why);
        answer_error(answer, "stale");
        return NULL;
    }
    if (claims.view_name) return join_nested(app, topic, payload, ctx, &claims, csrf, answer);
    /* The view is the one the URL routes to: the page's own on a first join,
     * another one after a live navigation (the client rejoins the topic with
     * `redirect` and the same token). */
    const char *url = lv_value_str_at(payload, "redirect");
    if (!url) url = lv_value_str_at(payload, "url");
    const lv_route_entry *route;
    lv_value url_params;
    if (url) {
        route = route_url(app, url, &url_params);
    } else {
        route = lv_app_find_route(app, claims.route_path, strlen(claims.route_path));
        url_params = lv_value_map();
    }
    if (!route) {
        lv_log_warn("join of %s refused: its URL routes to no LiveView", topic);
        lv_value_free(&url_params);
        lv_join_claims_free(&claims);
        answer_error(answer, "unauthorized");
        return NULL;
    }
    /* The token vouches for one live session (Phoenix's
     * authorize_session): a view of another is refused "unauthorized", and
     * the client loads its page over HTTP, where that session's hooks run. */
    const char *token_session = json_string_value(json_object_get(claims.claims, "live_session"));
    if (strcmp(token_session ? token_session : LV_DEFAULT_LIVE_SESSION, lv_route_session_name(route)) != 0) {
        lv_log_warn("join of %s refused: %s is in live session \"%s\", the page's token in another; "
                    "the client loads it over HTTP",
                    topic, route->path, lv_route_session_name(route));
        lv_value_free(&url_params);
        lv_join_claims_free(&claims);
        answer_error(answer, "unauthorized");
        return NULL;
    }

    lv_socket *socket = mount_joined(app, topic, payload, ctx, &claims, csrf, route, &url_params, url, NULL, answer);
    lv_value_free(&url_params);
    lv_join_claims_free(&claims);
    return socket;
}

static lv_socket *mount_joined(lv_app *app, const char *topic, const lv_value *payload, const lv_join_context *ctx,
                               const lv_join_claims *claims, const char *csrf, const lv_route_entry *route,
                               const lv_value *url_params, const char *url, lv_socket *view_parent,
                               lv_answer *answer)
{
    lv_socket *socket = lv_socket_new(app, route, true, claims->id);
    socket->view_parent = view_parent;
    lv_socket_set_csrf(socket, claims->csrf_state, csrf);
    /* Flash from a full redirect (in the page's token) or a live one. */
    lv_flash_from_token(socket, json_string_value(json_object_get(claims->claims, "flash")));
    lv_flash_from_token(socket, lv_value_str_at(payload, "flash"));
    lv_params params = lv_params_of(url_params), session = lv_params_of(&claims->session);
    lv_callback cb = {.kind = LV_CALLBACK_MOUNT, .params = &params, .session = &session,
                      .url = url ? url : route->path};
    lv_step step = {.out = &answer_scratch};
    const lv_value *join_params = lv_value_map_get(payload, "params", 6);
    lv_value connect_params = connect_params_of(join_params);
    lv_connect connect = {.params = lv_params_of(&connect_params),
                          .info = ctx->connect_info,
                          .mounts = count_param(join_params, "_mounts"),
                          .mount_attempts = count_param(join_params, "_mount_attempts")};
    socket->connect = &connect;
    lv_step_run(socket, &cb, LV_STEP_JOIN, &step);
    socket->connect = NULL;
    lv_params_release(&connect.params);
    lv_value_free(&connect_params);
    lv_params_release(&params);
    lv_params_release(&session);
    if (step.status == LV_STEP_OK) {
        answer_rendered(answer, true);
        lv_step_free(&step);
        return socket;
    }
    if (step.status == LV_STEP_FAILED) {
        lv_log_warn("%s: mount refused the join of %s", route->view->name, topic);
        answer_error(answer, step.reason);
        if (socket->linked_to_parent) answer->crashed_parent = socket->view_parent;
    } else {
        /* Mount sent the client elsewhere: an error reply carrying where
         * (docs/protocol.md §3), and the view ends here. */
        lv_buf_reset(&answer_scratch);
        lv_buf_putc(&answer_scratch, '{');
        lv_nav_write(socket, &step.nav, &answer_scratch);
        lv_buf_putc(&answer_scratch, '}');
        answer_rendered(answer, false);
    }
    /* terminate runs for every mount that succeeded, and only those. */
    if (step.mounted && route->view->terminate) route->view->terminate(socket, LV_TERMINATE_LEAVE);
    lv_step_free(&step);
    lv_socket_free(socket);
    return NULL;
}

void lv_view_end(lv_socket *socket, lv_terminate_reason reason)
{
    if (socket->route->view->terminate) socket->route->view->terminate(socket, reason);
    lv_socket_free(socket);
}

/* ---- client messages ---- */

static bool event_declared(const lv_view *view, const char *event)
{
    if (!view->events) return false;
    for (const char *const *e = view->events; *e; e++)
        if (strcmp(*e, event) == 0) return true;
    return false;
}

/* The value of an event as params: a map as it is (borrowed from the
 * message); anything else but a form wrapped as {"value": ...} in *own,
 * which the caller frees either way. */
static const lv_value *event_value(const lv_value *payload, lv_value *own)
{
    *own = lv_value_null();
    const lv_value *value = lv_value_map_get(payload, "value", 5);
    if (value && value->kind == LV_VALUE_MAP) return value;
    *own = lv_value_map();
    if (value) lv_value_map_set(own, "value", lv_value_clone(value));
    return own;
}

/* Decodes a form event's url-encoded fields and checks its _csrf_token
 * against the view's CSRF state (LiveViewJS's "Forms Authenticity" security
 * topic; docs/security.md). A wrong token is refused; a missing one is
 * processed after a warning logged once per view, unless the app is
 * csrf_strict. The token is removed before the fields reach the view.
 * Returns the fields, in *own (which the caller frees either way), or NULL
 * with *refused set to the reason for the client. */
static const lv_value *form_value(lv_socket *socket, const lv_value *payload, lv_value *own,
                                  const char **refused)
{
    const char *name = socket->route->view->name;
    *own = lv_value_null();
    const lv_value *value = lv_value_map_get(payload, "value", 5);
    lv_value *fields = own;
    const lv_value *meta = lv_value_map_get(payload, "meta", 4);
    lv_form_status st = value && value->kind == LV_VALUE_STRING
                            ? lv_form_decode(value->as.s.ptr, value->as.s.len, NULL, fields)
                            : LV_FORM_BAD_ENCODING;
    /* Meta joins the fields below; it is held to the form's own limit on
     * fields, so merging it stays cheap. */
    if (st == LV_FORM_OK && lv_map_len(meta) > lv_form_default_limits.max_pairs)
        st = LV_FORM_TOO_MANY_PAIRS;
    if (st != LV_FORM_OK) {
        lv_log_warn("%s: form event refused: %s", name, lv_form_status_str(st));
        *refused = "invalid form";
        return NULL;
    }
    if (lv_value_map_get(fields, "_csrf_token", 11)) {
        const char *t = lv_value_str_at(fields, "_csrf_token");
        if (!t || !lv_csrf_verify(socket->csrf_state, strlen(socket->csrf_state), t, strlen(t))) {
            lv_log_warn("%s: form event refused: its _csrf_token does not match", name);
            *refused = "invalid CSRF token";
            return NULL;
        }
        lv_value_map_remove(fields, "_csrf_token");
    } else if (socket->app->config.csrf_strict) {
        lv_log_warn("%s: form event refused: no _csrf_token (csrf_strict)", name);
        *refused = "missing CSRF token";
        return NULL;
    } else if (!socket->warned_missing_csrf) {
        socket->warned_missing_csrf = true;
        lv_log_warn("%s: a form event carries no _csrf_token; processing it (add form_for or a "
                    "hidden _csrf_token input, or set csrf_strict)",
                    name);
    }
    /* The client sends the changed field as meta._target (and phx-value-*
     * attributes in meta); like Phoenix, they join the params. */
    for (size_t i = 0; i < lv_map_len(meta); i++) {
        const char *meta_key = lv_map_key_at(meta, i);
        const lv_value *meta_value = lv_map_value_at(meta, i);
        if (strcmp(meta_key, "_csrf_token") != 0 &&
            (meta_value->kind == LV_VALUE_STRING || meta_value->kind == LV_VALUE_INT ||
             meta_value->kind == LV_VALUE_DOUBLE))
            lv_value_map_set(fields, meta_key, lv_value_clone(meta_value));
    }
    return fields;
}

/* Runs a step that answers the client, and answers. */
static void step_and_answer(lv_socket *socket, const lv_callback *cb, lv_answer *answer)
{
    lv_step step = {.out = &answer_scratch};
    lv_step_run(socket, cb, LV_STEP_REPLY, &step);
    if (step.status == LV_STEP_OK) {
        answer_rendered(answer, true);
    } else {
        answer_error(answer, step.reason);
        /* The app's own callback failed: Phoenix's view process would have
         * died. The library's own refusals (uploads) stay error replies. */
        if (cb->kind == LV_CALLBACK_EVENT || cb->kind == LV_CALLBACK_PARAMS) {
            const lv_socket *view = socket->parent ? socket->parent : socket;
            lv_log_warn("%s: %s failed: the view crashed", view->route->view->name,
                        cb->kind == LV_CALLBACK_EVENT ? "handle_event" : "handle_params");
            answer->crashed = true;
            answer->crashed_parent = view->linked_to_parent ? view->view_parent : NULL;
        }
    }
    lv_step_free(&step);
}

/* "event": for the view, or for a component (the payload's cid, from
 * phx-target). An unknown cid gets an empty reply, as Phoenix's push_noop. */
static void handle_event(lv_socket *view_socket, const lv_value *payload, lv_answer *answer)
{
    const char *event = lv_value_str_at(payload, "event");
    if (!event) {
        answer_error(answer, "malformed event");
        return;
    }
    if (strncmp(event, "lv:", 3) == 0) {
        /* Reserved client events, never passed to the view. */
        if (strcmp(event, "lv:clear-flash") == 0) {
            lv_callback cb = {.kind = LV_CALLBACK_CLEAR_FLASH,
                              .name = lv_value_str_at(lv_value_map_get(payload, "value", 5), "key")};
            step_and_answer(view_socket, &cb, answer);
        } else {
            answer_error(answer, "unknown event");
        }
        return;
    }
    lv_socket *socket = view_socket;
    const lv_value *cid = lv_value_map_get(payload, "cid", 3);
    if (cid && cid->kind == LV_VALUE_INT) {
        socket = lv_components_find(view_socket, cid->as.i);
        if (!socket) {
            answer_text(answer, true, "{}");
            return;
        }
    }
    const lv_view *view = socket->route->view;
    bool handles = socket->parent ? lv_component_def_of(socket)->handle_event != NULL : view->handle_event != NULL;
    if (!event_declared(view, event) || !handles) {
        lv_log_warn("%s%s: event \"%.64s\" is not declared; refused", socket->parent ? "component " : "",
                    view->name, event);
        answer_error(answer, "unknown event");
        return;
    }
    const lv_value *uploads = lv_value_map_get(payload, "uploads", 7);
    if (uploads && uploads->kind == LV_VALUE_MAP && !socket->parent) lv_uploads_put_from_event(socket, uploads);
    const char *type = lv_value_str_at(payload, "type");
    const char *refused = NULL;
    lv_value own;
    const lv_value *value_map = type && strcmp(type, "form") == 0 ? form_value(socket, payload, &own, &refused)
                                                                  : event_value(payload, &own);
    if (!value_map) {
        lv_value_free(&own);
        answer_error(answer, refused);
        return;
    }
    lv_params value = lv_params_of(value_map);
    lv_callback cb = {.kind = LV_CALLBACK_EVENT, .name = event, .params = &value};
    step_and_answer(socket, &cb, answer);
    lv_params_release(&value);
    lv_value_free(&own);
}

/* The client changed the URL (a live_patch link, or back/forward): the view
 * runs handle_params with it. A URL of another view is answered
 * link_redirect, and the client navigates there instead. */
static void handle_live_patch(lv_socket *socket, const lv_value *payload, lv_answer *answer)
{
    const char *url = lv_value_str_at(payload, "url");
    if (!url) {
        answer_text(answer, true, "{\"link_redirect\":true}");
        return;
    }
    lv_value decoded;
    if (route_url(socket->app, url, &decoded) != socket->route) {
        lv_value_free(&decoded);
        answer_text(answer, true, "{\"link_redirect\":true}");
        return;
    }
    /* The URL was decoded to route it: handle_params gets those params. */
    lv_params params = lv_params_of(&decoded);
    lv_callback cb = {.kind = LV_CALLBACK_PARAMS, .url = url, .params = &params};
    step_and_answer(socket, &cb, answer);
    lv_params_release(&params);
    lv_value_free(&decoded);
}

/* ---- uploads (live/upload.c does the work; these render and answer) ---- */

typedef struct preflight_run {
    const lv_value *payload;
    lv_buf keys;         /* the reply's keys besides the diff */
    const char *refused; /* set when it cannot be answered */
} preflight_run;

static int run_preflight(lv_socket *socket, const void *arg)
{
    preflight_run *p = (preflight_run *)arg;
    return lv_uploads_preflight(socket, p->payload, &p->keys, &p->refused) ? 0 : -1;
}

/* "allow_upload": {"diff":...,"ref":...,"config":...,"entries":...,"errors":...}. */
static void handle_allow_upload(lv_socket *socket, const lv_value *payload, lv_answer *answer)
{
    preflight_run p = {.payload = payload, .keys = LV_BUF_INIT};
    lv_callback cb = {.kind = LV_CALLBACK_LIBRARY, .run = run_preflight, .arg = &p};
    step_and_answer(socket, &cb, answer);
    if (p.refused) {
        lv_log_warn("%s: allow_upload refused: %s", socket->route->view->name, p.refused);
        answer_error(answer, p.refused);
    } else if (answer->ok) {
        /* The step's answer is an object: {} or {"diff":...}. */
        answer_scratch.len--;
        const char *keys = p.keys.data ? p.keys.data : "";
        if (answer_scratch.len == 1 && keys[0] == ',') keys++;
        lv_buf_puts(&answer_scratch, keys);
        lv_buf_putc(&answer_scratch, '}');
        answer_rendered(answer, true);
    }
    lv_buf_free(&p.keys);
}

static int run_progress(lv_socket *socket, const void *arg)
{
    return lv_uploads_progress(socket, arg);
}

void lv_view_handle(lv_socket *socket, const char *event, const lv_value *payload, lv_answer *answer)
{
    if (strcmp(event, "allow_upload") == 0) {
        handle_allow_upload(socket, payload, answer);
    } else if (strcmp(event, "progress") == 0) {
        lv_callback cb = {.kind = LV_CALLBACK_LIBRARY, .run = run_progress, .arg = payload};
        step_and_answer(socket, &cb, answer);
    } else if (strcmp(event, "event") == 0) {
        handle_event(socket, payload, answer);
    } else if (strcmp(event, "live_patch") == 0) {
        handle_live_patch(socket, payload, answer);
    } else if (strcmp(event, "cids_destroyed") == 0) {
        /* The client removed these components from the DOM: forget them and
         * say so; it needs the "cids" key to prune (docs/protocol.md §4.4). */
        lv_buf_reset(&answer_scratch);
        lv_components_destroy(socket, lv_value_map_get(payload, "cids", 4), &answer_scratch);
        answer_rendered(answer, true);
    } else {
        /* cids_will_destroy and anything unknown: every push gets a reply
         * (docs/protocol.md §1.7), or the client reloads the page after 30 s. */
        answer_text(answer, true, "{}");
    }
}

/* ---- infos ---- */

static const char *nav_event(lv_nav_kind kind)
{
    return kind == LV_NAV_PATCH ? "live_patch" : kind == LV_NAV_NAVIGATE ? "live_redirect" : "redirect";
}

void lv_view_drain_infos(lv_socket *socket, lv_view_push_fn push, void *ctx)
{
    const lv_view *view = socket->route->view;
    lv_info *info;
    int delivered = 0;
    while ((info = lv_socket_next_info(socket))) {
        if (++delivered > LV_MAX_INFOS_PER_DRAIN) {
            lv_log_error("%s: more than %d infos in a row; dropping the rest", view->name,
                         LV_MAX_INFOS_PER_DRAIN);
            lv_info_free(info);
            while ((info = lv_socket_next_info(socket))) lv_info_free(info);
            return;
        }
        lv_socket *target = socket;
        const lv_value *update_assigns = NULL;
        if (info->component_update) {
            /* lv_send_update: the component's update, then its diff. */
            const char *name = lv_value_str_at(&info->payload, "component");
            const char *id = lv_value_str_at(&info->payload, "id");
            target = name && id ? lv_components_find_by_id(socket, name, id) : NULL;
            if (!target) {
                lv_log_warn("%s: send_update to component %s with id %s, which is not on the page; dropped",
                            view->name, name ? name : "?", id ? id : "?");
                lv_info_free(info);
                continue;
            }
            update_assigns = lv_value_map_get(&info->payload, "assigns", 7);
        }
        lv_params payload = lv_params_of(update_assigns ? update_assigns : &info->payload);
        lv_callback cb = {.kind = info->component_update ? LV_CALLBACK_UPDATE
                                  : info->render_only    ? LV_CALLBACK_RENDER
                                                         : LV_CALLBACK_INFO,
                          .name = info->name,
                          .params = &payload};
        lv_step step = {.out = &push_scratch};
        lv_step_run(target, &cb, LV_STEP_PUSH, &step);
        lv_params_release(&payload);
        lv_info_free(info);
        if (step.status != LV_STEP_OK) {
            lv_log_warn("%s: handle_info failed", view->name);
        } else {
            /* The navigation first (a patch's URL before the diff that shows
             * it, as Phoenix does), then the diff. */
            if (step.nav.kind != LV_NAV_NONE) {
                lv_buf nav = LV_BUF_INIT;
                lv_nav_write(socket, &step.nav, &nav);
                /* lv_nav_write wrote "key":{...}; the push payload is the object. */
                const char *obj = strchr(nav.data, '{');
                push(ctx, socket, nav_event(step.nav.kind), obj, strlen(obj));
                lv_buf_free(&nav);
            }
            if (push_scratch.len) push(ctx, socket, "diff", push_scratch.data, push_scratch.len);
        }
        lv_step_free(&step);
    }
}
