/* Work handed to a loop from other threads: a mutex-guarded FIFO of
 * callbacks. Any thread pushes; the loop's thread runs what is queued when
 * woken. Closing refuses further pushes, so a queue that is closed and then
 * run to empty has run every task it ever accepted, exactly once: that is
 * what lets a poster free its argument inside the task. The wake-up itself is
 * the owner's (net/server.c uses a uv_async). */
#ifndef LV_UTIL_TASK_QUEUE_H
#define LV_UTIL_TASK_QUEUE_H

#include <pthread.h>
#include <stdbool.h>

typedef struct lv_task lv_task;

typedef struct lv_task_queue {
    pthread_mutex_t lock;
    lv_task *head, *tail;
    bool closed;
} lv_task_queue;

void lv_task_queue_init(lv_task_queue *q);
/* Queues fn(arg) (arg stays the caller's until fn runs). Returns 0, or -1
 * once the queue is closed: fn then never runs. Any thread. */
int lv_task_queue_push(lv_task_queue *q, void (*fn)(void *arg), void *arg);
/* From now on pushes fail. Any thread; closing twice is harmless. */
void lv_task_queue_close(lv_task_queue *q);
bool lv_task_queue_closed(lv_task_queue *q);
/* Runs the queued tasks in the order they were pushed, including those
 * they push themselves, until the queue is empty. Tasks run without the
 * lock held, on the caller's thread; one thread runs a queue at a time.
 * Returns how many ran. */
unsigned lv_task_queue_run(lv_task_queue *q);
/* Closes the queue, runs what is left, and releases it. */
void lv_task_queue_destroy(lv_task_queue *q);

#endif
