/* Messages that arrive over time: timers and async results. Both become
 * infos queued on the socket, and the socket's owner (the channel) is told
 * to drain them. Both end with the view: lv_socket_release_runtime stops
 * the timers and orphans the async jobs, whose results are then dropped. */
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "live/presence.h"

typedef struct lv_timer_rec {
    struct lv_timer_rec *next;
    lv_socket *socket;
    void *handle;
    int id;
    bool repeat;
    bool component_update; /* lv_send_update_after */
    char *name;
    lv_value payload; /* a MAP, copied into each info */
} lv_timer_rec;

typedef struct lv_async_job {
    struct lv_async_job *next;
    lv_socket *socket; /* NULL once the view has gone */
    lv_app *app;
    char *name;
    lv_async_fn fn;
    void *arg;
    void (*free_arg)(void *arg);
    lv_value *result; /* fn's, owned; NULL for failure */
    /* lv_assign_async and lv_stream_async (live/async.c): the result goes
     * into assigns instead of an info. NULL for lv_start_async. */
    char *assign_key;
    lv_async_target target;
} lv_async_job;

lv_socket_extras *lv_socket_extras_of(lv_socket *s)
{
    if (!s->extras) s->extras = lv_xcalloc(1, sizeof *s->extras);
    return s->extras;
}

void lv_socket_queue_info(lv_socket *s, const char *name, lv_value payload)
{
    lv_info *info = lv_xcalloc(1, sizeof *info);
    info->name = lv_xstrdup(name ? name : "");
    info->payload = payload.kind == LV_VALUE_MAP ? payload : lv_value_map();
    if (payload.kind != LV_VALUE_MAP) lv_value_free(&payload);
    if (s->infos_tail)
        s->infos_tail->next = info;
    else
        s->infos_head = info;
    s->infos_tail = info;
}

void lv_socket_queue_rerender(lv_socket *s)
{
    lv_socket_queue_info(s, "", lv_value_map());
    s->infos_tail->render_only = true;
    lv_socket_notify(s);
}

void lv_socket_notify(lv_socket *s)
{
    if (s->notify) s->notify(s->owner, s);
}

static void timer_unlink(lv_socket *s, lv_timer_rec *t)
{
    lv_timer_rec **pp = &s->extras->timers;
    while (*pp && *pp != t) pp = &(*pp)->next;
    if (*pp) *pp = t->next;
}

static void timer_free(lv_timer_rec *t)
{
    free(t->name);
    lv_value_free(&t->payload);
    free(t);
}

static void on_timer(void *arg)
{
    lv_timer_rec *t = arg;
    lv_socket *s = t->socket;
    lv_socket_queue_info(s, t->name, lv_value_clone(&t->payload));
    s->infos_tail->component_update = t->component_update;
    if (!t->repeat) {
        timer_unlink(s, t);
        s->loop->runtime.timer_stop(s->loop->runtime.ctx, t->handle);
        timer_free(t);
    }
    lv_socket_notify(s);
}

static int start_timer(lv_socket *s, unsigned ms, bool repeat, const char *name, const lv_value *payload_arg)
{
    lv_runtime *rt = &s->loop->runtime;
    if (!s->connected || !rt->timer_start) return -1;
    lv_value payload;
    if (!lv_payload_copy(payload_arg, false, &payload)) return -1;
    lv_socket_extras *x = lv_socket_extras_of(s);
    lv_timer_rec *t = lv_xcalloc(1, sizeof *t);
    t->socket = s;
    t->id = ++x->next_timer_id;
    t->repeat = repeat;
    t->name = lv_xstrdup(name ? name : "");
    t->payload = payload;
    /* An interval of 0 would spin the loop. */
    uint64_t period = repeat ? (ms ? ms : 1) : 0;
    t->handle = rt->timer_start(rt->ctx, ms, period, on_timer, t);
    if (!t->handle) {
        timer_free(t);
        return -1;
    }
    t->next = x->timers;
    x->timers = t;
    return t->id;
}

int lv_send_after(lv_socket *s, unsigned ms, const char *name, const lv_value *payload)
{
    return start_timer(s, ms, false, name, payload);
}

int lv_send_update_after(lv_socket *s, unsigned ms, const char *component, const char *id, const lv_value *assigns)
{
    if (!s) return -1;
    lv_socket *view = s->parent ? s->parent : s;
    bool ok;
    lv_value payload = lv_component_update_payload(component, id, assigns, &ok);
    int timer = ok ? start_timer(view, ms, false, "lv:update", &payload) : -1;
    lv_value_free(&payload);
    if (timer > 0) {
        for (lv_timer_rec *t = view->extras->timers; t; t = t->next)
            if (t->id == timer) t->component_update = true;
    }
    return timer;
}

