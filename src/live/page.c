/* The page: the dead render over HTTP, and the verification of what that
 * page hands to the WebSocket join (the signed session and the CSRF token).
 *
 * The session token binds a page to one view instance: it carries the view
 * id (the join's topic must be "lv:" + id), the route, and the CSRF state the
 * page's masked token was made from. The CSRF token itself travels in the
 * join params, so a forged cross-site join needs both. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/lifecycle.h"
#include "live/live.h"
#include "render/escape.h"
#include "security/redirect.h"
#include "util/log.h"
#include "util/value_json.h"

static void put_attr(lv_buf *out, const char *name, const char *value)
{
    lv_buf_printf(out, " %s=\"", name);
    lv_html_escape(out, value, strlen(value));
    lv_buf_putc(out, '"');
}

void lv_page_asset_tags(const lv_app *app, lv_buf *out)
{
    /* Made once at start by endpoint/files.c (fingerprinted URLs); an app
     * that never started (a test rendering a page directly) has none. */
    if (app->asset_tags) lv_buf_puts(out, app->asset_tags);
}

void lv_page_container(const lv_page_parts *parts, lv_buf *out)
{
    if (!parts->id) { /* a dead page */
        lv_buf_append(out, parts->inner->data ? parts->inner->data : "", parts->inner->len);
        return;
    }
    lv_buf_puts(out, "<div");
    put_attr(out, "id", parts->id);
    lv_buf_puts(out, " data-phx-main");
    put_attr(out, "data-phx-session", parts->session_token);
    lv_buf_puts(out, " data-phx-static=\"\">");
    lv_buf_append(out, parts->inner->data ? parts->inner->data : "", parts->inner->len);
    lv_buf_puts(out, "</div>");
}

/* The page without an app layout. */
static void render_layout(const lv_app *app, const lv_page_parts *parts, lv_buf *out)
{
    const char *title = parts->title ? parts->title : app->config.title, *csrf_token = parts->csrf_token;
    lv_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"csrf-token\"");
    put_attr(out, "content", csrf_token);
    lv_buf_puts(out, ">\n<title>");
    lv_html_escape(out, title, strlen(title));
    /* An empty icon: browsers stop asking for /favicon.ico. */
    lv_buf_puts(out, "</title>\n<link rel=\"icon\" href=\"data:,\">\n");
    lv_page_asset_tags(app, out);
    lv_buf_puts(out, "</head>\n<body>\n");
    lv_page_container(parts, out);
    lv_buf_puts(out, "\n</body>\n</html>\n");
}

static void render_error_page(lv_buf *out, const char *message)
{
    lv_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>Error</title></head><body><h1>");
    lv_html_escape(out, message, strlen(message));
    lv_buf_puts(out, "</h1></body></html>\n");
}

#define FLASH_COOKIE "__phoenix_flash__"

/* Navigation asked for during the HTTP render becomes an HTTP redirect,
 * with the flash in a short-lived cookie, as the client does for a live
 * redirect. */
static void redirect_from_mount(lv_request *req, lv_socket *socket, const char *to)
{
    char *flash = lv_flash_token(socket);
    if (flash) {
        lv_buf_printf(&req->extra_headers,
                      "Set-Cookie: " FLASH_COOKIE "=%s; Path=/; Max-Age=60; HttpOnly; SameSite=Lax\r\n",
                      flash);
        free(flash);
    }
    if (lv_local_path(to)) {
        lv_respond_redirect(req, to);
    } else if (lv_redirect_external_allowed(to, req->app->config.allowed_redirect_hosts)) {
        free(req->location);
        req->location = lv_xstrdup(to);
        lv_respond(req, 302, NULL, NULL, 0);
    } else {
        lv_respond_redirect(req, to); /* refuses and logs */
    }
    req->status = 302;
}

static void respond_error_page(lv_request *req)
{
    lv_buf page = LV_BUF_INIT;
    render_error_page(&page, "This page could not be rendered.");
    lv_respond(req, 500, "text/html; charset=utf-8", page.data, page.len);
    lv_buf_free(&page);
}

/* The session data the app hands to mount: its hook's JSON object, or {}
 * when the hook gives nothing usable. */
static json_t *session_data(lv_request *req)
{
    lv_app *app = req->app;
    char *text = app->session_data(req, app->session_data_ctx);
    json_t *obj = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    free(text);
    if (!json_is_object(obj)) {
        if (obj) lv_log_warn("session data is not a JSON object; using {}");
        json_decref(obj);
        obj = json_object();
    }
    return obj;
}

