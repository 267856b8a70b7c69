/* lv_test (include/liveview_test.h): a browser without a browser.
 *
 * It speaks to the app only through its endpoint (endpoint/endpoint.c), as
 * net/server.c does: HTTP requests to endpoint.http, a socket through
 * endpoint.upgrade, then channel frames to endpoint.on_text; what the
 * server sends comes back through the connection's send_text and is read
 * the way the official client reads it (testing/mirror.c for the HTML).
 * The app's runtime is lent by lv_test: a manual clock and a queue of
 * async work, both run on demand.
 *
 * Frames the server sends are queued on their view and read by pump(),
 * never from inside an endpoint call: reading one may send more (a
 * navigation joins the next view), which the same loop then reads. */
#include "liveview_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include "live/live.h"
#include "render/assigns.h"
#include "testing/mirror.h"
#include "util/buf.h"
#include "util/form.h"
#include "util/json.h"
#include "util/value.h"
#include "util/value_json.h"

/* What lv_test calls itself in Host and Origin: the page's own origin. */
#define TEST_HOST "localhost"
#define TEST_ORIGIN "http://" TEST_HOST
/* Live navigations followed in a row before lv_test calls it a loop. */
#define MAX_NAVIGATIONS 20
/* Timers fired or async jobs run in one call before it stops (a view that
 * re-arms a 0 ms timer forever would otherwise never return). */
#define MAX_RUNS_PER_CALL 100000

typedef struct test_timer {
    struct test_timer *next;
    uint64_t due, period, seq;
    bool done; /* a one-shot that fired: waits for timer_stop */
    void (*fire)(void *arg);
    void *arg;
} test_timer;

typedef struct test_work {
    struct test_work *next;
    void (*work)(void *arg);
    void (*done)(void *arg);
    void *arg;
} test_work;

typedef struct cookie {
    char *name, *value;
} cookie;

struct lv_test_view {
    lv_test *t;
    lv_test_view *next;
    void *conn_ctx;  /* the endpoint's, while connected */
    bool connected;
    bool close_asked; /* the endpoint asked to close the socket */
    bool alive;       /* joined */
    char **inbox;     /* frames the server sent, not read yet */
    size_t inbox_len, inbox_cap;
    char *topic, *join_ref, *session, *static_token, *csrf;
    char *path, *title, *error;
    lv_mirror mirror;
    lv_value pushed; /* LIST of [name, payload] as received */
    lv_value reply;  /* the last hook reply: a MAP, or null */
    int next_ref;
    int waiting_join;  /* the ref of the join waiting for its reply, 0 when none */
    int waiting_event; /* the ref of the event waiting for its reply */
    bool answered, answer_ok;
    int navigations; /* in a row, while following them */
    bool link_redirect; /* the last live_patch was answered link_redirect */
    bool join_navigates; /* the join waiting is a live navigation's */
    json_t *last_response; /* the last event reply's response (allow_upload's tokens) */
    /* lv_test_upload's channel: its topic, the ref waiting for a reply, and
     * the reply's outcome. */
    char *upload_topic;
    int upload_waiting;
    bool upload_answered, upload_ok;
    char *upload_reason;
    /* A nested view (lv_test_child): the view whose connection it shares,
     * whose frames of this view's topic it reads. NULL for a page's view. */
    lv_test_view *host;
};

struct lv_test {
    lv_app *app;
    lv_endpoint ep;
    uint64_t now, timer_seq;
    test_timer *timers;
    test_work *work_head, *work_tail;
    cookie *cookies;
    size_t cookie_count;
    int status;
    char *body, *redirect, *error;
    char *page_csrf; /* the csrf-token of the last page loaded */
    lv_test_view *views;
    bool pumping;
};

static void set_str(char **slot, const char *value)
{
    char *copy = value ? lv_xstrdup(value) : NULL;
    free(*slot);
    *slot = copy;
}

static void view_fail(lv_test_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void view_fail(lv_test_view *v, const char *fmt, ...)
{
    lv_buf b = LV_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    lv_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(v->error);
    v->error = lv_buf_take(&b);
}

/* ------------------------------------------------------------------------
 * The runtime lent to the app: a manual clock and on-demand work.
 * ------------------------------------------------------------------------ */

static void *rt_timer_start(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *arg), void *arg)
{
    lv_test *t = ctx;
    test_timer *timer = lv_xcalloc(1, sizeof *timer);
    timer->due = t->now + ms;
    timer->period = repeat_ms;
    timer->seq = ++t->timer_seq;
    timer->fire = fire;
    timer->arg = arg;
    timer->next = t->timers;
    t->timers = timer;
    return timer;
}

static void rt_timer_stop(void *ctx, void *handle)
{
    lv_test *t = ctx;
    for (test_timer **pp = &t->timers; *pp; pp = &(*pp)->next) {
        if (*pp != handle) continue;
        test_timer *timer = *pp;
        *pp = timer->next;
        free(timer);
        return;
    }
}

static int rt_queue_work(void *ctx, void (*work)(void *arg), void (*done)(void *arg), void *arg)
{
    lv_test *t = ctx;
    test_work *w = lv_xcalloc(1, sizeof *w);
    *w = (test_work){NULL, work, done, arg};
    if (t->work_tail)
        t->work_tail->next = w;
    else
        t->work_head = w;
    t->work_tail = w;
    return 0;
}

/* ------------------------------------------------------------------------
 * Cookies and HTTP
 * ------------------------------------------------------------------------ */

static cookie *find_cookie(const lv_test *t, const char *name)
{
    for (size_t i = 0; i < t->cookie_count; i++)
        if (strcmp(t->cookies[i].name, name) == 0) return &t->cookies[i];
    return NULL;
}

static void drop_cookie(lv_test *t, const char *name)
{
    cookie *c = find_cookie(t, name);
    if (!c) return;
    free(c->name);
    free(c->value);
    *c = t->cookies[--t->cookie_count];
}

static void put_cookie(lv_test *t, const char *name, size_t name_len, const char *value, size_t value_len)
{
    char *n = lv_xstrndup(name, name_len);
    cookie *c = find_cookie(t, n);
    if (!c) {
        t->cookies = lv_xrealloc(t->cookies, (t->cookie_count + 1) * sizeof *t->cookies);
        c = &t->cookies[t->cookie_count++];
        c->name = n;
        c->value = NULL;
    } else {
        free(n);
    }
    free(c->value);
    c->value = lv_xstrndup(value, value_len);
}

/* One Set-Cookie value: "name=value; Path=/; Max-Age=0; ...". An empty
 * value or Max-Age=0 deletes it, as a browser would. */
static void take_set_cookie(lv_test *t, const char *line, size_t len)
{
    const char *eq = memchr(line, '=', len);
    if (!eq) return;
    size_t name_len = (size_t)(eq - line);
    const char *value = eq + 1;
    const char *end = memchr(value, ';', len - name_len - 1);
    size_t value_len = end ? (size_t)(end - value) : len - name_len - 1;
    char *attrs = end ? lv_xstrndup(end, len - (size_t)(end - line)) : lv_xstrdup("");
    bool expired = strcasestr(attrs, "max-age=0") != NULL;
    free(attrs);
    char *name = lv_xstrndup(line, name_len);
    if (value_len == 0 || expired)
        drop_cookie(t, name);
    else
        put_cookie(t, line, name_len, value, value_len);
    free(name);
}

