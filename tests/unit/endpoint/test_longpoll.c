/* The long-poll transport's decisions driven through the endpoint with no
 * socket: sessions and their tokens, the held GET (a fake hold that records
 * what the server would send), the bounds on the table, the queue and the
 * body, and how a POST body splits into messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint.h"
#include "endpoint/longpoll.h"
#include "security/csrf.h"
#include "security/token.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567"

static int page_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(s, "name", "world");
    return 0;
}

static const lv_view page_view = {
    .name = "page",
    .template_text = "<p>Hello {{name}}</p>",
    .mount = page_mount,
};

static lv_app *app;
static lv_endpoint ep;

static void start(unsigned max_sessions, size_t max_outbound, size_t max_message)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.allowed_origins = NULL;
    cfg.longpoll = true;
    cfg.longpoll_max_sessions = max_sessions;
    cfg.max_outbound_bytes = max_outbound;
    cfg.max_message_bytes = max_message;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/page", &page_view), 0);
    ep = lv_app_endpoint(app);
}

static void setup(void)
{
    start(100, 4u << 20, 1u << 20);
}

static void teardown(void)
{
    lv_app_free(app);
    app = NULL;
    lv_channel_thread_cleanup();
}

TestSuite(longpoll, .init = setup, .fini = teardown);

/* ---- a fake server ---- */

typedef struct fake_hold {
    int answers;
    char body[4096];
} fake_hold;

static void fake_respond(void *handle, const lv_http_response *res)
{
    fake_hold *h = handle;
    h->answers++;
    snprintf(h->body, sizeof h->body, "%.*s", (int)res->body_len, res->body ? res->body : "");
}

static const lv_http_hold_ops fake_ops = {fake_respond};

typedef struct client {
    char cookie[1024];
    char csrf[LV_CSRF_TOKEN_LEN + 1];
    char token[512];
    char query[1024];
    const char *headers[5];
} client;

static lv_http_response serve(const char *method, const char *query, const char *const *headers,
                              const char *body, fake_hold *hold)
{
    lv_http_request req = {.method = method, .path = LV_LONGPOLL_PATH, .query = query,
                           .headers = headers, .body = body, .body_len = body ? strlen(body) : 0,
                           .peer_addr = "127.0.0.1"};
    if (hold) req.hold = (lv_http_hold){&fake_ops, hold};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, &req, &res);
    return res;
}

static char *body_of(const lv_http_response *res)
{
    return strndup(res->body ? res->body : "", res->body_len);
}

/* The client's request headers, pointing into *c (a copied client needs
 * them made again). */
static const char *const *hdrs(client *c)
{
    c->headers[0] = "cookie";
    c->headers[1] = c->cookie;
    c->headers[2] = NULL;
    return c->headers;
}

/* A visit to /page for a cookie and a CSRF token, then a session. */
static client open_client(void)
{
    client c = {0};
    lv_http_request page = {.method = "GET", .path = "/page", .peer_addr = "127.0.0.1"};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, &page, &res);
    const char *set = strstr(res.headers.data, "Set-Cookie: ") + strlen("Set-Cookie: ");
    memcpy(c.cookie, set, strcspn(set, ";\r"));
    char *html = body_of(&res);
    const char *meta = strstr(html, "csrf-token\" content=\"") + strlen("csrf-token\" content=\"");
    memcpy(c.csrf, meta, LV_CSRF_TOKEN_LEN);
    free(html);
    lv_http_response_free(&res);
    c.headers[0] = "cookie";
    c.headers[1] = c.cookie;

    snprintf(c.query, sizeof c.query, "_csrf_token=%s&vsn=2.0.0&", c.csrf);
    res = serve("GET", c.query, hdrs(&c), NULL, NULL);
    char *json = body_of(&res);
    cr_assert_eq(res.status, 200);
    cr_assert_eq(strncmp(json, "{\"status\":410,\"token\":\"", 23), 0, "%s", json);
    const char *t = json + 23;
    memcpy(c.token, t, strcspn(t, "\""));
    free(json);
    lv_http_response_free(&res);
    snprintf(c.query, sizeof c.query, "_csrf_token=%s&vsn=2.0.0&token=%s", c.csrf, c.token);
    return c;
}


static int status_of(const lv_http_response *res)
{
    int status = 0;
    char *json = body_of(res);
    sscanf(json, "{\"status\":%d", &status);
    free(json);
    return status;
}

static int post(client *c, const char *body)
{
    const char *headers[] = {"cookie", c->cookie, "content-type", "application/x-ndjson", NULL};
    lv_http_response res = serve("POST", c->query, headers, body, NULL);
    int status = status_of(&res);
    lv_http_response_free(&res);
    return status;
}

static const char heartbeat[] = "[null,\"1\",\"phoenix\",\"heartbeat\",{}]";

/* ---- sessions and the held GET ---- */

