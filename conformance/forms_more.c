/* The other /form* views of the suite: /form/dynamic-inputs
 * (form_dynamic_inputs_live.ex: rows added and removed through Ecto's
 * sort_param/drop_param convention), /form/feedback (form_feedback.ex: the
 * phx-feedback-for shim of its own layout, here a pre_script), /form/stream
 * (FormStreamLive), /form-unsaved and its target (form_unsaved_live.ex),
 * and POST /submit, which echoes its params as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "forms_parts.h"

/* ---- /form/dynamic-inputs ---------------------------------------------- */

/* A string of list (borrowed), or NULL for another kind. */
static const char *str_at(const lv_value *list, size_t i)
{
    const lv_value *v = lv_list_at(list, i);
    return lv_value_kind_of(v) == LV_VALUE_STRING ? lv_value_str_of(v) : NULL;
}

/* Whether key is a whole decimal number, and which: Elixir sorts the
 * remaining rows by key, integers (as the view parses them) before text. */
static bool key_number(const char *key, long long *n)
{
    if (!*key || strlen(key) >= 32) return false;
    char *end;
    *n = strtoll(key, &end, 10);
    return *end == '\0';
}

static int compare_keys(const char *a, const char *b)
{
    long long na, nb;
    bool ia = key_number(a, &na), ib = key_number(b, &nb);
    if (ia && ib) return na < nb ? -1 : na > nb;
    if (ia != ib) return ia ? -1 : 1;
    return strcmp(a, b);
}

/* Ecto's sort_param/drop_param, as the suite's build_users: rows named in
 * `sort` (minus one occurrence of each `drop` entry) come first in that
 * order, a name that is not a row ("new", "on") being a new empty row; the
 * rows sort did not name follow by key, without those named in drop.
 * users is a map key -> {"name": ...}; sort and drop lists (any may be
 * NULL). Returns a new list of names (strings or null) the caller owns. */
static lv_value *build_users(const lv_value *users, const lv_value *sort, const lv_value *drop)
{
    size_t n_users = lv_value_kind_of(users) == LV_VALUE_MAP ? lv_map_len(users) : 0;
    size_t n_sort = lv_value_kind_of(sort) == LV_VALUE_LIST ? lv_list_len(sort) : 0;
    size_t n_drop = lv_value_kind_of(drop) == LV_VALUE_LIST ? lv_list_len(drop) : 0;
    bool *taken = calloc(n_users + 1, sizeof *taken);
    bool *drop_used = calloc(n_drop + 1, sizeof *drop_used);
    lv_value *rows = lv_list_new();
    if (!taken || !drop_used) goto done;

    for (size_t s = 0; s < n_sort; s++) {
        const char *key = str_at(sort, s);
        if (!key) continue;
        bool dropped = false; /* `sort -- drop` removes one occurrence per entry */
        for (size_t d = 0; d < n_drop && !dropped; d++)
            if (!drop_used[d] && str_at(drop, d) && strcmp(str_at(drop, d), key) == 0) dropped = drop_used[d] = true;
        if (dropped) continue;
        const lv_value *name = NULL;
        for (size_t u = 0; u < n_users; u++)
            if (!taken[u] && strcmp(lv_map_key_at(users, u), key) == 0) {
                taken[u] = true;
                name = lv_map_get(lv_map_value_at(users, u), "name");
            }
        lv_list_push(rows, name ? lv_value_copy(name) : lv_value_new_null());
    }
    /* The rest, by key, without the dropped keys. */
    for (;;) {
        size_t best = n_users;
        for (size_t u = 0; u < n_users; u++) {
            if (taken[u]) continue;
            const char *key = lv_map_key_at(users, u);
            bool dropped = false;
            for (size_t d = 0; d < n_drop && !dropped; d++) dropped = str_at(drop, d) && strcmp(str_at(drop, d), key) == 0;
            if (dropped) {
                taken[u] = true;
                continue;
            }
            if (best == n_users || compare_keys(key, lv_map_key_at(users, best)) < 0) best = u;
        }
        if (best == n_users) break;
        taken[best] = true;
        const lv_value *name = lv_map_get(lv_map_value_at(users, best), "name");
        lv_list_push(rows, name ? lv_value_copy(name) : lv_value_new_null());
    }
done:
    free(taken);
    free(drop_used);
    return rows;
}

