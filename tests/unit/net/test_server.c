/* The libuv server over real sockets (127.0.0.1), answering through a fake
 * endpoint: it shows that net/ carries whatever the endpoint decides and
 * decides nothing itself beyond HTTP and RFC 6455. Every wait is for an
 * event (a response, a semaphore); none is a timing. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/server.h"
#include "net/ws_frame.h"

/* ---- the fake endpoint (runs on the server's thread) ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static sem_t started_sem, closed_sem;
static int port;
static int upgrades, opens, closes, stopped_calls;
static lv_endpoint_close last_close;
static char seen[512]; /* what the last request looked like to the endpoint */

static bool fake_wants_body(void *ctx, const char *method, const char *path)
{
    (void)ctx;
    return strcmp(method, "POST") == 0 && strcmp(path, "/body") == 0;
}

static void fake_http(void *ctx, const lv_http_request *req, lv_http_response *res)
{
    (void)ctx;
    pthread_mutex_lock(&lock);
    const char *agent = lv_http_request_header(req, "X-AGENT");
    snprintf(seen, sizeof seen, "%s %s ?%s body=%.*s agent=%s peer=%s", req->method, req->path,
             req->query ? req->query : "(none)", (int)req->body_len, req->body ? req->body : "",
             agent ? agent : "(none)", req->peer_addr);
    pthread_mutex_unlock(&lock);
    if (strcmp(req->path, "/fail") == 0) {
        lv_http_response_error(res, 403, false);
        return;
    }
    if (strcmp(req->path, "/nocontent") == 0 || strcmp(req->path, "/see") == 0) {
        /* A careless endpoint: a body where HTTP allows none (204), or a
         * status outside the common set of reason phrases. */
        res->status = req->path[1] == 'n' ? 204 : 303;
        static const char stray[] = "stray";
        res->body = stray;
        res->body_len = 5;
        return;
    }
    res->status = 200;
    lv_http_response_set_type(res, "text/plain");
    lv_buf_puts(&res->headers, "X-Decided: above\r\n");
    static const char body[] = "hello";
    res->body = body;
    res->body_len = 5;
    res->head_only = strcmp(req->method, "HEAD") == 0;
    res->close = strcmp(req->path, "/bye") == 0;
}

typedef struct fake_socket {
    lv_endpoint_conn conn;
} fake_socket;

static int fake_upgrade(void *ctx, const lv_http_request *req, lv_endpoint_conn conn, void **conn_ctx)
{
    (void)ctx;
    pthread_mutex_lock(&lock);
    upgrades++;
    pthread_mutex_unlock(&lock);
    if (!req->query || strcmp(req->query, "let=me") != 0) return 403;
    fake_socket *s = malloc(sizeof *s);
    s->conn = conn;
    *conn_ctx = s;
    pthread_mutex_lock(&lock);
    opens++;
    pthread_mutex_unlock(&lock);
    return 0;
}

static void fake_on_text(void *conn_ctx, const char *data, size_t len)
{
    fake_socket *s = conn_ctx;
    if (len == 5 && memcmp(data, "leave", 5) == 0) {
        s->conn.ops->close(s->conn.handle, 4000, "asked");
        s->conn.ops->close(s->conn.handle, 4001, "twice is once");
        return;
    }
    char reply[256];
    int n = snprintf(reply, sizeof reply, "echo:%.*s", (int)len, data);
    s->conn.ops->send_text(s->conn.handle, reply, (size_t)n);
}

static void fake_on_binary(void *conn_ctx, const uint8_t *data, size_t len)
{
    fake_socket *s = conn_ctx;
    char reply[64];
    int n = snprintf(reply, sizeof reply, "binary:%zu", len);
    (void)data;
    s->conn.ops->send_text(s->conn.handle, reply, (size_t)n);
}

static void fake_on_close(void *conn_ctx, lv_endpoint_close reason)
{
    free(conn_ctx);
    pthread_mutex_lock(&lock);
    closes++;
    last_close = reason;
    pthread_mutex_unlock(&lock);
    sem_post(&closed_sem);
}

static void fake_started(void *ctx, const lv_runtime *rt, int bound)
{
    (void)ctx;
    cr_assert_not_null(rt);
    cr_assert_not_null(rt->timer_start);
    port = bound;
    sem_post(&started_sem);
}

