/* Sort (LiveViewJS's /sort): pagination plus sorting, all four settings in
 * the query string (page, per_page, sort_by, sort_order). Unlike
 * /pagination, whose column headers are links, the order is chosen in a
 * form: its phx-change goes to the server, which answers with
 * lv_push_patch, and handle_params, the one place that reads the query,
 * renders the page. Previous and next are live_patch links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

typedef struct mountain {
    const char *name, *range;
    int64_t height_m, first_ascent;
} mountain;

static const mountain mountains[] = {
    {"Everest", "Himalaya", 8849, 1953},      {"K2", "Karakoram", 8611, 1954},
    {"Kangchenjunga", "Himalaya", 8586, 1955}, {"Lhotse", "Himalaya", 8516, 1956},
    {"Makalu", "Himalaya", 8485, 1955},       {"Cho Oyu", "Himalaya", 8188, 1954},
    {"Dhaulagiri", "Himalaya", 8167, 1960},   {"Manaslu", "Himalaya", 8163, 1956},
    {"Nanga Parbat", "Himalaya", 8126, 1953}, {"Annapurna", "Himalaya", 8091, 1950},
    {"Aconcagua", "Andes", 6961, 1897},       {"Denali", "Alaska Range", 6190, 1913},
    {"Kilimanjaro", "Kilimanjaro", 5895, 1889}, {"Elbrus", "Caucasus", 5642, 1874},
    {"Mont Blanc", "Alps", 4808, 1786},       {"Matterhorn", "Alps", 4478, 1865},
    {"Mount Kenya", "Mount Kenya", 5199, 1899}, {"Vinson", "Sentinel Range", 4892, 1966},
    {"Puncak Jaya", "Sudirman", 4884, 1962},  {"Eiger", "Alps", 3967, 1858},
    {"Mount Cook", "Southern Alps", 3724, 1894}, {"Fuji", "Fuji", 3776, 663},
};
#define MOUNTAIN_COUNT ((int64_t)(sizeof mountains / sizeof *mountains))
#define DEFAULT_PER_PAGE 5

static const char *const sort_keys[] = {"name", "range", "height_m", "first_ascent"};
static const char *const sort_labels[] = {"Name", "Range", "Height", "First ascent"};
#define SORT_KEYS 4
static const int per_page_choices[] = {5, 10, 25};
#define PER_PAGE_CHOICES (sizeof per_page_choices / sizeof *per_page_choices)

typedef struct sort_query {
    int64_t page, per_page;
    int sort; /* index into sort_keys */
    bool desc;
} sort_query;

static int compare(const mountain *a, const mountain *b, int sort, bool desc)
{
    int64_t d = sort == 0   ? strcmp(a->name, b->name)
                : sort == 1 ? strcmp(a->range, b->range)
                : sort == 2 ? a->height_m - b->height_m
                            : a->first_ascent - b->first_ascent;
    if (d) return (d < 0 ? -1 : 1) * (desc ? -1 : 1);
    return strcmp(a->name, b->name); /* ties by name, ascending either way */
}

static void url_of(const sort_query *q, char *out, size_t size)
{
    snprintf(out, size, "/sort?page=%lld&per_page=%lld&sort_by=%s&sort_order=%s", (long long)q->page,
             (long long)q->per_page, sort_keys[q->sort], q->desc ? "desc" : "asc");
}

static int64_t page_count(int64_t per_page)
{
    return (MOUNTAIN_COUNT + per_page - 1) / per_page;
}

/* Every value checked: unknown ones fall back to the defaults, pages are
 * clamped. */
static sort_query parse(const lv_params *params)
{
    sort_query q = {lv_param_int(params, "page", 1), lv_param_int(params, "per_page", DEFAULT_PER_PAGE), 0,
                    false};
    bool known = false;
    for (size_t i = 0; i < PER_PAGE_CHOICES; i++) known |= q.per_page == per_page_choices[i];
    if (!known) q.per_page = DEFAULT_PER_PAGE;
    const char *sort = lv_param(params, "sort_by");
    for (int i = 0; sort && i < SORT_KEYS; i++)
        if (strcmp(sort, sort_keys[i]) == 0) q.sort = i;
    const char *order = lv_param(params, "sort_order");
    q.desc = order && strcmp(order, "desc") == 0;
    if (q.page < 1) q.page = 1;
    if (q.page > page_count(q.per_page)) q.page = page_count(q.per_page);
    return q;
}

