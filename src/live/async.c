/* Async assigns (Phoenix's assign_async, stream_async, cancel_async) and
 * temporary assigns.
 *
 * An async assign holds an AsyncResult, a map templates branch on with
 * {{#async_result name}}:
 *     {"ok": bool, "loading": bool, "failed": null | "reason", "result": value}
 * lv_assign_async sets it loading at once and runs the work on the thread
 * pool (live/runtime.c); the result comes back on the view's loop, where
 * lv_async_assign_finish sets ok or failed and queues a render. One key
 * (the names, normalized) has one job at a time: a second start orphans the
 * first, whose result is then dropped unseen, so the latest start wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "util/log.h"

#define LV_MAX_ASYNC_NAMES 16
#define LV_MAX_ASSIGN_NAME 64

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

/* "org, profile" -> "org,profile" in key (a buffer the caller frees), the
 * names NUL-separated in *names_out (count of them). False for an empty
 * list, a name that is not an identifier, or too many names. */
static bool parse_names(const char *names, lv_buf *key, char out[][LV_MAX_ASSIGN_NAME + 1], size_t *count)
{
    *count = 0;
    const char *p = names;
    if (!p) return false;
    for (;;) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && name_char(*p, p == start)) p++;
        size_t len = (size_t)(p - start);
        while (*p == ' ') p++;
        if (len == 0 || len > LV_MAX_ASSIGN_NAME || *count == LV_MAX_ASYNC_NAMES || (*p && *p != ',')) return false;
        memcpy(out[*count], start, len);
        out[*count][len] = '\0';
        if (*count) lv_buf_putc(key, ',');
        lv_buf_append(key, start, len);
        (*count)++;
        if (!*p) return true;
        p++; /* the comma */
    }
}

static lv_value async_result(bool ok, bool loading, const char *failed, lv_value result)
{
    lv_value r = lv_value_map();
    lv_value_map_set(&r, "ok", lv_value_bool(ok));
    lv_value_map_set(&r, "loading", lv_value_bool(loading));
    lv_value_map_set(&r, "failed", failed ? lv_value_string(failed, strlen(failed)) : lv_value_null());
    lv_value_map_set(&r, "result", result);
    return r;
}

/* The assign's AsyncResult fields, or those of a fresh one. */
static void current_state(lv_socket *s, const char *name, bool *ok, lv_value *result)
{
    const lv_value *cur = lv_assigns_get(&s->assigns, name);
    bool is_async = cur && cur->kind == LV_VALUE_MAP && lv_value_map_get(cur, "loading", 7);
    const lv_value *was_ok = is_async ? lv_value_map_get(cur, "ok", 2) : NULL;
    const lv_value *was_result = is_async ? lv_value_map_get(cur, "result", 6) : NULL;
    *ok = was_ok && was_ok->kind == LV_VALUE_BOOL && was_ok->as.b;
    *result = was_result ? lv_value_clone(was_result) : lv_value_null();
}

/* Loading again keeps what was there (Phoenix's AsyncResult.loading): a
 * template may go on showing the previous result while it reloads. */
static void set_loading(lv_socket *s, const char *name)
{
    bool ok;
    lv_value result;
    current_state(s, name, &ok, &result);
    lv_assigns_put(&s->assigns, name, async_result(ok, true, NULL, result));
}

static void set_failed(lv_socket *s, const char *name, const char *reason)
{
    bool ok;
    lv_value result;
    current_state(s, name, &ok, &result);
    lv_assigns_put(&s->assigns, name, async_result(ok, false, reason, result));
}

static void set_ok(lv_socket *s, const char *name, lv_value result)
{
    lv_assigns_put(&s->assigns, name, async_result(true, false, NULL, result));
}

/* A render with no callback: what the result changed goes to the client. */
static void queue_render(lv_socket *s)
{
    lv_socket_queue_info(s, "lv:async", lv_value_map());
    s->infos_tail->render_only = true;
}

static int start(lv_socket *s, const char *names, lv_async_fn fn, void *arg, void (*free_arg)(void *arg),
                 lv_async_target target)
{
    char parsed[LV_MAX_ASYNC_NAMES][LV_MAX_ASSIGN_NAME + 1];
    size_t count;
    lv_buf key = LV_BUF_INIT;
    bool stream = target != LV_ASYNC_ASSIGNS;
    if (!s || s->parent || !fn || !parse_names(names, &key, parsed, &count) || (stream && count != 1)) {
        lv_log_warn("%s: refused: %s", stream ? "lv_stream_async" : "lv_assign_async",
                    !s || !fn         ? "no socket or no function"
                    : s->parent       ? "a component's socket (start it from the view)"
                                      : "names must be 1-16 assign names separated by commas");
        lv_buf_free(&key);
        if (free_arg) free_arg(arg);
        return -1;
    }
    for (size_t i = 0; i < count; i++) set_loading(s, parsed[i]);
    if (!s->connected) {
        /* The HTTP render shows loading; the connected mount starts the work
         * (Phoenix runs assign_async only once connected, too). */
        lv_buf_free(&key);
        if (free_arg) free_arg(arg);
        return 0;
    }
    lv_async_job_orphan(s, key.data, true); /* the latest start wins */
    int rc = lv_async_job_start(s, key.data, fn, arg, free_arg, key.data, target);
    if (rc != 0)
        for (size_t i = 0; i < count; i++) set_failed(s, parsed[i], "not started");
    lv_buf_free(&key);
    return rc;
}

