#include "util/log.h"

#include "util/utf8.h"

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

/* The length of the UTF-8 sequence at p (at most n bytes) when it is well
 * formed and safe to show as it is; 0 when its bytes must be escaped: a
 * malformed sequence (a lone 0x9b is CSI to an 8-bit terminal), a C1
 * control (U+0080..U+009F, which some terminals obey), a line or paragraph
 * separator (U+2028, U+2029, line breaks to many log viewers), or a bidi
 * override or isolate (U+202A..U+202E, U+2066..U+2069, which reorder what
 * a reader sees). */
static size_t safe_sequence_len(const unsigned char *p, size_t n)
{
    size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    if (p[0] < 0xc2 || p[0] > 0xf4 || len > n || !lv_utf8_valid(p, len)) return 0;
    if (p[0] == 0xc2 && p[1] <= 0x9f) return 0;
    if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9 || (p[2] >= 0xaa && p[2] <= 0xae)))
        return 0;
    if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9) return 0;
    return len;
}

void lv_log_escape(const char *message, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)message;
    size_t left = strlen(message);
    size_t n = 0;
    while (left > 0) {
        size_t keep = *p >= 0x80 ? safe_sequence_len(p, left) : (*p >= 0x20 && *p != 0x7f) ? 1 : 0;
        /* A byte that is not kept whole goes out as \xNN, one at a time: a
         * C1 control or a separator shows as its UTF-8 bytes. */
        size_t need = keep ? keep + (*p == '\\') : 4;
        if (n + need + 1 > cap) break;
        if (!keep) {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
            p++;
            left--;
            continue;
        }
        if (*p == '\\') out[n++] = '\\';
        memcpy(out + n, p, keep);
        n += keep;
        p += keep;
        left -= keep;
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