static void fake_stopped(void *ctx)
{
    (void)ctx;
    stopped_calls++;
}

static const lv_endpoint fake_ep = {
    .ctx = NULL,
    .socket_path = "/sock",
    .wants_body = fake_wants_body,
    .http = fake_http,
    .upgrade = fake_upgrade,
    .on_text = fake_on_text,
    .on_binary = fake_on_binary,
    .on_close = fake_on_close,
    .started = fake_started,
    .stopped = fake_stopped,
};

/* ---- the server on its own thread ---- */

static lv_server *srv;
static pthread_t thread;
static int run_result;

static void *run_server(void *arg)
{
    (void)arg;
    run_result = lv_server_run(srv);
    return NULL;
}

static void setup(void)
{
    sem_init(&started_sem, 0, 0);
    sem_init(&closed_sem, 0, 0);
    lv_server_config cfg = {
        .host = "127.0.0.1",
        .port = 0,
        .max_header_bytes = 16 << 10,
        .max_body_bytes = 1 << 10,
        .max_message_bytes = 1 << 10,
        .max_outbound_bytes = 1 << 20,
        .header_timeout_s = 60,
        .idle_timeout_s = 60,
    };
    srv = lv_server_new(&cfg, &fake_ep);
    cr_assert_eq(pthread_create(&thread, NULL, run_server, NULL), 0);
    sem_wait(&started_sem);
}

static void teardown(void)
{
    lv_server_stop(srv);
    pthread_join(thread, NULL);
    lv_server_free(srv);
    cr_expect_eq(run_result, 0);
    cr_expect_eq(stopped_calls, 1);
}

TestSuite(server, .init = setup, .fini = teardown, .timeout = 60);

/* ---- a raw client ---- */

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        cr_assert_gt(n, 0);
        p += n;
        len -= (size_t)n;
    }
}

static void send_str(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

/* Reads until the peer closes. */
static char *read_to_eof(int fd)
{
    lv_buf b = LV_BUF_INIT;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0) lv_buf_append(&b, chunk, (size_t)n);
    return lv_buf_take(&b);
}

/* Sends request bytes on a new connection and returns all the server
 * writes until it closes (the requests must end the connection). */
static char *exchange(const char *request)
{
    int fd = dial();
    send_str(fd, request);
    char *res = read_to_eof(fd);
    close(fd);
    return res;
}

/* Reads until b holds at least `want` bytes; false if the peer closed. */
static bool read_at_least(int fd, lv_buf *b, size_t want)
{
    char chunk[4096];
    while (b->len < want) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0) return false;
        lv_buf_append(b, chunk, (size_t)n);
    }
    return true;
}

/* Reads a response head (up to the blank line) into b. */
static size_t read_head(int fd, lv_buf *b)
{
    for (;;) {
        char *end = b->data ? strstr(b->data, "\r\n\r\n") : NULL;
        if (end) return (size_t)(end - b->data) + 4;
        cr_assert(read_at_least(fd, b, b->len + 1), "the server closed before a response");
    }
}

/* A masked client frame (payloads under 126 bytes). */
static void send_frame(int fd, int opcode, const void *payload, size_t len)
{
    static const uint8_t key[4] = {1, 2, 3, 4};
    uint8_t f[2 + 4 + 125];
    cr_assert_lt(len, 126);
    f[0] = (uint8_t)(0x80 | opcode);
    f[1] = (uint8_t)(0x80 | len);
    memcpy(f + 2, key, 4);
    for (size_t i = 0; i < len; i++) f[6 + i] = ((const uint8_t *)payload)[i] ^ key[i % 4];
    send_all(fd, f, 6 + len);
}

/* Reads one server frame (unmasked, under 126 bytes) from b (refilled from
 * fd) into payload; returns its opcode. */
static int read_frame(int fd, lv_buf *b, char *payload, size_t *len)
{
    cr_assert(read_at_least(fd, b, 2), "the server closed before a frame");
    size_t n = (uint8_t)b->data[1] & 0x7F;
    cr_assert_lt(n, 126);
    cr_assert(read_at_least(fd, b, 2 + n));
    int opcode = b->data[0] & 0x0F;
    memcpy(payload, b->data + 2, n);
    payload[n] = '\0';
    *len = n;
    lv_buf_consume(b, 2 + n);
    return opcode;
}

