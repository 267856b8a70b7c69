/* Search: a loading state, then slow work off the loop thread. A submit sets
 * "loading" and sends an info to the view itself, so the reply shows the
 * spinner at once; the info starts the lookup on libuv's thread pool with
 * lv_start_async; its result comes back in handle_info, on the view's own
 * thread, and replaces the list. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "examples.h"

#define QUERY_MAX 40
/* Pretends the lookup is a slow service. */
#define LOOKUP_DELAY_MS 400

typedef struct store {
    const char *name, *street, *city, *zip, *phone;
    bool open;
} store;

static const store stores[] = {
    {"Downtown Helena", "39 S Jackson St", "Helena", "59601", "(406) 555-4444", true},
    {"East Helena", "1 E Main St", "East Helena", "59635", "(406) 555-3456", false},
    {"Westside Helena", "123 Benton Ave", "Helena", "59601", "(406) 555-4441", true},
    {"Downtown Butte", "1 Main St", "Butte", "59701", "(406) 555-2345", true},
    {"East Butte", "1 Harrison Ave", "Butte", "59701", "(406) 555-2222", false},
    {"Westside Butte", "456 Front St", "Butte", "59701", "(406) 555-1234", true},
    {"North Missoula", "2 N Higgins Ave", "Missoula", "59801", "(406) 555-8888", true},
    {"South Missoula", "777 Brooks St", "Missoula", "59801", "(406) 555-9999", false},
    {"Bozeman Main", "101 E Main St", "Bozeman", "59715", "(406) 555-6543", true},
    {"Billings Heights", "900 Main St", "Billings", "59105", "(406) 555-7272", true},
};
#define STORE_COUNT (sizeof stores / sizeof *stores)

/* True when the query is a prefix of the zip or appears in the city,
 * ignoring case. */
static bool matches(const store *s, const char *query)
{
    size_t qlen = strlen(query);
    if (strncmp(s->zip, query, qlen) == 0) return true;
    for (const char *c = s->city; *c; c++)
        if (strncasecmp(c, query, qlen) == 0) return true;
    return false;
}

/* On a worker thread: touches only its argument and the constant table.
 * Like a search index, it answers with the ids of the matching stores: a
 * list, [0, 2]. */
static lv_value *lookup(void *arg)
{
    const char *query = arg;
    struct timespec delay = {0, LOOKUP_DELAY_MS * 1000000L};
    nanosleep(&delay, NULL);
    lv_value *ids = lv_list_new();
    for (size_t i = 0; i < STORE_COUNT; i++)
        if (matches(&stores[i], query)) lv_list_push_int(ids, (int64_t)i);
    return ids;
}

/* Shows the stores whose ids are in `ids` (a list of integers; NULL for
 * none). */
static void assign_results(lv_socket *socket, const lv_value *ids)
{
    lv_value *list = lv_list_new();
    for (size_t k = 0; k < lv_list_len(ids); k++) {
        const lv_value *id = lv_list_at(ids, k);
        if (lv_value_kind_of(id) != LV_VALUE_INT) continue;
        int64_t i = lv_value_int_of(id);
        if (i < 0 || i >= (int64_t)STORE_COUNT) continue;
        const store *s = &stores[i];
        lv_value *item = lv_map_new();
        lv_map_set_str(item, "name", s->name);
        lv_map_set_str(item, "street", s->street);
        lv_map_set_str(item, "city", s->city);
        lv_map_set_str(item, "zip", s->zip);
        lv_map_set_str(item, "phone", s->phone);
        lv_map_set_bool(item, "open", s->open);
        lv_list_push(list, item);
    }
    lv_assign_int(socket, "found", (int64_t)lv_list_len(list));
    lv_assign_value(socket, "stores", list);
}

static int search_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "query", "");
    lv_assign_bool(socket, "loading", false);
    lv_assign_bool(socket, "searched", false);
    lv_assign_int(socket, "search_id", 0);
    assign_results(socket, NULL);
    return 0;
}

static int search_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    const char *query = lv_param(value, "query");
    char cleaned[QUERY_MAX + 1];
    snprintf(cleaned, sizeof cleaned, "%s", query ? query : "");
    for (char *c = cleaned; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != ' ') *c = ' ';
    lv_assign_str(socket, "query", cleaned);
    lv_assign_bool(socket, "loading", true);
    lv_assign_bool(socket, "searched", false);
    assign_results(socket, NULL);
    /* A search started while another runs replaces it: results are named
     * after their search, and stale names are ignored. */
    lv_assign_int(socket, "search_id", lv_get_int(socket, "search_id") + 1);
    /* The reply (with "loading") goes out first; then the info runs. */
    return lv_send_info(socket, "run", NULL);
}

static int search_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    char current[32];
    snprintf(current, sizeof current, "search-%lld", (long long)lv_get_int(socket, "search_id"));
    if (strcmp(name, "run") == 0) {
        char *query = strdup(lv_get_str(socket, "query"));
        if (!query) return -1;
        return lv_start_async(socket, current, lookup, query, free);
    }
    if (strcmp(name, current) != 0) return 0; /* an older search: dropped */
    /* {"ok":true,"result":[0,2]}, or {"ok":false} (no result) when the
     * lookup failed. */
    lv_value *ids = lv_params_value(payload, "result");
    assign_results(socket, ids);
    lv_value_delete(ids);
    lv_assign_bool(socket, "loading", false);
    lv_assign_bool(socket, "searched", true);
    return 0;
}

const lv_view lv_example_search = {
    .name = "search",
    .template_text =
        "<main>\n"
        "<h1>Find a store</h1>\n"
        "{{form_for csrf_token id=\"search-form\" phx_submit=\"search\"}}\n"
        "  <input id=\"query\" name=\"query\" value=\"{{query}}\" placeholder=\"Zip code or city\" "
        "autocomplete=\"off\" maxlength=\"40\" aria-label=\"zip code or city\"{{#if loading}} "
        "readonly{{/if}}>\n"
        "  <button type=\"submit\">Search</button>\n"
        "</form>\n"
        "{{#if loading}}<p id=\"loading\" class=\"loading\" role=\"status\">Searching stores "
        "for “{{query}}”…</p>{{/if}}\n"
        "{{#if searched}}<p id=\"summary\" class=\"muted\">{{pluralize found \"store\"}} "
        "for “{{query}}”</p>{{/if}}\n"
        "<ul id=\"stores\" class=\"stores\">{{#each stores as s}}\n"
        "  <li><strong>{{s.name}}</strong> <span class=\"{{#if s.open}}open{{else}}closed{{/if}}\">"
        "{{#if s.open}}Open{{else}}Closed{{/if}}</span><br>"
        "{{s.street}}, {{s.city}} {{s.zip}} · {{s.phone}}</li>{{/each}}\n"
        "</ul>\n"
        "<p class=\"muted\">Try 59601, 597 or Missoula.</p>\n"
        "</main>",
    .events = (const char *const[]){"search", NULL},
    .mount = search_mount,
    .handle_event = search_event,
    .handle_info = search_info,
};
