/* An infinite-scroll feed (Phoenix's phx-viewport-top/-bottom pattern with
 * a stream): the page holds at most three pages of posts. Scrolling to the
 * last post sends "next-page", which appends the next page and drops the
 * oldest from the top (limit -60); scrolling back to the first sends
 * "prev-page", which puts the page before back on top and drops from the
 * bottom (limit 60). The server keeps only the window's first and last page
 * numbers; the posts live in the browser (docs/streams.md). The padding
 * below and above the list (while there is more to load) keeps the edge
 * posts from sitting in view after each load, as Phoenix's example does. */
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define PER_PAGE 20
#define TOTAL_POSTS 200
#define TOTAL_PAGES (TOTAL_POSTS / PER_PAGE)
#define WINDOW_PAGES 3

static const char *const topics[] = {"streams", "diffs", "hooks", "forms", "uploads", "presence", "JS commands"};

static void insert_page(lv_socket *socket, int64_t page, bool at_top)
{
    /* On top, the page goes in last post first so it ends up in order. */
    for (int64_t k = 0; k < PER_PAGE; k++) {
        int64_t n = at_top ? page * PER_PAGE - k : (page - 1) * PER_PAGE + k + 1;
        char text[96];
        snprintf(text, sizeof text, "Post %lld: a note about %s", (long long)n,
                 topics[n % (int64_t)(sizeof topics / sizeof *topics)]);
        lv_value *item = lv_map_new();
        lv_map_set_int(item, "id", n);
        lv_map_set_str(item, "text", text);
        lv_stream_insert(socket, "posts", item, at_top ? LV_STREAM_PREPEND : LV_STREAM_APPEND,
                         at_top ? WINDOW_PAGES * PER_PAGE : -WINDOW_PAGES * PER_PAGE);
    }
}

static void assign_window(lv_socket *socket, int64_t first, int64_t last)
{
    lv_assign_int(socket, "first_page", first);
    lv_assign_int(socket, "last_page", last);
    lv_assign_bool(socket, "at_end", last == TOTAL_PAGES);
    /* An edge with nothing more to load has no viewport event (false: the
     * attribute is left out), and no padding. */
    if (first == 1) lv_assign_bool(socket, "top_event", false);
    else lv_assign_str(socket, "top_event", "prev-page");
    if (last == TOTAL_PAGES) lv_assign_bool(socket, "bottom_event", false);
    else lv_assign_str(socket, "bottom_event", "next-page");
    char classes[64];
    snprintf(classes, sizeof classes, "scroll-feed%s%s", first == 1 ? "" : " pad-top",
             last == TOTAL_PAGES ? "" : " pad-bottom");
    lv_assign_str(socket, "feed_class", classes);
}

static int scroll_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "total_pages", TOTAL_PAGES);
    insert_page(socket, 1, false);
    assign_window(socket, 1, 1);
    return 0;
}

/* "next-page" and "prev-page" carry the edge post's id; "prev-page" with
 * _overran (the user scrolled past the top faster than pages came) starts
 * again from page 1. */
static int scroll_event(lv_socket *socket, const char *event, const lv_params *value)
{
    int64_t first = lv_get_int(socket, "first_page"), last = lv_get_int(socket, "last_page");
    if (event[0] == 'n') {
        if (last >= TOTAL_PAGES) return 0;
        insert_page(socket, ++last, false);
        if (last - first + 1 > WINDOW_PAGES) first++;
    } else if (lv_param(value, "_overran") && !strcmp(lv_param(value, "_overran"), "true")) {
        lv_stream_reset(socket, "posts");
        insert_page(socket, 1, false);
        first = last = 1;
    } else {
        if (first <= 1) return 0;
        insert_page(socket, --first, true);
        if (last - first + 1 > WINDOW_PAGES) last--;
    }
    assign_window(socket, first, last);
    return 0;
}

const lv_view lv_example_scroll = {
    .name = "scroll",
    .template_file = "scroll.html",
    .events = (const char *const[]){"next-page", "prev-page", NULL},
    .mount = scroll_mount,
    .handle_event = scroll_event,
};
