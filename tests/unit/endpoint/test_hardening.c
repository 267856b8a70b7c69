/* Issue #16's checks at the endpoint, without sockets: the configuration
 * bounds, the Content-Security-Policy header, the Host allow-list, and the
 * CSRF token of a POST (body or header, never the query). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "security/csrf.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567"

static int page_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(s, "name", "world");
    return 0;
}

static const lv_view page_view = {.name = "page", .template_text = "<p>Hello {{name}}</p>", .mount = page_mount};

static int handler_calls;
static void ok_handler(lv_request *req)
{
    handler_calls++;
    lv_respond(req, 200, "text/plain; charset=utf-8", "done\n", 5);
}

static lv_app *app;
static lv_endpoint ep;

static lv_app *new_app(void (*tweak)(lv_config *cfg))
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.allowed_origins = NULL;
    cfg.assets_dir = NULL;
    cfg.content_security_policy = NULL;
    cfg.allowed_hosts = NULL;
    if (tweak) tweak(&cfg);
    return lv_app_new(&cfg);
}

static void start(void (*tweak)(lv_config *cfg))
{
    handler_calls = 0;
    app = new_app(tweak);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/page", &page_view), 0);
    cr_assert_eq(lv_http_route(app, "POST", "/submit", ok_handler), 0);
    ep = lv_app_endpoint(app);
}

static void teardown(void)
{
    lv_app_free(app);
    app = NULL;
    lv_channel_thread_cleanup();
}

static lv_http_response serve(const char *method, const char *path, const char *query, const char *const *headers,
                              const char *body)
{
    lv_http_request req = {.method = method, .path = path, .query = query, .headers = headers,
                           .peer_addr = "127.0.0.1", .peer_port = 50000, .body = body,
                           .body_len = body ? strlen(body) : 0};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, &req, &res);
    return res;
}

static const char *header_in(const lv_http_response *res, const char *name)
{
    return res->headers.data ? strstr(res->headers.data, name) : NULL;
}

/* ---- configuration ---- */

static void ttl_zero(lv_config *c) { c->session_ttl_s = 0; }
static void ttl_too_long(lv_config *c) { c->session_ttl_s = LV_TOKEN_MAX_LIFETIME + 1; }
static void ttl_longest(lv_config *c) { c->session_ttl_s = LV_TOKEN_MAX_LIFETIME; }
static void csp_with_crlf(lv_config *c) { c->content_security_policy = "default-src 'self'\r\nX-Evil: 1"; }
static void bad_hosts(lv_config *c) { c->allowed_hosts = "ok.example, http://bad"; }

Test(hardening_config, session_lifetimes_and_headers_are_checked_at_creation)
{
    cr_expect_null(new_app(ttl_zero));
    cr_expect_null(new_app(ttl_too_long));
    cr_expect_null(new_app(csp_with_crlf), "a CSP could inject a header");
    cr_expect_null(new_app(bad_hosts));
    lv_app *ok = new_app(ttl_longest);
    cr_expect_not_null(ok);
    lv_app_free(ok);
}

/* ---- Content-Security-Policy ---- */

Test(hardening_csp, pages_and_handlers_carry_the_default_policy_with_the_hosts_sockets, .fini = teardown)
{
    start(NULL);
    const char *headers[] = {"host", "app.example:4000", NULL};
    lv_http_response res = serve("GET", "/page", NULL, headers, NULL);
    cr_assert_eq(res.status, 200);
    const char *csp = header_in(&res, "Content-Security-Policy: ");
    cr_assert_not_null(csp);
    cr_expect_not_null(strstr(csp, "script-src 'self';"));
    cr_expect_not_null(strstr(csp, "frame-ancestors 'none'"));
    cr_expect_not_null(strstr(csp, "connect-src 'self' ws://app.example:4000 wss://app.example:4000\r\n"));
    cr_expect_null(strstr(res.headers.data, "unsafe-eval"));
    lv_http_response_free(&res);

    /* A Host that is not host[:port] never reaches the header. */
    const char *odd[] = {"host", "a;script-src *", NULL};
    res = serve("GET", "/page", NULL, odd, NULL);
    csp = header_in(&res, "Content-Security-Policy: ");
    cr_assert_not_null(csp);
    cr_expect_null(strstr(csp, "script-src *"));
    cr_expect_not_null(strstr(csp, "connect-src 'self'\r\n"));
    lv_http_response_free(&res);

    res = serve("POST", "/submit", NULL, headers, NULL); /* refused (no token), no matter */
    lv_http_response_free(&res);
}

static void csp_custom(lv_config *c) { c->content_security_policy = "default-src 'none'"; }
static void csp_off(lv_config *c) { c->content_security_policy = "off"; }

Test(hardening_csp, an_app_sets_its_own_policy, .fini = teardown)
{
    start(csp_custom);
    lv_http_response res = serve("GET", "/page", NULL, NULL, NULL);
    cr_expect_not_null(header_in(&res, "Content-Security-Policy: default-src 'none'\r\n"));
    lv_http_response_free(&res);
}

Test(hardening_csp, or_turns_it_off, .fini = teardown)
{
    start(csp_off);
    lv_http_response res = serve("GET", "/page", NULL, NULL, NULL);
    cr_expect_eq(res.status, 200);
    cr_expect_null(header_in(&res, "Content-Security-Policy"));
    lv_http_response_free(&res);
}