#define UPGRADE_HEAD(query)                                                                        \
    "GET /sock" query " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"      \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

/* ---- HTTP ---- */

Test(server, writes_what_the_endpoint_decided)
{
    char *res = exchange("GET /any/path?q=1 HTTP/1.1\r\nHost: x\r\nX-Agent: t\r\nConnection: close\r\n\r\n");
    cr_expect_str_eq(res, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                          "X-Content-Type-Options: nosniff\r\nX-Decided: above\r\n"
                          "Connection: close\r\n\r\nhello");
    free(res);
    pthread_mutex_lock(&lock);
    cr_expect_str_eq(seen, "GET /any/path ?q=1 body= agent=t peer=127.0.0.1");
    pthread_mutex_unlock(&lock);
}

Test(server, a_response_to_head_never_carries_a_body)
{
    /* The endpoint's error response does not say head_only; the server
     * knows the method. The pipelined GET's response must follow the head
     * directly, or the client would read "403 Forbidden" as its start. */
    char *res = exchange("HEAD /fail HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    cr_expect_str_eq(res, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "Content-Length: 14\r\nX-Content-Type-Options: nosniff\r\n\r\n"
                          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
                          "X-Content-Type-Options: nosniff\r\nX-Decided: above\r\n"
                          "Connection: close\r\n\r\nhello");
    free(res);
}

Test(server, no_content_has_neither_a_length_nor_a_body)
{
    char *res = exchange("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /see HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    cr_expect_str_eq(res, "HTTP/1.1 204 No Content\r\nX-Content-Type-Options: nosniff\r\n\r\n"
                          "HTTP/1.1 303 See Other\r\nContent-Length: 5\r\nX-Content-Type-Options: nosniff\r\n"
                          "Connection: close\r\n\r\nstray");
    free(res);
}

