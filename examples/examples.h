/* The example views served by build/bin/liveview-examples and tested by
 * tests/unit/examples/. */
#ifndef LV_EXAMPLES_H
#define LV_EXAMPLES_H

#include <liveview.h>

extern const lv_view lv_example_index;
extern const lv_view lv_example_counter;
extern const lv_view lv_example_todos;
extern const lv_view lv_example_form;
extern const lv_view lv_example_login;
extern const lv_view lv_example_me;
extern const lv_view lv_example_rtcounter;
extern const lv_view lv_example_volume;
extern const lv_view lv_example_dashboard;
extern const lv_view lv_example_search;
extern const lv_view lv_example_pagination;
extern const lv_view lv_example_servers;
extern const lv_view lv_example_hi;
extern const lv_view lv_example_livenav_a;
extern const lv_view lv_example_livenav_b;
extern const lv_view lv_example_navtest;
extern const lv_view lv_example_books;
extern const lv_view lv_example_js_commands;
extern const lv_view lv_example_autocomplete;
extern const lv_view lv_example_feed;
extern const lv_view lv_example_volunteers;
extern const lv_view lv_example_decarbonize;
extern const lv_view lv_example_sensors;
extern const lv_view lv_example_presence;
/* The function components the examples share (components.c). */
int lv_examples_components_register(void);
/* LiveViewJS's remaining examples (issue #14 item 8). */
extern const lv_view lv_example_hello_toggle;
extern const lv_view lv_example_prints;
extern const lv_view lv_example_sort;
extern const lv_view lv_example_xkcd;
void lv_example_xkcd_art(lv_request *req);
/* The bindings a page expects (issue #14 item 7). */
extern const lv_view lv_example_scroll;
extern const lv_view lv_example_bindings;
void lv_example_bindings_submit(lv_request *req);
extern const lv_component lv_example_calculator;
extern const lv_component lv_example_goal;
void lv_example_login_post(lv_request *req);
extern const lv_view lv_example_photos;
extern const lv_view lv_example_firmware;
/* GET /photos/image?name=...: an uploaded photo's bytes (photos.c). */
void lv_example_photo_image(lv_request *req);

/* The showcase (showcase.c): the shared root layout, and the /source/
 * pages of the examples' own files. Returns 0, or -1 when a registration
 * failed. */
int lv_example_showcase(lv_app *app);
extern const lv_layout lv_example_layout;
/* Every example, for the navigation and the index: a list of maps with
 * href, title, summary, files and current (whether current_path, which may
 * be NULL, belongs to it). Owned by the caller. */
lv_value *lv_examples_value(const char *current_path);

/* The examples' files, compiled in by examples/embed_sources.cmake. */
typedef struct lv_example_source {
    const char *name; /* "counter.c", "todos.html" */
    const char *text;
    size_t len;
} lv_example_source;
extern const lv_example_source lv_example_sources[];
extern const size_t lv_example_source_count;
void lv_example_logout_post(lv_request *req);
void lv_example_logout_everywhere_post(lv_request *req);
/* The /sensors producer thread: started before the app runs, stopped and
 * joined after it returned. */
int lv_example_sensors_start(lv_app *app);
void lv_example_sensors_stop(void);

/* Registers every example's route, component and handler on app (routes.c).
 * Returns 0, or -1 when one fails (it printed why). */
int lv_examples_register(lv_app *app);

/* /admin and /admin/users in the live session "admin" (admin.c). */
extern const lv_view lv_example_admin_home;
extern const lv_view lv_example_admin_users;
int lv_example_admin_register(lv_app *app);
/* Nested views (nested.c): the children, the parent and page B. */
extern const lv_view lv_example_nested_clock;
extern const lv_view lv_example_nested_counter;
extern const lv_view lv_example_nested_sticky;
extern const lv_view lv_example_nested;
extern const lv_view lv_example_nested_b;
int lv_example_nested_register(lv_app *app);
/* /async: async assigns, stream_async, temporary assigns (async.c). */
extern const lv_view lv_example_async;
/* /contacts: component messaging (contacts.c). */
extern const lv_view lv_example_contacts;
extern const lv_component lv_example_contact_row;

#endif
