/* The app's endpoint driven directly, with no socket: HTTP dispatch (404 vs
 * 405, HEAD, handler CSRF, assets and their ETag) and the socket policy
 * (Origin, serializer version, connect-time CSRF) that the server used to
 * decide itself. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include "security/csrf.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567" /* 40 bytes */

/* ---- the app: one view, two handlers, one asset ---- */

static int page_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(s, "name", "world");
    return 0;
}

static const lv_view page_view = {
    .name = "page",
    .template_text = "<p class=\"greeting\">Hello {{name}}</p>",
    .mount = page_mount,
};

static int handler_calls;

static void ok_handler(lv_request *req)
{
    handler_calls++;
    lv_respond(req, 200, "text/plain; charset=utf-8", "done\n", 5);
}

static void silent_handler(lv_request *req)
{
    (void)req;
    handler_calls++;
}

/* The client compiled into the library (endpoint/files.c). */
extern const lv_embedded_file lv_client_files[];
extern const size_t lv_client_files_count;

static lv_app *app;
static lv_endpoint ep;
static char app_js_url[128]; /* "/assets/app-<hash>.js", from the page's tags */

static void setup(void)
{
    handler_calls = 0;
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.allowed_origins = NULL; /* same origin, whatever the environment says */
    cfg.assets_dir = NULL;      /* the built-in client */
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/page", &page_view), 0);
    cr_assert_eq(lv_route(app, "/users/:id", &page_view), 0);
    cr_assert_eq(lv_http_route(app, "POST", "/submit", ok_handler), 0);
    cr_assert_eq(lv_http_route(app, "GET", "/ping", silent_handler), 0);
    cr_assert_eq(lv_app_files_prepare(app), 0);
    const char *src = strstr(app->asset_tags, "src=\"/assets/app-");
    cr_assert_not_null(src);
    cr_assert_eq(sscanf(src, "src=\"%127[^\"]", app_js_url), 1);
    ep = lv_app_endpoint(app);
}

static void teardown(void)
{
    lv_app_free(app);
    app = NULL;
    lv_channel_thread_cleanup();
}

TestSuite(endpoint, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static lv_http_request request(const char *method, const char *path, const char *query,
                               const char *const *headers)
{
    return (lv_http_request){.method = method, .path = path, .query = query, .headers = headers,
                             .peer_addr = "127.0.0.1", .peer_port = 50000};
}

static lv_http_response serve(const lv_http_request *req)
{
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, req, &res);
    return res;
}

static bool has_header(const lv_http_response *res, const char *line)
{
    return res->headers.data && strstr(res->headers.data, line) != NULL;
}

static char *body_text(const lv_http_response *res)
{
    return strndup(res->body ? res->body : "", res->body_len);
}

/* A first visit to /page: the session cookie ("name=value") and the page's
 * masked CSRF token, as a browser would send them back. */
typedef struct visit {
    char cookie[1024];
    char csrf[LV_CSRF_TOKEN_LEN + 1];
} visit;

