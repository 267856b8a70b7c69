#include "net/assets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "<url_dir><stem>-<hash><ext>" for the file name's last path segment; the
 * hash is the 16 hex digits inside the quoted etag. Returns a new string. */
static char *fingerprinted_url(const char *url_dir, const char *name, const char *etag)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    lv_buf url = LV_BUF_INIT;
    lv_buf_printf(&url, "%s%.*s-%.16s%s", url_dir, (int)stem_len, base, etag + 1,
                  base + stem_len);
    return lv_buf_take(&url);
}

static lv_asset *add(lv_assets *assets)
{
    assets->items = lv_xrealloc(assets->items, (assets->count + 1) * sizeof *assets->items);
    lv_asset *a = lv_xcalloc(1, sizeof *a);
    assets->items[assets->count++] = a;
    return a;
}

const char *lv_assets_add_embedded(lv_assets *assets, const char *url_dir, const lv_embedded_file *file)
{
    lv_asset *a = add(assets);
    a->url_path = fingerprinted_url(url_dir, file->path, file->etag);
    a->body = lv_embedded_body(file);
    a->body.immutable = true;
    return a->url_path;
}

const char *lv_assets_add_copy(lv_assets *assets, const char *url_dir, const char *name, const char *data,
                               size_t len)
{
    lv_asset *a = add(assets);
    a->owned = lv_xmalloc(len + 1);
    if (len) memcpy(a->owned, data, len);
    a->owned[len] = '\0';
    lv_content_etag(a->owned, len, a->etag);
    a->url_path = fingerprinted_url(url_dir, name, a->etag);
    a->body = (lv_static_body){
        .content_type = lv_content_type_for(name),
        .data = a->owned,
        .len = len,
        .etag = a->etag,
        .immutable = true,
    };
    return a->url_path;
}

const char *lv_assets_add_file(lv_assets *assets, const char *url_dir, const char *name, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    lv_buf data = LV_BUF_INIT;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) lv_buf_append(&data, chunk, n);
    int failed = ferror(f);
    fclose(f);
    const char *url = NULL;
    if (failed)
        errno = EIO;
    else
        url = lv_assets_add_copy(assets, url_dir, name, data.data ? data.data : "", data.len);
    lv_buf_free(&data);
    return url;
}

void lv_assets_free(lv_assets *assets)
{
    for (size_t i = 0; i < assets->count; i++) {
        free(assets->items[i]->url_path);
        free(assets->items[i]->owned);
        free(assets->items[i]);
    }
    free(assets->items);
    assets->items = NULL;
    assets->count = 0;
}

const lv_asset *lv_assets_find(const lv_assets *assets, const char *path, size_t len)
{
    for (size_t i = 0; i < assets->count; i++) {
        const char *p = assets->items[i]->url_path;
        if (strlen(p) == len && memcmp(p, path, len) == 0) return assets->items[i];
    }
    return NULL;
}
