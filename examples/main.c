/* liveview-examples: serves every example on http://127.0.0.1:4000.
 * LV_HOST, LV_PORT, LV_SECRET_KEY_BASE and LV_ASSETS_DIR override the
 * defaults (see lv_config in liveview.h). */
#include <stdio.h>
#include <stdlib.h>

#include "examples.h"

int main(void)
{
    lv_config cfg;
    lv_config_defaults(&cfg);
    /* Found without configuration when run from the build tree. */
    if (!getenv("LV_ASSETS_DIR")) cfg.assets_dir = LV_SOURCE_DIR "/assets";
    cfg.title = "liveview-c examples";

    lv_app *app = lv_app_new(&cfg);
    if (!app) return 1;
    if (lv_examples_register(app) != 0) {
        lv_app_free(app);
        return 1;
    }
    /* A thread of the program feeds /sensors; it only works while someone
     * watches. Once the server has stopped it is told to stop and joined. */
    if (lv_example_sensors_start(app) != 0) {
        lv_app_free(app);
        return 1;
    }
    int rc = lv_app_run(app);
    lv_example_sensors_stop();
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
