/* The channel state machine (docs/protocol.md §1.3-1.7, §3, §5, §9), driven with
 * a fake send callback that records every frame. A real app renders a page
 * to get genuine session and CSRF tokens. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"
#include "live/live.h"
#include "support/page.h"
#include "security/csrf.h"
#include "security/token.h"
#include "util/buf.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567" /* 40 bytes */

/* ---- the test view ---- */

static int terminate_calls;
static lv_terminate_reason last_reason;
static int event_calls;
static int info_calls;

static int counter_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    return 0;
}

static size_t last_value_count;
static bool last_value_had_csrf;

static int counter_event(lv_socket *s, const char *event, const lv_params *value)
{
    event_calls++;
    last_value_count = lv_params_count(value);
    last_value_had_csrf = lv_param(value, "_csrf_token") != NULL;
    if (strcmp(event, "fail") == 0) return -1;
    if (strcmp(event, "inc") == 0) {
        lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(value, "by", 1));
        const char *notify = lv_param(value, "notify");
        if (notify) {
            lv_value *payload = lv_map_new();
            lv_map_set_int(payload, "add", 10);
            lv_send_info(s, notify, payload);
            lv_value_delete(payload);
        }
    }
    return 0;
}

static int counter_info(lv_socket *s, const char *name, const lv_params *payload)
{
    info_calls++;
    if (strcmp(name, "bump") == 0)
        lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(payload, "add", 0));
    return 0;
}

static void counter_terminate(lv_socket *s, lv_terminate_reason reason)
{
    (void)s;
    terminate_calls++;
    last_reason = reason;
}

static const lv_view counter_view = {
    .name = "counter",
    .template_text = "<b>{{count}}</b>",
    .events = (const char *const[]){"inc", "fail", NULL},
    .mount = counter_mount,
    .handle_event = counter_event,
    .handle_info = counter_info,
    .terminate = counter_terminate,
};

/* Records what lv_connect_params and lv_connect_info give each callback. */
static char connect_seen[512];

static void record_connect(lv_socket *s, const char *where)
{
    const lv_params *cp = lv_connect_params(s);
    const char *ua = lv_connect_info(s, "user_agent");
    size_t used = strlen(connect_seen);
    snprintf(connect_seen + used, sizeof connect_seen - used,
             "%s:%s params=%zu tz=%s csrf=%s mounts=%s peer=%s client=%s ua=%s other=%s;", where,
             lv_connected(s) ? "connected" : "http", cp ? lv_params_count(cp) : 0,
             cp ? lv_param(cp, "timezone") : "-", cp && lv_param(cp, "_csrf_token") ? "yes" : "no",
             cp && lv_param(cp, "_mounts") ? "yes" : "no", lv_connect_info(s, "peer_address") ?: "-",
             lv_connect_info(s, "client_address") ?: "-", ua ?: "-",
             lv_connect_info(s, "peer_port") ?: "-");
}

static int connect_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    record_connect(s, "mount");
    lv_assign_int(s, "count", 0);
    return 0;
}

static int connect_handle_params(lv_socket *s, const lv_params *params, const char *url)
{
    (void)params;
    (void)url;
    if (lv_connected(s)) record_connect(s, "params");
    return 0;
}

static int connect_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    record_connect(s, "event");
    return 0;
}

static const lv_view connect_view = {
    .name = "connect",
    .template_text = "<b>{{count}}</b>",
    .events = (const char *const[]){"look", NULL},
    .mount = connect_mount,
    .handle_params = connect_handle_params,
    .handle_event = connect_event,
};

/* Mounts fine over HTTP, refuses the connected mount. */
static int crash_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    return lv_connected(s) ? -1 : 0;
}

static const lv_view crash_view = {
    .name = "crash",
    .template_text = "<i>{{count}}</i>",
    .mount = crash_mount,
    .terminate = counter_terminate,
};

/* A view that reads its params deeply and answers a hook: what it read is
 * copied here for the tests to check after the callback. */
static char nested_seen[256];

static int nested_event(lv_socket *s, const char *event, const lv_params *value)
{
    if (strcmp(event, "save") == 0) {
        /* Strings stay valid while the params live, numbers included: read
         * two numbers, then check the first text again. */
        const char *n = lv_param(value, "n");
        const char *k = lv_param(value, "k");
        const char *sku = lv_param_path(value, "order[lines][0][sku]");
        snprintf(nested_seen, sizeof nested_seen, "n=%s k=%s n=%s sku=%s note=%s target=%s lines=%zu",
                 n ? n : "-", k ? k : "-", n ? n : "-", sku ? sku : "-",
                 lv_param_path(value, "order[note]") ? lv_param_path(value, "order[note]") : "-",
                 lv_param(value, "_target") ? lv_param(value, "_target") : "-",
                 lv_params_len(value, "order[lines]"));
        return 0;
    }
    /* "hook": a pushed event and a reply, both from maps. */
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "at", lv_param_int(value, "at", 0));
    lv_map_set_str(payload, "tag", "<b>");
    lv_map_set_double(payload, "x", 0.5);
    int rc = lv_push_event(s, "moved", payload);
    lv_value *points = lv_list_new();
    lv_list_push_int(points, 1);
    lv_list_push_int(points, 2);
    lv_value *reply = lv_map_new();
    lv_map_set(reply, "points", points);
    if (rc == 0) rc = lv_reply(s, reply);
    lv_value_delete(payload);
    lv_value_delete(reply);
    return rc;
}