/* The Cookie header of the jar, "" when empty (owned by the caller). */
static char *cookie_header(const lv_test *t)
{
    lv_buf b = LV_BUF_INIT;
    for (size_t i = 0; i < t->cookie_count; i++)
        lv_buf_printf(&b, "%s%s=%s", i ? "; " : "", t->cookies[i].name, t->cookies[i].value);
    return lv_buf_take(&b);
}

/* Reads the response's header lines: cookies and Location. */
static void take_headers(lv_test *t, const lv_buf *headers)
{
    const char *p = headers->data;
    const char *end = p ? p + headers->len : NULL;
    while (p && p < end) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (len > 12 && strncasecmp(p, "Set-Cookie: ", 12) == 0) take_set_cookie(t, p + 12, len - 12);
        if (len > 10 && strncasecmp(p, "Location: ", 10) == 0) {
            free(t->redirect);
            t->redirect = lv_xstrndup(p + 10, len - 10);
        }
        p = eol ? eol + 2 : end;
    }
}

static void url_encode(lv_buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~') {
            lv_buf_putc(out, (char)*p);
        } else {
            lv_buf_putc(out, '%');
            lv_buf_putc(out, hex[*p >> 4]);
            lv_buf_putc(out, hex[*p & 15]);
        }
    }
}

/* One request through the endpoint. path may carry a query. Returns the
 * status; the body and headers land in t. */
static int http_request(lv_test *t, const char *method, const char *target, const char *body)
{
    char *path = lv_xstrdup(target); /* target may be t->redirect itself */
    free(t->redirect);
    t->redirect = NULL;
    char *query = strchr(path, '?');
    if (query) *query++ = '\0';
    char *cookies = cookie_header(t);
    const char *headers[9] = {"host", TEST_HOST, "user-agent", "lv_test"};
    size_t n = 4;
    if (*cookies) {
        headers[n++] = "cookie";
        headers[n++] = cookies;
    }
    if (body) {
        headers[n++] = "content-type";
        headers[n++] = "application/x-www-form-urlencoded";
    }
    headers[n] = NULL;
    lv_http_request req = {
        .method = method,
        .path = path,
        .query = query,
        .headers = headers,
        .body = body,
        .body_len = body ? strlen(body) : 0,
        .peer_addr = "127.0.0.1",
        .peer_port = 40000,
    };
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    t->ep.http(t->ep.ctx, &req, &res);
    take_headers(t, &res.headers);
    free(t->body);
    t->body = lv_xstrndup(res.body ? res.body : "", res.body ? res.body_len : 0);
    t->status = res.status;
    lv_http_response_free(&res);
    free(cookies);
    free(path);
    return t->status;
}

/* ------------------------------------------------------------------------
 * Reading a page
 * ------------------------------------------------------------------------ */

/* The value of attribute name in the tag spanning [tag, end), unescaped,
 * or NULL (owned by the caller). */
static char *tag_attr(const char *tag, const char *end, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = tag; p && p + n + 2 < end; p++) {
        if ((p[-1] != ' ' && p[-1] != '\n' && p[-1] != '\t') || strncmp(p, name, n) != 0 || p[n] != '=' ||
            p[n + 1] != '"')
            continue;
        const char *v = p + n + 2;
        const char *close = memchr(v, '"', (size_t)(end - v));
        if (!close) return NULL;
        lv_buf b = LV_BUF_INIT;
        for (const char *q = v; q < close;) {
            static const char *const ents[][2] = {{"&quot;", "\""}, {"&amp;", "&"}, {"&lt;", "<"},
                                                  {"&gt;", ">"},    {"&#39;", "'"}};
            bool matched = false;
            for (size_t k = 0; k < 5 && !matched; k++) {
                size_t len = strlen(ents[k][0]);
                if ((size_t)(close - q) >= len && strncmp(q, ents[k][0], len) == 0) {
                    lv_buf_puts(&b, ents[k][1]);
                    q += len;
                    matched = true;
                }
            }
            if (!matched) lv_buf_putc(&b, *q++);
        }
        return lv_buf_take(&b);
    }
    return NULL;
}

/* The tag containing the text at `at`: [*start, *end). */
static bool enclosing_tag(const char *html, const char *at, const char **start, const char **end)
{
    const char *s = at;
    while (s > html && *s != '<') s--;
    const char *e = strchr(at, '>');
    if (*s != '<' || !e) return false;
    *start = s + 1;
    *end = e;
    return true;
}

static char *html_unescape(const char *s, size_t n)
{
    char *tag = lv_xmalloc(n + 8);
    /* Reuse tag_attr's unescaping on a made-up attribute. */
    snprintf(tag, n + 8, " v=\"%.*s\"", (int)n, s);
    char *out = tag_attr(tag + 1, tag + strlen(tag), "v");
    free(tag);
    return out ? out : lv_xstrdup("");
}

typedef struct page {
    char *id, *session, *static_token, *csrf, *title;
} page;

static void page_free(page *p)
{
    free(p->id);
    free(p->session);
    free(p->static_token);
    free(p->csrf);
    free(p->title);
}

/* What the client reads from the dead render: the main view's element
 * (id, data-phx-session, data-phx-static), the csrf-token meta, the
 * title. False when the page holds no LiveView. */
static bool read_page(const char *html, page *p)
{
    memset(p, 0, sizeof *p);
    const char *main = strstr(html, "data-phx-main");
    const char *start, *end;
    if (!main || !enclosing_tag(html, main, &start, &end)) return false;
    p->id = tag_attr(start, end, "id");
    p->session = tag_attr(start, end, "data-phx-session");
    p->static_token = tag_attr(start, end, "data-phx-static");
    const char *meta = strstr(html, "name=\"csrf-token\"");
    if (meta && enclosing_tag(html, meta, &start, &end)) p->csrf = tag_attr(start, end, "content");
    const char *title = strstr(html, "<title>");
    const char *title_end = title ? strstr(title, "</title>") : NULL;
    if (title_end) p->title = html_unescape(title + 7, (size_t)(title_end - title - 7));
    return p->id && p->session;
}

/* ------------------------------------------------------------------------
 * The connection
 * ------------------------------------------------------------------------ */

static void conn_send_text(void *handle, const char *data, size_t len)
{
    lv_test_view *v = handle;
    if (!v->connected) return;
    if (v->inbox_len == v->inbox_cap) {
        v->inbox_cap = v->inbox_cap ? v->inbox_cap * 2 : 16;
        v->inbox = lv_xrealloc(v->inbox, v->inbox_cap * sizeof *v->inbox);
    }
    v->inbox[v->inbox_len++] = lv_xstrndup(data, len);
}

static void conn_close(void *handle, uint16_t code, const char *reason)
{
    lv_test_view *v = handle;
    (void)code;
    if (!v->error) view_fail(v, "the server closed the connection: %s", reason ? reason : "");
    v->close_asked = true; /* on_close follows, outside the endpoint's call */
}

static const lv_endpoint_conn_ops conn_ops = {conn_send_text, conn_close};

static void disconnect(lv_test_view *v)
{
    if (!v->connected) return;
    v->connected = false;
    v->alive = false;
    /* The connection is its host's: a child only stops using it. */
    if (!v->host) v->t->ep.on_close(v->conn_ctx, LV_ENDPOINT_CLOSED);
    v->conn_ctx = NULL;
    for (lv_test_view *child = v->t->views; child; child = child->next)
        if (child->host == v && child->connected) {
            child->connected = false;
            child->alive = false;
            child->conn_ctx = NULL;
        }
}

