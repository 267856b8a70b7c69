/* The client's files and the lv_static mounts (endpoint/files.h). */
#include "endpoint/files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "net/assets.h"
#include "net/static.h"
#include "render/escape.h"
#include "util/log.h"

/* The client compiled into the library by CMake (LiveViewEmbedFiles.cmake):
 * "phoenix.js" (phoenix.min.js then phoenix_live_view.min.js, joined),
 * "app.js" and "app.css" (assets/js, assets/css as they are). */
extern const lv_embedded_file lv_client_files[];
extern const size_t lv_client_files_count;

typedef struct static_mount {
    char *prefix; /* owned, without a trailing '/' */
    size_t prefix_len;
    lv_static_dir *dir;              /* a folder, or */
    const lv_embedded_file *files; /* an embedded table (borrowed) */
    size_t count;
} static_mount;

struct lv_app_files {
    bool client_ready;
    lv_assets client;
    static_mount *mounts;
    size_t mount_count;
};

static void files_free(struct lv_app_files *files)
{
    if (!files) return;
    lv_assets_free(&files->client);
    for (size_t i = 0; i < files->mount_count; i++) {
        free(files->mounts[i].prefix);
        lv_static_dir_free(files->mounts[i].dir);
    }
    free(files->mounts);
    free(files);
}

static struct lv_app_files *files_of(lv_app *app)
{
    if (!app->files) {
        app->files = lv_xcalloc(1, sizeof *app->files);
        app->files_free = files_free;
    }
    return app->files;
}

/* ------------------------------------------------------------------------
 * The client
 * ------------------------------------------------------------------------ */

