/* liveview-conformance: serves the views of Phoenix LiveView's end-to-end
 * suite on LV_HOST:LV_PORT (default 127.0.0.1:4004, the suite's own port),
 * for running that suite against liveview-c (docs/conformance.md). The
 * browser client and the suite's layout scripts are compiled in. */
#include <stdlib.h>

#include "conformance.h"
#include "lv_conformance_static.h"

/* The suite's health check (test_helper.exs): Playwright's webServer polls
 * it before the first spec. */
static void health(lv_request *req)
{
    lv_respond(req, 200, "text/plain", "OK", 2);
}

int main(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.title = "Phoenix LiveView";
    if (!getenv("LV_PORT")) cfg.port = 4004;

    lv_app *app = lv_app_new(&cfg);
    if (!app) return 1;
    /* /assets/phoenix/phoenix.min.js and
     * /assets/phoenix_live_view/phoenix_live_view.esm.js, where the suite's
     * layout loads them, and the layout's own script and styles. */
    if (lv_static_embedded(app, "/assets", lv_conformance_static, lv_conformance_static_count) != 0 ||
        conf_layout_register(app) != 0 || lv_http_route(app, "GET", "/health", health) != 0 ||
        conf_core_register(app) != 0 || conf_streams_register(app) != 0 ||
        conf_forms_register(app) != 0) {
        lv_app_free(app);
        return 1;
    }
    int rc = lv_app_run(app);
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
