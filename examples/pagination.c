/* Pagination and sorting: the page, the page size and the sort live in the
 * URL's query string, so a link can be shared and the back button works.
 * Column headers and page numbers are live_patch links (data-phx-link=
 * "patch"): the client changes the URL and the view's handle_params runs,
 * without a page load. The page size select goes through the server, which
 * answers with lv_push_patch. handle_params is the one place that reads the
 * query. */
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define ROWS 50
#define DEFAULT_PER_PAGE 10

static const char *const foods[] = {
    "Apples",  "Bananas", "Beans",   "Bread",    "Carrots", "Cereal",   "Cheese",
    "Chicken", "Coffee",  "Eggs",    "Flour",    "Lentils", "Milk",     "Oats",
    "Onions",  "Pasta",   "Peanuts", "Potatoes", "Rice",    "Soup",     "Spinach",
    "Sugar",   "Tea",     "Tomatoes", "Tuna",
};
#define FOOD_COUNT (sizeof foods / sizeof *foods)

typedef struct donation {
    int64_t id, quantity, days;
    const char *item;
} donation;

/* Made-up rows, the same on every call. */
static donation row(int64_t i)
{
    return (donation){i + 1, (i * 37) % 50 + 1, (i * 13) % 30 + 1, foods[(i * 7) % FOOD_COUNT]};
}

static const char *const sort_keys[] = {"id", "item", "quantity", "days"};
static const char *const sort_labels[] = {"#", "Item", "Quantity", "Expires in (days)"};
#define SORT_KEYS 4
static const int per_page_choices[] = {5, 10, 20};

typedef struct query {
    int64_t page, per_page;
    int sort; /* index into sort_keys */
    bool desc;
} query;

/* Orders by the sort column, then by id (ascending either way). */
static int compare(const donation *a, const donation *b, int sort, bool desc)
{
    int64_t d = sort == 1   ? strcmp(a->item, b->item)
                : sort == 2 ? a->quantity - b->quantity
                : sort == 3 ? a->days - b->days
                            : a->id - b->id;
    if (d) return (d < 0 ? -1 : 1) * (desc ? -1 : 1);
    return a->id < b->id ? -1 : a->id > b->id;
}

static void url_of(const query *q, char *out, size_t size)
{
    snprintf(out, size, "/pagination?page=%lld&per_page=%lld&sort_by=%s&sort_order=%s",
             (long long)q->page, (long long)q->per_page, sort_keys[q->sort], q->desc ? "desc" : "asc");
}

/* The query from the URL, every value checked: anything unknown falls back
 * to the default. */
static query parse(const lv_params *params)
{
    query q = {lv_param_int(params, "page", 1), lv_param_int(params, "per_page", DEFAULT_PER_PAGE), 0, false};
    bool known = false;
    for (size_t i = 0; i < sizeof per_page_choices / sizeof *per_page_choices; i++)
        known |= q.per_page == per_page_choices[i];
    if (!known) q.per_page = DEFAULT_PER_PAGE;
    const char *sort = lv_param(params, "sort_by");
    for (int i = 0; sort && i < SORT_KEYS; i++)
        if (strcmp(sort, sort_keys[i]) == 0) q.sort = i;
    const char *order = lv_param(params, "sort_order");
    q.desc = order && strcmp(order, "desc") == 0;
    int64_t pages = (ROWS + q.per_page - 1) / q.per_page;
    if (q.page < 1) q.page = 1;
    if (q.page > pages) q.page = pages;
    return q;
}

