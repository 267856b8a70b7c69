#include "live/templates.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "render/registry.h"
#include "util/buf.h"
#include "util/log.h"

/* Template files larger than this are refused: a template is source code. */
#define MAX_TEMPLATE_BYTES (4u << 20)

bool lv_templates_dev_mode(void)
{
    const char *env = getenv("LV_ENV");
    return env && (strcmp(env, "dev") == 0 || strcmp(env, "development") == 0);
}

/* A file a template was built from, as it was when read. */
typedef struct file_stamp {
    char *path;
    int64_t mtime_ns;
    int64_t size;
} file_stamp;

typedef struct origin {
    const lv_view *view;
    file_stamp *files;
    size_t file_count;
} origin;

static void origin_free(void *p)
{
    origin *o = p;
    if (!o) return;
    for (size_t i = 0; i < o->file_count; i++) free(o->files[i].path);
    free(o->files);
    free(o);
}

static bool stamp_of(const char *path, file_stamp *out)
{
    struct stat st;
    if (stat(path, &st) != 0) return false;
    out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    out->size = (int64_t)st.st_size;
    return true;
}

static void remember_file(origin *o, const char *path)
{
    for (size_t i = 0; i < o->file_count; i++)
        if (strcmp(o->files[i].path, path) == 0) return;
    file_stamp stamp = {0};
    if (!stamp_of(path, &stamp)) return;
    stamp.path = lv_xstrdup(path);
    o->files = lv_xrealloc(o->files, (o->file_count + 1) * sizeof *o->files);
    o->files[o->file_count++] = stamp;
}

/* Reads a whole file. Returns a malloc'd, NUL-terminated text, or NULL with
 * errno set. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    lv_buf b = LV_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        lv_buf_append(&b, chunk, n);
        if (b.len > MAX_TEMPLATE_BYTES) {
            fclose(f);
            lv_buf_free(&b);
            errno = EFBIG;
            return NULL;
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        lv_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    *len = b.len;
    return lv_buf_take(&b);
}

/* The path a relative template name is read from. */
static char *disk_path(const char *name)
{
    const char *dir = getenv("LV_TEMPLATES_DIR");
    if (name[0] == '/' || !dir || !*dir) return lv_xstrdup(name);
    lv_buf b = LV_BUF_INIT;
    lv_buf_printf(&b, "%s/%s", dir, name);
    return lv_buf_take(&b);
}

/* Finds the text of a template or partial called name: in development, the
 * file on disk wins (an embedded template's source file, or name itself);
 * otherwise the registered or embedded text, then the file. Records the file
 * read in o. Returns a malloc'd text or NULL. */
static char *find_text(origin *o, const char *name, size_t name_len, size_t *len, bool allow_disk, bool *from_disk)
{
    bool dev = lv_templates_dev_mode();
    char *source_path = NULL;
    char *text = lv_registry_get_text(name, name_len, len, &source_path);
    *from_disk = false;
    if (dev && source_path) {
        size_t disk_len;
        char *disk = read_file(source_path, &disk_len);
        if (disk) {
            free(text);
            text = disk;
            *len = disk_len;
            *from_disk = true;
            remember_file(o, source_path);
        }
    }
    free(source_path);
    if (text || !allow_disk) return text;
    char *zname = lv_xstrndup(name, name_len);
    char *path = disk_path(zname);
    free(zname);
    text = read_file(path, len);
    if (text) {
        *from_disk = true;
        remember_file(o, path);
    }
    free(path);
    return text;
}

/* Partials keep what was read until compile returns. */
typedef struct resolver_ctx {
    origin *o;
    char **texts;
    size_t count;
} resolver_ctx;

