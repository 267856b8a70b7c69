/* The floor's client: drives bench/floor/echo_server.c (or any echo server)
 * over N loopback connections, each keeping K messages of `size` bytes in
 * flight: it sends K, then one more for every message echoed back. It counts
 * echoed messages over a measured window and, given the server's pid, reads
 * the server's CPU time from /proc so the figure is server CPU per message,
 * the machine's floor beside which bench/ shows the LiveView figures.
 *
 * Usage: floor_echo_client --port P [--connections N] [--seconds T]
 *        [--pipeline K] [--size BYTES] [--server-pid PID] [--json] */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { READ_BUFFER_SIZE = 64 * 1024, MAX_EVENTS = 256, MAX_SIZE = 64 * 1024 };

typedef struct options {
    int port, connections, pipeline, size, server_pid, json;
    double seconds;
} options;

/* The payload is never inspected, so each connection only counts bytes: what
 * it still owes the server (to send) and what is part of the message being
 * received. */
typedef struct connection {
    int fd;
    size_t bytes_to_send;
    size_t bytes_of_partial_message;
    int waiting_for_writable;
} connection;

static char payload[READ_BUFFER_SIZE];
static unsigned long long messages_echoed;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of a process in clock ticks, or -1 when unreadable. */
static long long process_cpu_ticks(int pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *file = fopen(path, "r");
    if (!file) return -1;
    char line[1024];
    size_t length = fread(line, 1, sizeof line - 1, file);
    fclose(file);
    line[length] = '\0';
    /* The command name may contain spaces: fields are counted after its ')'. */
    char *after_name = strrchr(line, ')');
    if (!after_name) return -1;
    unsigned long long utime = 0, stime = 0;
    if (sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
               &stime) != 2)
        return -1;
    return (long long)(utime + stime);
}

static double own_cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static int parse_int(const char *text, int minimum, int maximum, int *out) {
    char *end = NULL;
    errno = 0;
    long value = text ? strtol(text, &end, 10) : 0;
    if (!text || errno || end == text || *end || value < minimum || value > maximum) return 0;
    *out = (int)value;
    return 1;
}

static int parse_options(int argc, char **argv, options *opts) {
    *opts = (options){.port = -1, .connections = 1, .pipeline = 1, .size = 100, .seconds = 3};
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (strcmp(name, "--json") == 0) {
            opts->json = 1;
            continue;
        }
        if (strcmp(name, "--port") == 0) ok = parse_int(value, 1, 65535, &opts->port);
        else if (strcmp(name, "--connections") == 0) ok = parse_int(value, 1, 100000, &opts->connections);
        else if (strcmp(name, "--pipeline") == 0) ok = parse_int(value, 1, 10000, &opts->pipeline);
        else if (strcmp(name, "--size") == 0) ok = parse_int(value, 1, MAX_SIZE, &opts->size);
        else if (strcmp(name, "--server-pid") == 0) ok = parse_int(value, 1, 1 << 30, &opts->server_pid);
        else if (strcmp(name, "--seconds") == 0) {
            char *end = NULL;
            opts->seconds = value ? strtod(value, &end) : 0;
            ok = value && end != value && !*end && opts->seconds > 0 && opts->seconds <= 3600;
        } else {
            fprintf(stderr, "floor_echo_client: unknown option %s\n", name);
            return 0;
        }
        if (!ok) {
            fprintf(stderr, "floor_echo_client: bad or missing value for %s\n", name);
            return 0;
        }
        i++;
    }
    if (opts->port < 0) {
        fprintf(stderr, "floor_echo_client: --port is required\n");
        return 0;
    }
    return 1;
}

static int connect_to_loopback(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int watch(int epoll_fd, connection *conn, int writable) {
    struct epoll_event event = {.events = writable ? EPOLLIN | EPOLLOUT : EPOLLIN, .data.ptr = conn};
    conn->waiting_for_writable = writable;
    return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn->fd, &event);
}

/* Sends what the connection owes, in one write when the socket takes it all;
 * returns false on a broken connection. */
static int send_owed(int epoll_fd, connection *conn) {
    while (conn->bytes_to_send > 0) {
        size_t chunk = conn->bytes_to_send < sizeof payload ? conn->bytes_to_send : sizeof payload;
        ssize_t written = write(conn->fd, payload, chunk);
        if (written < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) return 0;
            return conn->waiting_for_writable || watch(epoll_fd, conn, 1) == 0;
        }
        conn->bytes_to_send -= (size_t)written;
    }
    return !conn->waiting_for_writable || watch(epoll_fd, conn, 0) == 0;
}

