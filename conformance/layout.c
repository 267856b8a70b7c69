/* The root layout of every conformance page. The suite's layouts
 * (test_helper.exs: root.html and live.html) put the CSRF meta tag, the
 * client and an inline module script that creates window.liveSocket around
 * each view; here the same set-up lives in /assets/e2e/app.js, a file,
 * because liveview-c's Content-Security-Policy refuses inline scripts and
 * styles. A view of the suite that adds a script before the client
 * (`pre_script`) gets it from the table below, as a file too. */
#include <string.h>

#include "conformance.h"

/* Path of the page -> the script the suite's view puts before the client. */
static const struct {
    const char *path;
    const char *script;
} pre_scripts[] = {
    /* confforms */
    {"/form/feedback", "/assets/e2e/form_feedback.js"},
    {"/form-unsaved", "/assets/e2e/form_unsaved.js"},
    {NULL, NULL},
};

static void layout_assigns(const lv_request *req, lv_value *assigns, void *user)
{
    (void)user;
    const char *path = lv_request_path(req);
    const char *script = "";
    for (size_t i = 0; pre_scripts[i].path; i++)
        if (strcmp(path, pre_scripts[i].path) == 0) script = pre_scripts[i].script;
    lv_map_set_str(assigns, "pre_script", script);
    /* The pages with a layout of their own (the suite's Navigation.Layout
     * and ErrorLive's layout): their own LiveSocket set-up, and for
     * /navigation the sidebar around the view. */
    lv_map_set_bool(assigns, "navigation", strncmp(path, "/navigation/", 12) == 0);
    lv_map_set_bool(assigns, "errors", strcmp(path, "/errors") == 0);
}

static const lv_layout root_layout = {
    .name = "conformance root",
    .template_file = "root.html",
    .assigns = layout_assigns,
};

int conf_layout_register(lv_app *app)
{
    return lv_app_layout(app, &root_layout);
}
