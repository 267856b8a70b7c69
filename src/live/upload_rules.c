#include "live/upload_rules.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool mime_item_ok(const char *s, size_t n)
{
    const char *slash = memchr(s, '/', n);
    if (!slash || slash == s || slash == s + n - 1) return false;
    if (memchr(slash + 1, '/', (size_t)(s + n - slash - 1))) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && !strchr("/.+-_*", c)) return false;
    }
    /* A '*' only as the whole subtype. */
    const char *star = memchr(s, '*', n);
    return !star || (star == slash + 1 && star == s + n - 1);
}

static bool ext_item_ok(const char *s, size_t n)
{
    if (n < 2 || s[0] != '.') return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-') return false;
    return true;
}

bool lv_upload_accept_parse(const char *accept, lv_upload_accept *out, const char **error)
{
    memset(out, 0, sizeof *out);
    *error = NULL;
    if (!accept) return true;
    const char *p = accept;
    while (*p) {
        p += strspn(p, " ,\t");
        size_t n = strcspn(p, " ,\t");
        if (n == 0) break;
        if (out->count == LV_UPLOAD_MAX_ACCEPT_ITEMS) {
            *error = "too many accept items";
            return false;
        }
        if (n > LV_UPLOAD_MAX_ACCEPT_ITEM) {
            *error = "an accept item is too long";
            return false;
        }
        if (!ext_item_ok(p, n) && !mime_item_ok(p, n)) {
            *error = "an accept item is neither an extension (.png) nor a MIME type (image/png, image/*)";
            return false;
        }
        char *item = out->items[out->count++];
        for (size_t i = 0; i < n; i++) item[i] = (char)tolower((unsigned char)p[i]);
        item[n] = '\0';
        p += n;
    }
    return true;
}

/* The extension of a file name, from its last '.', or NULL. */
static const char *extension_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : NULL;
}

bool lv_upload_accepts(const lv_upload_accept *accept, const char *client_name, const char *client_type)
{
    if (accept->count == 0) return true;
    const char *ext = client_name ? extension_of(client_name) : NULL;
    const char *type = client_type ? client_type : "";
    const char *type_slash = strchr(type, '/');
    for (size_t i = 0; i < accept->count; i++) {
        const char *item = accept->items[i];
        if (item[0] == '.') {
            if (ext && strcasecmp(ext, item) == 0) return true;
        } else if (item[strlen(item) - 1] == '*') {
            size_t major = strlen(item) - 1; /* "image/" */
            if (type_slash && (size_t)(type_slash - type) + 1 == major && strncasecmp(type, item, major) == 0 &&
                type_slash[1] != '\0')
                return true;
        } else if (strcasecmp(type, item) == 0) {
            return true;
        }
    }
    return false;
}

void lv_upload_accept_attr(const lv_upload_accept *accept, char *out, size_t cap)
{
    size_t len = 0;
    if (cap) out[0] = '\0';
    for (size_t i = 0; i < accept->count; i++) {
        size_t n = strlen(accept->items[i]);
        if (len + n + 2 > cap) return;
        if (i) out[len++] = ',';
        memcpy(out + len, accept->items[i], n + 1);
        len += n;
    }
}

const char *lv_upload_entry_error(const lv_upload_accept *accept, int64_t max_file_size, const char *client_name,
                                  const char *client_type, int64_t client_size)
{
    if (client_size < 0 || client_size > max_file_size) return LV_UPLOAD_TOO_LARGE;
    if (!lv_upload_accepts(accept, client_name, client_type)) return LV_UPLOAD_NOT_ACCEPTED;
    return NULL;
}

lv_upload_chunk_verdict lv_upload_chunk_check(int64_t received, size_t chunk_len, int64_t client_size,
                                              int64_t max_file_size, size_t chunk_size)
{
    if (chunk_len > chunk_size) return LV_UPLOAD_CHUNK_TOO_BIG;
    int64_t limit = client_size < max_file_size ? client_size : max_file_size;
    if (received < 0 || received > limit || (uint64_t)chunk_len > (uint64_t)(limit - received))
        return LV_UPLOAD_CHUNK_OVER_SIZE;
    return LV_UPLOAD_CHUNK_OK;
}

bool lv_upload_ref_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-') return false;
    return true;
}
