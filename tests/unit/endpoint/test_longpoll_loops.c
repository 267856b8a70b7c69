/* Long-poll with two loops: a session's GET and POST arrive on connections
 * of the other loop (known by asking /which on each connection), so every
 * request is handed to the session's loop and its answer comes back. Also a
 * poll whose connection closes while it is away, and stopping with polls
 * away. Raw HTTP over loopback; every wait is for an event. Also run under
 * ThreadSanitizer (make test-tsan). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "endpoint/longpoll.h"
#include "live/live.h"
#include "security/csrf.h"
#include "util/buf.h"

#define SECRET "a-test-secret-that-is-long-enough-0123456789abcdef"

static int page_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)s;
    (void)params;
    (void)session;
    return 0;
}

static const lv_view page_view = {.name = "page", .template_text = "<p>page</p>", .mount = page_mount};

static void which_loop(lv_request *req)
{
    lv_loop *loop = lv_app_current_loop(req->app);
    char body[16];
    int n = snprintf(body, sizeof body, "%u", loop ? loop->index : 99u);
    lv_respond(req, 200, "text/plain", body, (size_t)n);
}

static lv_app *app;
static int port;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    cfg.workers = 2;
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = NULL;
    cfg.allowed_origins = NULL;
    cfg.longpoll = true;
    cfg.longpoll_window_ms = 200;
    cfg.log_level = LV_LOG_WARN;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/page", &page_view), 0);
    cr_assert_eq(lv_http_route(app, "GET", "/which", which_loop), 0);
    cr_assert_eq(lv_app_start(app), 0);
    port = lv_app_port(app);
}

static void teardown(void)
{
    if (!app) return;
    lv_app_stop(app);
    lv_app_wait(app);
    lv_app_free(app);
    app = NULL;
}

TestSuite(longpoll_loops, .init = setup, .fini = teardown);

/* ---- a raw HTTP/1.1 client, one keep-alive connection ---- */

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        cr_assert_gt(n, 0);
        p += n;
        len -= (size_t)n;
    }
}

static void send_request(int fd, const char *method, const char *target, const char *cookie,
                         const char *body)
{
    lv_buf r = LV_BUF_INIT;
    lv_buf_printf(&r, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, target);
    if (cookie && *cookie) lv_buf_printf(&r, "Cookie: %s\r\n", cookie);
    if (body)
        lv_buf_printf(&r, "Content-Type: application/x-ndjson\r\nContent-Length: %zu\r\n\r\n%s",
                      strlen(body), body);
    else
        lv_buf_puts(&r, "\r\n");
    send_all(fd, r.data, r.len);
    lv_buf_free(&r);
}

/* Reads one response: its head into head (when not NULL) and its body,
 * returned (caller frees); NULL when the connection closed first. */
static char *read_response(int fd, lv_buf *head)
{
    lv_buf b = LV_BUF_INIT;
    char chunk[4096];
    for (;;) {
        const char *end = b.len ? strstr(b.data, "\r\n\r\n") : NULL;
        if (end) {
            const char *cl = strstr(b.data, "Content-Length: ");
            size_t body_len = cl ? strtoul(cl + 16, NULL, 10) : 0;
            size_t head_len = (size_t)(end - b.data) + 4;
            if (b.len >= head_len + body_len) {
                if (head) lv_buf_append(head, b.data, head_len);
                char *body = strndup(b.data + head_len, body_len);
                lv_buf_free(&b);
                return body;
            }
        }
        ssize_t n = read(fd, chunk, sizeof chunk - 1);
        if (n <= 0) {
            lv_buf_free(&b);
            return NULL;
        }
        lv_buf_append(&b, chunk, (size_t)n);
    }
}

static char *request(int fd, const char *method, const char *target, const char *cookie,
                     const char *body)
{
    send_request(fd, method, target, cookie, body);
    char *answer = read_response(fd, NULL);
    cr_assert_not_null(answer, "%s %s: the connection closed", method, target);
    return answer;
}

/* Opens connections until one sits on each loop; the others close. */
static void one_per_loop(int fds[2])
{
    fds[0] = fds[1] = -1;
    for (int tries = 0; tries < 500 && (fds[0] < 0 || fds[1] < 0); tries++) {
        int fd = dial();
        char *which = request(fd, "GET", "/which", NULL, NULL);
        unsigned i = (unsigned)atoi(which);
        free(which);
        cr_assert_lt(i, 2u);
        if (fds[i] < 0)
            fds[i] = fd;
        else
            close(fd);
    }
    cr_assert(fds[0] >= 0 && fds[1] >= 0, "no connection landed on one of the loops");
}

typedef struct session {
    char cookie[1024];
    char target[2048]; /* /live/longpoll?...&token=T */
} session;

/* Visits /page and opens a long-poll session, both on fd: the session
 * belongs to fd's loop. */
