/* lv_redirect to an absolute URL from mount: the dead render answers 302
 * to an allowed host, and refuses (500, nothing sent elsewhere) any other;
 * the join's reply carries the allowed URL. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <string.h>

static int away_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *to = lv_param(params, "to");
    if (to && lv_redirect(s, to) != 0) lv_assign_str(s, "status", "refused");
    else lv_assign_str(s, "status", "stayed");
    return 0;
}

static const lv_view away = {.name = "away", .template_text = "<p id=\"s\">{{status}}</p>", .mount = away_mount};

static void quiet_log(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

static lv_test *new_test(lv_app **app)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.allowed_redirect_hosts = "docs.example.com";
    cfg.log = quiet_log;
    *app = lv_app_new(&cfg);
    cr_assert_not_null(*app);
    cr_assert_eq(lv_route(*app, "/away", &away), 0);
    return lv_test_new(*app);
}

Test(external_redirect, from_mount_to_an_allowed_host)
{
    lv_app *app;
    lv_test *t = new_test(&app);
    cr_assert_null(lv_test_live(t, "/away?to=https%3A%2F%2Fdocs.example.com%2Fguide"));
    cr_assert_eq(lv_test_status(t), 302);
    cr_assert_str_eq(lv_test_redirect(t), "https://docs.example.com/guide");
    lv_test_free(t);
    lv_app_free(app);
}

Test(external_redirect, from_mount_to_another_host_is_refused)
{
    lv_app *app;
    lv_test *t = new_test(&app);
    lv_test_view *v = lv_test_live(t, "/away?to=https%3A%2F%2Fevil.example%2F");
    cr_assert_not_null(v, "the view stays: %s", lv_test_last_error(t) ? lv_test_last_error(t) : "");
    cr_assert(strstr(lv_test_html(v), "refused") != NULL, "%s", lv_test_html(v));
    cr_assert_null(lv_test_redirect(t));
    lv_test_free(t);
    lv_app_free(app);
}