/* The WebSocket handshake a browser makes after loading the page, with the
 * page's CSRF token in the URL and the cookies. */
static int connect_view(lv_test_view *v)
{
    lv_test *t = v->t;
    lv_buf query = LV_BUF_INIT;
    lv_buf_puts(&query, "_csrf_token=");
    url_encode(&query, v->csrf ? v->csrf : "");
    lv_buf_puts(&query, "&_mounts=0&vsn=2.0.0");
    char *cookies = cookie_header(t);
    const char *headers[] = {"host", TEST_HOST, "origin", TEST_ORIGIN, "user-agent", "lv_test",
                             "cookie", cookies, NULL};
    if (!*cookies) headers[6] = NULL;
    lv_http_request req = {.method = "GET", .path = LV_SOCKET_PATH, .query = query.data, .headers = headers,
                           .peer_addr = "127.0.0.1", .peer_port = 40000};
    lv_endpoint_conn conn = {&conn_ops, v};
    v->connected = true;
    int status = t->ep.upgrade(t->ep.ctx, &req, conn, &v->conn_ctx);
    if (status != 0) {
        v->connected = false;
        view_fail(v, "the WebSocket was refused with %d", status);
    }
    lv_buf_free(&query);
    free(cookies);
    return status == 0 ? 0 : -1;
}

/* Sends [join_ref, ref, topic, event, payload] (payload: JSON text).
 * Returns the ref. */
static int send_frame(lv_test_view *v, const char *join_ref, const char *event, const char *payload)
{
    int ref = ++v->next_ref;
    lv_buf frame = LV_BUF_INIT;
    lv_buf_putc(&frame, '[');
    if (join_ref)
        lv_json_cstr(&frame, join_ref);
    else
        lv_buf_puts(&frame, "null");
    lv_buf_printf(&frame, ",\"%d\",", ref);
    lv_json_cstr(&frame, v->topic);
    lv_buf_putc(&frame, ',');
    lv_json_cstr(&frame, event);
    lv_buf_putc(&frame, ',');
    lv_buf_puts(&frame, payload);
    lv_buf_putc(&frame, ']');
    if (v->connected) v->t->ep.on_text(v->conn_ctx, frame.data, frame.len);
    lv_buf_free(&frame);
    return ref;
}

/* phx_join, with the page's tokens: url for the page's own view, redirect
 * (and the flash it carries) for a live navigation. */
static void send_join(lv_test_view *v, bool navigation, const char *flash)
{
    lv_buf p = LV_BUF_INIT;
    if (v->host) {
        /* A nested view has no URL (the client's joinChild). */
        lv_buf_puts(&p, "{\"params\":{\"_csrf_token\":");
    } else {
        lv_buf_puts(&p, navigation ? "{\"redirect\":" : "{\"url\":");
        lv_buf url = LV_BUF_INIT;
        lv_buf_printf(&url, "%s%s", TEST_ORIGIN, v->path);
        lv_json_cstr(&p, url.data);
        lv_buf_free(&url);
        lv_buf_puts(&p, ",\"params\":{\"_csrf_token\":");
    }
    lv_json_cstr(&p, v->csrf ? v->csrf : "");
    lv_buf_puts(&p, ",\"_mounts\":0,\"_mount_attempts\":0},\"session\":");
    lv_json_cstr(&p, v->session ? v->session : "");
    lv_buf_puts(&p, ",\"static\":");
    if (v->static_token && *v->static_token)
        lv_json_cstr(&p, v->static_token);
    else
        lv_buf_puts(&p, "null");
    if (flash) {
        lv_buf_puts(&p, ",\"flash\":");
        lv_json_cstr(&p, flash);
    }
    lv_buf_puts(&p, ",\"sticky\":false}");
    /* The join's own ref is its join_ref (docs/protocol.md §1.4). */
    char join_ref[24];
    snprintf(join_ref, sizeof join_ref, "%d", v->next_ref + 1);
    set_str(&v->join_ref, join_ref);
    v->waiting_join = v->next_ref + 1;
    v->join_navigates = navigation;
    send_frame(v, join_ref, "phx_join", p.data);
    lv_buf_free(&p);
}

/* ------------------------------------------------------------------------
 * What the server sends, read as the client reads it
 * ------------------------------------------------------------------------ */

static void end_view(lv_test_view *v)
{
    v->alive = false;
    v->waiting_join = 0;
}

/* Rendered.extract, then the merge and the DOM patch. */
static void apply_diff(lv_test_view *v, json_t *diff, bool whole)
{
    json_t *copy = json_copy(diff);
    json_t *title = json_object_get(copy, "t");
    if (json_is_string(title)) set_str(&v->title, json_string_value(title));
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(copy, "e"), i, ev) {
        lv_value pair;
        if (lv_value_from_json(ev, LV_JSON_MAX_DEPTH, &pair)) lv_value_list_push(&v->pushed, pair);
    }
    json_t *reply = json_object_get(copy, "r");
    if (reply) {
        lv_value_free(&v->reply);
        if (!lv_value_from_json(reply, LV_JSON_MAX_DEPTH, &v->reply)) v->reply = lv_value_map();
    }
    json_object_del(copy, "t");
    json_object_del(copy, "e");
    json_object_del(copy, "r");
    if (whole) {
        lv_mirror_reset(&v->mirror, copy);
    } else if (json_object_size(copy) > 0) {
        lv_mirror_apply(&v->mirror, copy);
    }
    if (v->mirror.error.failed) view_fail(v, "the client would fail: %s", v->mirror.error.why);
    json_decref(copy);
}

static void follow_navigation(lv_test_view *v, const char *to, const char *flash);

/* redirect: a full page load of `to`; the page (and this view) goes. */
static void follow_redirect(lv_test_view *v, const char *to, const char *flash)
{
    lv_test *t = v->t;
    set_str(&t->redirect, to);
    if (flash) put_cookie(t, "__phoenix_flash__", 17, flash, strlen(flash));
    view_fail(v, "redirected to %s", to ? to : "?");
    end_view(v);
    disconnect(v);
}

static void on_navigation(lv_test_view *v, const char *kind, json_t *nav)
{
    const char *to = json_string_value(json_object_get(nav, "to"));
    const char *flash = json_string_value(json_object_get(nav, "flash"));
    if (!to) return;
    if (strcmp(kind, "live_patch") == 0)
        set_str(&v->path, to);
    else if (strcmp(kind, "live_redirect") == 0)
        follow_navigation(v, to, flash);
    else
        follow_redirect(v, to, flash);
}

/* The navigation keys a reply may carry, in the client's order. */
static void reply_navigation(lv_test_view *v, json_t *response)
{
    static const char *const kinds[] = {"redirect", "live_patch", "live_redirect"};
    for (size_t i = 0; i < 3; i++) {
        json_t *nav = json_object_get(response, kinds[i]);
        if (json_is_object(nav)) on_navigation(v, kinds[i], nav);
    }
}

