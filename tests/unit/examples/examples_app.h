/* The examples app for the view tests: every example registered as the
 * examples server registers it (lv_examples_register), driven with
 * liveview_test.h. Header-only; each test binary includes it once. */
#ifndef LV_TEST_EXAMPLES_APP_H
#define LV_TEST_EXAMPLES_APP_H

#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

static lv_app *app;
static lv_test *t;

static void quiet_log(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

/* Before each test: a fresh app (the examples' shared state is per test
 * too: Criterion runs each test in its own process) and a fresh browser. */
static void examples_setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.log = quiet_log;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_examples_register(app), 0);
    t = lv_test_new(app);
    cr_assert_not_null(t);
}

static void examples_teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
}

/* Loads path's view; fails the test when there is none. */
static lv_test_view *live(const char *path)
{
    lv_test_view *v = lv_test_live(t, path);
    cr_assert_not_null(v, "GET %s: %s", path, lv_test_last_error(t) ? lv_test_last_error(t) : "no view");
    return v;
}

/* The view's HTML holds text. */
#define assert_html_has(v, text)                                                                          \
    cr_assert(strstr(lv_test_html(v), (text)) != NULL, "the view should show %s, but is:\n%s", (text), \
              lv_test_html(v))
#define assert_html_lacks(v, text)                                                                            \
    cr_assert(strstr(lv_test_html(v), (text)) == NULL, "the view should not show %s, but is:\n%s", (text), \
              lv_test_html(v))

/* How many times text occurs in the view's HTML. */
static inline int html_count(lv_test_view *v, const char *text)
{
    int n = 0;
    for (const char *p = lv_test_html(v); (p = strstr(p, text)); p += strlen(text)) n++;
    return n;
}

/* A map with one string entry, for phx-value-* (freed by the caller). */
static inline lv_value *value_of(const char *key, const char *val)
{
    lv_value *m = lv_map_new();
    lv_map_set_str(m, key, val);
    return m;
}

#endif
