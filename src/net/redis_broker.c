/* The Redis broker's thread: its own libuv loop, two hiredis async
 * connections (on libuv, the adapter below), and the queue other threads
 * fill.
 *
 * State shared with other threads (the wanted topics, the publish queue,
 * stopping) is under `lock`; other threads wake the broker's loop with
 * `wake`. Everything else (the connections, the outage bookkeeping) belongs
 * to the broker's thread. The two connections live and die together: when
 * either fails, both are closed and the pair is opened again after a
 * backoff, and on the new SUBSCRIBE connection every wanted topic is
 * subscribed again. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <uv.h>

#include "net/redis_broker.h"
#include "util/log.h"
#include "util/random.h"

#define LOG_INTERVAL_MS 10000

typedef struct wanted_topic {
    char *topic;
    unsigned refs;   /* topic_added minus topic_removed */
    bool subscribed; /* SUBSCRIBE sent on the current connection */
} wanted_topic;

typedef struct pending_publish {
    struct pending_publish *next;
    lv_buf channel;
    lv_buf frame;
} pending_publish;

struct lv_redis_broker {
    lv_redis_url url;
    lv_node_id node;
    lv_redis_deliver_fn deliver;
    void *deliver_ctx;
    pthread_t thread;
    uv_loop_t loop;
    uv_async_t wake;
    uv_timer_t retry;

    pthread_mutex_t lock; /* guards what follows, up to the thread's own */
    bool stopping;
    wanted_topic *topics;
    size_t topic_count;
    bool topics_dirty;
    pending_publish *queue_head, *queue_tail;
    size_t queued, queued_bytes;
    lv_log_limiter full_limiter;

    atomic_bool up;                   /* both connections ready: publishes are queued */
    atomic_uint_fast64_t dropped;     /* publishes dropped while down, since the last report */

    /* The broker thread's own. */
    redisAsyncContext *sub, *pub;
    bool sub_connected, pub_connected;
    bool link_up, ever_up, outage_logged, shutting_down;
    uint64_t down_since_ms;
    unsigned attempt;
    size_t resubscribe_acks; /* subscribe confirmations awaited before saying so */
    size_t resubscribed;     /* topics subscribed when the link came up */
    char node_hex[2 * LV_REDIS_NODE_ID_BYTES + 1]; /* for the log (and tests) */
    lv_log_limiter malformed_limiter, auth_limiter;
};

static uint64_t now_ms(void)
{
    return uv_hrtime() / 1000000u;
}

static void channel_of(lv_buf *out, const char *topic)
{
    lv_buf_puts(out, LV_REDIS_CHANNEL_PREFIX);
    lv_buf_puts(out, topic);
}

/* ------------------------------------------------------------------------
 * hiredis on libuv. This is hiredis/adapters/libuv.h as hiredis 1.x has it:
 * the 0.14 one Debian 12 ships ignores a poll error, and libuv reports a
 * refused connect as one (POLLERR -> UV_EBADF), so an attempt to reach a
 * Redis that is down would wait forever instead of failing and backing off.
 * ------------------------------------------------------------------------ */

typedef struct uv_redis_events {
    redisAsyncContext *context;
    uv_poll_t handle;
    int events;
} uv_redis_events;

