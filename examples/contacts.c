/* Component messaging: a table of 100 contacts, each row a LiveComponent.
 *
 * - update_many: the rows' data comes from one "query" for every row the
 *   render reached, not one per row; the row count and the number of
 *   queries are shown (each batch tells the view with lv_send_parent).
 * - lv_send_update and lv_send_update_after: "Highlight" tells row 7 to
 *   highlight itself now and to stop a second later.
 * - A row's handle_event puts flash, pushes an event and patches the URL
 *   (?selected=<id>, read by the view's handle_params): all the page's,
 *   carried out for the view. */
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define CONTACTS 100
#define HIGHLIGHT_MS 1000

static const char *const first_names[] = {"Ada", "Grace", "Alan", "Edsger", "Barbara",
                                          "Donald", "Frances", "John", "Radia", "Ken"};
static const char *const last_names[] = {"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov",
                                         "Knuth", "Allen", "Backus", "Perlman", "Thompson"};

/* The "database": one call answers for every id asked. */
static void query_contacts(const int64_t *ids, size_t count, lv_value **rows)
{
    for (size_t i = 0; i < count; i++) {
        int64_t n = ids[i] - 1;
        lv_value *row = lv_map_new();
        char name[64], email[96];
        snprintf(name, sizeof name, "%s %s", first_names[n % 10], last_names[(n / 10) % 10]);
        snprintf(email, sizeof email, "%s.%s@example.com", first_names[n % 10], last_names[(n / 10) % 10]);
        lv_map_set_str(row, "name", name);
        lv_map_set_str(row, "email", email);
        rows[i] = row;
    }
}

static int row_update_many(lv_socket *const *sockets, const lv_params *const *params, size_t count)
{
    int64_t ids[CONTACTS];
    lv_value *rows[CONTACTS];
    size_t asked = 0;
    for (size_t i = 0; i < count; i++) {
        /* From the template: the row's id, whose data it needs. */
        int64_t id = lv_param_int(params[i], "id", 0);
        if (id >= 1 && id <= CONTACTS && asked < CONTACTS) {
            ids[asked++] = id;
            lv_assign_int(sockets[i], "id", id);
        }
        /* send_update's assigns, when it is one. */
        const char *highlighted = lv_param(params[i], "highlighted");
        if (highlighted) lv_assign_bool(sockets[i], "highlighted", strcmp(highlighted, "true") == 0);
    }
    if (!asked) return 0;
    query_contacts(ids, asked, rows);
    for (size_t i = 0, r = 0; i < count && r < asked; i++) {
        if (lv_get_int(sockets[i], "id") != ids[r]) continue;
        lv_assign_str(sockets[i], "name", lv_value_str_of(lv_map_get(rows[r], "name")));
        lv_assign_str(sockets[i], "email", lv_value_str_of(lv_map_get(rows[r], "email")));
        lv_value_delete(rows[r]);
        r++;
    }
    lv_value *stats = lv_map_new();
    lv_map_set_int(stats, "rows", (int64_t)asked);
    lv_send_parent(sockets[0], "queried", stats);
    lv_value_delete(stats);
    return 0;
}

static int row_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    const char *name = lv_get_str(socket, "name");
    if (strcmp(event, "star") == 0) {
        bool starred = !lv_get_bool(socket, "starred");
        lv_assign_bool(socket, "starred", starred);
        char message[96];
        snprintf(message, sizeof message, "%s %s.", starred ? "Starred" : "Unstarred", name);
        lv_put_flash(socket, "info", message);
        lv_value *payload = lv_map_new();
        lv_map_set_int(payload, "id", lv_get_int(socket, "id"));
        lv_push_event(socket, "starred", payload);
        lv_value_delete(payload);
        return 0;
    }
    char to[48];
    snprintf(to, sizeof to, "/contacts?selected=%lld", (long long)lv_get_int(socket, "id"));
    return lv_push_patch(socket, to, false);
}

const lv_component lv_example_contact_row = {
    .name = "contact_row",
    .template_text = "<tr id=\"contact-{{id}}\" class=\"{{#if highlighted}}highlight{{/if}}\">"
                     "<td>{{name}}</td><td class=\"muted\">{{email}}</td>"
                     "<td><button class=\"star\" phx-click=\"star\" phx-target=\"{{myself}}\">"
                     "{{#if starred}}★{{else}}☆{{/if}}</button> "
                     "<button class=\"select\" phx-click=\"select\" phx-target=\"{{myself}}\">Details</button></td></tr>",
    .events = (const char *const[]){"star", "select", NULL},
    .update_many = row_update_many,
    .handle_event = row_event,
};

static int contacts_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *ids = lv_list_new();
    for (int i = 1; i <= CONTACTS; i++) lv_list_push_int(ids, i);
    lv_assign_value(socket, "ids", ids);
    lv_assign_int(socket, "queries", 0);
    lv_assign_int(socket, "rows", 0);
    lv_page_title(socket, "Contacts");
    return 0;
}

static int contacts_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    int64_t id = lv_param_int(params, "selected", 0);
    if (id >= 1 && id <= CONTACTS) {
        lv_value *row[1];
        query_contacts(&id, 1, row);
        lv_assign_str(socket, "selected", lv_value_str_of(lv_map_get(row[0], "name")));
        lv_value_delete(row[0]);
    } else {
        lv_assign_str(socket, "selected", "nobody");
    }
    return 0;
}

static int contacts_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    const char *id = lv_param(value, "id");
    lv_value *on = lv_map_new(), *off = lv_map_new();
    lv_map_set_bool(on, "highlighted", true);
    lv_map_set_bool(off, "highlighted", false);
    int rc = lv_send_update(socket, "contact_row", id ? id : "7", on) == 0 &&
                     lv_send_update_after(socket, HIGHLIGHT_MS, "contact_row", id ? id : "7", off) > 0
                 ? 0
                 : -1;
    lv_value_delete(on);
    lv_value_delete(off);
    return rc;
}

static int contacts_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "queried") == 0) {
        lv_assign_int(socket, "queries", lv_get_int(socket, "queries") + 1);
        lv_assign_int(socket, "rows", lv_get_int(socket, "rows") + lv_param_int(payload, "rows", 0));
    }
    return 0;
}

const lv_view lv_example_contacts = {
    .name = "contacts",
    .template_text = "<main>\n{{> flash}}\n<h1>Contacts</h1>\n"
                     "<p class=\"muted\">Each row is a LiveComponent. Since this view connected, "
                     "<b id=\"rows-loaded\">{{rows}}</b> rows were loaded in <b id=\"queries\">{{queries}}</b> "
                     "{{#if (eq queries 1)}}query{{else}}queries{{/if}} (update_many).</p>\n"
                     "<p>Selected: <b id=\"selected\">{{selected}}</b></p>\n"
                     "<p class=\"actions\"><button id=\"highlight\" phx-click=\"highlight\" phx-value-id=\"7\">"
                     "Highlight row 7 for a second</button></p>\n"
                     "<table><tbody id=\"contacts\">{{#each ids as id}}{{component \"contact_row\" id=id}}{{/each}}"
                     "</tbody></table>\n</main>",
    .events = (const char *const[]){"highlight", NULL},
    .mount = contacts_mount,
    .handle_params = contacts_params,
    .handle_event = contacts_event,
    .handle_info = contacts_info,
};