static void on_join_reply(lv_test_view *v, const char *status, json_t *response)
{
    v->waiting_join = 0;
    if (strcmp(status, "ok") == 0 && json_is_object(json_object_get(response, "rendered"))) {
        v->alive = true;
        free(v->error);
        v->error = NULL;
        apply_diff(v, json_object_get(response, "rendered"), true);
        json_t *patch = json_object_get(response, "live_patch");
        if (json_is_object(patch)) on_navigation(v, "live_patch", patch);
        return;
    }
    end_view(v);
    if (json_object_get(response, "live_redirect") || json_object_get(response, "redirect")) {
        reply_navigation(v, response); /* mount sent the client elsewhere */
        return;
    }
    const char *reason = json_string_value(json_object_get(response, "reason"));
    if (v->join_navigates && reason && (strcmp(reason, "unauthorized") == 0 || strcmp(reason, "stale") == 0)) {
        /* The client's onJoinError: a refused live navigation (another live
         * session, no LiveView there) becomes a full page load of it. */
        char *to = lv_xstrdup(v->path);
        follow_redirect(v, to, NULL);
        free(to);
        return;
    }
    view_fail(v, "the join was refused: %s", reason ? reason : "no reason");
}

static void on_event_reply(lv_test_view *v, const char *status, json_t *response)
{
    v->waiting_event = 0;
    v->answered = true;
    v->answer_ok = strcmp(status, "ok") == 0;
    if (!v->answer_ok) {
        const char *reason = json_string_value(json_object_get(response, "reason"));
        view_fail(v, "%s", reason ? reason : "the server replied with an error");
        return;
    }
    json_decref(v->last_response);
    v->last_response = json_incref(response);
    if (json_is_true(json_object_get(response, "link_redirect"))) v->link_redirect = true;
    json_t *diff = json_object_get(response, "diff");
    if (json_is_object(diff)) apply_diff(v, diff, false);
    reply_navigation(v, response);
}

static bool ref_is(json_t *ref, int expected)
{
    char want[24];
    snprintf(want, sizeof want, "%d", expected);
    return expected && json_is_string(ref) && strcmp(json_string_value(ref), want) == 0;
}

/* The nested view of topic on host's connection, or NULL. */
static lv_test_view *child_of(lv_test_view *host, const char *topic)
{
    for (lv_test_view *c = host->t->views; c; c = c->next)
        if (c->host == host && c->topic && strcmp(c->topic, topic) == 0) return c;
    return NULL;
}

static void read_frame(lv_test_view *v, const char *text)
{
    json_t *msg = json_loads(text, 0, NULL);
    if (!json_is_array(msg) || json_array_size(msg) != 5) {
        view_fail(v, "the server sent a malformed frame");
        json_decref(msg);
        return;
    }
    const char *join_ref = json_string_value(json_array_get(msg, 0));
    json_t *ref = json_array_get(msg, 1);
    const char *topic = json_string_value(json_array_get(msg, 2));
    const char *event = json_string_value(json_array_get(msg, 3));
    json_t *payload = json_array_get(msg, 4);
    bool current = join_ref && v->join_ref && strcmp(join_ref, v->join_ref) == 0;
    if (topic && event && v->upload_topic && strcmp(topic, v->upload_topic) == 0) {
        if (strcmp(event, "phx_reply") == 0 && ref_is(ref, v->upload_waiting)) {
            const char *status = json_string_value(json_object_get(payload, "status"));
            const char *reason = json_string_value(json_object_get(json_object_get(payload, "response"), "reason"));
            v->upload_waiting = 0;
            v->upload_answered = true;
            v->upload_ok = status && strcmp(status, "ok") == 0;
            set_str(&v->upload_reason, reason ? reason : "the upload channel replied with an error");
        }
    } else if (topic && v->topic && strcmp(topic, v->topic) != 0 && child_of(v, topic)) {
        /* A nested view's frame on its host's connection. */
        lv_test_view *child = child_of(v, topic);
        json_decref(msg);
        read_frame(child, text);
        return;
    } else if (!topic || !event || !v->topic || strcmp(topic, v->topic) != 0) {
        /* "phoenix" heartbeats and the like: nothing for the view. */
    } else if (strcmp(event, "phx_reply") == 0) {
        const char *status = json_string_value(json_object_get(payload, "status"));
        json_t *response = json_object_get(payload, "response");
        if (status && ref_is(ref, v->waiting_join))
            on_join_reply(v, status, response);
        else if (status && current && ref_is(ref, v->waiting_event))
            on_event_reply(v, status, response);
    } else if (!current || !v->alive) {
        /* A push of an earlier join (the view left for the next one). */
    } else if (strcmp(event, "diff") == 0) {
        apply_diff(v, payload, false);
    } else if (strcmp(event, "live_patch") == 0 || strcmp(event, "live_redirect") == 0 ||
               strcmp(event, "redirect") == 0) {
        on_navigation(v, event, payload);
    } else if (strcmp(event, "phx_error") == 0) {
        /* A callback failed: the view crashed; the push that made it crash
         * gets no reply. */
        if (v->waiting_event) {
            v->waiting_event = 0;
            v->answered = true;
            v->answer_ok = false;
        }
        view_fail(v, "the view crashed");
        end_view(v);
    } else if (strcmp(event, "phx_close") == 0) {
        view_fail(v, "the server ended the view (%s)", event);
        end_view(v);
    }
    json_decref(msg);
}

/* push_navigate / live_redirect: the client leaves the view and joins the
 * one at `to` on the same topic, with the same page tokens. */
static void follow_navigation(lv_test_view *v, const char *to, const char *flash)
{
    if (++v->navigations > MAX_NAVIGATIONS) {
        view_fail(v, "more than %d live navigations in a row", MAX_NAVIGATIONS);
        end_view(v);
        return;
    }
    if (v->alive) send_frame(v, v->join_ref, "phx_leave", "{}");
    end_view(v);
    set_str(&v->path, to);
    lv_value_free(&v->reply);
    send_join(v, true, flash);
}

/* Reads every frame waiting on every view, and carries out closes the
 * endpoint asked for. */
static void pump(lv_test *t)
{
    if (t->pumping) return;
    t->pumping = true;
    bool again = true;
    while (again) {
        again = false;
        for (lv_test_view *v = t->views; v; v = v->next) {
            size_t i = 0;
            for (; i < v->inbox_len; i++) { /* reading may append: the length is re-read */
                read_frame(v, v->inbox[i]);
                free(v->inbox[i]);
                v->inbox[i] = NULL;
            }
            v->inbox_len = 0;
            if (v->close_asked) {
                v->close_asked = false;
                end_view(v);
                disconnect(v);
            }
            again |= i > 0;
        }
    }
    for (lv_test_view *v = t->views; v; v = v->next) v->navigations = 0;
    t->pumping = false;
}

/* ------------------------------------------------------------------------
 * The public API
 * ------------------------------------------------------------------------ */

lv_test *lv_test_new(lv_app *app)
{
    /* The pages carry the client's tags as they do when served; this is
     * where lv_app_run would prepare them. */
    if (!app || lv_app_files_prepare(app) != 0) return NULL;
    lv_test *t = lv_xcalloc(1, sizeof *t);
    t->app = app;
    t->ep = lv_app_endpoint(app);
    lv_runtime rt = {.ctx = t, .timer_start = rt_timer_start, .timer_stop = rt_timer_stop,
                     .queue_work = rt_queue_work};
    t->ep.started(t->ep.ctx, &rt, 0);
    return t;
}

