/* The app's endpoint: HTTP dispatch and socket policy, called by whichever
 * server carries the app (net/endpoint.h says what a server promises). */
#include "endpoint/endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint/adapter.h"
#include "endpoint/files.h"
#include "endpoint/longpoll.h"
#include "live/lifecycle.h"
#include "live/presence.h"
#include "security/csrf.h"
#include "security/origin.h"
#include "security/proxy.h"
#include "util/log.h"
#include "util/value_json.h"

/* ------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------ */

static const char page_headers[] =
    "Cache-Control: no-store\r\n"
    "X-Frame-Options: SAMEORIGIN\r\n"
    "Referrer-Policy: strict-origin-when-cross-origin\r\n";

/* The page's Content-Security-Policy header line, when the app has one.
 * The default one names the page's own socket URLs, taken from a Host that
 * parses as host[:port] (nothing else can reach the header). */
static void put_csp(const lv_app *app, const lv_http_request *http, lv_buf *headers)
{
    if (!app->csp) return;
    lv_buf_printf(headers, "Content-Security-Policy: %s", app->csp);
    const char *host = lv_http_request_header(http, "host");
    if (app->csp_is_default && host && lv_host_well_formed(host)) {
        while (*host == ' ' || *host == '\t') host++;
        size_t n = strlen(host);
        while (n && (host[n - 1] == ' ' || host[n - 1] == '\t')) n--;
        lv_buf_printf(headers, " ws://%.*s wss://%.*s", (int)n, host, (int)n, host);
    }
    lv_buf_puts(headers, "\r\n");
}

/* The request the decision code sees, borrowing the server's strings. */
static bool request_init(lv_request *req, lv_app *app, const char *method, const lv_http_request *http)
{
    if (!lv_request_init(req, app, method, http->path, http->query, http->headers, http->body,
                         http->body_len))
        return false;
    req->adapter_data = http->adapter_data;
    return true;
}

static bool safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Turns what a handler or the dead render put in req into the response,
 * with the session cookie when the session changed. Takes req's body and
 * content type. */
static void respond_from(lv_request *req, const char *headers, bool head_only,
                         lv_http_response *res)
{
    if (headers) lv_buf_puts(&res->headers, headers);
    char *cookie = lv_request_session_cookie(req);
    if (cookie) {
        lv_buf_printf(&res->headers, "%s\r\n", cookie);
        free(cookie);
    }
    if (req->location) lv_buf_printf(&res->headers, "Location: %s\r\n", req->location);
    if (req->extra_headers.len)
        lv_buf_append(&res->headers, req->extra_headers.data, req->extra_headers.len);
    res->status = req->status ? req->status : 204;
    free(res->content_type);
    res->content_type = req->content_type;
    req->content_type = NULL;
    lv_http_response_take_body(res, &req->body);
    res->head_only = head_only;
}

static void serve_handler(lv_app *app, const lv_http_route_entry *route,
                          const lv_http_request *http, lv_http_response *res)
{
    lv_request req;
    if (!request_init(&req, app, route->method, http)) {
        lv_http_response_error(res, 400, true);
        return;
    }
    if (!safe_method(route->method) && (req.session_changed || !lv_request_csrf_ok(&req))) {
        /* Plug's rule: state-changing requests carry the session's token. */
        lv_log_warn("%s %s refused: missing or wrong CSRF token", route->method, http->path);
        lv_http_response_error(res, 403, false);
    } else {
        route->handler(&req);
        lv_buf headers = LV_BUF_INIT;
        lv_buf_puts(&headers, "Cache-Control: no-store\r\n");
        put_csp(app, http, &headers);
        respond_from(&req, headers.data, false, res);
        lv_buf_free(&headers);
    }
    lv_request_free(&req);
}

static void serve_page(lv_app *app, const lv_route_entry *route, const lv_http_request *http,
                       bool head_only, lv_http_response *res)
{
    lv_request req;
    if (!request_init(&req, app, "GET", http)) {
        lv_http_response_error(res, 400, true);
        return;
    }
    /* Path params win over the query. */
    lv_app_match_route(app, http->path, strlen(http->path), &req.params);
    lv_page_render(&req, route);
    lv_buf headers = LV_BUF_INIT;
    lv_buf_puts(&headers, page_headers);
    put_csp(app, http, &headers);
    respond_from(&req, headers.data, head_only, res);
    lv_buf_free(&headers);
    lv_request_free(&req);
}

