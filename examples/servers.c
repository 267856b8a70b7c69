/* Servers: a list of live_patch links. Choosing a server changes the URL to
 * /servers?name=... without a page load; handle_params reads the name and
 * shows that server, and sets the page title. Back and forward walk through
 * the servers seen, and a copied URL opens on the same server. */
#include <stdio.h>
#include <string.h>

#include "examples.h"

typedef struct server {
    const char *name, *status, *framework, *size, *last_commit;
    int deploys;
} server;

static const server servers[] = {
    {"dancing-lizard", "up", "Elixir/Phoenix", "19.5 MB", "Fix flaky heartbeat", 14},
    {"lively-frog", "up", "C/liveview-c", "1.2 MB", "Timers end with the view", 35},
    {"curious-cat", "down", "Ruby/Rails", "250 MB", "Update gems", 7},
    {"quiet-owl", "up", "Node/LiveViewJS", "48 MB", "Bump dependencies", 22},
};
#define SERVER_COUNT (sizeof servers / sizeof *servers)

static const server *find_server(const char *name)
{
    for (size_t i = 0; name && i < SERVER_COUNT; i++)
        if (strcmp(servers[i].name, name) == 0) return &servers[i];
    return NULL;
}

static int servers_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_value *list = lv_list_new();
    for (size_t i = 0; i < SERVER_COUNT; i++) {
        lv_value *s = lv_map_new();
        lv_map_set_str(s, "name", servers[i].name);
        lv_map_set_str(s, "status", servers[i].status);
        lv_list_push(list, s);
    }
    lv_assign_value(socket, "servers", list);
    return 0;
}

/* After mount and after every live_patch: the selected server, the first
 * one when the name is missing or unknown. */
static int servers_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    const server *s = find_server(lv_param(params, "name"));
    if (!s) s = &servers[0];
    lv_value *selected = lv_map_new();
    lv_map_set_str(selected, "name", s->name);
    lv_map_set_str(selected, "status", s->status);
    lv_map_set_str(selected, "framework", s->framework);
    lv_map_set_str(selected, "size", s->size);
    lv_map_set_str(selected, "last_commit", s->last_commit);
    lv_map_set_int(selected, "deploys", s->deploys);
    lv_assign_value(socket, "selected", selected);
    char title[64];
    snprintf(title, sizeof title, "%s · Servers", s->name);
    lv_page_title(socket, title);
    return 0;
}

const lv_view lv_example_servers = {
    .name = "servers",
    .template_text =
        "<main>\n"
        "<h1>Servers</h1>\n"
        "<div class=\"servers\">\n"
        "<nav id=\"server-list\">{{#each servers as s}}\n"
        "  <a href=\"/servers?name={{s.name}}\" data-phx-link=\"patch\" data-phx-link-state=\"push\" "
        "class=\"{{#if (eq s.name selected.name)}}selected{{/if}}\">"
        "<span class=\"status {{s.status}}\"></span>{{s.name}}</a>{{/each}}\n"
        "</nav>\n"
        "{{#card id=\"server\"}}\n"
        "  <p>Status: <span class=\"status {{selected.status}}\"></span><b id=\"server-status\">"
        "{{selected.status}}</b></p>\n"
        "  <dl><dt>Framework</dt><dd>{{selected.framework}}</dd><dt>Size</dt><dd>{{selected.size}}</dd>"
        "<dt>Deploys</dt><dd>{{selected.deploys}}</dd><dt>Last commit</dt><dd>{{selected.last_commit}}</dd></dl>\n"
        "  {{:header}}<h2 id=\"server-name\">{{selected.name}}</h2>\n"
        "{{/card}}\n"
        "</div>\n"
        "</main>",
    .mount = servers_mount,
    .handle_params = servers_params,
};