Test(server, head_only_sends_the_length_without_the_body)
{
    char *res = exchange("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    cr_expect_not_null(strstr(res, "Content-Length: 5\r\n"));
    cr_expect_eq(strlen(res) - (size_t)(strstr(res, "\r\n\r\n") + 4 - res), 0, "no body");
    free(res);
}

Test(server, keeps_the_connection_until_the_endpoint_asks_to_close)
{
    char *res = exchange("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /fail HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /bye HTTP/1.1\r\nHost: x\r\n\r\n"); /* ends because /bye closes */
    const char *second = strstr(res, "HTTP/1.1 403 Forbidden\r\n");
    cr_assert_not_null(second, "%s", res);
    cr_expect_not_null(strstr(second, "403 Forbidden\n"), "the standard error body");
    const char *third = strstr(second, "HTTP/1.1 200 OK\r\n");
    cr_assert_not_null(third);
    cr_expect_not_null(strstr(third, "Connection: close\r\n"));
    cr_expect_eq(strstr(res, "Connection: close\r\n"), strstr(third, "Connection: close\r\n"),
                 "only the last response closes");
    free(res);
}

Test(server, keeps_a_body_only_when_the_endpoint_wants_it)
{
    int fd = dial();
    send_str(fd, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    free(read_to_eof(fd));
    close(fd);
    pthread_mutex_lock(&lock);
    cr_expect_str_eq(seen, "POST /body ?(none) body=abc agent=(none) peer=127.0.0.1");
    pthread_mutex_unlock(&lock);

    fd = dial();
    send_str(fd, "POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    free(read_to_eof(fd));
    close(fd);
    pthread_mutex_lock(&lock);
    cr_expect_str_eq(seen, "POST /other ?(none) body= agent=(none) peer=127.0.0.1");
    pthread_mutex_unlock(&lock);
}

Test(server, refuses_a_bad_request_itself)
{
    char *res = exchange("GARBAGE\r\n\r\n");
    cr_expect_eq(strncmp(res, "HTTP/1.1 400 Bad Request\r\n", 26), 0, "%s", res);
    free(res);
}

/* ---- WebSocket ---- */

Test(server, a_non_handshake_at_the_socket_path_never_reaches_the_endpoint)
{
    char *res = exchange("GET /sock?let=me HTTP/1.1\r\nHost: x\r\n\r\n");
    cr_expect_eq(strncmp(res, "HTTP/1.1 400 ", 13), 0, "%s", res);
    free(res);
    res = exchange("GET /sock?let=me HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 8\r\n\r\n");
    cr_expect_eq(strncmp(res, "HTTP/1.1 426 ", 13), 0, "%s", res);
    cr_expect_not_null(strstr(res, "Sec-WebSocket-Version: 13\r\n"));
    free(res);
    pthread_mutex_lock(&lock);
    cr_expect_eq(upgrades, 0);
    pthread_mutex_unlock(&lock);
}

Test(server, answers_the_endpoints_refusal_and_closes)
{
    char *res = exchange(UPGRADE_HEAD("?let=not"));
    cr_expect_eq(strncmp(res, "HTTP/1.1 403 Forbidden\r\n", 24), 0, "%s", res);
    cr_expect_not_null(strstr(res, "Connection: close\r\n"));
    free(res);
    pthread_mutex_lock(&lock);
    cr_expect_eq(upgrades, 1);
    cr_expect_eq(opens, 0);
    pthread_mutex_unlock(&lock);
}

Test(server, carries_messages_both_ways_and_tells_the_endpoint_of_the_close)
{
    int fd = dial();
    send_str(fd, UPGRADE_HEAD("?let=me"));
    lv_buf b = LV_BUF_INIT;
    size_t head = read_head(fd, &b);
    cr_assert_eq(strncmp(b.data, "HTTP/1.1 101 Switching Protocols\r\n", 34), 0);
    cr_expect_not_null(strstr(b.data, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    lv_buf_consume(&b, head);

    char payload[128];
    size_t len;
    send_frame(fd, LV_WS_OP_TEXT, "hi", 2);
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_TEXT);
    cr_expect_str_eq(payload, "echo:hi");
    send_frame(fd, LV_WS_OP_BINARY, "\x01\x02\x03", 3);
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_TEXT);
    cr_expect_str_eq(payload, "binary:3");
    send_frame(fd, LV_WS_OP_PING, "p", 1);
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_PONG, "pings are net's own");
    cr_expect_str_eq(payload, "p");

    send_frame(fd, LV_WS_OP_CLOSE, "\x03\xe8", 2);
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_CLOSE);
    cr_expect_eq(len, 2);
    cr_expect_eq(((uint8_t)payload[0] << 8) | (uint8_t)payload[1], 1000);
    sem_wait(&closed_sem);
    close(fd);
    lv_buf_free(&b);
    pthread_mutex_lock(&lock);
    cr_expect_eq(closes, 1);
    cr_expect_eq(last_close, LV_ENDPOINT_CLOSED);
    pthread_mutex_unlock(&lock);
}

Test(server, the_endpoint_can_close_a_socket_once)
{
    int fd = dial();
    send_str(fd, UPGRADE_HEAD("?let=me"));
    lv_buf b = LV_BUF_INIT;
    lv_buf_consume(&b, read_head(fd, &b));
    send_frame(fd, LV_WS_OP_TEXT, "leave", 5);
    char payload[128];
    size_t len;
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_CLOSE);
    cr_expect_eq(((uint8_t)payload[0] << 8) | (uint8_t)payload[1], 4000);
    cr_expect_str_eq(payload + 2, "asked");
    cr_expect_not(read_at_least(fd, &b, b.len + 1), "the server closes after its close frame");
    sem_wait(&closed_sem);
    close(fd);
    lv_buf_free(&b);
}

Test(server, stopping_closes_sockets_as_a_shutdown)
{
    int fd = dial();
    send_str(fd, UPGRADE_HEAD("?let=me"));
    lv_buf b = LV_BUF_INIT;
    lv_buf_consume(&b, read_head(fd, &b));
    lv_server_stop(srv);
    sem_wait(&closed_sem);
    pthread_mutex_lock(&lock);
    cr_expect_eq(last_close, LV_ENDPOINT_SHUTDOWN);
    pthread_mutex_unlock(&lock);
    char payload[128];
    size_t len;
    cr_expect_eq(read_frame(fd, &b, payload, &len), LV_WS_OP_CLOSE);
    cr_expect_eq(((uint8_t)payload[0] << 8) | (uint8_t)payload[1], 1001);
    close(fd);
    lv_buf_free(&b);
}

/* ---- out of descriptors ---- */

enum { FD_SCAN = 4096 };

static bool fd_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

