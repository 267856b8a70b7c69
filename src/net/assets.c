#include "net/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static const struct {
    const char *url_path;
    const char *file; /* relative to the assets directory */
    const char *content_type;
} asset_table[] = {
    {"/assets/phoenix.js", "node_modules/phoenix/priv/static/phoenix.js",
     "text/javascript; charset=utf-8"},
    {"/assets/phoenix_live_view.js", "node_modules/phoenix_live_view/priv/static/phoenix_live_view.js",
     "text/javascript; charset=utf-8"},
    {"/assets/app.js", "js/app.js", "text/javascript; charset=utf-8"},
    {"/assets/app.css", "css/app.css", "text/css; charset=utf-8"},
};

#define ASSET_COUNT (sizeof asset_table / sizeof asset_table[0])

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    lv_buf b = LV_BUF_INIT;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) lv_buf_append(&b, chunk, n);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        lv_buf_free(&b);
        return -1;
    }
    *len = b.len;
    *data = lv_buf_take(&b);
    return 0;
}

/* FNV-1a: the ETag only has to change when the content does. */
static unsigned long long fnv1a(const char *data, size_t len)
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int lv_assets_load(lv_assets *assets, const char *assets_dir)
{
    assets->items = lv_xcalloc(ASSET_COUNT, sizeof *assets->items);
    assets->count = 0;
    for (size_t i = 0; i < ASSET_COUNT; i++) {
        lv_buf path = LV_BUF_INIT;
        lv_buf_printf(&path, "%s/%s", assets_dir, asset_table[i].file);
        lv_asset *a = &assets->items[assets->count];
        if (read_file(path.data, &a->data, &a->len) != 0) {
            fprintf(stderr,
                    "liveview: cannot read %s: set LV_ASSETS_DIR to the project's assets/ "
                    "directory and run `npm ci` there (make run does both)\n",
                    path.data);
            lv_buf_free(&path);
            lv_assets_free(assets);
            return -1;
        }
        lv_buf_free(&path);
        a->url_path = asset_table[i].url_path;
        a->content_type = asset_table[i].content_type;
        snprintf(a->etag, sizeof a->etag, "\"%016llx\"", fnv1a(a->data, a->len));
        assets->count++;
    }
    return 0;
}

void lv_assets_free(lv_assets *assets)
{
    for (size_t i = 0; i < assets->count; i++) free(assets->items[i].data);
    free(assets->items);
    assets->items = NULL;
    assets->count = 0;
}

const lv_asset *lv_assets_find(const lv_assets *assets, const char *path, size_t len)
{
    for (size_t i = 0; i < assets->count; i++) {
        const char *p = assets->items[i].url_path;
        if (strlen(p) == len && memcmp(p, path, len) == 0) return &assets->items[i];
    }
    return NULL;
}
