/* Plain HTTP requests as handlers see them: params, headers, cookies, the
 * session kept in a signed cookie, CSRF protection, and the response.
 *
 * The session cookie is an HS256 token (security/token.h) made with a key of
 * its own, so it can never be replayed as a page's session token or the
 * other way round. It always carries the session's CSRF state under
 * "_csrf_token", created on the first page the browser loads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/live.h"
#include "util/buf.h"
#include "util/form.h"
#include "util/log.h"
#include "util/value_json.h"

#define CSRF_KEY "_csrf_token"
#define SID_KEY "_sid" /* the session's revocable id (live/sessions.c) */
#define CREATED_KEY "_t" /* when the session began, in ms */

const char *lv_request_method(const lv_request *req)
{
    return req->method;
}

const char *lv_request_path(const lv_request *req)
{
    return req->path;
}

const char *lv_request_header(const lv_request *req, const char *name)
{
    for (const char *const *h = req->headers; h && h[0]; h += 2)
        if (strcasecmp(h[0], name) == 0) return h[1];
    return NULL;
}

/* Cookie values are returned from a per-thread buffer: the header holds
 * them between "; " separators, not as separate strings. */
static _Thread_local char cookie_value[4096];

const char *lv_request_cookie(const lv_request *req, const char *name)
{
    size_t name_len = strlen(name);
    for (const char *const *h = req->headers; h && h[0]; h += 2) {
        if (strcasecmp(h[0], "cookie") != 0) continue;
        const char *p = h[1];
        while (*p) {
            while (*p == ' ' || *p == ';') p++;
            const char *end = strchr(p, ';');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len > name_len && p[name_len] == '=' && memcmp(p, name, name_len) == 0) {
                size_t value_len = len - name_len - 1;
                while (value_len && p[name_len + 1 + value_len - 1] == ' ') value_len--;
                if (value_len >= sizeof cookie_value) return NULL;
                memcpy(cookie_value, p + name_len + 1, value_len);
                cookie_value[value_len] = '\0';
                return cookie_value;
            }
            p += len;
        }
    }
    return NULL;
}

const lv_params *lv_request_params(const lv_request *req)
{
    return &req->params_view;
}

lv_form_status lv_request_decode_params(lv_request *req, const char *body, size_t body_len)
{
    const char *q = req->query ? req->query : "";
    lv_form_status st = lv_form_decode(q, strlen(q), NULL, &req->params);
    if (st == LV_FORM_OK && body) {
        lv_value fields;
        st = lv_form_decode(body, body_len, NULL, &fields);
        req->csrf_in_body = st == LV_FORM_OK && lv_value_str_at(&fields, CSRF_KEY) != NULL;
        /* The body's fields win over the query's. */
        for (size_t i = 0; st == LV_FORM_OK && i < lv_map_len(&fields); i++) {
            lv_map_entry *e = &fields.as.map->entries[i];
            lv_value_map_set(&req->params, e->key, e->value);
            e->value = lv_value_null(); /* moved */
        }
        lv_value_free(&fields);
    }
    if (st != LV_FORM_OK) lv_value_free(&req->params);
    if (req->params.kind != LV_VALUE_MAP) req->params = lv_value_map();
    req->params_view = lv_params_of(&req->params);
    return st;
}

const char *lv_session_get(const lv_request *req, const char *key)
{
    if (key[0] == '_') return NULL;
    return json_string_value(json_object_get(req->session, key));
}

void lv_session_put(lv_request *req, const char *key, const char *value)
{
    if (key[0] == '_' || !value) return;
    json_t *v = json_string(value);
    if (!v) return; /* not UTF-8: a session holds text only */
    json_object_set_new(req->session, key, v);
    req->session_changed = true;
}

void lv_session_delete(lv_request *req, const char *key)
{
    if (key[0] == '_') return;
    if (json_object_del(req->session, key) == 0) req->session_changed = true;
}

