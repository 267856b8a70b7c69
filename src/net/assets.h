/* Static assets, read into memory when the server starts: the two client
 * bundles from node_modules and the app's own app.js and app.css. Requests are
 * matched against this fixed table by exact path, so no request path ever
 * reaches the file system: path traversal has nothing to work on. */
#ifndef LV_NET_ASSETS_H
#define LV_NET_ASSETS_H

#include <stddef.h>

typedef struct lv_asset {
    const char *url_path;     /* static string, e.g. "/assets/app.js" */
    const char *content_type; /* static string */
    char *data;               /* owned */
    size_t len;
    char etag[24];            /* "\"<16 hex>\"" */
} lv_asset;

typedef struct lv_assets {
    lv_asset *items;
    size_t count;
} lv_assets;

/* Reads every asset below assets_dir. Returns 0, or -1 after printing which
 * file is missing and how to get it. */
int lv_assets_load(lv_assets *assets, const char *assets_dir);
void lv_assets_free(lv_assets *assets);
/* The asset served at exactly this path, or NULL. */
const lv_asset *lv_assets_find(const lv_assets *assets, const char *path, size_t len);

#endif
