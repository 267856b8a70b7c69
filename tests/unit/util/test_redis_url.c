#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "liveview.h"
#include "util/redis_url.h"

static lv_redis_url parsed(const char *text)
{
    lv_redis_url url;
    char err[160] = "";
    cr_assert_eq(lv_redis_url_parse(text, &url, err, sizeof err), 0, "%s: %s", text, err);
    return url;
}

static void expect_refused(const char *text, const char *reason_part)
{
    lv_redis_url url;
    char err[160] = "";
    cr_assert_eq(lv_redis_url_parse(text, &url, err, sizeof err), -1, "%s was accepted", text ? text : "(null)");
    cr_assert(strstr(err, reason_part), "%s: \"%s\" lacks \"%s\"", text ? text : "(null)", err, reason_part);
    cr_assert_null(url.host);
    cr_assert_null(url.password);
}

Test(redis_url, host_port_and_db)
{
    lv_redis_url url = parsed("redis://127.0.0.1:6380/2");
    cr_assert_str_eq(url.host, "127.0.0.1");
    cr_assert_eq(url.port, 6380);
    cr_assert_eq(url.db, 2);
    cr_assert_null(url.password);
    cr_assert_null(url.username);
    lv_redis_url_free(&url);
    cr_assert_null(url.host);
}

Test(redis_url, defaults)
{
    lv_redis_url url = parsed("redis://cache.internal");
    cr_assert_str_eq(url.host, "cache.internal");
    cr_assert_eq(url.port, LV_REDIS_DEFAULT_PORT);
    cr_assert_eq(url.db, 0);
    lv_redis_url_free(&url);
    url = parsed("redis://cache:7000/");
    cr_assert_eq(url.port, 7000);
    cr_assert_eq(url.db, 0);
    lv_redis_url_free(&url);
}

Test(redis_url, credentials)
{
    lv_redis_url url = parsed("redis://:s3cret@10.0.0.5:6379/1");
    cr_assert_null(url.username);
    cr_assert_str_eq(url.password, "s3cret");
    cr_assert_str_eq(url.host, "10.0.0.5");
    cr_assert_eq(url.db, 1);
    lv_redis_url copy;
    lv_redis_url_copy(&copy, &url);
    lv_redis_url_free(&url);
    cr_assert_str_eq(copy.password, "s3cret");
    lv_redis_url_free(&copy);

    url = parsed("redis://app:pw:with:colons@host");
    cr_assert_str_eq(url.username, "app");
    cr_assert_str_eq(url.password, "pw:with:colons");
    lv_redis_url_free(&url);
}

Test(redis_url, ipv6)
{
    lv_redis_url url = parsed("redis://[::1]:6390");
    cr_assert_str_eq(url.host, "::1");
    cr_assert_eq(url.port, 6390);
    lv_redis_url_free(&url);
}

Test(redis_url, bad_urls_say_why)
{
    expect_refused(NULL, "redis://");
    expect_refused("", "redis://");
    expect_refused("http://127.0.0.1:6379", "redis://");
    expect_refused("rediss://127.0.0.1:6379", "redis://");
    expect_refused("redis://", "host is missing");
    expect_refused("redis://:6379", "host is missing");
    expect_refused("redis://host:0", "port");
    expect_refused("redis://host:65536", "port");
    expect_refused("redis://host:63x9", "port");
    expect_refused("redis://host:", "port");
    expect_refused("redis://host:6379/x", "database");
    expect_refused("redis://host:6379/1/2", "database");
    expect_refused("redis://host:6379?db=1", "'?'");
    expect_refused("redis://ho st", "spaces");
    expect_refused("redis://pw@host", "credentials");
    expect_refused("redis://:@host", "password");
    expect_refused("redis://h%st", "host");
    expect_refused("redis://[::1", "IPv6");
    expect_refused("redis://[::1]x", "IPv6");
}

/* lv_app_new refuses a malformed LV_REDIS_URL without echoing it (it may
 * hold a password), and accepts a good one whether Redis is up or not. */
static char logged[512];
static void capture(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    if (level == LV_LOG_ERROR) snprintf(logged, sizeof logged, "%s", message);
}

Test(redis_url, lv_app_new_validates_it)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "0123456789abcdef0123456789abcdef0123456789abcdef";
    cfg.log = capture;
    cfg.redis_url = "redis://:hunter2@host:99999";
    cr_assert_null(lv_app_new(&cfg));
    cr_assert(strstr(logged, "LV_REDIS_URL"), "%s", logged);
    cr_assert(strstr(logged, "port"), "%s", logged);
    cr_assert_null(strstr(logged, "hunter2"), "%s", logged);

    cfg.redis_url = "redis://127.0.0.1:1/3";
    lv_app *app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert(lv_app_clustered(app));
    lv_app_free(app);

    cfg.redis_url = "";
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert(!lv_app_clustered(app));
    int64_t value;
    cr_assert_eq(lv_shared_counter_add(app, "x", 1, NULL, NULL, &value), -1);
    lv_app_free(app);
}
