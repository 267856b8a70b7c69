/* The cross-thread task queue: FIFO per poster, exactly once, closed means
 * refused. Producers are real threads; nothing waits on time. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>

#include "util/task_queue.h"

#define PRODUCERS 4
#define PER_PRODUCER 2000

typedef struct record {
    int last[PRODUCERS]; /* the last n run per producer, loop-side only */
    int runs;
    bool out_of_order;
} record;

typedef struct item {
    record *rec;
    int producer, n;
} item;

static void run_item(void *arg)
{
    item *it = arg;
    if (it->n != it->rec->last[it->producer] + 1) it->rec->out_of_order = true;
    it->rec->last[it->producer] = it->n;
    it->rec->runs++;
    free(it);
}

typedef struct producer {
    lv_task_queue *q;
    record *rec;
    int id;
    int accepted;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    for (int n = 1; n <= PER_PRODUCER; n++) {
        item *it = malloc(sizeof *it);
        *it = (item){p->rec, p->id, n};
        if (lv_task_queue_push(p->q, run_item, it) != 0) {
            free(it);
            break; /* closed: everything after is refused too */
        }
        p->accepted++;
    }
    return NULL;
}

Test(task_queue, runs_every_task_once_in_each_posters_order)
{
    lv_task_queue q;
    lv_task_queue_init(&q);
    record rec = {0};
    producer ps[PRODUCERS];
    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        ps[i] = (producer){&q, &rec, i, 0};
        cr_assert_eq(pthread_create(&threads[i], NULL, produce, &ps[i]), 0);
    }
    /* The consumer runs while the producers push. */
    while (rec.runs < PRODUCERS * PER_PRODUCER) lv_task_queue_run(&q);
    for (int i = 0; i < PRODUCERS; i++) pthread_join(threads[i], NULL);
    cr_expect_eq(lv_task_queue_run(&q), 0);
    cr_expect_not(rec.out_of_order);
    for (int i = 0; i < PRODUCERS; i++) cr_expect_eq(rec.last[i], PER_PRODUCER);
    lv_task_queue_destroy(&q);
}

Test(task_queue, closing_refuses_new_tasks_and_keeps_the_accepted_ones)
{
    lv_task_queue q;
    lv_task_queue_init(&q);
    record rec = {0};
    producer ps[PRODUCERS];
    pthread_t threads[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        ps[i] = (producer){&q, &rec, i, 0};
        cr_assert_eq(pthread_create(&threads[i], NULL, produce, &ps[i]), 0);
    }
    lv_task_queue_close(&q); /* somewhere in the middle of the producers */
    cr_expect(lv_task_queue_closed(&q));
    for (int i = 0; i < PRODUCERS; i++) pthread_join(threads[i], NULL);
    lv_task_queue_run(&q);
    int accepted = 0;
    for (int i = 0; i < PRODUCERS; i++) {
        accepted += ps[i].accepted;
        cr_expect_eq(rec.last[i], ps[i].accepted, "producer %d: every accepted task ran", i);
    }
    cr_expect_eq(rec.runs, accepted);
    cr_expect_not(rec.out_of_order);
    item *late = malloc(sizeof *late);
    cr_expect_eq(lv_task_queue_push(&q, run_item, late), -1);
    free(late);
    lv_task_queue_destroy(&q);
}

static void push_again(void *arg)
{
    lv_task_queue *q = arg;
    static int depth;
    if (++depth < 3) lv_task_queue_push(q, push_again, q);
}

Test(task_queue, a_task_may_queue_more_and_destroy_runs_what_is_left)
{
    lv_task_queue q;
    lv_task_queue_init(&q);
    cr_assert_eq(lv_task_queue_push(&q, push_again, &q), 0);
    cr_expect_eq(lv_task_queue_run(&q), 3, "tasks queued by tasks run in the same call");
    record rec = {0};
    item *it = malloc(sizeof *it);
    *it = (item){&rec, 0, 1};
    cr_assert_eq(lv_task_queue_push(&q, run_item, it), 0);
    lv_task_queue_destroy(&q);
    cr_expect_eq(rec.runs, 1);
}
