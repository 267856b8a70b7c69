/* The Redis broker's life without a Redis: a broker whose Redis is down
 * starts, takes topics and publishes from several threads without
 * blocking, and stops cleanly (ASan and TSan builds check the rest). The
 * broker with a Redis is tested over the wire: tests/protocol/redis_broker,
 * tests/e2e/redis_cluster. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "net/redis_broker.h"

static void never_called(void *ctx, const char *topic, const char *message, size_t len)
{
    (void)ctx;
    (void)topic;
    (void)message;
    (void)len;
    cr_assert(false, "nothing can arrive from a Redis that is down");
}

static lv_redis_url down_redis(void)
{
    lv_redis_url url;
    char err[160];
    /* Port 1 on loopback: nobody listens there, so connecting is refused. */
    cr_assert_eq(lv_redis_url_parse("redis://127.0.0.1:1", &url, err, sizeof err), 0);
    return url;
}

Test(redis_broker, starts_and_stops_while_redis_is_down)
{
    lv_redis_url url = down_redis();
    lv_redis_broker *b = lv_redis_broker_start(&url, never_called, NULL);
    lv_redis_url_free(&url);
    cr_assert_not_null(b);
    cr_assert(!lv_node_id_is_cluster(lv_redis_broker_node(b)));
    lv_redis_broker_topic_added(b, "a");
    lv_redis_broker_topic_added(b, "a");
    lv_redis_broker_topic_added(b, "b");
    cr_assert_eq(lv_redis_broker_publish(b, "a", "{}", 2), 0, "dropped while down, not refused");
    lv_redis_broker_topic_removed(b, "a");
    lv_redis_broker_topic_removed(b, "b");
    lv_redis_broker_topic_removed(b, "unknown");
    lv_redis_broker_stop(b);
}

static void *use_broker(void *arg)
{
    lv_redis_broker *b = arg;
    char topic[32];
    for (int i = 0; i < 200; i++) {
        snprintf(topic, sizeof topic, "t%d", i % 7);
        lv_redis_broker_topic_added(b, topic);
        lv_redis_broker_publish(b, topic, "{\"name\":\"x\",\"payload\":{}}", 26);
        lv_redis_broker_topic_removed(b, topic);
    }
    return NULL;
}

Test(redis_broker, is_safe_from_several_threads)
{
    lv_redis_url url = down_redis();
    lv_redis_broker *b = lv_redis_broker_start(&url, never_called, NULL);
    lv_redis_url_free(&url);
    cr_assert_not_null(b);
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) cr_assert_eq(pthread_create(&threads[i], NULL, use_broker, b), 0);
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    lv_redis_broker_stop(b);
}

Test(redis_broker, stops_right_after_starting)
{
    lv_redis_url url = down_redis();
    for (int i = 0; i < 5; i++) {
        lv_redis_broker *b = lv_redis_broker_start(&url, never_called, NULL);
        cr_assert_not_null(b);
        lv_redis_broker_stop(b);
    }
    lv_redis_url_free(&url);
}
