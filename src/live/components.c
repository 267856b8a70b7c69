/* LiveComponents: stateful parts of a view (docs/protocol.md §4.4).
 *
 * A view's template places a component with {{component "name" id=...}};
 * the renderer calls the hooks below for that slot. Each (name, id) is an
 * instance with its own socket (assigns, state, render state) and a cid,
 * the number the slot holds on the wire. Over the WebSocket the hooks mount
 * an instance the first time, call update when its arguments change, and
 * collect its tree (whole with "r":1 the first time, then only what changed)
 * for the reply's "c" key. Instances live until the client reports their
 * cids destroyed, or the view ends. */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/templates.h"
#include "util/json.h"
#include "util/log.h"

typedef struct instance {
    const lv_component_entry *entry;
    char *id;
    lv_socket *socket;
    uint64_t args_hash;
    bool on_client; /* sent in an earlier message: its statics can be shared */
    bool in_c;      /* collected for the "c" being built */
    bool queued;    /* waiting in `queue` to be updated and collected */
    lv_value args;  /* new arguments its update has not seen yet: a MAP, or null */
} instance;

typedef struct lv_components {
    instance *items;
    size_t count, cap;
    int next_cid;
    lv_buf c;        /* "cid":tree,... collected for the next "c" */
    size_t c_count;
    /* Over the WebSocket the instances a render reaches are updated and
     * collected after it, all of a component's together, so update_many
     * gets them in one call (Phoenix renders components after their
     * parent too). Indices into items. */
    size_t *queue;
    size_t queue_len, queue_cap;
} lv_components;

/* ---- the registry ---- */

int lv_component_register(lv_app *app, const lv_component *def)
{
    if (!def || !def->name || !def->template_text) {
        lv_log_error("a component needs a name and a template");
        return -1;
    }
    for (size_t i = 0; i < app->component_count; i++) {
        if (strcmp(app->components[i]->def->name, def->name) == 0) {
            lv_log_error("component %s is already registered", def->name);
            return -1;
        }
    }
    lv_component_entry *e = lv_xcalloc(1, sizeof *e);
    e->def = def;
    /* A view in all but name, so instances are ordinary sockets. */
    e->view = (lv_view){.name = def->name, .template_text = def->template_text,
                        .events = def->events, .state_size = def->state_size};
    lv_tmpl_error err;
    e->route.tmpl = lv_template_load(&e->view, &err);
    if (!e->route.tmpl) {
        lv_log_error("%s", err.message);
        free(e);
        return -1;
    }
    e->route.path = lv_xstrdup(def->name);
    e->route.view = &e->view;
    app->components = lv_xrealloc(app->components, (app->component_count + 1) * sizeof *app->components);
    app->components[app->component_count++] = e;
    return 0;
}

void lv_components_registry_free(lv_app *app)
{
    for (size_t i = 0; i < app->component_count; i++) {
        lv_tmpl_free(app->components[i]->route.tmpl);
        free(app->components[i]->route.path);
        free(app->components[i]);
    }
    free(app->components);
    app->components = NULL;
    app->component_count = 0;
}

const lv_component *lv_component_def_of(const lv_socket *component)
{
    assert(component->parent);
    /* A component's socket routes to its entry's stand-in view. */
    const lv_component_entry *e = (const lv_component_entry *)((const char *)component->route->view -
                                                              offsetof(lv_component_entry, view));
    return e->def;
}

static const lv_component_entry *find_entry(const lv_app *app, const char *name)
{
    for (size_t i = 0; i < app->component_count; i++)
        if (strcmp(app->components[i]->def->name, name) == 0) return app->components[i];
    return NULL;
}

/* ---- instances ---- */

static lv_components *components_of(lv_socket *view)
{
    lv_socket_extras *x = lv_socket_extras_of(view);
    if (!x->components) x->components = lv_xcalloc(1, sizeof *x->components);
    return x->components;
}

