#include "channel/channel.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "channel/phx.h"
#include "live/templates.h"
#include "render/js.h"
#include "render/render.h"
#include "util/form.h"
#include "util/json.h"
#include "util/log.h"
#include "util/value_json.h"

/* A view sending itself infos from handle_info could loop forever inside one
 * loop tick; past this many in one drain the rest are dropped with an error. */
#define LV_MAX_INFOS_PER_DRAIN 1000

/* Scratch buffers reused by every message of this thread: the frame being
 * sent and the render that goes inside it. Their capacity stays with the
 * thread, not with each of its connections. */
static _Thread_local lv_buf frame_scratch;
static _Thread_local lv_buf render_scratch;

void lv_channel_thread_cleanup(void)
{
    lv_buf_free(&frame_scratch);
    lv_buf_free(&render_scratch);
}

void lv_channel_init(lv_channel *ch, lv_app *app, lv_channel_send_fn send, void *send_ctx)
{
    memset(ch, 0, sizeof *ch);
    ch->app = app;
    ch->send = send;
    ch->send_ctx = send_ctx;
}

void lv_channel_set_connect_session(lv_channel *ch, const char *csrf_state)
{
    if (csrf_state && strlen(csrf_state) == LV_CSRF_STATE_LEN) {
        ch->connect = LV_CONNECT_VERIFIED;
        memcpy(ch->connect_csrf_state, csrf_state, LV_CSRF_STATE_LEN + 1);
    } else {
        ch->connect = LV_CONNECT_REFUSED;
        ch->connect_csrf_state[0] = '\0';
    }
}

static void flush_frame(lv_channel *ch)
{
    ch->send(ch->send_ctx, frame_scratch.data, frame_scratch.len);
    lv_buf_reset(&frame_scratch);
}

static void reply(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                  const char *status, const char *response)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_reply(&frame_scratch, join_ref, ref, topic, status, response, strlen(response));
    flush_frame(ch);
}

static void reply_error(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                        const char *reason)
{
    lv_buf response = LV_BUF_INIT;
    lv_buf_puts(&response, "{\"reason\":");
    lv_json_cstr(&response, reason);
    lv_buf_putc(&response, '}');
    reply(ch, join_ref, ref, topic, "error", response.data);
    lv_buf_free(&response);
}

static void push(lv_channel *ch, const char *join_ref, const char *topic, const char *event,
                 const char *payload, size_t payload_len)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_push(&frame_scratch, join_ref, NULL, topic, event, payload, payload_len);
    flush_frame(ch);
}

/* The channel closes: [jr, jr, topic, "phx_close", {}], as Phoenix sends it
 * (protocol.md §1.6). */
static void push_close(lv_channel *ch, const char *join_ref, const char *topic)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_push(&frame_scratch, join_ref, join_ref, topic, "phx_close", "{}", 2);
    flush_frame(ch);
}

static lv_channel_view *find_view(lv_channel *ch, const char *topic)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (strcmp(ch->views[i].topic, topic) == 0) return &ch->views[i];
    return NULL;
}

/* Runs terminate and frees the view, keeping the order of the others. */
static void remove_view(lv_channel *ch, lv_channel_view *v, lv_terminate_reason reason)
{
    lv_socket *socket = v->socket;
    if (socket->route->view->terminate) socket->route->view->terminate(socket, reason);
    lv_socket_free(socket);
    free(v->topic);
    free(v->join_ref);
    size_t index = (size_t)(v - ch->views);
    memmove(v, v + 1, (ch->view_count - index - 1) * sizeof *v);
    ch->view_count--;
    if (ch->view_count == 0) {
        free(ch->views);
        ch->views = NULL;
        ch->view_cap = 0;
    }
}

/* Adds the title, pushed events and hook reply the view set (keys "t", "e",
 * "r") to the JSON object that ends `out`, which has keys already when
 * has_keys. Clears them. Returns true when it added any. */
