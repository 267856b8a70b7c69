/* The one log path of the library: every message goes through lv_log, with
 * a level, a timestamp and the app's hook (lv_config.log). Messages never
 * carry secrets, tokens or session contents: callers log the reason a check
 * failed, not the values involved. Control characters in a message (a
 * client's event name with a newline or an escape sequence) are escaped, so
 * a client cannot forge a log line or drive the terminal. */
#ifndef LV_UTIL_LOG_H
#define LV_UTIL_LOG_H

#include <liveview.h>

void lv_log(lv_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lv_log_enabled(lv_log_level level);

/* Sets the process's logging: the most detailed level written and the hook
 * (NULL: stderr). Logging is process-wide; lv_app_new calls this with its
 * configuration, so the app created last decides. */
void lv_log_configure(lv_log_level level, lv_log_fn hook, void *ctx);

/* The level named by text ("error", "warn", "info", "debug"), or fallback. */
lv_log_level lv_log_level_parse(const char *text, lv_log_level fallback);

/* Copies message to out with every control character written as \xNN
 * bytes: C0 (below 0x20), DEL, C1 (U+0080..U+009F), U+2028/U+2029, bidi
 * overrides and isolates, and any byte that is not well-formed UTF-8; a
 * backslash becomes \\ so an escape cannot be faked. At most cap bytes
 * including the NUL; an escape or a character that does not fit is dropped
 * whole. This is the one routine every log line goes through (lv_log), so
 * client-supplied strings (event names, topics, paths, headers) may be
 * passed to lv_log as they are. */
void lv_log_escape(const char *message, char *out, size_t cap);

#define lv_log_error(...) lv_log(LV_LOG_ERROR, __VA_ARGS__)
#define lv_log_warn(...) lv_log(LV_LOG_WARN, __VA_ARGS__)
#define lv_log_info(...) lv_log(LV_LOG_INFO, __VA_ARGS__)
#define lv_log_debug(...) lv_log(LV_LOG_DEBUG, __VA_ARGS__)

#endif