static void view_free(lv_test_view *v)
{
    for (size_t i = 0; i < v->inbox_len; i++) free(v->inbox[i]);
    free(v->inbox);
    free(v->topic);
    free(v->join_ref);
    free(v->session);
    free(v->static_token);
    free(v->csrf);
    free(v->path);
    free(v->title);
    free(v->error);
    lv_mirror_free(&v->mirror);
    lv_value_free(&v->pushed);
    lv_value_free(&v->reply);
    json_decref(v->last_response);
    free(v->upload_topic);
    free(v->upload_reason);
    free(v);
}

static int run_work(lv_test *t)
{
    int ran = 0;
    while (t->work_head && ran < MAX_RUNS_PER_CALL) {
        test_work *w = t->work_head;
        t->work_head = w->next;
        if (!t->work_head) t->work_tail = NULL;
        w->work(w->arg);
        w->done(w->arg);
        free(w);
        ran++;
        pump(t);
    }
    return ran;
}

void lv_test_free(lv_test *t)
{
    if (!t) return;
    for (lv_test_view *v = t->views; v; v = v->next) disconnect(v);
    /* Jobs of views that have gone are freed by their completion. */
    run_work(t);
    while (t->timers) rt_timer_stop(t, t->timers);
    t->ep.stopped(t->ep.ctx);
    while (t->views) {
        lv_test_view *v = t->views;
        t->views = v->next;
        view_free(v);
    }
    for (size_t i = 0; i < t->cookie_count; i++) {
        free(t->cookies[i].name);
        free(t->cookies[i].value);
    }
    free(t->cookies);
    free(t->body);
    free(t->redirect);
    free(t->error);
    free(t->page_csrf);
    free(t);
}

static bool path_ok(const char *path)
{
    return path && path[0] == '/';
}

lv_test_view *lv_test_live(lv_test *t, const char *path)
{
    if (!t) return NULL;
    set_str(&t->error, NULL);
    if (!path_ok(path)) {
        set_str(&t->error, "a path starts with /");
        return NULL;
    }
    char *own_path = lv_xstrdup(path); /* path may be lv_test_redirect's */
    int status = http_request(t, "GET", own_path, NULL);
    page p;
    if (status != 200 || !read_page(t->body, &p)) {
        if (status == 200) page_free(&p);
        lv_buf why = LV_BUF_INIT;
        lv_buf_printf(&why, "GET %s answered %d%s", own_path, status, status == 200 ? " without a LiveView" : "");
        free(t->error);
        t->error = lv_buf_take(&why);
        free(own_path);
        return NULL;
    }
    set_str(&t->page_csrf, p.csrf);
    lv_test_view *v = lv_xcalloc(1, sizeof *v);
    v->t = t;
    v->pushed = lv_value_list();
    v->reply = lv_value_null();
    lv_mirror_init(&v->mirror);
    lv_buf topic = LV_BUF_INIT;
    lv_buf_printf(&topic, "lv:%s", p.id);
    v->topic = lv_buf_take(&topic);
    v->session = p.session;
    v->static_token = p.static_token;
    v->csrf = p.csrf;
    v->title = p.title;
    v->path = own_path;
    free(p.id);
    v->next = t->views;
    t->views = v;
    if (connect_view(v) != 0) {
        set_str(&t->error, v->error);
        return NULL;
    }
    send_join(v, false, NULL);
    pump(t);
    if (!v->alive) {
        set_str(&t->error, v->error ? v->error : "the view did not join");
        return NULL;
    }
    return v;
}

/* The value of attribute name in the tag of a nested view's container
 * (id="<id>" and a data-phx-session) in html, or NULL; owned by the caller. */
static char *child_attr(const char *html, const char *id, const char *name)
{
    lv_buf needle = LV_BUF_INIT;
    lv_buf_printf(&needle, "<div id=\"%s\" data-phx-session=", id);
    const char *at = strstr(html, needle.data);
    lv_buf_free(&needle);
    const char *start, *end;
    if (!at || !enclosing_tag(html, at + 1, &start, &end)) return NULL;
    return tag_attr(start, end, name);
}

lv_test_view *lv_test_child(lv_test_view *parent, const char *id)
{
    if (!parent || !id) return NULL;
    lv_test *t = parent->t;
    pump(t);
    char *token = child_attr(lv_test_html(parent), id, "data-phx-session");
    if (!token || !*token || !parent->alive) {
        set_str(&t->error, parent->alive ? "the view's HTML shows no nested view with that id"
                                         : "the view has ended");
        free(token);
        return NULL;
    }
    lv_test_view *v = lv_xcalloc(1, sizeof *v);
    v->t = t;
    v->host = parent;
    v->pushed = lv_value_list();
    v->reply = lv_value_null();
    lv_mirror_init(&v->mirror);
    lv_buf topic = LV_BUF_INIT;
    lv_buf_printf(&topic, "lv:%s", id);
    v->topic = lv_buf_take(&topic);
    v->session = token;
    v->csrf = lv_xstrdup(parent->csrf ? parent->csrf : "");
    v->path = lv_xstrdup(parent->path);
    v->next = t->views;
    t->views = v;
    v->connected = parent->connected;
    v->conn_ctx = parent->conn_ctx;
    send_join(v, false, NULL);
    pump(t);
    if (!v->alive) {
        set_str(&t->error, v->error ? v->error : "the nested view did not join");
        return NULL;
    }
    return v;
}

int lv_test_get(lv_test *t, const char *path)
{
    if (!t) return -1;
    set_str(&t->error, NULL);
    if (!path_ok(path)) {
        set_str(&t->error, "a path starts with /");
        return -1;
    }
    return http_request(t, "GET", path, NULL);
}

int lv_test_post(lv_test *t, const char *path, const char *urlencoded)
{
    if (!t) return -1;
    set_str(&t->error, NULL);
    if (!path_ok(path)) {
        set_str(&t->error, "a path starts with /");
        return -1;
    }
    lv_buf body = LV_BUF_INIT;
    lv_buf_puts(&body, urlencoded ? urlencoded : "");
    bool has_token = urlencoded && (strncmp(urlencoded, "_csrf_token=", 12) == 0 || strstr(urlencoded, "&_csrf_token="));
    if (!has_token && t->page_csrf) {
        if (body.len) lv_buf_putc(&body, '&');
        lv_buf_puts(&body, "_csrf_token=");
        url_encode(&body, t->page_csrf);
    }
    int status = http_request(t, "POST", path, body.data ? body.data : "");
    lv_buf_free(&body);
    return status;
}

int lv_test_status(const lv_test *t)
{
    return t ? t->status : 0;
}

const char *lv_test_body(const lv_test *t)
{
    return t && t->body ? t->body : "";
}

const char *lv_test_redirect(const lv_test *t)
{
    return t ? t->redirect : NULL;
}

const char *lv_test_last_error(const lv_test *t)
{
    return t ? t->error : NULL;
}

const char *lv_test_cookie(const lv_test *t, const char *name)
{
    const cookie *c = t && name ? find_cookie(t, name) : NULL;
    return c ? c->value : NULL;
}

const char *lv_test_html(lv_test_view *v)
{
    if (!v) return NULL;
    pump(v->t);
    return lv_mirror_html(&v->mirror);
}

const char *lv_test_title(lv_test_view *v)
{
    if (!v) return NULL;
    pump(v->t);
    return v->title;
}

const char *lv_test_path(lv_test_view *v)
{
    if (!v) return NULL;
    pump(v->t);
    return v->path;
}