static void assign_rows(lv_socket *socket, const sort_query *q)
{
    mountain all[sizeof mountains / sizeof *mountains];
    memcpy(all, mountains, sizeof all);
    /* Insertion sort: a few rows, no global comparator state. */
    for (int64_t i = 1; i < MOUNTAIN_COUNT; i++) {
        mountain m = all[i];
        int64_t j = i;
        for (; j > 0 && compare(&all[j - 1], &m, q->sort, q->desc) > 0; j--) all[j] = all[j - 1];
        all[j] = m;
    }
    lv_value *rows = lv_list_new();
    int64_t first = (q->page - 1) * q->per_page;
    for (int64_t i = first; i < first + q->per_page && i < MOUNTAIN_COUNT; i++) {
        lv_value *r = lv_map_new();
        lv_map_set_str(r, "name", all[i].name);
        lv_map_set_str(r, "range", all[i].range);
        lv_map_set_int(r, "height_m", all[i].height_m);
        lv_map_set_int(r, "first_ascent", all[i].first_ascent);
        lv_list_push(rows, r);
    }
    lv_assign_value(socket, "rows", rows);
}

/* The options of the three selects, each marking the current choice. */
static void assign_options(lv_socket *socket, const sort_query *q)
{
    lv_value *by = lv_list_new();
    for (int i = 0; i < SORT_KEYS; i++) {
        lv_value *o = lv_map_new();
        lv_map_set_str(o, "value", sort_keys[i]);
        lv_map_set_str(o, "label", sort_labels[i]);
        lv_map_set_bool(o, "selected", i == q->sort);
        lv_list_push(by, o);
    }
    lv_assign_value(socket, "sort_by_options", by);
    lv_value *sizes = lv_list_new();
    for (size_t i = 0; i < PER_PAGE_CHOICES; i++) {
        lv_value *o = lv_map_new();
        lv_map_set_int(o, "value", per_page_choices[i]);
        lv_map_set_bool(o, "selected", per_page_choices[i] == q->per_page);
        lv_list_push(sizes, o);
    }
    lv_assign_value(socket, "per_page_options", sizes);
    lv_assign_bool(socket, "desc", q->desc);
    lv_assign_bool(socket, "asc", !q->desc);
}

static void assign_query(lv_socket *socket, const sort_query *q)
{
    assign_rows(socket, q);
    assign_options(socket, q);
    char url[160];
    sort_query prev = *q, next = *q;
    prev.page--;
    next.page++;
    url_of(&prev, url, sizeof url);
    lv_assign_str(socket, "prev_url", q->page > 1 ? url : "");
    url_of(&next, url, sizeof url);
    lv_assign_str(socket, "next_url", q->page < page_count(q->per_page) ? url : "");
    lv_assign_int(socket, "page", q->page);
    lv_assign_int(socket, "page_count", page_count(q->per_page));
    lv_assign_int(socket, "per_page", q->per_page);
    lv_assign_str(socket, "sort_by", sort_keys[q->sort]);
    lv_assign_str(socket, "sort_order", q->desc ? "desc" : "asc");
}

/* Nothing to do: handle_params always follows mount and sets every assign. */
static int sort_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)socket;
    (void)params;
    (void)session;
    return 0;
}

static int sort_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    sort_query q = parse(params);
    assign_query(socket, &q);
    return 0;
}

/* "sort": the form's three selects. A new order or size starts again at
 * page 1; the URL is the state, so the answer is a patch. */
static int sort_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    sort_query q = parse(value);
    q.page = 1;
    char url[160];
    url_of(&q, url, sizeof url);
    return lv_push_patch(socket, url, false);
}

const lv_view lv_example_sort = {
    .name = "sort",
    .template_file = "sort.html",
    .events = (const char *const[]){"sort", NULL},
    .mount = sort_mount,
    .handle_params = sort_params,
    .handle_event = sort_event,
};
