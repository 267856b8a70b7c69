/* The runtime pieces of live/ without a server: route patterns, navigation
 * targets, timers and async work on a fake runtime, pub/sub, flash tokens. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/value.h"
#include "util/value_json.h"

#define SECRET "runtime-test-secret-key-base-0123456789abcdef"

static int noop_mount(lv_socket *s, const lv_params *p, const lv_params *session)
{
    (void)s;
    (void)p;
    (void)session;
    return 0;
}

static const lv_view plain_view = {.name = "plain", .template_text = "<p>{{x}}</p>", .mount = noop_mount};

static lv_app *app;

/* A fake runtime: timers and work are recorded and run when the test says. */
typedef struct fake_timer {
    void (*fire)(void *);
    void *arg;
    uint64_t ms, repeat;
    bool stopped;
} fake_timer;

static fake_timer timers[16];
static int timer_count;
static struct {
    void (*work)(void *);
    void (*done)(void *);
    void *arg;
} works[8];
static int work_count;

static void *fake_timer_start(void *ctx, uint64_t ms, uint64_t repeat, void (*fire)(void *), void *arg)
{
    (void)ctx;
    cr_assert_lt(timer_count, 16);
    timers[timer_count] = (fake_timer){fire, arg, ms, repeat, false};
    return &timers[timer_count++];
}

static void fake_timer_stop(void *ctx, void *t)
{
    (void)ctx;
    ((fake_timer *)t)->stopped = true;
}

static int fake_queue_work(void *ctx, void (*work)(void *), void (*done)(void *), void *arg)
{
    (void)ctx;
    works[work_count].work = work;
    works[work_count].done = done;
    works[work_count].arg = arg;
    work_count++;
    return 0;
}

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/users/:id", &plain_view), 0);
    cr_assert_eq(lv_route(app, "/users/:id/posts/:post", &plain_view), 0);
    cr_assert_eq(lv_route(app, "/about", &plain_view), 0);
    app->loops[0].runtime = (lv_runtime){NULL, fake_timer_start, fake_timer_stop, fake_queue_work};
    timer_count = work_count = 0;
}

static void teardown(void)
{
    lv_app_free(app);
}

TestSuite(runtime, .init = setup, .fini = teardown);

static const lv_route_entry *match(const char *path, lv_value *params)
{
    return lv_app_match_route(app, path, strlen(path), params);
}

/* The JSON text of a value, for comparing whole payloads; the caller frees
 * it. */
static char *json_of(const lv_value *v)
{
    lv_buf b = LV_BUF_INIT;
    lv_value_append_json(v, &b);
    return lv_buf_take(&b);
}

#define assert_json(value, expected)                                                                 \
    do {                                                                                             \
        char *got_ = json_of(value);                                                                 \
        cr_assert_str_eq(got_, (expected));                                                          \
        free(got_);                                                                                  \
    } while (0)

Test(runtime, routes_match_patterns_and_decode_segments)
{
    lv_value p = lv_value_map();
    const lv_route_entry *r = match("/users/42", &p);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->path, "/users/:id");
    cr_assert_str_eq(lv_value_str_at(&p, "id"), "42");
    lv_value_free(&p);
    p = lv_value_map();
    r = match("/users/caf%C3%A9+x/posts/7", &p);
    cr_assert_str_eq(r->path, "/users/:id/posts/:post");
    cr_assert_str_eq(lv_value_str_at(&p, "id"), "caf\xc3\xa9+x");
    cr_assert_str_eq(lv_value_str_at(&p, "post"), "7");
    lv_value_free(&p);
    cr_assert_not_null(match("/about", NULL));
}