/* ---- Host allow-list ---- */

static void hosts(lv_config *c) { c->allowed_hosts = "app.example, localhost:4000"; }

Test(hardening_hosts, other_hosts_get_421_pages_and_sockets, .fini = teardown)
{
    start(hosts);
    const char *good[] = {"host", "app.example:8443", NULL};
    const char *rebound[] = {"host", "evil.example", NULL};
    const char *wrong_port[] = {"host", "localhost:4001", NULL};
    lv_http_response res = serve("GET", "/page", NULL, good, NULL);
    cr_expect_eq(res.status, 200);
    lv_http_response_free(&res);
    res = serve("GET", "/page", NULL, rebound, NULL);
    cr_expect_eq(res.status, 421);
    lv_http_response_free(&res);
    res = serve("GET", "/page", NULL, wrong_port, NULL);
    cr_expect_eq(res.status, 421);
    lv_http_response_free(&res);
    res = serve("GET", "/page", NULL, NULL, NULL);
    cr_expect_eq(res.status, 421, "no Host at all");
    lv_http_response_free(&res);

    lv_http_request up = {.method = "GET", .path = "/live/websocket", .query = "vsn=2.0.0", .headers = rebound,
                          .peer_addr = "127.0.0.1"};
    lv_socket_admission admission;
    cr_expect_eq(lv_socket_admit(app, &up, &admission), 421);
}

/* ---- CSRF: body or header, never the query ---- */

Test(hardening_csrf, a_posts_token_in_the_query_does_not_count, .fini = teardown)
{
    start(NULL);
    lv_http_response page = serve("GET", "/page", NULL, NULL, NULL);
    const char *set = strstr(page.headers.data, "Set-Cookie: ") + strlen("Set-Cookie: ");
    char cookie[1024] = {0};
    memcpy(cookie, set, strcspn(set, ";\r"));
    char *html = strndup(page.body, page.body_len);
    const char *meta = strstr(html, "<meta name=\"csrf-token\" content=\"") + 33;
    char token[LV_CSRF_TOKEN_LEN + 1] = {0};
    memcpy(token, meta, LV_CSRF_TOKEN_LEN);
    free(html);
    lv_http_response_free(&page);

    char query[128], body[128];
    snprintf(query, sizeof query, "_csrf_token=%s", token);
    snprintf(body, sizeof body, "_csrf_token=%s&x=1", token);
    const char *form[] = {"cookie", cookie, "content-type", "application/x-www-form-urlencoded", NULL};
    lv_http_response res = serve("POST", "/submit", query, form, "x=1");
    cr_expect_eq(res.status, 403, "the query's token");
    lv_http_response_free(&res);
    res = serve("POST", "/submit", query, form, NULL);
    cr_expect_eq(res.status, 403, "the query's token, no body");
    lv_http_response_free(&res);
    cr_expect_eq(handler_calls, 0);
    res = serve("POST", "/submit", NULL, form, body);
    cr_expect_eq(res.status, 200, "the body's token");
    lv_http_response_free(&res);
    cr_expect_eq(handler_calls, 1);
}

/* ---- the scheme of the same-origin check ---- */

static int admit(const char *origin, const char *const *extra)
{
    const char *headers[8] = {"host", "app.example", "origin", origin};
    size_t n = 4;
    for (size_t i = 0; extra && extra[i]; i++) headers[n++] = extra[i];
    headers[n] = NULL;
    lv_http_request up = {.method = "GET", .path = "/live/websocket", .query = "vsn=2.0.0", .headers = headers,
                          .peer_addr = "127.0.0.1"};
    lv_socket_admission admission;
    return lv_socket_admit(app, &up, &admission);
}

static void proxied(lv_config *c) { c->trusted_proxies = "127.0.0.1"; }
static void untrusted(lv_config *c) { c->trusted_proxies = "10.0.0.1"; }
static void secure(lv_config *c) { c->secure_cookies = true; }

Test(hardening_scheme, plain_http_refuses_an_https_origin, .fini = teardown)
{
    start(NULL);
    cr_expect_eq(admit("http://app.example", NULL), 0);
    cr_expect_eq(admit("https://app.example", NULL), 403);
}

Test(hardening_scheme, a_trusted_proxy_says_https, .fini = teardown)
{
    start(proxied);
    const char *https[] = {"x-forwarded-proto", "https", NULL};
    cr_expect_eq(admit("https://app.example", https), 0);
    cr_expect_eq(admit("http://app.example", https), 403);
    cr_expect_eq(admit("https://app.example", NULL), 403, "no header: http");
}

Test(hardening_scheme, an_untrusted_peer_cannot_claim_https, .fini = teardown)
{
    start(untrusted);
    const char *https[] = {"x-forwarded-proto", "https", NULL};
    cr_expect_eq(admit("https://app.example", https), 403);
}

Test(hardening_scheme, secure_cookies_means_https, .fini = teardown)
{
    start(secure);
    cr_expect_eq(admit("https://app.example", NULL), 0);
    cr_expect_eq(admit("http://app.example", NULL), 403);
}