int lv_assign_async(lv_socket *socket, const char *names, lv_async_fn fn, void *arg, void (*free_arg)(void *arg))
{
    return start(socket, names, fn, arg, free_arg, LV_ASYNC_ASSIGNS);
}

int lv_stream_async(lv_socket *socket, const char *name, lv_async_fn fn, void *arg, void (*free_arg)(void *arg),
                    bool reset)
{
    return start(socket, name, fn, arg, free_arg, reset ? LV_ASYNC_STREAM_RESET : LV_ASYNC_STREAM);
}

/* A string result says why the work failed; NULL is an unnamed failure. */
static const char *failure_of(const lv_value *result)
{
    if (!result) return "error";
    if (result->kind == LV_VALUE_STRING) return result->as.s.ptr;
    return NULL;
}

static void finish_assigns(lv_socket *s, const char *key, lv_value *result)
{
    char parsed[LV_MAX_ASYNC_NAMES][LV_MAX_ASSIGN_NAME + 1];
    size_t count;
    lv_buf unused = LV_BUF_INIT;
    parse_names(key, &unused, parsed, &count);
    lv_buf_free(&unused);
    const char *failed = failure_of(result);
    if (!failed && result->kind != LV_VALUE_MAP) failed = "not a map of the names";
    for (size_t i = 0; i < count; i++) {
        const lv_value *v = failed ? NULL : lv_value_map_get(result, parsed[i], strlen(parsed[i]));
        if (failed)
            set_failed(s, parsed[i], failed);
        else if (!v)
            set_failed(s, parsed[i], "missing from the result");
        else
            set_ok(s, parsed[i], lv_value_clone(v));
    }
}

static void finish_stream(lv_socket *s, const char *name, bool reset, lv_value *result)
{
    const char *failed = failure_of(result);
    if (!failed && result->kind != LV_VALUE_LIST) failed = "not a list of items";
    if (failed) {
        set_failed(s, name, failed);
        return;
    }
    if (reset) lv_stream_reset(s, name);
    size_t n = lv_list_len(result);
    int64_t inserted = 0;
    for (size_t i = 0; i < n; i++) {
        lv_value *item = lv_value_copy(lv_list_at(result, i));
        if (lv_stream_insert(s, name, item, LV_STREAM_APPEND, 0) == 0) inserted++;
    }
    set_ok(s, name, lv_value_int(inserted));
}

void lv_async_assign_finish(lv_socket *s, const char *key, lv_async_target target, lv_value *result)
{
    if (target == LV_ASYNC_ASSIGNS)
        finish_assigns(s, key, result);
    else
        finish_stream(s, key, target == LV_ASYNC_STREAM_RESET, result);
    lv_value_delete(result);
    queue_render(s);
}

int lv_cancel_async(lv_socket *socket, const char *names)
{
    if (!socket || !names) return -1;
    char parsed[LV_MAX_ASYNC_NAMES][LV_MAX_ASSIGN_NAME + 1];
    size_t count;
    lv_buf key = LV_BUF_INIT;
    if (parse_names(names, &key, parsed, &count) && lv_async_job_orphan(socket, key.data, true) > 0) {
        for (size_t i = 0; i < count; i++) set_failed(socket, parsed[i], "cancelled");
        lv_buf_free(&key);
        return 0;
    }
    lv_buf_free(&key);
    /* An lv_start_async job: handle_info hears that it was cancelled. */
    if (lv_async_job_orphan(socket, names, false) > 0) {
        lv_value payload = lv_value_map();
        lv_value_map_set(&payload, "ok", lv_value_bool(false));
        lv_value_map_set(&payload, "reason", lv_value_string("cancelled", 9));
        lv_socket_queue_info(socket, names, payload);
        return 0;
    }
    return -1;
}

int lv_temporary_assign(lv_socket *socket, const char *name, lv_value *default_value)
{
    lv_value v = lv_value_null();
    if (default_value) {
        v = *default_value; /* the box is freed here, its contents kept */
        free(default_value);
    }
    if (!socket || !name || !*name) {
        lv_value_free(&v);
        return -1;
    }
    lv_socket_extras *x = lv_socket_extras_of(socket);
    if (x->temporaries.kind != LV_VALUE_MAP) x->temporaries = lv_value_map();
    lv_value_map_set(&x->temporaries, name, v);
    return 0;
}

void lv_temporary_assigns_reset(lv_socket *s)
{
    const lv_value *t = s->extras ? &s->extras->temporaries : NULL;
    for (size_t i = 0; t && i < lv_map_len(t); i++)
        lv_assigns_reset_quietly(&s->assigns, lv_map_key_at(t, i), lv_value_clone(lv_map_value_at(t, i)));
}
