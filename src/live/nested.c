/* Nested LiveViews: {{live_render "name" id="..."}} (docs/nested.md).
 *
 * A child is an ordinary view with its own socket, state, events and
 * lifetime, joined by the client over its own "lv:<id>" topic, as Phoenix's
 * live_render (static.ex nested_render) does:
 *
 *   dead render   the child mounts (disconnected) and its HTML goes inline
 *                 in its container: <div id=ID data-phx-session=""
 *                 data-phx-static="" data-phx-parent-id=PARENT>...</div>
 *   parent join   the parent's tree carries the container alone, with the
 *                 child's signed session token; the client joins the child
 *                 with it once the parent has joined (view.js joinChild)
 *   child join    the token names the child's id, its view and its parent's
 *                 id: the parent must be joined on the same connection
 *                 (channel/channel.c), so a token lifted from another page
 *                 or connection is refused
 *
 * A sticky child (sticky=true) has no parent: its container carries
 * data-phx-sticky and a token already in the dead render; the client joins
 * it as a root view. Every page that shows it renders it with the same id
 * (Phoenix puts it in the app layout every view renders): on live
 * navigation the client moves the element into the new page's container
 * and its patch keeps it (live_socket.js replaceMain, dom_patch.js), so the
 * child stays joined with its state. */
#include <stdlib.h>
#include <string.h>

#include "live/lifecycle.h"
#include "live/live.h"
#include "live/templates.h"
#include "render/escape.h"
#include "util/log.h"

#define LV_CHILD_ID_MAX LV_ID_LEN

int lv_live_view_register(lv_app *app, const lv_view *view)
{
    if (!app || !view || !view->name || !view->mount || !(view->template_text || view->template_file)) {
        lv_log_error("a nested view needs a name, a template and a mount callback");
        return -1;
    }
    if (view->handle_params) {
        /* Phoenix: handle_params is not allowed on child LiveViews. */
        lv_log_error("nested view %s: handle_params is for views at a route, not nested ones", view->name);
        return -1;
    }
    if (lv_live_view_find(app, view->name)) {
        lv_log_error("nested view %s is already registered", view->name);
        return -1;
    }
    lv_tmpl_error err;
    lv_tmpl *tmpl = lv_template_load(view, &err);
    if (!tmpl) {
        lv_log_error("%s", err.message);
        return -1;
    }
    app->live_views = lv_xrealloc(app->live_views, (app->live_view_count + 1) * sizeof *app->live_views);
    app->live_views[app->live_view_count++] = (lv_route_entry){lv_xstrdup(view->name), view, tmpl, NULL};
    return 0;
}

const lv_route_entry *lv_live_view_find(const lv_app *app, const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < app->live_view_count; i++)
        if (strcmp(app->live_views[i].path, name) == 0) return &app->live_views[i];
    return NULL;
}

void lv_live_views_free(lv_app *app)
{
    for (size_t i = 0; i < app->live_view_count; i++) {
        lv_tmpl_free(app->live_views[i].tmpl);
        free(app->live_views[i].path);
    }
    free(app->live_views);
    app->live_views = NULL;
    app->live_view_count = 0;
}

/* ---- the slot ---- */

static const lv_value *named_arg(const lv_component_call *call, const char *key)
{
    for (uint32_t i = 0; i < call->arg_count; i++)
        if (strcmp(call->keys[i], key) == 0) return call->values[i];
    return NULL;
}

/* The child's id: 1 to 20 characters of [A-Za-z0-9_-], as it becomes an
 * HTML id and the topic "lv:<id>". */
static const char *child_id(const lv_component_call *call)
{
    const char *id = lv_value_str_of(named_arg(call, "id"));
    if (!id || !id[0] || strlen(id) > LV_CHILD_ID_MAX) return NULL;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-'))
            return NULL;
    return id;
}

static bool is_sticky(const lv_component_call *call)
{
    const lv_value *v = named_arg(call, "sticky");
    return v && lv_value_kind_of(v) == LV_VALUE_BOOL && lv_value_bool_of(v);
}

/* The arguments besides id and sticky: the child's session (a MAP, owned by
 * the caller), as Phoenix's live_render session: option. */
static lv_value child_session(const lv_component_call *call)
{
    lv_value session = lv_value_map();
    for (uint32_t i = 0; i < call->arg_count; i++)
        if (strcmp(call->keys[i], "id") != 0 && strcmp(call->keys[i], "sticky") != 0)
            lv_value_map_set(&session, call->keys[i], lv_value_clone(call->values[i]));
    return session;
}

/* The child's signed session token (owned by the caller), or NULL when the
 * serializer fails. parent_id NULL: a sticky child. */
