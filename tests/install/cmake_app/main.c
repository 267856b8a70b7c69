/* Serves a counter whose template, templates/tally.html, is compiled into
 * the program by lv_embed_templates, and static/hello.txt at
 * /static/hello.txt from the copy lv_embed_static compiled in: it runs from
 * any directory. */
#include <liveview.h>
#include <string.h>

#include "cmake_app_static.h"
#include "cmake_app_templates.h"

static int mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    return 0;
}

static int handle_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

static const lv_view tally = {
    .name = "tally",
    .template_file = "tally.html",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = mount,
    .handle_event = handle_event,
};

int main(void)
{
    /* The generated header declares the embedded bytes too. */
    if (lv_template_tally_html_len == 0) return 1;
    lv_app *app = lv_app_new(NULL);
    if (!app) return 1;
    if (lv_route(app, "/", &tally) != 0 ||
        lv_static_embedded(app, "/static", cmake_app_static, cmake_app_static_count) != 0) {
        lv_app_free(app);
        return 1;
    }
    int rc = lv_app_run(app);
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