static const lv_value *call_arg(const lv_component_call *call, const char *key)
{
    for (uint32_t i = 0; i < call->arg_count; i++)
        if (strcmp(call->keys[i], key) == 0) return call->values[i];
    return NULL;
}

static uint64_t args_hash(const lv_component_call *call)
{
    uint64_t h = 1469598103934665603ULL;
    for (uint32_t i = 0; i < call->arg_count; i++) {
        for (const char *k = call->keys[i]; *k; k++) h = (h ^ (unsigned char)*k) * 1099511628211ULL;
        h = lv_value_hash(call->values[i], h);
    }
    return h;
}

static void instance_free(instance *in)
{
    lv_socket *s = in->socket;
    /* Nested instances belong to the view, not to this socket. */
    lv_socket_free(s);
    free(in->id);
    lv_value_free(&in->args);
}

int lv_component_run_update(lv_socket *component, const lv_params *params)
{
    const lv_component *def = lv_component_def_of(component);
    if (def->update_many) {
        lv_socket *sockets[1] = {component};
        const lv_params *all[1] = {params};
        return def->update_many(sockets, all, 1);
    }
    if (def->update) return def->update(component, params);
    const lv_value *map = params->map;
    for (size_t i = 0; i < lv_map_len(map); i++)
        lv_assigns_put(&component->assigns, lv_map_key_at(map, i), lv_value_clone(lv_map_value_at(map, i)));
    return 0;
}

/* Runs the pending updates of the instances at idx[0..n), which share one
 * component: update_many once with all of them, else update each. */
static void run_updates(lv_components *cs, const size_t *idx, size_t n)
{
    const lv_component *def = cs->items[idx[0]].entry->def;
    lv_socket **sockets = lv_xcalloc(n, sizeof *sockets);
    lv_params *params = lv_xcalloc(n, sizeof *params);
    const lv_params **param_ptrs = lv_xcalloc(n, sizeof *param_ptrs);
    for (size_t i = 0; i < n; i++) {
        sockets[i] = cs->items[idx[i]].socket;
        params[i] = lv_params_of(&cs->items[idx[i]].args);
        param_ptrs[i] = &params[i];
    }
    if (def->update_many) {
        if (def->update_many(sockets, param_ptrs, n) != 0) lv_log_warn("component %s: update_many failed", def->name);
    } else {
        for (size_t i = 0; i < n; i++)
            if (lv_component_run_update(sockets[i], param_ptrs[i]) != 0)
                lv_log_warn("component %s: update failed", def->name);
    }
    for (size_t i = 0; i < n; i++) {
        lv_params_release(&params[i]);
        lv_value_free(&cs->items[idx[i]].args);
    }
    free(param_ptrs);
    free(params);
    free(sockets);
}

/* The index of the instance for the call, mounted and updated; -1
 * (reported) when the component is unknown, has no id, or its mount
 * refuses. An index, not a pointer: rendering one instance can add others,
 * which moves the array. */