static const lv_embedded_file *client_file(const char *name)
{
    const lv_embedded_file *f = lv_embedded_find(lv_client_files, lv_client_files_count, name);
    if (!f) abort(); /* the build embeds all three: a missing one is a build bug */
    return f;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* app.js and app.css from the override folder (app.css only when there);
 * the embedded ones otherwise. Returns -1 after logging when the folder
 * has no readable js/app.js. */
static int add_app_files(lv_assets *client, const char *dir, const char **js_url, const char **css_url)
{
    *js_url = *css_url = NULL;
    if (dir && *dir) {
        lv_buf path = LV_BUF_INIT;
        lv_buf_printf(&path, "%s/js/app.js", dir);
        *js_url = lv_assets_add_file(client, LV_ASSETS_URL_DIR, "app.js", path.data);
        if (!*js_url) {
            lv_log_error("cannot read %s (%s): LV_ASSETS_DIR (lv_config.assets_dir) names a folder whose "
                         "js/app.js replaces the built-in one; unset it to use the built-in client",
                         path.data, strerror(errno));
            lv_buf_free(&path);
            return -1;
        }
        lv_buf_reset(&path);
        lv_buf_printf(&path, "%s/css/app.css", dir);
        if (file_exists(path.data)) {
            *css_url = lv_assets_add_file(client, LV_ASSETS_URL_DIR, "app.css", path.data);
            if (!*css_url) {
                lv_log_error("cannot read %s: %s", path.data, strerror(errno));
                lv_buf_free(&path);
                return -1;
            }
        }
        lv_buf_free(&path);
        lv_log_info("serving js/app.js%s from %s", *css_url ? " and css/app.css" : "", dir);
    }
    if (!*js_url) *js_url = lv_assets_add_embedded(client, LV_ASSETS_URL_DIR, client_file("app.js"));
    if (!*css_url) *css_url = lv_assets_add_embedded(client, LV_ASSETS_URL_DIR, client_file("app.css"));
    return 0;
}

static void put_tag(lv_buf *out, const char *before, const char *url, const char *after)
{
    lv_buf_puts(out, before);
    lv_html_escape(out, url, strlen(url));
    lv_buf_puts(out, after);
}

int lv_app_files_prepare(lv_app *app)
{
    struct lv_app_files *files = files_of(app);
    if (files->client_ready) return 0;
    /* The Phoenix scripts stay embedded (with their gzip copy) whatever
     * assets_dir says; they run before app.js, which uses them: `defer`
     * scripts run in document order. */
    const char *phoenix_url = lv_assets_add_embedded(&files->client, LV_ASSETS_URL_DIR, client_file("phoenix.js"));
    const char *js_url, *css_url;
    if (add_app_files(&files->client, app->config.assets_dir, &js_url, &css_url) != 0) {
        lv_assets_free(&files->client);
        return -1;
    }
    lv_buf tags = LV_BUF_INIT;
    put_tag(&tags, "<link rel=\"stylesheet\" href=\"", css_url, "\">\n");
    put_tag(&tags, "<script defer src=\"", phoenix_url, "\"></script>\n");
    put_tag(&tags, "<script defer src=\"", js_url, "\"></script>\n");
    free(app->asset_tags);
    app->asset_tags = lv_buf_take(&tags);
    files->client_ready = true;
    return 0;
}

/* ------------------------------------------------------------------------
 * Mounts
 * ------------------------------------------------------------------------ */

static bool prefix_owns(const char *prefix, size_t prefix_len, const char *path)
{
    return strncmp(path, prefix, prefix_len) == 0 && (path[prefix_len] == '/' || path[prefix_len] == '\0');
}

/* A copy of url_prefix without its trailing '/', or NULL after logging why
 * it cannot be a mount's. */
static char *mount_prefix(lv_app *app, const char *url_prefix)
{
    if (!url_prefix || url_prefix[0] != '/') {
        lv_log_error("lv_static: the prefix must start with '/' (got \"%s\")", url_prefix ? url_prefix : "(null)");
        return NULL;
    }
    size_t len = strlen(url_prefix);
    while (len > 1 && url_prefix[len - 1] == '/') len--;
    if (len == 1) {
        lv_log_error("lv_static: \"/\" would hide every page; serve files under a prefix such as /static");
        return NULL;
    }
    char *prefix = lv_xstrndup(url_prefix, len);
    char decoded[LV_STATIC_PATH_MAX];
    if (lv_static_path_decode(prefix, decoded, sizeof decoded) != 0 || strchr(prefix, '%')) {
        lv_log_error("lv_static: the prefix %s has an empty, dot or encoded segment", prefix);
        free(prefix);
        return NULL;
    }
    const struct lv_app_files *files = app->files;
    for (size_t i = 0; files && i < files->mount_count; i++) {
        const static_mount *m = &files->mounts[i];
        if (prefix_owns(m->prefix, m->prefix_len, prefix) || prefix_owns(prefix, len, m->prefix)) {
            lv_log_error("lv_static: %s overlaps the mount at %s", prefix, m->prefix);
            free(prefix);
            return NULL;
        }
    }
    return prefix;
}

static void add_mount(lv_app *app, static_mount mount)
{
    struct lv_app_files *files = files_of(app);
    files->mounts = lv_xrealloc(files->mounts, (files->mount_count + 1) * sizeof *files->mounts);
    mount.prefix_len = strlen(mount.prefix);
    files->mounts[files->mount_count++] = mount;
}

int lv_static(lv_app *app, const char *url_prefix, const char *dir)
{
    char *prefix = mount_prefix(app, url_prefix);
    if (!prefix) return -1;
    /* A response body bigger than what may wait for a slow client would
     * have that client disconnected mid-file. */
    lv_static_dir *d = dir ? lv_static_dir_open(dir, app->config.max_outbound_bytes) : NULL;
    if (!d) {
        lv_log_error("lv_static: cannot open the folder %s: %s", dir ? dir : "(null)",
                     dir ? strerror(errno) : "no folder given");
        free(prefix);
        return -1;
    }
    add_mount(app, (static_mount){.prefix = prefix, .dir = d});
    return 0;
}

int lv_static_embedded(lv_app *app, const char *url_prefix, const lv_embedded_file *files, size_t count)
{
    if (!files && count) {
        lv_log_error("lv_static_embedded: no table given");
        return -1;
    }
    char *prefix = mount_prefix(app, url_prefix);
    if (!prefix) return -1;
    add_mount(app, (static_mount){.prefix = prefix, .files = files, .count = count});
    return 0;
}

/* ------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------ */

static bool method_allowed(const lv_http_request *http, lv_http_response *res)
{
    if (strcmp(http->method, "GET") == 0 || strcmp(http->method, "HEAD") == 0) return true;
    lv_http_response_error(res, 405, false);
    lv_buf_puts(&res->headers, "Allow: GET, HEAD\r\n");
    return false;
}

static void serve_mount(static_mount *m, const lv_http_request *http, lv_http_response *res)
{
    char rel[LV_STATIC_PATH_MAX];
    int status = lv_static_path_decode(http->path + m->prefix_len, rel, sizeof rel);
    if (status != 0) {
        lv_http_response_error(res, status, false);
        return;
    }
    if (m->dir) {
        lv_static_dir_serve(m->dir, rel, http, res);
        return;
    }
    const lv_embedded_file *f = lv_embedded_find(m->files, m->count, rel);
    if (f)
        lv_embedded_respond(f, http, res);
    else
        lv_http_response_error(res, 404, false);
}

bool lv_app_files_serve(lv_app *app, const lv_http_request *http, lv_http_response *res)
{
    struct lv_app_files *files = app->files;
    if (!files) return false;
    const lv_asset *asset = lv_assets_find(&files->client, http->path, strlen(http->path));
    if (asset) {
        if (method_allowed(http, res)) lv_static_respond(&asset->body, http, res);
        return true;
    }
    for (size_t i = 0; i < files->mount_count; i++) {
        static_mount *m = &files->mounts[i];
        if (!prefix_owns(m->prefix, m->prefix_len, http->path)) continue;
        if (method_allowed(http, res)) serve_mount(m, http, res);
        return true;
    }
    return false;
}
