/* The runtime pieces of live/ without a server: route patterns, navigation
 * targets, timers and async work on a fake runtime, pub/sub, flash tokens. */
#include <criterion/criterion.h>
#include <string.h>

#include "live/live.h"

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
    app->runtime = (lv_runtime){NULL, fake_timer_start, fake_timer_stop, fake_queue_work};
    timer_count = work_count = 0;
}

static void teardown(void)
{
    lv_app_free(app);
}

TestSuite(runtime, .init = setup, .fini = teardown);

static const lv_route_entry *match(const char *path, json_t *params)
{
    return lv_app_match_route(app, path, strlen(path), params);
}

Test(runtime, routes_match_patterns_and_decode_segments)
{
    json_t *p = json_object();
    const lv_route_entry *r = match("/users/42", p);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->path, "/users/:id");
    cr_assert_str_eq(json_string_value(json_object_get(p, "id")), "42");
    json_object_clear(p);
    r = match("/users/caf%C3%A9+x/posts/7", p);
    cr_assert_str_eq(r->path, "/users/:id/posts/:post");
    cr_assert_str_eq(json_string_value(json_object_get(p, "id")), "caf\xc3\xa9+x");
    cr_assert_str_eq(json_string_value(json_object_get(p, "post")), "7");
    json_decref(p);
    cr_assert_not_null(match("/about", NULL));
}

Test(runtime, routes_refuse_what_does_not_match)
{
    json_t *p = json_object();
    const char *bad[] = {"/users", "/users/", "/users/1/", "/users/1/posts", "/about/x", "/abou",
                         "/users/%ZZ", "/users/%00", "/users/%C0%AF", "", "users/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_null(match(bad[i], p), "%s", bad[i]);
    cr_assert_eq(json_object_size(p), 0, "a failed match leaves no params behind");
    json_decref(p);
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
    lv_socket_free(s);
}

Test(runtime, timers_queue_infos_and_end_with_the_view)
{
    lv_socket *s = connected_socket();
    int once = lv_send_after(s, 50, "tick", "{\"n\":1}");
    int every = lv_send_interval(s, 10, "beat", NULL);
    cr_assert_gt(once, 0);
    cr_assert_gt(every, once);
    cr_assert_eq(lv_send_after(s, 1, "bad", "[1]"), -1, "payloads are objects");
    cr_assert_eq(timers[0].ms, 50);
    cr_assert_eq(timers[0].repeat, 0);
    cr_assert_eq(timers[1].repeat, 10);
    timers[0].fire(timers[0].arg);
    cr_assert(timers[0].stopped, "a one-shot timer is released after firing");
    timers[1].fire(timers[1].arg);
    timers[1].fire(timers[1].arg);
    lv_info *i1 = lv_socket_next_info(s), *i2 = lv_socket_next_info(s), *i3 = lv_socket_next_info(s);
    cr_assert_str_eq(i1->name, "tick");
    cr_assert_eq(json_integer_value(json_object_get(i1->payload, "n")), 1);
    cr_assert_str_eq(i2->name, "beat");
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

static char *answer(void *arg)
{
    (void)arg;
    return strdup("{\"rows\":[1,2]}");
}

static char *failure(void *arg)
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
    for (int i = 0; i < work_count; i++) {
        works[i].work(works[i].arg);
        works[i].done(works[i].arg);
    }
    lv_info *a = lv_socket_next_info(s), *b = lv_socket_next_info(s);
    char *ta = json_dumps(a->payload, JSON_COMPACT | JSON_SORT_KEYS);
    char *tb = json_dumps(b->payload, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert_str_eq(ta, "{\"ok\":true,\"result\":{\"rows\":[1,2]}}");
    cr_assert_str_eq(tb, "{\"ok\":false}");
    free(ta);
    free(tb);
    lv_info_free(a);
    lv_info_free(b);
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
    cr_assert_eq(lv_broadcast(app, "room", "said", "{\"text\":\"hi\"}"), 0);
    cr_assert_eq(notified, 2);
    lv_info *ia = lv_socket_next_info(a), *ib = lv_socket_next_info(b);
    cr_assert_str_eq(ia->name, "said");
    cr_assert_str_eq(json_string_value(json_object_get(ib->payload, "text")), "hi");
    cr_assert_null(lv_socket_next_info(a), "one delivery per subscriber");
    lv_info_free(ia);
    lv_info_free(ib);
    cr_assert_eq(lv_broadcast(app, "room", "said", "not json"), -1);
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
    cr_assert_eq(lv_push_event(s, "points", "{\"x\":1}"), 0);
    cr_assert_eq(lv_push_event(s, "bad", "[]"), -1);
    cr_assert_eq(json_array_size(s->extras->events), 1);
    cr_assert_eq(lv_reply(s, "{\"ok\":1}"), 0);
    cr_assert_eq(lv_reply(s, "nope"), -1);
    lv_socket_free(s);
}
