/* The conformance views of the /form pages (the suite's form_live.ex):
 * /form, whose query string shapes the form (no-id, no-change-event,
 * js-change, phx-auto-recover, disabled-fieldset, phx-no-unused-field-*,
 * live-component), and /form/nested, the same form in a nested LiveView
 * that gets the query as its session. The other /form* pages, /upload and
 * POST /submit are in forms_*.c; conf_forms_register registers them all. */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "forms_parts.h"

/* The query parameter `key`: from the URL (`nested` false) or, for the
 * nested view, from the map its parent passed as the session key
 * "params". NULL when absent; "" for a bare `?key`. */
static const char *query_param(const lv_params *params, bool nested, const char *key)
{
    if (!nested) return lv_param(params, key);
    char path[96];
    snprintf(path, sizeof path, "params[%s]", key);
    return lv_param_path(params, path);
}

/* A string assign, or null (the attribute or value is left out) for NULL. */
static void assign_optional(lv_socket *socket, const char *name, const char *value)
{
    if (value)
        lv_assign_str(socket, name, value);
    else
        lv_assign_value(socket, name, lv_value_new_null());
}

/* The form's inputs start from the suite's defaults, which the query may
 * override, as the Elixir view merges its params over them. */
static void assign_form(lv_socket *socket, const lv_params *params, bool nested)
{
    static const struct {
        const char *name, *fallback;
    } inputs[] = {{"a", "foo"}, {"b", "bar"}, {"c", "baz"}, {"d", NULL}, {"e", NULL}, {"f", NULL}};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        const char *v = query_param(params, nested, inputs[i].name);
        assign_optional(socket, inputs[i].name, v ? v : inputs[i].fallback);
    }
    const char *id = query_param(params, nested, "id");
    assign_optional(socket, "form_id", query_param(params, nested, "no-id") ? NULL : id ? id : "test-form");

    const char *change = query_param(params, nested, "phx-change");
    if (query_param(params, nested, "no-change-event")) {
        assign_optional(socket, "change", NULL);
    } else if (query_param(params, nested, "js-change")) {
        lv_assign_js(socket, "change", lv_js_push(lv_js_new(), "validate", NULL, NULL));
    } else {
        assign_optional(socket, "change", change ? change : "validate");
    }
    assign_optional(socket, "auto_recover", query_param(params, nested, "phx-auto-recover"));
    assign_optional(socket, "no_unused_form", query_param(params, nested, "phx-no-unused-field-form"));
    assign_optional(socket, "no_unused_input", query_param(params, nested, "phx-no-unused-field-input"));
    assign_optional(socket, "disabled_fieldset", query_param(params, nested, "disabled-fieldset"));
    lv_assign_bool(socket, "live_component", query_param(params, nested, "live-component") != NULL);
    /* ?portal: the suite moves the form into a <.portal> at the end of
     * <body>; liveview-c has no portals, so the form stays in place (the
     * specs check the form, not where it sits). */
    lv_assign_bool(socket, "portal", query_param(params, nested, "portal") != NULL);
    lv_assign_bool(socket, "submitted", false);
}

/* The events of the form, the same for the view and its component. */
static int form_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "validate") == 0) {
        static const char *const inputs[] = {"a", "b", "c", "d", "e", "f"};
        for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
            const char *v = lv_param(value, inputs[i]);
            if (v) lv_assign_str(socket, inputs[i], v);
        }
    } else if (strcmp(event, "save") == 0) {
        lv_assign_bool(socket, "submitted", true);
    } else if (strcmp(event, "custom-recovery") == 0) {
        lv_assign_str(socket, "b", "custom value from server");
    } else if (strcmp(event, "patch-recovery") == 0) {
        return lv_push_patch(socket, "/form?patched=true", false);
    }
    return 0; /* button-test: only the loading state matters */
}

static const char *const form_events[] = {"validate", "save", "custom-recovery", "patch-recovery", "button-test",
                                          NULL};

static int form_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    assign_form(socket, params, false);
    return 0;
}

static int form_nested_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    assign_form(socket, session, true);
    return 0;
}

/* The suite's view has a handle_params that does nothing: a patch
 * (patch-recovery) keeps the form as it is. */
static int form_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)socket;
    (void)params;
    (void)url;
    return 0;
}

static const lv_view form_live = {
    .name = "form_live",
    .template_file = "form_live.html",
    .events = form_events,
    .mount = form_mount,
    .handle_event = form_event,
    .handle_params = form_params,
};

static const lv_view form_live_nested = {
    .name = "form_live_nested",
    .template_file = "form_live.html",
    .events = form_events,
    .mount = form_nested_mount,
    .handle_event = form_event,
};

/* The component of ?live-component: its arguments become its assigns, then
 * its own events change them. */
static int form_component_mount(lv_socket *socket)
{
    lv_assign_bool(socket, "submitted", false);
    return 0;
}

static const lv_component form_component = {
    .name = "form_component",
    .template_text = "<div>{{> form_fields target=myself}}{{#if submitted}}<p>LC Form was submitted!</p>{{/if}}</div>",
    .events = form_events,
    .mount = form_component_mount,
    .handle_event = form_event,
};

/* /form/nested: the form in a nested LiveView whose session is the query. */
static int nested_parent_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    lv_value *query = lv_params_value(params, "");
    lv_assign_value(socket, "query", query ? query : lv_map_new());
    return 0;
}

static const lv_view form_nested_parent = {
    .name = "form_nested",
    .template_file = "form_nested.html",
    .mount = nested_parent_mount,
};

int conf_forms_register(lv_app *app)
{
    if (lv_component_register(app, &form_component) != 0 || lv_route(app, "/form", &form_live) != 0 ||
        lv_live_view_register(app, &form_live_nested) != 0 ||
        lv_route(app, "/form/nested", &form_nested_parent) != 0)
        return -1;
    return conf_forms_more_register(app);
}
