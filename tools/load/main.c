/* liveview-load: drives a LiveView server over the Phoenix V2 JSON protocol
 * (docs/performance.md). Parses the options, resolves the server once, runs
 * the connections on one loop (or forks --processes children that each run
 * a share and meet at the start of the measurement), reads the server's CPU
 * time around the measured part when given its pid, and prints the figures. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

typedef struct options {
    load_config config;
    const char *url;
    bool json;
    int processes;
    long server_pid;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: liveview-load --url http://HOST:PORT [--path /counter] [--event inc]\n"
            "                     [--connections N] [--seconds T] [--pipeline K] [--warmup S]\n"
            "                     [--idle N] [--join-only] [--processes P] [--server-pid PID] [--json]\n"
            "                     [--socket-path /live/websocket] [--setup-timeout S] [--heartbeat S]\n"
            "Loads the page N times, joins each view over its own WebSocket and sends\n"
            "click events (K in flight per connection) for T seconds; prints events/s,\n"
            "latency percentiles and errors (docs/performance.md). --idle N joins N more\n"
            "views that never click; --join-only clicks on none.\n");
}

static int parse_int(const char *name, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "liveview-load: --%s wants a whole number from %ld to %ld, not \"%s\"\n", name, min, max,
                text);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_seconds(const char *name, const char *text, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min) || v > 86400) {
        fprintf(stderr, "liveview-load: --%s wants seconds from %g to 86400, not \"%s\"\n", name, min, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* Returns 0, 1 after --help, or -1 on a bad option (reported). */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"url", required_argument, NULL, 'u'},         {"path", required_argument, NULL, 'p'},
        {"event", required_argument, NULL, 'e'},       {"connections", required_argument, NULL, 'c'},
        {"seconds", required_argument, NULL, 's'},     {"pipeline", required_argument, NULL, 'k'},
        {"warmup", required_argument, NULL, 'w'},      {"join-only", no_argument, NULL, 'j'},
        {"processes", required_argument, NULL, 'P'},   {"server-pid", required_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'J'},              {"socket-path", required_argument, NULL, 'W'},
        {"setup-timeout", required_argument, NULL, 'T'}, {"heartbeat", required_argument, NULL, 'H'},
        {"idle", required_argument, NULL, 'I'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    load_config *c = &o->config;
    *c = (load_config){.path = "/counter", .socket_path = "/live/websocket", .event = "inc", .connections = 1,
                       .pipeline = 1, .seconds = 5, .setup_concurrency = 64, .setup_timeout = 10,
                       .drain_timeout = 5, .heartbeat_interval = 30};
    o->processes = 1;
    int opt;
    long n;
    while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (opt) {
        case 'u': o->url = optarg; break;
        case 'p': c->path = optarg; break;
        case 'e': c->event = optarg; break;
        case 'W': c->socket_path = optarg; break;
        case 'j': c->join_only = true; break;
        case 'J': o->json = true; break;
        case 'c':
            if (parse_int("connections", optarg, 1, 1000000, &n)) return -1;
            c->connections = (int)n;
            break;
        case 'I':
            if (parse_int("idle", optarg, 0, 1000000, &n)) return -1;
            c->idle = (int)n;
            break;
        case 'k':
            if (parse_int("pipeline", optarg, 1, 4096, &n)) return -1;
            c->pipeline = (int)n;
            break;
        case 'P':
            if (parse_int("processes", optarg, 1, 256, &n)) return -1;
            o->processes = (int)n;
            break;
        case 'S':
            if (parse_int("server-pid", optarg, 1, 1L << 30, &o->server_pid)) return -1;
            break;
        case 's':
            if (parse_seconds("seconds", optarg, 0.001, &c->seconds)) return -1;
            break;
        case 'w':
            if (parse_seconds("warmup", optarg, 0, &c->warmup)) return -1;
            break;
        case 'T':
            if (parse_seconds("setup-timeout", optarg, 0.001, &c->setup_timeout)) return -1;
            break;
        case 'H':
            if (parse_seconds("heartbeat", optarg, 0.001, &c->heartbeat_interval)) return -1;
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "liveview-load: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    if (!o->url) {
        fprintf(stderr, "liveview-load: --url is required (e.g. --url http://127.0.0.1:4000)\n");
        return -1;
    }
    if (c->path[0] != '/' || c->socket_path[0] != '/') {
        fprintf(stderr, "liveview-load: --path and --socket-path start with /\n");
        return -1;
    }
    if (strpbrk(c->path, " \r\n") || strpbrk(c->socket_path, " \r\n?")) {
        fprintf(stderr, "liveview-load: --path and --socket-path cannot hold spaces or line breaks\n");
        return -1;
    }
    if (o->processes > c->connections) o->processes = c->connections;
    char err[300];
    if (load_url_parse(o->url, &c->url, err, sizeof err) != 0) {
        fprintf(stderr, "liveview-load: %s\n", err);
        return -1;
    }
    return 0;
}