static const lv_view nested_view = {
    .name = "nested",
    .template_text = "<b>{{count}}</b>",
    .events = (const char *const[]){"save", "hook", NULL},
    .mount = counter_mount,
    .handle_event = nested_event,
};

/* ---- fixture: the app, the channel and the recorded frames ---- */

static lv_app *app;
static lv_channel ch;
static char **frames;
static size_t frame_count;

static void record(void *ctx, const char *data, size_t len)
{
    cr_assert_eq(ctx, &frame_count, "the send context is passed through");
    frames = realloc(frames, (frame_count + 1) * sizeof *frames);
    frames[frame_count] = malloc(len + 1);
    memcpy(frames[frame_count], data, len);
    frames[frame_count][len] = '\0';
    frame_count++;
}

static void clear_frames(void)
{
    for (size_t i = 0; i < frame_count; i++) free(frames[i]);
    free(frames);
    frames = NULL;
    frame_count = 0;
}

static void make_app(unsigned max_views)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    if (max_views) cfg.max_views_per_connection = max_views;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/c", &counter_view), 0);
    cr_assert_eq(lv_route(app, "/crash", &crash_view), 0);
    cr_assert_eq(lv_route(app, "/nested", &nested_view), 0);
    cr_assert_eq(lv_route(app, "/connect", &connect_view), 0);
    lv_channel_init(&ch, app, record, &frame_count);
}

static void setup(void)
{
    terminate_calls = event_calls = info_calls = 0;
    last_reason = (lv_terminate_reason)-1;
    make_app(0);
}

static void teardown(void)
{
    lv_channel_close(&ch, LV_TERMINATE_CLOSED);
    clear_frames();
    lv_app_free(app);
    app = NULL;
    lv_channel_thread_cleanup();
}

TestSuite(channel, .init = setup, .fini = teardown);

/* ---- pages and tokens ---- */

typedef struct page {
    char id[64];
    char topic[80];
    char csrf[LV_CSRF_TOKEN_LEN + 1];
    char *session;
} page;

/* Copies the text between `after` and the next quote. */
static char *attr_after(const char *html, const char *after)
{
    const char *p = strstr(html, after);
    cr_assert_not_null(p, "page lacks %s", after);
    p += strlen(after);
    const char *end = strchr(p, '"');
    cr_assert_not_null(end);
    return strndup(p, (size_t)(end - p));
}

static page render_page(const char *path)
{
    const lv_route_entry *route = lv_app_find_route(app, path, strlen(path));
    cr_assert_not_null(route);
    lv_buf html = LV_BUF_INIT;
    cr_assert_eq(lv_test_page_render(app, route, NULL, &html), 200);
    page p;
    memset(&p, 0, sizeof p);
    char *csrf = attr_after(html.data, "<meta name=\"csrf-token\" content=\"");
    char *id = attr_after(html.data, "<div id=\"");
    cr_assert_eq(strlen(csrf), LV_CSRF_TOKEN_LEN);
    cr_assert_eq(strncmp(id, "phx-", 4), 0);
    snprintf(p.csrf, sizeof p.csrf, "%s", csrf);
    snprintf(p.id, sizeof p.id, "%s", id);
    snprintf(p.topic, sizeof p.topic, "lv:%s", id);
    p.session = attr_after(html.data, "data-phx-session=\"");
    free(csrf);
    free(id);
    lv_buf_free(&html);
    return p;
}

static void free_page(page *p)
{
    free(p->session);
    p->session = NULL;
}

static void send_text(const char *text)
{
    lv_channel_handle_text(&ch, text, strlen(text));
}

static void sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sendf(const char *fmt, ...)
{
    lv_buf b = LV_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    lv_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    lv_channel_handle_text(&ch, b.data, b.len);
    lv_buf_free(&b);
}

/* Sends a join of `topic` with the given tokens (NULL leaves them out). */
static void join_with(const char *join_ref, const char *topic, const char *session,
                      const char *csrf)
{
    lv_buf b = LV_BUF_INIT;
    /* No url: the view is the one the session token names. */
    lv_buf_printf(&b, "[\"%s\",\"%s\",\"%s\",\"phx_join\",{"
                      "\"params\":{",
                  join_ref, join_ref, topic);
    if (csrf) lv_buf_printf(&b, "\"_csrf_token\":\"%s\",", csrf);
    lv_buf_puts(&b, "\"_mounts\":0,\"_mount_attempts\":0}");
    if (session) lv_buf_printf(&b, ",\"session\":\"%s\"", session);
    lv_buf_puts(&b, ",\"static\":null,\"sticky\":false}]");
    lv_channel_handle_text(&ch, b.data, b.len);
    lv_buf_free(&b);
}

static void join(const char *join_ref, const page *p)
{
    join_with(join_ref, p->topic, p->session, p->csrf);
}