static bool resolve_partial(void *user, const char *name, const char **text, size_t *len, const char **source_name)
{
    resolver_ctx *rc = user;
    bool from_disk;
    /* Partials are found by name in the registry (lv_partial, partial files,
     * embedded templates); only development re-reads their files. */
    char *found = find_text(rc->o, name, strlen(name), len, false, &from_disk);
    if (!found) return false;
    rc->texts = lv_xrealloc(rc->texts, (rc->count + 1) * sizeof *rc->texts);
    rc->texts[rc->count++] = found;
    *text = found;
    *source_name = name;
    return true;
}

static lv_tmpl *compile_view(const lv_view *view, lv_tmpl_error *err)
{
    const char *name = view->name ? view->name : (view->template_file ? view->template_file : "template");
    origin *o = lv_xcalloc(1, sizeof *o);
    o->view = view;
    char *owned_text = NULL;
    const char *text = view->template_text;
    size_t len = text ? strlen(text) : 0;
    if (!text && view->template_file) {
        bool from_disk;
        owned_text = find_text(o, view->template_file, strlen(view->template_file), &len, true, &from_disk);
        if (!owned_text) {
            if (err) {
                memset(err, 0, sizeof *err);
                snprintf(err->message, sizeof err->message,
                         "%s: template file \"%s\" is neither embedded nor readable (%s)", name,
                         view->template_file, strerror(errno ? errno : ENOENT));
            }
            origin_free(o);
            return NULL;
        }
        text = owned_text;
    } else if (!text) {
        if (err) {
            memset(err, 0, sizeof *err);
            snprintf(err->message, sizeof err->message, "%s: the view has no template_text or template_file", name);
        }
        origin_free(o);
        return NULL;
    }

    resolver_ctx rc = {o, NULL, 0};
    lv_tmpl_options opts = {resolve_partial, &rc};
    lv_tmpl *t = lv_tmpl_compile_ex(name, text, len, &opts, err);
    for (size_t i = 0; i < rc.count; i++) free(rc.texts[i]);
    free(rc.texts);
    free(owned_text);
    if (!t) {
        origin_free(o);
        return NULL;
    }
    t->origin = o;
    t->origin_free = origin_free;
    /* Only a template with files behind it can change under a running
     * server, and only development looks. */
    t->reloadable = lv_templates_dev_mode() && o->file_count > 0;
    return t;
}

lv_tmpl *lv_template_load(const lv_view *view, lv_tmpl_error *err)
{
    return compile_view(view, err);
}

bool lv_template_refresh(lv_tmpl *t)
{
    if (!t || !t->reloadable || !t->origin) return false;
    origin *o = t->origin;
    bool changed = false;
    for (size_t i = 0; i < o->file_count && !changed; i++) {
        file_stamp now = {0};
        /* A file that is missing for a moment (an editor saving by rename)
         * is not a change; it is looked at again on the next render. */
        if (stamp_of(o->files[i].path, &now) && (now.mtime_ns != o->files[i].mtime_ns || now.size != o->files[i].size))
            changed = true;
    }
    if (!changed) return false;

    lv_tmpl_error err;
    lv_tmpl *fresh = compile_view(o->view, &err);
    if (!fresh) {
        lv_log_error("template changed but does not compile, keeping the old one: %s", err.message);
        /* Remember the broken files' stamps so the error prints once per
         * save rather than once per render. */
        for (size_t i = 0; i < o->file_count; i++) stamp_of(o->files[i].path, &o->files[i]);
        return false;
    }
    lv_log_info("template %s reloaded", t->name);
    lv_tmpl old = *t;
    *t = *fresh;
    *fresh = old;
    lv_tmpl_free(fresh);
    return true;
}

int lv_partial_file(const char *name, const char *path)
{
    if (!lv_registry_valid_name(name, true) || !path) {
        lv_log_error("invalid partial name \"%s\"", name ? name : "(null)");
        return -1;
    }
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        lv_log_error("partial %s: cannot read %s: %s", name, path, strerror(errno));
        return -1;
    }
    lv_registry_set_text(name, text, len, true, path);
    free(text);
    return 0;
}
