/* Every example's route, in one place: the examples server (main.c) and
 * the view tests (tests/unit/examples/) register the same table. */
#include "examples.h"

int lv_examples_register(lv_app *app)
{
    if (lv_examples_components_register() != 0 || lv_route(app, "/", &lv_example_index) != 0 ||
        lv_route(app, "/counter", &lv_example_counter) != 0 ||
        lv_route(app, "/todos", &lv_example_todos) != 0 ||
        lv_route(app, "/form", &lv_example_form) != 0 ||
        lv_route(app, "/login", &lv_example_login) != 0 || lv_route(app, "/me", &lv_example_me) != 0 ||
        lv_route(app, "/rtcounter", &lv_example_rtcounter) != 0 ||
        lv_route(app, "/volume", &lv_example_volume) != 0 ||
        lv_route(app, "/dashboard", &lv_example_dashboard) != 0 ||
        lv_route(app, "/search", &lv_example_search) != 0 ||
        lv_route(app, "/pagination", &lv_example_pagination) != 0 ||
        lv_route(app, "/servers", &lv_example_servers) != 0 ||
        lv_route(app, "/hi/:name", &lv_example_hi) != 0 ||
        lv_route(app, "/livenav", &lv_example_livenav_a) != 0 ||
        lv_route(app, "/livenav/b", &lv_example_livenav_b) != 0 ||
        lv_route(app, "/navtest", &lv_example_navtest) != 0 || /* for the protocol tests */
        lv_route(app, "/books", &lv_example_books) != 0 || lv_route(app, "/js", &lv_example_js_commands) != 0 ||
        lv_route(app, "/autocomplete", &lv_example_autocomplete) != 0 ||
        lv_route(app, "/feed", &lv_example_feed) != 0 ||
        lv_route(app, "/volunteers", &lv_example_volunteers) != 0 ||
        lv_component_register(app, &lv_example_calculator) != 0 ||
        lv_component_register(app, &lv_example_goal) != 0 ||
        lv_route(app, "/decarbonize", &lv_example_decarbonize) != 0 ||
        lv_route(app, "/sensors", &lv_example_sensors) != 0 ||
        lv_route(app, "/presence", &lv_example_presence) != 0 ||
        lv_http_route(app, "POST", "/login", lv_example_login_post) != 0 ||
        lv_http_route(app, "POST", "/logout", lv_example_logout_post) != 0 ||
        lv_route(app, "/photos", &lv_example_photos) != 0 ||
        lv_http_route(app, "GET", "/photos/image", lv_example_photo_image) != 0 ||
        lv_route(app, "/firmware", &lv_example_firmware) != 0 ||
        lv_route(app, "/helloToggle", &lv_example_hello_toggle) != 0 ||
        lv_route(app, "/prints", &lv_example_prints) != 0 || lv_route(app, "/sort", &lv_example_sort) != 0 ||
        lv_route(app, "/xkcd", &lv_example_xkcd) != 0 ||
        lv_http_route(app, "GET", "/xkcd/art", lv_example_xkcd_art) != 0 ||
        lv_route(app, "/bindings", &lv_example_bindings) != 0 || lv_route(app, "/scroll", &lv_example_scroll) != 0 ||
        lv_http_route(app, "POST", "/bindings/submit", lv_example_bindings_submit) != 0 ||
        lv_http_route(app, "POST", "/logout-everywhere", lv_example_logout_everywhere_post) != 0 ||
        lv_example_showcase(app) != 0 ||
        lv_example_admin_register(app) != 0 ||
        lv_route(app, "/async", &lv_example_async) != 0 ||
        lv_component_register(app, &lv_example_contact_row) != 0 ||
        lv_route(app, "/contacts", &lv_example_contacts) != 0 ||
        lv_example_nested_register(app) != 0)
        return -1;
    return 0;
}