static void endpoint_http(void *ctx, const lv_http_request *http, lv_http_response *res)
{
    lv_app *app = ctx;
    const char *path = http->path;
    size_t path_len = strlen(path);
    bool head_only = strcmp(http->method, "HEAD") == 0;
    /* DNS rebinding: a page of another name that now resolves here sends
     * its own name as Host. 421 says "not this server". */
    if (!lv_host_allowed(&app->allowed_hosts, lv_http_request_header(http, "host"))) {
        lv_log_info("request refused: its Host is not in allowed_hosts");
        lv_http_response_error(res, 421, false);
        return;
    }
    if (app->config.longpoll && strcmp(path, LV_LONGPOLL_PATH) == 0) {
        lv_longpoll_http(app, http, res);
        return;
    }
    if (lv_app_files_serve(app, http, res)) return;
    bool path_known = false;
    const lv_http_route_entry *handler = lv_app_find_http_route(app, http->method, path, &path_known);
    if (handler) {
        serve_handler(app, handler, http, res);
        return;
    }
    const lv_route_entry *route = lv_app_match_route(app, path, path_len, NULL);
    if (!route && !path_known) {
        static const char body[] = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                                   "<title>Not found</title></head><body><h1>Not found</h1>"
                                   "<p><a href=\"/\">Back to the index</a></p></body></html>\n";
        res->status = 404;
        lv_http_response_set_type(res, "text/html; charset=utf-8");
        res->body = body;
        res->body_len = sizeof body - 1;
        res->head_only = head_only;
        return;
    }
    if (!route) { /* only handlers for other methods live here */
        lv_http_response_error(res, 405, false);
        return;
    }
    if (!safe_method(http->method)) {
        lv_http_response_error(res, 405, false);
        lv_buf_puts(&res->headers, "Allow: GET, HEAD\r\n");
        return;
    }
    serve_page(app, route, http, head_only, res);
}

/* Only a handler reads a body; any other is dropped as it arrives. */
static bool endpoint_wants_body(void *ctx, const char *method, const char *path)
{
    lv_app *app = ctx;
    /* A long poll's POST carries the client's messages. */
    if (app->config.longpoll && strcmp(path, LV_LONGPOLL_PATH) == 0) return strcmp(method, "POST") == 0;
    bool known;
    return lv_app_find_http_route(ctx, method, path, &known) != NULL;
}

/* ------------------------------------------------------------------------
 * Sockets
 * ------------------------------------------------------------------------ */

static bool query_has_vsn2(const char *query)
{
    /* The official client always sends vsn=2.0.0 (docs/protocol.md §1.1); it
     * selects the V2 JSON serializer, the only one spoken here. */
    const char *p = query;
    while (p && *p) {
        if (strncmp(p, "vsn=", 4) == 0) return strncmp(p + 4, "2.0.0", 5) == 0 &&
                                               (p[9] == '\0' || p[9] == '&');
        p = strchr(p, '&');
        if (p) p++;
    }
    return false;
}

/* Every header line named `name`, joined with ", " (a list header may be
 * split over lines, RFC 9110 §5.3); NULL when there is none. The caller
 * frees it. */
static char *joined_header(const lv_http_request *http, const char *name)
{
    lv_buf b = LV_BUF_INIT;
    bool found = false;
    for (const char *const *h = http->headers; h && h[0]; h += 2) {
        if (strcasecmp(h[0], name) != 0) continue;
        if (found) lv_buf_puts(&b, ", ");
        lv_buf_puts(&b, h[1] ? h[1] : "");
        found = true;
    }
    if (!found) return NULL;
    if (!b.data) return lv_xstrdup("");
    return lv_buf_take(&b);
}

/* What the handshake says about the client, for lv_connect_info. Owned by
 * the caller. */
static lv_connect_data *connect_data_of(lv_app *app, const lv_http_request *http)
{
    lv_connect_data *d = lv_xcalloc(1, sizeof *d);
    const char *peer = http->peer_addr ? http->peer_addr : "";
    d->peer_address = lv_xstrdup(peer);
    char *xff = joined_header(http, "x-forwarded-for"), *forwarded = joined_header(http, "forwarded");
    char client[LV_IP_TEXT_MAX];
    lv_client_address(&app->trusted_proxies, peer, xff, forwarded, client);
    free(xff);
    free(forwarded);
    d->client_address = lv_xstrdup(client);
    const char *ua = lv_http_request_header(http, "user-agent");
    d->user_agent = ua ? lv_xstrdup(ua) : NULL;
    return d;
}

/* The scheme the browser used to reach us: "https" when the app says it is
 * served over HTTPS (secure_cookies) or a trusted proxy in front says so in
 * X-Forwarded-Proto; else "http". Only a trusted proxy is believed: anyone
 * else could claim any scheme. */
static const char *request_scheme(const lv_app *app, const lv_http_request *http)
{
    if (app->config.secure_cookies) return "https";
    const char *proto = lv_http_request_header(http, "x-forwarded-proto");
    if (proto && strcasecmp(proto, "https") == 0 && http->peer_addr &&
        lv_trusted_proxies_contains(&app->trusted_proxies, http->peer_addr))
        return "https";
    return "http";
}

