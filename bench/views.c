/* bench_views: memory per joined view, with N views in one process and no
 * sockets (issue #12, "memory per view for 1,000,000 joined views").
 *
 * Each view is a counter, served at /counter, reached as a browser reaches
 * it but through the app's I/O-free endpoint (net/endpoint.h), as lv_test
 * does: a GET /counter (the dead render) gives that view's own page tokens
 * (data-phx-session, data-phx-static, the csrf-token meta) and the session
 * cookie; then phx_join with those tokens on a WebSocket opened through
 * endpoint.upgrade, then one click ("inc"). The fake connection's
 * send_text only reads the reply's status and keeps nothing, so what grows
 * is the server's own memory: channels, views, their assigns and rendered
 * trees. Views are packed max_views_per_connection (default 100, the
 * library's default) to a connection, as one browser tab per 100 views
 * would; --per-connection changes it.
 *
 * Memory is VmRSS from /proc/self/status before the first view and after
 * the last: (after - before) / N is bytes_per_view (everything the views
 * cost the process, malloc's overhead and fragmentation included).
 *
 *   bench_views [--views N (100000)] [--per-connection K (100)] [--json]
 *               [--no-free]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include "util/buf.h"
#include "util/json.h"

#define DEFAULT_VIEWS 100000ul
#define DEFAULT_PER_CONNECTION 100u
#define BENCH_HOST "localhost"
#define BENCH_ORIGIN "http://" BENCH_HOST

/* ------------------------------------------------------------------------
 * The view: the counter of examples/counter.c, copied so the bench does not
 * depend on the examples' objects.
 * ------------------------------------------------------------------------ */

static int counter_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    return 0;
}

static int counter_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

static const lv_view counter_view = {
    .name = "counter",
    .template_text = "<main>\n"
                     "<h1>Counter</h1>\n"
                     "<div class=\"counter\">\n"
                     "  <button phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
                     "  <span id=\"count\" class=\"value\">{{count}}</span>\n"
                     "  <button phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
                     "</div>\n"
                     "</main>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = counter_mount,
    .handle_event = counter_event,
};

/* ------------------------------------------------------------------------
 * The runtime lent to the app: timers that never fire (nothing here waits
 * long enough), no thread pool (the counter needs none).
 * ------------------------------------------------------------------------ */

static void *rt_timer_start(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *arg), void *arg)
{
    (void)ctx;
    (void)ms;
    (void)repeat_ms;
    (void)fire;
    (void)arg;
    return lv_xmalloc(1); /* a handle of its own, freed by timer_stop */
}

static void rt_timer_stop(void *ctx, void *timer)
{
    (void)ctx;
    free(timer);
}

static int rt_queue_work(void *ctx, void (*work)(void *arg), void (*done)(void *arg), void *arg)
{
    (void)ctx;
    (void)work;
    (void)done;
    (void)arg;
    return -1;
}

/* ------------------------------------------------------------------------
 * The fake connection: counts the replies, keeps no bytes.
 * ------------------------------------------------------------------------ */

typedef struct bench_stats {
    unsigned long frames, ok_replies, error_replies, closes;
    unsigned long diffs; /* ok replies that carry a diff: the clicks' */
} bench_stats;

static bench_stats stats;

static bool contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0) return true;
    return false;
}

static void conn_send_text(void *handle, const char *data, size_t len)
{
    (void)handle;
    stats.frames++;
    if (!contains(data, len, "\"phx_reply\"")) return;
    if (contains(data, len, "\"status\":\"ok\"")) {
        stats.ok_replies++;
        if (contains(data, len, "\"diff\"")) stats.diffs++;
    }
    else
        stats.error_replies++;
}

static void conn_close(void *handle, uint16_t code, const char *reason)
{
    (void)handle;
    fprintf(stderr, "bench_views: the server closed a connection (%u %s)\n", code, reason ? reason : "");
    stats.closes++;
}

static const lv_endpoint_conn_ops conn_ops = {conn_send_text, conn_close};

/* ------------------------------------------------------------------------
 * The page: tokens read from the dead render.
 * ------------------------------------------------------------------------ */

typedef struct page_tokens {
    char *id, *session, *static_token, *csrf; /* owned */
} page_tokens;

static void page_tokens_free(page_tokens *p)
{
    free(p->id);
    free(p->session);
    free(p->static_token);
    free(p->csrf);
    memset(p, 0, sizeof *p);
}

/* The value of attribute name (name="...") in the tag around `at`, copied
 * (owned by the caller), or NULL. The tokens and ids are URL-safe base64 and
 * [a-zA-Z0-9-], so no entity needs decoding. */
