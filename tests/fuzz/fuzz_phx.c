/* libFuzzer target for the Phoenix V2 codec and the channel state machine.
 *
 * Each input is used four ways:
 * 1. decoded with lv_phx_decode (OK must come with all fields set);
 * 2. fed to a channel as a text frame;
 * 3. wrapped as the payload of an event on a joined view, and as an event
 *    name, so that the view code paths are reached without guessing the
 *    random-looking topic;
 * 4. fed to the channel as a binary frame.
 *
 * The channel is set up once, with a joined view on a known topic (the
 * session is signed by hand with the app's key). Every frame it sends must
 * be a JSON array of five elements. It is closed and set up again every
 * RESET_EVERY inputs, and rejoined whenever the input left it with no view,
 * so its state stays bounded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"
#include "channel/phx.h"
#include "live/live.h"
#include "support/page.h"
#include "security/csrf.h"
#include "security/token.h"
#include "util/buf.h"

#define RESET_EVERY 256
#define TOPIC "lv:phx-fuzzfuzzfuzzfuzz"
#define VIEW_ID "phx-fuzzfuzzfuzzfuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, const char *data, size_t len)
{
    fprintf(stderr, "fuzz_phx: %s: %.*s\n", why, (int)(len > 500 ? 500 : len), data);
    abort();
}

/* ---- a view with a little of everything ---- */

static int fuzz_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    lv_assign_str(s, "text", "");
    return 0;
}

static int fuzz_event(lv_socket *s, const char *event, const lv_params *value)
{
    if (strcmp(event, "fail") == 0) return -1;
    if (strcmp(event, "inc") == 0)
        lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(value, "by", 1));
    const char *text = lv_param(value, "text");
    if (text) lv_assign_str(s, "text", text);
    const char *notify = lv_param(value, "notify");
    if (notify) {
        /* Whatever the message holds: a map is queued, anything else refused. */
        lv_value *payload = lv_params_value(value, "payload");
        lv_send_info(s, notify, payload);
        lv_value_delete(payload);
    }
    return 0;
}

static int fuzz_info(lv_socket *s, const char *name, const lv_params *payload)
{
    if (strcmp(name, "fail") == 0) return -1;
    if (strcmp(name, "again") == 0) lv_send_info(s, "again", NULL); /* loops until the cap */
    lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(payload, "add", 1));
    return 0;
}

static int fuzz_params(lv_socket *s, const lv_params *params, const char *url)
{
    (void)url;
    const char *text = lv_param(params, "text");
    if (text && strcmp(text, "fail") == 0) return -1;
    if (text) lv_assign_str(s, "text", text);
    return 0;
}

static void fuzz_terminate(lv_socket *s, lv_terminate_reason reason)
{
    (void)s;
    (void)reason;
}

static const lv_view fuzz_view = {
    .name = "fuzz",
    .template_text = "<p>{{count}}</p><span>{{text}}</span>",
    .events = (const char *const[]){"inc", "fail", "set", NULL},
    .mount = fuzz_mount,
    .handle_event = fuzz_event,
    .handle_params = fuzz_params,
    .handle_info = fuzz_info,
    .terminate = fuzz_terminate,
};

/* ---- the fake transport ---- */

static size_t frames_sent;

static void check_frame(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    json_error_t err;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!v) fail("sent a frame that is not JSON", data, len);
    if (!json_is_array(v) || json_array_size(v) != 5) fail("sent a frame that is not [5]", data, len);
    for (size_t i = 0; i < 2; i++) {
        json_t *r = json_array_get(v, i);
        if (!json_is_string(r) && !json_is_null(r)) fail("a ref is neither string nor null", data, len);
    }
    if (!json_is_string(json_array_get(v, 2))) fail("topic is not a string", data, len);
    if (!json_is_string(json_array_get(v, 3))) fail("event is not a string", data, len);
    if (!json_is_object(json_array_get(v, 4))) fail("payload is not an object", data, len);
    if (strcmp(json_string_value(json_array_get(v, 3)), "phx_reply") == 0) {
        json_t *status = json_object_get(json_array_get(v, 4), "status");
        if (!json_is_string(status)) fail("reply without a status", data, len);
        if (!json_is_object(json_object_get(json_array_get(v, 4), "response")))
            fail("reply without a response object", data, len);
    }
    json_decref(v);
    frames_sent++;
}

/* ---- set up once ---- */

static lv_app *app;
static lv_channel ch;
static char *session_token;
static char csrf_token[LV_CSRF_TOKEN_LEN + 1];
static unsigned runs;

