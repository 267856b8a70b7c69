/* libFuzzer target for the channel as a whole: one input is one connection.
 *
 * The input is a sequence of text frames separated by newlines (a raw
 * newline never occurs inside a JSON string, so a valid frame is never cut),
 * at most MAX_FRAMES of them, fed in order to a fresh lv_channel through its
 * I/O-free interface, as the server would after the WebSocket layer. In a
 * frame, "$SESSION" and "$SESSION2" stand for valid session tokens of two
 * views (topics lv:phx-chanfuzzchanfuzz and lv:phx-chanfuzz2chanfuzz2) and
 * "$CSRF" for the page's CSRF token, so the seeds (tests/fuzz/corpus/channel)
 * can join and the fuzzer explores what follows a join.
 *
 * The rule checked (docs/protocol.md §1.3): every push gets exactly one
 * reply. For each frame, the frames the channel sends while handling it may
 * hold at most one phx_reply; when the frame is well-formed JSON (by
 * jansson, independent of the channel's own reader) and an array whose
 * join_ref is a string or null and whose ref and topic are strings, it must
 * hold exactly one, carrying that ref and topic. Every frame sent must be a
 * Phoenix [join_ref, ref, topic, event, payload] array, and the views joined
 * never exceed the limit. After the last frame a heartbeat must still be
 * answered. Any violation aborts. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel/channel.h"
#include "live/live.h"
#include "security/csrf.h"
#include "security/token.h"
#include "util/buf.h"

#define MAX_FRAMES 64
#define MAX_VIEWS 3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, const char *data, size_t len)
{
    fprintf(stderr, "fuzz_channel: %s: %.*s\n", why, (int)(len > 500 ? 500 : len), data);
    abort();
}

/* ---- a view that subscribes, broadcasts, patches and fails on request ---- */

static int chan_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(s, "count", 0);
    lv_assign_str(s, "text", "");
    if (lv_connected(s)) lv_subscribe(s, "fuzz-room");
    return 0;
}

static int chan_event(lv_socket *s, const char *event, const lv_params *value)
{
    if (strcmp(event, "fail") == 0) return -1;
    if (strcmp(event, "inc") == 0)
        lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(value, "by", 1));
    const char *text = lv_param(value, "text");
    if (text) lv_assign_str(s, "text", text);
    if (strcmp(event, "shout") == 0) {
        lv_value *payload = lv_params_value(value, "payload");
        lv_broadcast(lv_socket_app(s), "fuzz-room", "shout", payload);
        lv_value_delete(payload);
    }
    const char *notify = lv_param(value, "notify");
    if (notify) lv_send_info(s, notify, NULL);
    const char *to = lv_param(value, "patch");
    if (to) lv_push_patch(s, to, false);
    return 0;
}

static int chan_info(lv_socket *s, const char *name, const lv_params *payload)
{
    if (strcmp(name, "fail") == 0) return -1;
    if (strcmp(name, "again") == 0) lv_send_info(s, "again", NULL); /* loops until the cap */
    lv_assign_int(s, "count", lv_get_int(s, "count") + lv_param_int(payload, "add", 1));
    return 0;
}

static int chan_params(lv_socket *s, const lv_params *params, const char *url)
{
    (void)url;
    const char *text = lv_param(params, "text");
    if (text && strcmp(text, "fail") == 0) return -1;
    if (text) lv_assign_str(s, "text", text);
    return 0;
}

static const lv_view chan_view = {
    .name = "chanfuzz",
    .template_text = "<p>{{count}}</p>{{#if text}}<span>{{text}}</span>{{/if}}",
    .events = (const char *const[]){"inc", "fail", "set", "shout", NULL},
    .mount = chan_mount,
    .handle_event = chan_event,
    .handle_params = chan_params,
    .handle_info = chan_info,
};

/* ---- what the channel sends while one frame is handled ---- */

static struct {
    size_t replies;
    char ref[256];   /* of the last reply, "" for null */
    char topic[256]; /* of the last reply */
} seen;