static long instance_for(lv_socket *view, const lv_component_call *call)
{
    const lv_component_entry *entry = find_entry(view->app, call->name);
    if (!entry) {
        lv_log_warn("%s: no component named \"%s\" is registered", view->route->view->name, call->name);
        return -1;
    }
    const lv_value *id_value = call_arg(call, "id");
    lv_buf id = LV_BUF_INIT;
    if (id_value) lv_value_to_text(id_value, &id);
    if (!id.len) {
        lv_log_warn("%s: component \"%s\" needs an id", view->route->view->name, call->name);
        lv_buf_free(&id);
        return -1;
    }
    lv_components *cs = components_of(view);
    instance *in = NULL;
    for (size_t i = 0; i < cs->count; i++) {
        if (cs->items[i].entry == entry && strcmp(cs->items[i].id, id.data) == 0) {
            in = &cs->items[i];
            break;
        }
    }
    bool fresh = in == NULL;
    if (fresh) {
        if (cs->count == cs->cap) {
            cs->cap = cs->cap ? cs->cap * 2 : 4;
            cs->items = lv_xrealloc(cs->items, cs->cap * sizeof *cs->items);
        }
        in = &cs->items[cs->count];
        lv_socket *s = lv_socket_new(view->app, &entry->route, view->connected, NULL);
        s->loop = view->loop; /* a component lives where its view does */
        s->parent = view;
        s->cid = ++cs->next_cid;
        s->assigns.stream_cid = s->cid;
        lv_socket_set_csrf(s, view->csrf_state, lv_get_str(view, "csrf_token"));
        lv_assign_int(s, "myself", s->cid);
        *in = (instance){.entry = entry, .id = lv_buf_take(&id), .socket = s};
        if (entry->def->mount && entry->def->mount(s) != 0) {
            lv_log_warn("component %s: mount failed", entry->def->name);
            instance_free(in);
            return -1;
        }
        cs->count++;
    } else {
        lv_buf_free(&id);
    }
    uint64_t h = args_hash(call);
    if (fresh || h != in->args_hash) {
        in->args_hash = h;
        lv_value_free(&in->args);
        in->args = lv_value_map();
        for (uint32_t i = 0; i < call->arg_count; i++)
            lv_value_map_set(&in->args, call->keys[i], lv_value_clone(call->values[i]));
    }
    return (long)(in - cs->items);
}

/* Updates an instance with the arguments it has not seen, alone (the
 * dead render, which writes each component's HTML where it stands). */
static void update_now(lv_components *cs, size_t idx)
{
    if (cs->items[idx].args.kind == LV_VALUE_MAP) run_updates(cs, &idx, 1);
}

static lv_component_hooks hooks_for(lv_socket *view);

/* Another instance of the same component whose statics the client can
 * reuse: one on the client already (-cid), or one earlier in this "c"
 * (+cid). 0 when none. */
static int shared_statics_cid(const lv_components *cs, size_t self)
{
    for (size_t i = 0; i < cs->count; i++) {
        const instance *other = &cs->items[i];
        if (i == self || other->entry != cs->items[self].entry) continue;
        if (other->on_client) return -other->socket->cid;
        if (other->in_c) return other->socket->cid;
    }
    return 0;
}

/* Replaces the root statics in a whole tree by a reference to another
 * instance's, when there is one. */
static void share_statics(const lv_components *cs, size_t self, lv_buf *tree)
{
    int ref = shared_statics_cid(cs, self);
    if (!ref) return;
    const lv_tmpl_block *root = cs->items[self].entry->route.tmpl->root;
    lv_buf needle = LV_BUF_INIT;
    lv_buf_puts(&needle, "\"s\":");
    lv_buf_append(&needle, root->statics_json, root->statics_json_len);
    char *at = strstr(tree->data, needle.data);
    if (at) {
        lv_buf shared = LV_BUF_INIT;
        lv_buf_append(&shared, tree->data, (size_t)(at - tree->data));
        lv_buf_printf(&shared, "\"s\":%d", ref);
        lv_buf_puts(&shared, at + needle.len);
        lv_buf_free(tree);
        *tree = shared;
    }
    lv_buf_free(&needle);
}

/* Renders instance `idx` (whole the first time, else its changes) and
 * collects it for "c". */