static char *attr_in_tag(const char *html, const char *at, const char *name)
{
    const char *start = at;
    while (start > html && *start != '<') start--;
    const char *end = strchr(at, '>');
    if (*start != '<' || !end) return NULL;
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    size_t key_len = strlen(key);
    for (const char *p = start; p + key_len < end; p++) {
        if (memcmp(p, key, key_len) != 0) continue;
        const char *v = p + key_len;
        const char *close = memchr(v, '"', (size_t)(end - v));
        return close ? lv_xstrndup(v, (size_t)(close - v)) : NULL;
    }
    return NULL;
}

static bool read_page(const char *html, page_tokens *p)
{
    memset(p, 0, sizeof *p);
    const char *main_view = strstr(html, "data-phx-main");
    const char *meta = strstr(html, "name=\"csrf-token\"");
    if (!main_view || !meta) return false;
    p->id = attr_in_tag(html, main_view, "id");
    p->session = attr_in_tag(html, main_view, "data-phx-session");
    p->static_token = attr_in_tag(html, main_view, "data-phx-static");
    p->csrf = attr_in_tag(html, meta, "content");
    return p->id && p->session && p->csrf;
}

/* ------------------------------------------------------------------------
 * The client
 * ------------------------------------------------------------------------ */

typedef struct bench_client {
    lv_endpoint ep;
    char *cookie; /* "name=value" of the last Set-Cookie, or NULL; owned */
} bench_client;

static void take_cookie(bench_client *c, const lv_buf *headers)
{
    static const char prefix[] = "Set-Cookie: ";
    const char *p = headers->data ? strstr(headers->data, prefix) : NULL;
    if (!p) return;
    p += sizeof prefix - 1;
    size_t len = strcspn(p, ";\r\n");
    free(c->cookie);
    c->cookie = lv_xstrndup(p, len);
}

/* GET /counter: the dead render. Fills *tokens (the caller frees them). */
static bool load_page(bench_client *c, page_tokens *tokens)
{
    const char *headers[] = {"host", BENCH_HOST, "user-agent", "bench_views", "cookie", c->cookie, NULL};
    if (!c->cookie) headers[4] = NULL;
    lv_http_request req = {.method = "GET", .path = "/counter", .headers = headers, .peer_addr = "127.0.0.1",
                           .peer_port = 40000};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    c->ep.http(c->ep.ctx, &req, &res);
    take_cookie(c, &res.headers);
    bool ok = false;
    if (res.status == 200 && res.body) {
        char *html = lv_xstrndup(res.body, res.body_len);
        ok = read_page(html, tokens);
        free(html);
    }
    if (!ok) fprintf(stderr, "bench_views: GET /counter answered %d without a LiveView\n", res.status);
    lv_http_response_free(&res);
    return ok;
}

/* The WebSocket handshake, with the page's CSRF token and the cookie.
 * Returns the endpoint's conn_ctx, or NULL. */
static void *open_socket(bench_client *c, const char *csrf)
{
    lv_buf query = LV_BUF_INIT;
    lv_buf_printf(&query, "_csrf_token=%s&_mounts=0&vsn=2.0.0", csrf);
    const char *headers[] = {"host",       BENCH_HOST, "origin", BENCH_ORIGIN, "user-agent",
                             "bench_views", "cookie",   c->cookie, NULL};
    if (!c->cookie) headers[6] = NULL;
    lv_http_request req = {.method = "GET", .path = LV_SOCKET_PATH, .query = query.data, .headers = headers,
                           .peer_addr = "127.0.0.1", .peer_port = 40000};
    void *conn_ctx = NULL;
    int status = c->ep.upgrade(c->ep.ctx, &req, (lv_endpoint_conn){&conn_ops, NULL}, &conn_ctx);
    lv_buf_free(&query);
    if (status != 0) {
        fprintf(stderr, "bench_views: the WebSocket was refused with %d\n", status);
        return NULL;
    }
    return conn_ctx;
}

/* phx_join with the page's tokens, then one click. ref numbers are unique
 * on the connection. */
static void join_and_click(bench_client *c, void *conn_ctx, const page_tokens *p, unsigned long *ref)
{
    lv_buf f = LV_BUF_INIT;
    unsigned long join_ref = ++*ref;
    char topic[128];
    snprintf(topic, sizeof topic, "lv:%s", p->id);
    lv_buf_printf(&f, "[\"%lu\",\"%lu\",", join_ref, join_ref);
    lv_json_cstr(&f, topic);
    lv_buf_puts(&f, ",\"phx_join\",{\"url\":\"" BENCH_ORIGIN "/counter\",\"params\":{\"_csrf_token\":");
    lv_json_cstr(&f, p->csrf);
    lv_buf_puts(&f, ",\"_mounts\":0,\"_mount_attempts\":0},\"session\":");
    lv_json_cstr(&f, p->session);
    lv_buf_puts(&f, ",\"static\":");
    if (p->static_token && *p->static_token)
        lv_json_cstr(&f, p->static_token);
    else
        lv_buf_puts(&f, "null");
    lv_buf_puts(&f, ",\"sticky\":false}]");
    c->ep.on_text(conn_ctx, f.data, f.len);

    lv_buf_reset(&f);
    lv_buf_printf(&f, "[\"%lu\",\"%lu\",", join_ref, ++*ref);
    lv_json_cstr(&f, topic);
    lv_buf_puts(&f, ",\"event\",{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]");
    c->ep.on_text(conn_ctx, f.data, f.len);
    lv_buf_free(&f);
}

