/* A feed with a stream: new posts go on top, the page keeps the latest 50,
 * each post can be deleted, and "Clear" empties the feed. The server sends
 * each post once and forgets it: the view holds three counters, however
 * many posts it has shown (docs/streams.md).
 *
 * "Auto-post" starts an interval timer that posts every second, at most 60
 * times, then stops by itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define FEED_LIMIT 50     /* posts the page keeps */
#define BURST_MAX 100     /* posts one "burst" event may ask for */
#define AUTO_MAX_TICKS 60 /* an auto-posting run stops after this many */

typedef struct feed {
    int64_t next_id;
    int timer;     /* the auto-posting interval, 0 when off */
    int ticks;     /* posts of the current auto-posting run */
} feed;

static const char *const AUTHORS[] = {"ada", "grace", "linus", "barbara", "ken", "margaret"};
static const char *const PHRASES[] = {
    "shipped a fix for the flaky test",
    "is reading the LiveView client source",
    "thinks streams are neat",
    "benchmarked the diff engine again",
    "wants <b>bold</b> text (it stays text)",
    "found a typo in the docs",
    "is on call this week",
};

static void post(lv_socket *socket, feed *f)
{
    int64_t id = f->next_id++;
    char when[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%H:%M:%S", &tm);
    char text[128];
    snprintf(text, sizeof text, "#%lld %s", (long long)id, PHRASES[id % (int64_t)(sizeof PHRASES / sizeof *PHRASES)]);

    lv_value *item = lv_map_new();
    lv_map_set_int(item, "id", id);
    lv_map_set_str(item, "author", AUTHORS[id % (int64_t)(sizeof AUTHORS / sizeof *AUTHORS)]);
    lv_map_set_str(item, "text", text);
    lv_map_set_str(item, "time", when);
    lv_stream_insert(socket, "posts", item, LV_STREAM_PREPEND, FEED_LIMIT);
    lv_assign_int(socket, "posted", id);
}

static void stop_auto(lv_socket *socket, feed *f)
{
    if (f->timer > 0) lv_cancel_timer(socket, f->timer);
    f->timer = 0;
    f->ticks = 0;
    lv_assign_bool(socket, "auto", false);
}

static int feed_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    feed *f = lv_state(socket);
    f->next_id = 1;
    if (lv_stream(socket, "posts", &(lv_stream_opts){.limit = FEED_LIMIT}) != 0) return -1;
    lv_assign_bool(socket, "auto", false);
    lv_assign_int(socket, "limit", FEED_LIMIT);
    for (int i = 0; i < 3; i++) post(socket, f);
    return 0;
}

static int feed_event(lv_socket *socket, const char *event, const lv_params *value)
{
    feed *f = lv_state(socket);
    if (strcmp(event, "post") == 0) {
        post(socket, f);
    } else if (strcmp(event, "burst") == 0) {
        int64_t n = lv_param_int(value, "count", 10);
        if (n < 1 || n > BURST_MAX) return -1;
        for (int64_t i = 0; i < n; i++) post(socket, f);
    } else if (strcmp(event, "delete") == 0) {
        const char *id = lv_param(value, "id");
        if (!id || strncmp(id, "posts-", 6) != 0) return -1;
        return lv_stream_delete(socket, "posts", id);
    } else if (strcmp(event, "clear") == 0) {
        return lv_stream_reset(socket, "posts");
    } else if (strcmp(event, "auto") == 0) {
        if (f->timer > 0) {
            stop_auto(socket, f);
        } else {
            f->timer = lv_send_interval(socket, 1000, "tick", NULL);
            if (f->timer < 0) {
                f->timer = 0;
                return -1;
            }
            f->ticks = 0;
            lv_assign_bool(socket, "auto", true);
        }
    }
    return 0;
}

static int feed_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)payload;
    feed *f = lv_state(socket);
    if (strcmp(name, "tick") != 0 || f->timer == 0) return 0;
    post(socket, f);
    if (++f->ticks >= AUTO_MAX_TICKS) stop_auto(socket, f);
    return 0;
}

const lv_view lv_example_feed = {
    .name = "feed",
    .template_text =
        "<main>\n"
        "<h1>Feed</h1>\n"
        "<p class=\"muted\">A stream: each post travels to the browser once and the server forgets it. "
        "The page keeps the latest {{limit}}; <span id=\"posted\">{{posted}}</span> posted so far.</p>\n"
        "<div class=\"toolbar\">\n"
        "  <button id=\"post\" phx-click=\"post\">Post</button>\n"
        "  <button id=\"burst\" phx-click=\"burst\" phx-value-count=\"10\">Post 10</button>\n"
        "  <button id=\"auto\" phx-click=\"auto\">{{#if auto}}Stop auto-posting{{else}}Auto-post every "
        "second{{/if}}</button>\n"
        "  <button id=\"clear\" phx-click=\"clear\">Clear</button>\n"
        "</div>\n"
        "<ul id=\"posts\" class=\"feed\" phx-update=\"stream\">\n"
        "  {{#stream posts as post}}\n"
        "  <li id=\"{{post.dom_id}}\"><span class=\"author\">{{post.author}}</span>"
        "<span class=\"text\">{{post.text}}</span><time>{{post.time}}</time>"
        "<button class=\"delete\" phx-click=\"delete\" phx-value-id=\"{{post.dom_id}}\" "
        "aria-label=\"delete post {{post.id}}\">&times;</button></li>\n"
        "  {{/stream}}\n"
        "</ul>\n"
        "</main>",
    .events = (const char *const[]){"post", "burst", "delete", "clear", "auto", NULL},
    .state_size = sizeof(feed),
    .mount = feed_mount,
    .handle_event = feed_event,
    .handle_info = feed_info,
};
