/* The socket API seen by view callbacks: assigns, state, params, infos. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/upload.h"
#include "util/random.h"
#include "util/value_json.h"

lv_socket *lv_socket_new(lv_app *app, const lv_route_entry *route, bool connected, const char *id)
{
    lv_socket *s = lv_xcalloc(1, sizeof *s);
    s->app = app;
    /* Where it is made is where it lives; off every loop (which no caller
     * does) it counts as loop 0's. */
    s->loop = lv_app_current_loop(app);
    if (!s->loop) s->loop = &app->loops[0];
    s->route = route;
    s->connected = connected;
    lv_assigns_init(&s->assigns);
    /* Every view has a flash map, as Phoenix's @flash, so templates can
     * read {{flash.info}} before anything was put. */
    lv_assigns_put(&s->assigns, "flash", lv_value_map());
    if (route->view->state_size) s->state = lv_xcalloc(1, route->view->state_size);
    if (id) {
        snprintf(s->id, sizeof s->id, "%s", id);
    } else {
        memcpy(s->id, "phx-", 4);
        lv_random_id(s->id + 4, LV_ID_BYTES);
    }
    return s;
}

void lv_info_free(lv_info *info)
{
    if (!info) return;
    free(info->name);
    lv_value_free(&info->payload);
    free(info);
}

void lv_socket_free(lv_socket *s)
{
    if (!s) return;
    lv_socket_release_runtime(s);
    lv_info *info;
    while ((info = lv_socket_next_info(s))) lv_info_free(info);
    if (s->extras) {
        lv_uploads_free(s);
        lv_components_free(s);
        lv_value_free(&s->extras->events);
        lv_value_free(&s->extras->reply);
        lv_value_free(&s->extras->temporaries);
        free(s->extras->title);
        free(s->extras->nav.to);
        free(s->extras);
    }
    lv_assigns_free(&s->assigns);
    lv_render_state_free(s->render_state);
    free(s->state);
    free(s);
}

lv_info *lv_socket_next_info(lv_socket *s)
{
    lv_info *info = s->infos_head;
    if (!info) return NULL;
    s->infos_head = info->next;
    if (!s->infos_head) s->infos_tail = NULL;
    info->next = NULL;
    return info;
}

bool lv_payload_copy(const lv_value *payload, bool as_json, lv_value *out)
{
    *out = lv_value_null();
    if (!payload) {
        *out = lv_value_map();
        return true;
    }
    if (as_json ? !lv_value_json_map(payload) : payload->kind != LV_VALUE_MAP) return false;
    *out = lv_value_clone(payload);
    return true;
}

int lv_send_info(lv_socket *s, const char *name, const lv_value *payload)
{
    /* A component has no handle_info: it talks to its view (lv_send_parent). */
    if (s->parent) return -1;
    lv_value copy;
    if (!lv_payload_copy(payload, false, &copy)) return -1;
    lv_socket_queue_info(s, name, copy);
    lv_socket_notify(s);
    return 0;
}

bool lv_connected(const lv_socket *s)
{
    return s->connected;
}

const lv_params *lv_connect_params(const lv_socket *s)
{
    return s && s->connect ? &s->connect->params : NULL;
}

int lv_connect_mounts(const lv_socket *s)
{
    return s && s->connect ? s->connect->mounts : -1;
}

int lv_connect_mount_attempts(const lv_socket *s)
{
    return s && s->connect ? s->connect->mount_attempts : -1;
}

int lv_link_parent(lv_socket *s)
{
    if (!s || !s->view_parent) return -1;
    s->linked_to_parent = true;
    return 0;
}

const char *lv_connect_info(const lv_socket *s, const char *key)
{
    const lv_connect_data *d = s && s->connect ? s->connect->info : NULL;
    if (!d || !key) return NULL;
    if (strcmp(key, "peer_address") == 0) return d->peer_address;
    if (strcmp(key, "client_address") == 0) return d->client_address;
    if (strcmp(key, "user_agent") == 0) return d->user_agent;
    return NULL;
}

void lv_connect_data_free(lv_connect_data *d)
{
    if (!d) return;
    free(d->peer_address);
    free(d->client_address);
    free(d->user_agent);
    memset(d, 0, sizeof *d);
}

const char *lv_socket_id(const lv_socket *s)
{
    return s->id;
}

void *lv_state(lv_socket *s)
{
    return s->state;
}

lv_app *lv_socket_app(lv_socket *s)
{
    return s->app;
}

void lv_assign_int(lv_socket *s, const char *name, int64_t value)
{
    lv_assigns_put(&s->assigns, name, lv_value_int(value));
}

void lv_assign_double(lv_socket *s, const char *name, double value)
{
    lv_assigns_put(&s->assigns, name, lv_value_double(value));
}

void lv_assign_bool(lv_socket *s, const char *name, bool value)
{
    lv_assigns_put(&s->assigns, name, lv_value_bool(value));
}

void lv_assign_str(lv_socket *s, const char *name, const char *value)
{
    if (!value) value = "";
    lv_assigns_put(&s->assigns, name, lv_value_string(value, strlen(value)));
}

void lv_assign_printf(lv_socket *s, const char *name, const char *fmt, ...)
{
    lv_buf text = LV_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    lv_buf_vprintf(&text, fmt, ap);
    va_end(ap);
    lv_assigns_put(&s->assigns, name, lv_value_string(text.data ? text.data : "", text.len));
    lv_buf_free(&text);
}

int64_t lv_get_int(const lv_socket *s, const char *name)
{
    const lv_value *v = lv_assigns_get(&s->assigns, name);
    return v && v->kind == LV_VALUE_INT ? v->as.i : 0;
}

double lv_get_double(const lv_socket *s, const char *name)
{
    const lv_value *v = lv_assigns_get(&s->assigns, name);
    if (!v) return 0.0;
    if (v->kind == LV_VALUE_DOUBLE) return v->as.d;
    if (v->kind == LV_VALUE_INT) return (double)v->as.i;
    return 0.0;
}

bool lv_get_bool(const lv_socket *s, const char *name)
{
    const lv_value *v = lv_assigns_get(&s->assigns, name);
    return v && v->kind == LV_VALUE_BOOL && v->as.b;
}

const char *lv_get_str(const lv_socket *s, const char *name)
{
    const lv_value *v = lv_assigns_get(&s->assigns, name);
    return v && v->kind == LV_VALUE_STRING ? v->as.s.ptr : NULL;
}

void lv_socket_set_csrf(lv_socket *s, const char *state, const char *token)
{
    snprintf(s->csrf_state, sizeof s->csrf_state, "%s", state);
    char fresh[LV_CSRF_TOKEN_LEN + 1];
    if (!token || strlen(token) != LV_CSRF_TOKEN_LEN) {
        lv_csrf_mask(s->csrf_state, fresh);
        token = fresh;
    }
    lv_assign_str(s, "csrf_token", token);
}
