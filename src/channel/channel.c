#include "channel/channel.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "channel/phx.h"
#include "live/lifecycle.h"
#include "util/json.h"
#include "util/log.h"

/* The frame being sent, reused by every message of this thread: its
 * capacity stays with the thread, not with each of its connections. */
static _Thread_local lv_buf frame_scratch;

void lv_channel_thread_cleanup(void)
{
    lv_buf_free(&frame_scratch);
    lv_phx_thread_cleanup();
}

void lv_channel_init(lv_channel *ch, lv_app *app, lv_channel_send_fn send, void *send_ctx)
{
    memset(ch, 0, sizeof *ch);
    ch->app = app;
    ch->send = send;
    ch->send_ctx = send_ctx;
}

void lv_channel_set_connect_session(lv_channel *ch, const char *csrf_state)
{
    if (csrf_state && strlen(csrf_state) == LV_CSRF_STATE_LEN) {
        ch->connect = LV_CONNECT_VERIFIED;
        memcpy(ch->connect_csrf_state, csrf_state, LV_CSRF_STATE_LEN + 1);
    } else {
        ch->connect = LV_CONNECT_REFUSED;
        ch->connect_csrf_state[0] = '\0';
    }
}

void lv_channel_set_connect_info(lv_channel *ch, lv_connect_data *info)
{
    if (ch->connect_info) {
        lv_connect_data_free(ch->connect_info);
        free(ch->connect_info);
    }
    ch->connect_info = info;
}

static void flush_frame(lv_channel *ch)
{
    ch->send(ch->send_ctx, frame_scratch.data, frame_scratch.len);
    lv_buf_reset(&frame_scratch);
}

static void reply(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                  const char *status, const char *response)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_reply(&frame_scratch, join_ref, ref, topic, status, response, strlen(response));
    flush_frame(ch);
}

static void reply_error(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                        const char *reason)
{
    lv_buf response = LV_BUF_INIT;
    lv_buf_puts(&response, "{\"reason\":");
    lv_json_cstr(&response, reason);
    lv_buf_putc(&response, '}');
    reply(ch, join_ref, ref, topic, "error", response.data);
    lv_buf_free(&response);
}

static void push(lv_channel *ch, const char *join_ref, const char *topic, const char *event,
                 const char *payload, size_t payload_len)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_push(&frame_scratch, join_ref, NULL, topic, event, payload, payload_len);
    flush_frame(ch);
}

/* The channel closes: [jr, jr, topic, "phx_close", {}], as Phoenix sends it
 * (docs/protocol.md §1.6). */
static void push_close(lv_channel *ch, const char *join_ref, const char *topic)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_push(&frame_scratch, join_ref, join_ref, topic, "phx_close", "{}", 2);
    flush_frame(ch);
}

static lv_channel_view *find_view(lv_channel *ch, const char *topic)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (strcmp(ch->views[i].topic, topic) == 0) return &ch->views[i];
    return NULL;
}

/* Runs terminate and frees the view, keeping the order of the others. */
static void remove_view(lv_channel *ch, lv_channel_view *v, lv_terminate_reason reason)
{
    lv_view_end(v->socket, reason);
    free(v->topic);
    free(v->join_ref);
    size_t index = (size_t)(v - ch->views);
    memmove(v, v + 1, (ch->view_count - index - 1) * sizeof *v);
    ch->view_count--;
    if (ch->view_count == 0) {
        free(ch->views);
        ch->views = NULL;
        ch->view_cap = 0;
    }
}

/* Sends what a lifecycle call answered to the push `ref`. */
static void reply_answer(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                         const lv_answer *answer)
{
    lv_buf_reset(&frame_scratch);
    lv_phx_reply(&frame_scratch, join_ref, ref, topic, answer->ok ? "ok" : "error", answer->payload,
                 answer->len);
    flush_frame(ch);
}

static lv_channel_view *find_view_of_socket(lv_channel *ch, const lv_socket *socket)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (ch->views[i].socket == socket) return &ch->views[i];
    return NULL;
}

/* A joined view's push (a diff or a navigation after an info). */
static void push_view(void *ctx, lv_socket *socket, const char *event, const char *payload, size_t len)
{
    lv_channel *ch = ctx;
    lv_channel_view *v = find_view_of_socket(ch, socket);
    assert(v);
    push(ch, v->join_ref, v->topic, event, payload, len);
}

static void drain_infos(lv_channel *ch, lv_channel_view *v)
{
    lv_view_drain_infos(v->socket, push_view, ch);
}

/* Infos that arrive outside the channel's own work (a timer, a broadcast,
 * an async result) are handled at once; during the channel's work they wait
 * for the end of the message being handled. */
static void on_socket_notify(void *owner, lv_socket *socket)
{
    lv_channel *ch = owner;
    if (ch->busy) return;
    lv_channel_view *v = find_view_of_socket(ch, socket);
    if (!v) return;
    ch->busy = true;
    drain_infos(ch, v);
    ch->busy = false;
}

static void drain_all(lv_channel *ch)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (ch->views[i].socket->infos_head) drain_infos(ch, &ch->views[i]);
}

