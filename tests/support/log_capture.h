/* Test support: captures the library's log lines (one "message\n" each)
 * through the log hook, for tests that check what was reported. */
#ifndef LV_TESTS_SUPPORT_LOG_CAPTURE_H
#define LV_TESTS_SUPPORT_LOG_CAPTURE_H

#include <pthread.h>
#include <string.h>

#include "util/log.h"

static char lv_test_log[16384];
static pthread_mutex_t lv_test_log_lock = PTHREAD_MUTEX_INITIALIZER;

static inline void lv_test_log_hook(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    pthread_mutex_lock(&lv_test_log_lock);
    size_t used = strlen(lv_test_log);
    snprintf(lv_test_log + used, sizeof lv_test_log - used, "%s\n", message);
    pthread_mutex_unlock(&lv_test_log_lock);
}

/* Starts capturing (usable as a Criterion .init). */
static inline void lv_test_log_capture(void)
{
    lv_test_log[0] = '\0';
    lv_log_configure(LV_LOG_INFO, lv_test_log_hook, NULL);
}

#endif
