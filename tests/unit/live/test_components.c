/* LiveComponents through the render hooks: mount once per id, update when
 * the arguments change, whole trees with "r":1 the first time and only
 * changes later, statics shared between instances, destroy. */
#include <criterion/criterion.h>
#include <string.h>

#include "live/live.h"

#define SECRET "components-test-secret-key-base-0123456789"

static int mounts, updates;

static int card_mount(lv_socket *s)
{
    mounts++;
    lv_assign_int(s, "clicks", 0);
    return 0;
}

static int card_update(lv_socket *s, const lv_params *p)
{
    updates++;
    lv_assign_str(s, "title", lv_param(p, "title"));
    return 0;
}

static int card_event(lv_socket *s, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_assign_int(s, "clicks", lv_get_int(s, "clicks") + 1);
    lv_value *payload = lv_map_new();
    lv_map_set_int(payload, "clicks", lv_get_int(s, "clicks"));
    int rc = lv_send_parent(s, "clicked", payload);
    lv_value_delete(payload);
    return rc;
}

static const lv_component card = {
    .name = "card",
    .template_text = "<div class=\"card\"><b>{{title}}</b> <button phx-click=\"bump\" phx-target=\"{{myself}}\">{{clicks}}</button></div>",
    .events = (const char *const[]){"bump", NULL},
    .mount = card_mount,
    .update = card_update,
    .handle_event = card_event,
};

static const lv_component plain = {
    .name = "plain",
    .template_text = "<span>{{label}}</span>",
};

static int page_mount(lv_socket *s, const lv_params *p, const lv_params *session)
{
    (void)s;
    (void)p;
    (void)session;
    return 0;
}

static const lv_view page = {
    .name = "page",
    .template_text = "<main>{{component \"card\" id=\"a\" title=a}}{{component \"card\" id=\"b\" title=b}}"
                     "{{component \"plain\" id=1 label=a}}{{component \"nope\" id=1}}</main>",
    .mount = page_mount,
};

static lv_app *app;
static lv_socket *view;
static lv_buf text;

static void setup(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    app = lv_app_new(&cfg);
    cr_assert_eq(lv_component_register(app, &card), 0);
    cr_assert_eq(lv_component_register(app, &plain), 0);
    cr_assert_eq(lv_component_register(app, &plain), -1, "a name is taken once");
    cr_assert_eq(lv_route(app, "/", &page), 0);
    view = lv_socket_new(app, &app->routes[0], true, NULL);
    lv_assign_str(view, "a", "Alpha");
    lv_assign_str(view, "b", "Beta <b>");
    mounts = updates = 0;
}

static void teardown(void)
{
    lv_socket_free(view);
    lv_app_free(app);
    lv_buf_free(&text);
}

TestSuite(components, .init = setup, .fini = teardown);

static char *full(void)
{
    lv_component_hooks hooks = lv_components_hooks(view);
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(view->route->tmpl, &view->assigns, &view->render_state, &hooks, &out);
    lv_assigns_clear_changed(&view->assigns);
    lv_components_take_c(view, &out, true);
    return lv_buf_take(&out);
}

static char *diff(void)
{
    lv_component_hooks hooks = lv_components_hooks(view);
    lv_buf out = LV_BUF_INIT;
    bool any = lv_render_diff_state(view->route->tmpl, &view->assigns, &view->render_state, &hooks, &out);
    lv_assigns_clear_changed(&view->assigns);
    lv_components_take_c(view, &out, any);
    return lv_buf_take(&out);
}

Test(components, the_join_tree_holds_cids_and_each_component_once_with_r)
{
    char *tree = full();
    json_t *j = json_loads(tree, 0, NULL);
    cr_assert_not_null(j, "%s", tree);
    cr_assert_eq(json_integer_value(json_object_get(j, "0")), 1);
    cr_assert_eq(json_integer_value(json_object_get(j, "1")), 2);
    cr_assert_eq(json_integer_value(json_object_get(j, "2")), 3);
    cr_assert_str_eq(json_string_value(json_object_get(j, "3")), "", "an unknown component is an empty slot");
    json_t *c = json_object_get(j, "c");
    cr_assert_eq(json_object_size(c), 3);
    json_t *c1 = json_object_get(c, "1"), *c2 = json_object_get(c, "2");
    cr_assert_eq(json_integer_value(json_object_get(c1, "r")), 1);
    cr_assert(json_is_array(json_object_get(c1, "s")));
    cr_assert_eq(json_integer_value(json_object_get(c2, "s")), 1, "the second card shares the first's statics");
    cr_assert_str_eq(json_string_value(json_object_get(c2, "0")), "Beta &lt;b&gt;");
    cr_assert_str_eq(json_string_value(json_object_get(c1, "1")), "1", "myself is the cid");
    cr_assert_eq(mounts, 2);
    cr_assert_eq(updates, 2);
    json_decref(j);
    free(tree);
}