Test(runtime, routes_refuse_what_does_not_match)
{
    lv_value p = lv_value_map();
    const char *bad[] = {"/users", "/users/", "/users/1/", "/users/1/posts", "/about/x", "/abou",
                         "/users/%ZZ", "/users/%00", "/users/%C0%AF", "", "users/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_null(match(bad[i], &p), "%s", bad[i]);
    cr_assert_eq(lv_map_len(&p), 0, "a failed match leaves no params behind");
    lv_value_free(&p);
}

Test(runtime, only_local_paths_are_navigation_targets)
{
    const char *good[] = {"/", "/counter", "/counter?x=1&y=%20", "/a/b#c", "/caf%C3%A9"};
    const char *bad[] = {"//evil.com", "/\\evil.com", "/\t/evil.com", "/%09/evil.com", "/%2F/evil.com",
                         "  javascript:alert(1)", "javascript:alert(1)", "JaVaScRiPt:x", "http://evil.com",
                         "/foo\r\nSet-Cookie: x=1", "/foo%0d%0aSet-Cookie:x", "", "evil.com", "/a\\b",
                         "/a\x7f", NULL};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) cr_expect(lv_local_path(good[i]), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(!lv_local_path(bad[i]), "%s", bad[i] ? bad[i] : "NULL");
}

static lv_socket *connected_socket(void)
{
    return lv_socket_new(app, &app->routes[2], true, NULL);
}

Test(runtime, navigation_requests_are_validated_and_recorded)
{
    lv_socket *s = connected_socket();
    cr_assert_eq(lv_push_patch(s, "//evil.com", false), -1);
    cr_assert(s->extras == NULL || s->extras->nav.kind == LV_NAV_NONE);
    cr_assert_eq(lv_push_navigate(s, "/users/1", true), 0);
    cr_assert_eq(s->extras->nav.kind, LV_NAV_NAVIGATE);
    cr_assert(s->extras->nav.replace);
    cr_assert_eq(lv_redirect(s, "/about"), 0, "a later request replaces the earlier one");
    cr_assert_eq(s->extras->nav.kind, LV_NAV_REDIRECT);
    cr_assert_str_eq(s->extras->nav.to, "/about");
    cr_assert_eq(lv_redirect(s, "https://docs.example.com/x"), -1, "no host is allowed by default");
    cr_assert_str_eq(s->extras->nav.to, "/about", "a refused redirect changes nothing");
    lv_socket_free(s);
}

Test(runtime, external_redirects_only_to_allowed_hosts)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.allowed_redirect_hosts = "docs.example.com, example.org:8443";
    lv_app *allowing = lv_app_new(&cfg);
    cr_assert_not_null(allowing);
    cr_assert_eq(lv_route(allowing, "/about", &plain_view), 0);
    lv_socket *s = lv_socket_new(allowing, &allowing->routes[0], true, NULL);
    cr_assert_eq(lv_redirect(s, "https://docs.example.com/guide"), 0);
    cr_assert_eq(s->extras->nav.kind, LV_NAV_REDIRECT);
    cr_assert_str_eq(s->extras->nav.to, "https://docs.example.com/guide");
    cr_assert_eq(lv_redirect(s, "https://evil.example.com/"), -1);
    cr_assert_eq(lv_redirect(s, "https://example.org/"), -1, "the entry fixes the port");
    cr_assert_str_eq(s->extras->nav.to, "https://docs.example.com/guide");
    cr_assert_eq(lv_push_navigate(s, "https://docs.example.com/guide", false), -1,
                 "live navigation stays local");
    lv_socket_free(s);
    lv_app_free(allowing);
    cfg.allowed_redirect_hosts = "https://docs.example.com";
    cr_assert_null(lv_app_new(&cfg), "a malformed entry is a configuration error");
}