Test(longpoll, a_poll_is_held_and_answered_with_the_reply_to_a_post)
{
    client c = open_client();
    fake_hold hold = {0};
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, &hold);
    cr_assert(res.held, "an empty session holds the poll");
    lv_http_response_free(&res);
    cr_assert_eq(hold.answers, 0);

    cr_assert_eq(post(&c, heartbeat), 200);
    cr_assert_eq(hold.answers, 1);
    cr_assert_not_null(strstr(hold.body, "{\"status\":200,\"token\":\""), "%s", hold.body);
    cr_assert_not_null(strstr(hold.body, "phx_reply"), "%s", hold.body);
    cr_assert_not_null(strstr(hold.body, c.token));
}

Test(longpoll, replies_queue_while_no_poll_is_held)
{
    client c = open_client();
    fake_hold hold = {0};
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, &hold);
    void *held_ctx = res.held_ctx;
    lv_http_response_free(&res);
    ep.on_held_close(held_ctx, LV_ENDPOINT_CLOSED); /* the client went away */
    cr_assert_eq(post(&c, "[null,\"1\",\"phoenix\",\"heartbeat\",{}]\n"
                          "[null,\"2\",\"phoenix\",\"heartbeat\",{}]"),
                 200);
    cr_assert_eq(hold.answers, 0, "a closed poll is never answered");
    res = serve("GET", c.query, hdrs(&c), NULL, &hold);
    cr_assert_not(res.held);
    char *json = body_of(&res);
    cr_assert_not_null(strstr(json, "\\\"1\\\",\\\"phoenix\\\",\\\"phx_reply\\\""), "%s", json);
    cr_assert_not_null(strstr(json, "\\\"2\\\",\\\"phoenix\\\",\\\"phx_reply\\\""), "%s", json);
    free(json);
    lv_http_response_free(&res);
}

Test(longpoll, a_newer_poll_answers_the_held_one_204)
{
    client c = open_client();
    fake_hold first = {0}, second = {0};
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, &first);
    lv_http_response_free(&res);
    res = serve("GET", c.query, hdrs(&c), NULL, &second);
    cr_assert(res.held);
    lv_http_response_free(&res);
    cr_assert_eq(first.answers, 1);
    cr_assert_not_null(strstr(first.body, "{\"status\":204,"));
    cr_assert_eq(second.answers, 0);
}

Test(longpoll, stopping_ends_the_sessions_and_answers_their_polls_gone)
{
    client c = open_client();
    fake_hold hold = {0};
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, &hold);
    lv_http_response_free(&res);
    cr_assert_eq(lv_longpoll_session_count(app), 1);
    ep.stopping(ep.ctx);
    cr_assert_eq(lv_longpoll_session_count(app), 0);
    cr_assert_eq(hold.answers, 1);
    cr_assert_eq(strncmp(hold.body, "{\"status\":410,\"token\":\"", 23), 0, "%s", hold.body);
}

/* ---- tokens ---- */

Test(longpoll, forged_and_foreign_tokens_are_refused)
{
    client c = open_client();
    client forged = c;
    size_t n = strlen(forged.token);
    forged.token[n - 1] = forged.token[n - 1] == 'A' ? 'B' : 'A';
    snprintf(forged.query, sizeof forged.query, "_csrf_token=%s&vsn=2.0.0&token=%s", c.csrf,
             forged.token);
    lv_http_response res = serve("GET", forged.query, hdrs(&c), NULL, NULL);
    cr_assert_str_eq(res.body, "{\"status\":410}");
    lv_http_response_free(&res);
    cr_assert_eq(post(&forged, heartbeat), 410);

    client other = open_client();
    const char *other_cookie[] = {"cookie", other.cookie, NULL};
    res = serve("GET", c.query, other_cookie, NULL, NULL);
    cr_assert_eq(status_of(&res), 403, "a token only works with the cookie that opened it");
    lv_http_response_free(&res);
    res = serve("GET", c.query, NULL, NULL, NULL);
    cr_assert_eq(status_of(&res), 403);
    lv_http_response_free(&res);
}

Test(longpoll, a_token_of_another_purpose_is_refused)
{
    client c = open_client();
    /* A page session token is signed with another key: it names no session. */
    json_t *claims = json_pack("{ss}", "sid", "x");
    char *token = lv_token_sign(&app->session_key, claims, lv_now_seconds(), 60);
    json_decref(claims);
    snprintf(c.query, sizeof c.query, "_csrf_token=%s&vsn=2.0.0&token=%s", c.csrf, token);
    free(token);
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, NULL);
    cr_assert_eq(status_of(&res), 410);
    lv_http_response_free(&res);
}

/* ---- bounds ---- */

Test(longpoll, the_table_is_bounded)
{
    teardown();
    start(2, 4u << 20, 1u << 20);
    client a = open_client();
    open_client();
    lv_http_response res = serve("GET", "vsn=2.0.0&", hdrs(&a), NULL, NULL);
    cr_assert_str_eq(res.body, "{\"status\":500}", "full: the client retries later");
    lv_http_response_free(&res);
    cr_assert_eq(lv_longpoll_session_count(app), 2);
    ep.stopping(ep.ctx);
    open_client(); /* room again */
}

