/* Component messaging (live/components.c): update_many batching a render's
 * instances into one call, lv_send_update and lv_send_update_after, and a
 * component's handle_event replying, pushing events, putting flash and
 * navigating for its view. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <stdio.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef01234567"
#define ROWS 100

static int batches_connected, batch_sizes_connected, batches_dead, others_mounted;

static int row_update_many(lv_socket *const *sockets, const lv_params *const *params, size_t count)
{
    if (lv_connected(sockets[0])) {
        batches_connected++;
        batch_sizes_connected += (int)count;
    } else {
        batches_dead++;
    }
    for (size_t i = 0; i < count; i++) {
        const char *id = lv_param(params[i], "id");
        const char *label = lv_param(params[i], "label");
        if (id) lv_assign_str(sockets[i], "id", id);
        if (label)
            lv_assign_str(sockets[i], "label", label);
        else if (!lv_get_str(sockets[i], "label"))
            lv_assign_printf(sockets[i], "label", "row %s", id ? id : "?");
    }
    return 0;
}

static int row_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "flash") == 0) lv_put_flash(s, "info", "Hello from a row");
    if (strcmp(event, "push") == 0) {
        lv_value *payload = lv_map_new();
        lv_map_set_str(payload, "row", lv_get_str(s, "id"));
        lv_push_event(s, "rowed", payload);
        lv_value_delete(payload);
    }
    if (strcmp(event, "reply") == 0) {
        lv_value *payload = lv_map_new();
        lv_map_set_str(payload, "row", lv_get_str(s, "id"));
        lv_reply(s, payload);
        lv_value_delete(payload);
    }
    if (strcmp(event, "patch") == 0) lv_push_patch(s, "/list?page=2", false);
    if (strcmp(event, "go") == 0) lv_push_navigate(s, "/other", false);
    if (strcmp(event, "update_other") == 0) {
        lv_value *assigns = lv_map_new();
        lv_map_set_str(assigns, "label", "told by a sibling");
        lv_send_update(s, "row", "3", assigns);
        lv_value_delete(assigns);
    }
    return 0;
}

static const lv_component row = {
    .name = "row",
    .template_text = "<li id=\"row-{{id}}\">{{label}}</li>",
    .events = (const char *const[]){"flash", "push", "reply", "patch", "go", "update_other", NULL},
    .update_many = row_update_many,
    .handle_event = row_event,
};

static int list_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *ids = lv_list_new();
    for (int i = 1; i <= ROWS; i++) lv_list_push_int(ids, i);
    lv_assign_value(s, "ids", ids);
    lv_assign_str(s, "page", "1");
    return 0;
}

static int list_params(lv_socket *s, const lv_params *params, const char *url)
{
    (void)url;
    const char *page = lv_param(params, "page");
    lv_assign_str(s, "page", page ? page : "1");
    return 0;
}

static int list_event(lv_socket *s, const char *event, const lv_params *value)
{
    lv_value *assigns = lv_map_new();
    lv_map_set_str(assigns, "label", lv_param(value, "label"));
    int rc = strcmp(event, "later") == 0 ? (lv_send_update_after(s, 500, "row", lv_param(value, "id"), assigns) > 0 ? 0 : -1)
                                         : lv_send_update(s, "row", lv_param(value, "id"), assigns);
    lv_value_delete(assigns);
    return rc;
}

static const lv_view list_view = {
    .name = "list",
    .template_text = "<p id=\"flash\">{{flash.info}}</p><p id=\"page\">{{page}}</p>"
                     "<ul>{{#each ids as id}}{{component \"row\" id=id}}{{/each}}</ul>",
    .events = (const char *const[]){"poke", "later", NULL},
    .mount = list_mount,
    .handle_params = list_params,
    .handle_event = list_event,
};

static int other_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)s;
    (void)params;
    (void)session;
    others_mounted++;
    return 0;
}

static const lv_view other_view = {.name = "other", .template_text = "<p>other</p>", .mount = other_mount};

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
    cr_assert_eq(lv_component_register(app, &row), 0);
    cr_assert_eq(lv_route(app, "/list", &list_view), 0);
    cr_assert_eq(lv_route(app, "/other", &other_view), 0);
    t = lv_test_new(app);
    cr_assert(t);
    batches_connected = batch_sizes_connected = batches_dead = others_mounted = 0;
}

static void teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
}

TestSuite(component_messaging, .init = setup, .fini = teardown);

#define has(v, text) cr_assert(strstr(lv_test_html(v), text), "expected %s in\n%s", text, lv_test_html(v))

static int poke(lv_test_view *v, const char *event, const char *id, const char *label)
{
    lv_value *value = lv_map_new();
    lv_map_set_str(value, "id", id);
    lv_map_set_str(value, "label", label);
    int rc = lv_test_click(v, event, value);
    lv_value_delete(value);
    return rc;
}

static int row_click(lv_test_view *v, const char *row_id, const char *event)
{
    lv_test_event e = {.type = "click", .event = event, .target = row_id};
    return lv_test_push(v, &e);
}

Test(component_messaging, update_many_loads_a_hundred_rows_in_one_call)
{
    lv_test_view *v = lv_test_live(t, "/list");
    cr_assert(v);
    has(v, "<li data-phx-component=\"100\" id=\"row-100\">row 100</li>");
    cr_assert_eq(batches_connected, 1, "the join's render batched them");
    cr_assert_eq(batch_sizes_connected, ROWS);
    cr_assert_eq(batches_dead, ROWS, "the HTTP render updates each where it stands");
}

Test(component_messaging, send_update_and_send_update_after)
{
    lv_test_view *v = lv_test_live(t, "/list");
    cr_assert_eq(poke(v, "poke", "7", "poked"), 0);
    has(v, ">poked</li>");
    cr_assert_eq(batch_sizes_connected, ROWS + 1, "update_many with the one instance");
    /* Not on the page: dropped, the view goes on. */
    cr_assert_eq(poke(v, "poke", "1000", "nobody"), 0);
    cr_assert(lv_test_alive(v));

    cr_assert_eq(poke(v, "later", "8", "later"), 0);
    cr_assert(!strstr(lv_test_html(v), ">later</li>"));
    cr_assert_eq(lv_test_advance(t, 500), 1);
    has(v, ">later</li>");
}

