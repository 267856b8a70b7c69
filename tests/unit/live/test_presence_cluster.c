/* Presence across processes, in one process: two apps, each with its own
 * manual clock (liveview_test.h), joined by a fake broker that hands every
 * message one app publishes to both apps' lv_pubsub_deliver, as a real
 * broker would between processes. The link from one app to the other can be
 * cut, which is what the other sees when a process dies. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <stdio.h>
#include <string.h>

#include "live/presence.h"

typedef struct fake_broker {
    lv_app *self;
    lv_app *peer;
    bool linked;       /* messages reach the peer */
    int listened;      /* topic_added calls for the presence topic */
} fake_broker;

static int fake_topic_added(void *ctx, const char *topic)
{
    fake_broker *b = ctx;
    if (strcmp(topic, LV_PRESENCE_TOPIC) == 0) b->listened++;
    return 0;
}

static void fake_topic_removed(void *ctx, const char *topic)
{
    (void)ctx;
    (void)topic;
}

static int fake_publish(void *ctx, const char *topic, const char *message, size_t len)
{
    fake_broker *b = ctx;
    lv_pubsub_deliver(b->self, topic, message, len);
    if (b->linked) lv_pubsub_deliver(b->peer, topic, message, len);
    return 0;
}

/* A view that tracks itself under its path's name in "room" and shows who
 * is there. */
static void show_room(lv_socket *s)
{
    lv_value *list = lv_presence_list(lv_socket_app(s), "room");
    lv_value *names = lv_list_new();
    for (size_t i = 0; i < lv_map_len(list); i++) {
        const lv_value *metas = lv_map_get(lv_map_value_at(list, i), "metas");
        char line[96];
        snprintf(line, sizeof line, "%s x%zu", lv_map_key_at(list, i), lv_list_len(metas));
        lv_list_push_str(names, line);
    }
    lv_assign_value(s, "names", names);
    lv_value_delete(list);
}

static int room_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)session;
    if (lv_connected(s)) {
        if (lv_subscribe(s, "room") != 0) return -1;
        const char *who = lv_param(params, "who");
        if (strcmp(who, "watcher") != 0 && lv_presence_track(s, "room", who, NULL) != 0) return -1;
    }
    show_room(s);
    return 0;
}

static int room_info(lv_socket *s, const char *name, const lv_params *payload)
{
    (void)payload;
    if (strcmp(name, "presence_diff") == 0) show_room(s);
    return 0;
}

static const lv_view room_view = {
    .name = "room",
    .template_text = "<ul>{{#each names as n}}<li>{{n}}</li>{{/each}}</ul>",
    .mount = room_mount,
    .handle_info = room_info,
};

static void quiet_log(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

static lv_app *app_a, *app_b;
static lv_test *t_a, *t_b;
static fake_broker broker_a, broker_b;

static lv_app *new_app(fake_broker *broker)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.log = quiet_log;
    lv_app *app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/room/:who", &room_view), 0);
    lv_app_set_broker(app, &(lv_broker){broker, fake_topic_added, fake_topic_removed, fake_publish});
    return app;
}

static void setup(void)
{
    app_a = new_app(&broker_a);
    app_b = new_app(&broker_b);
    broker_a = (fake_broker){app_a, app_b, true, 0};
    broker_b = (fake_broker){app_b, app_a, true, 0};
    t_a = lv_test_new(app_a);
    t_b = lv_test_new(app_b);
    cr_assert(t_a && t_b);
}

static void teardown(void)
{
    lv_test_free(t_a);
    lv_test_free(t_b);
    lv_app_free(app_a);
    lv_app_free(app_b);
}

/* Both clocks move one heartbeat, a first. */
static void beat_both(void)
{
    lv_test_advance(t_a, LV_PRESENCE_HEARTBEAT_MS);
    lv_test_advance(t_b, LV_PRESENCE_HEARTBEAT_MS);
}

static bool html_has(lv_test_view *v, const char *text)
{
    return strstr(lv_test_html(v), text) != NULL;
}

TestSuite(presence_cluster, .init = setup, .fini = teardown);