static char *sign_child(lv_app *app, const char *id, const char *view, const char *parent_id,
                        const char *csrf_state, const lv_value *session)
{
    lv_buf session_json = LV_BUF_INIT;
    lv_value_append_json(session, &session_json);
    json_t *session_obj = json_loadb(session_json.data, session_json.len, 0, NULL);
    lv_buf_free(&session_json);
    if (!json_is_object(session_obj)) {
        json_decref(session_obj);
        session_obj = json_object();
    }
    json_t *claims = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "view", view, "csrf", csrf_state, "session",
                               session_obj);
    if (parent_id)
        json_object_set_new(claims, "parent", json_string(parent_id));
    else
        json_object_set_new(claims, "sticky", json_true());
    char *text = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    char *token = app->serde.serialize(app->serde.ctx, text, strlen(text));
    free(text);
    return token;
}

static void put_attr(lv_buf *out, const char *name, const char *value)
{
    lv_buf_printf(out, " %s=\"", name);
    lv_html_escape(out, value, strlen(value));
    lv_buf_putc(out, '"');
}

/* <div id=.. data-phx-session=.. data-phx-static="" (parent id | sticky)>inner</div> */
static void write_container(lv_buf *out, const char *id, const char *token, const char *parent_id,
                            const lv_buf *inner)
{
    lv_buf_puts(out, "<div");
    put_attr(out, "id", id);
    put_attr(out, "data-phx-session", token ? token : "");
    lv_buf_puts(out, " data-phx-static=\"\"");
    if (parent_id)
        put_attr(out, "data-phx-parent-id", parent_id);
    else
        lv_buf_puts(out, " data-phx-sticky");
    lv_buf_putc(out, '>');
    if (inner && inner->len) lv_buf_append(out, inner->data, inner->len);
    lv_buf_puts(out, "</div>");
}

/* Mounts the child disconnected and appends its HTML to inner. Returns
 * false (logged) when mount failed or navigated away. */
static bool dead_render_child(lv_app *app, const lv_route_entry *route, const char *id, const char *csrf_state,
                              const lv_value *session_value, lv_buf *inner)
{
    lv_socket *child = lv_socket_new(app, route, false, id);
    snprintf(child->csrf_state, sizeof child->csrf_state, "%s", csrf_state);
    lv_params params = lv_params_of(NULL), session = lv_params_of(session_value);
    lv_callback cb = {.kind = LV_CALLBACK_MOUNT, .params = &params, .session = &session, .url = route->path};
    lv_step step = {.out = inner};
    lv_step_run(child, &cb, LV_STEP_PAGE, &step);
    bool ok = step.status == LV_STEP_OK;
    if (!ok) lv_log_warn("nested view %s (id %s): mount failed or navigated during the HTTP render", route->path, id);
    lv_step_free(&step);
    lv_params_release(&params);
    lv_params_release(&session);
    lv_socket_free(child);
    return ok;
}

/* What both slots share: the registered view and a valid id, or NULL after
 * logging why. */
static const lv_route_entry *slot_view(lv_app *app, const lv_component_call *call, const char **id)
{
    const lv_route_entry *route = lv_live_view_find(app, call->name);
    *id = child_id(call);
    if (!route) {
        lv_log_warn("live_render \"%s\": no such nested view (lv_live_view_register)", call->name);
        return NULL;
    }
    if (!*id) {
        lv_log_warn("live_render \"%s\": id must be 1 to %d characters of A-Z a-z 0-9 _ -", call->name,
                    LV_CHILD_ID_MAX);
        return NULL;
    }
    return route;
}

void lv_nested_render(lv_socket *parent, const lv_component_call *call, lv_buf *out)
{
    const char *id;
    const lv_route_entry *route = slot_view(parent->app, call, &id);
    if (!route) return;
    bool sticky = is_sticky(call);
    /* A sticky child is joined beside its parent, not under it. */
    const char *parent_id = sticky ? NULL : parent->id;
    lv_value session = child_session(call);
    /* Phoenix signs no token for a non-sticky child in the dead render: the
     * client joins it from the parent's join tree. A sticky one is joined
     * as a root view, from the dead render. */
    char *token = NULL;
    if (parent->connected || sticky) {
        token = sign_child(parent->app, id, route->path, parent_id, parent->csrf_state, &session);
        if (!token) lv_log_error("live_render \"%s\": the session serializer failed", call->name);
    }
    if (!parent->connected) {
        lv_buf inner = LV_BUF_INIT;
        dead_render_child(parent->app, route, id, parent->csrf_state, &session, &inner);
        write_container(out, id, token, parent_id, &inner);
        lv_buf_free(&inner);
    } else {
        write_container(out, id, token, parent_id, NULL);
    }
    free(token);
    lv_value_free(&session);
}