static visit first_visit(void)
{
    lv_http_request req = request("GET", "/page", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_assert_eq(res.status, 200);
    visit v = {0};
    const char *set = strstr(res.headers.data, "Set-Cookie: ");
    cr_assert_not_null(set, "a first visit gets a session cookie");
    set += strlen("Set-Cookie: ");
    size_t n = strcspn(set, ";\r");
    cr_assert_lt(n, sizeof v.cookie);
    memcpy(v.cookie, set, n);
    char *html = body_text(&res);
    const char *meta = strstr(html, "<meta name=\"csrf-token\" content=\"");
    cr_assert_not_null(meta);
    meta += strlen("<meta name=\"csrf-token\" content=\"");
    cr_assert_eq(strcspn(meta, "\""), LV_CSRF_TOKEN_LEN);
    memcpy(v.csrf, meta, LV_CSRF_TOKEN_LEN);
    free(html);
    lv_http_response_free(&res);
    return v;
}

/* ---- 404, 405, HEAD ---- */

Test(endpoint, an_unknown_path_is_a_404_page_on_a_kept_connection)
{
    lv_http_request req = request("GET", "/nope", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 404);
    cr_expect_str_eq(res.content_type, "text/html; charset=utf-8");
    cr_expect_not_null(memmem(res.body, res.body_len, "Not found", 9));
    cr_expect_not(res.head_only);
    cr_expect_not(res.close);
    lv_http_response_free(&res);
}

Test(endpoint, a_path_served_only_for_another_method_is_a_405)
{
    lv_http_request req = request("GET", "/submit", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 405);
    cr_expect_not(has_header(&res, "Allow:"), "handlers' methods are not listed");
    cr_expect_eq(handler_calls, 0);
    cr_expect_not(res.close);
    lv_http_response_free(&res);
}

Test(endpoint, a_page_or_asset_answers_other_methods_with_405_and_allow)
{
    const char *paths[] = {"/page", "/users/7", app_js_url};
    for (size_t i = 0; i < 3; i++) {
        lv_http_request req = request("POST", paths[i], NULL, NULL);
        lv_http_response res = serve(&req);
        cr_expect_eq(res.status, 405, "%s", paths[i]);
        cr_expect(has_header(&res, "Allow: GET, HEAD\r\n"), "%s", paths[i]);
        lv_http_response_free(&res);
    }
}

Test(endpoint, a_page_gets_its_headers_and_a_session_cookie)
{
    lv_http_request req = request("GET", "/page", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/html; charset=utf-8");
    cr_expect(has_header(&res, "Cache-Control: no-store\r\n"));
    cr_expect(has_header(&res, "X-Frame-Options: SAMEORIGIN\r\n"));
    cr_expect(has_header(&res, "Set-Cookie: _lv_session="));
    cr_expect_not_null(memmem(res.body, res.body_len, "Hello world", 11));
    cr_expect_not(res.head_only);
    lv_http_response_free(&res);
}

Test(endpoint, head_renders_the_page_but_sends_no_body)
{
    lv_http_request req = request("HEAD", "/page", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 200);
    cr_expect(res.head_only);
    cr_expect_gt(res.body_len, 0, "the length of the GET body is announced");
    lv_http_response_free(&res);

    req = request("HEAD", "/nope", NULL, NULL);
    res = serve(&req);
    cr_expect_eq(res.status, 404);
    cr_expect(res.head_only);
    lv_http_response_free(&res);
}

Test(endpoint, an_undecodable_query_is_a_400_that_closes)
{
    lv_http_request req = request("GET", "/page", "a=%zz", NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 400);
    cr_expect(res.close);
    lv_http_response_free(&res);
}

/* ---- handlers and CSRF ---- */

Test(endpoint, a_get_handler_needs_no_token_and_defaults_to_204)
{
    lv_http_request req = request("GET", "/ping", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(handler_calls, 1);
    cr_expect_eq(res.status, 204);
    cr_expect(has_header(&res, "Cache-Control: no-store\r\n"));
    lv_http_response_free(&res);
}

Test(endpoint, a_post_without_a_session_or_token_is_refused_with_403)
{
    lv_http_request req = request("POST", "/submit", NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 403);
    cr_expect_eq(handler_calls, 0);
    cr_expect_not(res.close);
    lv_http_response_free(&res);
}

Test(endpoint, a_post_with_the_session_but_a_wrong_token_is_refused)
{
    visit v = first_visit();
    v.csrf[10] = v.csrf[10] == 'A' ? 'B' : 'A';
    const char *headers[] = {"cookie", v.cookie, "x-csrf-token", v.csrf, NULL};
    lv_http_request req = request("POST", "/submit", NULL, headers);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 403);
    cr_expect_eq(handler_calls, 0);
    lv_http_response_free(&res);
}

Test(endpoint, a_post_with_a_token_but_no_session_is_refused)
{
    visit v = first_visit();
    const char *headers[] = {"x-csrf-token", v.csrf, NULL};
    lv_http_request req = request("POST", "/submit", NULL, headers);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 403);
    cr_expect_eq(handler_calls, 0);
    lv_http_response_free(&res);
}

Test(endpoint, a_post_with_the_session_token_in_a_header_reaches_the_handler)
{
    visit v = first_visit();
    const char *headers[] = {"cookie", v.cookie, "x-csrf-token", v.csrf, NULL};
    lv_http_request req = request("POST", "/submit", NULL, headers);
    lv_http_response res = serve(&req);
    cr_expect_eq(handler_calls, 1);
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/plain; charset=utf-8");
    cr_expect_eq(res.body_len, 5);
    cr_expect_eq(memcmp(res.body, "done\n", 5), 0);
    lv_http_response_free(&res);
}

Test(endpoint, a_post_with_the_token_in_a_form_body_reaches_the_handler)
{
    visit v = first_visit();
    char body[128];
    int n = snprintf(body, sizeof body, "_csrf_token=%s&x=1", v.csrf);
    const char *headers[] = {"cookie", v.cookie, "content-type",
                             "application/x-www-form-urlencoded", NULL};
    lv_http_request req = request("POST", "/submit", NULL, headers);
    req.body = body;
    req.body_len = (size_t)n;
    lv_http_response res = serve(&req);
    cr_expect_eq(handler_calls, 1);
    cr_expect_eq(res.status, 200);
    lv_http_response_free(&res);
}

Test(endpoint, only_handlers_keep_a_body)
{
    cr_expect(ep.wants_body(ep.ctx, "POST", "/submit"));
    cr_expect_not(ep.wants_body(ep.ctx, "GET", "/submit"));
    cr_expect_not(ep.wants_body(ep.ctx, "POST", "/page"));
    cr_expect_not(ep.wants_body(ep.ctx, "GET", "/live/websocket"));
}

/* ---- assets ---- */

static const lv_embedded_file *embedded(const char *path)
{
    for (size_t i = 0; i < lv_client_files_count; i++)
        if (strcmp(lv_client_files[i].path, path) == 0) return &lv_client_files[i];
    cr_assert_fail("%s is not embedded", path);
    return NULL;
}

Test(endpoint, an_asset_is_served_from_its_embedded_bytes_under_a_fingerprint)
{
    const lv_embedded_file *f = embedded("app.js");
    char expected[64];
    snprintf(expected, sizeof expected, "/assets/app-%.16s.js", f->etag + 1);
    cr_expect_str_eq(app_js_url, expected, "the URL carries the content hash");
    lv_http_request req = request("GET", app_js_url, NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/javascript; charset=utf-8");
    cr_expect_eq(res.body, (const char *)f->data, "no copy of the bytes");
    cr_expect_eq(res.body_len, f->len);
    char etag[64];
    snprintf(etag, sizeof etag, "ETag: %s\r\n", f->etag);
    cr_expect(has_header(&res, etag));
    cr_expect(has_header(&res, "Cache-Control: public, max-age=31536000, immutable\r\n"));
    cr_expect(has_header(&res, "Vary: Accept-Encoding\r\n"));
    cr_expect_not(has_header(&res, "Content-Encoding"), "no Accept-Encoding: identity");
    cr_expect_not(has_header(&res, "Set-Cookie"), "assets leave the session alone");
    lv_http_response_free(&res);
}

Test(endpoint, an_asset_is_gzip_for_a_client_that_accepts_it)
{
    const lv_embedded_file *f = embedded("app.js");
    cr_assert_not_null(f->gzip, "the build made a gzip copy");
    const char *headers[] = {"accept-encoding", "gzip, deflate, br, zstd", NULL};
    lv_http_request req = request("GET", app_js_url, NULL, headers);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 200);
    cr_expect(has_header(&res, "Content-Encoding: gzip\r\n"));
    cr_expect_eq(res.body, (const char *)f->gzip);
    cr_expect_eq(res.body_len, f->gzip_len);
    cr_expect_lt(f->gzip_len, f->len);
    lv_http_response_free(&res);
}

Test(endpoint, a_matching_if_none_match_is_a_304_without_a_body)
{
    const lv_embedded_file *f = embedded("app.js");
    const char *headers[] = {"if-none-match", f->etag, NULL};
    lv_http_request req = request("GET", app_js_url, NULL, headers);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 304);
    cr_expect_eq(res.body_len, 0);
    cr_expect(res.head_only);
    cr_expect_null(res.content_type);
    cr_expect(has_header(&res, "ETag: "));
    cr_expect(has_header(&res, "Cache-Control: public, max-age=31536000, immutable\r\n"));
    lv_http_response_free(&res);

    const char *stale[] = {"if-none-match", "\"0000000000000000\"", NULL};
    req = request("GET", app_js_url, NULL, stale);
    res = serve(&req);
    cr_expect_eq(res.status, 200);
    lv_http_response_free(&res);
}

