/* /stream/limit (the suite's StreamLimitLive): a stream whose inserts go
 * at a configurable position with a configurable limit (positive: keep the
 * first n, negative: the last n), recreated with 10 items by the form. */
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "streams_views.h"

typedef struct stream_limit {
    int64_t last_id; /* the id of the last item inserted */
} stream_limit;

/* Inserts `count` new items with the configured at and limit. */
static int insert_items(lv_socket *socket, int count)
{
    stream_limit *s = lv_state(socket);
    int at = (int)lv_get_int(socket, "at"), limit = (int)lv_get_int(socket, "limit");
    for (int i = 0; i < count; i++) {
        lv_value *item = lv_map_new();
        lv_map_set_int(item, "id", ++s->last_id);
        if (lv_stream_insert(socket, "items", item, at, limit) != 0) return -1;
    }
    return 0;
}

/* at and limit as integers from the form's text; false when either is not
 * one (Phoenix's String.to_integer raises: the event fails). */
static bool parse_config(const lv_params *value, int *at, int *limit)
{
    const char *at_text = lv_param(value, "at"), *limit_text = lv_param(value, "limit");
    if (!at_text || !limit_text) return false;
    char *end;
    long a = strtol(at_text, &end, 10);
    if (end == at_text || *end) return false;
    long l = strtol(limit_text, &end, 10);
    if (end == limit_text || *end) return false;
    if (a < -1 || a > 1000000 || l < -1000000 || l > 1000000) return false;
    *at = (int)a;
    *limit = (int)l;
    return true;
}

/* A new stream: reset, then items 1..10 with at and limit. */
static int configure(lv_socket *socket, int at, int limit)
{
    stream_limit *s = lv_state(socket);
    lv_assign_int(socket, "at", at);
    lv_assign_int(socket, "limit", limit);
    s->last_id = 0;
    if (lv_stream_reset(socket, "items") != 0) return -1;
    return insert_items(socket, 10);
}

static int stream_limit_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    if (lv_stream(socket, "items", NULL) != 0) return -1;
    return configure(socket, -1, -5);
}

static int stream_limit_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "configure") == 0) {
        int at, limit;
        return parse_config(value, &at, &limit) ? configure(socket, at, limit) : -1;
    }
    if (strcmp(event, "insert_10") == 0) return insert_items(socket, 10);
    if (strcmp(event, "insert_1") == 0) return insert_items(socket, 1);
    if (strcmp(event, "clear") == 0) {
        stream_limit *s = lv_state(socket);
        s->last_id = 0;
        return lv_stream_reset(socket, "items");
    }
    return -1;
}

static const lv_view stream_limit_view = {
    .name = "conformance stream limit",
    .template_file = "stream_limit.html",
    .events = (const char *const[]){"configure", "insert_10", "insert_1", "clear", NULL},
    .state_size = sizeof(stream_limit),
    .mount = stream_limit_mount,
    .handle_event = stream_limit_event,
};

int conf_streams_limit_register(lv_app *app)
{
    if (lv_route(app, "/stream/limit", &stream_limit_view) != 0) return -1;
    return conf_streams_pages_register(app);
}