void lv_page_render(lv_request *req, const lv_route_entry *route)
{
    lv_app *app = req->app;
    lv_socket *socket = lv_socket_new(app, route, false, NULL);
    json_t *session_obj = session_data(req);
    lv_value session_value;
    if (!lv_value_from_json(session_obj, LV_JSON_MAX_DEPTH, &session_value)) {
        lv_log_warn("session data is nested too deeply; using {}");
        json_object_clear(session_obj);
        session_value = lv_value_map();
    }
    lv_params session = lv_params_of(&session_value);
    const char *csrf_state = lv_request_csrf_state(req);
    char csrf_token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask(csrf_state, csrf_token);
    lv_socket_set_csrf(socket, csrf_state, csrf_token);

    /* Flash carried by a redirect: the client (or our own redirect) put its
     * token in this cookie, read once. */
    const char *flash_cookie = lv_request_cookie(req, FLASH_COOKIE);
    char *flash_token = flash_cookie ? lv_xstrdup(flash_cookie) : NULL;
    if (flash_token) {
        lv_flash_from_token(socket, flash_token);
        lv_buf_puts(&req->extra_headers, "Set-Cookie: " FLASH_COOKIE "=; Path=/; Max-Age=0\r\n");
    }
    /* handle_params gets the absolute URL, as the join will pass it. */
    lv_buf url = LV_BUF_INIT;
    const char *host = lv_request_header(req, "host");
    lv_buf_printf(&url, "http://%s%s%s%s", host ? host : "localhost", req->path, req->query ? "?" : "",
                  req->query ? req->query : "");
    lv_buf inner = LV_BUF_INIT;
    lv_callback cb = {.kind = LV_CALLBACK_MOUNT, .params = &req->params_view, .session = &session,
                      .url = url.data};
    lv_step step = {.out = &inner};
    lv_step_run(socket, &cb, LV_STEP_PAGE, &step);
    lv_buf_free(&url);
    if (step.status == LV_STEP_FAILED) {
        lv_log_warn("%s: %s failed during the HTTP render", route->path,
                    step.mounted ? "handle_params" : "mount");
        respond_error_page(req);
        goto done;
    }
    if (step.status == LV_STEP_AWAY) {
        redirect_from_mount(req, socket, step.nav.to);
        goto done;
    }

    json_t *claims = json_pack("{s:s, s:s, s:s, s:O, s:s}", "id", socket->id, "route", route->path,
                               "csrf", csrf_state, "session", session_obj, "live_session",
                               lv_route_session_name(route));
    /* The join restores the flash the dead render showed. */
    char *page_flash = lv_flash_token(socket);
    if (page_flash) json_object_set_new(claims, "flash", json_string(page_flash));
    free(page_flash);
    char *claims_text = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    char *session_token = app->serde.serialize(app->serde.ctx, claims_text, strlen(claims_text));
    free(claims_text);
    if (!session_token) {
        lv_log_error("%s: the session serializer failed", route->path);
        respond_error_page(req);
        goto done;
    }

    lv_buf page = LV_BUF_INIT;
    const char *title = socket->extras ? socket->extras->title : NULL;
    lv_page_parts parts = {.title = title, .id = socket->id, .csrf_token = csrf_token,
                           .session_token = session_token, .inner = &inner};
    if (app->layout_tmpl)
        lv_layout_render(req, &parts, &page);
    else
        render_layout(app, &parts, &page);
    lv_respond(req, 200, "text/html; charset=utf-8", page.data, page.len);
    free(session_token);
    lv_buf_free(&page);
done:
    lv_step_free(&step);
    lv_buf_free(&inner);
    free(flash_token);
    lv_params_release(&session);
    lv_value_free(&session_value);
    json_decref(session_obj);
    lv_socket_free(socket);
}

void lv_respond_page(lv_request *req, int status, const char *html)
{
    lv_app *app = req->app;
    char csrf_token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask(lv_request_csrf_state(req), csrf_token);
    lv_buf inner = LV_BUF_INIT;
    if (html) lv_buf_puts(&inner, html);
    lv_page_parts parts = {.csrf_token = csrf_token, .inner = &inner};
    lv_buf page = LV_BUF_INIT;
    if (app->layout_tmpl)
        lv_layout_render(req, &parts, &page);
    else
        render_layout(app, &parts, &page);
    lv_respond(req, status, "text/html; charset=utf-8", page.data, page.len);
    lv_buf_free(&page);
    lv_buf_free(&inner);
}

int lv_join_verify(lv_app *app, const char *topic, const char *session_token,
                   const char *csrf_token, const char *connect_state, lv_join_claims *out,
                   const char **why)
{
    memset(out, 0, sizeof *out);
    if (!session_token) {
        *why = "no session token";
        return -1;
    }
    char *text = app->serde.deserialize(app->serde.ctx, session_token, strlen(session_token));
    json_t *claims = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (text) {
        memset(text, 0, strlen(text)); /* session contents do not linger */
        free(text);
    }
    if (!json_is_object(claims)) {
        json_decref(claims);
        *why = "session token is not authentic, has expired, or is malformed";
        return -1;
    }
    const char *id = json_string_value(json_object_get(claims, "id"));
    const char *route = json_string_value(json_object_get(claims, "route"));
    /* A nested view's token names the view instead of a route (live/nested.c). */
    const char *view = json_string_value(json_object_get(claims, "view"));
    const char *csrf = json_string_value(json_object_get(claims, "csrf"));
    json_t *session = json_object_get(claims, "session");
    if (!id || !(route || view) || !csrf || !json_is_object(session)) {
        *why = "session token lacks its claims";
        json_decref(claims);
        return -1;
    }
    if (strncmp(topic, "lv:", 3) != 0 || strcmp(topic + 3, id) != 0) {
        *why = "session token belongs to another view";
        json_decref(claims);
        return -1;
    }
    if (!csrf_token || !lv_csrf_verify(csrf, strlen(csrf), csrf_token, strlen(csrf_token))) {
        *why = csrf_token ? "CSRF token does not match" : "no CSRF token";
        json_decref(claims);
        return -1;
    }
    /* The page must come from the session the socket connected with, so a
     * page token lifted from another browser is useless on this socket. */
    if (connect_state && strcmp(connect_state, csrf) != 0) {
        *why = "page was rendered for another session";
        json_decref(claims);
        return -1;
    }
    if (!lv_value_from_json(session, LV_JSON_MAX_DEPTH, &out->session)) {
        *why = "session data is nested too deeply";
        json_decref(claims);
        return -1;
    }
    out->claims = claims;
    out->id = id;
    out->route_path = route;
    out->view_name = route ? NULL : view;
    out->parent_id = route ? NULL : json_string_value(json_object_get(claims, "parent"));
    out->csrf_state = csrf;
    return 0;
}

void lv_join_claims_free(lv_join_claims *c)
{
    json_decref(c->claims);
    lv_value_free(&c->session);
    memset(c, 0, sizeof *c);
}