/* A new session: a CSRF state, and the identity a logout revokes (a
 * random id and the creation time, live/sessions.c). */
static void new_csrf_state(lv_request *req)
{
    char state[LV_CSRF_STATE_LEN + 1], sid[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_new_state(sid); /* 18 random bytes, base64url: as good an id */
    json_object_set_new(req->session, CSRF_KEY, json_string(state));
    json_object_set_new(req->session, SID_KEY, json_string(sid));
    json_object_set_new(req->session, CREATED_KEY, json_integer(lv_now_ms()));
    req->session_changed = true;
}

/* Whether the session holds anything an app put there (a signed-in user):
 * only such a session is worth a place in the revocation store. */
static bool session_has_data(json_t *session)
{
    const char *key;
    json_t *value;
    json_object_foreach(session, key, value) {
        if (key[0] != '_') return true;
    }
    return false;
}

void lv_session_clear(lv_request *req)
{
    const char *sid = json_string_value(json_object_get(req->session, SID_KEY));
    if (sid && session_has_data(req->session)) lv_sessions_revoke_id(req->app, sid);
    json_object_clear(req->session);
    new_csrf_state(req);
}

void lv_session_revoke_everywhere(lv_request *req, const char *key)
{
    const char *value = key && key[0] != '_' ? lv_session_get(req, key) : NULL;
    if (value) lv_sessions_revoke(req->app, key, value);
    lv_session_clear(req);
}

bool lv_request_init(lv_request *req, lv_app *app, const char *method, const char *path,
                     const char *query, const char *const *headers, const char *body, size_t body_len)
{
    memset(req, 0, sizeof *req);
    req->app = app;
    req->method = method;
    req->path = path;
    req->query = query;
    req->headers = headers;
    const char *type = lv_request_header(req, "content-type");
    bool form = body_len && type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
    lv_form_status st = lv_request_decode_params(req, form ? body : NULL, body_len);
    if (st != LV_FORM_OK) {
        lv_log_debug("bad request parameters: %s", lv_form_status_str(st));
        lv_value_free(&req->params);
        return false;
    }
    lv_request_load_session(req);
    return true;
}

void lv_request_load_session(lv_request *req)
{
    lv_app *app = req->app;
    json_decref(req->session);
    req->session = NULL;
    const char *cookie = lv_request_cookie(req, app->config.session_cookie);
    if (cookie) {
        json_t *claims = NULL;
        if (lv_token_verify(&app->cookie_key, cookie, strlen(cookie), lv_now_seconds(), &claims) ==
            LV_TOKEN_OK) {
            json_t *data = json_object_get(claims, "data");
            if (json_is_object(data)) req->session = json_incref(data);
        }
        json_decref(claims);
        /* A revoked session counts as none, like a forged cookie: no user,
         * and a socket it opens gets no session, so its joins are refused. */
        if (req->session && lv_sessions_refused(app, req->session)) {
            lv_log_info("a revoked session cookie was refused");
            json_decref(req->session);
            req->session = NULL;
        }
    }
    if (!req->session) req->session = json_object();
    const char *state = json_string_value(json_object_get(req->session, CSRF_KEY));
    if (!state || strlen(state) != LV_CSRF_STATE_LEN || !json_is_string(json_object_get(req->session, SID_KEY))) {
        /* A session from before ids existed starts over rather than stay
         * unrevocable. */
        json_object_clear(req->session);
        new_csrf_state(req);
    }
}

const char *lv_request_csrf_state(const lv_request *req)
{
    return json_string_value(json_object_get(req->session, CSRF_KEY));
}

char *lv_request_session_cookie(lv_request *req)
{
    if (!req->session_changed) return NULL;
    lv_app *app = req->app;
    json_t *claims = json_pack("{s:O}", "data", req->session);
    char *token = lv_token_sign(&app->cookie_key, claims, lv_now_seconds(), app->config.session_ttl_s);
    json_decref(claims);
    if (!token) return NULL;
    lv_buf line = LV_BUF_INIT;
    /* No Max-Age: the cookie ends with the browser session, and the token
     * inside expires after session_ttl_s even if a browser keeps it. */
    lv_buf_printf(&line, "Set-Cookie: %s=%s; Path=/; HttpOnly; SameSite=Lax%s",
                  app->config.session_cookie, token, app->config.secure_cookies ? "; Secure" : "");
    free(token);
    return lv_buf_take(&line);
}

/* The token comes from the x-csrf-token header or the form body, never the
 * query: a URL is logged by proxies, kept in history and sent in Referer,
 * so a token there leaks, and a form that posts to a URL holding a stolen
 * token must not pass. */
bool lv_request_csrf_ok(const lv_request *req)
{
    const char *state = lv_request_csrf_state(req);
    const char *token = lv_request_header(req, "x-csrf-token");
    if (!token && req->csrf_in_body) token = lv_value_str_at(&req->params, CSRF_KEY);
    return state && token && lv_csrf_verify(state, strlen(state), token, strlen(token));
}

void lv_respond(lv_request *req, int status, const char *content_type, const char *body, size_t len)
{
    req->status = status;
    free(req->content_type);
    req->content_type = content_type ? lv_xstrdup(content_type) : NULL;
    lv_buf_reset(&req->body);
    if (body) lv_buf_append(&req->body, body, len);
}

void lv_respond_redirect(lv_request *req, const char *path)
{
    if (!lv_local_path(path)) {
        lv_log_error("refusing a redirect to a non-local path");
        lv_respond(req, 500, "text/plain; charset=utf-8", "500 Internal Server Error\n", 26);
        return;
    }
    free(req->location);
    req->location = lv_xstrdup(path);
    lv_respond(req, 303, NULL, NULL, 0);
}

void lv_request_free(lv_request *req)
{
    lv_params_release(&req->params_view);
    lv_value_free(&req->params);
    json_decref(req->session);
    free(req->content_type);
    free(req->location);
    lv_buf_free(&req->body);
    lv_buf_free(&req->extra_headers);
    req->session = NULL;
    req->content_type = req->location = NULL;
}

char *lv_cookie_session_data(const lv_request *req, void *ctx)
{
    (void)ctx;
    json_t *copy = json_deep_copy(req->session);
    json_object_del(copy, CSRF_KEY); /* internal: views get the csrf_token assign */
    json_object_del(copy, SID_KEY);
    json_object_del(copy, CREATED_KEY);
    char *text = json_dumps(copy, JSON_COMPACT);
    json_decref(copy);
    return text;
}

void lv_app_set_session_data(lv_app *app, lv_session_data_fn fn, void *ctx)
{
    app->session_data = fn ? fn : lv_cookie_session_data;
    app->session_data_ctx = fn ? ctx : NULL;
}

int lv_http_route(lv_app *app, const char *method, const char *path, lv_http_handler handler)
{
    bool known;
    if (!method || !path || path[0] != '/' || !handler ||
        lv_app_find_http_route(app, method, path, &known)) {
        lv_log_error("cannot add the handler %s %s", method ? method : "?", path ? path : "?");
        return -1;
    }
    app->http_routes =
        lv_xrealloc(app->http_routes, (app->http_route_count + 1) * sizeof *app->http_routes);
    app->http_routes[app->http_route_count++] =
        (lv_http_route_entry){lv_xstrdup(method), lv_xstrdup(path), handler};
    return 0;
}

const lv_http_route_entry *lv_app_find_http_route(const lv_app *app, const char *method,
                                                  const char *path, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < app->http_route_count; i++) {
        if (strcmp(app->http_routes[i].path, path) != 0) continue;
        *path_known = true;
        if (strcmp(app->http_routes[i].method, method) == 0) return &app->http_routes[i];
    }
    return NULL;
}
