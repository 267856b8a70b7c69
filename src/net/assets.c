#include "net/assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_file(const char *path, lv_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) lv_buf_append(out, chunk, n);
    int failed = ferror(f);
    fclose(f);
    return failed ? -1 : 0;
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

static void add_owned(lv_assets *assets, const char *url_path, const char *content_type, char *data,
                      size_t len)
{
    assets->items = lv_xrealloc(assets->items, (assets->count + 1) * sizeof *assets->items);
    lv_asset *a = &assets->items[assets->count++];
    a->url_path = url_path;
    a->content_type = content_type;
    a->data = data;
    a->len = len;
    snprintf(a->etag, sizeof a->etag, "\"%016llx\"", fnv1a(data, len));
}

int lv_assets_load(lv_assets *assets, const char *dir, const lv_asset_file *files, size_t count,
                   lv_buf *missing)
{
    *assets = (lv_assets){0};
    for (size_t i = 0; i < count; i++) {
        lv_buf path = LV_BUF_INIT, data = LV_BUF_INIT;
        lv_buf_printf(&path, "%s/%s", dir, files[i].file);
        if (read_file(path.data, &data) != 0) {
            lv_buf_append(missing, path.data, path.len);
            lv_buf_free(&path);
            lv_buf_free(&data);
            lv_assets_free(assets);
            return -1;
        }
        lv_buf_free(&path);
        size_t len = data.len;
        add_owned(assets, files[i].url_path, files[i].content_type, lv_buf_take(&data), len);
    }
    return 0;
}

void lv_assets_add(lv_assets *assets, const char *url_path, const char *content_type,
                   const char *data, size_t len)
{
    char *copy = lv_xmalloc(len + 1);
    if (len) memcpy(copy, data, len);
    copy[len] = '\0';
    add_owned(assets, url_path, content_type, copy, len);
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
