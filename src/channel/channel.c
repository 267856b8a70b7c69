#include "channel/channel.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "channel/phx.h"
#include "channel/upload_frame.h"
#include "live/lifecycle.h"
#include "live/upload.h"
#include "util/json.h"
#include "util/log.h"
#include "util/value_json.h"

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

static void forget_upload(lv_channel *ch, uint32_t i)
{
    free(ch->uploads[i].topic);
    free(ch->uploads[i].join_ref);
    memmove(ch->uploads + i, ch->uploads + i + 1, (ch->upload_count - i - 1) * sizeof *ch->uploads);
    if (--ch->upload_count == 0) {
        free(ch->uploads);
        ch->uploads = NULL;
    }
}

static void remove_view(lv_channel *ch, lv_channel_view *v, lv_terminate_reason reason);
static lv_channel_view *find_view_of_socket(lv_channel *ch, const lv_socket *socket);

/* A view's nested children (live_render) end before it, each closed to the
 * client, as Phoenix's child stops when its parent does. */
static void remove_children(lv_channel *ch, const lv_socket *parent, lv_terminate_reason reason)
{
    for (;;) {
        lv_channel_view *child = NULL;
        for (uint32_t i = 0; i < ch->view_count && !child; i++)
            if (ch->views[i].socket->view_parent == parent) child = &ch->views[i];
        if (!child) return;
        char *join_ref = lv_xstrdup(child->join_ref), *topic = lv_xstrdup(child->topic);
        remove_view(ch, child, reason);
        /* A crashed parent's children are destroyed by the client itself
         * when it sees the parent's phx_error. */
        if (reason != LV_TERMINATE_CLOSED && reason != LV_TERMINATE_SHUTDOWN && reason != LV_TERMINATE_CRASHED)
            push_close(ch, join_ref, topic);
        free(join_ref);
        free(topic);
    }
}

/* Runs terminate and frees the view, keeping the order of the others. Its
 * upload channels and its nested children go with it (the view removes
 * their files). */