Test(endpoint, head_of_an_asset_announces_its_length_only)
{
    lv_http_request req = request("HEAD", app_js_url, NULL, NULL);
    lv_http_response res = serve(&req);
    cr_expect_eq(res.status, 200);
    cr_expect(res.head_only);
    cr_expect_eq(res.body_len, embedded("app.js")->len);
    lv_http_response_free(&res);
}

Test(endpoint, asset_paths_match_exactly)
{
    char upper[256], slash[256], dots[256], doubled[256];
    snprintf(slash, sizeof slash, "%s/", app_js_url);
    snprintf(dots, sizeof dots, "/assets/../assets/%s", app_js_url + 8);
    snprintf(doubled, sizeof doubled, "/assets/%s", app_js_url + 7);
    snprintf(upper, sizeof upper, "/assets/APP-%s", app_js_url + 12);
    const char *paths[] = {slash, doubled, dots, upper, "/assets/app.js", "/assets/phoenix.js",
                           "/assets/phoenix_live_view.js", "/assets/app.css"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        lv_http_request req = request("GET", paths[i], NULL, NULL);
        lv_http_response res = serve(&req);
        cr_expect_eq(res.status, 404, "%s", paths[i]);
        lv_http_response_free(&res);
    }
}

Test(endpoint, the_page_loads_the_stylesheet_then_phoenix_then_app_js)
{
    char expected[512];
    snprintf(expected, sizeof expected,
             "<link rel=\"stylesheet\" href=\"/assets/app-%.16s.css\">\n"
             "<script defer src=\"/assets/phoenix-%.16s.js\"></script>\n"
             "<script defer src=\"/assets/app-%.16s.js\"></script>\n",
             embedded("app.css")->etag + 1, embedded("phoenix.js")->etag + 1, embedded("app.js")->etag + 1);
    cr_expect_str_eq(app->asset_tags, expected);
    lv_http_request req = request("GET", "/page", NULL, NULL);
    lv_http_response res = serve(&req);
    char *html = body_text(&res);
    cr_expect(strstr(html, expected) != NULL, "the page's head has the tags");
    free(html);
    lv_http_response_free(&res);
}

