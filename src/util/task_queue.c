/* The cross-thread task queue (task_queue.h). */
#include <stdlib.h>

#include "util/buf.h"
#include "util/task_queue.h"

struct lv_task {
    lv_task *next;
    void (*fn)(void *arg);
    void *arg;
};

void lv_task_queue_init(lv_task_queue *q)
{
    pthread_mutex_init(&q->lock, NULL);
    q->head = q->tail = NULL;
    q->closed = false;
}

int lv_task_queue_push(lv_task_queue *q, void (*fn)(void *arg), void *arg)
{
    lv_task *t = lv_xmalloc(sizeof *t);
    *t = (lv_task){NULL, fn, arg};
    pthread_mutex_lock(&q->lock);
    bool refused = q->closed;
    if (!refused) {
        if (q->tail)
            q->tail->next = t;
        else
            q->head = t;
        q->tail = t;
    }
    pthread_mutex_unlock(&q->lock);
    if (refused) free(t);
    return refused ? -1 : 0;
}

void lv_task_queue_close(lv_task_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_mutex_unlock(&q->lock);
}

bool lv_task_queue_closed(lv_task_queue *q)
{
    pthread_mutex_lock(&q->lock);
    bool closed = q->closed;
    pthread_mutex_unlock(&q->lock);
    return closed;
}

unsigned lv_task_queue_run(lv_task_queue *q)
{
    unsigned ran = 0;
    for (;;) {
        /* Take the whole list at once: posters wait for the lock only as long
         * as a pointer swap, never while a task runs. */
        pthread_mutex_lock(&q->lock);
        lv_task *t = q->head;
        q->head = q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        if (!t) return ran;
        while (t) {
            lv_task *next = t->next;
            t->fn(t->arg);
            free(t);
            ran++;
            t = next;
        }
    }
}

void lv_task_queue_destroy(lv_task_queue *q)
{
    lv_task_queue_close(q);
    lv_task_queue_run(q);
    pthread_mutex_destroy(&q->lock);
}