/* Checks frame i byte for byte against a printf-built string. */
static void expect_frame(size_t i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect_frame(size_t i, const char *fmt, ...)
{
    cr_assert_lt(i, frame_count, "frame %zu missing (only %zu)", i, frame_count);
    lv_buf b = LV_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    lv_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    cr_expect_str_eq(frames[i], b.data);
    lv_buf_free(&b);
}

static void expect_ok_join(size_t i, const char *join_ref, const char *topic)
{
    expect_frame(i,
                 "[\"%s\",\"%s\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                 "{\"rendered\":{\"0\":\"0\",\"s\":[\"\\u003cb\\u003e\",\"\\u003c/b\\u003e\"]},"
                 "\"liveview_version\":\"1.2.12\"}}]",
                 join_ref, join_ref, topic);
}

static void expect_error(size_t i, const char *join_ref, const char *ref, const char *topic,
                         const char *reason)
{
    char jr[64];
    if (join_ref)
        snprintf(jr, sizeof jr, "\"%s\"", join_ref);
    else
        snprintf(jr, sizeof jr, "null");
    expect_frame(i,
                 "[%s,\"%s\",\"%s\",\"phx_reply\",{\"status\":\"error\",\"response\":"
                 "{\"reason\":\"%s\"}}]",
                 jr, ref, topic, reason);
}

/* Parses frame i as JSON; the caller decrefs. */
static json_t *parse_frame(size_t i)
{
    cr_assert_lt(i, frame_count);
    json_t *v = json_loads(frames[i], 0, NULL);
    cr_assert(json_is_array(v) && json_array_size(v) == 5, "frame %zu: %s", i, frames[i]);
    return v;
}

static page joined_page(const char *join_ref)
{
    page p = render_page("/c");
    join(join_ref, &p);
    cr_assert_eq(frame_count, 1);
    expect_ok_join(0, join_ref, p.topic);
    clear_frames();
    return p;
}

/* ---- joins ---- */

Test(channel, join_replies_ok_with_the_full_render_and_client_version)
{
    page p = render_page("/c");
    join("4", &p);
    cr_assert_eq(frame_count, 1);
    expect_ok_join(0, "4", p.topic);
    cr_expect_eq(ch.view_count, 1);
    free_page(&p);
}

Test(channel, join_with_null_join_ref_uses_its_ref)
{
    page p = render_page("/c");
    sendf("[null,\"6\",\"%s\",\"phx_join\",{\"params\":{\"_csrf_token\":\"%s\"},\"session\":\"%s\"}]",
          p.topic, p.csrf, p.session);
    cr_assert_eq(frame_count, 1);
    expect_ok_join(0, "6", p.topic);
    clear_frames();
    sendf("[\"6\",\"7\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_frame(0, "[\"6\",\"7\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    free_page(&p);
}

Test(channel, join_without_any_ref_is_refused)
{
    page p = render_page("/c");
    sendf("[null,null,\"%s\",\"phx_join\",{\"params\":{\"_csrf_token\":\"%s\"},\"session\":\"%s\"}]",
          p.topic, p.csrf, p.session);
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[null,null,\"%s\",\"phx_reply\",{\"status\":\"error\",\"response\":"
                    "{\"reason\":\"join without a ref\"}}]", p.topic);
    cr_expect_eq(ch.view_count, 0);
    free_page(&p);
}

Test(channel, join_with_wrong_csrf_is_stale)
{
    page p = render_page("/c"), other = render_page("/c");
    join_with("4", p.topic, p.session, other.csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.topic, "stale");
    clear_frames();
    join_with("5", p.topic, p.session, "not-a-token");
    expect_error(0, "5", "5", p.topic, "stale");
    cr_expect_eq(ch.view_count, 0);
    cr_expect_eq(terminate_calls, 0);
    free_page(&p);
    free_page(&other);
}

Test(channel, join_without_csrf_is_stale)
{
    page p = render_page("/c");
    join_with("4", p.topic, p.session, NULL);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.topic, "stale");
    clear_frames();
    /* No params object at all. */
    sendf("[\"5\",\"5\",\"%s\",\"phx_join\",{\"session\":\"%s\"}]", p.topic, p.session);
    expect_error(0, "5", "5", p.topic, "stale");
    clear_frames();
    /* params that is not an object. */
    sendf("[\"6\",\"6\",\"%s\",\"phx_join\",{\"params\":\"%s\",\"session\":\"%s\"}]", p.topic,
          p.csrf, p.session);
    expect_error(0, "6", "6", p.topic, "stale");
    cr_expect_eq(ch.view_count, 0);
    free_page(&p);
}

Test(channel, join_without_session_is_stale)
{
    page p = render_page("/c");
    join_with("4", p.topic, NULL, p.csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.topic, "stale");
    free_page(&p);
}

Test(channel, session_of_another_view_on_this_topic_is_stale)
{
    page a = render_page("/c"), b = render_page("/c");
    join_with("4", a.topic, b.session, b.csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", a.topic, "stale");
    clear_frames();
    join_with("5", a.topic, b.session, a.csrf);
    expect_error(0, "5", "5", a.topic, "stale");
    cr_expect_eq(ch.view_count, 0);
    free_page(&a);
    free_page(&b);
}

Test(channel, tampered_session_signature_is_stale)
{
    page p = render_page("/c");
    size_t len = strlen(p.session);
    char *dot = strrchr(p.session, '.');
    cr_assert_not_null(dot);
    /* A character well inside the signature (the last one may carry unused
     * bits). */
    char *c = p.session + len - 10;
    cr_assert_gt(c, dot);
    *c = *c == 'A' ? 'B' : 'A';
    join("4", &p);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.topic, "stale");
    cr_expect_eq(ch.view_count, 0);
    free_page(&p);
}

Test(channel, tampered_session_payload_is_stale)
{
    page p = render_page("/c");
    char *first_dot = strchr(p.session, '.');
    cr_assert_not_null(first_dot);
    char *c = first_dot + 5;
    *c = *c == 'A' ? 'B' : 'A';
    join("4", &p);
    expect_error(0, "4", "4", p.topic, "stale");
    free_page(&p);
}

/* Signs a session for id and route the way lv_page_render does, at `now`,
 * and fills the matching CSRF token. */
static char *forge_session(const char *id, const char *route, int64_t now,
                           char csrf_out[LV_CSRF_TOKEN_LEN + 1])
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_mask(state, csrf_out);
    json_t *claims = json_pack("{s:s, s:s, s:s, s:{}}", "id", id, "route", route, "csrf", state,
                               "session");
    char *token = lv_token_sign(&app->session_key, claims, now, 3600);
    json_decref(claims);
    return token;
}

Test(channel, session_signed_by_hand_with_the_app_key_joins)
{
    /* The control for the two tests below: the forging itself is right. */
    char csrf[LV_CSRF_TOKEN_LEN + 1];
    char *token = forge_session("phx-handmadehandmade", "/c", lv_now_seconds(), csrf);
    join_with("4", "lv:phx-handmadehandmade", token, csrf);
    cr_assert_eq(frame_count, 1);
    expect_ok_join(0, "4", "lv:phx-handmadehandmade");
    free(token);
}

Test(channel, expired_session_is_stale)
{
    char csrf[LV_CSRF_TOKEN_LEN + 1];
    /* Signed two hours ago with a one-hour lifetime. */
    char *token = forge_session("phx-expiredexpired00", "/c", lv_now_seconds() - 7200, csrf);
    join_with("4", "lv:phx-expiredexpired00", token, csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", "lv:phx-expiredexpired00", "stale");
    cr_expect_eq(ch.view_count, 0);
    free(token);
}

Test(channel, session_for_an_unregistered_route_is_unauthorized)
{
    char csrf[LV_CSRF_TOKEN_LEN + 1];
    char *token = forge_session("phx-noroutenoroute00", "/gone", lv_now_seconds(), csrf);
    join_with("4", "lv:phx-noroutenoroute00", token, csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", "lv:phx-noroutenoroute00", "unauthorized");
    cr_expect_eq(ch.view_count, 0);
    cr_expect_eq(terminate_calls, 0);
    free(token);
}

Test(channel, join_whose_mount_fails_is_refused_without_terminate)
{
    page p = render_page("/crash");
    join("4", &p);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.topic, "join crashed");
    cr_expect_eq(ch.view_count, 0);
    cr_expect_eq(terminate_calls, 0);
    free_page(&p);
}

Test(channel, join_on_a_non_lv_topic_is_unmatched)
{
    page p = render_page("/c");
    join_with("4", p.id, p.session, p.csrf);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "4", p.id, "unmatched topic");
    cr_expect_eq(ch.view_count, 0);
    free_page(&p);
}

Test(channel, duplicate_join_closes_the_old_one_then_joins_again)
{
    page p = joined_page("4");
    join("9", &p);
    cr_assert_eq(frame_count, 2);
    json_t *close = parse_frame(0);
    cr_expect_str_eq(json_string_value(json_array_get(close, 0)), "4");
    cr_expect_str_eq(json_string_value(json_array_get(close, 2)), p.topic);
    cr_expect_str_eq(json_string_value(json_array_get(close, 3)), "phx_close");
    cr_expect(json_is_object(json_array_get(close, 4)));
    cr_expect_eq(json_object_size(json_array_get(close, 4)), 0);
    json_decref(close);
    expect_ok_join(1, "9", p.topic);
    cr_expect_eq(terminate_calls, 1);
    cr_expect_eq(last_reason, LV_TERMINATE_REPLACED);
    cr_expect_eq(ch.view_count, 1);
    clear_frames();

    /* The old join_ref is now unmatched; the new one works. */
    sendf("[\"4\",\"10\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_error(0, "4", "10", p.topic, "unmatched topic");
    sendf("[\"9\",\"11\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_frame(1, "[\"9\",\"11\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    cr_expect_eq(event_calls, 1);
    free_page(&p);
}

Test(channel, too_many_channels_refuses_the_join_past_the_limit)
{
    teardown();
    make_app(2);
    page a = render_page("/c"), b = render_page("/c"), c = render_page("/c");
    join("1", &a);
    join("2", &b);
    join("3", &c);
    cr_assert_eq(frame_count, 3);
    expect_ok_join(0, "1", a.topic);
    expect_ok_join(1, "2", b.topic);
    expect_error(2, "3", "3", c.topic, "too many channels joined");
    cr_expect_eq(ch.view_count, 2);
    clear_frames();
    /* Rejoining a joined topic is a replacement, not a third channel. */
    join("4", &b);
    cr_assert_eq(frame_count, 2);
    expect_ok_join(1, "4", b.topic);
    clear_frames();
    /* After a leave there is room again. */
    sendf("[\"1\",\"5\",\"%s\",\"phx_leave\",{}]", a.topic);
    join("6", &c);
    cr_assert_eq(frame_count, 3);
    expect_ok_join(2, "6", c.topic);
    free_page(&a);
    free_page(&b);
    free_page(&c);
}

/* ---- events ---- */

Test(channel, click_inc_replies_with_the_diff)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
          "\"value\":{\"value\":\"\"}}]", p.topic);
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    cr_expect_eq(event_calls, 1);
    free_page(&p);
}

Test(channel, event_value_reaches_the_handler_as_params)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
          "\"value\":{\"by\":5}}]", p.topic);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"5\"}}}]", p.topic);
    /* A form's url-encoded value is decoded into params. */
    sendf("[\"4\",\"9\",\"%s\",\"event\",{\"type\":\"form\",\"event\":\"inc\","
          "\"value\":\"by=20&x=y\"}]", p.topic);
    expect_frame(1, "[\"4\",\"9\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"25\"}}}]", p.topic);
    free_page(&p);
}

