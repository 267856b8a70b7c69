/* The page: query decoding, the dead render, join verification, and the
 * params and assigns API the view callbacks see. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "support/page.h"
#include "security/csrf.h"
#include "security/token.h"
#include "util/buf.h"
#include "util/value_json.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567" /* 40 bytes */

/* ---- the app and a test view ---- */

static int mount_calls;

static int page_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)session;
    mount_calls++;
    cr_expect_not(lv_connected(s), "the HTTP render mounts disconnected");
    const char *name = lv_param(params, "name");
    lv_assign_str(s, "name", name ? name : "world");
    return 0;
}

static const lv_view page_view = {
    .name = "page",
    .template_text = "<p class=\"greeting\">Hello {{name}}</p>",
    .mount = page_mount,
};

static int failing_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)s;
    (void)params;
    (void)session;
    return -1;
}

static const lv_view failing_view = {
    .name = "failing",
    .template_text = "<p>{{x}}</p>",
    .mount = failing_mount,
};

static int ok_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "x", 1);
    return 0;
}

static int failing_params(lv_socket *s, const lv_params *params, const char *url)
{
    (void)s;
    (void)params;
    (void)url;
    return -1;
}

static const lv_view failing_params_view = {
    .name = "failing_params",
    .template_text = "<p>{{x}}</p>",
    .mount = ok_mount,
    .handle_params = failing_params,
};

typedef struct { int a; double b; } state_t;

static const lv_view state_view = {
    .name = "state",
    .template_text = "<p>{{x}}</p>",
    .state_size = sizeof(state_t),
    .mount = ok_mount,
};

static lv_app *app;

static void setup(void)
{
    mount_calls = 0;
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/page", &page_view), 0);
    cr_assert_eq(lv_route(app, "/failing", &failing_view), 0);
    cr_assert_eq(lv_route(app, "/failing_params", &failing_params_view), 0);
    cr_assert_eq(lv_route(app, "/state", &state_view), 0);
}

static void teardown(void)
{
    lv_app_free(app);
    app = NULL;
}

static const lv_route_entry *route(const char *path)
{
    const lv_route_entry *r = lv_app_find_route(app, path, strlen(path));
    cr_assert_not_null(r, "no route %s", path);
    return r;
}

static char *attr_after(const char *html, const char *after)
{
    const char *p = strstr(html, after);
    if (!p) return NULL;
    p += strlen(after);
    const char *end = strchr(p, '"');
    cr_assert_not_null(end);
    return strndup(p, (size_t)(end - p));
}

typedef struct page {
    char *html;
    char *csrf;
    char *id;
    char *session;
    char topic[64];
} page;

static page render(const char *path, const char *q)
{
    lv_buf out = LV_BUF_INIT;
    cr_assert_eq(lv_test_page_render(app, route(path), q, &out), 200);
    page p = {0};
    p.html = lv_buf_take(&out);
    p.csrf = attr_after(p.html, "<meta name=\"csrf-token\" content=\"");
    p.id = attr_after(p.html, "<div id=\"");
    p.session = attr_after(p.html, "data-phx-session=\"");
    cr_assert(p.csrf && p.id && p.session);
    snprintf(p.topic, sizeof p.topic, "lv:%s", p.id);
    return p;
}

static void free_page(page *p)
{
    free(p->html);
    free(p->csrf);
    free(p->id);
    free(p->session);
}

TestSuite(page, .init = setup, .fini = teardown);