static bool append_outputs(lv_socket *socket, lv_buf *out, bool has_keys)
{
    lv_socket_extras *x = socket->extras;
    if (!x || (!x->title_changed && x->events.kind == LV_VALUE_NULL && x->reply.kind == LV_VALUE_NULL))
        return false;
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

/* Appends what the client must apply after a callback: the changed slots
 * plus the outputs above. Clears the change bits. Returns false when there
 * is nothing at all ({} is then written). */
static bool write_diff(lv_socket *socket, lv_buf *out)
{
    lv_template_refresh(socket->route->tmpl);
    lv_component_hooks hooks = lv_components_hooks(socket);
    bool changed = lv_render_diff_state(socket->route->tmpl, &socket->assigns, &socket->render_state,
                                        &hooks, out);
    lv_assigns_clear_changed(&socket->assigns);
    changed = lv_components_take_c(socket, out, changed) || changed;
    return append_outputs(socket, out, changed) || changed;
}

/* Replies ok with render_scratch as the response. */
static void reply_rendered(lv_channel *ch, const char *join_ref, const char *ref, const char *topic)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_reply(&frame_scratch, join_ref, ref, topic, "ok", render_scratch.data,
                 render_scratch.len);
    flush_frame(ch);
}

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

/* The params of a URL for handle_params into *params (a new MAP): the
 * route's path parameters and the query. False (nothing to free) when the
 * URL does not route to `route`. */
static bool url_params(lv_app *app, const lv_route_entry *route, const char *url, lv_value *params)
{
    const char *path, *query;
    size_t path_len, query_len;
    url_parts(url, &path, &path_len, &query, &query_len);
    if (lv_form_decode(query, query_len, NULL, params) != LV_FORM_OK) {
        lv_log_warn("%s: a URL's query could not be decoded; ignoring it", route->view->name);
        *params = lv_value_map();
    }
    if (lv_app_match_route(app, path, path_len, params) != route) {
        lv_value_free(params);
        return false;
    }
    return true;
}

static int run_handle_params(lv_socket *socket, const char *url)
{
    const lv_view *view = socket->route->view;
    if (!view->handle_params) return 0;
    lv_value obj;
    if (!url_params(socket->app, socket->route, url, &obj)) {
        lv_log_warn("%s: %s does not route to this view", view->name, url ? url : "(no URL)");
        return -1;
    }
    lv_params params = lv_params_of(&obj);
    int rc = view->handle_params(socket, &params, url ? url : "");
    lv_params_release(&params);
    lv_value_free(&obj);
    return rc;
}

/* Phoenix stops a view that keeps patching from handle_params after 20. */
#define LV_MAX_PATCHES 20

/* Carries out push_patch requests: handle_params for each new URL until the
 * view stops patching. Returns the last patch (taken: the caller frees
 * .to), or kind NONE; on failure *failed says why ("too many patches", or
 * "live_patch failed" for a URL of another view or a failed handle_params),
 * else NULL. */