Test(presence_cluster, a_join_and_a_leave_on_one_app_reach_the_other)
{
    lv_test_view *watcher = lv_test_live(t_b, "/room/watcher");
    cr_assert_not_null(watcher);
    cr_assert_eq(broker_b.listened, 1, "the broker was asked for the presence topic once");
    lv_test_view *alice = lv_test_live(t_a, "/room/alice");
    lv_test_view *alice_again = lv_test_live(t_b, "/room/alice"); /* a second tab, on b */
    cr_assert(alice && alice_again);
    cr_assert(html_has(watcher, "<li>alice x2</li>"), "%s", lv_test_html(watcher));
    cr_assert(html_has(alice, "<li>alice x2</li>"), "%s", lv_test_html(alice));
    lv_test_close(alice);
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
    lv_test_close(alice_again);
    cr_assert_not(html_has(watcher, "alice"), "%s", lv_test_html(watcher));
    lv_value *list = lv_presence_list(app_b, "room");
    cr_assert_eq(lv_map_len(list), 0);
    lv_value_delete(list);
}

Test(presence_cluster, a_late_app_learns_who_is_there)
{
    broker_a.linked = broker_b.linked = false; /* b is not up yet */
    lv_test_view *alice = lv_test_live(t_a, "/room/alice");
    lv_test_view *bob = lv_test_live(t_a, "/room/bob");
    cr_assert(alice && bob);
    lv_test_close(bob);
    broker_a.linked = broker_b.linked = true;
    lv_test_view *watcher = lv_test_live(t_b, "/room/watcher");
    cr_assert_not_null(watcher);
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
    cr_assert_not(html_has(watcher, "bob"), "%s", lv_test_html(watcher));
}

Test(presence_cluster, heartbeats_keep_an_app_and_silence_drops_it)
{
    lv_test_view *watcher = lv_test_live(t_b, "/room/watcher");
    lv_test_view *alice = lv_test_live(t_a, "/room/alice");
    cr_assert(watcher && alice);
    for (int i = 0; i < 10; i++) beat_both();
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
    broker_a.linked = false; /* a dies, as far as b can tell */
    for (int i = 0; i < LV_PRESENCE_EXPIRY_BEATS - 1; i++) beat_both(); /* a's beats, missed */
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "within the expiry: %s", lv_test_html(watcher));
    beat_both(); /* the third missed beat */
    cr_assert_not(html_has(watcher, "alice"), "%s", lv_test_html(watcher));
    /* a comes back (the link heals): its next heartbeat brings alice back. */
    broker_a.linked = true;
    beat_both();
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
}

Test(presence_cluster, a_lost_leave_heals_with_the_state)
{
    lv_test_view *watcher = lv_test_live(t_b, "/room/watcher");
    lv_test_view *alice = lv_test_live(t_a, "/room/alice");
    lv_test_view *bob = lv_test_live(t_a, "/room/bob");
    cr_assert(watcher && alice && bob);
    broker_a.linked = false;
    lv_test_close(bob); /* b misses this leave */
    broker_a.linked = true;
    cr_assert(html_has(watcher, "<li>bob x1</li>"));
    beat_both(); /* a's heartbeat is ahead of what b applied: b asks, a answers */
    cr_assert_not(html_has(watcher, "bob"), "%s", lv_test_html(watcher));
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
}

Test(presence_cluster, garbage_on_the_presence_topic_is_ignored)
{
    lv_test_view *watcher = lv_test_live(t_b, "/room/watcher");
    lv_test_view *alice = lv_test_live(t_a, "/room/alice");
    cr_assert(watcher && alice);
    static const char *const garbage[] = {
        "", "not json", "[]", "{\"name\":\"presence\"}", "{\"name\":\"other\",\"payload\":{}}",
        "{\"name\":\"presence\",\"payload\":{\"kind\":\"state\",\"node\":\"zz\",\"vsn\":9,\"topics\":7}}",
        "{\"name\":\"presence\",\"payload\":{\"kind\":\"delta\",\"node\":\"zz\",\"vsn\":1,\"diffs\":"
        "{\"room\":{\"leaves\":{\"alice\":{\"metas\":[{\"phx_ref\":\"nope\"}]}}}}}}",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++)
        lv_pubsub_deliver(app_b, LV_PRESENCE_TOPIC, garbage[i], strlen(garbage[i]));
    cr_assert(html_has(watcher, "<li>alice x1</li>"), "%s", lv_test_html(watcher));
    lv_value *list = lv_presence_list(app_b, "room");
    cr_assert_eq(lv_map_len(list), 1);
    lv_value_delete(list);
}