/* ---- sockets ---- */

typedef struct fake_conn {
    lv_buf sent[8];
    size_t sent_count;
    int closes;
} fake_conn;

static void fake_send(void *handle, const char *data, size_t len)
{
    fake_conn *f = handle;
    cr_assert_lt(f->sent_count, 8);
    lv_buf_append(&f->sent[f->sent_count++], data, len);
}

static void fake_close(void *handle, uint16_t code, const char *reason)
{
    (void)code;
    (void)reason;
    ((fake_conn *)handle)->closes++;
}

static const lv_endpoint_conn_ops fake_ops = {fake_send, fake_close};

static void fake_free(fake_conn *f)
{
    for (size_t i = 0; i < f->sent_count; i++) lv_buf_free(&f->sent[i]);
}

static int upgrade(const char *query, const char *const *headers, fake_conn *f, void **ctx)
{
    lv_http_request req = request("GET", "/live/websocket", query, headers);
    *ctx = NULL;
    return ep.upgrade(ep.ctx, &req, (lv_endpoint_conn){&fake_ops, f}, ctx);
}

Test(endpoint, the_socket_path_is_the_clients)
{
    cr_expect_str_eq(ep.socket_path, "/live/websocket");
}

Test(endpoint, a_cross_site_origin_is_refused_with_403)
{
    fake_conn f = {0};
    void *ctx;
    const char *headers[] = {"host", "localhost:4000", "origin", "http://evil.example", NULL};
    cr_expect_eq(upgrade("vsn=2.0.0", headers, &f, &ctx), 403);
    cr_expect_null(ctx);
    const char *null_origin[] = {"host", "localhost:4000", "origin", "null", NULL};
    cr_expect_eq(upgrade("vsn=2.0.0", null_origin, &f, &ctx), 403);
    cr_expect_eq(f.sent_count, 0);
}

Test(endpoint, a_socket_without_the_v2_serializer_is_refused_with_403)
{
    fake_conn f = {0};
    void *ctx;
    const char *headers[] = {"host", "localhost:4000", "origin", "http://localhost:4000", NULL};
    cr_expect_eq(upgrade(NULL, headers, &f, &ctx), 403);
    cr_expect_eq(upgrade("vsn=1.0.0", headers, &f, &ctx), 403);
    cr_expect_eq(upgrade("vsn=2.0.01", headers, &f, &ctx), 403);
    cr_expect_null(ctx);
}

Test(endpoint, an_undecodable_socket_query_is_refused_with_400)
{
    fake_conn f = {0};
    void *ctx;
    cr_expect_eq(upgrade("vsn=2.0.0&x=%zz", NULL, &f, &ctx), 400);
    cr_expect_null(ctx);
}

