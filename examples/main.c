/* liveview-examples: serves every example on http://127.0.0.1:4000.
 * LV_HOST, LV_PORT, LV_SECRET_KEY_BASE and LV_ASSETS_DIR override the
 * defaults (see lv_config in liveview.h); the browser client and the files
 * of examples/static (at /static) are compiled in, so the binary runs from
 * any folder. LV_FILES_DIR names a folder to serve at /files too. */
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "examples.h"
#include "lv_examples_static.h"

int main(void)
{
#ifdef __GLIBC__
    /* glibc gives each loop thread a malloc arena of its own. Under the
     * soak (bench/soak.mjs) two arenas kept growing while the bytes in use
     * stayed flat (RSS +1.5 % in 20 minutes); one arena did not (+0.26 %
     * in an hour, flat after 20 minutes): docs/performance.md. Set before
     * any thread starts; MALLOC_ARENA_MAX in the environment still wins. */
    if (!getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 1);
#endif
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.title = "Examples";
    /* The /js example's external redirect goes to the Phoenix docs. */
    if (!cfg.allowed_redirect_hosts) cfg.allowed_redirect_hosts = "hexdocs.pm";
    /* LV_FILES_DIR: a folder to serve at /files as well (lv_static). */
    const char *files_dir = getenv("LV_FILES_DIR");

    lv_app *app = lv_app_new(&cfg);
    if (!app) return 1;
    if (lv_examples_register(app) != 0 ||
        lv_static_embedded(app, "/static", lv_examples_static, lv_examples_static_count) != 0 ||
        (files_dir && lv_static(app, "/files", files_dir) != 0)) {
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