static int on_readable(int epoll_fd, connection *conn, size_t message_size) {
    static char buffer[READ_BUFFER_SIZE];
    ssize_t got = read(conn->fd, buffer, sizeof buffer);
    if (got == 0) return 0;
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    size_t bytes = conn->bytes_of_partial_message + (size_t)got;
    size_t completed = bytes / message_size;
    conn->bytes_of_partial_message = bytes % message_size;
    messages_echoed += completed;
    conn->bytes_to_send += completed * message_size;
    return send_owed(epoll_fd, conn);
}

/* Runs the loop until `deadline`; returns false when a connection broke. */
static int run_until(int epoll_fd, double deadline, size_t message_size) {
    struct epoll_event events[MAX_EVENTS];
    for (double now = now_seconds(); now < deadline; now = now_seconds()) {
        int timeout_ms = (int)((deadline - now) * 1000) + 1;
        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, timeout_ms);
        if (ready < 0 && errno != EINTR) return 0;
        for (int i = 0; i < ready; i++) {
            connection *conn = events[i].data.ptr;
            int ok = (events[i].events & EPOLLIN) ? on_readable(epoll_fd, conn, message_size)
                                                  : send_owed(epoll_fd, conn);
            if (!ok) {
                fprintf(stderr, "floor_echo_client: a connection broke\n");
                return 0;
            }
        }
    }
    return 1;
}

static double elapsed_server_us(int pid, long long ticks_before) {
    long long ticks_after = process_cpu_ticks(pid);
    if (ticks_before < 0 || ticks_after < 0) return -1;
    return (double)(ticks_after - ticks_before) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv) {
    options opts;
    if (!parse_options(argc, argv, &opts)) {
        fprintf(stderr, "usage: %s --port P [--connections N] [--seconds T] [--pipeline K] "
                        "[--size BYTES] [--server-pid PID] [--json]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    memset(payload, 'x', sizeof payload);
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    connection *connections = calloc((size_t)opts.connections, sizeof *connections);
    if (epoll_fd < 0 || !connections) return 1;
    for (int i = 0; i < opts.connections; i++) {
        connection *conn = &connections[i];
        conn->fd = connect_to_loopback(opts.port);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = conn};
        if (conn->fd < 0 || fcntl(conn->fd, F_SETFL, O_NONBLOCK) != 0 ||
            epoll_ctl(epoll_fd, EPOLL_CTL_ADD, conn->fd, &event) != 0) {
            fprintf(stderr, "floor_echo_client: cannot connect to 127.0.0.1:%d: %s\n", opts.port,
                    strerror(errno));
            return 1;
        }
    }
    for (int i = 0; i < opts.connections; i++) {
        connections[i].bytes_to_send = (size_t)opts.pipeline * (size_t)opts.size;
        if (!send_owed(epoll_fd, &connections[i])) return 1;
    }
    /* A short warm-up, so the window measures the steady state, not the
     * connections filling up. */
    size_t message_size = (size_t)opts.size;
    if (!run_until(epoll_fd, now_seconds() + 0.3, message_size)) return 1;

    long long server_ticks_before = opts.server_pid ? process_cpu_ticks(opts.server_pid) : -1;
    double client_cpu_before = own_cpu_seconds();
    unsigned long long messages_before = messages_echoed;
    double started = now_seconds();
    if (!run_until(epoll_fd, started + opts.seconds, message_size)) return 1;
    double window = now_seconds() - started;
    unsigned long long messages = messages_echoed - messages_before;
    double client_us = (own_cpu_seconds() - client_cpu_before) * 1e6;
    double server_us = opts.server_pid ? elapsed_server_us(opts.server_pid, server_ticks_before) : -1;
    if (opts.server_pid && server_us < 0) {
        fprintf(stderr, "floor_echo_client: cannot read /proc/%d/stat\n", opts.server_pid);
        return 1;
    }

    double per_second = (double)messages / window;
    double server_per_message = messages && server_us >= 0 ? server_us / (double)messages : 0;
    double client_per_message = messages ? client_us / (double)messages : 0;
    if (opts.json) {
        printf("{\"messages\": %llu, \"messages_per_s\": %.0f, \"server_us_per_message\": %.3f, "
               "\"client_us_per_message\": %.3f}\n",
               messages, per_second, server_per_message, client_per_message);
    } else {
        printf("%llu messages in %.2f s: %.0f messages/s", messages, window, per_second);
        if (opts.server_pid) printf(", server %.3f us/message", server_per_message);
        printf(", client %.3f us/message\n", client_per_message);
    }
    for (int i = 0; i < opts.connections; i++) close(connections[i].fd);
    free(connections);
    close(epoll_fd);
    return messages > 0 ? 0 : 1;
}