/* The view's socket on the server, while joined. */
static lv_socket *server_socket(lv_test_view *v)
{
    if (!v->alive || !v->connected) return NULL;
    lv_endpoint_socket *sock = v->conn_ctx;
    for (uint32_t i = 0; i < sock->channel.view_count; i++)
        if (strcmp(sock->channel.views[i].topic, v->topic) == 0) return sock->channel.views[i].socket;
    return NULL;
}

const char *lv_test_flash(lv_test_view *v, const char *key)
{
    if (!v || !key) return NULL;
    pump(v->t);
    lv_socket *s = server_socket(v);
    return s ? lv_value_str_at(lv_assigns_get(&s->assigns, "flash"), key) : NULL;
}

/* [name, payload], or [name, payload, true] for an event the client
 * dispatches before the patch (lv_push_event_before). */
static bool pushed_event(const lv_value *pair)
{
    size_t n = lv_value_list_len(pair);
    return n == 2 || n == 3;
}

const lv_value *lv_test_pushed(lv_test_view *v, const char *name)
{
    if (!v || !name) return NULL;
    pump(v->t);
    const lv_value *found = NULL;
    for (size_t i = 0; i < lv_value_list_len(&v->pushed); i++) {
        const lv_value *pair = &v->pushed.as.list->items[i];
        if (pushed_event(pair) && pair->as.list->items[0].kind == LV_VALUE_STRING &&
            strcmp(pair->as.list->items[0].as.s.ptr, name) == 0)
            found = &pair->as.list->items[1];
    }
    return found;
}

int lv_test_pushed_count(lv_test_view *v, const char *name)
{
    if (!v || !name) return -1;
    pump(v->t);
    int n = 0;
    for (size_t i = 0; i < lv_value_list_len(&v->pushed); i++) {
        const lv_value *pair = &v->pushed.as.list->items[i];
        if (pushed_event(pair) && pair->as.list->items[0].kind == LV_VALUE_STRING &&
            strcmp(pair->as.list->items[0].as.s.ptr, name) == 0)
            n++;
    }
    return n;
}

bool lv_test_alive(const lv_test_view *v)
{
    return v && v->alive;
}

const char *lv_test_error(const lv_test_view *v)
{
    return v ? v->error : NULL;
}

/* The cid of the component whose root element has id `root_id`: the
 * element the client finds phx-target="#id"'s component by. -1 if none. */
static int64_t component_cid(lv_test_view *v, const char *root_id)
{
    lv_buf needle = LV_BUF_INIT;
    lv_buf_puts(&needle, "id=\"");
    lv_buf_puts(&needle, root_id);
    lv_buf_putc(&needle, '"');
    const char *html = lv_mirror_html(&v->mirror);
    const char *at = strstr(html, needle.data);
    lv_buf_free(&needle);
    const char *start, *end;
    if (!at || !enclosing_tag(html, at, &start, &end)) return -1;
    char *cid = tag_attr(start, end, "data-phx-component");
    int64_t n = cid ? strtoll(cid, NULL, 10) : -1;
    free(cid);
    return n;
}

/* The last field named in urlencoded data, decoded: the input that
 * changed. NULL when there is none (owned by the caller). */
static char *last_field(const char *form)
{
    char *found = NULL;
    const char *p = form;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        size_t name_len = strcspn(p, "=&");
        if (name_len > len) name_len = len;
        lv_buf name = LV_BUF_INIT;
        if (name_len && lv_percent_decode(p, name_len, true, 1024, &name) == LV_FORM_OK && name.data &&
            strcmp(name.data, "_csrf_token") != 0 && strncmp(name.data, "_unused_", 8) != 0) {
            free(found);
            found = lv_buf_take(&name);
        }
        lv_buf_free(&name);
        p = amp ? amp + 1 : NULL;
    }
    return found;
}

static bool has_field(const char *form, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = form; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == '=') return true;
    return false;
}

static bool value_ok(const lv_value *value)
{
    return !value || (value->kind == LV_VALUE_MAP && lv_value_json_safe(value));
}

int lv_test_push(lv_test_view *v, const lv_test_event *e)
{
    if (!v) return -1;
    pump(v->t);
    if (!v->alive) {
        if (!v->error) view_fail(v, "the view has ended");
        return -1;
    }
    bool form = e && e->type && strcmp(e->type, "form") == 0;
    if (!e || !e->type || !e->event || (form && !e->form) || (!form && !value_ok(e->value))) {
        view_fail(v, "a bad event: it needs a type, a name, and a map value (or form data)");
        return -1;
    }
    int64_t cid = -1;
    if (e->target) {
        cid = component_cid(v, e->target);
        if (cid < 0) {
            view_fail(v, "no component has a root element with id \"%s\"", e->target);
            return -1;
        }
    }
    lv_buf p = LV_BUF_INIT;
    lv_buf_puts(&p, "{\"type\":");
    lv_json_cstr(&p, e->type);
    lv_buf_puts(&p, ",\"event\":");
    lv_json_cstr(&p, e->event);
    lv_buf_puts(&p, ",\"value\":");
    if (form) {
        lv_buf data = LV_BUF_INIT;
        lv_buf_puts(&data, e->form);
        if (!has_field(e->form, "_csrf_token") && v->csrf) {
            if (data.len) lv_buf_putc(&data, '&');
            lv_buf_puts(&data, "_csrf_token=");
            url_encode(&data, v->csrf);
        }
        lv_json_cstr(&p, data.data ? data.data : "");
        lv_buf_free(&data);
        lv_buf_puts(&p, ",\"meta\":{");
        if (e->changed) {
            lv_buf_puts(&p, "\"_target\":");
            lv_json_cstr(&p, e->changed);
        }
        lv_buf_putc(&p, '}');
    } else if (e->value) {
        lv_value_append_json(e->value, &p);
    } else {
        lv_buf_puts(&p, "{}");
    }
    if (cid >= 0) lv_buf_printf(&p, ",\"cid\":%lld", (long long)cid);
    lv_buf_putc(&p, '}');

    free(v->error);
    v->error = NULL;
    v->answered = false;
    v->waiting_event = v->next_ref + 1;
    send_frame(v, v->join_ref, "event", p.data);
    lv_buf_free(&p);
    pump(v->t);
    if (!v->answered) {
        if (!v->error) view_fail(v, "the server did not reply");
        return -1;
    }
    return v->answer_ok ? 0 : -1;
}

/* ---- uploads ---- */

/* Sends a push on the view's topic (event, allow_upload, progress) and
 * waits for its reply: 0 for ok, -1 (with the view's error) otherwise. */
static int push_and_wait(lv_test_view *v, const char *phx_event, const char *payload)
{
    free(v->error);
    v->error = NULL;
    v->answered = false;
    v->waiting_event = v->next_ref + 1;
    send_frame(v, v->join_ref, phx_event, payload);
    pump(v->t);
    if (!v->answered) {
        if (!v->error) view_fail(v, "the server did not reply");
        return -1;
    }
    return v->answer_ok ? 0 : -1;
}

/* Sends a frame on the upload channel (text, or the binary chunk layout)
 * and waits for its reply. */
