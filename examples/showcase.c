/* The showcase around the examples: one root layout for every page (a
 * navigation bar with the current page marked, and a line saying what the
 * page shows with links to its C source and templates), and the read-only
 * /source/ pages those links open.
 *
 * The sources are compiled into the binary (examples/embed_sources.cmake);
 * /source/<name> is an exact route per embedded file, so nothing outside
 * that fixed list can be asked for, and no file is read at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

typedef struct example {
    const char *href;    /* what the navigation links to */
    const char *title;
    const char *summary; /* what this page shows */
    const char *files[4]; /* its sources, by embedded name */
    const char *also;    /* another path prefix of the same example, or NULL */
} example;

static const example examples[] = {
    {"/", "Overview", "Every example, each a LiveView written in C.", {"index.c", "showcase.c", "main.c"}, NULL},
    {"/counter", "Counter", "The smallest LiveView: each click is an event, each answer a diff of one number.",
     {"counter.c"}, NULL},
    {"/todos", "Todos", "A list in a loop with a partial and a helper; only changed rows travel.",
     {"todos.c", "todos.html", "todo_item.html"}, NULL},
    {"/form", "Form", "Validation as you type, and form events checked against the page's CSRF token.",
     {"form.c"}, NULL},
    {"/login", "Sign in", "A plain HTTP POST writes the session cookie; a LiveView reads it in mount.",
     {"session.c"}, NULL},
    {"/me", "Who am I", "The signed session cookie, read by a LiveView's mount.", {"session.c"}, NULL},
    {"/rtcounter", "Realtime counter", "One count for every window, kept in step over pub/sub.",
     {"rtcounter.c"}, NULL},
    {"/volume", "Volume", "Arrow keys on the window, flash messages and the page title.",
     {"volume.c", "flash.html"}, NULL},
    {"/dashboard", "Dashboard", "A timer that ticks every second, and a chart a client hook draws from pushed events.",
     {"dashboard.c", "app.js"}, NULL},
    {"/search", "Search", "A loading state at once, then slow work off the loop thread.", {"search.c"}, NULL},
    {"/pagination", "Pagination", "Page, size and sort in the query string: live_patch links and push_patch.",
     {"pagination.c"}, NULL},
    {"/servers", "Servers", "A list of live_patch links that change the URL and the title.", {"servers.c"}, NULL},
    {"/hi/world", "Hi", "A path parameter (/hi/:name), and what the browser told the server on connect.",
     {"hi.c", "app.js"}, "/hi/"},
    {"/livenav", "Live navigation", "push_patch, push_navigate and redirect from the server, with flash.",
     {"livenav.c", "flash.html"}, "/livenav/"},
    {"/books", "Books", "Add, edit and delete through a changeset and the form helpers.",
     {"books.c", "books.html"}, NULL},
    {"/js", "JS commands", "Show, hide, classes, transitions and more, run in the browser without a round trip.",
     {"js_commands.c", "js_commands.html"}, NULL},
    {"/autocomplete", "Autocomplete", "A debounced phx-change filling a datalist.",
     {"autocomplete.c", "autocomplete.html"}, NULL},
    {"/feed", "Feed", "A stream: the browser keeps the posts, the server keeps none.", {"feed.c"}, NULL},
    {"/volunteers", "Volunteers", "A sign-up form with a changeset; the list kept in step over pub/sub.",
     {"volunteers.c", "volunteers.html"}, NULL},
    {"/decarbonize", "Decarbonize", "A stateful component messaging its page, and function components.",
     {"decarbonize.c", "decarbonize.html", "co2_bar.html"}, NULL},
    {"/sensors", "Sensors", "Readings from a thread of the program at 10 Hz, a live chart, a threshold form.",
     {"sensors.c", "sensors.html"}, NULL},
    {"/presence", "Presence", "Who is on this page, with the name each visitor picks, across processes.",
     {"presence.c", "presence.html"}, NULL},
    {"/helloToggle", "Hello toggle", "The smallest state change: one boolean flipped by a click.",
     {"hello_toggle.c", "hello_toggle.html"}, NULL},
    {"/prints", "Prints", "A range input in a form with phx-change: the price follows the slider.",
     {"prints.c", "prints.html"}, NULL},
    {"/sort", "Sort", "Pagination and sorting in four query params, chosen in a form answered with push_patch.",
     {"sort.c", "sort.html"}, NULL},
    {"/xkcd", "Comics", "Async fetching with a loading state, prev/next/random live_patch links.",
     {"xkcd.c", "xkcd.html"}, NULL},
    {"/bindings", "Bindings", "Click-away, focus, blur, keyup, throttle, mounted, page loading and trigger-action.",
     {"bindings.c", "bindings.html"}, NULL},
    {"/scroll", "Infinite feed", "phx-viewport-top and -bottom over a stream that keeps three pages.",
     {"scroll.c", "scroll.html"}, NULL},
    {"/admin", "Admin", "A live session behind the sign-in: an on_mount hook, live navigation inside it only.",
     {"admin.c", "session.c"}, "/admin/"},
    {"/async", "Async assigns", "Loading, ok and failed states of work off the loop; a stream loaded async.",
     {"async.c", "async.html"}, NULL},
    {"/contacts", "Contacts", "100 row components loaded in one update_many call; send_update; row events flash and patch.",
     {"contacts.c"}, NULL},
    {"/photos", "Photos", "File uploads: previews, progress, drag and drop, a gallery shared over pub/sub.",
     {"photos.c", "photos.html"}, NULL},
    {"/firmware", "Firmware", "One file uploaded as soon as it is chosen, a progress bar, its SHA-256.",
     {"firmware.c", "firmware.html"}, NULL},
    {"/nested", "Nested views", "Child LiveViews with their own state, events and timers; a sticky one survives navigation.",
     {"nested.c"}, "/nested/"},
};
#define EXAMPLE_COUNT (sizeof examples / sizeof examples[0])