Test(runtime, timers_queue_infos_and_end_with_the_view)
{
    lv_socket *s = connected_socket();
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "n", 1);
    int once = lv_send_after(s, 50, "tick", payload);
    lv_value_delete(payload); /* the timer keeps its own copy */
    int every = lv_send_interval(s, 10, "beat", NULL);
    cr_assert_gt(once, 0);
    cr_assert_gt(every, once);
    lv_value *list = lv_list_new();
    cr_assert_eq(lv_send_after(s, 1, "bad", list), -1, "payloads are maps");
    cr_assert_eq(lv_send_interval(s, 1, "bad", list), -1, "payloads are maps");
    lv_value_delete(list);
    cr_assert_eq(timers[0].ms, 50);
    cr_assert_eq(timers[0].repeat, 0);
    cr_assert_eq(timers[1].repeat, 10);
    timers[0].fire(timers[0].arg);
    cr_assert(timers[0].stopped, "a one-shot timer is released after firing");
    timers[1].fire(timers[1].arg);
    timers[1].fire(timers[1].arg);
    lv_info *i1 = lv_socket_next_info(s), *i2 = lv_socket_next_info(s), *i3 = lv_socket_next_info(s);
    cr_assert_str_eq(i1->name, "tick");
    assert_json(&i1->payload, "{\"n\":1}");
    cr_assert_str_eq(i2->name, "beat");
    assert_json(&i2->payload, "{}");
    cr_assert_str_eq(i3->name, "beat");
    cr_assert_null(lv_socket_next_info(s));
    lv_info_free(i1);
    lv_info_free(i2);
    lv_info_free(i3);
    lv_cancel_timer(s, 9999); /* unknown: ignored */
    cr_assert(!timers[1].stopped);
    lv_socket_free(s);
    cr_assert(timers[1].stopped, "the view's end stops its interval");
}

Test(runtime, timers_need_a_connected_view)
{
    lv_socket *s = lv_socket_new(app, &app->routes[2], false, NULL);
    cr_assert_eq(lv_send_after(s, 1, "x", NULL), -1);
    lv_socket_free(s);
}

static int freed_args;
static void free_arg(void *arg)
{
    (void)arg;
    freed_args++;
}

/* On the worker: builds a value of any kind, which the library takes. */
static lv_value *answer(void *arg)
{
    (void)arg;
    lv_value *rows = lv_list_new();
    lv_list_push_int(rows, 1);
    lv_list_push_int(rows, 2);
    lv_value *result = lv_map_new();
    lv_map_set(result, "rows", rows);
    return result;
}

static lv_value *text_answer(void *arg)
{
    (void)arg;
    return lv_value_new_str("done");
}

static lv_value *failure(void *arg)
{
    (void)arg;
    return NULL;
}

Test(runtime, async_results_arrive_as_infos)
{
    freed_args = 0;
    lv_socket *s = connected_socket();
    cr_assert_eq(lv_start_async(s, "load", answer, (void *)1, free_arg), 0);
    cr_assert_eq(lv_start_async(s, "fail", failure, (void *)2, free_arg), 0);
    cr_assert_eq(lv_start_async(s, "text", text_answer, NULL, NULL), 0);
    for (int i = 0; i < work_count; i++) {
        works[i].work(works[i].arg);
        works[i].done(works[i].arg);
    }
    lv_info *a = lv_socket_next_info(s), *b = lv_socket_next_info(s), *c = lv_socket_next_info(s);
    cr_assert_str_eq(a->name, "load");
    assert_json(&a->payload, "{\"ok\":true,\"result\":{\"rows\":[1,2]}}");
    cr_assert_str_eq(b->name, "fail");
    assert_json(&b->payload, "{\"ok\":false}");
    assert_json(&c->payload, "{\"ok\":true,\"result\":\"done\"}");
    /* What handle_info reads: the result keeps its kind. */
    lv_params p = lv_params_of(&a->payload);
    cr_assert_str_eq(lv_param(&p, "ok"), "true");
    cr_assert_eq(lv_params_len(&p, "result[rows]"), 2);
    cr_assert_str_eq(lv_param_path(&p, "result[rows][1]"), "2");
    lv_value *rows = lv_params_value(&p, "result[rows]");
    cr_assert_eq(lv_value_int_of(lv_list_at(rows, 0)), 1);
    lv_value_delete(rows);
    lv_params_release(&p);
    lv_info_free(a);
    lv_info_free(b);
    lv_info_free(c);
    cr_assert_eq(freed_args, 2);
    lv_socket_free(s);
}

Test(runtime, an_async_result_for_a_view_that_has_gone_is_dropped)
{
    freed_args = 0;
    lv_socket *s = connected_socket();
    cr_assert_eq(lv_start_async(s, "load", answer, (void *)1, free_arg), 0);
    works[0].work(works[0].arg);
    lv_socket_free(s); /* the view ends while the work is in flight */
    works[0].done(works[0].arg);
    cr_assert_eq(freed_args, 1, "its argument is still freed, once");
}

