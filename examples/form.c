/* A form with validation on change and a list that grows on submit. The
 * form comes from form_for, so every change and submit carries the view's
 * CSRF token, which the server checks before handle_event runs. */
#include <string.h>

#include "examples.h"

#define MIN_NAME 3
#define MAX_NAME 40
#define MAX_NAMES 50

/* The error for a name, or "" when it is fine. */
static const char *name_error(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len < MIN_NAME) return "The name must be at least 3 characters long.";
    if (len > MAX_NAME) return "The name must be at most 40 characters long.";
    return "";
}

static int form_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "name", "");
    lv_assign_str(socket, "error", "");
    lv_assign_value(socket, "names", lv_list_new());
    return 0;
}

static int form_event(lv_socket *socket, const char *event, const lv_params *value)
{
    const char *name = lv_param(value, "name");
    const char *error = name_error(name);
    if (strcmp(event, "validate") == 0) {
        lv_assign_str(socket, "name", name);
        /* Errors show for a touched field only: an untouched one is empty. */
        lv_assign_str(socket, "error", name && *name ? error : "");
        return 0;
    }
    /* save */
    lv_assign_str(socket, "error", error);
    if (*error) {
        lv_assign_str(socket, "name", name);
        return 0;
    }
    const lv_value *names = lv_get_value(socket, "names");
    lv_value *next = lv_list_new();
    size_t count = names ? lv_list_len(names) : 0;
    for (size_t i = count >= MAX_NAMES ? count - MAX_NAMES + 1 : 0; i < count; i++)
        lv_list_push(next, lv_value_copy(lv_list_at(names, i)));
    lv_list_push_str(next, name);
    lv_assign_value(socket, "names", next);
    lv_assign_str(socket, "name", "");
    return 0;
}

const lv_view lv_example_form = {
    .name = "form",
    .template_text =
        "<main>\n"
        "<h1>Names</h1>\n"
        "{{form_for csrf_token id=\"name-form\" phx_change=\"validate\" phx_submit=\"save\"}}\n"
        "  <label for=\"name\">Name</label>\n"
        "  <input id=\"name\" name=\"name\" value=\"{{name}}\" autocomplete=\"off\""
        "{{#if error}} aria-invalid=\"true\"{{/if}}>\n"
        "  <p class=\"invalid-feedback\" phx-feedback-for=\"name\">{{error}}</p>\n"
        "  <button type=\"submit\" phx-disable-with=\"Saving...\">Save</button>\n"
        "</form>\n"
        "<ul id=\"names\">{{#each names as n}}<li>{{n}}</li>{{/each}}</ul>\n"
        "</main>",
    .events = (const char *const[]){"validate", "save", NULL},
    .mount = form_mount,
    .handle_event = form_event,
};
