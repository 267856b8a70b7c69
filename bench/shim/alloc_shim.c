/* An LD_PRELOAD shim that counts what the hot path costs per event in a running
 * server: heap allocations (malloc, calloc, realloc, aligned forms) and the
 * replies it writes (occurrences of "phx_reply" in what goes to write/writev),
 * so allocations per event = allocations / replies over a window of steady
 * clicking. bench/hotpath.sh builds and uses it; it is a measuring tool, not
 * part of the library (the memmem on every write costs CPU: do not time a
 * server that runs under it).
 *
 * SIGUSR2 writes one line "allocs=A replies=R writes=W" (totals since start)
 * to the file named by ALLOC_SHIM_OUT (appended), else to stderr. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_ulong allocs, replies, writes;

void *malloc(size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    void *p = __libc_memalign(align, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
    return __libc_memalign(align, n);
}

static void count_replies(const void *data, size_t len)
{
    static const char needle[] = "\"phx_reply\"";
    const char *p = data, *end = p + len;
    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), needle, sizeof needle - 1);
        if (!hit) break;
        atomic_fetch_add_explicit(&replies, 1, memory_order_relaxed);
        p = hit + sizeof needle - 1;
    }
}

ssize_t write(int fd, const void *data, size_t len)
{
    static ssize_t (*real_write)(int, const void *, size_t);
    if (!real_write) real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    atomic_fetch_add_explicit(&writes, 1, memory_order_relaxed);
    ssize_t n = real_write(fd, data, len);
    if (n > 0) count_replies(data, (size_t)n);
    return n;
}

ssize_t writev(int fd, const struct iovec *iov, int count)
{
    static ssize_t (*real_writev)(int, const struct iovec *, int);
    if (!real_writev) real_writev = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    atomic_fetch_add_explicit(&writes, 1, memory_order_relaxed);
    ssize_t n = real_writev(fd, iov, count);
    size_t left = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < count && left; i++) {
        size_t take = iov[i].iov_len < left ? iov[i].iov_len : left;
        count_replies(iov[i].iov_base, take);
        left -= take;
    }
    return n;
}

static char *put_number(char *p, const char *label, unsigned long v)
{
    while (*label) *p++ = *label++;
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = digits[--n];
    return p;
}

static void report(int sig)
{
    (void)sig;
    char line[128];
    char *p = line;
    p = put_number(p, "allocs=", atomic_load(&allocs));
    p = put_number(p, " replies=", atomic_load(&replies));
    p = put_number(p, " writes=", atomic_load(&writes));
    *p++ = '\n';
    const char *path = getenv("ALLOC_SHIM_OUT");
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : 2;
    if (fd < 0) return;
    static ssize_t (*real_write)(int, const void *, size_t);
    if (!real_write) real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (real_write) real_write(fd, line, (size_t)(p - line));
    if (path) close(fd);
}

__attribute__((constructor)) static void install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = report;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
}