static session open_session(int fd)
{
    session s = {0};
    lv_buf head = LV_BUF_INIT;
    send_request(fd, "GET", "/page", NULL, NULL);
    char *html = read_response(fd, &head);
    cr_assert_not_null(html);
    const char *set = strstr(head.data, "Set-Cookie: ");
    cr_assert_not_null(set);
    set += strlen("Set-Cookie: ");
    memcpy(s.cookie, set, strcspn(set, ";\r"));
    const char *meta = strstr(html, "csrf-token\" content=\"");
    cr_assert_not_null(meta);
    char csrf[LV_CSRF_TOKEN_LEN + 1] = {0};
    memcpy(csrf, meta + strlen("csrf-token\" content=\""), LV_CSRF_TOKEN_LEN);
    free(html);
    lv_buf_free(&head);
    char open[512];
    snprintf(open, sizeof open, "/live/longpoll?_csrf_token=%s&vsn=2.0.0", csrf);
    char *json = request(fd, "GET", open, s.cookie, NULL);
    cr_assert_eq(strncmp(json, "{\"status\":410,\"token\":\"", 23), 0, "%s", json);
    char token[512] = {0};
    memcpy(token, json + 23, strcspn(json + 23, "\""));
    free(json);
    snprintf(s.target, sizeof s.target, "%s&token=%s", open, token);
    return s;
}

static const char heartbeat[] = "[null,\"7\",\"phoenix\",\"heartbeat\",{}]";

Test(longpoll_loops, a_session_is_served_from_the_other_loop)
{
    int fds[2];
    one_per_loop(fds);
    session s = open_session(fds[0]); /* owned by loop 0 */
    unsigned relays_before = lv_longpoll_relay_count();

    /* A poll on loop 1 is held there while loop 0 holds the session's. */
    send_request(fds[1], "GET", s.target, s.cookie, NULL);
    int post_fd = dial(); /* any loop: either way it works */
    char *posted = request(post_fd, "POST", s.target, s.cookie, heartbeat);
    cr_assert_str_eq(posted, "{\"status\":200}");
    free(posted);
    char *polled = read_response(fds[1], NULL);
    cr_assert_not_null(polled);
    if (strstr(polled, "{\"status\":204,")) { /* the POST came first: its reply waits */
        free(polled);
        polled = request(fds[1], "GET", s.target, s.cookie, NULL);
    }
    cr_assert_not_null(strstr(polled, "{\"status\":200,\"token\":\""), "%s", polled);
    cr_assert_not_null(strstr(polled, "\\\"7\\\",\\\"phoenix\\\",\\\"phx_reply\\\""), "%s", polled);
    free(polled);

    /* A POST on loop 1, its reply polled on loop 1: both handed over. */
    posted = request(fds[1], "POST", s.target, s.cookie, heartbeat);
    cr_assert_str_eq(posted, "{\"status\":200}");
    free(posted);
    polled = request(fds[1], "GET", s.target, s.cookie, NULL);
    cr_assert_not_null(strstr(polled, "phx_reply"), "%s", polled);
    free(polled);
    cr_assert_geq(lv_longpoll_relay_count() - relays_before, 3u, "loop 1's requests were relayed");

    close(post_fd);
    close(fds[0]);
    close(fds[1]);
}

Test(longpoll_loops, a_poll_whose_client_leaves_while_away_is_forgotten)
{
    int fds[2];
    one_per_loop(fds);
    session s = open_session(fds[0]);
    send_request(fds[1], "GET", s.target, s.cookie, NULL);
    /* A request pipelined behind a held one closes its connection: loop 1
     * cancels the relay, and loop 0 is told to forget the poll. */
    send_request(fds[1], "POST", s.target, s.cookie, heartbeat);
    cr_assert_null(read_response(fds[1], NULL));
    close(fds[1]);
    /* Until loop 0 has forgotten it, a reply may still go to the left
     * poll and be lost (as with a local poll whose client just left); once
     * forgotten, replies wait for the next poll. */
    bool replied = false;
    for (int tries = 0; tries < 50 && !replied; tries++) {
        char *posted = request(fds[0], "POST", s.target, s.cookie, heartbeat);
        cr_assert_str_eq(posted, "{\"status\":200}");
        free(posted);
        char *polled = request(fds[0], "GET", s.target, s.cookie, NULL);
        replied = strstr(polled, "phx_reply") != NULL;
        free(polled);
    }
    cr_assert(replied, "the session went on answering on its own loop");
    close(fds[0]);
}

Test(longpoll_loops, stopping_with_polls_away_answers_or_closes_them)
{
    int fds[2];
    one_per_loop(fds);
    session s = open_session(fds[0]);
    send_request(fds[1], "GET", s.target, s.cookie, NULL);
    /* The poll is held once a POST behind it on another connection of loop
     * 1 has been answered (loop 0 serves the two in order). */
    int other;
    for (;;) {
        other = dial();
        char *which = request(other, "GET", "/which", NULL, NULL);
        bool on_one = atoi(which) == 1;
        free(which);
        if (on_one) break;
        close(other);
    }
    char *posted = request(other, "POST", s.target, s.cookie, heartbeat);
    free(posted);
    lv_app_stop(app);
    char *polled = read_response(fds[1], NULL); /* "gone", or closed: never hangs */
    if (polled) cr_assert(strstr(polled, "\"status\":410") || strstr(polled, "\"status\":200"), "%s", polled);
    free(polled);
    lv_app_wait(app);
    lv_app_free(app);
    app = NULL;
    close(other);
    close(fds[0]);
    close(fds[1]);
}