Test(components, update_runs_only_when_arguments_change)
{
    free(full());
    lv_assign_str(view, "a", "Alpha");
    char *d = diff();
    cr_assert_str_eq(d, "{}");
    free(d);
    cr_assert_eq(updates, 2);
    lv_assign_str(view, "a", "Apex");
    d = diff();
    /* The card's slot keeps its cid; only the card's changed title travels,
     * and the plain component (also reading a) gets its label. */
    cr_assert_str_eq(d, "{\"0\":1,\"2\":3,\"c\":{\"1\":{\"0\":\"Apex\"},\"3\":{\"0\":\"Apex\"}}}");
    free(d);
    cr_assert_eq(updates, 3);
    cr_assert_eq(mounts, 2, "no new mount");
}

Test(components, a_component_event_renders_that_component_alone)
{
    free(full());
    lv_socket *card_a = lv_components_find(view, 1);
    cr_assert_not_null(card_a);
    cr_assert_null(lv_components_find(view, 99));
    lv_params none = lv_params_of(NULL);
    cr_assert_eq(card.handle_event(card_a, "bump", &none), 0);
    lv_buf out = LV_BUF_INIT;
    lv_components_collect_one(card_a);
    lv_buf_puts(&out, "{}");
    cr_assert(lv_components_take_c(view, &out, false));
    cr_assert_str_eq(out.data, "{\"c\":{\"1\":{\"2\":\"1\"}}}");
    lv_buf_free(&out);
    lv_info *info = lv_socket_next_info(view);
    cr_assert_not_null(info, "lv_send_parent reaches the view");
    cr_assert_str_eq(info->name, "clicked");
    cr_assert_eq(lv_value_int_of(lv_map_get(&info->payload, "clicks")), 1);
    lv_info_free(info);
}

Test(components, destroyed_cids_are_forgotten_and_remounted_later)
{
    free(full());
    lv_value cids = lv_value_list();
    lv_value_list_push(&cids, lv_value_int(1));
    lv_value_list_push(&cids, lv_value_string("2", 1)); /* not a cid: skipped */
    lv_value_list_push(&cids, lv_value_int(42));
    lv_buf removed = LV_BUF_INIT;
    lv_components_destroy(view, &cids, &removed);
    cr_assert_str_eq(removed.data, "{\"cids\":[1,42]}");
    cr_assert_null(lv_components_find(view, 1));
    cr_assert_not_null(lv_components_find(view, 2));
    lv_value_free(&cids);
    lv_buf_reset(&removed);
    lv_components_destroy(view, NULL, &removed);
    cr_assert_str_eq(removed.data, "{\"cids\":[]}");
    lv_buf_free(&removed);
    /* The next time the slot renders, "a" mounts afresh with a new cid. */
    lv_assign_str(view, "a", "Again");
    char *d = diff();
    json_t *j = json_loads(d, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(j, "0")), 4);
    json_t *c4 = json_object_get(json_object_get(j, "c"), "4");
    cr_assert_eq(json_integer_value(json_object_get(c4, "r")), 1);
    cr_assert_eq(json_integer_value(json_object_get(c4, "s")), -2, "statics shared with card b, already on the client");
    cr_assert_eq(mounts, 3);
    json_decref(j);
    free(d);
}

Test(components, the_dead_render_inlines_component_html)
{
    lv_socket *dead = lv_socket_new(app, &app->routes[0], false, NULL);
    lv_assign_str(dead, "a", "A");
    lv_assign_str(dead, "b", "B");
    lv_component_hooks hooks = lv_components_hooks(dead);
    lv_buf out = LV_BUF_INIT;
    lv_render_html_ex(dead->route->tmpl, &dead->assigns, &hooks, &out);
    cr_assert_str_eq(out.data,
                     "<main><div class=\"card\"><b>A</b> <button phx-click=\"bump\" phx-target=\"1\">0</button></div>"
                     "<div class=\"card\"><b>B</b> <button phx-click=\"bump\" phx-target=\"2\">0</button></div>"
                     "<span>A</span></main>");
    lv_buf_free(&out);
    lv_socket_free(dead);
}

Test(components, send_parent_needs_a_component_and_a_map)
{
    cr_assert_eq(lv_send_parent(view, "x", NULL), -1);
    free(full());
    lv_socket *card_a = lv_components_find(view, 1);
    cr_assert_eq(lv_send_info(card_a, "x", NULL), -1, "components talk to their view");
    lv_value *list = lv_list_new();
    cr_assert_eq(lv_send_parent(card_a, "x", list), -1, "payloads are maps");
    lv_value_delete(list);
    cr_assert_null(lv_socket_next_info(view));
}

/* Two component slots reading the same assign, after a plain slot: each
 * slot's change bits must survive the components' own renders. */
static const lv_view twin = {
    .name = "twin",
    .template_text = "<main>{{n}}{{component \"card\" id=\"x\" title=t}}{{component \"card\" id=\"y\" title=t}}</main>",
    .mount = page_mount,
};