static int upload_send(lv_test_view *v, const char *join_ref, const char *event, const char *payload,
                       const uint8_t *chunk, size_t chunk_len)
{
    int ref = ++v->next_ref;
    char ref_text[24];
    snprintf(ref_text, sizeof ref_text, "%d", ref);
    v->upload_waiting = ref;
    v->upload_answered = false;
    lv_buf frame = LV_BUF_INIT;
    if (!chunk) {
        lv_buf_putc(&frame, '[');
        lv_json_cstr(&frame, join_ref);
        lv_buf_putc(&frame, ',');
        lv_json_cstr(&frame, ref_text);
        lv_buf_putc(&frame, ',');
        lv_json_cstr(&frame, v->upload_topic);
        lv_buf_putc(&frame, ',');
        lv_json_cstr(&frame, event);
        lv_buf_putc(&frame, ',');
        lv_buf_puts(&frame, payload);
        lv_buf_putc(&frame, ']');
        if (v->connected) v->t->ep.on_text(v->conn_ctx, frame.data, frame.len);
    } else {
        const char *fields[4] = {join_ref, ref_text, v->upload_topic, event};
        lv_buf_putc(&frame, 0);
        for (int i = 0; i < 4; i++) lv_buf_putc(&frame, (char)strlen(fields[i]));
        for (int i = 0; i < 4; i++) lv_buf_puts(&frame, fields[i]);
        lv_buf_append(&frame, (const char *)chunk, chunk_len);
        if (v->connected) v->t->ep.on_binary(v->conn_ctx, (const uint8_t *)frame.data, frame.len);
    }
    lv_buf_free(&frame);
    pump(v->t);
    if (!v->upload_answered) {
        view_fail(v, "the upload channel did not reply");
        return -1;
    }
    if (!v->upload_ok) {
        view_fail(v, "%s", v->upload_reason);
        return -1;
    }
    return 0;
}

/* Finds the file input of upload `name`: its upload ref and the phx-change
 * of its form (either may come back NULL; the caller frees both). */
static void find_file_input(lv_test_view *v, const char *name, char **upload_ref, char **change)
{
    *upload_ref = *change = NULL;
    const char *html = lv_mirror_html(&v->mirror);
    for (const char *at = strstr(html, "data-phx-upload-ref="); at; at = strstr(at + 1, "data-phx-upload-ref=")) {
        const char *start, *end;
        if (!enclosing_tag(html, at, &start, &end) || strncmp(start, "input", 5) != 0) continue;
        char *input_name = tag_attr(start, end, "name");
        bool match = input_name && strcmp(input_name, name) == 0;
        free(input_name);
        if (!match) continue;
        *upload_ref = tag_attr(start, end, "data-phx-upload-ref");
        for (const char *form = start; form > html; form--) {
            if (strncmp(form, "<form", 5) != 0) continue;
            const char *form_start, *form_end;
            if (enclosing_tag(html, form + 1, &form_start, &form_end)) *change = tag_attr(form_start, form_end, "phx-change");
            break;
        }
        return;
    }
}

/* The reason the preflight refused the entry, or NULL. */
static const char *preflight_error(json_t *response, const char *entry_ref)
{
    json_t *errors = json_object_get(response, "error");
    if (json_is_array(errors) && json_array_size(errors) > 0)
        return json_string_value(json_array_get(json_array_get(errors, 0), 1));
    json_t *mine = json_object_get(json_object_get(response, "errors"), entry_ref);
    if (json_is_array(mine) && json_array_size(mine) > 0) return json_string_value(json_array_get(mine, 0));
    json_t *entry = json_object_get(json_object_get(response, "entries"), entry_ref);
    if (!json_is_string(entry) && !json_is_object(entry)) return "no token"; /* an object: external meta */
    return NULL;
}

static int upload(lv_test_view *v, const char *name, const char *filename, const char *type, const void *bytes,
                  size_t len, size_t sent)
{
    if (!v) return -1;
    pump(v->t);
    if (!v->alive) {
        if (!v->error) view_fail(v, "the view has ended");
        return -1;
    }
    if (!name || !filename || (!bytes && len)) {
        view_fail(v, "an upload needs a name, a file name and its bytes");
        return -1;
    }
    char *upload_ref, *change;
    find_file_input(v, name, &upload_ref, &change);
    if (!upload_ref) {
        free(change);
        view_fail(v, "no live_file_input for upload \"%s\"", name);
        return -1;
    }
    static unsigned long long entry_seq;
    char entry_ref[24];
    snprintf(entry_ref, sizeof entry_ref, "%llu", entry_seq++);
    lv_buf entry = LV_BUF_INIT;
    lv_buf_puts(&entry, "{\"path\":");
    lv_json_cstr(&entry, name);
    lv_buf_puts(&entry, ",\"ref\":");
    lv_json_cstr(&entry, entry_ref);
    lv_buf_puts(&entry, ",\"last_modified\":0,\"name\":");
    lv_json_cstr(&entry, filename);
    lv_buf_puts(&entry, ",\"relative_path\":\"\",\"type\":");
    lv_json_cstr(&entry, type ? type : "");
    lv_buf_printf(&entry, ",\"size\":%zu}", len);

    int rc = 0;
    lv_buf p = LV_BUF_INIT;
    if (change) {
        /* The input's change: the form's fields (the CSRF token) and the file. */
        lv_buf_puts(&p, "{\"type\":\"form\",\"event\":");
        lv_json_cstr(&p, change);
        lv_buf data = LV_BUF_INIT;
        if (v->csrf) {
            lv_buf_puts(&data, "_csrf_token=");
            url_encode(&data, v->csrf);
        }
        lv_buf_puts(&p, ",\"value\":");
        lv_json_cstr(&p, data.data ? data.data : "");
        lv_buf_free(&data);
        lv_buf_puts(&p, ",\"meta\":{\"_target\":");
        lv_json_cstr(&p, name);
        lv_buf_puts(&p, "},\"uploads\":{");
        lv_json_cstr(&p, upload_ref);
        lv_buf_puts(&p, ":[");
        lv_buf_append(&p, entry.data, entry.len);
        lv_buf_puts(&p, "]}}");
        rc = push_and_wait(v, "event", p.data);
    }
    if (rc == 0) {
        lv_buf_reset(&p);
        lv_buf_puts(&p, "{\"ref\":");
        lv_json_cstr(&p, upload_ref);
        lv_buf_puts(&p, ",\"entries\":[");
        lv_buf_append(&p, entry.data, entry.len);
        lv_buf_puts(&p, "],\"cid\":null}");
        rc = push_and_wait(v, "allow_upload", p.data);
    }
    const char *refused = rc == 0 ? preflight_error(v->last_response, entry_ref) : NULL;
    if (refused) {
        view_fail(v, "%s", refused);
        rc = -1;
    }
    json_t *preflighted = rc == 0 ? json_object_get(json_object_get(v->last_response, "entries"), entry_ref) : NULL;
    if (json_is_object(preflighted)) {
        /* An external upload: the page's own uploader sends the bytes
         * elsewhere and reports its progress, as an entry's progress(). */
        if (sent == len) {
            lv_buf_reset(&p);
            lv_buf_puts(&p, "{\"event\":null,\"ref\":");
            lv_json_cstr(&p, upload_ref);
            lv_buf_puts(&p, ",\"entry_ref\":");
            lv_json_cstr(&p, entry_ref);
            lv_buf_puts(&p, ",\"progress\":100,\"cid\":null}");
            rc = push_and_wait(v, "progress", p.data);
        }
        lv_buf_free(&p);
        lv_buf_free(&entry);
        free(upload_ref);
        free(change);
        return rc;
    }
    char *token = NULL;
    size_t chunk_size = 0;
    if (rc == 0) {
        token = lv_xstrdup(json_string_value(json_object_get(json_object_get(v->last_response, "entries"), entry_ref)));
        json_int_t cs = json_integer_value(json_object_get(json_object_get(v->last_response, "config"), "chunk_size"));
        chunk_size = cs > 0 ? (size_t)cs : 64000;
    }
    if (rc == 0) {
        /* The upload channel, as the client's EntryUploader opens it. */
        lv_buf topic = LV_BUF_INIT;
        lv_buf_printf(&topic, "lvu:%s", entry_ref);
        free(v->upload_topic);
        v->upload_topic = lv_buf_take(&topic);
        char join_ref[24];
        snprintf(join_ref, sizeof join_ref, "%d", v->next_ref + 1);
        lv_buf_reset(&p);
        lv_buf_puts(&p, "{\"token\":");
        lv_json_cstr(&p, token);
        lv_buf_putc(&p, '}');
        rc = upload_send(v, join_ref, "phx_join", p.data, NULL, 0);
        long last_sent = -1;
        for (size_t offset = 0; rc == 0 && offset < sent;) {
            size_t n = sent - offset < chunk_size ? sent - offset : chunk_size;
            rc = upload_send(v, join_ref, "chunk", NULL, (const uint8_t *)bytes + offset, n);
            offset += n;
            long progress = (long)((double)offset / (double)len * 100.0);
            if (rc == 0 && progress > last_sent) {
                last_sent = progress;
                lv_buf_reset(&p);
                lv_buf_puts(&p, "{\"event\":null,\"ref\":");
                lv_json_cstr(&p, upload_ref);
                lv_buf_puts(&p, ",\"entry_ref\":");
                lv_json_cstr(&p, entry_ref);
                lv_buf_printf(&p, ",\"progress\":%ld,\"cid\":null}", progress);
                rc = push_and_wait(v, "progress", p.data);
            }
        }
    }
    free(token);
    lv_buf_free(&p);
    lv_buf_free(&entry);
    free(upload_ref);
    free(change);
    return rc;
}