static int notified;
static void count_notify(void *owner, lv_socket *s)
{
    (void)owner;
    (void)s;
    notified++;
}

Test(runtime, broadcasts_reach_each_subscriber_once_until_it_leaves)
{
    notified = 0;
    lv_socket *a = connected_socket(), *b = connected_socket();
    a->notify = b->notify = count_notify;
    cr_assert_eq(lv_subscribe(a, "room"), 0);
    cr_assert_eq(lv_subscribe(a, "room"), 0, "twice is once");
    cr_assert_eq(lv_subscribe(b, "room"), 0);
    lv_value *payload = lv_map_new();
    lv_map_set_str(payload, "text", "hi <there>");
    lv_map_set_double(payload, "x", 0.5);
    cr_assert_eq(lv_broadcast(app, "room", "said", payload), 0);
    lv_value_delete(payload);
    cr_assert_eq(notified, 2);
    lv_info *ia = lv_socket_next_info(a), *ib = lv_socket_next_info(b);
    cr_assert_str_eq(ia->name, "said");
    assert_json(&ib->payload, "{\"text\":\"hi \\u003cthere\\u003e\",\"x\":0.5}");
    cr_assert_null(lv_socket_next_info(a), "one delivery per subscriber");
    lv_info_free(ia);
    lv_info_free(ib);
    lv_value *text = lv_value_new_str("{}");
    cr_assert_eq(lv_broadcast(app, "room", "said", text), -1);
    lv_value_delete(text);
    notified = 0;
    lv_unsubscribe(a, "room");
    lv_socket_free(b); /* ends its subscription */
    notified = 0;
    cr_assert_eq(lv_broadcast(app, "room", "said", NULL), 0);
    cr_assert_eq(notified, 0);
    cr_assert_null(lv_socket_next_info(a));
    lv_socket_free(a);
}

Test(runtime, flash_travels_in_a_signed_token)
{
    lv_socket *s = connected_socket();
    cr_assert_null(lv_flash_token(s));
    lv_put_flash(s, "info", "Saved <b>");
    lv_put_flash(s, "error", "Oops");
    lv_clear_flash(s, "error");
    char *token = lv_flash_token(s);
    cr_assert_not_null(token);
    lv_socket *t = connected_socket();
    lv_flash_from_token(t, token);
    const lv_value *flash = lv_assigns_get(&t->assigns, "flash");
    cr_assert_not_null(flash);
    const lv_value *info = lv_value_map_get(flash, "info", 4);
    cr_assert_str_eq(info->as.s.ptr, "Saved <b>");
    cr_assert_null(lv_value_map_get(flash, "error", 5));
    /* A tampered token is no flash. */
    lv_socket *u = connected_socket();
    token[strlen(token) - 2] ^= 1;
    lv_flash_from_token(u, token);
    const lv_value *empty = lv_assigns_get(&u->assigns, "flash");
    cr_assert(empty && empty->kind == LV_VALUE_MAP && (!empty->as.map || empty->as.map->count == 0),
              "every view starts with an empty flash map, and a bad token adds nothing");
    free(token);
    lv_socket_free(s);
    lv_socket_free(t);
    lv_socket_free(u);
}

Test(runtime, title_events_and_replies_are_recorded)
{
    lv_socket *s = connected_socket();
    lv_page_title(s, "One");
    cr_assert(s->extras->title_changed);
    s->extras->title_changed = false;
    lv_page_title(s, "One");
    cr_assert(!s->extras->title_changed, "an unchanged title is not sent again");
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "x", 1);
    cr_assert_eq(lv_push_event(s, "points", payload), 0);
    cr_assert_eq(lv_push_event(s, "empty", NULL), 0);
    cr_assert_eq(lv_push_event_before(s, "first", NULL), 0);
    lv_value *list = lv_list_new();
    cr_assert_eq(lv_push_event(s, "bad", list), -1);
    cr_assert_eq(lv_push_event_before(s, "bad", list), -1);
    cr_assert_eq(lv_push_event_before(s, NULL, NULL), -1);
    /* dispatch: :before is the third element, true (the 1.2 client's applyDiff). */
    assert_json(&s->extras->events, "[[\"points\",{\"x\":1}],[\"empty\",{}],[\"first\",{},true]]");
    cr_assert_eq(lv_reply(s, payload), 0);
    cr_assert_eq(lv_reply(s, list), -1);
    assert_json(&s->extras->reply, "{\"x\":1}");
    lv_value_delete(payload);
    lv_value_delete(list);
    lv_socket_free(s);
}