static void remove_view(lv_channel *ch, lv_channel_view *v, lv_terminate_reason reason)
{
    lv_socket *socket = v->socket;
    remove_children(ch, socket, reason);
    /* Removing children moved the views: find this one again. */
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (ch->views[i].socket == socket) v = &ch->views[i];
    for (uint32_t i = ch->upload_count; i-- > 0;)
        if (ch->uploads[i].socket == v->socket) forget_upload(ch, i);
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

/* A view crashed (its callback failed): [jr, jr, topic, "phx_error", {}],
 * as Phoenix's socket sends when a channel process dies, and the view ends.
 * The client shows the error and rejoins the topic, mounting from scratch.
 * A view linked to its parent (lv_link_parent) takes the parent down too. */
static void crash_view(lv_channel *ch, lv_channel_view *v)
{
    while (v) {
        lv_buf_reset(&frame_scratch);
        lv_phx_push(&frame_scratch, v->join_ref, v->join_ref, v->topic, "phx_error", "{}", 2);
        flush_frame(ch);
        const lv_socket *parent = v->socket->linked_to_parent ? v->socket->view_parent : NULL;
        remove_view(ch, v, LV_TERMINATE_CRASHED);
        v = parent ? find_view_of_socket(ch, parent) : NULL;
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

/* A nested view's parent: a view joined here with that id. */
static lv_socket *find_joined_view(void *ctx, const char *id)
{
    lv_channel *ch = ctx;
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (strcmp(ch->views[i].socket->id, id) == 0) return ch->views[i].socket;
    return NULL;
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
        .find_view = find_joined_view,
        .find_ctx = ch,
    };
    lv_answer answer;
    lv_socket *socket = lv_view_join(ch->app, m->topic, m->payload, &ctx, &answer);
    reply_answer(ch, join_ref, m->ref, m->topic, &answer);
    if (!socket) {
        /* A nested view linked to its parent failed its mount: the parent
         * crashes with it. */
        lv_channel_view *parent = answer.crashed_parent ? find_view_of_socket(ch, answer.crashed_parent) : NULL;
        if (parent) crash_view(ch, parent);
        return;
    }

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

/* ---- upload channels: "lvu:<entry ref>" (docs/uploads.md) ---- */

static lv_channel_upload *find_upload(lv_channel *ch, const char *topic, size_t len)
{
    for (uint32_t i = 0; i < ch->upload_count; i++)
        if (strlen(ch->uploads[i].topic) == len && memcmp(ch->uploads[i].topic, topic, len) == 0)
            return &ch->uploads[i];
    return NULL;
}

static lv_channel_view *find_view_by_id(lv_channel *ch, const char *id)
{
    for (uint32_t i = 0; i < ch->view_count; i++)
        if (strcmp(ch->views[i].socket->id, id) == 0) return &ch->views[i];
    return NULL;
}

/* The view closed an entry's channel (consumed, cancelled, timed out). */
static void close_upload_channel(void *ctx, lv_socket *socket, const char *entry_ref)
{
    lv_channel *ch = ctx;
    for (uint32_t i = 0; i < ch->upload_count; i++) {
        lv_channel_upload *u = &ch->uploads[i];
        if (u->socket == socket && strcmp(u->topic + 4, entry_ref) == 0) {
            push_close(ch, u->join_ref, u->topic);
            forget_upload(ch, i);
            return;
        }
    }
}

/* A join of "lvu:<entry ref>" with {"token": ...}: the token names the
 * view, which must be joined on this same connection. */
static void handle_upload_join(lv_channel *ch, const lv_phx_msg *m)
{
    const char *join_ref = m->join_ref ? m->join_ref : m->ref;
    const char *entry_ref = m->topic + 4;
    if (!join_ref) {
        reply_error(ch, NULL, NULL, m->topic, "join without a ref");
        return;
    }
    if (find_upload(ch, m->topic, strlen(m->topic))) {
        reply_error(ch, join_ref, m->ref, m->topic, "already_registered");
        return;
    }
    char view_id[LV_ID_LEN + 1], conf_ref[LV_ID_LEN + 1];
    lv_channel_view *v = NULL;
    if (lv_upload_token_verify(ch->app, lv_value_str_at(m->payload, "token"), entry_ref, view_id, sizeof view_id,
                               conf_ref, sizeof conf_ref))
        v = find_view_by_id(ch, view_id);
    if (!v) {
        lv_log_warn("upload join of %.64s refused: invalid token (forged, expired, another entry's, or its view "
                    "is not joined here)", m->topic);
        reply_error(ch, join_ref, m->ref, m->topic, "invalid_token");
        return;
    }
    if (ch->upload_count >= ch->app->config.max_views_per_connection) {
        reply_error(ch, join_ref, m->ref, m->topic, "too many channels joined");
        return;
    }
    const char *refused = lv_upload_join(v->socket, conf_ref, entry_ref);
    if (refused) {
        reply_error(ch, join_ref, m->ref, m->topic, refused);
        return;
    }
    lv_uploads_set_closer(v->socket, close_upload_channel, ch);
    ch->uploads = lv_xrealloc(ch->uploads, (ch->upload_count + 1) * sizeof *ch->uploads);
    ch->uploads[ch->upload_count++] = (lv_channel_upload){lv_xstrdup(m->topic), lv_xstrdup(join_ref), v->socket};
    reply(ch, join_ref, m->ref, m->topic, "ok", "{}");
}

/* A text message on a joined (or not) upload channel: only phx_leave means
 * anything; chunks come as binary frames. */
static void handle_upload_text(lv_channel *ch, const lv_phx_msg *m)
{
    lv_channel_upload *u = find_upload(ch, m->topic, strlen(m->topic));
    if (!u || (m->join_ref && strcmp(m->join_ref, u->join_ref) != 0)) {
        reply_error(ch, m->join_ref, m->ref, m->topic, "unmatched topic");
        return;
    }
    if (strcmp(m->event, "phx_leave") != 0) {
        reply_error(ch, u->join_ref, m->ref, m->topic, "unknown event");
        return;
    }
    char *join_ref = lv_xstrdup(u->join_ref);
    lv_socket *socket = u->socket;
    forget_upload(ch, (uint32_t)(u - ch->uploads));
    reply(ch, join_ref, m->ref, m->topic, "ok", "{}");
    lv_upload_leave(socket, m->topic + 4);
    push_close(ch, join_ref, m->topic);
    free(join_ref);
}

static void reply_chunk_error(lv_channel *ch, const char *join_ref, const char *ref, const char *topic,
                              const char *reason, int64_t limit)
{
    lv_buf response = LV_BUF_INIT;
    lv_buf_puts(&response, "{\"reason\":");
    lv_json_cstr(&response, reason);
    if (limit >= 0) lv_buf_printf(&response, ",\"limit\":%lld", (long long)limit);
    lv_buf_putc(&response, '}');
    reply(ch, join_ref, ref, topic, "error", response.data);
    lv_buf_free(&response);
}

static void handle_chunk(lv_channel *ch, const lv_upload_frame *f)
{
    char *join_ref = lv_xstrndup(f->join_ref.ptr, f->join_ref.len);
    char *ref = lv_xstrndup(f->ref.ptr, f->ref.len);
    char *topic = lv_xstrndup(f->topic.ptr, f->topic.len);
    lv_channel_upload *u = find_upload(ch, f->topic.ptr, f->topic.len);
    if (!u || strcmp(join_ref, u->join_ref) != 0) {
        reply_error(ch, f->join_ref.len ? join_ref : NULL, ref, topic, "unmatched topic");
    } else if (!lv_upload_field_eq(f->event, "chunk")) {
        reply_error(ch, join_ref, ref, topic, "unknown event");
    } else {
        /* A frame over the decoder's bound (TOO_LARGE) is far over any
         * chunk_size: the view refuses it by its length alone. */
        int64_t limit = -1;
        lv_socket *socket = u->socket;
        const char *refused = lv_upload_chunk(socket, topic + 4, f->payload, f->payload_len, &limit);
        if (!refused) {
            reply(ch, join_ref, ref, topic, "ok", "{}");
        } else {
            /* The entry has ended (its file removed): refuse and close, as
             * Phoenix's upload channel stops. */
            reply_chunk_error(ch, join_ref, ref, topic, refused, limit);
            forget_upload(ch, (uint32_t)(u - ch->uploads));
            push_close(ch, join_ref, topic);
        }
    }
    free(join_ref);
    free(ref);
    free(topic);
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
    if (answer.crashed) {
        /* No reply: the process that would have sent it died (Phoenix). */
        crash_view(ch, v);
        return;
    }
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
    } else if (strncmp(m.topic, "lvu:", 4) == 0) {
        ch->busy = true;
        if (strcmp(m.event, "phx_join") == 0)
            handle_upload_join(ch, &m);
        else
            handle_upload_text(ch, &m);
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
    /* Only upload chunks come as binary frames (docs/protocol.md §1.8). The
     * decoder's bound is the largest chunk any config may ask for; each
     * entry's own chunk_size is checked by the view. */
    lv_upload_frame f;
    lv_upload_frame_status st = lv_upload_frame_decode(data, len, ch->app->config.max_message_bytes, &f);
    if (st != LV_UPLOAD_FRAME_OK && st != LV_UPLOAD_FRAME_TOO_LARGE) {
        /* Without a whole header there is nobody to answer. */
        lv_log_warn("malformed binary message ignored: %s", lv_upload_frame_status_str(st));
        return;
    }
    ch->busy = true;
    handle_chunk(ch, &f);
    ch->busy = false;
    ch->busy = true;
    drain_all(ch);
    ch->busy = false;
}

void lv_channel_close(lv_channel *ch, lv_terminate_reason reason)
{
    while (ch->upload_count > 0) forget_upload(ch, ch->upload_count - 1);
    while (ch->view_count > 0) remove_view(ch, &ch->views[ch->view_count - 1], reason);
    free(ch->views);
    ch->views = NULL;
    ch->view_cap = 0;
    lv_channel_set_connect_info(ch, NULL);
}
