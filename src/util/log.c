#include "util/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Read by every thread that logs, written by lv_log_configure (normally
 * once, before serving): atomics keep a late change well defined. */
static _Atomic int configured = -1; /* a level, or -1 until first use */
static _Atomic(lv_log_fn) log_hook;
static _Atomic(void *) log_hook_ctx;

lv_log_level lv_log_level_parse(const char *text, lv_log_level fallback)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; text && i < 4; i++)
        if (strcmp(text, names[i]) == 0) return (lv_log_level)i;
    return fallback;
}

static int level_now(void)
{
    int level = atomic_load(&configured);
    if (level < 0) {
        /* No app configured logging yet: LV_LOG decides, as it will for the app. */
        level = (int)lv_log_level_parse(getenv("LV_LOG"), LV_LOG_INFO);
        int unset = -1;
        atomic_compare_exchange_strong(&configured, &unset, level);
    }
    return level;
}

void lv_log_configure(lv_log_level level, lv_log_fn hook, void *ctx)
{
    atomic_store(&log_hook_ctx, ctx);
    atomic_store(&log_hook, hook);
    atomic_store(&configured, (int)level);
}

int lv_log_enabled(lv_log_level level)
{
    return (int)level <= level_now();
}

void lv_log_escape(const char *message, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)message; *p; p++) {
        bool control = *p < 0x20 || *p == 0x7f;
        size_t need = control ? 4 : *p == '\\' ? 2 : 1;
        if (n + need + 1 > cap) break;
        if (control) {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        } else if (*p == '\\') {
            out[n++] = '\\';
            out[n++] = '\\';
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n] = '\0';
}

void lv_log(lv_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (!lv_log_enabled(level)) return;
    char raw[1024], line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    lv_log_escape(raw, line, sizeof line);
    lv_log_fn hook = atomic_load(&log_hook);
    if (hook) {
        hook(atomic_load(&log_hook_ctx), level, line);
        return;
    }
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    /* One write per line keeps lines whole when several threads log. */
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ liveview [%s] %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000L,
            names[level], line);
}