static lv_nav follow_patches(lv_socket *socket, const char **failed)
{
    lv_nav last = {LV_NAV_NONE, false, NULL};
    *failed = NULL;
    lv_socket_extras *x = socket->extras;
    for (int n = 0; x && x->nav.kind == LV_NAV_PATCH; n++) {
        lv_nav patch = x->nav;
        x->nav = (lv_nav){LV_NAV_NONE, false, NULL};
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

/* Appends "key":{"to":...,"kind":...[,"flash":...]} for a navigation. */
static void write_nav(lv_socket *socket, const lv_nav *nav, lv_buf *out)
{
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

static lv_nav take_nav(lv_socket *socket)
{
    lv_nav nav = {LV_NAV_NONE, false, NULL};
    if (socket->extras) {
        nav = socket->extras->nav;
        socket->extras->nav = (lv_nav){LV_NAV_NONE, false, NULL};
    }
    return nav;
}

/* After a callback of the view: carries out its navigation and sends what
 * changed, as the reply to `ref` when ref is not NULL, else as pushes. */
static void finish(lv_channel *ch, lv_channel_view *v, const char *ref)
{
    lv_socket *socket = v->socket;
    const char *failed;
    lv_nav patch = follow_patches(socket, &failed);
    if (failed) {
        /* What changed stays marked and goes out with the next render. */
        free(patch.to);
        if (ref) reply_error(ch, v->join_ref, ref, v->topic, failed);
        return;
    }
    lv_nav nav = take_nav(socket);
    if (nav.kind == LV_NAV_NONE && patch.kind == LV_NAV_PATCH) nav = patch, patch.to = NULL;
    free(patch.to);

    lv_buf_reset(&render_scratch);
    if (ref) {
        lv_buf_puts(&render_scratch, "{\"diff\":");
        bool any = write_diff(socket, &render_scratch);
        if (nav.kind != LV_NAV_NONE) {
            lv_buf_putc(&render_scratch, ',');
            write_nav(socket, &nav, &render_scratch);
        } else if (!any) {
            lv_buf_reset(&render_scratch);
            lv_buf_puts(&render_scratch, "{");
        }
        lv_buf_putc(&render_scratch, '}');
        reply_rendered(ch, v->join_ref, ref, v->topic);
    } else {
        /* Pushes: the navigation first (a patch's URL before the diff that
         * shows it, as Phoenix does), then the diff. */
        if (nav.kind != LV_NAV_NONE) {
            lv_buf nav_json = LV_BUF_INIT;
            write_nav(socket, &nav, &nav_json);
            /* write_nav wrote "key":{...}; the push payload is the object. */
            const char *obj = strchr(nav_json.data, '{');
            push(ch, v->join_ref, v->topic,
                 nav.kind == LV_NAV_PATCH ? "live_patch" : nav.kind == LV_NAV_NAVIGATE ? "live_redirect" : "redirect",
                 obj, strlen(obj));
            lv_buf_free(&nav_json);
        }
        if (write_diff(socket, &render_scratch))
            push(ch, v->join_ref, v->topic, "diff", render_scratch.data, render_scratch.len);
    }
    free(nav.to);
}

/* Delivers the infos queued for the view (lv_send_info, timers, broadcasts,
 * async results), pushing what each one changes. */
static void drain_infos(lv_channel *ch, lv_channel_view *v)
{
    lv_socket *socket = v->socket;
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
        lv_params payload = lv_params_of(&info->payload);
        int rc = view->handle_info ? view->handle_info(socket, info->name, &payload) : 0;
        if (!view->handle_info)
            lv_log_warn("%s: info \"%s\" sent but the view has no handle_info", view->name,
                        info->name);
        lv_params_release(&payload);
        lv_info_free(info);
        if (rc != 0) {
            lv_log_warn("%s: handle_info failed", view->name);
            continue;
        }
        finish(ch, v, NULL);
    }
}

static lv_channel_view *find_view_of_socket(lv_channel *ch, const lv_socket *socket)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (ch->views[i].socket == socket) return &ch->views[i];
    return NULL;
}

/* Infos that arrive outside the channel's own work (a timer, a broadcast,
 * an async result) are handled at once; during the channel's work they wait
 * for the end of the message being handled. */
static void on_socket_notify(void *owner, lv_socket *socket)
{
    lv_channel *ch = owner;
    if (ch->busy) return;
    lv_channel_view *v = find_view_of_socket(ch, socket);
    if (!v) return;
    ch->busy = true;
    drain_infos(ch, v);
    ch->busy = false;
}

static void drain_all(lv_channel *ch)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (ch->views[i].socket->infos_head) drain_infos(ch, &ch->views[i]);
}