static void assign_dynamic_form(lv_socket *socket, const lv_params *form)
{
    const char *name = form ? lv_param_path(form, "my_form[name]") : NULL;
    lv_assign_value(socket, "name", name ? lv_value_new_str(name) : lv_value_new_null());
    lv_value *users = form ? lv_params_value(form, "my_form[users]") : NULL;
    lv_value *sort = form ? lv_params_value(form, "my_form[users_sort]") : NULL;
    lv_value *drop = form ? lv_params_value(form, "my_form[users_drop]") : NULL;
    lv_assign_value(socket, "users", build_users(users, sort, drop));
    lv_value_delete(users);
    lv_value_delete(sort);
    lv_value_delete(drop);
}

static int dynamic_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)session;
    const char *checkboxes = lv_param(params, "checkboxes");
    assign_dynamic_form(socket, NULL);
    lv_assign_bool(socket, "checkboxes", checkboxes && strcmp(checkboxes, "1") == 0);
    lv_assign_bool(socket, "submitted", false);
    return 0;
}

static int dynamic_event(lv_socket *socket, const char *event, const lv_params *value)
{
    assign_dynamic_form(socket, value);
    if (strcmp(event, "save") == 0) lv_assign_bool(socket, "submitted", true);
    return 0;
}

static const lv_view form_dynamic = {
    .name = "form_dynamic",
    .template_file = "form_dynamic.html",
    .events = (const char *const[]){"validate", "save", NULL},
    .mount = dynamic_mount,
    .handle_event = dynamic_event,
};

/* ---- /form/feedback ------------------------------------------------------ */

static int feedback_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    lv_assign_int(socket, "submit_count", 0);
    lv_assign_int(socket, "validate_count", 0);
    lv_assign_str(socket, "feedback_for", "myfeedback");
    return 0;
}

static int feedback_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    static const struct {
        const char *event, *counter;
        int delta;
    } counters[] = {{"validate", "validate_count", 1}, {"submit", "submit_count", 1}, {"inc", "count", 1}, {"dec", "count", -1}};
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (strcmp(event, counters[i].event) == 0)
            lv_assign_int(socket, counters[i].counter, lv_get_int(socket, counters[i].counter) + counters[i].delta);
    if (strcmp(event, "toggle-feedback") == 0) {
        bool shown = lv_get_str(socket, "feedback_for") != NULL;
        if (shown)
            lv_assign_value(socket, "feedback_for", lv_value_new_null());
        else
            lv_assign_str(socket, "feedback_for", "myfeedback");
    }
    return 0;
}

static const lv_view form_feedback = {
    .name = "form_feedback",
    .template_file = "form_feedback.html",
    .events = (const char *const[]){"validate", "submit", "inc", "dec", "toggle-feedback", NULL},
    .mount = feedback_mount,
    .handle_event = feedback_event,
};

/* ---- /form/stream ---------------------------------------------------------- */

static void stream_append(lv_socket *socket, int64_t id)
{
    lv_value *item = lv_map_new();
    lv_map_set_int(item, "id", id);
    lv_stream_insert(socket, "items", item, LV_STREAM_APPEND, 0);
}

static int stream_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    lv_assign_int(socket, "stream_count", 3);
    for (int64_t id = 1; id <= 3; id++) stream_append(socket, id);
    if (lv_connected(socket)) lv_send_interval(socket, 100, "tick", NULL);
    return 0;
}