Test(channel, event_that_changes_nothing_replies_ok_empty)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
          "\"value\":{\"by\":0}}]", p.topic);
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                 p.topic);
    free_page(&p);
}

Test(channel, failing_event_crashes_the_view)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"fail\",\"value\":{}}]",
          p.topic);
    /* No reply: phx_error with the join_ref in both ref positions, as
     * Phoenix sends when the channel process dies. */
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[\"4\",\"4\",\"%s\",\"phx_error\",{}]", p.topic);
    cr_expect_eq(event_calls, 1);
    /* The view is gone: the topic is no longer joined. */
    sendf("[\"4\",\"9\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_error(1, "4", "9", p.topic, "unmatched topic");
    cr_expect_eq(event_calls, 1);
    free_page(&p);
}

Test(channel, undeclared_event_is_refused_without_calling_the_handler)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"dec\",\"value\":{}}]",
          p.topic);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "4", "8", p.topic, "unknown event");
    cr_expect_eq(event_calls, 0);
    free_page(&p);
}

Test(channel, event_without_a_name_is_malformed)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"value\":{}}]", p.topic);
    sendf("[\"4\",\"9\",\"%s\",\"event\",{\"type\":\"click\",\"event\":3}]", p.topic);
    cr_assert_eq(frame_count, 2);
    expect_error(0, "4", "8", p.topic, "malformed event");
    expect_error(1, "4", "9", p.topic, "malformed event");
    cr_expect_eq(event_calls, 0);
    free_page(&p);
}

