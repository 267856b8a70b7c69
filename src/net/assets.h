/* The browser client's files, served from memory under fingerprinted URLs
 * ("/assets/app-<hash>.js": the hash is of the bytes), so a browser keeps
 * each one for a year and never asks again; new bytes are a new URL. Which
 * files are served is decided above (endpoint/assets.c); this is only the
 * store. Requests are matched by exact path against that fixed set, so no
 * request path ever reaches the file system. */
#ifndef LV_NET_ASSETS_H
#define LV_NET_ASSETS_H

#include <stddef.h>

#include "liveview.h"
#include "net/static.h"
#include "util/buf.h"

typedef struct lv_asset {
    char *url_path;      /* owned */
    lv_static_body body; /* into an embedded table (static) or `owned` */
    char *owned;         /* bytes read at start, or NULL */
    char etag[LV_ETAG_SIZE];
} lv_asset;

typedef struct lv_assets {
    lv_asset **items; /* each owned; body.etag may point into its item */
    size_t count;
} lv_assets;

#define LV_ASSETS_INIT {0}

/* Serves an embedded file (borrowed: it must outlive the store) at
 * url_dir + "<stem>-<hash><ext>" of its path, with its gzip copy. Returns
 * that URL path, owned by the store. */
const char *lv_assets_add_embedded(lv_assets *assets, const char *url_dir, const lv_embedded_file *file);
/* Serves a copy of len bytes of data as the file `name` would be (its
 * extension gives the content type), without a gzip copy. Returns the URL
 * path, owned by the store. */
const char *lv_assets_add_copy(lv_assets *assets, const char *url_dir, const char *name, const char *data,
                               size_t len);
/* Reads the file at path and serves it as lv_assets_add_copy does. Returns
 * the URL path, or NULL with errno set when the file cannot be read. */
const char *lv_assets_add_file(lv_assets *assets, const char *url_dir, const char *name, const char *path);
void lv_assets_free(lv_assets *assets);
/* The asset served at exactly this path, or NULL. */
const lv_asset *lv_assets_find(const lv_assets *assets, const char *path, size_t len);

#endif