static int stream_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)name;
    (void)payload;
    lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
    return 0;
}

static int stream_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "ping") == 0) return lv_reply(socket, NULL);
    /* validate and save: one more item each */
    int64_t next = lv_get_int(socket, "stream_count") + 1;
    lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
    lv_assign_int(socket, "stream_count", next);
    stream_append(socket, next);
    return 0;
}

static const lv_view form_stream = {
    .name = "form_stream",
    .template_file = "form_stream.html",
    .events = (const char *const[]){"ping", "validate", "save", NULL},
    .mount = stream_mount,
    .handle_event = stream_event,
    .handle_info = stream_info,
};

/* ---- /form-unsaved ----------------------------------------------------------- */

static int unsaved_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "note", "");
    lv_assign_bool(socket, "dirty", false);
    return 0;
}

static int unsaved_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    const char *note = lv_param(value, "note");
    lv_assign_str(socket, "note", note ? note : "");
    lv_assign_bool(socket, "dirty", note && *note);
    return 0;
}

static const lv_view form_unsaved = {
    .name = "form_unsaved",
    .template_file = "form_unsaved.html",
    .events = (const char *const[]){"validate", NULL},
    .mount = unsaved_mount,
    .handle_event = unsaved_event,
};

static int target_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)socket;
    (void)params;
    (void)session;
    return 0;
}

static const lv_view form_unsaved_target = {
    .name = "form_unsaved_target",
    .template_text = "<h1>Unsaved form target</h1>",
    .mount = target_mount,
};

/* ---- POST /submit ------------------------------------------------------------- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Params as JSON: strings, lists and maps (all a form body decodes to). */
static void json_value(FILE *out, const lv_value *v)
{
    switch (lv_value_kind_of(v)) {
    case LV_VALUE_MAP:
        fputc('{', out);
        for (size_t i = 0; i < lv_map_len(v); i++) {
            if (i) fputc(',', out);
            json_string(out, lv_map_key_at(v, i));
            fputc(':', out);
            json_value(out, lv_map_value_at(v, i));
        }
        fputc('}', out);
        break;
    case LV_VALUE_LIST:
        fputc('[', out);
        for (size_t i = 0; i < lv_list_len(v); i++) {
            if (i) fputc(',', out);
            json_value(out, lv_list_at(v, i));
        }
        fputc(']', out);
        break;
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE:
        json_string(out, lv_value_str_of(v));
        break;
    case LV_VALUE_INT:
        fprintf(out, "%lld", (long long)lv_value_int_of(v));
        break;
    case LV_VALUE_BOOL:
        fputs(lv_value_bool_of(v) ? "true" : "false", out);
        break;
    default:
        fputs("null", out);
    }
}

/* The suite's SubmitController: the form's params, as JSON (a form with
 * phx-trigger-action posts here). The CSRF check ran before. */
static void submit(lv_request *req)
{
    lv_value *params = lv_params_value(lv_request_params(req), "");
    char *body = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&body, &len);
    if (!out) {
        lv_value_delete(params);
        lv_respond(req, 500, "text/plain", "out of memory", 13);
        return;
    }
    if (params)
        json_value(out, params);
    else
        fputs("{}", out);
    fclose(out);
    lv_respond(req, 200, "application/json", body, len);
    free(body);
    lv_value_delete(params);
}

int conf_forms_more_register(lv_app *app)
{
    if (lv_route(app, "/form/dynamic-inputs", &form_dynamic) != 0 ||
        lv_route(app, "/form/feedback", &form_feedback) != 0 || lv_route(app, "/form/stream", &form_stream) != 0 ||
        lv_route(app, "/form-unsaved", &form_unsaved) != 0 ||
        lv_route(app, "/form-unsaved/target", &form_unsaved_target) != 0 ||
        lv_http_route(app, "POST", "/submit", submit) != 0)
        return -1;
    return conf_upload_register(app);
}