/* ------------------------------------------------------------------------
 * Measuring
 * ------------------------------------------------------------------------ */

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct options {
    unsigned long views;
    unsigned per_connection;
    bool json, no_free;
} options;

static int usage(void)
{
    fprintf(stderr, "usage: bench_views [--views N] [--per-connection K] [--json] [--no-free]\n");
    return 2;
}

static bool parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v = s ? strtoul(s, &end, 10) : 0;
    if (!s || *s == '-' || *end || v == 0 || v > max) return false;
    *out = v;
    return true;
}

static bool parse_options(int argc, char **argv, options *o)
{
    *o = (options){.views = DEFAULT_VIEWS, .per_connection = DEFAULT_PER_CONNECTION};
    for (int i = 1; i < argc; i++) {
        unsigned long k;
        if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (strcmp(argv[i], "--no-free") == 0) {
            o->no_free = true;
        } else if (strcmp(argv[i], "--views") == 0) {
            if (i + 1 >= argc || !parse_count(argv[++i], 100000000ul, &o->views)) return false;
        } else if (strcmp(argv[i], "--per-connection") == 0) {
            if (i + 1 >= argc || !parse_count(argv[++i], 1000000ul, &k)) return false;
            o->per_connection = (unsigned)k;
        } else {
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    options opt;
    if (!parse_options(argc, argv, &opt)) return usage();

    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.log_level = LV_LOG_WARN; /* no line per connection */
    cfg.workers = 1;
    cfg.max_views_per_connection = opt.per_connection;
    cfg.secret_key_base = "bench_views-secret-key-base-at-least-32-bytes-long";
    lv_app *app = lv_app_new(&cfg);
    if (!app || lv_route(app, "/counter", &counter_view) != 0 || lv_app_files_prepare(app) != 0) {
        fprintf(stderr, "bench_views: the app did not start\n");
        return 1;
    }
    bench_client client = {.ep = lv_app_endpoint(app)};
    lv_runtime rt = {.timer_start = rt_timer_start, .timer_stop = rt_timer_stop, .queue_work = rt_queue_work};
    client.ep.started(client.ep.ctx, &rt, 0);

    /* One page loaded first, so the cookie and the lazily built state
     * (template caches, the client's files) are in the baseline. */
    page_tokens warm;
    if (!load_page(&client, &warm)) return 1;
    page_tokens_free(&warm);

    size_t conn_count = (opt.views + opt.per_connection - 1) / opt.per_connection;
    void **conns = lv_xcalloc(conn_count, sizeof *conns);
    long baseline = rss_kb();
    double start = now_s();
    unsigned long ref = 0, joined = 0;
    for (unsigned long i = 0; i < opt.views; i++) {
        size_t c = i / opt.per_connection;
        page_tokens p;
        if (!load_page(&client, &p)) break;
        if (!conns[c]) {
            conns[c] = open_socket(&client, p.csrf);
            ref = 0;
        }
        if (!conns[c]) {
            page_tokens_free(&p);
            break;
        }
        join_and_click(&client, conns[c], &p, &ref);
        page_tokens_free(&p);
        joined++;
    }
    double seconds = now_s() - start;
    long after = rss_kb();
    long grown = after - baseline;
    double per_view = joined ? (double)grown * 1024.0 / (double)joined : 0;
    bool ok = joined == opt.views && stats.ok_replies == 2 * joined && stats.diffs == joined &&
              stats.error_replies == 0 && stats.closes == 0;

    if (opt.json)
        printf("{\"views\":%lu,\"rss_kb\":%ld,\"baseline_rss_kb\":%ld,\"bytes_per_view\":%.0f,\"seconds\":%.2f,"
               "\"views_per_connection\":%u,\"ok_replies\":%lu,\"error_replies\":%lu}\n",
               joined, grown, baseline, per_view, seconds, opt.per_connection, stats.ok_replies,
               stats.error_replies);
    else
        printf("%lu views joined and clicked (%u per connection) in %.2f s: RSS %ld kB over a baseline of %ld kB, "
               "%.0f bytes per view (%lu ok replies, %lu errors)\n",
               joined, opt.per_connection, seconds, grown, baseline, per_view, stats.ok_replies,
               stats.error_replies);
    fflush(stdout);

    if (!opt.no_free) {
        for (size_t c = 0; c < conn_count; c++)
            if (conns[c]) client.ep.on_close(conns[c], LV_ENDPOINT_CLOSED);
        client.ep.stopped(client.ep.ctx);
        lv_app_free(app);
        free(client.cookie);
        free(conns);
    }
    return ok ? 0 : 1;
}
