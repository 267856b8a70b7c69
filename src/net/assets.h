/* Static bytes served from memory: files read once when the server starts,
 * each under one exact URL path with an ETag. Which file is served at which
 * path is decided above (endpoint/endpoint.c's table); this is only the store.
 * Requests are matched by exact path against that fixed set, so no request
 * path ever reaches the file system: path traversal has nothing to work on. */
#ifndef LV_NET_ASSETS_H
#define LV_NET_ASSETS_H

#include <stddef.h>

#include "util/buf.h"

/* One file to serve: all three strings must outlive the store. */
typedef struct lv_asset_file {
    const char *url_path;     /* e.g. "/assets/app.js" */
    const char *file;         /* relative to the assets directory */
    const char *content_type;
} lv_asset_file;

typedef struct lv_asset {
    const char *url_path;     /* borrowed (see lv_asset_file) */
    const char *content_type; /* borrowed */
    char *data;               /* owned */
    size_t len;
    char etag[24];            /* "\"<16 hex>\"" */
} lv_asset;

typedef struct lv_assets {
    lv_asset *items;
    size_t count;
} lv_assets;

/* Reads each file below dir into the store (which starts empty). Returns 0,
 * or -1 with the store emptied and the path that could not be read
 * appended to `missing`. */
int lv_assets_load(lv_assets *assets, const char *dir, const lv_asset_file *files, size_t count,
                   lv_buf *missing);
/* Adds a copy of len bytes of data under url_path (the strings are
 * borrowed, as in lv_asset_file). */
void lv_assets_add(lv_assets *assets, const char *url_path, const char *content_type,
                   const char *data, size_t len);
void lv_assets_free(lv_assets *assets);
/* The asset served at exactly this path, or NULL. */
const lv_asset *lv_assets_find(const lv_assets *assets, const char *path, size_t len);

#endif