Test(endpoint, a_socket_failing_the_connect_time_csrf_check_gets_no_session)
{
    visit v = first_visit();
    fake_conn f = {0};
    void *ctx;
    /* No token; a token without the cookie; a wrong token. */
    char wrong[LV_CSRF_TOKEN_LEN + 1];
    memcpy(wrong, v.csrf, sizeof wrong);
    wrong[3] = wrong[3] == 'A' ? 'B' : 'A';
    char q_token[128], q_wrong[128];
    snprintf(q_token, sizeof q_token, "_csrf_token=%s&vsn=2.0.0", v.csrf);
    snprintf(q_wrong, sizeof q_wrong, "_csrf_token=%s&vsn=2.0.0", wrong);
    const char *with_cookie[] = {"cookie", v.cookie, NULL};
    struct { const char *query; const char *const *headers; } cases[] = {
        {"vsn=2.0.0", with_cookie}, {q_token, NULL}, {q_wrong, with_cookie}};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(upgrade(cases[i].query, cases[i].headers, &f, &ctx), 0,
                     "the socket opens (case %zu); its joins are refused", i);
        cr_assert_not_null(ctx);
        lv_endpoint_socket *sock = ctx;
        cr_expect_eq(sock->channel.connect, LV_CONNECT_REFUSED, "case %zu", i);
        ep.on_close(ctx, LV_ENDPOINT_CLOSED);
    }
    cr_expect_eq(f.sent_count, 0);
    fake_free(&f);
}

Test(endpoint, a_socket_with_the_sessions_token_is_verified_and_drives_a_channel)
{
    visit v = first_visit();
    fake_conn f = {0};
    void *ctx;
    char query[128];
    snprintf(query, sizeof query, "_csrf_token=%s&vsn=2.0.0", v.csrf);
    const char *headers[] = {"cookie", v.cookie, "host", "localhost:4000", "origin",
                             "http://localhost:4000", NULL};
    cr_assert_eq(upgrade(query, headers, &f, &ctx), 0);
    lv_endpoint_socket *sock = ctx;
    cr_expect_eq(sock->channel.connect, LV_CONNECT_VERIFIED);

    /* A message in, its reply out through the send function net lent. */
    static const char heartbeat[] = "[null,\"1\",\"phoenix\",\"heartbeat\",{}]";
    ep.on_text(ctx, heartbeat, sizeof heartbeat - 1);
    cr_assert_eq(f.sent_count, 1);
    cr_expect_str_eq(f.sent[0].data,
                     "[null,\"1\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
    ep.on_close(ctx, LV_ENDPOINT_SHUTDOWN);
    cr_expect_eq(f.closes, 0, "the endpoint leaves closing to the client");
    fake_free(&f);
}

Test(endpoint, the_handshake_gives_the_channel_its_connect_info)
{
    fake_conn f = {0};
    void *ctx;
    const char *headers[] = {"user-agent", "TestBrowser/1.0", "x-forwarded-for", "203.0.113.9", NULL};
    cr_assert_eq(upgrade("vsn=2.0.0", headers, &f, &ctx), 0);
    lv_endpoint_socket *sock = ctx;
    const lv_connect_data *info = sock->channel.connect_info;
    cr_assert_not_null(info);
    cr_expect_str_eq(info->peer_address, "127.0.0.1");
    cr_expect_str_eq(info->client_address, "127.0.0.1", "no proxy is trusted: the header is ignored");
    cr_expect_str_eq(info->user_agent, "TestBrowser/1.0");
    ep.on_close(ctx, LV_ENDPOINT_CLOSED);

    /* Behind a trusted proxy, every X-Forwarded-For line counts, in order:
     * the right-most untrusted hop is the client. */
    char err[128];
    lv_trusted_proxies_free(&app->trusted_proxies);
    cr_assert_eq(lv_trusted_proxies_parse(&app->trusted_proxies, "127.0.0.0/8", err, sizeof err), 0);
    const char *proxied[] = {"x-forwarded-for", "6.6.6.6", "X-Forwarded-For", "203.0.113.9, 127.0.0.2",
                             NULL};
    cr_assert_eq(upgrade("vsn=2.0.0", proxied, &f, &ctx), 0);
    sock = ctx;
    cr_expect_str_eq(sock->channel.connect_info->client_address, "203.0.113.9");
    cr_expect_null(sock->channel.connect_info->user_agent);
    ep.on_close(ctx, LV_ENDPOINT_CLOSED);
    fake_free(&f);
}

/* ---- the server's run ---- */

static void *fake_timer_start(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *),
                              void *arg)
{
    (void)ctx, (void)ms, (void)repeat_ms, (void)fire, (void)arg;
    return NULL;
}

Test(endpoint, the_runtime_is_lent_while_the_server_runs)
{
    lv_runtime rt = {&rt, fake_timer_start, NULL, NULL};
    ep.started(ep.ctx, &rt, 4321);
    cr_expect_eq(lv_app_port(app), 4321);
    cr_expect_eq(app->loops[0].runtime.ctx, &rt);
    cr_expect_eq(app->loops[0].runtime.timer_start, fake_timer_start);
    ep.stopped(ep.ctx);
    cr_expect_null(app->loops[0].runtime.ctx);
    cr_expect_null(app->loops[0].runtime.timer_start);
}