static char *render_cycle(lv_socket *v, const char *assign, const char *value)
{
    lv_component_hooks hooks = lv_components_hooks(v);
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(v->route->tmpl, &v->assigns, &v->render_state, &hooks, &out);
    lv_assigns_clear_changed(&v->assigns);
    lv_components_take_c(v, &out, true);
    lv_buf_reset(&out);
    lv_assign_str(v, assign, value);
    bool any = lv_render_diff_state(v->route->tmpl, &v->assigns, &v->render_state, &hooks, &out);
    lv_assigns_clear_changed(&v->assigns);
    lv_components_take_c(v, &out, any);
    return lv_buf_take(&out);
}

Test(components, every_slot_reading_a_changed_assign_is_rendered)
{
    cr_assert_eq(lv_route(app, "/twin", &twin), 0);
    lv_socket *v = lv_socket_new(app, &app->routes[1], true, NULL);
    lv_assign_int(v, "n", 0);
    lv_assign_str(v, "t", "Old");
    char *d = render_cycle(v, "t", "New");
    cr_assert_str_eq(d, "{\"1\":1,\"2\":2,\"c\":{\"1\":{\"0\":\"New\"},\"2\":{\"0\":\"New\"}}}");
    free(d);
    lv_socket_free(v);
}

/* A component whose template reads more assigns than the renderer's inline
 * change bitset holds (its bits then live on the heap). */
static lv_component big = {.name = "big"};
/* big's template text lives in `text`, freed by teardown after the app. */

Test(components, a_component_with_hundreds_of_assigns_in_a_diff)
{
    lv_buf_puts(&text, "<div>");
    for (int i = 0; i < 600; i++) lv_buf_printf(&text, "{{a%d}}", i);
    lv_buf_puts(&text, "</div>");
    big.template_text = text.data;
    cr_assert_eq(lv_component_register(app, &big), 0);
    static const lv_view bigpage = {
        .name = "bigpage",
        .template_text = "<main>{{component \"big\" id=1 a0=t}}{{component \"card\" id=\"x\" title=t}}</main>",
        .mount = page_mount,
    };
    cr_assert_eq(lv_route(app, "/big", &bigpage), 0);
    lv_socket *v = lv_socket_new(app, &app->routes[1], true, NULL);
    lv_assign_str(v, "t", "Old");
    char *d = render_cycle(v, "t", "New");
    json_t *j = json_loads(d, 0, NULL);
    cr_assert_not_null(j, "%s", d);
    json_t *c = json_object_get(j, "c");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "1"), "0")), "New");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "2"), "0")), "New");
    json_decref(j);
    free(d);
    lv_socket_free(v);
}

/* A view with a stream holding a component that has a stream of its own:
 * the view's stream is "0", the component's "<cid>-0", so that the client,
 * which resets a stream by removing every element of the page with its ref,
 * never empties one for the other (Phoenix names them the same way). */
static int rows_mount(lv_socket *s)
{
    lv_value *row = lv_map_new();
    lv_map_set_int(row, "id", 1);
    return lv_stream_insert(s, "rows", row, LV_STREAM_APPEND, 0);
}

static const lv_component rows_component = {
    .name = "rows",
    .template_text = "<ul id=\"rows\" phx-update=\"stream\">{{#stream rows as r}}<li id=\"{{r.dom_id}}\"></li>"
                     "{{/stream}}</ul>",
    .mount = rows_mount,
};

static int items_mount(lv_socket *s, const lv_params *p, const lv_params *session)
{
    (void)p;
    (void)session;
    lv_value *item = lv_map_new();
    lv_map_set_int(item, "id", 1);
    return lv_stream_insert(s, "items", item, LV_STREAM_APPEND, 0);
}

Test(components, a_components_stream_refs_carry_its_cid)
{
    cr_assert_eq(lv_component_register(app, &rows_component), 0);
    static const lv_view streams_page = {
        .name = "streams_page",
        .template_text = "<ul id=\"items\" phx-update=\"stream\">{{#stream items as i}}<li id=\"{{i.dom_id}}\"></li>"
                         "{{/stream}}</ul>{{component \"rows\" id=\"r\"}}",
        .mount = items_mount,
    };
    cr_assert_eq(lv_route(app, "/streams", &streams_page), 0);
    lv_socket *v = lv_socket_new(app, &app->routes[1], true, NULL);
    cr_assert_eq(streams_page.mount(v, NULL, NULL), 0);
    lv_component_hooks hooks = lv_components_hooks(v);
    lv_buf out = LV_BUF_INIT;
    lv_render_full_state(v->route->tmpl, &v->assigns, &v->render_state, &hooks, &out);
    lv_assigns_clear_changed(&v->assigns);
    lv_components_take_c(v, &out, true);
    json_t *j = json_loads(out.data, 0, NULL);
    cr_assert_not_null(j, "%s", out.data);
    json_t *view_stream = json_object_get(json_object_get(j, "0"), "stream");
    cr_assert_str_eq(json_string_value(json_array_get(view_stream, 0)), "0");
    json_t *component = json_object_get(json_object_get(j, "c"), "1");
    json_t *component_stream = json_object_get(json_object_get(component, "0"), "stream");
    cr_assert_str_eq(json_string_value(json_array_get(component_stream, 0)), "1-0", "%s", out.data);
    json_decref(j);
    lv_buf_free(&out);
    lv_socket_free(v);
}