Test(longpoll, a_client_that_does_not_poll_loses_its_session_at_the_queue_limit)
{
    teardown();
    start(100, 300, 1u << 20);
    client c = open_client();
    /* Each reply is about 70 bytes once quoted: five fit, ten do not. */
    char batch[1024] = "";
    for (int i = 0; i < 10; i++) {
        char line[80];
        snprintf(line, sizeof line, "%s[null,\"%d\",\"phoenix\",\"heartbeat\",{}]", i ? "\n" : "", i);
        strcat(batch, line);
    }
    cr_assert_eq(post(&c, batch), 410, "the session ended: the client opens a new one");
    cr_assert_eq(lv_longpoll_session_count(app), 0);
    lv_http_response res = serve("GET", c.query, hdrs(&c), NULL, NULL);
    cr_assert_eq(status_of(&res), 410);
    lv_http_response_free(&res);
}

Test(longpoll, a_body_over_max_message_bytes_is_413_and_the_session_goes_on)
{
    teardown();
    start(100, 4u << 20, 64);
    client c = open_client();
    const char *headers[] = {"cookie", c.cookie, "content-type", "application/x-ndjson", NULL};
    char big[200];
    snprintf(big, sizeof big, "[null,\"1\",\"phoenix\",\"heartbeat\",{\"pad\":\"%060d\"}]", 0);
    lv_http_response res = serve("POST", c.query, headers, big, NULL);
    cr_assert_eq(res.status, 413);
    cr_assert_eq(status_of(&res), 413);
    lv_http_response_free(&res);
    cr_assert_eq(post(&c, heartbeat), 200);
}

Test(longpoll, other_methods_are_405)
{
    lv_http_response res = serve("DELETE", "vsn=2.0.0", NULL, NULL, NULL);
    cr_assert_eq(res.status, 405);
    lv_http_response_free(&res);
}

Test(longpoll, it_can_be_turned_off)
{
    teardown();
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.longpoll = false;
    app = lv_app_new(&cfg);
    ep = lv_app_endpoint(app);
    lv_http_response res = serve("GET", "vsn=2.0.0", NULL, NULL, NULL);
    cr_assert_eq(res.status, 404);
    lv_http_response_free(&res);
}

/* ---- the POST body ---- */

static int split(const char *body, bool ndjson, const char **starts, size_t *lens, const char **error)
{
    return lv_longpoll_split(body, strlen(body), ndjson, starts, lens, LV_LONGPOLL_MAX_BATCH, error);
}

Test(longpoll, ndjson_splits_on_lf_and_crlf_and_ignores_a_final_newline)
{
    const char *starts[LV_LONGPOLL_MAX_BATCH];
    size_t lens[LV_LONGPOLL_MAX_BATCH];
    const char *error = NULL;
    cr_assert_eq(split("[1]\n[2,3]\r\n[4]\n", true, starts, lens, &error), 3);
    cr_assert_eq(lens[0], 3);
    cr_assert_eq(strncmp(starts[1], "[2,3]", lens[1]), 0);
    cr_assert_eq(lens[1], 5);
    cr_assert_eq(strncmp(starts[2], "[4]", lens[2]), 0);
    cr_assert_eq(split("[1]", false, starts, lens, &error), 1);
    /* A base64 line is a binary frame (an upload chunk), in x-ndjson only. */
    cr_assert_eq(split("[1]\nAAECAw==\n", true, starts, lens, &error), 2);
    cr_assert_eq(strncmp(starts[1], "AAECAw==", lens[1]), 0);
    cr_assert_eq(split("AAECAw==", false, starts, lens, &error), -1);
}

Test(longpoll, bodies_that_are_no_messages_are_refused_with_a_reason)
{
    const char *starts[LV_LONGPOLL_MAX_BATCH];
    size_t lens[LV_LONGPOLL_MAX_BATCH];
    const char *cases[] = {"", "\n", "not json", "{\"a\":1}", "[1]\n\n[2]", "[1]\nAA*A", "[1", "[1]\nAAA"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *error = NULL;
        cr_expect_eq(split(cases[i], true, starts, lens, &error), -1, "case %zu", i);
        cr_expect_not_null(error, "case %zu", i);
    }
    const char *error = NULL;
    cr_expect_eq(split("{}", false, starts, lens, &error), -1);
}

Test(longpoll, a_batch_holds_at_most_100_messages)
{
    static char body[101 * 4 + 1];
    size_t n = 0;
    for (int i = 0; i < 101; i++) n += (size_t)sprintf(body + n, "%s[%d]", i ? "\n" : "", i % 10);
    const char *starts[LV_LONGPOLL_MAX_BATCH];
    size_t lens[LV_LONGPOLL_MAX_BATCH];
    const char *error = NULL;
    cr_assert_eq(split(body, true, starts, lens, &error), -1);
    body[n - 4] = '\0'; /* 100 of them */
    cr_assert_eq(split(body, true, starts, lens, &error), 100);
}
