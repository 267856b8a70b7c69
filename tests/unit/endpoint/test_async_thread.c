/* Async assigns through a real server (lv_app_start): lv_assign_async's
 * work runs on libuv's thread pool and its result is applied on the view's
 * loop, pushed as a diff; many starts of the same names from one client
 * leave the latest one's result, whatever order the pool finishes them in;
 * lv_send_update_after fires on the loop's own timer. Every wait is for a
 * frame; none is a timing. Also run under ThreadSanitizer (make
 * test-tsan). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live/live.h"
#include "support/loopback.h"
#include "util/buf.h"

#define SECRET "a-test-secret-that-is-long-enough-0123456789abcdef"
#define STARTS 50

/* A pool thread: builds {"n": {"value": N}, "m": N} from its argument. */
static lv_value *work(void *arg)
{
    int64_t n = *(int64_t *)arg;
    lv_value *value = lv_map_new();
    lv_map_set_int(value, "value", n);
    lv_value *result = lv_map_new();
    lv_map_set(result, "n", value);
    lv_map_set_int(result, "m", n);
    return result;
}

static int start(lv_socket *s, int64_t n)
{
    int64_t *arg = malloc(sizeof *arg);
    cr_assert_not_null(arg);
    *arg = n;
    return lv_assign_async(s, "n, m", work, arg, free);
}

static int asy_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    return start(s, 0);
}

static int asy_event(lv_socket *s, const char *event, const lv_params *value)
{
    if (strcmp(event, "start") == 0) return start(s, lv_param_int(value, "n", -1));
    lv_value *assigns = lv_map_new();
    lv_map_set_str(assigns, "text", "later");
    int rc = lv_send_update_after(s, 1, "tag", "t", assigns) > 0 ? 0 : -1;
    lv_value_delete(assigns);
    return rc;
}

static const lv_component tag = {.name = "tag", .template_text = "<i>{{text}}</i>"};

static const lv_view asy_view = {
    .name = "asy",
    .template_text = "<p>{{#async_result n as v}}[n={{v.value}}]{{else loading}}[loading]{{/async_result}}"
                     "{{#async_result m}}[m={{m.result}}]{{/async_result}}</p>"
                     "{{component \"tag\" id=\"t\" text=\"now\"}}",
    .events = (const char *const[]){"start", "later", NULL},
    .mount = asy_mount,
    .handle_event = asy_event,
};

static lv_app *new_app(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = NULL;
    cfg.log_level = LV_LOG_WARN;
    cfg.workers = 2;
    lv_app *app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_component_register(app, &tag), 0);
    cr_assert_eq(lv_route(app, "/asy", &asy_view), 0);
    return app;
}

typedef struct client {
    int fd;
    lv_buf in;
    lv_buf seen; /* every frame so far */
} client;

static client join(int port)
{
    page p = load_page(port, "/asy", NULL);
    client c = {.in = LV_BUF_INIT, .seen = LV_BUF_INIT};
    c.fd = open_socket(port, &p, &c.in);
    lv_buf msg = LV_BUF_INIT;
    lv_buf_printf(&msg,
                  "[\"1\",\"1\",\"lv:%s\",\"phx_join\",{\"url\":\"http://127.0.0.1:%d/asy\","
                  "\"params\":{\"_csrf_token\":\"%s\",\"_mounts\":0},\"session\":\"%s\",\"static\":null}]",
                  p.id, port, p.csrf, p.session);
    send_text(c.fd, msg.data);
    lv_buf_free(&msg);
    return c;
}

/* Reads frames until one holds text; fails when the server closes. */
static void wait_for(client *c, const char *text)
{
    while (!c->seen.data || !strstr(c->seen.data, text)) {
        int opcode;
        char *frame = read_frame(c->fd, &c->in, &opcode);
        cr_assert_not_null(frame, "closed before %s arrived; saw %s", text, c->seen.data ? c->seen.data : "");
        lv_buf_puts(&c->seen, frame);
        lv_buf_putc(&c->seen, '\n');
        free(frame);
    }
}

TestSuite(async_thread, .timeout = 120);

Test(async_thread, results_come_back_to_the_loop_and_the_latest_start_wins)
{
    lv_app *app = new_app();
    cr_assert_eq(lv_app_start(app), 0);
    client c = join(lv_app_port(app));
    wait_for(&c, "\"status\":\"ok\"");
    wait_for(&c, "[n=");
    /* Events on the joined topic: take it from the first frame. */
    const char *topic = strstr(c.seen.data, "\"lv:");
    cr_assert_not_null(topic);
    char topic_text[64];
    size_t len = strcspn(topic + 1, "\"");
    cr_assert_lt(len, sizeof topic_text);
    memcpy(topic_text, topic + 1, len);
    topic_text[len] = '\0';
    for (int i = 1; i <= STARTS; i++) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "[\"1\",\"%d\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"start\",\"value\":{\"n\":%d}}]",
                 i + 1, topic_text, i);
        send_text(c.fd, msg);
    }
    /* Both assigns of the last start, in one diff (one job sets both). */
    char want[96];
    snprintf(want, sizeof want, "{\"0\":{\"0\":\"%d\"},\"1\":{\"0\":\"%d\"}}", STARTS, STARTS);
    wait_for(&c, want);

    char later[256];
    snprintf(later, sizeof later,
             "[\"1\",\"%d\",\"%s\",\"event\",{\"type\":\"click\",\"event\":\"later\",\"value\":{}}]", STARTS + 2,
             topic_text);
    send_text(c.fd, later);
    wait_for(&c, "\"later\"");
    /* No earlier start's result came after the latest one's. */
    char latest[32];
    snprintf(latest, sizeof latest, "{\"0\":\"%d\"}", STARTS);
    for (const char *p = strstr(c.seen.data, want) + strlen(want); (p = strstr(p, "{\"0\":{\"0\":\"")) != NULL; p++)
        cr_assert_eq(strncmp(p + 5, latest, strlen(latest)), 0, "a stale result after the latest: %s", p);

    lv_app_stop(app);
    cr_expect_eq(lv_app_wait(app), 0);
    close(c.fd);
    lv_buf_free(&c.in);
    lv_buf_free(&c.seen);
    lv_app_free(app);
}