/* Opens /dev/null into every free descriptor number below `below` (all
 * of them when below is FD_SCAN and the limit allows), recording them. */
static int plug(int below, int *plugs, int count)
{
    for (int fd = 0; fd < below; fd++) {
        if (fd_open(fd)) continue;
        int got = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (got < 0) break;
        plugs[count++] = got;
    }
    return count;
}

/* libuv's own reserve (uv__emfile_trick) is lost when the descriptor it
 * frees cannot be used: here its number is above the descriptor limit, as
 * if another thread had taken it. The listener then reports EMFILE in a
 * loop; without a reserve of the server's own, it spins there and the
 * waiting client is never closed. */
Test(server_emfile, a_waiting_client_is_closed_when_libuvs_reserve_is_lost, .timeout = 60)
{
    static int plugs[FD_SCAN];
    int plugged = 0;
    /* No gaps below what the server opens: its descriptors come in order,
     * libuv's reserve (opened when it listens) after the server's own. */
    int highest = 0;
    for (int fd = 0; fd < FD_SCAN; fd++)
        if (fd_open(fd)) highest = fd;
    plugged = plug(highest, plugs, plugged);
    static bool before[FD_SCAN];
    for (int fd = 0; fd < FD_SCAN; fd++) before[fd] = fd_open(fd);

    sem_init(&started_sem, 0, 0);
    sem_init(&closed_sem, 0, 0);
    lv_server_config cfg = {.host = "127.0.0.1", .max_header_bytes = 16 << 10, .max_body_bytes = 1 << 10,
                            .max_message_bytes = 1 << 10, .max_outbound_bytes = 1 << 20,
                            .header_timeout_s = 60, .idle_timeout_s = 60};
    srv = lv_server_new(&cfg, &fake_ep);
    int limit = 0; /* above everything the server opened so far */
    for (int fd = 0; fd < FD_SCAN; fd++)
        if (!before[fd] && fd_open(fd)) limit = fd + 1;
    cr_assert_gt(limit, 0);
    cr_assert_eq(pthread_create(&thread, NULL, run_server, NULL), 0);
    sem_wait(&started_sem);

    int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(client, 0);
    struct rlimit old;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    struct rlimit low = {(rlim_t)limit, old.rlim_max};
    cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    plugged = plug(limit, plugs, plugged); /* not one number left below the limit */

    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    cr_assert_eq(connect(client, (struct sockaddr *)&a, sizeof a), 0);
    struct pollfd pfd = {.fd = client, .events = POLLIN};
    int ready = poll(&pfd, 1, 30000); /* a bound for a slow build, not a measure */
    char byte;
    ssize_t n = ready == 1 ? read(client, &byte, 1) : 1;
    close(client);
    for (int i = 0; i < plugged; i++) close(plugs[i]);
    setrlimit(RLIMIT_NOFILE, &old);
    cr_assert_eq(ready, 1, "the waiting client was never closed");
    cr_assert(n <= 0, "closed without an answer");

    /* With descriptors again, the server serves: once it has finished
     * shedding what waited (a connection made meanwhile may be shed too). */
    for (;;) {
        char *res = exchange("GET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        bool served = strncmp(res, "HTTP/1.1 200 OK", 15) == 0;
        free(res);
        if (served) break;
    }
    lv_server_stop(srv);
    pthread_join(thread, NULL);
    lv_server_free(srv);
}

/* ---- stopping before running ---- */

Test(server_stop, before_run_stops_as_soon_as_it_listens, .timeout = 60)
{
    sem_init(&started_sem, 0, 0);
    lv_server_config cfg = {.host = "127.0.0.1", .max_header_bytes = 1024, .max_body_bytes = 1024,
                            .max_message_bytes = 1024, .max_outbound_bytes = 1024,
                            .header_timeout_s = 1, .idle_timeout_s = 1};
    lv_server *s = lv_server_new(&cfg, &fake_ep);
    lv_server_stop(s);
    cr_expect_eq(lv_server_run(s), 0);
    cr_expect_eq(stopped_calls, 1);
    lv_server_free(s);
}

Test(server_stop, a_server_that_never_ran_frees_cleanly)
{
    lv_server_config cfg = {.host = "127.0.0.1"};
    lv_server_free(lv_server_new(&cfg, &fake_ep));
}
