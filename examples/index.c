/* The index page: every example as a card, from the showcase's list
 * (showcase.c), so the navigation and the index never disagree. A LiveView
 * with no events: it shows the dead render works on its own. */
#include "examples.h"

static int index_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_value(socket, "examples", lv_examples_value(NULL));
    return 0;
}

const lv_view lv_example_index = {
    .name = "index",
    .template_text =
        "<main class=\"index\">\n"
        "<h1>liveview-c examples</h1>\n"
        "<p class=\"lead\">Pages rendered by a C program that stay connected: the browser runs the official "
        "Phoenix LiveView client, the server runs C callbacks and sends back only what changed. Each "
        "example links its own source.</p>\n"
        "<ul class=\"examples\">\n"
        "{{#each examples as ex, i}}{{#if i}}"
        "  <li class=\"example-card\"><a href=\"{{ex.href}}\"><span class=\"example-title\">{{ex.title}}</span>"
        "<span class=\"example-summary\">{{ex.summary}}</span></a></li>\n"
        "{{/if}}{{/each}}"
        "</ul>\n"
        "</main>",
    .mount = index_mount,
};