static int resolve(load_config *c)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    int rc = getaddrinfo(c->url.host, c->url.port, &hints, &found);
    if (rc != 0 || !found) {
        fprintf(stderr, "liveview-load: cannot resolve %s: %s\n", c->url.host, gai_strerror(rc));
        return -1;
    }
    memcpy(&c->addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return 0;
}

/* One socket per connection: take every file descriptor allowed. */
static void raise_fd_limit(void)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

/* ---- the server's CPU time ---------------------------------------------- */

typedef struct cpu_probe {
    long pid;
    bool ok;
    double start_s, end_s;
    long rss_kb; /* the server's VmRSS when the measured time starts (every view joined); -1 unknown */
} cpu_probe;

/* VmRSS of the process in kB, -1 when it cannot be read. */
static long process_rss_kb(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* utime + stime of the process, in seconds; -1 when it cannot be read. */
static double process_cpu_seconds(long pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name may hold spaces and parentheses: count from the last ')'. */
    char *p = strrchr(text, ')');
    if (!p) return -1;
    unsigned long long utime = 0, stime = 0;
    /* After ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void probe_start(cpu_probe *p)
{
    if (!p->pid) return;
    p->rss_kb = process_rss_kb(p->pid);
    p->start_s = process_cpu_seconds(p->pid);
    p->ok = p->start_s >= 0;
}

static void probe_end(cpu_probe *p)
{
    if (!p->ok) return;
    p->end_s = process_cpu_seconds(p->pid);
    p->ok = p->end_s >= p->start_s;
}

static void on_measure_start(void *ctx)
{
    probe_start(ctx);
}

static void on_measure_end(void *ctx)
{
    probe_end(ctx);
}

/* ---- processes ------------------------------------------------------------ */

typedef struct child {
    pid_t pid;
    int from_child, to_child;
    bool ready, done;
    load_result result;
} child;

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *data, size_t len)
{
    char *p = data;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

typedef struct child_link {
    int to_parent, from_parent;
} child_link;

/* A child tells the parent it is joined ('r'), then waits for the go. */
static void child_setup_done(void *ctx, const load_result *result)
{
    (void)result;
    child_link *link = ctx;
    char go;
    if (write_all(link->to_parent, "r", 1) != 0 || read_all(link->from_parent, &go, 1) != 0) _exit(3);
}

static void run_child(const load_config *config, child_link link)
{
    load_hooks hooks = {.ctx = &link, .setup_done = child_setup_done};
    load_result *result = calloc(1, sizeof *result);
    if (!result) _exit(3);
    load_run(config, &hooks, result);
    int rc = write_all(link.to_parent, "R", 1) == 0 && write_all(link.to_parent, result, sizeof *result) == 0;
    free(result);
    _exit(rc ? 0 : 3);
}

/* Reads a child's next report: 'r' (ready) or 'R' and its result. */
static int read_report(child *ch)
{
    char tag;
    if (read_all(ch->from_child, &tag, 1) != 0) return -1;
    if (tag == 'r') {
        ch->ready = true;
        return 0;
    }
    if (tag != 'R' || read_all(ch->from_child, &ch->result, sizeof ch->result) != 0) return -1;
    ch->done = true;
    return 0;
}

static void merge_result(load_result *into, const load_result *r)
{
    into->events += r->events;
    into->warmup_events += r->warmup_events;
    into->joined += r->joined;
    into->heartbeats += r->heartbeats;
    into->reply_bytes += r->reply_bytes;
    into->pushes += r->pushes;
    into->push_bytes += r->push_bytes;
    into->client_cpu_seconds += r->client_cpu_seconds;
    into->error_replies += r->error_replies;
    into->join_failures += r->join_failures;
    into->protocol_errors += r->protocol_errors;
    into->closed += r->closed;
    into->unanswered += r->unanswered;
    if (r->seconds > into->seconds) into->seconds = r->seconds;
    if (r->setup_seconds > into->setup_seconds) into->setup_seconds = r->setup_seconds;
    load_hist_merge(&into->hist, &r->hist);
    if (!into->first_error[0]) memcpy(into->first_error, r->first_error, sizeof into->first_error);
}

static void sleep_seconds(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* Forks the children, each with its share of the connections; they join,
 * then start together. Returns 0 when any measured. */
static int run_processes(const options *o, cpu_probe *probe, load_result *total)
{
    int count = o->processes;
    child *children = calloc((size_t)count, sizeof *children);
    if (!children) return -1;
    memset(total, 0, sizeof *total);
    int status = 0;
    for (int i = 0; i < count; i++) {
        int up[2], down[2];
        if (pipe(up) != 0 || pipe(down) != 0) {
            perror("liveview-load: pipe");
            return -1;
        }
        load_config config = o->config;
        config.connections = o->config.connections / count + (i < o->config.connections % count);
        config.idle = o->config.idle / count + (i < o->config.idle % count);
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("liveview-load: fork");
            return -1;
        }
        if (pid == 0) {
            close(up[0]);
            close(down[1]);
            for (int j = 0; j < i; j++) {
                close(children[j].from_child);
                close(children[j].to_child);
            }
            run_child(&config, (child_link){up[1], down[0]});
        }
        close(up[1]);
        close(down[0]);
        children[i] = (child){.pid = pid, .from_child = up[0], .to_child = down[1]};
    }
    for (int i = 0; i < count; i++)
        if (read_report(&children[i]) != 0) {
            fprintf(stderr, "liveview-load: client process %d died during setup\n", i);
            status = -1;
        }
    probe_start(probe);
    for (int i = 0; i < count; i++)
        if (children[i].ready && write_all(children[i].to_child, "g", 1) != 0) status = -1;
    if (o->config.warmup > 0) {
        sleep_seconds(o->config.warmup);
        probe_start(probe);
    }
    for (int i = 0; i < count; i++) {
        if (children[i].ready && !children[i].done && read_report(&children[i]) != 0) {
            fprintf(stderr, "liveview-load: client process %d died\n", i);
            status = -1;
        }
    }
    probe_end(probe);
    for (int i = 0; i < count; i++) {
        close(children[i].from_child);
        close(children[i].to_child);
        int ws;
        waitpid(children[i].pid, &ws, 0);
        if (children[i].done) merge_result(total, &children[i].result);
    }
    free(children);
    if (total->joined == 0) status = -1;
    return status;
}

/* ---- output -------------------------------------------------------------- */

static double us(uint64_t ns)
{
    return (double)ns / 1000.0;
}

static void print_json_string(const char *s)
{
    lv_buf b = LV_BUF_INIT;
    load_json_string(&b, s);
    fputs(b.data, stdout);
    lv_buf_free(&b);
}

static void print_result(const options *o, const load_result *r, const cpu_probe *probe)
{
    const load_config *c = &o->config;
    double rate = r->seconds > 0 ? (double)r->events / r->seconds : 0;
    double p50 = us(load_hist_quantile(&r->hist, 0.50)), p90 = us(load_hist_quantile(&r->hist, 0.90));
    double p99 = us(load_hist_quantile(&r->hist, 0.99)), max = us(r->hist.max_ns);
    double cpu_us = probe->ok ? (probe->end_s - probe->start_s) * 1e6 : -1;
    if (o->json) {
        printf("{\"connections\":%d,\"joined\":%" PRIu64 ",\"pipeline\":%d,\"processes\":%d,\"seconds\":%.3f,"
               "\"events\":%" PRIu64 ",\"events_per_s\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
               "\"max_us\":%.1f,\"errors\":%" PRIu64 ",\"error_replies\":%" PRIu64 ",\"join_failures\":%" PRIu64
               ",\"protocol_errors\":%" PRIu64 ",\"closed\":%" PRIu64 ",\"unanswered\":%" PRIu64
               ",\"warmup_events\":%" PRIu64 ",\"heartbeats\":%" PRIu64 ",\"setup_seconds\":%.3f",
               c->connections, r->joined, c->pipeline, o->processes, r->seconds, r->events, rate, p50, p90, p99,
               max, load_errors(r), r->error_replies, r->join_failures, r->protocol_errors, r->closed, r->unanswered,
               r->warmup_events, r->heartbeats, r->setup_seconds);
        printf(",\"idle\":%d,\"reply_bytes\":%" PRIu64 ",\"bytes_per_reply\":%.1f,\"pushes\":%" PRIu64
               ",\"push_bytes\":%" PRIu64 ",\"pushes_per_s\":%.1f",
               c->idle, r->reply_bytes, r->events ? (double)r->reply_bytes / (double)r->events : 0, r->pushes,
               r->push_bytes, r->seconds > 0 ? (double)r->pushes / r->seconds : 0);
        if (probe->ok && probe->rss_kb >= 0) printf(",\"server_rss_kb\":%ld", probe->rss_kb);
        if (probe->ok && r->pushes)
            printf(",\"server_us_per_push\":%.3f", cpu_us / (double)r->pushes);
        printf(",\"client_cpu_us\":%.0f,\"client_us_per_event\":%.2f", r->client_cpu_seconds * 1e6,
               r->events ? r->client_cpu_seconds * 1e6 / (double)r->events : 0);
        if (probe->ok)
            printf(",\"server_cpu_us\":%.0f,\"server_us_per_event\":%.2f", cpu_us,
                   r->events ? cpu_us / (double)r->events : 0);
        if (r->first_error[0]) {
            fputs(",\"first_error\":", stdout);
            print_json_string(r->first_error);
        }
        puts("}");
        return;
    }
    printf("liveview-load: %s%s, %d connections (%" PRIu64 " joined), pipeline %d, %.2f s: %" PRIu64
           " events, %.0f/s, p50 %.0f us, p99 %.0f us, max %.0f us, %" PRIu64 " errors",
           c->url.origin, c->path, c->connections, r->joined, c->pipeline, r->seconds, r->events, rate, p50, p99, max,
           load_errors(r));
    if (probe->ok) printf(", server %.2f us CPU per event", r->events ? cpu_us / (double)r->events : 0);
    if (r->events) printf(", client %.2f us CPU per event", r->client_cpu_seconds * 1e6 / (double)r->events);
    putchar('\n');
    if (r->first_error[0]) printf("liveview-load: first error: %s\n", r->first_error);
}

int main(int argc, char **argv)
{
    options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) return rc > 0 ? 0 : 2;
    if (resolve(&o.config) != 0) return 1;
    raise_fd_limit();
    signal(SIGPIPE, SIG_IGN);

    cpu_probe probe = {.pid = o.server_pid, .rss_kb = -1};
    if (o.server_pid && process_cpu_seconds(o.server_pid) < 0) {
        fprintf(stderr, "liveview-load: cannot read /proc/%ld/stat (--server-pid)\n", o.server_pid);
        return 2;
    }
    load_result *result = calloc(1, sizeof *result);
    if (!result) return 1;
    if (o.processes > 1) {
        rc = run_processes(&o, &probe, result);
    } else {
        load_hooks hooks = {.ctx = &probe, .measure_start = on_measure_start, .measure_end = on_measure_end};
        rc = load_run(&o.config, &hooks, result);
    }
    if (rc != 0 && result->joined == 0) {
        fprintf(stderr, "liveview-load: no connection joined %s%s: %s\n", o.config.url.origin, o.config.path,
                result->first_error[0] ? result->first_error : "(no reason recorded)");
        free(result);
        return 1;
    }
    print_result(&o, result, &probe);
    free(result);
    return rc == 0 ? 0 : 1;
}