int lv_test_upload(lv_test_view *v, const char *name, const char *filename, const char *type, const void *bytes,
                   size_t len)
{
    return upload(v, name, filename, type, bytes, len, len);
}

int lv_test_upload_partial(lv_test_view *v, const char *name, const char *filename, const char *type,
                           const void *bytes, size_t len, size_t sent)
{
    if (sent > len) {
        if (v) view_fail(v, "sent is more than the file's length");
        return -1;
    }
    return upload(v, name, filename, type, bytes, len, sent);
}

int lv_test_click(lv_test_view *v, const char *event, const lv_value *value)
{
    return lv_test_push(v, &(lv_test_event){.type = "click", .event = event, .value = value});
}

int lv_test_change(lv_test_view *v, const char *event, const char *urlencoded)
{
    char *changed = urlencoded ? last_field(urlencoded) : NULL;
    int rc = lv_test_push(v, &(lv_test_event){.type = "form", .event = event, .form = urlencoded,
                                              .changed = changed ? changed : "undefined"});
    free(changed);
    return rc;
}

int lv_test_submit(lv_test_view *v, const char *event, const char *urlencoded)
{
    return lv_test_push(v, &(lv_test_event){.type = "form", .event = event, .form = urlencoded});
}

static int key_event(lv_test_view *v, const char *type, const char *event, const char *key)
{
    if (!key) {
        if (v) view_fail(v, "a key event needs a key");
        return -1;
    }
    lv_value value = lv_value_map();
    lv_value_map_set(&value, "key", lv_value_string(key, strlen(key)));
    int rc = lv_test_push(v, &(lv_test_event){.type = type, .event = event, .value = &value});
    lv_value_free(&value);
    return rc;
}

int lv_test_keydown(lv_test_view *v, const char *event, const char *key)
{
    return key_event(v, "keydown", event, key);
}

int lv_test_keyup(lv_test_view *v, const char *event, const char *key)
{
    return key_event(v, "keyup", event, key);
}

const lv_value *lv_test_hook_event(lv_test_view *v, const char *event, const lv_value *payload)
{
    if (!v) return NULL;
    lv_value_free(&v->reply);
    v->reply = lv_value_null();
    if (lv_test_push(v, &(lv_test_event){.type = "hook", .event = event, .value = payload}) != 0) return NULL;
    if (v->reply.kind == LV_VALUE_NULL) v->reply = lv_value_map();
    return &v->reply;
}

const lv_value *lv_test_last_reply(lv_test_view *v)
{
    return v && v->reply.kind == LV_VALUE_MAP ? &v->reply : NULL;
}

int lv_test_patch(lv_test_view *v, const char *path)
{
    if (!v) return -1;
    pump(v->t);
    if (!v->alive || !path_ok(path)) {
        view_fail(v, "%s", !v->alive ? "the view has ended" : "a path starts with /");
        return -1;
    }
    /* The client changes the history first, then tells the server. */
    set_str(&v->path, path);
    lv_buf p = LV_BUF_INIT;
    lv_buf_puts(&p, "{\"url\":");
    lv_buf url = LV_BUF_INIT;
    lv_buf_printf(&url, "%s%s", TEST_ORIGIN, path);
    lv_json_cstr(&p, url.data);
    lv_buf_free(&url);
    lv_buf_putc(&p, '}');
    free(v->error);
    v->error = NULL;
    v->answered = false;
    v->link_redirect = false;
    v->waiting_event = v->next_ref + 1;
    send_frame(v, v->join_ref, "live_patch", p.data);
    lv_buf_free(&p);
    pump(v->t);
    if (!v->answered) {
        if (!v->error) view_fail(v, "the server did not reply");
        return -1;
    }
    if (!v->answer_ok) return -1;
    /* A URL of another view: the client navigates there instead. */
    if (v->link_redirect) return lv_test_navigate(v, path);
    return 0;
}

int lv_test_navigate(lv_test_view *v, const char *path)
{
    if (!v) return -1;
    pump(v->t);
    if (!v->alive || !path_ok(path)) {
        view_fail(v, "%s", !v->alive ? "the view has ended" : "a path starts with /");
        return -1;
    }
    follow_navigation(v, path, NULL);
    pump(v->t);
    return v->alive ? 0 : -1;
}

void lv_test_close(lv_test_view *v)
{
    if (!v) return;
    pump(v->t);
    end_view(v);
    disconnect(v);
}

int lv_test_advance(lv_test *t, uint64_t ms)
{
    if (!t) return -1;
    pump(t);
    uint64_t until = t->now + ms;
    int fired = 0;
    while (fired < MAX_RUNS_PER_CALL) {
        test_timer *next = NULL;
        for (test_timer *timer = t->timers; timer; timer = timer->next)
            if (!timer->done && timer->due <= until &&
                (!next || timer->due < next->due || (timer->due == next->due && timer->seq < next->seq)))
                next = timer;
        if (!next) break;
        t->now = next->due;
        /* Set up before firing: fire may stop (free) the timer. */
        if (next->period)
            next->due += next->period;
        else
            next->done = true;
        next->fire(next->arg);
        fired++;
        pump(t);
    }
    t->now = until;
    return fired;
}

uint64_t lv_test_now(const lv_test *t)
{
    return t ? t->now : 0;
}

int lv_test_run_async(lv_test *t)
{
    if (!t) return -1;
    pump(t);
    return run_work(t);
}
