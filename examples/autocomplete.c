/* Autocomplete: a search box whose phx-change is debounced
 * (phx-debounce="300"), so a burst of keystrokes reaches the server as one
 * event. Suggestions fill a <datalist> (the browser's own dropdown) and a
 * visible list; the view counts the events it received, to show the
 * debounce at work. */
#include <ctype.h>
#include <string.h>

#include "examples.h"

#define SUGGESTIONS_MAX 8
#define QUERY_MAX 40

static const char *const languages[] = {
    "Ada", "ALGOL", "APL", "Assembly", "Awk", "Bash", "BASIC", "C", "C#", "C++", "Clojure", "COBOL",
    "CoffeeScript", "Common Lisp", "Crystal", "D", "Dart", "Delphi", "Elixir", "Elm", "Erlang", "F#",
    "Forth", "Fortran", "Gleam", "Go", "Groovy", "Haskell", "Idris", "Java", "JavaScript", "Julia",
    "Kotlin", "Lisp", "Lua", "MATLAB", "Modula-2", "Nim", "Objective-C", "OCaml", "Odin", "Pascal",
    "Perl", "PHP", "Prolog", "PureScript", "Python", "R", "Racket", "Ruby", "Rust", "Scala", "Scheme",
    "Smalltalk", "SQL", "Swift", "Tcl", "TypeScript", "V", "Zig", NULL,
};

static bool starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix)) return false;
    return true;
}

static void assign_matches(lv_socket *socket, const char *query)
{
    lv_value *matches = lv_list_new();
    size_t count = 0;
    if (query && *query) {
        for (const char *const *l = languages; *l && count < SUGGESTIONS_MAX; l++) {
            if (!starts_with_ci(*l, query)) continue;
            lv_list_push_str(matches, *l);
            count++;
        }
    }
    lv_assign_value(socket, "matches", matches);
}

static int autocomplete_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_str(socket, "query", "");
    lv_assign_str(socket, "picked", "");
    lv_assign_int(socket, "events", 0);
    assign_matches(socket, "");
    return 0;
}

static int autocomplete_event(lv_socket *socket, const char *event, const lv_params *value)
{
    const char *query = lv_param_path(value, "search[q]");
    if (!query || strlen(query) > QUERY_MAX) query = "";
    if (strcmp(event, "suggest") == 0) {
        lv_assign_int(socket, "events", lv_get_int(socket, "events") + 1);
        lv_assign_str(socket, "query", query);
        assign_matches(socket, query);
    } else { /* pick */
        lv_assign_str(socket, "picked", query);
    }
    return 0;
}

const lv_view lv_example_autocomplete = {
    .name = "autocomplete",
    .template_file = "autocomplete.html",
    .events = (const char *const[]){"suggest", "pick", NULL},
    .mount = autocomplete_mount,
    .handle_event = autocomplete_event,
};