int lv_send_interval(lv_socket *s, unsigned ms, const char *name, const lv_value *payload)
{
    return start_timer(s, ms, true, name, payload);
}

void lv_cancel_timer(lv_socket *s, int timer_id)
{
    if (!s->extras) return;
    for (lv_timer_rec *t = s->extras->timers; t; t = t->next) {
        if (t->id != timer_id) continue;
        timer_unlink(s, t);
        s->loop->runtime.timer_stop(s->loop->runtime.ctx, t->handle);
        timer_free(t);
        return;
    }
}

static void job_free(lv_async_job *job)
{
    if (job->free_arg) job->free_arg(job->arg);
    free(job->name);
    free(job->assign_key);
    lv_value_delete(job->result);
    free(job);
}

static void job_work(void *arg)
{
    lv_async_job *job = arg;
    job->result = job->fn(job->arg);
}

static void job_done(void *arg)
{
    lv_async_job *job = arg;
    lv_socket *s = job->socket;
    if (!s) {
        job_free(job); /* the view has gone: drop the result */
        return;
    }
    lv_async_job **pp = &s->extras->jobs;
    while (*pp && *pp != job) pp = &(*pp)->next;
    if (*pp) *pp = job->next;
    if (job->assign_key) {
        lv_async_assign_finish(s, job->assign_key, job->target, job->result);
        job->result = NULL; /* taken */
        job_free(job);
        lv_socket_notify(s);
        return;
    }
    /* {"ok":true,"result":<value>} or {"ok":false}; the result moves into
     * the payload. */
    lv_value payload = lv_value_map();
    lv_value_map_set(&payload, "ok", lv_value_bool(job->result != NULL));
    if (job->result) {
        lv_value_map_set(&payload, "result", *job->result);
        free(job->result);
        job->result = NULL;
    }
    lv_socket_queue_info(s, job->name, payload);
    job_free(job);
    lv_socket_notify(s);
}

int lv_start_async(lv_socket *s, const char *name, lv_async_fn fn, void *arg,
                   void (*free_arg)(void *arg))
{
    return lv_async_job_start(s, name, fn, arg, free_arg, NULL, LV_ASYNC_INFO);
}

int lv_async_job_start(lv_socket *s, const char *name, lv_async_fn fn, void *arg, void (*free_arg)(void *arg),
                       const char *assign_key, lv_async_target target)
{
    lv_runtime *rt = &s->loop->runtime;
    if (!s->connected || !rt->queue_work || !fn) {
        if (free_arg) free_arg(arg);
        return -1;
    }
    lv_socket_extras *x = lv_socket_extras_of(s);
    lv_async_job *job = lv_xcalloc(1, sizeof *job);
    job->socket = s;
    job->app = s->app;
    job->name = lv_xstrdup(name ? name : "");
    job->fn = fn;
    job->arg = arg;
    job->free_arg = free_arg;
    job->assign_key = assign_key ? lv_xstrdup(assign_key) : NULL;
    job->target = target;
    if (rt->queue_work(rt->ctx, job_work, job_done, job) != 0) {
        job_free(job);
        return -1;
    }
    job->next = x->jobs;
    x->jobs = job;
    return 0;
}

int lv_async_job_orphan(lv_socket *s, const char *key, bool assign_key)
{
    lv_socket_extras *x = s->extras;
    int found = 0;
    for (lv_async_job **pp = x ? &x->jobs : NULL; pp && *pp;) {
        lv_async_job *job = *pp;
        const char *its = assign_key ? job->assign_key : (job->assign_key ? NULL : job->name);
        if (its && strcmp(its, key) == 0) {
            /* Still on the thread pool: job_done frees it and drops its result. */
            job->socket = NULL;
            *pp = job->next;
            found++;
        } else {
            pp = &job->next;
        }
    }
    return found;
}

void lv_socket_release_runtime(lv_socket *s)
{
    lv_socket_extras *x = s->extras;
    if (!x) return;
    while (x->timers) {
        lv_timer_rec *t = x->timers;
        x->timers = t->next;
        s->loop->runtime.timer_stop(s->loop->runtime.ctx, t->handle);
        timer_free(t);
    }
    /* Jobs still running belong to the thread pool; they are freed in
     * job_done, which now drops their result. */
    for (lv_async_job *job = x->jobs; job; job = job->next) job->socket = NULL;
    x->jobs = NULL;
    lv_pubsub_remove_socket(s->app, s);
    /* After the subscriptions: the view does not hear its own leave. */
    lv_presence_socket_ended(s);
}
