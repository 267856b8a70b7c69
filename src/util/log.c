#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int configured_level(void)
{
    static int level = -1;
    if (level < 0) {
        const char *v = getenv("LV_LOG");
        level = LV_LOG_INFO;
        if (v && strcmp(v, "error") == 0) level = LV_LOG_ERROR;
        if (v && strcmp(v, "warn") == 0) level = LV_LOG_WARN;
        if (v && strcmp(v, "debug") == 0) level = LV_LOG_DEBUG;
    }
    return level;
}

int lv_log_enabled(lv_log_level level)
{
    return (int)level <= configured_level();
}

void lv_log(lv_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (!lv_log_enabled(level)) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One write per line keeps lines whole when several threads log. */
    fprintf(stderr, "liveview [%s] %s\n", names[level], line);
}
