#include "render/registry.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "render/builtins.h"
#include "util/buf.h"

typedef struct text_entry {
    char *name;
    const char *text;
    size_t len;
    bool owned;
    char *source_path;
} text_entry;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static lv_helper_entry **helpers;
static size_t helper_count;
static text_entry *texts;
static size_t text_count;
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;

bool lv_registry_valid_name(const char *name, bool text_name)
{
    if (!name || !*name) return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                  (p != name && c >= '0' && c <= '9') ||
                  (text_name && p != name && (c == '.' || c == '-' || c == '/' || (c >= '0' && c <= '9')));
        if (!ok) return false;
    }
    return true;
}

static lv_helper_entry *find_helper(const char *name, size_t len)
{
    for (size_t i = 0; i < helper_count; i++)
        if (strncmp(helpers[i]->name, name, len) == 0 && helpers[i]->name[len] == '\0') return helpers[i];
    return NULL;
}

static void register_builtins_once(void)
{
    lv_builtin_helpers_register();
}

int lv_helper_register(const char *name, lv_helper_fn fn, void *user)
{
    /* Built-ins go first, so an application's helper of the same name
     * replaces the built-in rather than the other way round. */
    pthread_once(&builtins_once, register_builtins_once);
    return lv_registry_add_helper(name, fn, user);
}

int lv_registry_add_helper(const char *name, lv_helper_fn fn, void *user)
{
    if (!fn || !lv_registry_valid_name(name, false)) return -1;
    pthread_mutex_lock(&registry_lock);
    lv_helper_entry *e = find_helper(name, strlen(name));
    if (!e) {
        e = lv_xcalloc(1, sizeof *e);
        e->name = lv_xstrdup(name);
        helpers = lv_xrealloc(helpers, (helper_count + 1) * sizeof *helpers);
        helpers[helper_count++] = e;
    }
    e->fn = fn;
    e->user = user;
    pthread_mutex_unlock(&registry_lock);
    return 0;
}

const lv_helper_entry *lv_registry_helper(const char *name, size_t len)
{
    pthread_once(&builtins_once, register_builtins_once);
    pthread_mutex_lock(&registry_lock);
    const lv_helper_entry *e = find_helper(name, len);
    pthread_mutex_unlock(&registry_lock);
    return e;
}

static text_entry *find_text(const char *name, size_t len)
{
    for (size_t i = 0; i < text_count; i++)
        if (strncmp(texts[i].name, name, len) == 0 && texts[i].name[len] == '\0') return &texts[i];
    return NULL;
}

void lv_registry_set_text(const char *name, const char *text, size_t len, bool copy, const char *source_path)
{
    pthread_mutex_lock(&registry_lock);
    text_entry *e = find_text(name, strlen(name));
    if (!e) {
        texts = lv_xrealloc(texts, (text_count + 1) * sizeof *texts);
        e = &texts[text_count++];
        memset(e, 0, sizeof *e);
        e->name = lv_xstrdup(name);
    } else {
        if (e->owned) free((char *)e->text);
        free(e->source_path);
    }
    e->text = copy ? lv_xstrndup(text ? text : "", len) : text;
    e->len = len;
    e->owned = copy;
    e->source_path = source_path ? lv_xstrdup(source_path) : NULL;
    pthread_mutex_unlock(&registry_lock);
}

char *lv_registry_get_text(const char *name, size_t name_len, size_t *len, char **source_path)
{
    char *result = NULL;
    pthread_mutex_lock(&registry_lock);
    text_entry *e = find_text(name, name_len);
    if (!e) {
        lv_buf with_ext = LV_BUF_INIT;
        lv_buf_append(&with_ext, name, name_len);
        lv_buf_puts(&with_ext, ".html");
        e = find_text(with_ext.data, with_ext.len);
        lv_buf_free(&with_ext);
    }
    if (e) {
        result = lv_xstrndup(e->text, e->len);
        *len = e->len;
        if (source_path) *source_path = e->source_path ? lv_xstrdup(e->source_path) : NULL;
    }
    pthread_mutex_unlock(&registry_lock);
    return result;
}

int lv_partial(const char *name, const char *text)
{
    if (!lv_registry_valid_name(name, true)) return -1;
    lv_registry_set_text(name, text ? text : "", text ? strlen(text) : 0, true, NULL);
    return 0;
}

void lv_template_embed(const char *name, const char *text, size_t len, const char *source_path)
{
    if (!name || !text) return;
    lv_registry_set_text(name, text, len, false, source_path);
}
