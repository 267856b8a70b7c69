/* What a server's loop lends the code above it: timers and a thread pool.
 * net/ makes one from libuv; live/ uses it for view timers and async work;
 * without one (unit tests) timers and async work are refused. Every
 * callback runs on the loop thread. */
#ifndef LV_UTIL_RUNTIME_H
#define LV_UTIL_RUNTIME_H

#include <stdint.h>

typedef struct lv_runtime {
    void *ctx;
    /* Calls fire(arg) after ms, then every repeat_ms when non-zero. Returns
     * a handle, or NULL (the server is stopping). */
    void *(*timer_start)(void *ctx, uint64_t ms, uint64_t repeat_ms, void (*fire)(void *arg),
                         void *arg);
    /* Stops and frees a timer: fire is never called again. */
    void (*timer_stop)(void *ctx, void *timer);
    /* Runs work(arg) on a worker thread, then done(arg) on the loop thread.
     * Returns 0, or -1 (neither then runs). */
    int (*queue_work)(void *ctx, void (*work)(void *arg), void (*done)(void *arg), void *arg);
} lv_runtime;

#endif