static void handle_join(lv_channel *ch, const lv_phx_msg *m)
{
    /* The join's own ref becomes the channel's join_ref (docs/protocol.md §1.4). */
    const char *join_ref = m->join_ref ? m->join_ref : m->ref;
    if (!join_ref) {
        reply_error(ch, NULL, NULL, m->topic, "join without a ref");
        return;
    }
    lv_channel_view *old = find_view(ch, m->topic);
    if (old) {
        /* A second join of a joined topic replaces the first (Phoenix closes
         * the old channel, then processes the new join). */
        push_close(ch, old->join_ref, old->topic);
        remove_view(ch, old, LV_TERMINATE_REPLACED);
    }
    if (ch->view_count >= ch->app->config.max_views_per_connection) {
        reply_error(ch, join_ref, m->ref, m->topic, "too many channels joined");
        return;
    }
    lv_join_context ctx = {
        .connect_refused = ch->connect == LV_CONNECT_REFUSED,
        .connect_state = ch->connect == LV_CONNECT_VERIFIED ? ch->connect_csrf_state : NULL,
        .connect_info = ch->connect_info,
    };
    lv_answer answer;
    lv_socket *socket = lv_view_join(ch->app, m->topic, m->payload, &ctx, &answer);
    reply_answer(ch, join_ref, m->ref, m->topic, &answer);
    if (!socket) return;

    if (ch->view_count == ch->view_cap) {
        ch->view_cap = ch->view_cap ? ch->view_cap * 2 : 1;
        ch->views = lv_xrealloc(ch->views, ch->view_cap * sizeof *ch->views);
    }
    lv_channel_view *v = &ch->views[ch->view_count++];
    v->topic = lv_xstrdup(m->topic);
    v->join_ref = lv_xstrdup(join_ref);
    v->socket = socket;
    socket->owner = ch;
    socket->notify = on_socket_notify;
}

static void handle_view_message(lv_channel *ch, lv_channel_view *v, const lv_phx_msg *m)
{
    if (strcmp(m->event, "phx_leave") == 0) {
        /* Reply first, then close: the client handles this order cleanly
         * (docs/protocol.md §1.6). */
        char *join_ref = lv_xstrdup(v->join_ref);
        char *topic = lv_xstrdup(v->topic);
        reply(ch, join_ref, m->ref, topic, "ok", "{}");
        remove_view(ch, v, LV_TERMINATE_LEAVE);
        push_close(ch, join_ref, topic);
        free(join_ref);
        free(topic);
        return;
    }
    lv_answer answer;
    lv_view_handle(v->socket, m->event, m->payload, &answer);
    reply_answer(ch, v->join_ref, m->ref, m->topic, &answer);
}

void lv_channel_handle_text(lv_channel *ch, const char *data, size_t len)
{
    lv_phx_msg m;
    lv_phx_status st = lv_phx_decode(data, len, &m);
    if (st != LV_PHX_OK) {
        /* Without a ref and a topic there is nobody to answer; with them
         * (a bad field, or a head recovered from a frame refused whole) the
         * client gets an error instead of waiting for a timeout and
         * reloading the page (docs/protocol.md §1.3). */
        if ((st == LV_PHX_BAD_FIELD || m.recovered) && m.ref && m.topic) {
            lv_log_warn("malformed message answered with an error: %s", lv_phx_status_str(st));
            reply_error(ch, m.join_ref, m.ref, m.topic, "malformed message");
        } else {
            lv_log_warn("malformed message ignored: %s", lv_phx_status_str(st));
        }
        lv_phx_msg_free(&m);
        return;
    }
    if (strcmp(m.topic, "phoenix") == 0) {
        if (strcmp(m.event, "heartbeat") == 0)
            reply(ch, NULL, m.ref, m.topic, "ok", "{}");
        else
            reply_error(ch, m.join_ref, m.ref, m.topic, "unmatched topic");
    } else if (strcmp(m.event, "phx_join") == 0 && strncmp(m.topic, "lv:", 3) == 0) {
        ch->busy = true;
        handle_join(ch, &m);
        ch->busy = false;
    } else {
        lv_channel_view *v = find_view(ch, m.topic);
        /* A message for an earlier join of the topic is as unmatched as one
         * for a topic never joined. */
        if (!v || (m.join_ref && strcmp(m.join_ref, v->join_ref) != 0)) {
            reply_error(ch, m.join_ref, m.ref, m.topic, "unmatched topic");
        } else {
            ch->busy = true;
            handle_view_message(ch, v, &m);
            ch->busy = false;
        }
    }
    lv_phx_msg_free(&m);
    /* Infos queued while the message was handled (by the view itself, or
     * broadcast to other views of this connection) go out now, after the
     * reply. */
    ch->busy = true;
    drain_all(ch);
    ch->busy = false;
}

void lv_channel_handle_binary(lv_channel *ch, const uint8_t *data, size_t len)
{
    /* Layout (docs/protocol.md §1.8): kind, four field lengths, the fields, then
     * the payload. Only upload chunks use it, and no upload channel exists
     * yet, so a well-formed push is answered "unmatched topic". */
    if (len < 5 || data[0] != 0) {
        lv_log_warn("malformed binary message ignored");
        return;
    }
    size_t lens[4] = {data[1], data[2], data[3], data[4]};
    size_t need = 5 + lens[0] + lens[1] + lens[2] + lens[3];
    if (need > len) {
        lv_log_warn("malformed binary message ignored: fields overrun the frame");
        return;
    }
    const char *p = (const char *)data + 5;
    char *join_ref = lv_xstrndup(p, lens[0]);
    char *ref = lv_xstrndup(p + lens[0], lens[1]);
    char *topic = lv_xstrndup(p + lens[0] + lens[1], lens[2]);
    reply_error(ch, lens[0] ? join_ref : NULL, ref, topic, "unmatched topic");
    free(join_ref);
    free(ref);
    free(topic);
}

void lv_channel_close(lv_channel *ch, lv_terminate_reason reason)
{
    while (ch->view_count > 0) remove_view(ch, &ch->views[ch->view_count - 1], reason);
    free(ch->views);
    ch->views = NULL;
    ch->view_cap = 0;
    lv_channel_set_connect_info(ch, NULL);
}
