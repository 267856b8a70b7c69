/* Test support: a raw HTTP and WebSocket client over loopback, for tests
 * that run a real server on its own threads (lv_app_start): dial, read and
 * write, load a page and its tokens, open the socket, masked text frames
 * out and frames in. Assertions fail the test on any surprise. Header-only;
 * each test binary includes it once. */
#ifndef LV_TESTS_SUPPORT_LOOPBACK_H
#define LV_TESTS_SUPPORT_LOOPBACK_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/buf.h"

static int dial(int port)
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

static bool read_more(int fd, lv_buf *b)
{
    char chunk[8192];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    lv_buf_append(b, chunk, (size_t)n);
    return true;
}

/* Copies what follows `key` up to the next `stop` character into out. */
static void extract(const char *text, const char *key, char stop, char *out, size_t size)
{
    const char *p = strstr(text, key);
    cr_assert_not_null(p, "no %s in %s", key, text);
    p += strlen(key);
    size_t n = strcspn(p, (char[]){stop, '\0'});
    cr_assert_lt(n, size);
    memcpy(out, p, n);
    out[n] = '\0';
}

typedef struct page {
    char cookie[1024], csrf[128], id[64], session[4096];
} page;

/* Loads path's page with the session cookie when one is given (so several
 * pages share one session, and one socket can join them all), else the
 * cookie the page sets. */
static page load_page(int port, const char *path, const char *cookie)
{
    int fd = dial(port);
    char req[1400];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s\r\n", path,
             cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "");
    send_all(fd, req, strlen(req));
    lv_buf res = LV_BUF_INIT;
    while (read_more(fd, &res)) {}
    close(fd);
    lv_buf_putc(&res, '\0');
    page p;
    if (cookie)
        snprintf(p.cookie, sizeof p.cookie, "%s", cookie);
    else
        extract(res.data, "Set-Cookie: ", ';', p.cookie, sizeof p.cookie);
    extract(res.data, "<meta name=\"csrf-token\" content=\"", '"', p.csrf, sizeof p.csrf);
    extract(res.data, "<div id=\"", '"', p.id, sizeof p.id);
    extract(res.data, "data-phx-session=\"", '"', p.session, sizeof p.session);
    lv_buf_free(&res);
    return p;
}

/* Opens a WebSocket with p's token and cookie; returns its fd, with in
 * holding whatever arrived after the 101 response. */
static int open_socket(int port, const page *p, lv_buf *in)
{
    int fd = dial(port);
    char head[2048];
    snprintf(head, sizeof head,
             "GET /live/websocket?_csrf_token=%s&vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
             "Upgrade: websocket\r\nConnection: Upgrade\r\nCookie: %s\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
             p->csrf, port, p->cookie);
    send_all(fd, head, strlen(head));
    while (!in->data || !memmem(in->data, in->len, "\r\n\r\n", 4))
        cr_assert(read_more(fd, in), "the server closed before the upgrade");
    cr_assert_eq(strncmp(in->data, "HTTP/1.1 101", 12), 0);
    lv_buf_consume(in, (size_t)((char *)memmem(in->data, in->len, "\r\n\r\n", 4) - in->data) + 4);
    return fd;
}

/* A masked client text frame of any length. */
static void send_text(int fd, const char *text)
{
    static const uint8_t key[4] = {7, 1, 9, 3};
    size_t len = strlen(text);
    lv_buf f = LV_BUF_INIT;
    lv_buf_putc(&f, (char)0x81);
    if (len < 126) {
        lv_buf_putc(&f, (char)(0x80 | len));
    } else {
        cr_assert_lt(len, 65536);
        lv_buf_putc(&f, (char)(0x80 | 126));
        lv_buf_putc(&f, (char)(len >> 8));
        lv_buf_putc(&f, (char)(len & 0xFF));
    }
    lv_buf_append(&f, (const char *)key, 4);
    for (size_t i = 0; i < len; i++) lv_buf_putc(&f, (char)(text[i] ^ key[i % 4]));
    send_all(fd, f.data, f.len);
    lv_buf_free(&f);
}

/* Reads one server frame's payload (NUL-terminated, owned by the caller)
 * from b, refilled from fd; NULL when the server closed. */
static char *read_frame(int fd, lv_buf *b, int *opcode)
{
    for (;;) {
        if (b->len >= 2) {
            const uint8_t *d = (const uint8_t *)b->data;
            size_t len = d[1] & 0x7F, off = 2;
            if (len == 126 && b->len >= 4) {
                len = (size_t)d[2] << 8 | d[3];
                off = 4;
            } else if (len == 127 && b->len >= 10) {
                len = 0;
                for (int i = 0; i < 8; i++) len = len << 8 | d[2 + i];
                off = 10;
            }
            if ((len < 126 || off > 2) && b->len >= off + len) {
                *opcode = d[0] & 0x0F;
                char *payload = strndup(b->data + off, len);
                lv_buf_consume(b, off + len);
                return payload;
            }
        }
        if (!read_more(fd, b)) return NULL;
    }
}

#endif
