/* What a view asks of the client besides a re-render: navigation, flash,
 * title, pushed events and hook replies. Each is recorded on the socket and
 * carried out by the channel after the callback returns (or by the dead
 * render, which turns navigation into an HTTP redirect). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/live.h"
#include "security/redirect.h"
#include "util/log.h"

/* A local path a browser cannot read as another host or scheme: one '/',
 * then no '/' or '\\' ("//evil.com" and "/\\evil.com" are other hosts), no
 * control characters (header splitting, "/\\t/evil.com"), and none of them
 * percent-encoded either ("/%09/evil.com" worked on Chromium; CVE-2026-64941,
 * Phoenix commit 5d737201). */
bool lv_local_path(const char *path)
{
    if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\') return false;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\') return false;
        if (*p == '%' && p[1] && p[2]) {
            char hex[3] = {(char)p[1], (char)p[2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end == '\0' && (v < 0x20 || v == 0x7f || v == '\\' || (v == '/' && p == (const unsigned char *)path + 1)))
                return false;
        }
    }
    return true;
}

/* What a component asks of the client is its view's to carry out: the
 * flash, the title, events, the reply and navigation are the page's. */
static lv_socket *view_of(lv_socket *s)
{
    return s->parent ? s->parent : s;
}

static int set_nav(lv_socket *s, lv_nav_kind kind, const char *to, bool replace)
{
    s = view_of(s);
    if (!lv_local_path(to)) {
        lv_log_warn("%s: refused to navigate to a target that is not a local path",
                    s->route->view->name);
        return -1;
    }
    lv_socket_extras *x = lv_socket_extras_of(s);
    free(x->nav.to);
    x->nav = (lv_nav){kind, replace, lv_xstrdup(to)};
    return 0;
}

int lv_push_patch(lv_socket *s, const char *to, bool replace)
{
    return set_nav(s, LV_NAV_PATCH, to, replace);
}

int lv_push_navigate(lv_socket *s, const char *to, bool replace)
{
    return set_nav(s, LV_NAV_NAVIGATE, to, replace);
}

int lv_redirect(lv_socket *s, const char *to)
{
    if (lv_local_path(to)) return set_nav(s, LV_NAV_REDIRECT, to, false);
    if (!lv_redirect_external_allowed(to, s->app->config.allowed_redirect_hosts)) {
        /* The URL itself is not logged: it may come from the request. */
        lv_log_error("%s: refused a redirect to a URL whose host is not in allowed_redirect_hosts",
                     s->route->view->name);
        return -1;
    }
    lv_socket_extras *x = lv_socket_extras_of(s);
    free(x->nav.to);
    x->nav = (lv_nav){LV_NAV_REDIRECT, false, lv_xstrdup(to)};
    return 0;
}

/* The flash map (a MAP value), or NULL. */
static const lv_value *flash_map(const lv_socket *s)
{
    const lv_value *v = lv_assigns_get(&s->assigns, "flash");
    return v && v->kind == LV_VALUE_MAP ? v : NULL;
}

void lv_put_flash(lv_socket *s, const char *key, const char *message)
{
    s = view_of(s);
    if (!key || !message) return;
    const lv_value *old = flash_map(s);
    lv_value map = old ? lv_value_clone(old) : lv_value_map();
    lv_value_map_set(&map, key, lv_value_string(message, strlen(message)));
    lv_assigns_put(&s->assigns, "flash", map);
}

void lv_clear_flash(lv_socket *s, const char *key)
{
    s = view_of(s);
    const lv_value *old = flash_map(s);
    lv_value map = lv_value_map();
    if (old && key && old->as.map) {
        for (uint32_t i = 0; i < old->as.map->count; i++) {
            const lv_map_entry *e = &old->as.map->entries[i];
            if (strcmp(e->key, key) != 0) lv_value_map_set(&map, e->key, lv_value_clone(&e->value));
        }
    }
    lv_assigns_put(&s->assigns, "flash", map);
}

char *lv_flash_token(lv_socket *s)
{
    const lv_value *map = flash_map(s);
    if (!map || !map->as.map || map->as.map->count == 0) return NULL;
    json_t *flash = json_object();
    for (uint32_t i = 0; i < map->as.map->count; i++) {
        const lv_map_entry *e = &map->as.map->entries[i];
        if (e->value.kind == LV_VALUE_STRING)
            json_object_set_new(flash, e->key, json_stringn(e->value.as.s.ptr, e->value.as.s.len));
    }
    json_t *claims = json_pack("{s:o}", "flash", flash);
    /* Short-lived: it only has to survive one navigation. */
    char *token = lv_token_sign(&s->app->flash_key, claims, lv_now_seconds(), 60);
    json_decref(claims);
    return token;
}

json_t *lv_flash_decode(lv_app *app, const char *token)
{
    json_t *claims = NULL;
    if (!token || lv_token_verify(&app->flash_key, token, strlen(token), lv_now_seconds(), &claims) !=
                      LV_TOKEN_OK)
        return NULL;
    json_t *flash = json_object_get(claims, "flash");
    json_t *result = json_is_object(flash) ? json_incref(flash) : NULL;
    json_decref(claims);
    return result;
}

void lv_flash_from_token(lv_socket *s, const char *token)
{
    json_t *flash = lv_flash_decode(s->app, token);
    if (!flash) return;
    const char *key;
    json_t *v;
    json_object_foreach(flash, key, v)
    {
        if (json_is_string(v)) lv_put_flash(s, key, json_string_value(v));
    }
    json_decref(flash);
}

void lv_page_title(lv_socket *s, const char *title)
{
    s = view_of(s);
    lv_socket_extras *x = lv_socket_extras_of(s);
    if (!title) title = "";
    if (x->title && strcmp(x->title, title) == 0) return;
    free(x->title);
    x->title = lv_xstrdup(title);
    x->title_changed = true;
}

/* Queues [name, payload] or, dispatched before the patch, [name, payload,
 * true]: the 1.2 client's applyDiff runs the three-element ones before it
 * patches the DOM (view.ts). */
static int queue_event(lv_socket *s, const char *name, const lv_value *payload, bool before_patch)
{
    s = view_of(s);
    lv_value copy;
    if (!name || !lv_payload_copy(payload, true, &copy)) return -1;
    lv_socket_extras *x = lv_socket_extras_of(s);
    if (x->events.kind != LV_VALUE_LIST) x->events = lv_value_list();
    lv_value event = lv_value_list();
    lv_value_list_push(&event, lv_value_string(name, strlen(name)));
    lv_value_list_push(&event, copy);
    if (before_patch) lv_value_list_push(&event, lv_value_bool(true));
    lv_value_list_push(&x->events, event);
    return 0;
}

int lv_push_event(lv_socket *s, const char *name, const lv_value *payload)
{
    return queue_event(s, name, payload, false);
}

int lv_push_event_before(lv_socket *s, const char *name, const lv_value *payload)
{
    return queue_event(s, name, payload, true);
}

int lv_reply(lv_socket *s, const lv_value *payload)
{
    s = view_of(s);
    lv_value copy;
    if (!lv_payload_copy(payload, true, &copy)) return -1;
    lv_socket_extras *x = lv_socket_extras_of(s);
    lv_value_free(&x->reply);
    x->reply = copy;
    return 0;
}