static void uv_redis_poll(uv_poll_t *handle, int status, int events)
{
    uv_redis_events *p = handle->data;
    /* On an error, let hiredis find out what it was from the socket. */
    int ready = status ? p->events : events;
    if (p->context && (ready & UV_READABLE)) redisAsyncHandleRead(p->context);
    if (p->context && (ready & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

static void uv_redis_update(uv_redis_events *p, int add, int remove)
{
    p->events = (p->events | add) & ~remove;
    if (p->events)
        uv_poll_start(&p->handle, p->events, uv_redis_poll);
    else
        uv_poll_stop(&p->handle);
}

static void uv_redis_add_read(void *data) { uv_redis_update(data, UV_READABLE, 0); }
static void uv_redis_del_read(void *data) { uv_redis_update(data, 0, UV_READABLE); }
static void uv_redis_add_write(void *data) { uv_redis_update(data, UV_WRITABLE, 0); }
static void uv_redis_del_write(void *data) { uv_redis_update(data, 0, UV_WRITABLE); }

static void uv_redis_closed(uv_handle_t *handle)
{
    free(handle->data);
}

static void uv_redis_cleanup(void *data)
{
    uv_redis_events *p = data;
    p->context = NULL; /* hiredis is freeing it */
    uv_close((uv_handle_t *)&p->handle, uv_redis_closed);
}

static int uv_redis_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
    if (ac->ev.data) return REDIS_ERR;
    uv_redis_events *p = lv_xcalloc(1, sizeof *p);
    if (uv_poll_init(loop, &p->handle, ac->c.fd) != 0) {
        free(p);
        return REDIS_ERR;
    }
    p->handle.data = p;
    p->context = ac;
    ac->ev.addRead = uv_redis_add_read;
    ac->ev.delRead = uv_redis_del_read;
    ac->ev.addWrite = uv_redis_add_write;
    ac->ev.delWrite = uv_redis_del_write;
    ac->ev.cleanup = uv_redis_cleanup;
    ac->ev.data = p;
    return REDIS_OK;
}

/* ------------------------------------------------------------------------
 * Connections (broker thread)
 * ------------------------------------------------------------------------ */

static void link_failed(lv_redis_broker *b, const char *why);
static void on_connect(const redisAsyncContext *ac, int status);
static void on_disconnect(const redisAsyncContext *ac, int status);

/* Frees both connections; their callbacks, which hiredis still calls while
 * freeing, see a slot that is no longer theirs and do nothing. */
static void close_connections(lv_redis_broker *b)
{
    redisAsyncContext *sub = b->sub, *pub = b->pub;
    b->sub = b->pub = NULL;
    b->sub_connected = b->pub_connected = false;
    if (sub) redisAsyncFree(sub);
    if (pub) redisAsyncFree(pub);
}

static void on_auth(redisAsyncContext *ac, void *r, void *privdata)
{
    (void)privdata;
    lv_redis_broker *b = ac->data;
    redisReply *reply = r;
    if (!reply || reply->type != REDIS_REPLY_ERROR) return;
    if (lv_log_limiter_allow(&b->auth_limiter, now_ms(), NULL))
        lv_log_error("redis: %s:%d refused the password of LV_REDIS_URL: %s", b->url.host, b->url.port, reply->str);
    redisAsyncDisconnect(ac);
}

/* Opens one connection, or returns NULL with *why set. */
static redisAsyncContext *open_connection(lv_redis_broker *b, char *why, size_t why_cap)
{
    redisAsyncContext *ac = redisAsyncConnect(b->url.host, b->url.port);
    if (!ac) {
        snprintf(why, why_cap, "out of memory");
        return NULL;
    }
    if (ac->err || uv_redis_attach(ac, &b->loop) != REDIS_OK) {
        snprintf(why, why_cap, "%s", ac->err ? ac->errstr : "cannot watch the socket");
        redisAsyncFree(ac);
        return NULL;
    }
    ac->data = b;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    if (b->url.password && b->url.username)
        redisAsyncCommand(ac, on_auth, NULL, "AUTH %s %s", b->url.username, b->url.password);
    else if (b->url.password)
        redisAsyncCommand(ac, on_auth, NULL, "AUTH %s", b->url.password);
    return ac;
}

static void connect_now(lv_redis_broker *b)
{
    char why[160];
    if (b->shutting_down) return;
    b->sub = open_connection(b, why, sizeof why);
    if (b->sub) b->pub = open_connection(b, why, sizeof why);
    if (!b->sub || !b->pub) link_failed(b, why);
}

static void on_retry(uv_timer_t *timer)
{
    connect_now(timer->data);
}

/* Says once that Redis is gone (or was never reached), and schedules the
 * next attempt. */
static void link_failed(lv_redis_broker *b, const char *why)
{
    b->link_up = false;
    atomic_store(&b->up, false);
    b->resubscribe_acks = 0;
    close_connections(b);
    if (b->shutting_down) return;
    if (!b->outage_logged) {
        if (b->ever_up)
            lv_log_warn("redis: lost the connection to %s:%d (%s); pub/sub stays within this process, "
                        "messages to other processes are dropped until it is back",
                        b->url.host, b->url.port, why);
        else
            lv_log_warn("redis: cannot reach %s:%d (%s); pub/sub stays within this process, retrying",
                        b->url.host, b->url.port, why);
        b->outage_logged = true;
        b->down_since_ms = now_ms();
    }
    if (uv_is_active((uv_handle_t *)&b->retry)) return;
    uint32_t r;
    lv_random_bytes(&r, sizeof r);
    unsigned delay = lv_redis_backoff_ms(b->attempt, r);
    if (b->attempt < 32) b->attempt++;
    lv_log_debug("redis: next attempt in %u ms", delay);
    uv_timer_start(&b->retry, on_retry, delay, 0);
}

/* Both connections are up and every wanted topic is subscribed again. */
static void report_connected(lv_redis_broker *b)
{
    uint64_t dropped = atomic_exchange(&b->dropped, 0);
    if (!b->ever_up && !b->outage_logged) {
        lv_log_info("redis: connected to %s:%d (node %s); pub/sub reaches every process using it",
                    b->url.host, b->url.port, b->node_hex);
    } else {
        lv_log_info("redis: %s to %s:%d (node %s) after %llu ms; %zu topic%s subscribed; %llu message%s to other "
                    "processes dropped meanwhile",
                    b->ever_up ? "reconnected" : "connected", b->url.host, b->url.port, b->node_hex,
                    (unsigned long long)(now_ms() - b->down_since_ms), b->resubscribed,
                    b->resubscribed == 1 ? "" : "s", (unsigned long long)dropped, dropped == 1 ? "" : "s");
    }
    b->ever_up = true;
    b->outage_logged = false;
}

static size_t reconcile_topics(lv_redis_broker *b);

static void link_became_up(lv_redis_broker *b)
{
    b->link_up = true;
    b->attempt = 0;
    pthread_mutex_lock(&b->lock);
    for (size_t i = 0; i < b->topic_count; i++) b->topics[i].subscribed = false;
    b->topics_dirty = true;
    pthread_mutex_unlock(&b->lock);
    atomic_store(&b->up, true);
    b->resubscribe_acks = b->resubscribed = reconcile_topics(b);
    if (b->resubscribe_acks == 0) report_connected(b);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    lv_redis_broker *b = ac->data;
    if (!b || (ac != b->sub && ac != b->pub)) return;
    if (status != REDIS_OK) {
        /* hiredis frees ac after this returns */
        if (ac == b->sub) b->sub = NULL;
        else b->pub = NULL;
        link_failed(b, ac->errstr);
        return;
    }
    if (ac == b->sub) b->sub_connected = true;
    else b->pub_connected = true;
    if (b->sub_connected && b->pub_connected) link_became_up(b);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    lv_redis_broker *b = ac->data;
    if (!b || (ac != b->sub && ac != b->pub)) return;
    if (ac == b->sub) b->sub = NULL; /* hiredis frees ac after this returns */
    else b->pub = NULL;
    link_failed(b, status == REDIS_OK ? "connection closed" : ac->errstr);
}

/* ------------------------------------------------------------------------
 * Messages (broker thread)
 * ------------------------------------------------------------------------ */

static void on_message(lv_redis_broker *b, const char *channel, const char *data, size_t len)
{
    size_t prefix = strlen(LV_REDIS_CHANNEL_PREFIX);
    if (strncmp(channel, LV_REDIS_CHANNEL_PREFIX, prefix) != 0) return;
    const char *topic = channel + prefix;
    lv_redis_frame frame;
    lv_redis_frame_status status = lv_redis_frame_decode(data, len, &frame);
    if (status != LV_REDIS_FRAME_OK) {
        uint64_t held_back = 0;
        if (lv_log_limiter_allow(&b->malformed_limiter, now_ms(), &held_back))
            lv_log_warn("redis: dropped a malformed message on topic %s (%s; %llu more dropped before it)", topic,
                        lv_redis_frame_status_text(status), (unsigned long long)held_back);
        return;
    }
    /* Our own echo: delivered locally when it was published. */
    if (memcmp(frame.sender.bytes, b->node.bytes, sizeof frame.sender.bytes) == 0) return;
    b->deliver(b->deliver_ctx, topic, frame.message, frame.len);
}

static void on_sub_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    (void)privdata;
    lv_redis_broker *b = ac->data;
    redisReply *reply = r;
    if (!reply || !b || ac != b->sub) return;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return;
    redisReply **e = reply->element;
    if (e[0]->type != REDIS_REPLY_STRING || e[1]->type != REDIS_REPLY_STRING) return;
    if (strcmp(e[0]->str, "message") == 0 && e[2]->type == REDIS_REPLY_STRING) {
        on_message(b, e[1]->str, e[2]->str, e[2]->len);
    } else if (strcmp(e[0]->str, "subscribe") == 0) {
        lv_log_debug("redis: subscribed to %s", e[1]->str);
        if (b->resubscribe_acks && --b->resubscribe_acks == 0) report_connected(b);
    } else if (strcmp(e[0]->str, "unsubscribe") == 0) {
        lv_log_debug("redis: unsubscribed from %s", e[1]->str);
    }
}

/* Sends one SUBSCRIBE or UNSUBSCRIBE naming every channel in names. */
static void send_channels(lv_redis_broker *b, const char *command, lv_buf *names, size_t count)
{
    if (count == 0) return;
    const char **argv = lv_xmalloc((count + 1) * sizeof *argv);
    size_t *lens = lv_xmalloc((count + 1) * sizeof *lens);
    argv[0] = command;
    lens[0] = strlen(command);
    for (size_t i = 0; i < count; i++) {
        argv[i + 1] = names[i].data;
        lens[i + 1] = names[i].len;
    }
    redisAsyncCommandArgv(b->sub, on_sub_reply, NULL, (int)(count + 1), argv, lens);
    free(argv);
    free(lens);
}

/* Brings the SUBSCRIBE connection in line with the wanted topics; returns
 * how many channels it subscribed. */
static size_t reconcile_topics(lv_redis_broker *b)
{
    if (!b->link_up || !b->sub) return 0;
    pthread_mutex_lock(&b->lock);
    if (!b->topics_dirty) {
        pthread_mutex_unlock(&b->lock);
        return 0;
    }
    lv_buf *subs = lv_xcalloc(b->topic_count + 1, sizeof *subs);
    lv_buf *unsubs = lv_xcalloc(b->topic_count + 1, sizeof *unsubs);
    size_t n_sub = 0, n_unsub = 0, kept = 0;
    for (size_t i = 0; i < b->topic_count; i++) {
        wanted_topic *t = &b->topics[i];
        if (t->refs > 0 && !t->subscribed) {
            channel_of(&subs[n_sub++], t->topic);
            t->subscribed = true;
        } else if (t->refs == 0 && t->subscribed) {
            channel_of(&unsubs[n_unsub++], t->topic);
            t->subscribed = false;
        }
        if (t->refs == 0 && !t->subscribed)
            free(t->topic);
        else
            b->topics[kept++] = *t;
    }
    b->topic_count = kept;
    b->topics_dirty = false;
    pthread_mutex_unlock(&b->lock);
    send_channels(b, "SUBSCRIBE", subs, n_sub);
    send_channels(b, "UNSUBSCRIBE", unsubs, n_unsub);
    for (size_t i = 0; i < n_sub; i++) lv_buf_free(&subs[i]);
    for (size_t i = 0; i < n_unsub; i++) lv_buf_free(&unsubs[i]);
    free(subs);
    free(unsubs);
    return n_sub;
}

static void pending_free(pending_publish *p)
{
    lv_buf_free(&p->channel);
    lv_buf_free(&p->frame);
    free(p);
}

static void send_publishes(lv_redis_broker *b, pending_publish *p)
{
    while (p) {
        pending_publish *next = p->next;
        if (b->link_up && b->pub)
            redisAsyncCommand(b->pub, NULL, NULL, "PUBLISH %b %b", p->channel.data, p->channel.len, p->frame.data,
                              p->frame.len);
        else
            atomic_fetch_add(&b->dropped, 1);
        pending_free(p);
        p = next;
    }
}

static void shut_down(lv_redis_broker *b)
{
    b->shutting_down = true;
    uv_timer_stop(&b->retry);
    close_connections(b);
    uv_close((uv_handle_t *)&b->wake, NULL);
    uv_close((uv_handle_t *)&b->retry, NULL);
}

static void on_wake(uv_async_t *handle)
{
    lv_redis_broker *b = handle->data;
    pthread_mutex_lock(&b->lock);
    bool stopping = b->stopping;
    pending_publish *queue = b->queue_head;
    b->queue_head = b->queue_tail = NULL;
    b->queued = b->queued_bytes = 0;
    pthread_mutex_unlock(&b->lock);
    if (stopping) {
        while (queue) {
            pending_publish *next = queue->next;
            pending_free(queue);
            queue = next;
        }
        shut_down(b);
        return;
    }
    reconcile_topics(b);
    send_publishes(b, queue);
}

static void *broker_main(void *arg)
{
    lv_redis_broker *b = arg;
    connect_now(b);
    uv_run(&b->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Any thread
 * ------------------------------------------------------------------------ */

lv_redis_broker *lv_redis_broker_start(const lv_redis_url *url, lv_redis_deliver_fn deliver, void *ctx)
{
    lv_redis_broker *b = lv_xcalloc(1, sizeof *b);
    lv_redis_url_copy(&b->url, url);
    lv_node_id_random(&b->node);
    for (size_t i = 0; i < LV_REDIS_NODE_ID_BYTES; i++)
        snprintf(b->node_hex + 2 * i, 3, "%02x", b->node.bytes[i]);
    b->deliver = deliver;
    b->deliver_ctx = ctx;
    b->full_limiter.interval_ms = b->malformed_limiter.interval_ms = LOG_INTERVAL_MS;
    b->auth_limiter.interval_ms = 60000;
    atomic_init(&b->up, false);
    atomic_init(&b->dropped, 0);
    pthread_mutex_init(&b->lock, NULL);
    int rc = uv_loop_init(&b->loop);
    if (rc == 0) {
        uv_async_init(&b->loop, &b->wake, on_wake);
        uv_timer_init(&b->loop, &b->retry);
        b->wake.data = b->retry.data = b;
        if (pthread_create(&b->thread, NULL, broker_main, b) == 0) return b;
        uv_close((uv_handle_t *)&b->wake, NULL);
        uv_close((uv_handle_t *)&b->retry, NULL);
        uv_run(&b->loop, UV_RUN_DEFAULT);
        uv_loop_close(&b->loop);
    }
    lv_log_error("redis: cannot start the broker's thread");
    pthread_mutex_destroy(&b->lock);
    lv_redis_url_free(&b->url);
    free(b);
    return NULL;
}

void lv_redis_broker_stop(lv_redis_broker *b)
{
    if (!b) return;
    pthread_mutex_lock(&b->lock);
    b->stopping = true;
    pthread_mutex_unlock(&b->lock);
    uv_async_send(&b->wake);
    pthread_join(b->thread, NULL);
    if (uv_loop_close(&b->loop) != 0) lv_log_warn("redis: the broker's loop closed with handles open");
    for (size_t i = 0; i < b->topic_count; i++) free(b->topics[i].topic);
    free(b->topics);
    while (b->queue_head) {
        pending_publish *next = b->queue_head->next;
        pending_free(b->queue_head);
        b->queue_head = next;
    }
    pthread_mutex_destroy(&b->lock);
    lv_redis_url_free(&b->url);
    free(b);
}

static wanted_topic *find_topic(lv_redis_broker *b, const char *topic)
{
    for (size_t i = 0; i < b->topic_count; i++)
        if (strcmp(b->topics[i].topic, topic) == 0) return &b->topics[i];
    return NULL;
}

void lv_redis_broker_topic_added(lv_redis_broker *b, const char *topic)
{
    pthread_mutex_lock(&b->lock);
    wanted_topic *t = find_topic(b, topic);
    bool changed = false;
    if (!t) {
        b->topics = lv_xrealloc(b->topics, (b->topic_count + 1) * sizeof *b->topics);
        b->topics[b->topic_count++] = (wanted_topic){lv_xstrdup(topic), 1, false};
        changed = true;
    } else if (t->refs++ == 0 && !t->subscribed) {
        changed = true;
    }
    if (changed) b->topics_dirty = true;
    bool wake = changed && !b->stopping;
    pthread_mutex_unlock(&b->lock);
    if (wake) uv_async_send(&b->wake);
}

void lv_redis_broker_topic_removed(lv_redis_broker *b, const char *topic)
{
    pthread_mutex_lock(&b->lock);
    wanted_topic *t = find_topic(b, topic);
    bool wake = false;
    if (t && t->refs > 0 && --t->refs == 0) {
        if (t->subscribed) {
            b->topics_dirty = true;
            wake = !b->stopping;
        } else { /* never subscribed (Redis down, or not yet): just forget it */
            free(t->topic);
            *t = b->topics[--b->topic_count];
        }
    }
    pthread_mutex_unlock(&b->lock);
    if (wake) uv_async_send(&b->wake);
}

int lv_redis_broker_publish(lv_redis_broker *b, const char *topic, const char *message, size_t len)
{
    if (!atomic_load(&b->up)) {
        atomic_fetch_add(&b->dropped, 1);
        return 0;
    }
    pending_publish *p = lv_xcalloc(1, sizeof *p);
    channel_of(&p->channel, topic);
    lv_redis_frame_encode(&p->frame, &b->node, message, len);
    pthread_mutex_lock(&b->lock);
    bool full = b->queued >= LV_REDIS_QUEUE_MAX || b->queued_bytes + p->frame.len > LV_REDIS_QUEUE_MAX_BYTES;
    bool refused = full || b->stopping;
    uint64_t held_back = 0;
    bool say = full && lv_log_limiter_allow(&b->full_limiter, now_ms(), &held_back);
    if (!refused) {
        if (b->queue_tail) b->queue_tail->next = p;
        else b->queue_head = p;
        b->queue_tail = p;
        b->queued++;
        b->queued_bytes += p->frame.len;
    }
    pthread_mutex_unlock(&b->lock);
    if (refused) {
        if (say)
            lv_log_warn("redis: the publish queue is full (%d messages); a message on %s was dropped "
                        "(%llu more before it)", LV_REDIS_QUEUE_MAX, topic, (unsigned long long)held_back);
        pending_free(p);
        return full ? -1 : 0;
    }
    uv_async_send(&b->wake);
    return 0;
}

const lv_node_id *lv_redis_broker_node(const lv_redis_broker *b)
{
    return &b->node;
}

/* ------------------------------------------------------------------------
 * One blocking command, off the loops
 * ------------------------------------------------------------------------ */

/* INCRBY and PUBLISH in one step: every subscriber sees the values in the
 * order Redis made them, whichever process asked. */
static const char incr_publish_script[] =
    "local n = redis.call('INCRBY', KEYS[1], ARGV[1]) "
    "if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3] .. string.format('%d', n) .. ARGV[4]) end "
    "return n";

static bool reply_ok(redisContext *c, redisReply *reply, char *err, size_t err_cap)
{
    if (!reply) {
        snprintf(err, err_cap, "%s", c->err ? c->errstr : "no reply");
        return false;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
        snprintf(err, err_cap, "%s", reply->str);
        freeReplyObject(reply);
        return false;
    }
    return true;
}

int lv_redis_incr_publish(const lv_redis_url *url, unsigned timeout_ms, const char *key, int64_t delta,
                          const char *channel, const char *prefix, size_t prefix_len, const char *suffix,
                          int64_t *value, char *err, size_t err_cap)
{
    struct timeval tv = {(time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(url->host, url->port, tv);
    if (!c || c->err) {
        snprintf(err, err_cap, "%s", c ? c->errstr : "out of memory");
        if (c) redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    redisReply *reply = NULL;
    int rc = -1;
    if (url->password) {
        reply = url->username ? redisCommand(c, "AUTH %s %s", url->username, url->password)
                              : redisCommand(c, "AUTH %s", url->password);
        if (!reply_ok(c, reply, err, err_cap)) goto done;
        freeReplyObject(reply);
    }
    if (url->db) {
        reply = redisCommand(c, "SELECT %d", url->db);
        if (!reply_ok(c, reply, err, err_cap)) goto done;
        freeReplyObject(reply);
    }
    char delta_text[24];
    snprintf(delta_text, sizeof delta_text, "%lld", (long long)delta);
    reply = redisCommand(c, "EVAL %s 1 %s %s %s %b %s", incr_publish_script, key, delta_text, channel ? channel : "",
                         prefix ? prefix : "", prefix ? prefix_len : 0, suffix ? suffix : "");
    if (!reply_ok(c, reply, err, err_cap)) goto done;
    if (reply->type == REDIS_REPLY_INTEGER) {
        *value = reply->integer;
        rc = 0;
    } else {
        snprintf(err, err_cap, "unexpected reply type %d", reply->type);
    }
    freeReplyObject(reply);
done:
    redisFree(c);
    return rc;
}
