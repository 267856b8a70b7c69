/* The floor: a bare epoll echo server (no libuv, no library code). It does the
 * least a server can do per message on this machine, one read and one write
 * per readiness, so the benchmark can show every server CPU figure beside it
 * (bench/floor.sh, docs/performance.md "The floor").
 *
 * Usage: floor_echo_server PORT   (0 picks a free port; prints "listening on PORT") */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { READ_BUFFER_SIZE = 64 * 1024, MAX_EVENTS = 256 };

/* Bytes read but not yet written back, kept when the socket would block. The
 * connection owns `pending` (malloc'd); close_connection frees it. */
typedef struct connection {
    int fd;
    char *pending;
    size_t pending_length;
} connection;

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signal_number) {
    (void)signal_number;
    stop_requested = 1;
}

static int listen_on_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 1024) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int bound_port(int fd) {
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return -1;
    return ntohs(address.sin_port);
}

static void close_connection(int epoll_fd, connection *conn) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
    close(conn->fd);
    free(conn->pending);
    free(conn);
}

static void accept_all(int epoll_fd, int listen_fd) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or a transient error: the next readiness retries */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        connection *conn = calloc(1, sizeof *conn);
        if (!conn) {
            close(fd);
            continue;
        }
        conn->fd = fd;
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = conn};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
            close(fd);
            free(conn);
        }
    }
}

/* Keeps the unwritten tail and switches the connection to waiting for
 * writability, so a slow reader stops us reading (back-pressure, not a
 * growing buffer). Returns false when out of memory. */
static int keep_pending(int epoll_fd, connection *conn, const char *bytes, size_t length) {
    char *copy = malloc(length);
    if (!copy) return 0;
    memcpy(copy, bytes, length);
    free(conn->pending);
    conn->pending = copy;
    conn->pending_length = length;
    struct epoll_event event = {.events = EPOLLOUT, .data.ptr = conn};
    return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn->fd, &event) == 0;
}

/* Writes what it can of `bytes`; returns false when the connection must close. */
static int write_or_keep(int epoll_fd, connection *conn, const char *bytes, size_t length) {
    ssize_t written = write(conn->fd, bytes, length);
    if (written < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) return 0;
        written = 0;
    }
    if ((size_t)written == length) return 1;
    return keep_pending(epoll_fd, conn, bytes + written, length - (size_t)written);
}

static int on_readable(int epoll_fd, connection *conn, char *buffer) {
    ssize_t got = read(conn->fd, buffer, READ_BUFFER_SIZE);
    if (got == 0) return 0;
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return write_or_keep(epoll_fd, conn, buffer, (size_t)got);
}

static int on_writable(int epoll_fd, connection *conn) {
    ssize_t written = write(conn->fd, conn->pending, conn->pending_length);
    if (written < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    conn->pending_length -= (size_t)written;
    if (conn->pending_length > 0) {
        memmove(conn->pending, conn->pending + written, conn->pending_length);
        return 1;
    }
    free(conn->pending);
    conn->pending = NULL;
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = conn};
    return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn->fd, &event) == 0;
}

static int parse_port(const char *text) {
    char *end = NULL;
    errno = 0;
    long port = strtol(text, &end, 10);
    if (errno || end == text || *end || port < 0 || port > 65535) return -1;
    return (int)port;
}

int main(int argc, char **argv) {
    int port = argc == 2 ? parse_port(argv[1]) : -1;
    if (port < 0) {
        fprintf(stderr, "usage: %s PORT   (0..65535; 0 picks a free port)\n", argv[0]);
        return 2;
    }
    struct sigaction action = {.sa_handler = on_stop_signal};
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    int listen_fd = listen_on_loopback(port);
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (listen_fd < 0 || epoll_fd < 0) {
        fprintf(stderr, "floor_echo_server: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
        return 1;
    }
    struct epoll_event listen_event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event);
    printf("listening on %d\n", bound_port(listen_fd));
    fflush(stdout);

    static char buffer[READ_BUFFER_SIZE];
    struct epoll_event events[MAX_EVENTS];
    while (!stop_requested) {
        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
        for (int i = 0; i < ready; i++) {
            connection *conn = events[i].data.ptr;
            if (!conn) {
                accept_all(epoll_fd, listen_fd);
                continue;
            }
            int keep = (events[i].events & EPOLLOUT) ? on_writable(epoll_fd, conn)
                                                      : on_readable(epoll_fd, conn, buffer);
            if (!keep) close_connection(epoll_fd, conn);
        }
    }
    close(epoll_fd);
    close(listen_fd);
    return 0;
}