static void collect(lv_socket *view, size_t idx)
{
    lv_components *cs = components_of(view);
    lv_socket *s = cs->items[idx].socket;
    const lv_tmpl *tmpl = cs->items[idx].entry->route.tmpl;
    bool whole = !cs->items[idx].on_client && !cs->items[idx].in_c;
    lv_component_hooks hooks = hooks_for(view);
    lv_buf tree = LV_BUF_INIT;
    bool any = true;
    if (whole) {
        lv_render_full_state(tmpl, &s->assigns, &s->render_state, &hooks, &tree);
        /* "r":1: a single root element, which the client needs to find the
         * component in the DOM (docs/protocol.md §4.4). */
        assert(tree.len > 0 && tree.data[tree.len - 1] == '}');
        tree.len--;
        lv_buf_puts(&tree, ",\"r\":1}");
    } else {
        any = lv_render_diff_state(tmpl, &s->assigns, &s->render_state, &hooks, &tree);
    }
    lv_assigns_clear_changed(&s->assigns);
    /* Nested components may have been added: cs->items may have moved. */
    if (any) {
        if (whole) share_statics(cs, idx, &tree);
        if (cs->c_count++) lv_buf_putc(&cs->c, ',');
        lv_buf_printf(&cs->c, "\"%d\":", s->cid);
        lv_buf_append(&cs->c, tree.data, tree.len);
        cs->items[idx].in_c = true;
    }
    lv_buf_free(&tree);
}

static int64_t hook_render_cid(void *user, const lv_component_call *call)
{
    lv_socket *view = user;
    long idx = instance_for(view, call);
    if (idx < 0) return -1;
    lv_components *cs = components_of(view);
    if (!cs->items[idx].queued) {
        if (cs->queue_len == cs->queue_cap) {
            cs->queue_cap = cs->queue_cap ? cs->queue_cap * 2 : 8;
            cs->queue = lv_xrealloc(cs->queue, cs->queue_cap * sizeof *cs->queue);
        }
        cs->queue[cs->queue_len++] = (size_t)idx;
        cs->items[idx].queued = true;
    }
    return cs->items[idx].socket->cid;
}

/* Updates and collects the queued instances, a component's updates in one
 * batch, until rendering them queues no more (nested components). */
static void flush_queue(lv_socket *view)
{
    lv_components *cs = components_of(view);
    while (cs->queue_len) {
        size_t n = cs->queue_len;
        size_t *batch = lv_xcalloc(n, sizeof *batch);
        memcpy(batch, cs->queue, n * sizeof *batch);
        cs->queue_len = 0;
        size_t *group = lv_xcalloc(n, sizeof *group);
        bool *done = lv_xcalloc(n, sizeof *done);
        for (size_t i = 0; i < n; i++) {
            if (done[i]) continue;
            size_t g = 0;
            for (size_t j = i; j < n; j++) {
                instance *in = &cs->items[batch[j]];
                if (done[j] || in->entry != cs->items[batch[i]].entry) continue;
                done[j] = true;
                if (in->args.kind == LV_VALUE_MAP) group[g++] = batch[j];
            }
            if (g) run_updates(cs, group, g);
        }
        for (size_t i = 0; i < n; i++) {
            cs->items[batch[i]].queued = false;
            collect(view, batch[i]);
        }
        free(done);
        free(group);
        free(batch);
    }
}

static void hook_render_html(void *user, const lv_component_call *call, lv_buf *out)
{
    if (call->live_view) {
        lv_nested_render(user, call, out);
        return;
    }
    lv_socket *view = user;
    long idx = instance_for(view, call);
    if (idx < 0) return;
    update_now(components_of(view), (size_t)idx);
    lv_socket *s = components_of(view)->items[idx].socket;
    const lv_tmpl *tmpl = components_of(view)->items[idx].entry->route.tmpl;
    lv_component_hooks hooks = hooks_for(view);
    lv_render_html_ex(tmpl, &s->assigns, &hooks, out);
    lv_assigns_clear_changed(&s->assigns);
}

static lv_component_hooks hooks_for(lv_socket *view)
{
    return (lv_component_hooks){hook_render_html, hook_render_cid, view};
}

lv_component_hooks lv_components_hooks(lv_socket *view)
{
    return hooks_for(view);
}