static void join(void)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_printf(&b, "[\"1\",\"1\",\"" TOPIC "\",\"phx_join\",{\"url\":\"http://h/f?text=x\","
                      "\"params\":{\"_csrf_token\":\"%s\"},\"session\":\"%s\"}]",
                  csrf_token, session_token);
    size_t before = frames_sent;
    lv_channel_handle_text(&ch, b.data, b.len);
    lv_buf_free(&b);
    if (ch.view_count != 1 || frames_sent != before + 1) fail("setup join failed", "", 0);
}

static void setup(void)
{
    if (app) return;
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "fuzzing secret key base, forty bytes lo";
    cfg.max_views_per_connection = 4;
    /* Long enough that the token outlives any fuzzing session. */
    cfg.session_ttl_s = 365 * 24 * 3600;
    app = lv_app_new(&cfg);
    if (!app || lv_route(app, "/f", &fuzz_view) != 0) fail("app setup failed", "", 0);

    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_mask(state, csrf_token);
    json_t *claims = json_pack("{s:s, s:s, s:s, s:{}}", "id", VIEW_ID, "route", "/f", "csrf", state,
                               "session");
    session_token = lv_token_sign(&app->session_key, claims, lv_now_seconds(), cfg.session_ttl_s);
    json_decref(claims);
    lv_channel_init(&ch, app, check_frame, NULL);
    join();
}

static void reset(void)
{
    lv_channel_close(&ch, LV_TERMINATE_CLOSED);
    lv_channel_init(&ch, app, check_frame, NULL);
    join();
}

/* ---- the four uses of an input ---- */

static void decode(const uint8_t *data, size_t size)
{
    lv_phx_msg m;
    lv_phx_status st = lv_phx_decode((const char *)data, size, &m);
    if (st == LV_PHX_OK && (!m.topic || !m.event || !m.payload || m.payload->kind != LV_VALUE_MAP))
        fail("OK without its fields", (const char *)data, size);
    if (st == LV_PHX_NOT_JSON || st == LV_PHX_TOO_DEEP) {
        if (m.root.kind != LV_VALUE_NULL) fail("root kept on a parse failure", (const char *)data, size);
    }
    if (!lv_phx_status_str(st)) fail("status without a description", "", 0);
    lv_phx_msg_free(&m);
}

/* Sends a text frame; check_frame validates whatever comes back. */
static void send_text(const char *text, size_t len)
{
    lv_channel_handle_text(&ch, text, len);
}

static void wrapped(const uint8_t *data, size_t size)
{
    lv_buf b = LV_BUF_INIT;
    /* The input as the payload of an event on the joined view. */
    lv_buf_puts(&b, "[\"1\",\"2\",\"" TOPIC "\",\"event\",");
    lv_buf_append(&b, data, size);
    lv_buf_putc(&b, ']');
    send_text(b.data, b.len);

    /* The input as an event's value and as a form's url-encoded value. */
    json_t *value = json_stringn((const char *)data, size);
    if (value) {
        json_t *msg = json_pack("[s,s,s,s,{s:s,s:s,s:O}]", "1", "3", TOPIC, "event", "type", "form",
                                "event", size % 2 ? "inc" : "set", "value", value);
        char *text = json_dumps(msg, JSON_COMPACT);
        send_text(text, strlen(text));
        free(text);
        json_decref(msg);

        /* The input as a live_patch URL's query. */
        lv_buf_reset(&b);
        lv_buf_puts(&b, "http://h/f?");
        lv_buf_append(&b, data, size);
        json_t *url = json_stringn(b.data, b.len);
        if (url) {
            msg = json_pack("[s,s,s,s,{s:O}]", "1", "4", TOPIC, "live_patch", "url", url);
            text = json_dumps(msg, JSON_COMPACT);
            send_text(text, strlen(text));
            free(text);
            json_decref(msg);
            json_decref(url);
        }
        json_decref(value);
    }
    lv_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (++runs % RESET_EVERY == 0) reset();

    decode(data, size);

    /* A private copy without a terminator, so reads past size are caught. */
    char *copy = malloc(size ? size : 1);
    if (size) memcpy(copy, data, size);
    send_text(copy, size);
    free(copy);
    if (ch.view_count == 0) join();

    wrapped(data, size);
    if (ch.view_count == 0) join();

    lv_channel_handle_binary(&ch, data, size);
    if (ch.view_count > app->config.max_views_per_connection)
        fail("more views than the limit", "", 0);
    return 0;
}