/* The example a request path belongs to, or NULL (/navtest, /source/...). */
static const example *example_at(const char *path)
{
    for (size_t i = 0; i < EXAMPLE_COUNT; i++) {
        const example *e = &examples[i];
        if (strcmp(path, e->href) == 0) return e;
        if (e->also && strncmp(path, e->also, strlen(e->also)) == 0) return e;
    }
    return NULL;
}

static lv_value *files_of(const example *e)
{
    lv_value *files = lv_list_new();
    for (size_t i = 0; i < 4 && e->files[i]; i++) lv_list_push_str(files, e->files[i]);
    return files;
}

lv_value *lv_examples_value(const char *current_path)
{
    const example *current = current_path ? example_at(current_path) : NULL;
    lv_value *list = lv_list_new();
    for (size_t i = 0; i < EXAMPLE_COUNT; i++) {
        lv_value *e = lv_map_new();
        lv_map_set_str(e, "href", examples[i].href);
        lv_map_set_str(e, "title", examples[i].title);
        lv_map_set_str(e, "summary", examples[i].summary);
        lv_map_set_bool(e, "current", &examples[i] == current);
        lv_map_set(e, "files", files_of(&examples[i]));
        lv_list_push(list, e);
    }
    return list;
}

/* The layout's assigns: the navigation, and the current page's line. */
static void layout_assigns(const lv_request *req, lv_value *assigns, void *user)
{
    (void)user;
    const char *path = lv_request_path(req);
    lv_map_set(assigns, "examples", lv_examples_value(path));
    const example *e = example_at(path);
    if (!e) {
        lv_map_set(assigns, "about", lv_value_new_null());
        return;
    }
    lv_value *about = lv_map_new();
    lv_map_set_str(about, "title", e->title);
    lv_map_set_str(assigns, "default_title", e->title);
    lv_map_set_str(about, "summary", e->summary);
    lv_map_set(about, "files", files_of(e));
    lv_map_set(assigns, "about", about);
}

const lv_layout lv_example_layout = {
    .name = "examples layout",
    .template_file = "layout.html",
    .title_suffix = " · liveview-c",
    .assigns = layout_assigns,
};

/* ---- /source/<name> ---- */

static const lv_example_source *source_named(const char *name)
{
    for (size_t i = 0; i < lv_example_source_count; i++)
        if (strcmp(lv_example_sources[i].name, name) == 0) return &lv_example_sources[i];
    return NULL;
}

/* Escaped here because the page is not a template. */
static void put_escaped(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(s[i], out); break;
        }
    }
}

/* Links to the pages that list this file among their sources. */
static void put_used_by(FILE *out, const char *name)
{
    for (size_t i = 0; i < EXAMPLE_COUNT; i++)
        for (size_t j = 0; j < 4 && examples[i].files[j]; j++)
            if (strcmp(examples[i].files[j], name) == 0) {
                fprintf(out, " <a class=\"chip\" href=\"%s\">", examples[i].href);
                put_escaped(out, examples[i].title, strlen(examples[i].title));
                fputs("</a>", out);
            }
}

/* GET /source/<name>: the embedded file as text in a page. Registered only
 * for the embedded names, so the path is always one of them. */
static void source_page(lv_request *req)
{
    const char *path = lv_request_path(req);
    const lv_example_source *src = source_named(path + strlen("/source/"));
    if (!src) {
        lv_respond(req, 404, "text/plain; charset=utf-8", "not found\n", 10);
        return;
    }
    char *body = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&body, &len);
    if (!out) {
        lv_respond(req, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
        return;
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", out);
    put_escaped(out, src->name, strlen(src->name));
    fputs(" · liveview-c examples</title><link rel=\"icon\" href=\"data:,\">"
          "<link rel=\"stylesheet\" href=\"/static/source.css\"></head>"
          "<body><header><a class=\"brand\" href=\"/\">liveview-c examples</a>"
          "<span class=\"file\" id=\"file-name\">", out);
    put_escaped(out, src->name, strlen(src->name));
    fputs("</span><span>used by</span>", out);
    put_used_by(out, src->name);
    fputs("</header><main><pre id=\"source\"><code>", out);
    put_escaped(out, src->text, src->len);
    fputs("</code></pre></main></body></html>\n", out);
    fclose(out);
    lv_respond(req, 200, "text/html; charset=utf-8", body, len);
    free(body);
}

int lv_example_showcase(lv_app *app)
{
    if (lv_app_layout(app, &lv_example_layout) != 0) return -1;
    char path[128];
    for (size_t i = 0; i < lv_example_source_count; i++) {
        snprintf(path, sizeof path, "/source/%s", lv_example_sources[i].name);
        if (lv_http_route(app, "GET", path, source_page) != 0) return -1;
    }
    return 0;
}