Test(channel, lv_clear_flash_is_ok_and_other_lv_events_are_errors)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"lv:clear-flash\","
          "\"value\":{\"key\":\"info\"}}]", p.topic);
    sendf("[\"4\",\"9\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"lv:inc\",\"value\":{}}]",
          p.topic);
    cr_assert_eq(frame_count, 2);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                 p.topic);
    expect_error(1, "4", "9", p.topic, "unknown event");
    cr_expect_eq(event_calls, 0);
    free_page(&p);
}

Test(channel, send_info_from_handle_event_pushes_a_diff_after_the_reply)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
          "\"value\":{\"notify\":\"bump\"}}]", p.topic);
    cr_assert_eq(frame_count, 2);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    expect_frame(1, "[\"4\",null,\"%s\",\"diff\",{\"0\":\"11\"}]", p.topic);
    cr_expect_eq(info_calls, 1);
    free_page(&p);
}

Test(channel, info_that_changes_nothing_pushes_nothing)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
          "\"value\":{\"notify\":\"other\"}}]", p.topic);
    cr_assert_eq(frame_count, 1);
    cr_expect_eq(info_calls, 1);
    free_page(&p);
}

Test(channel, pipelined_events_are_answered_in_order)
{
    page p = joined_page("4");
    for (int i = 0; i < 20; i++)
        sendf("[\"4\",\"%d\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\","
              "\"value\":{}}]", 100 + i, p.topic);
    cr_assert_eq(frame_count, 20);
    for (int i = 0; i < 20; i++)
        expect_frame((size_t)i, "[\"4\",\"%d\",\"%s\",\"phx_reply\",{\"status\":\"ok\","
                                "\"response\":{\"diff\":{\"0\":\"%d\"}}}]",
                     100 + i, p.topic, i + 1);
    free_page(&p);
}

Test(channel, every_push_gets_exactly_one_reply)
{
    page p = joined_page("4");
    const char *events[] = {"event", "event", "event", "event", "cids_will_destroy",
                            "cids_destroyed", "live_patch", "whatever", "heartbeat", "event"};
    const char *payloads[] = {
        "{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}",
        "{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}",
        "{\"type\":\"click\",\"event\":\"nope\",\"value\":{}}",
        "{\"type\":\"click\",\"event\":\"inc\",\"value\":{\"notify\":\"bump\"}}",
        "{\"cids\":[1]}",
        "{\"cids\":[1]}",
        "{\"url\":\"http://localhost:4000/c?x=1\"}",
        "{}",
        "{}",
        "{\"type\":\"click\",\"event\":\"lv:clear-flash\",\"value\":{}}",
    };
    size_t n = sizeof events / sizeof *events;
    for (size_t i = 0; i < n; i++)
        sendf("[\"4\",\"%zu\",\"%s\",\"%s\",%s]", 50 + i, p.topic, events[i], payloads[i]);
    /* Plus one heartbeat and one unmatched topic. */
    send_text("[null,\"90\",\"phoenix\",\"heartbeat\",{}]");
    send_text("[\"4\",\"91\",\"lv:phx-elsewhere\",\"event\",{}]");

    size_t replies = 0, pushes = 0;
    char want_ref[16];
    for (size_t i = 0; i < frame_count; i++) {
        json_t *f = parse_frame(i);
        const char *event = json_string_value(json_array_get(f, 3));
        if (strcmp(event, "phx_reply") == 0) {
            size_t k = replies++;
            snprintf(want_ref, sizeof want_ref, "%zu", k < n ? 50 + k : 90 + (k - n));
            cr_expect_str_eq(json_string_value(json_array_get(f, 1)), want_ref,
                             "reply %zu answers the wrong ref: %s", k, frames[i]);
        } else {
            pushes++;
            cr_expect(json_is_null(json_array_get(f, 1)));
        }
        json_decref(f);
    }
    cr_expect_eq(replies, n + 2);
    cr_expect_eq(pushes, 1, "one diff from the info");
    free_page(&p);
}

