/* Live sessions (live/live_session.c): on_mount hooks before every mount,
 * a halt that sends the client elsewhere, and the session's name in the
 * page's token, which a join into another session is refused with. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef01234567"

static int first_hook_calls, second_hook_calls, mounts_connected, terminates;
static int halt_when; /* 0 never, 1 on the join only, 2 always without a redirect, 3 fail */

static int first_hook(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    first_hook_calls++;
    if (halt_when == 3) return -1;
    if (halt_when == 2) return LV_ON_MOUNT_HALT;
    if (halt_when == 1 && lv_connected(s)) {
        lv_redirect(s, "/public");
        return LV_ON_MOUNT_HALT;
    }
    lv_assign_str(s, "who", "hooked");
    return LV_ON_MOUNT_CONT;
}

/* Runs after the first, and sees what it assigned. */
static int second_hook(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    second_hook_calls++;
    cr_assert_str_eq(lv_get_str(s, "who"), "hooked");
    return LV_ON_MOUNT_CONT;
}

static int member_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    if (lv_connected(s)) mounts_connected++;
    lv_assign_str(s, "session_name", lv_live_session_name(s));
    return 0;
}

static void member_terminate(lv_socket *s, lv_terminate_reason reason)
{
    (void)s;
    (void)reason;
    terminates++;
}

static const lv_view member_view = {
    .name = "member",
    .template_text = "<p id=\"who\">{{who}} in {{session_name}}</p>",
    .mount = member_mount,
    .terminate = member_terminate,
};

static int public_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(s, "session_name", lv_live_session_name(s));
    return 0;
}

static const lv_view public_view = {
    .name = "public",
    .template_text = "<p>public in {{session_name}}</p>",
    .mount = public_mount,
};

static const lv_live_session members = {
    .name = "members",
    .on_mount = (const lv_on_mount_fn[]){first_hook, second_hook, NULL},
};

static void quiet(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

static lv_app *app;
static lv_test *t;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.log = quiet;
    app = lv_app_new(&cfg);
    cr_assert(app);
    cr_assert_eq(lv_live_route(app, &members, "/members", &member_view), 0);
    cr_assert_eq(lv_live_route(app, &members, "/members/:id", &member_view), 0);
    cr_assert_eq(lv_route(app, "/public", &public_view), 0);
    t = lv_test_new(app);
    cr_assert(t);
    first_hook_calls = second_hook_calls = mounts_connected = terminates = halt_when = 0;
}

static void teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
}

TestSuite(live_session, .init = setup, .fini = teardown);

Test(live_session, hooks_run_in_order_before_every_mount)
{
    lv_test_view *v = lv_test_live(t, "/members");
    cr_assert(v, "%s", lv_test_last_error(t) ? lv_test_last_error(t) : "");
    cr_assert(strstr(lv_test_html(v), "hooked in members"), "%s", lv_test_html(v));
    /* The HTTP render and the join. */
    cr_assert_eq(first_hook_calls, 2);
    cr_assert_eq(second_hook_calls, 2);
    /* A live navigation inside the session mounts again: the hooks run. */
    cr_assert_eq(lv_test_navigate(v, "/members/7"), 0);
    cr_assert_eq(first_hook_calls, 3);
    cr_assert_eq(mounts_connected, 2);
    cr_assert(strstr(lv_test_html(v), "hooked in members"));
}

Test(live_session, a_view_outside_any_session_is_in_default)
{
    lv_test_view *v = lv_test_live(t, "/public");
    cr_assert(v);
    cr_assert(strstr(lv_test_html(v), "public in default"));
    cr_assert_eq(first_hook_calls, 0);
}

Test(live_session, a_halt_on_the_join_redirects_and_mount_never_runs)
{
    halt_when = 1;
    cr_assert_null(lv_test_live(t, "/members"));
    cr_assert_str_eq(lv_test_redirect(t), "/public");
    cr_assert_eq(mounts_connected, 0);
    /* terminate is for mounts that ran: the HTTP render's is not connected. */
    cr_assert_eq(terminates, 0);
}

Test(live_session, a_halt_without_a_redirect_fails_the_mount)
{
    halt_when = 2;
    cr_assert_null(lv_test_live(t, "/members"));
    cr_assert_eq(lv_test_status(t), 500);
}

Test(live_session, a_failing_hook_fails_the_mount)
{
    halt_when = 3;
    cr_assert_null(lv_test_live(t, "/members"));
    cr_assert_eq(lv_test_status(t), 500);
    cr_assert_eq(second_hook_calls, 0);
}

Test(live_session, navigation_across_sessions_is_refused_both_ways)
{
    lv_test_view *v = lv_test_live(t, "/members");
    cr_assert(v);
    cr_assert_eq(lv_test_navigate(v, "/public"), -1);
    cr_assert_str_eq(lv_test_redirect(t), "/public");
    lv_test_view *p = lv_test_live(t, "/public");
    cr_assert(p);
    int before = first_hook_calls;
    cr_assert_eq(lv_test_navigate(p, "/members/3"), -1);
    cr_assert_str_eq(lv_test_redirect(t), "/members/3");
    /* Refused before any mount: the members hooks did not run. */
    cr_assert_eq(first_hook_calls, before);
}

static const lv_live_session bad_names[] = {
    {.name = NULL}, {.name = ""}, {.name = "default"}, {.name = "a b"}, {.name = "x\"y"},
};

static const lv_live_session members_again = {.name = "members"};

Test(live_session, bad_and_duplicate_names_are_refused)
{
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
        cr_assert_eq(lv_live_route(app, &bad_names[i], "/bad", &public_view), -1, "name %zu", i);
    cr_assert_eq(lv_live_route(app, &members_again, "/again", &public_view), -1);
    cr_assert_eq(lv_live_route(app, NULL, "/none", &public_view), -1);
    cr_assert_eq(lv_live_route(NULL, &members, "/none", &public_view), -1);
    /* The same session keeps taking routes. */
    cr_assert_eq(lv_live_route(app, &members, "/members/a/b", &member_view), 0);
    cr_assert_null(lv_live_session_name(NULL));
}