static void assign_query(lv_socket *socket, const query *q)
{
    char url[160];
    donation all[ROWS];
    for (int64_t i = 0; i < ROWS; i++) all[i] = row(i);
    /* Insertion sort: 50 rows, stable, no global comparator state. */
    for (size_t i = 1; i < ROWS; i++) {
        donation d = all[i];
        size_t j = i;
        for (; j > 0 && compare(&all[j - 1], &d, q->sort, q->desc) > 0; j--) all[j] = all[j - 1];
        all[j] = d;
    }
    lv_value *rows = lv_list_new();
    int64_t first = (q->page - 1) * q->per_page;
    for (int64_t i = first; i < first + q->per_page && i < ROWS; i++) {
        lv_value *r = lv_map_new();
        lv_map_set_int(r, "id", all[i].id);
        lv_map_set_str(r, "item", all[i].item);
        lv_map_set_int(r, "quantity", all[i].quantity);
        lv_map_set_int(r, "days", all[i].days);
        lv_list_push(rows, r);
    }
    lv_assign_value(socket, "rows", rows);

    /* Each header sorts by its column; the current one flips the order. */
    lv_value *columns = lv_list_new();
    for (int i = 0; i < SORT_KEYS; i++) {
        query next = {1, q->per_page, i, i == q->sort && !q->desc};
        url_of(&next, url, sizeof url);
        lv_value *c = lv_map_new();
        lv_map_set_str(c, "key", sort_keys[i]);
        lv_map_set_str(c, "label", sort_labels[i]);
        lv_map_set_str(c, "url", url);
        lv_map_set_str(c, "arrow", i != q->sort ? "" : q->desc ? " ▼" : " ▲");
        lv_list_push(columns, c);
    }
    lv_assign_value(socket, "columns", columns);

    int64_t pages = (ROWS + q->per_page - 1) / q->per_page;
    lv_value *links = lv_list_new();
    for (int64_t p = 1; p <= pages; p++) {
        query at = *q;
        at.page = p;
        url_of(&at, url, sizeof url);
        lv_value *l = lv_map_new();
        lv_map_set_int(l, "n", p);
        lv_map_set_str(l, "url", url);
        lv_map_set_bool(l, "current", p == q->page);
        lv_list_push(links, l);
    }
    lv_assign_value(socket, "pages", links);
    query prev = *q, next = *q;
    prev.page--;
    next.page++;
    url_of(&prev, url, sizeof url);
    lv_assign_str(socket, "prev_url", q->page > 1 ? url : "");
    url_of(&next, url, sizeof url);
    lv_assign_str(socket, "next_url", q->page < pages ? url : "");

    lv_value *options = lv_list_new();
    for (size_t i = 0; i < sizeof per_page_choices / sizeof *per_page_choices; i++) {
        lv_value *o = lv_map_new();
        lv_map_set_int(o, "value", per_page_choices[i]);
        lv_map_set_bool(o, "selected", per_page_choices[i] == q->per_page);
        lv_list_push(options, o);
    }
    lv_assign_value(socket, "per_page_options", options);
    lv_assign_int(socket, "page", q->page);
    lv_assign_int(socket, "page_count", pages);
    lv_assign_int(socket, "per_page", q->per_page);
    lv_assign_str(socket, "sort_by", sort_keys[q->sort]);
    lv_assign_str(socket, "sort_order", q->desc ? "desc" : "asc");
}

/* Nothing to do: handle_params always follows mount and sets every assign. */
static int pagination_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)socket;
    (void)params;
    (void)session;
    return 0;
}

static int pagination_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    query q = parse(params);
    assign_query(socket, &q);
    return 0;
}

/* The page size select: back to page 1 at the new size, through the URL. */
static int pagination_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    query q = {1, lv_param_int(value, "per_page", DEFAULT_PER_PAGE), 0,
               strcmp(lv_get_str(socket, "sort_order"), "desc") == 0};
    for (int i = 0; i < SORT_KEYS; i++)
        if (strcmp(lv_get_str(socket, "sort_by"), sort_keys[i]) == 0) q.sort = i;
    char url[160];
    url_of(&q, url, sizeof url);
    return lv_push_patch(socket, url, false);
}

#define PATCH_LINK "data-phx-link=\"patch\" data-phx-link-state=\"push\""

const lv_view lv_example_pagination = {
    .name = "pagination",
    .template_text =
        "<main>\n"
        "<h1>Food bank donations</h1>\n"
        "{{form_for csrf_token id=\"per-page-form\" phx_change=\"per_page\"}}\n"
        "  <label for=\"per_page\">Rows per page</label>\n"
        "  <select id=\"per_page\" name=\"per_page\">{{#each per_page_options as o}}"
        "<option value=\"{{o.value}}\" selected={{o.selected}}>{{o.value}}</option>{{/each}}</select>\n"
        "</form>\n"
        "<table id=\"donations\" class=\"table\">\n"
        "<thead><tr>{{#each columns as c}}<th><a id=\"sort-{{c.key}}\" href=\"{{c.url}}\" " PATCH_LINK
        ">{{c.label}}{{c.arrow}}</a></th>{{/each}}</tr></thead>\n"
        "<tbody>{{#each rows as r}}<tr><td>{{r.id}}</td><td>{{r.item}}</td><td>{{r.quantity}}</td>"
        "<td>{{r.days}}</td></tr>{{/each}}</tbody>\n"
        "</table>\n"
        "<nav class=\"pages\" aria-label=\"pages\">\n"
        "  {{#if prev_url}}<a id=\"prev\" href=\"{{prev_url}}\" " PATCH_LINK ">‹ Previous</a>{{/if}}\n"
        "  {{#each pages as p}}<a href=\"{{p.url}}\" " PATCH_LINK
        " class=\"{{#if p.current}}current{{/if}}\">{{p.n}}</a>{{/each}}\n"
        "  {{#if next_url}}<a id=\"next\" href=\"{{next_url}}\" " PATCH_LINK ">Next ›</a>{{/if}}\n"
        "</nav>\n"
        "<p id=\"showing\" class=\"muted\">Page {{page}} of {{page_count}}, {{per_page}} per page, "
        "sorted by {{sort_by}} ({{sort_order}}).</p>\n"
        "</main>",
    .events = (const char *const[]){"per_page", NULL},
    .mount = pagination_mount,
    .handle_params = pagination_params,
    .handle_event = pagination_event,
};