/* ---- other messages ---- */

Test(channel, heartbeat_replies_ok_with_null_join_ref)
{
    send_text("[null,\"9\",\"phoenix\",\"heartbeat\",{}]");
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[null,\"9\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
}

Test(channel, other_events_on_phoenix_topic_are_unmatched)
{
    send_text("[null,\"9\",\"phoenix\",\"phx_join\",{}]");
    cr_assert_eq(frame_count, 1);
    expect_error(0, NULL, "9", "phoenix", "unmatched topic");
}

Test(channel, phx_leave_replies_ok_then_closes_and_terminates_once)
{
    page p = joined_page("4");
    sendf("[\"4\",\"12\",\"%s\",\"phx_leave\",{}]", p.topic);
    cr_assert_eq(frame_count, 2);
    expect_frame(0, "[\"4\",\"12\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                 p.topic);
    json_t *close = parse_frame(1);
    cr_expect_str_eq(json_string_value(json_array_get(close, 0)), "4");
    cr_expect_str_eq(json_string_value(json_array_get(close, 2)), p.topic);
    cr_expect_str_eq(json_string_value(json_array_get(close, 3)), "phx_close");
    cr_expect_eq(json_object_size(json_array_get(close, 4)), 0);
    json_decref(close);
    cr_expect_eq(terminate_calls, 1);
    cr_expect_eq(last_reason, LV_TERMINATE_LEAVE);
    cr_expect_eq(ch.view_count, 0);
    clear_frames();

    /* The view is gone: events are unmatched and closing does not end it
     * again. */
    sendf("[\"4\",\"13\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_error(0, "4", "13", p.topic, "unmatched topic");
    lv_channel_close(&ch, LV_TERMINATE_CLOSED);
    cr_expect_eq(terminate_calls, 1);
    cr_expect_eq(event_calls, 0);
    free_page(&p);
}

Test(channel, close_terminates_every_view_once_with_the_reason)
{
    page a = joined_page("1"), b = joined_page("2");
    cr_assert_eq(ch.view_count, 2);
    lv_channel_close(&ch, LV_TERMINATE_SHUTDOWN);
    cr_expect_eq(terminate_calls, 2);
    cr_expect_eq(last_reason, LV_TERMINATE_SHUTDOWN);
    cr_expect_eq(frame_count, 0, "close sends nothing");
    cr_expect_eq(ch.view_count, 0);
    lv_channel_close(&ch, LV_TERMINATE_CLOSED);
    cr_expect_eq(terminate_calls, 2);
    free_page(&a);
    free_page(&b);
}

Test(channel, events_on_an_unjoined_topic_are_unmatched)
{
    send_text("[\"4\",\"8\",\"lv:phx-nothere\",\"event\",{\"type\":\"click\",\"event\":\"inc\"}]");
    send_text("[null,\"9\",\"lv:phx-nothere\",\"phx_leave\",{}]");
    cr_assert_eq(frame_count, 2);
    expect_error(0, "4", "8", "lv:phx-nothere", "unmatched topic");
    expect_error(1, NULL, "9", "lv:phx-nothere", "unmatched topic");
    cr_expect_eq(event_calls, 0);
}

Test(channel, message_with_another_join_ref_is_unmatched)
{
    page p = joined_page("4");
    sendf("[\"3\",\"8\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "3", "8", p.topic, "unmatched topic");
    cr_expect_eq(event_calls, 0);
    /* A null join_ref is accepted (docs/protocol.md §1.4). */
    sendf("[null,\"9\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]",
          p.topic);
    expect_frame(1, "[\"4\",\"9\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    free_page(&p);
}

Test(channel, malformed_json_without_a_head_gets_no_reply)
{
    page p = joined_page("4");
    send_text("[\"4\",\"8\",");
    send_text("not json at all");
    send_text("{\"a\":1}");
    send_text("[\"4\",\"8\",\"\\ud800\",\"event\",{}]"); /* the topic itself is refused */
    send_text("[\"4\",8,\"lv:x\",\"event\",{\"a\":1e999}]"); /* a ref that is not a string */
    sendf("[\"4\",8,\"%s\",\"event\",{}]", p.topic); /* BAD_FIELD without a ref */
    send_text("[\"4\",\"8\",5,\"event\",{}]");         /* BAD_FIELD without a topic */
    cr_expect_eq(frame_count, 0);
    cr_expect_eq(event_calls, 0);
    free_page(&p);
}

Test(channel, bad_field_with_ref_and_topic_gets_malformed_message)
{
    send_text("[\"4\",\"8\",\"lv:phx-x\",\"event\",\"not an object\"]");
    send_text("[null,\"9\",\"lv:phx-x\",7,{}]");
    cr_assert_eq(frame_count, 2);
    expect_error(0, "4", "8", "lv:phx-x", "malformed message");
    expect_error(1, NULL, "9", "lv:phx-x", "malformed message");
}

/* Issue #16 item 4: a frame refused whole (invalid JSON, too deep, not an
 * array of five) whose join_ref, ref and topic read well is answered. */
Test(channel, refused_frame_with_a_readable_head_gets_malformed_message)
{
    page p = joined_page("4");
    sendf("[\"4\",\"10\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{\"s\":\"\\ud800\"}}]",
          p.topic);
    sendf("[\"4\",\"11\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{\"s\":\"a\\u0000b\"}}]",
          p.topic);
    sendf("[\"4\",\"12\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{\"n\":1e999}}]",
          p.topic);
    lv_buf deep = LV_BUF_INIT;
    lv_buf_printf(&deep, "[null,\"13\",\"%s\",\"event\",{\"value\":", p.topic);
    for (int i = 0; i < 40; i++) lv_buf_putc(&deep, '[');
    for (int i = 0; i < 40; i++) lv_buf_putc(&deep, ']');
    lv_buf_puts(&deep, "}]");
    send_text(deep.data);
    lv_buf_free(&deep);
    send_text("[\"4\",\"14\",\"lv:x\",\"event\"]");           /* not five elements */
    send_text("[\"4\",\"15\",\"phoenix\",\"heartbeat\",{}");  /* cut short */
    cr_assert_eq(frame_count, 6);
    expect_error(0, "4", "10", p.topic, "malformed message");
    expect_error(1, "4", "11", p.topic, "malformed message");
    expect_error(2, "4", "12", p.topic, "malformed message");
    expect_error(3, NULL, "13", p.topic, "malformed message");
    expect_error(4, "4", "14", "lv:x", "malformed message");
    expect_error(5, "4", "15", "phoenix", "malformed message");
    cr_expect_eq(event_calls, 0);
    /* The view is still there and answers the next event. */
    sendf("[\"4\",\"16\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]", p.topic);
    expect_frame(6, "[\"4\",\"16\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"1\"}}}]", p.topic);
    free_page(&p);
}

Test(channel, cids_destroyed_echoes_the_cids)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"cids_destroyed\",{\"cids\":[1,2,3]}]", p.topic);
    sendf("[\"4\",\"9\",\"%s\",\"cids_will_destroy\",{\"cids\":[1,2,3]}]", p.topic);
    cr_assert_eq(frame_count, 2);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"cids\":[1,2,3]}}]", p.topic);
    expect_frame(1, "[\"4\",\"9\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                 p.topic);
    free_page(&p);
}

Test(channel, unknown_view_message_replies_ok_empty)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"something_new\",{\"x\":1}]", p.topic);
    cr_assert_eq(frame_count, 1);
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                 p.topic);
    free_page(&p);
}