static void handle_join(lv_channel *ch, const lv_phx_msg *m)
{
    /* The join's own ref becomes the channel's join_ref (protocol.md §1.4). */
    const char *join_ref = m->join_ref ? m->join_ref : m->ref;
    if (!join_ref) {
        reply_error(ch, NULL, NULL, m->topic, "join without a ref");
        return;
    }
    lv_channel_view *old = find_view(ch, m->topic);
    if (old) {
        /* A second join of a joined topic replaces the first (Phoenix closes
         * the old channel, then processes the new join). */
        push_close(ch, old->join_ref, old->topic);
        remove_view(ch, old, LV_TERMINATE_REPLACED);
    }
    if (ch->view_count >= ch->app->config.max_views_per_connection) {
        reply_error(ch, join_ref, m->ref, m->topic, "too many channels joined");
        return;
    }

    const char *csrf = lv_value_str_at(lv_value_map_get(m->payload, "params", 6), "_csrf_token");
    const char *session_token = lv_value_str_at(m->payload, "session");
    lv_join_claims claims;
    const char *why = NULL;
    if (ch->connect == LV_CONNECT_REFUSED) {
        /* The socket URL's token did not match the cookie session, so this
         * socket has no session at all (Phoenix: session nil -> stale). */
        lv_log_warn("join of %s refused: the socket's CSRF token did not match its session",
                    m->topic);
        reply_error(ch, join_ref, m->ref, m->topic, "stale");
        return;
    }
    const char *connect_state = ch->connect == LV_CONNECT_VERIFIED ? ch->connect_csrf_state : NULL;
    if (lv_join_verify(ch->app, m->topic, session_token, csrf, connect_state, &claims, &why) != 0) {
        lv_log_warn("join of %s refused: %s", m->topic, why);
        reply_error(ch, join_ref, m->ref, m->topic, "stale");
        return;
    }
    /* The view is the one the URL routes to: the page's own on a first join,
     * another one after a live navigation (the client rejoins the topic with
     * `redirect` and the same token). */
    const char *url = lv_value_str_at(m->payload, "redirect");
    if (!url) url = lv_value_str_at(m->payload, "url");
    const lv_route_entry *route;
    lv_value url_params_obj;
    if (url) {
        const char *path, *query;
        size_t path_len, query_len;
        url_parts(url, &path, &path_len, &query, &query_len);
        if (lv_form_decode(query, query_len, NULL, &url_params_obj) != LV_FORM_OK)
            url_params_obj = lv_value_map();
        route = lv_app_match_route(ch->app, path, path_len, &url_params_obj);
    } else {
        route = lv_app_find_route(ch->app, claims.route_path, strlen(claims.route_path));
        url_params_obj = lv_value_map();
    }
    if (!route) {
        lv_log_warn("join of %s refused: its URL routes to no LiveView", m->topic);
        lv_value_free(&url_params_obj);
        lv_join_claims_free(&claims);
        reply_error(ch, join_ref, m->ref, m->topic, "unauthorized");
        return;
    }

    lv_socket *socket = lv_socket_new(ch->app, route, true, claims.id);
    lv_socket_set_csrf(socket, claims.csrf_state, csrf);
    socket->owner = ch;
    socket->notify = on_socket_notify;
    /* Flash from a full redirect (in the page's token) or a live one. */
    lv_flash_from_token(socket, json_string_value(json_object_get(claims.claims, "flash")));
    lv_flash_from_token(socket, lv_value_str_at(m->payload, "flash"));
    lv_params params = lv_params_of(&url_params_obj), session = lv_params_of(&claims.session);
    const lv_view *view = route->view;
    bool mounted = view->mount(socket, &params, &session) == 0;
    int rc = mounted ? 0 : -1;
    if (mounted && view->handle_params) rc = view->handle_params(socket, &params, url ? url : route->path);
    lv_params_release(&params);
    lv_params_release(&session);
    lv_value_free(&url_params_obj);
    lv_join_claims_free(&claims);
    const char *failed = NULL;
    lv_nav patch = {LV_NAV_NONE, false, NULL};
    if (rc == 0) patch = follow_patches(socket, &failed);
    lv_nav nav = rc == 0 && !failed ? take_nav(socket) : (lv_nav){LV_NAV_NONE, false, NULL};
    if (rc != 0 || failed || nav.kind != LV_NAV_NONE) {
        if (rc != 0 || failed) {
            lv_log_warn("%s: mount refused the join of %s", view->name, m->topic);
            reply_error(ch, join_ref, m->ref, m->topic, "join crashed");
        } else {
            /* Mount sent the client elsewhere: an error reply carrying where
             * (protocol.md §3), and the view ends here. */
            lv_buf_reset(&render_scratch);
            lv_buf_putc(&render_scratch, '{');
            write_nav(socket, &nav, &render_scratch);
            lv_buf_putc(&render_scratch, '}');
            lv_buf_reset(&frame_scratch);
            lv_phx_reply(&frame_scratch, join_ref, m->ref, m->topic, "error", render_scratch.data,
                         render_scratch.len);
            flush_frame(ch);
        }
        /* terminate runs for every mount that succeeded, and only those. */
        if (mounted && view->terminate) view->terminate(socket, LV_TERMINATE_LEAVE);
        free(patch.to);
        free(nav.to);
        lv_socket_free(socket);
        return;
    }

    lv_buf_reset(&render_scratch);
    lv_buf_puts(&render_scratch, "{\"rendered\":");
    lv_template_refresh(route->tmpl);
    lv_component_hooks hooks = lv_components_hooks(socket);
    lv_render_full_state(route->tmpl, &socket->assigns, &socket->render_state, &hooks, &render_scratch);
    lv_assigns_clear_changed(&socket->assigns);
    lv_components_take_c(socket, &render_scratch, true);
    append_outputs(socket, &render_scratch, true);
    if (patch.kind == LV_NAV_PATCH) {
        lv_buf_putc(&render_scratch, ',');
        write_nav(socket, &patch, &render_scratch);
    }
    lv_buf_puts(&render_scratch, ",\"liveview_version\":\"" LV_CLIENT_VERSION "\"}");
    free(patch.to);
    reply_rendered(ch, join_ref, m->ref, m->topic);

    if (ch->view_count == ch->view_cap) {
        ch->view_cap = ch->view_cap ? ch->view_cap * 2 : 1;
        ch->views = lv_xrealloc(ch->views, ch->view_cap * sizeof *ch->views);
    }
    lv_channel_view *v = &ch->views[ch->view_count++];
    v->topic = lv_xstrdup(m->topic);
    v->join_ref = lv_xstrdup(join_ref);
    v->socket = socket;
}