/* Maps nested n deep: {"a":{"a":...{}}}. */
static lv_value *nested_maps(int n)
{
    lv_value *v = lv_map_new();
    for (int i = 1; i < n; i++) {
        lv_value *outer = lv_map_new();
        lv_map_set(outer, "a", v);
        v = outer;
    }
    return v;
}

/* Every payload parameter refuses anything but a map, and those that travel
 * as JSON also refuse what JSON cannot carry; a refused payload queues,
 * records and publishes nothing. */
Test(runtime, bad_payloads_are_refused)
{
    notified = 0;
    lv_socket *s = connected_socket();
    s->notify = count_notify;
    cr_assert_eq(lv_subscribe(s, "room"), 0);
    lv_value *not_maps[] = {lv_list_new(), lv_value_new_str("{\"a\":1}"), lv_value_new_int(1),
                            lv_value_new_null(), lv_value_new_safe("<b>")};
    for (size_t i = 0; i < sizeof not_maps / sizeof *not_maps; i++) {
        const lv_value *v = not_maps[i];
        cr_expect_eq(lv_send_info(s, "x", v), -1, "kind %d", lv_value_kind_of(v));
        cr_expect_eq(lv_send_after(s, 1, "x", v), -1);
        cr_expect_eq(lv_send_interval(s, 1, "x", v), -1);
        cr_expect_eq(lv_broadcast(app, "room", "x", v), -1);
        cr_expect_eq(lv_push_event(s, "x", v), -1);
        cr_expect_eq(lv_reply(s, v), -1);
        lv_value_delete(not_maps[i]);
    }
    lv_value *nan = lv_map_new(), *inf = lv_map_new(), *inner = lv_list_new();
    lv_map_set_double(nan, "x", NAN);
    lv_list_push(inner, lv_value_new_double(-INFINITY));
    lv_map_set(inf, "list", inner);
    lv_value *too_deep = nested_maps(LV_JSON_MAX_DEPTH + 1), *deep_enough = nested_maps(LV_JSON_MAX_DEPTH);
    lv_value *not_json[] = {nan, inf, too_deep};
    for (size_t i = 0; i < sizeof not_json / sizeof *not_json; i++) {
        cr_expect_eq(lv_broadcast(app, "room", "x", not_json[i]), -1, "payload %zu", i);
        cr_expect_eq(lv_push_event(s, "x", not_json[i]), -1, "payload %zu", i);
        cr_expect_eq(lv_reply(s, not_json[i]), -1, "payload %zu", i);
    }
    cr_expect_null(lv_socket_next_info(s), "nothing was queued");
    cr_expect_eq(notified, 0, "nothing was published");
    cr_expect(!s->extras || (s->extras->events.kind == LV_VALUE_NULL && s->extras->reply.kind == LV_VALUE_NULL),
              "nothing was recorded for the client");
    cr_expect_eq(timer_count, 0, "no timer was started");
    /* Infos never leave the process: any map will do. */
    cr_expect_eq(lv_send_info(s, "nan", nan), 0);
    lv_info *info = lv_socket_next_info(s);
    cr_assert_not_null(info);
    cr_expect(isnan(lv_value_double_of(lv_map_get(&info->payload, "x"))));
    lv_info_free(info);
    cr_expect_eq(lv_push_event(s, "deep", deep_enough), 0, "64 levels travel");
    for (size_t i = 0; i < sizeof not_json / sizeof *not_json; i++) lv_value_delete(not_json[i]);
    lv_value_delete(deep_enough);
    lv_socket_free(s);
}