Test(channel, live_patch_replies_with_a_diff_or_an_error)
{
    page p = joined_page("4");
    sendf("[\"4\",\"8\",\"%s\",\"live_patch\",{\"url\":\"http://localhost:4000/c?a=1\"}]",
          p.topic);
    sendf("[\"4\",\"9\",\"%s\",\"live_patch\",{}]", p.topic);
    cr_assert_eq(frame_count, 2);
    /* Nothing changed: an empty reply (docs/protocol.md §4.5). */
    expect_frame(0, "[\"4\",\"8\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{}}]", p.topic);
    /* No URL is no URL of this view: the client is sent to navigate. */
    expect_frame(1, "[\"4\",\"9\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"link_redirect\":true}}]", p.topic);
    free_page(&p);
}

/* ---- binary messages ---- */

static void send_binary(const uint8_t *data, size_t len)
{
    lv_channel_handle_binary(&ch, data, len);
}

/* kind 0, then the lengths of join_ref, ref, topic, event, then the fields
 * and the payload. */
static size_t binary_push(uint8_t *out, const char *join_ref, const char *ref, const char *topic,
                          const char *event, const char *payload)
{
    const char *fields[] = {join_ref, ref, topic, event};
    size_t n = 5;
    out[0] = 0;
    for (int i = 0; i < 4; i++) out[1 + i] = (uint8_t)strlen(fields[i]);
    for (int i = 0; i < 4; i++) {
        memcpy(out + n, fields[i], strlen(fields[i]));
        n += strlen(fields[i]);
    }
    memcpy(out + n, payload, strlen(payload));
    return n + strlen(payload);
}

Test(channel, binary_push_with_valid_layout_is_unmatched)
{
    uint8_t msg[128];
    size_t n = binary_push(msg, "12", "13", "lvu:1", "chunk", "\x01\x02\x03");
    send_binary(msg, n);
    cr_assert_eq(frame_count, 1);
    expect_error(0, "12", "13", "lvu:1", "unmatched topic");
    /* An empty join_ref is written as null. */
    n = binary_push(msg, "", "14", "lvu:2", "chunk", "");
    send_binary(msg, n);
    cr_assert_eq(frame_count, 2);
    expect_error(1, NULL, "14", "lvu:2", "unmatched topic");
}

Test(channel, truncated_or_foreign_binary_gets_nothing)
{
    uint8_t msg[128];
    size_t n = binary_push(msg, "12", "13", "lvu:1", "chunk", "");
    for (size_t len = 0; len < n; len++) send_binary(msg, len);
    msg[0] = 1; /* not a push */
    send_binary(msg, n);
    cr_expect_eq(frame_count, 0);
}

Test(channel, binary_fields_are_escaped_in_the_reply)
{
    uint8_t msg[128];
    size_t n = binary_push(msg, "1", "2", "lvu:\"<\xff", "chunk", "");
    send_binary(msg, n);
    cr_assert_eq(frame_count, 1);
    json_t *f = parse_frame(0);
    cr_expect_str_eq(json_string_value(json_array_get(f, 2)), "lvu:\"<\xef\xbf\xbd");
    json_decref(f);
}