static void copy_str(char *dst, size_t cap, const json_t *v)
{
    snprintf(dst, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void check_frame(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    json_error_t err;
    json_t *v = json_loadb(data, len, JSON_ALLOW_NUL, &err);
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
        json_t *payload = json_array_get(v, 4);
        if (!json_is_string(json_object_get(payload, "status"))) fail("reply without a status", data, len);
        seen.replies++;
        copy_str(seen.ref, sizeof seen.ref, json_array_get(v, 1));
        copy_str(seen.topic, sizeof seen.topic, json_array_get(v, 2));
    }
    json_decref(v);
}

/* ---- set up once: the app and two signed sessions ---- */

static lv_app *app;
static char *sessions[2];
static char csrf_token[LV_CSRF_TOKEN_LEN + 1];

static char *sign_session(const char *id, const char *csrf_state, int64_t ttl)
{
    json_t *claims = json_pack("{s:s, s:s, s:s, s:{}}", "id", id, "route", "/c", "csrf", csrf_state, "session");
    char *token = lv_token_sign(&app->session_key, claims, lv_now_seconds(), ttl);
    json_decref(claims);
    return token;
}

static void setup(void)
{
    if (app) return;
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "channel fuzzing secret key base, 40 bytes";
    cfg.max_views_per_connection = MAX_VIEWS;
    cfg.session_ttl_s = 365 * 24 * 3600; /* outlives any fuzzing session */
    cfg.log_level = LV_LOG_ERROR;        /* the refusals it provokes are expected */
    app = lv_app_new(&cfg);
    if (!app || lv_route(app, "/c", &chan_view) != 0) fail("app setup failed", "", 0);
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_mask(state, csrf_token);
    sessions[0] = sign_session("phx-chanfuzzchanfuzz", state, cfg.session_ttl_s);
    sessions[1] = sign_session("phx-chanfuzz2chanfuzz2", state, cfg.session_ttl_s);
    if (!sessions[0] || !sessions[1]) fail("signing failed", "", 0);
}

/* Appends frame (len bytes) to out with the placeholders replaced. */
static void expand(lv_buf *out, const char *frame, size_t len)
{
    static const struct {
        const char *name;
        size_t len;
    } names[] = {{"$SESSION2", 9}, {"$SESSION", 8}, {"$CSRF", 5}};
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        for (; k < 3; k++)
            if (len - i >= names[k].len && memcmp(frame + i, names[k].name, names[k].len) == 0) break;
        if (k == 3) {
            lv_buf_putc(out, frame[i++]);
            continue;
        }
        lv_buf_puts(out, k == 0 ? sessions[1] : k == 1 ? sessions[0] : csrf_token);
        i += names[k].len;
    }
}

/* The reply the rule demands for frame: true with its ref and topic when
 * the frame is a well-formed push. */
static bool expects_reply(const char *frame, size_t len, char *ref, char *topic, size_t cap)
{
    json_error_t err;
    json_t *v = json_loadb(frame, len, 0, &err);
    bool push = v && json_is_array(v) && json_array_size(v) >= 3 &&
                (json_is_string(json_array_get(v, 0)) || json_is_null(json_array_get(v, 0))) &&
                json_is_string(json_array_get(v, 1)) && json_is_string(json_array_get(v, 2));
    if (push) {
        copy_str(ref, cap, json_array_get(v, 1));
        copy_str(topic, cap, json_array_get(v, 2));
    }
    json_decref(v);
    return push;
}

static void feed(lv_channel *ch, const char *frame, size_t len)
{
    char ref[256], topic[256];
    bool push = expects_reply(frame, len, ref, topic, sizeof ref);
    memset(&seen, 0, sizeof seen);
    /* An exact-size copy without a terminator, so reads past len are caught. */
    char *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, frame, len);
    lv_channel_handle_text(ch, copy, len);
    free(copy);
    if (seen.replies > 1) fail("a push got more than one reply", frame, len);
    if (push) {
        if (seen.replies != 1) fail("a push got no reply", frame, len);
        /* Refs longer than the buffers are compared by their prefix. */
        if (strcmp(seen.ref, ref) != 0) fail("the reply carries another ref", frame, len);
        if (strcmp(seen.topic, topic) != 0) fail("the reply carries another topic", frame, len);
    }
    if (ch->view_count > MAX_VIEWS) fail("more views than the limit", frame, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    lv_channel ch;
    lv_channel_init(&ch, app, check_frame, NULL);
    lv_buf frame = LV_BUF_INIT;
    const char *at = (const char *)data, *end = at + size;
    for (int n = 0; n < MAX_FRAMES && at <= end; n++) {
        const char *nl = memchr(at, '\n', (size_t)(end - at));
        const char *stop = nl ? nl : end;
        lv_buf_reset(&frame);
        expand(&frame, at, (size_t)(stop - at));
        feed(&ch, frame.data ? frame.data : "", frame.len);
        if (!nl) break;
        at = nl + 1;
    }
    static const char heartbeat[] = "[null,\"hb\",\"phoenix\",\"heartbeat\",{}]";
    feed(&ch, heartbeat, sizeof heartbeat - 1);
    lv_buf_free(&frame);
    lv_channel_close(&ch, LV_TERMINATE_CLOSED);
    return 0;
}
