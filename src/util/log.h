/* Logging to stderr with a level chosen by LV_LOG (error, warn, info, debug;
 * default info). Messages never carry secrets, tokens or session contents:
 * callers log the reason a check failed, not the values involved. */
#ifndef LV_UTIL_LOG_H
#define LV_UTIL_LOG_H

typedef enum lv_log_level { LV_LOG_ERROR = 0, LV_LOG_WARN, LV_LOG_INFO, LV_LOG_DEBUG } lv_log_level;

void lv_log(lv_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lv_log_enabled(lv_log_level level);

#define lv_log_error(...) lv_log(LV_LOG_ERROR, __VA_ARGS__)
#define lv_log_warn(...) lv_log(LV_LOG_WARN, __VA_ARGS__)
#define lv_log_info(...) lv_log(LV_LOG_INFO, __VA_ARGS__)
#define lv_log_debug(...) lv_log(LV_LOG_DEBUG, __VA_ARGS__)

#endif