Test(component_messaging, bad_send_update_arguments_are_refused)
{
    lv_test_view *v = lv_test_live(t, "/list");
    (void)v;
    cr_assert_eq(lv_send_update(NULL, "row", "1", NULL), -1);
    cr_assert_eq(lv_send_update_after(NULL, 1, "row", "1", NULL), -1);
}

Test(component_messaging, a_component_event_may_flash_push_reply_and_update_a_sibling)
{
    lv_test_view *v = lv_test_live(t, "/list");
    cr_assert_eq(row_click(v, "row-5", "flash"), 0);
    has(v, "<p id=\"flash\">Hello from a row</p>");
    cr_assert_eq(lv_test_flash(v, "info") != NULL, 1);

    cr_assert_eq(row_click(v, "row-5", "push"), 0);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(lv_test_pushed(v, "rowed"), "row")), "5");

    cr_assert_eq(row_click(v, "row-5", "update_other"), 0);
    has(v, "<li data-phx-component=\"3\" id=\"row-3\">told by a sibling</li>");
}

Test(component_messaging, a_component_reply_reaches_the_hook)
{
    lv_test_view *v = lv_test_live(t, "/list");
    cr_assert_null(lv_test_last_reply(v));
    lv_test_event hook = {.type = "hook", .event = "reply", .target = "row-6"};
    cr_assert_eq(lv_test_push(v, &hook), 0);
    const lv_value *reply = lv_test_last_reply(v);
    cr_assert_not_null(reply);
    cr_assert_str_eq(lv_value_str_of(lv_map_get(reply, "row")), "6");
}

Test(component_messaging, a_component_may_patch_and_navigate)
{
    lv_test_view *v = lv_test_live(t, "/list");
    cr_assert_eq(row_click(v, "row-2", "patch"), 0);
    cr_assert_str_eq(lv_test_path(v), "/list?page=2");
    has(v, "<p id=\"page\">2</p>");
    cr_assert_eq(row_click(v, "row-2", "go"), 0);
    cr_assert_str_eq(lv_test_path(v), "/other");
    cr_assert_eq(others_mounted, 1);
}