bool lv_components_take_c(lv_socket *view, lv_buf *out, bool has_keys)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    if (cs) flush_queue(view);
    if (!cs || cs->c_count == 0) return false;
    assert(out->len > 0 && out->data[out->len - 1] == '}');
    out->len--; /* reopen the object */
    lv_buf_puts(out, has_keys ? ",\"c\":{" : "\"c\":{");
    lv_buf_append(out, cs->c.data, cs->c.len);
    lv_buf_puts(out, "}}");
    lv_buf_reset(&cs->c);
    cs->c_count = 0;
    /* Everything collected is now on its way to the client. */
    for (size_t i = 0; i < cs->count; i++) {
        if (cs->items[i].in_c) cs->items[i].on_client = true;
        cs->items[i].in_c = false;
    }
    return true;
}

void lv_components_resend(lv_socket *view)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    for (size_t i = 0; cs && i < cs->count; i++) cs->items[i].on_client = false;
}

lv_socket *lv_components_find(lv_socket *view, int64_t cid)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    for (size_t i = 0; cs && i < cs->count; i++)
        if (cs->items[i].socket->cid == cid) return cs->items[i].socket;
    return NULL;
}

void lv_components_collect_one(lv_socket *component)
{
    lv_socket *view = component->parent;
    lv_components *cs = components_of(view);
    for (size_t i = 0; i < cs->count; i++) {
        if (cs->items[i].socket == component) {
            collect(view, i);
            break;
        }
    }
    flush_queue(view);
}

lv_socket *lv_components_find_by_id(lv_socket *view, const char *name, const char *id)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    for (size_t i = 0; cs && i < cs->count; i++)
        if (strcmp(cs->items[i].entry->def->name, name) == 0 && strcmp(cs->items[i].id, id) == 0)
            return cs->items[i].socket;
    return NULL;
}

lv_value lv_component_update_payload(const char *component, const char *id, const lv_value *assigns, bool *ok)
{
    lv_value copy;
    lv_value payload = lv_value_map();
    *ok = component && id && lv_payload_copy(assigns, false, &copy);
    if (!*ok) return payload;
    lv_value_map_set(&payload, "component", lv_value_string(component, strlen(component)));
    lv_value_map_set(&payload, "id", lv_value_string(id, strlen(id)));
    lv_value_map_set(&payload, "assigns", copy);
    return payload;
}

int lv_send_update(lv_socket *s, const char *component, const char *id, const lv_value *assigns)
{
    if (!s) return -1;
    lv_socket *view = s->parent ? s->parent : s;
    bool ok;
    lv_value payload = lv_component_update_payload(component, id, assigns, &ok);
    if (!ok) {
        lv_value_free(&payload);
        return -1;
    }
    lv_socket_queue_info(view, "lv:update", payload);
    view->infos_tail->component_update = true;
    lv_socket_notify(view);
    return 0;
}

void lv_components_destroy(lv_socket *view, const lv_value *cids, lv_buf *out)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    lv_buf_puts(out, "{\"cids\":[");
    bool first = true;
    for (size_t n = 0; n < lv_value_list_len(cids); n++) {
        const lv_value *cid = &cids->as.list->items[n];
        if (cid->kind != LV_VALUE_INT) continue;
        for (size_t i = 0; cs && i < cs->count; i++) {
            if (cs->items[i].socket->cid != cid->as.i) continue;
            instance_free(&cs->items[i]);
            cs->items[i] = cs->items[--cs->count];
            break;
        }
        /* Unknown cids are gone already: the client may prune them too. */
        if (!first) lv_buf_putc(out, ',');
        lv_json_int(out, cid->as.i);
        first = false;
    }
    lv_buf_puts(out, "]}");
}

void lv_components_free(lv_socket *view)
{
    lv_components *cs = view->extras ? view->extras->components : NULL;
    if (!cs) return;
    for (size_t i = 0; i < cs->count; i++) instance_free(&cs->items[i]);
    free(cs->items);
    free(cs->queue);
    lv_buf_free(&cs->c);
    free(cs);
    view->extras->components = NULL;
}

int lv_send_parent(lv_socket *s, const char *name, const lv_value *payload)
{
    if (s->view_parent) return lv_send_info(s->view_parent, name, payload);
    if (!s->parent) return -1;
    return lv_send_info(s->parent, name, payload);
}