int lv_socket_admit(lv_app *app, const lv_http_request *http, lv_socket_admission *out)
{
    memset(out, 0, sizeof *out);
    if (!lv_host_allowed(&app->allowed_hosts, lv_http_request_header(http, "host"))) {
        lv_log_info("socket refused: its Host is not in allowed_hosts");
        return 421;
    }
    /* Browsers always send Origin on a WebSocket request (and on a
     * cross-site XHR), so a cross-site page cannot open a socket with the
     * user's cookies (CSWSH). */
    if (!lv_origin_allowed(&app->origins, lv_http_request_header(http, "origin"),
                           lv_http_request_header(http, "host"), request_scheme(app, http))) {
        lv_log_warn("socket refused: its Origin is not allowed");
        return 403;
    }
    if (!query_has_vsn2(http->query)) return 403;

    /* The connect-time CSRF check (Phoenix's connect_info session): the
     * socket URL's _csrf_token must match the cookie session's state, or
     * the socket gets no session and every join is answered stale. The
     * body is not the socket's business (a long poll's is messages). */
    lv_http_request head = *http;
    head.body = NULL;
    head.body_len = 0;
    lv_request req;
    if (!request_init(&req, app, "GET", &head)) return 400;
    const char *state = lv_request_csrf_state(&req);
    if (!req.session_changed && state && strlen(state) == LV_CSRF_STATE_LEN)
        memcpy(out->cookie_state, state, LV_CSRF_STATE_LEN + 1);
    const char *token = lv_value_str_at(&req.params, "_csrf_token");
    out->verified = out->cookie_state[0] && token &&
                    lv_csrf_verify(state, strlen(state), token, strlen(token));
    lv_request_free(&req);
    return 0;
}

void lv_socket_channel_init(lv_channel *ch, lv_app *app, const lv_http_request *http,
                            const lv_socket_admission *admission, lv_channel_send_fn send,
                            void *send_ctx)
{
    lv_channel_init(ch, app, send, send_ctx);
    if (!admission->verified) lv_log_info("socket without a valid session: its joins will be refused");
    lv_channel_set_connect_session(ch, admission->verified ? admission->cookie_state : NULL);
    lv_channel_set_connect_info(ch, connect_data_of(app, http));
}

static bool endpoint_trusted_peer(void *ctx, const char *peer_addr)
{
    lv_app *app = ctx;
    return lv_trusted_proxies_contains(&app->trusted_proxies, peer_addr);
}

static void endpoint_client_address(void *ctx, const lv_http_request *http, char *out, size_t size)
{
    lv_app *app = ctx;
    char *xff = joined_header(http, "x-forwarded-for"), *forwarded = joined_header(http, "forwarded");
    char client[LV_IP_TEXT_MAX];
    lv_client_address(&app->trusted_proxies, http->peer_addr ? http->peer_addr : "", xff, forwarded, client);
    free(xff);
    free(forwarded);
    snprintf(out, size, "%s", client);
}

/* ------------------------------------------------------------------------
 * The server's run
 * ------------------------------------------------------------------------ */

static void endpoint_stopping(void *ctx)
{
    lv_longpoll_stopping(ctx);
    lv_adapter_loop_stopping(ctx); /* after: the long poll answers its own held requests */
}

/* Each loop's server calls these on its own thread, which run.c has
 * marked as that loop's: the runtime lent is that loop's. */
static void endpoint_started(void *ctx, const lv_runtime *rt, int port)
{
    lv_app *app = ctx;
    app->bound_port = port;
    lv_loop *loop = lv_app_current_loop(app);
    if (loop) loop->runtime = rt ? *rt : (lv_runtime){0};
}

static void endpoint_stopped(void *ctx)
{
    lv_app *app = ctx;
    lv_loop *loop = lv_app_current_loop(app);
    if (loop) loop->runtime = (lv_runtime){0};
    /* Presence's heartbeat runs on loop 0's runtime, gone now. */
    if (loop && loop->index == 0) lv_presence_runtime_gone(app);
    lv_channel_thread_cleanup();
    lv_lifecycle_thread_cleanup();
}

lv_endpoint lv_app_endpoint(lv_app *app)
{
    return (lv_endpoint){
        .ctx = app,
        .socket_path = LV_SOCKET_PATH,
        .wants_body = endpoint_wants_body,
        .http = endpoint_http,
        /* Every socket goes through the integration API (adapter.c). */
        .upgrade = lv_adapter_builtin_upgrade,
        .on_text = lv_adapter_builtin_text,
        .on_binary = lv_adapter_builtin_binary,
        .on_close = lv_adapter_builtin_close,
        .joined_any = lv_adapter_builtin_joined_any,
        .trusted_peer = endpoint_trusted_peer,
        .client_address = endpoint_client_address,
        .on_held_close = lv_longpoll_held_close,
        .stopping = endpoint_stopping,
        .started = endpoint_started,
        .stopped = endpoint_stopped,
    };
}
