/* What the endpoint serves besides pages and handlers: the browser client
 * (compiled into the library, or an app's own app.js/app.css from
 * lv_config.assets_dir) under fingerprinted /assets/ URLs, and the lv_static
 * mounts. The app holds them (app->files) from the first lv_static call or
 * lv_app_files_prepare until lv_app_free.
 *
 * Precedence in a request's dispatch: the client's exact URLs, then the
 * mounts by prefix (a prefix owns every path below it: 404 when no file,
 * 405 for a method other than GET or HEAD), then handlers and views. */
#ifndef LV_ENDPOINT_FILES_H
#define LV_ENDPOINT_FILES_H

#include <stdbool.h>

#include "live/live.h"
#include "net/endpoint.h"

/* The URL folder of the client's files. */
#define LV_ASSETS_URL_DIR "/assets/"

/* Makes the client's files ready to serve and app->asset_tags (the page's
 * <link>/<script> tags) once; later calls do nothing. The only file I/O is
 * the override's app.js and app.css. Returns 0, or -1 after logging why
 * (an assets_dir without js/app.js). */
int lv_app_files_prepare(lv_app *app);

/* Answers the request when a client file or a mount owns its path; returns
 * whether it did (res then holds the answer). */
bool lv_app_files_serve(lv_app *app, const lv_http_request *http, lv_http_response *res);

#endif