Test(channel, form_fields_reach_the_view_without_the_csrf_token)
{
    page p = render_page("/c");
    join("1", &p);
    sendf("[\"1\",\"2\",\"%s\",\"event\",{\"type\":\"form\",\"event\":\"inc\","
          "\"value\":\"_csrf_token=%s&by=2\",\"meta\":{\"_target\":\"by\"}}]",
          p.topic, p.csrf);
    cr_assert_eq(event_calls, 1);
    cr_assert_eq(last_value_count, 2, "the form's own field and meta's _target");
    cr_assert(!last_value_had_csrf);
    expect_frame(1, "[\"1\",\"2\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                    "{\"diff\":{\"0\":\"2\"}}}]",
                 p.topic);
    free_page(&p);
}

Test(channel, a_form_with_a_wrong_csrf_token_never_reaches_the_view)
{
    page p = render_page("/c");
    join("1", &p);
    page other = render_page("/c");
    sendf("[\"1\",\"2\",\"%s\",\"event\",{\"type\":\"form\",\"event\":\"inc\","
          "\"value\":\"_csrf_token=%s&by=2\"}]",
          p.topic, other.csrf);
    cr_assert_eq(event_calls, 0);
    expect_error(1, "1", "2", p.topic, "invalid CSRF token");
    free_page(&p);
    free_page(&other);
}

Test(channel, nested_form_fields_and_event_numbers_reach_the_view_as_params)
{
    page p = render_page("/nested");
    join("1", &p);
    sendf("[\"1\",\"2\",\"%s\",\"event\",{\"type\":\"form\",\"event\":\"save\","
          "\"value\":\"_csrf_token=%s&order%%5Blines%%5D%%5B0%%5D%%5Bsku%%5D=A1&order[lines][1][sku]=B2"
          "&order[note]=a+b\",\"meta\":{\"_target\":\"order[note]\",\"n\":1.5,\"k\":7,\"skip\":[1]}}]",
          p.topic, p.csrf);
    cr_assert_str_eq(nested_seen, "n=1.5 k=7 n=1.5 sku=A1 note=a b target=order[note] lines=2");
    expect_frame(1, "[\"1\",\"2\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", p.topic);
    /* A click's value map arrives as it is, numbers typed. */
    sendf("[\"1\",\"3\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"save\","
          "\"value\":{\"n\":2,\"k\":1e21}}]",
          p.topic);
    cr_assert_str_eq(nested_seen, "n=2 k=1e+21 n=2 sku=- note=- target=- lines=0");
    free_page(&p);
}

Test(channel, pushed_events_and_hook_replies_are_written_from_maps)
{
    page p = render_page("/nested");
    join("1", &p);
    sendf("[\"1\",\"2\",\"%s\",\"event\",{\"type\":\"hook\",\"event\":\"hook\",\"value\":{\"at\":4}}]",
          p.topic);
    expect_frame(1, "[\"1\",\"2\",\"%s\",\"phx_reply\",{\"status\":\"ok\",\"response\":{\"diff\":"
                    "{\"e\":[[\"moved\",{\"at\":4,\"tag\":\"\\u003cb\\u003e\",\"x\":0.5}]],"
                    "\"r\":{\"points\":[1,2]}}}}]",
                 p.topic);
    free_page(&p);
}

/* ---- connect params and connect info ---- */

Test(channel, connect_params_and_info_reach_the_connected_mount_only)
{
    connect_seen[0] = '\0';
    lv_connect_data *info = calloc(1, sizeof *info);
    info->peer_address = strdup("127.0.0.1");
    info->client_address = strdup("203.0.113.9");
    info->user_agent = strdup("TestBrowser/1.0");
    lv_channel_set_connect_info(&ch, info);
    page p = render_page("/connect");
    sendf("[\"1\",\"1\",\"%s\",\"phx_join\",{\"params\":{\"_csrf_token\":\"%s\",\"timezone\":"
          "\"Europe/Paris\",\"_mounts\":0,\"_track_static\":[\"x\"]},\"session\":\"%s\",\"static\":null}]",
          p.topic, p.csrf, p.session);
    cr_assert_eq(frame_count, 1);
    cr_assert(strstr(frames[0], "\"status\":\"ok\""), "%s", frames[0]);
    sendf("[\"1\",\"2\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"look\",\"value\":{}}]", p.topic);
    cr_expect_str_eq(connect_seen,
                     "mount:http params=0 tz=- csrf=no mounts=no peer=- client=- ua=- other=-;"
                     "mount:connected params=1 tz=Europe/Paris csrf=no mounts=no peer=127.0.0.1 "
                     "client=203.0.113.9 ua=TestBrowser/1.0 other=-;"
                     "params:connected params=1 tz=Europe/Paris csrf=no mounts=no peer=127.0.0.1 "
                     "client=203.0.113.9 ua=TestBrowser/1.0 other=-;"
                     "event:connected params=0 tz=- csrf=no mounts=no peer=- client=- ua=- other=-;");
    free_page(&p);
}

Test(channel, a_join_without_connect_info_still_has_its_params)
{
    connect_seen[0] = '\0';
    page p = render_page("/connect");
    sendf("[\"1\",\"1\",\"%s\",\"phx_join\",{\"params\":{\"_csrf_token\":\"%s\",\"timezone\":7},"
          "\"session\":\"%s\",\"static\":null}]",
          p.topic, p.csrf, p.session);
    cr_assert(strstr(connect_seen, "mount:connected params=1 tz=7 csrf=no mounts=no peer=- client=- ua=-"),
              "%s", connect_seen);
    free_page(&p);
}