Test(page, render_has_csrf_meta_with_a_56_char_token)
{
    page p = render("/page", NULL);
    cr_expect_not_null(strstr(p.html, "<meta name=\"csrf-token\" content=\""));
    cr_expect_eq(strlen(p.csrf), LV_CSRF_TOKEN_LEN);
    cr_expect_eq(strlen(p.csrf), 56);
    cr_expect_eq(strspn(p.csrf, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                 56);
    free_page(&p);
}

Test(page, render_has_the_live_container_and_the_view_html)
{
    page p = render("/page", NULL);
    cr_expect_eq(strncmp(p.id, "phx-", 4), 0);
    cr_expect_eq(strlen(p.id), LV_ID_LEN);
    cr_expect_not_null(strstr(p.html, "data-phx-main"));
    cr_expect_not_null(strstr(p.html, "data-phx-session=\""));
    cr_expect_not_null(strstr(p.html, "data-phx-static=\"\""));
    cr_expect_not_null(strstr(p.html, "<p class=\"greeting\">Hello world</p>"));
    cr_expect_eq(strncmp(p.html, "<!DOCTYPE html>", 15), 0);
    cr_expect_eq(mount_calls, 1);
    /* The session token has three segments. */
    char *dot1 = strchr(p.session, '.');
    cr_assert_not_null(dot1);
    char *dot2 = strchr(dot1 + 1, '.');
    cr_assert_not_null(dot2);
    cr_expect_null(strchr(dot2 + 1, '.'));
    free_page(&p);
}

Test(page, query_reaches_mount_and_is_escaped_in_the_html)
{
    page p = render("/page", "name=%3Cscript%3E&x=1");
    cr_expect_not_null(strstr(p.html, "Hello &lt;script&gt;</p>"));
    cr_expect_null(strstr(p.html, "<script>"));
    free_page(&p);
}

Test(page, every_render_has_fresh_ids_and_tokens)
{
    page a = render("/page", NULL), b = render("/page", NULL);
    cr_expect_str_neq(a.id, b.id);
    cr_expect_str_neq(a.csrf, b.csrf);
    cr_expect_str_neq(a.session, b.session);
    free_page(&a);
    free_page(&b);
}

Test(page, mount_failure_renders_a_500_without_tokens)
{
    lv_buf out = LV_BUF_INIT;
    cr_expect_eq(lv_test_page_render(app, route("/failing"), NULL, &out), 500);
    cr_assert_not_null(out.data);
    cr_expect_null(strstr(out.data, "data-phx-session"));
    cr_expect_null(strstr(out.data, "csrf-token"));
    cr_expect_not_null(strstr(out.data, "could not be rendered"));
    lv_buf_free(&out);
}

Test(page, handle_params_failure_renders_a_500)
{
    lv_buf out = LV_BUF_INIT;
    cr_expect_eq(lv_test_page_render(app, route("/failing_params"), "a=1", &out), 500);
    cr_expect_null(strstr(out.data, "data-phx-session"));
    lv_buf_free(&out);
}

/* ---- lv_join_verify ---- */

static int verify(const char *topic, const char *session, const char *csrf, const char **why)
{
    lv_join_claims c;
    *why = NULL;
    int rc = lv_join_verify(app, topic, session, csrf, NULL, &c, why);
    if (rc != 0) {
        cr_expect_null(c.claims, "no claims on failure");
        cr_expect_not_null(*why, "a refusal says why");
    } else {
        lv_join_claims_free(&c);
    }
    return rc;
}

Test(page, join_verify_accepts_the_page_tokens)
{
    page p = render("/page", NULL);
    lv_join_claims c;
    const char *why = NULL;
    cr_assert_eq(lv_join_verify(app, p.topic, p.session, p.csrf, NULL, &c, &why), 0);
    cr_expect_str_eq(c.id, p.id);
    cr_expect_str_eq(c.route_path, "/page");
    cr_expect_eq(strlen(c.csrf_state), LV_CSRF_STATE_LEN);
    cr_expect_eq(c.session.kind, LV_VALUE_MAP);
    lv_join_claims_free(&c);
    cr_expect_null(c.claims);
    free_page(&p);
}

Test(page, join_verify_refuses_missing_tokens)
{
    page p = render("/page", NULL);
    const char *why;
    cr_expect_eq(verify(p.topic, NULL, p.csrf, &why), -1);
    cr_expect_eq(verify(p.topic, p.session, NULL, &why), -1);
    cr_expect_eq(verify(p.topic, "", p.csrf, &why), -1);
    cr_expect_eq(verify(p.topic, p.session, "", &why), -1);
    free_page(&p);
}

Test(page, join_verify_refuses_a_tampered_session)
{
    page p = render("/page", NULL);
    const char *why;
    size_t len = strlen(p.session);
    /* Flip a character in each of the three segments in turn. */
    size_t positions[] = {3, (size_t)(strchr(p.session, '.') - p.session) + 4, len - 8};
    for (size_t i = 0; i < 3; i++) {
        char saved = p.session[positions[i]];
        p.session[positions[i]] = saved == 'A' ? 'B' : 'A';
        cr_expect_eq(verify(p.topic, p.session, p.csrf, &why), -1, "flip at %zu", positions[i]);
        p.session[positions[i]] = saved;
    }
    /* Truncated and extended. */
    char *copy = strdup(p.session);
    copy[len - 1] = '\0';
    cr_expect_eq(verify(p.topic, copy, p.csrf, &why), -1);
    free(copy);
    copy = malloc(len + 2);
    snprintf(copy, len + 2, "%sA", p.session);
    cr_expect_eq(verify(p.topic, copy, p.csrf, &why), -1);
    free(copy);
    /* Untouched, it still verifies. */
    cr_expect_eq(verify(p.topic, p.session, p.csrf, &why), 0);
    free_page(&p);
}

Test(page, join_verify_refuses_another_topic)
{
    page a = render("/page", NULL), b = render("/page", NULL);
    const char *why;
    cr_expect_eq(verify(b.topic, a.session, a.csrf, &why), -1);
    cr_expect_eq(verify(a.id, a.session, a.csrf, &why), -1, "topic without lv:");
    char longer[80];
    snprintf(longer, sizeof longer, "%sx", a.topic);
    cr_expect_eq(verify(longer, a.session, a.csrf, &why), -1);
    cr_expect_eq(verify("lv:", a.session, a.csrf, &why), -1);
    free_page(&a);
    free_page(&b);
}

Test(page, join_verify_refuses_a_wrong_csrf_token)
{
    page a = render("/page", NULL), b = render("/page", NULL);
    const char *why;
    cr_expect_eq(verify(a.topic, a.session, b.csrf, &why), -1);
    char bad[LV_CSRF_TOKEN_LEN + 1];
    snprintf(bad, sizeof bad, "%s", a.csrf);
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    cr_expect_eq(verify(a.topic, a.session, bad, &why), -1);
    bad[LV_CSRF_TOKEN_LEN - 1] = '\0';
    cr_expect_eq(verify(a.topic, a.session, bad, &why), -1);
    free_page(&a);
    free_page(&b);
}

Test(page, join_verify_refuses_expired_and_incomplete_claims)
{
    const char *why;
    char state[LV_CSRF_STATE_LEN + 1], csrf[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_mask(state, csrf);
    json_t *claims = json_pack("{s:s, s:s, s:s, s:{}}", "id", "phx-x", "route", "/page", "csrf",
                               state, "session");
    char *fresh = lv_token_sign(&app->session_key, claims, lv_now_seconds(), 60);
    char *old = lv_token_sign(&app->session_key, claims, lv_now_seconds() - 120, 60);
    cr_expect_eq(verify("lv:phx-x", fresh, csrf, &why), 0);
    cr_expect_eq(verify("lv:phx-x", old, csrf, &why), -1);
    free(fresh);
    free(old);

    /* Each claim missing or of the wrong type in turn. */
    const char *keys[] = {"id", "route", "csrf", "session"};
    for (size_t i = 0; i < 4; i++) {
        json_t *c = json_deep_copy(claims);
        json_object_del(c, keys[i]);
        char *t = lv_token_sign(&app->session_key, c, lv_now_seconds(), 60);
        cr_expect_eq(verify("lv:phx-x", t, csrf, &why), -1, "without %s", keys[i]);
        free(t);
        json_object_set_new(c, keys[i], json_integer(1));
        t = lv_token_sign(&app->session_key, c, lv_now_seconds(), 60);
        cr_expect_eq(verify("lv:phx-x", t, csrf, &why), -1, "%s as a number", keys[i]);
        free(t);
        json_decref(c);
    }

    /* Signed with another purpose's key. */
    lv_key other;
    lv_key_derive(&other, (const uint8_t *)SECRET, strlen(SECRET), "static");
    char *t = lv_token_sign(&other, claims, lv_now_seconds(), 60);
    cr_expect_eq(verify("lv:phx-x", t, csrf, &why), -1);
    free(t);
    json_decref(claims);
}

Test(page, tokens_of_an_app_with_another_secret_are_refused)
{
    page p = render("/page", NULL);
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "another secret key base, also 40 bytes..";
    lv_app *other = lv_app_new(&cfg);
    cr_assert_not_null(other);
    lv_join_claims c;
    const char *why = NULL;
    cr_expect_eq(lv_join_verify(other, p.topic, p.session, p.csrf, NULL, &c, &why), -1);
    cr_expect_not_null(why);
    lv_app_free(other);
    free_page(&p);
}

/* ---- params ---- */

/* The map of a JSON object text, as a client message's would be. */
static lv_value parse(const char *json)
{
    lv_value v;
    cr_assert_eq(lv_value_parse_json(json, strlen(json), LV_JSON_MAX_DEPTH, &v), LV_JSON_OK, "%s", json);
    return v;
}

Test(params, scalars_read_as_text)
{
    lv_value obj = parse("{\"s\":\"txt\",\"i\":42,\"neg\":-7,\"r\":1.5,\"t\":true,\"f\":false,"
                         "\"n\":null,\"o\":{},\"a\":[1]}");
    lv_params p = lv_params_of(&obj);
    cr_expect_str_eq(lv_param(&p, "s"), "txt");
    cr_expect_str_eq(lv_param(&p, "i"), "42");
    cr_expect_str_eq(lv_param(&p, "neg"), "-7");
    cr_expect_str_eq(lv_param(&p, "r"), "1.5");
    cr_expect_str_eq(lv_param(&p, "t"), "true");
    cr_expect_str_eq(lv_param(&p, "f"), "false");
    cr_expect_null(lv_param(&p, "n"));
    cr_expect_null(lv_param(&p, "o"));
    cr_expect_null(lv_param(&p, "a"));
    cr_expect_null(lv_param(&p, "missing"));
    cr_expect_null(lv_param(NULL, "s"));
    lv_params empty = lv_params_of(NULL);
    cr_expect_null(lv_param(&empty, "s"));
    lv_params_release(&p);
    lv_value_free(&obj);
}

Test(params, param_int_converts_whole_numbers_only)
{
    lv_value obj = parse(
        "{\"i\":42,\"s\":\"12\",\"neg\":\"-3\",\"bad\":\"12x\",\"empty\":\"\",\"word\":\"abc\","
        "\"whole\":3.0,\"frac\":3.5,\"huge\":1e300,\"t\":true,\"n\":null,\"o\":{},"
        "\"max\":9223372036854775807,\"maxs\":\"9223372036854775807\","
        "\"min\":-9223372036854775808,\"big\":1e19}");
    lv_params p = lv_params_of(&obj);
    cr_expect_eq(lv_param_int(&p, "i", -1), 42);
    cr_expect_eq(lv_param_int(&p, "s", -1), 12);
    cr_expect_eq(lv_param_int(&p, "neg", -1), -3);
    cr_expect_eq(lv_param_int(&p, "bad", -1), -1);
    cr_expect_eq(lv_param_int(&p, "empty", -1), -1);
    cr_expect_eq(lv_param_int(&p, "word", -1), -1);
    cr_expect_eq(lv_param_int(&p, "whole", -1), 3);
    cr_expect_eq(lv_param_int(&p, "frac", -1), -1);
    cr_expect_eq(lv_param_int(&p, "huge", -1), -1);
    cr_expect_eq(lv_param_int(&p, "big", -1), -1);
    cr_expect_eq(lv_param_int(&p, "t", -1), -1);
    cr_expect_eq(lv_param_int(&p, "n", -1), -1);
    cr_expect_eq(lv_param_int(&p, "o", -1), -1);
    cr_expect_eq(lv_param_int(&p, "missing", 77), 77);
    cr_expect_eq(lv_param_int(&p, "max", -1), INT64_MAX);
    cr_expect_eq(lv_param_int(&p, "maxs", -1), INT64_MAX);
    cr_expect_eq(lv_param_int(&p, "min", -1), INT64_MIN);
    cr_expect_eq(lv_param_int(NULL, "i", 5), 5);
    lv_params_release(&p);
    lv_value_free(&obj);
}

Test(params, count_counts_keys)
{
    lv_value obj = parse("{\"a\":1,\"b\":\"x\",\"c\":null}");
    lv_params p = lv_params_of(&obj);
    cr_expect_eq(lv_params_count(&p), 3);
    cr_expect_eq(lv_params_count(NULL), 0);
    lv_params empty = lv_params_of(NULL);
    cr_expect_eq(lv_params_count(&empty), 0);
    lv_value_free(&obj);
    lv_value none = lv_value_map();
    lv_params q = lv_params_of(&none);
    cr_expect_eq(lv_params_count(&q), 0);
}

/* ---- assigns and the socket ---- */

TestSuite(socket, .init = setup, .fini = teardown);

Test(socket, getters_return_zero_values_for_missing_assigns)
{
    lv_socket *s = lv_socket_new(app, route("/page"), false, NULL);
    cr_expect_eq(lv_get_int(s, "nope"), 0);
    cr_expect_eq(lv_get_double(s, "nope"), 0.0);
    cr_expect_eq(lv_get_bool(s, "nope"), false);
    cr_expect_null(lv_get_str(s, "nope"));
    lv_socket_free(s);
}

Test(socket, getters_return_zero_values_for_other_types)
{
    lv_socket *s = lv_socket_new(app, route("/page"), false, NULL);
    lv_assign_int(s, "i", 7);
    lv_assign_double(s, "d", 2.5);
    lv_assign_bool(s, "b", true);
    lv_assign_str(s, "s", "text");

    cr_expect_eq(lv_get_int(s, "i"), 7);
    cr_expect_eq(lv_get_double(s, "i"), 7.0, "an int reads as a double");
    cr_expect_eq(lv_get_bool(s, "i"), false);
    cr_expect_null(lv_get_str(s, "i"));

    cr_expect_eq(lv_get_double(s, "d"), 2.5);
    cr_expect_eq(lv_get_int(s, "d"), 0);
    cr_expect_eq(lv_get_bool(s, "d"), false);
    cr_expect_null(lv_get_str(s, "d"));

    cr_expect_eq(lv_get_bool(s, "b"), true);
    cr_expect_eq(lv_get_int(s, "b"), 0);
    cr_expect_eq(lv_get_double(s, "b"), 0.0);
    cr_expect_null(lv_get_str(s, "b"));

    cr_expect_str_eq(lv_get_str(s, "s"), "text");
    cr_expect_eq(lv_get_int(s, "s"), 0);
    cr_expect_eq(lv_get_double(s, "s"), 0.0);
    cr_expect_eq(lv_get_bool(s, "s"), false);
    lv_socket_free(s);
}

Test(socket, assigns_can_change_type_and_value)
{
    lv_socket *s = lv_socket_new(app, route("/page"), false, NULL);
    lv_assign_int(s, "x", 1);
    lv_assign_str(s, "x", "now text");
    cr_expect_str_eq(lv_get_str(s, "x"), "now text");
    cr_expect_eq(lv_get_int(s, "x"), 0);
    lv_assign_str(s, "x", NULL);
    cr_expect_str_eq(lv_get_str(s, "x"), "");
    lv_assign_printf(s, "x", "%d-%s", 5, "five");
    cr_expect_str_eq(lv_get_str(s, "x"), "5-five");
    lv_assign_bool(s, "x", false);
    cr_expect_eq(lv_get_bool(s, "x"), false);
    cr_expect_null(lv_get_str(s, "x"));
    lv_assign_int(s, "big", INT64_MIN);
    cr_expect_eq(lv_get_int(s, "big"), INT64_MIN);
    lv_socket_free(s);
}

Test(socket, id_state_and_connected)
{
    lv_socket *s = lv_socket_new(app, route("/state"), true, "phx-given");
    cr_expect_str_eq(lv_socket_id(s), "phx-given");
    cr_expect(lv_connected(s));
    cr_expect_eq(lv_socket_app(s), app);
    state_t *st = lv_state(s);
    cr_assert_not_null(st);
    cr_expect_eq(st->a, 0);
    cr_expect_eq(st->b, 0.0);
    lv_socket_free(s);

    s = lv_socket_new(app, route("/page"), false, NULL);
    cr_expect_null(lv_state(s));
    cr_expect_not(lv_connected(s));
    cr_expect_eq(strlen(lv_socket_id(s)), LV_ID_LEN);
    cr_expect_eq(strncmp(lv_socket_id(s), "phx-", 4), 0);
    lv_socket_free(s);
}

Test(socket, send_info_accepts_maps_only_copies_them_and_queues_in_order)
{
    lv_socket *s = lv_socket_new(app, route("/page"), true, NULL);
    cr_expect_eq(lv_send_info(s, "a", NULL), 0);
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "x", 1);
    cr_expect_eq(lv_send_info(s, "b", payload), 0);
    lv_map_set_int(payload, "x", 2); /* borrowed and copied: later changes do not reach the info */
    lv_value_delete(payload);
    lv_value *list = lv_list_new(), *text = lv_value_new_str("{}"), *null = lv_value_new_null();
    cr_expect_eq(lv_send_info(s, "c", list), -1);
    cr_expect_eq(lv_send_info(s, "c", text), -1);
    cr_expect_eq(lv_send_info(s, "c", null), -1);
    lv_value_delete(list);
    lv_value_delete(text);
    lv_value_delete(null);
    lv_info *i = lv_socket_next_info(s);
    cr_assert_not_null(i);
    cr_expect_str_eq(i->name, "a");
    cr_expect_eq(lv_value_kind_of(&i->payload), LV_VALUE_MAP);
    cr_expect_eq(lv_map_len(&i->payload), 0);
    lv_info_free(i);
    i = lv_socket_next_info(s);
    cr_assert_not_null(i);
    cr_expect_str_eq(i->name, "b");
    cr_expect_eq(lv_value_int_of(lv_map_get(&i->payload, "x")), 1);
    lv_info_free(i);
    cr_expect_null(lv_socket_next_info(s));
    /* Infos still queued are freed with the socket. */
    lv_send_info(s, "left", NULL);
    lv_socket_free(s);
}