/* A component's socket carries a stand-in lv_view (live/components.c)
 * whose events are the component's; its handle_event is the component's. */
static bool component_handles_events(const lv_socket *component)
{
    const lv_component_entry *e = (const lv_component_entry *)((const char *)component->route->view -
                                                              offsetof(lv_component_entry, view));
    return e->def->handle_event != NULL;
}

static int component_handle_event(lv_socket *component, const char *event, const lv_params *value)
{
    const lv_component_entry *e = (const lv_component_entry *)((const char *)component->route->view -
                                                              offsetof(lv_component_entry, view));
    return e->def->handle_event(component, event, value);
}

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
 * against the view's CSRF state (seed: "LiveViewJS Forms Authenticity"). A
 * wrong token is refused; a missing one is processed after a warning logged
 * once per view, unless the app is csrf_strict. The token is removed before
 * the fields reach the view. Returns the fields, in *own (which the caller
 * frees either way), or NULL after replying. */
static const lv_value *form_value(lv_channel *ch, lv_channel_view *v, lv_socket *socket,
                                  const lv_phx_msg *m, lv_value *own)
{
    *own = lv_value_null();
    const lv_value *value = lv_value_map_get(m->payload, "value", 5);
    lv_value *fields = own;
    const lv_value *meta = lv_value_map_get(m->payload, "meta", 4);
    lv_form_status st = value && value->kind == LV_VALUE_STRING
                            ? lv_form_decode(value->as.s.ptr, value->as.s.len, NULL, fields)
                            : LV_FORM_BAD_ENCODING;
    /* Meta joins the fields below; it is held to the form's own limit on
     * fields, so merging it stays cheap. */
    if (st == LV_FORM_OK && lv_map_len(meta) > lv_form_default_limits.max_pairs)
        st = LV_FORM_TOO_MANY_PAIRS;
    if (st != LV_FORM_OK) {
        lv_log_warn("%s: form event refused: %s", socket->route->view->name, lv_form_status_str(st));
        reply_error(ch, v->join_ref, m->ref, m->topic, "invalid form");
        return NULL;
    }
    if (lv_value_map_get(fields, "_csrf_token", 11)) {
        const char *t = lv_value_str_at(fields, "_csrf_token");
        if (!t || !lv_csrf_verify(socket->csrf_state, strlen(socket->csrf_state), t, strlen(t))) {
            lv_log_warn("%s: form event refused: its _csrf_token does not match",
                        socket->route->view->name);
            reply_error(ch, v->join_ref, m->ref, m->topic, "invalid CSRF token");
            return NULL;
        }
        lv_value_map_remove(fields, "_csrf_token");
    } else if (ch->app->config.csrf_strict) {
        lv_log_warn("%s: form event refused: no _csrf_token (csrf_strict)", socket->route->view->name);
        reply_error(ch, v->join_ref, m->ref, m->topic, "missing CSRF token");
        return NULL;
    } else if (!socket->warned_missing_csrf) {
        socket->warned_missing_csrf = true;
        lv_log_warn("%s: a form event carries no _csrf_token; processing it (add form_for or a "
                    "hidden _csrf_token input, or set csrf_strict)",
                    socket->route->view->name);
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

/* An event for a component (the payload's cid, from phx-target): its own
 * handle_event, then a reply with its changes in "c". An unknown cid gets
 * an empty reply, as Phoenix's push_noop. */
static void handle_component_event(lv_channel *ch, lv_channel_view *v, const lv_phx_msg *m,
                                   const char *event, int64_t cid)
{
    lv_socket *component = lv_components_find(v->socket, cid);
    if (!component) {
        reply(ch, v->join_ref, m->ref, m->topic, "ok", "{}");
        return;
    }
    const lv_view *def = component->route->view;
    if (!event_declared(def, event) || !component_handles_events(component)) {
        lv_log_warn("component %s: event \"%.64s\" is not declared; refused", def->name, event);
        reply_error(ch, v->join_ref, m->ref, m->topic, "unknown event");
        return;
    }
    const char *type = lv_value_str_at(m->payload, "type");
    lv_value own;
    const lv_value *value_map = type && strcmp(type, "form") == 0 ? form_value(ch, v, component, m, &own)
                                                                  : event_value(m->payload, &own);
    if (!value_map) { /* already answered */
        lv_value_free(&own);
        return;
    }
    lv_params value = lv_params_of(value_map);
    int rc = component_handle_event(component, event, &value);
    lv_params_release(&value);
    lv_value_free(&own);
    if (rc != 0) {
        reply_error(ch, v->join_ref, m->ref, m->topic, "event failed");
        return;
    }
    lv_buf_reset(&render_scratch);
    lv_buf_puts(&render_scratch, "{\"diff\":");
    if (lv_components_render_one(component, &render_scratch)) {
        lv_buf_putc(&render_scratch, '}');
    } else {
        lv_buf_reset(&render_scratch);
        lv_buf_puts(&render_scratch, "{}");
    }
    reply_rendered(ch, v->join_ref, m->ref, m->topic);
}

static void handle_event(lv_channel *ch, lv_channel_view *v, const lv_phx_msg *m)
{
    lv_socket *socket = v->socket;
    const lv_view *view = socket->route->view;
    const char *event = lv_value_str_at(m->payload, "event");
    if (!event) {
        reply_error(ch, v->join_ref, m->ref, m->topic, "malformed event");
        return;
    }
    const lv_value *cid = lv_value_map_get(m->payload, "cid", 3);
    if (cid && cid->kind == LV_VALUE_INT && strncmp(event, "lv:", 3) != 0) {
        handle_component_event(ch, v, m, event, cid->as.i);
        return;
    }
    if (strncmp(event, "lv:", 3) == 0) {
        /* Reserved client events, never passed to the view. */
        if (strcmp(event, "lv:clear-flash") == 0) {
            lv_clear_flash(socket, lv_value_str_at(lv_value_map_get(m->payload, "value", 5), "key"));
            finish(ch, v, m->ref);
        } else {
            reply_error(ch, v->join_ref, m->ref, m->topic, "unknown event");
        }
        return;
    }
    if (!event_declared(view, event) || !view->handle_event) {
        lv_log_warn("%s: event \"%.64s\" is not declared by the view; refused", view->name, event);
        reply_error(ch, v->join_ref, m->ref, m->topic, "unknown event");
        return;
    }
    const char *type = lv_value_str_at(m->payload, "type");
    lv_value own;
    const lv_value *value_map = type && strcmp(type, "form") == 0 ? form_value(ch, v, socket, m, &own)
                                                                  : event_value(m->payload, &own);
    if (!value_map) { /* already answered */
        lv_value_free(&own);
        return;
    }
    lv_params value = lv_params_of(value_map);
    int rc = view->handle_event(socket, event, &value);
    lv_params_release(&value);
    lv_value_free(&own);
    if (rc != 0) {
        /* No diff with an error reply; the assigns it changed stay marked
         * and go out with the next reply, so the client never falls behind. */
        lv_nav nav = take_nav(socket);
        free(nav.to);
        reply_error(ch, v->join_ref, m->ref, m->topic, "event failed");
    } else {
        finish(ch, v, m->ref);
    }
}

/* The client changed the URL (a live_patch link, or back/forward): the view
 * runs handle_params with it. A URL of another view is answered
 * link_redirect, and the client navigates there instead. */
static void handle_live_patch(lv_channel *ch, lv_channel_view *v, const lv_phx_msg *m)
{
    const char *url = lv_value_str_at(m->payload, "url");
    lv_socket *socket = v->socket;
    lv_value params;
    if (!url || !url_params(ch->app, socket->route, url, &params)) {
        reply(ch, v->join_ref, m->ref, m->topic, "ok", "{\"link_redirect\":true}");
        return;
    }
    lv_value_free(&params);
    if (run_handle_params(socket, url) != 0) {
        reply_error(ch, v->join_ref, m->ref, m->topic, "live_patch failed");
        return;
    }
    finish(ch, v, m->ref);
}

static void handle_view_message(lv_channel *ch, lv_channel_view *v, const lv_phx_msg *m)
{
    const char *event = m->event;
    if (strcmp(event, "event") == 0) {
        handle_event(ch, v, m);
    } else if (strcmp(event, "phx_leave") == 0) {
        /* Reply first, then close: the client handles this order cleanly
         * (protocol.md §1.6). */
        char *join_ref = lv_xstrdup(v->join_ref);
        char *topic = lv_xstrdup(v->topic);
        reply(ch, join_ref, m->ref, topic, "ok", "{}");
        remove_view(ch, v, LV_TERMINATE_LEAVE);
        push_close(ch, join_ref, topic);
        free(join_ref);
        free(topic);
    } else if (strcmp(event, "live_patch") == 0) {
        handle_live_patch(ch, v, m);
    } else if (strcmp(event, "cids_destroyed") == 0) {
        /* The client removed these components from the DOM: forget them and
         * say so; it needs the "cids" key to prune (protocol.md §4.4). */
        lv_buf response = LV_BUF_INIT;
        lv_components_destroy(v->socket, lv_value_map_get(m->payload, "cids", 4), &response);
        reply(ch, v->join_ref, m->ref, m->topic, "ok", response.data);
        lv_buf_free(&response);
    } else {
        /* cids_will_destroy and anything unknown: every push gets a reply
         * (protocol.md §1.7), or the client reloads the page after 30 s. */
        reply(ch, v->join_ref, m->ref, m->topic, "ok", "{}");
    }
}

void lv_channel_handle_text(lv_channel *ch, const char *data, size_t len)
{
    lv_phx_msg m;
    lv_phx_status st = lv_phx_decode(data, len, &m);
    if (st != LV_PHX_OK) {
        /* Without a ref and a topic there is nobody to answer; with them the
         * client gets an error instead of waiting for a timeout. */
        lv_log_warn("malformed message ignored: %s", lv_phx_status_str(st));
        if (st == LV_PHX_BAD_FIELD && m.ref && m.topic)
            reply_error(ch, m.join_ref, m.ref, m.topic, "malformed message");
        lv_phx_msg_free(&m);
        return;
    }
    if (strcmp(m.topic, "phoenix") == 0) {
        if (strcmp(m.event, "heartbeat") == 0)
            reply(ch, NULL, m.ref, m.topic, "ok", "{}");
        else
            reply_error(ch, m.join_ref, m.ref, m.topic, "unmatched topic");
    } else if (strcmp(m.event, "phx_join") == 0 && strncmp(m.topic, "lv:", 3) == 0) {
        ch->busy = true;
        handle_join(ch, &m);
        ch->busy = false;
    } else {
        lv_channel_view *v = find_view(ch, m.topic);
        /* A message for an earlier join of the topic is as unmatched as one
         * for a topic never joined. */
        if (!v || (m.join_ref && strcmp(m.join_ref, v->join_ref) != 0)) {
            reply_error(ch, m.join_ref, m.ref, m.topic, "unmatched topic");
        } else {
            ch->busy = true;
            handle_view_message(ch, v, &m);
            ch->busy = false;
        }
    }
    lv_phx_msg_free(&m);
    /* Infos queued while the message was handled (by the view itself, or
     * broadcast to other views of this connection) go out now, after the
     * reply. */
    ch->busy = true;
    drain_all(ch);
    ch->busy = false;
}

void lv_channel_handle_binary(lv_channel *ch, const uint8_t *data, size_t len)
{
    /* Layout (protocol.md §1.8): kind, four field lengths, the fields, then
     * the payload. Only upload chunks use it, and no upload channel exists
     * yet, so a well-formed push is answered "unmatched topic". */
    if (len < 5 || data[0] != 0) {
        lv_log_warn("malformed binary message ignored");
        return;
    }
    size_t lens[4] = {data[1], data[2], data[3], data[4]};
    size_t need = 5 + lens[0] + lens[1] + lens[2] + lens[3];
    if (need > len) {
        lv_log_warn("malformed binary message ignored: fields overrun the frame");
        return;
    }
    const char *p = (const char *)data + 5;
    char *join_ref = lv_xstrndup(p, lens[0]);
    char *ref = lv_xstrndup(p + lens[0], lens[1]);
    char *topic = lv_xstrndup(p + lens[0] + lens[1], lens[2]);
    reply_error(ch, lens[0] ? join_ref : NULL, ref, topic, "unmatched topic");
    free(join_ref);
    free(ref);
    free(topic);
}

void lv_channel_close(lv_channel *ch, lv_terminate_reason reason)
{
    while (ch->view_count > 0) remove_view(ch, &ch->views[ch->view_count - 1], reason);
    free(ch->views);
    ch->views = NULL;
    ch->view_cap = 0;
}
