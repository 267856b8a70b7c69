/* The index page: links to every example. It is a LiveView too, with no
 * dynamic part, so it shows the dead render works on its own. */
#include "examples.h"

static int index_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)socket;
    (void)params;
    (void)session;
    return 0;
}

const lv_view lv_example_index = {
    .name = "index",
    .template_text = "<main>\n"
                     "<h1>liveview-c examples</h1>\n"
                     "<ul class=\"examples\">\n"
                     "  <li><a href=\"/counter\">Counter</a>: + and - update a count through diffs</li>\n"
                     "  <li><a href=\"/todos\">Todos</a>: a shared list; only changed rows travel</li>\n"
                     "  <li><a href=\"/form\">Form</a>: validation as you type, CSRF-checked "
                     "form events</li>\n"
                     "  <li><a href=\"/login\">Sign in</a> and <a href=\"/me\">who am I</a>: "
                     "the session cookie, read by a LiveView's mount</li>\n"
                     "  <li><a href=\"/rtcounter\">Realtime counter</a>: one count for every "
                     "window, over pub/sub</li>\n"
                     "  <li><a href=\"/volume\">Volume</a>: arrow keys, flash messages, the page "
                     "title</li>\n"
                     "  <li><a href=\"/dashboard\">Dashboard</a>: a timer, and events pushed to a "
                     "client hook</li>\n"
                     "  <li><a href=\"/search\">Search</a>: a loading state, then async work off "
                     "the loop</li>\n"
                     "  <li><a href=\"/pagination\">Pagination and sorting</a>: the query string, "
                     "live_patch links, push_patch</li>\n"
                     "  <li><a href=\"/servers\">Servers</a>: a list of live_patch links</li>\n"
                     "  <li><a href=\"/hi/world\">Hi</a>: a path parameter, /hi/:name</li>\n"
                     "  <li><a href=\"/livenav\">Live navigation</a>: push_patch, push_navigate and "
                     "redirect from the server, with flash</li>\n"
                     "  <li><a href=\"/books\">Books</a>: add, edit and delete with a changeset "
                     "and the form helpers</li>\n"
                     "  <li><a href=\"/js\">JS commands</a>: show, hide, classes, transitions, "
                     "attributes, dispatch, push, focus, navigation</li>\n"
                     "  <li><a href=\"/autocomplete\">Autocomplete</a>: a debounced phx-change "
                     "filling a datalist</li>\n"
                     "  <li><a href=\"/feed\">Feed</a>: a stream; posts on top, a limit, delete and "
                     "clear, and the server keeps no posts</li>\n"
                     "  <li><a href=\"/volunteers\">Volunteers</a>: a sign-up form with a changeset, "
                     "the list kept in step over pub/sub</li>\n"
                     "  <li><a href=\"/decarbonize\">Decarbonize</a>: a stateful component with its own "
                     "events messaging the page, and function components</li>\n"
                     "  <li><a href=\"/sensors\">Sensors</a>: readings from a thread of the program "
                     "at 10 Hz, a live SVG chart, a threshold form, start and stop</li>\n"
                     "</ul>\n"
                     "</main>",
    .mount = index_mount,
};
