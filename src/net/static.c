#include "net/static.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"

/* ------------------------------------------------------------------------
 * Header parsing
 * ------------------------------------------------------------------------ */

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_ows(const char *p)
{
    while (is_ows(*p)) p++;
    return p;
}

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_token(const char *p)
{
    while (is_tchar((unsigned char)*p)) p++;
    return p;
}

/* A qvalue (RFC 9110 §12.4.2) in thousandths, or -1 when malformed:
 * "0" ["." 0*3DIGIT] or "1" ["." 0*3"0"]. */
static int parse_qvalue(const char *p, const char *end)
{
    if (p == end || (*p != '0' && *p != '1')) return -1;
    int q = (*p - '0') * 1000;
    p++;
    if (p == end) return q;
    if (*p != '.') return -1;
    p++;
    int scale = 100, digits = 0;
    for (; p < end; p++, digits++) {
        if (digits == 3 || *p < '0' || *p > '9') return -1;
        q += (*p - '0') * scale;
        scale /= 10;
    }
    return q > 1000 ? -1 : q;
}

/* Reads the parameters after a coding (";q=0.5;x=y") up to the next ',' or
 * the end; sets *q (thousandths) from a "q" parameter. Returns where it
 * stopped, or NULL when the element is malformed. */
static const char *parse_params(const char *p, int *q)
{
    for (;;) {
        p = skip_ows(p);
        if (*p == ',' || *p == '\0') return p;
        if (*p != ';') return NULL;
        p = skip_ows(p + 1);
        const char *name = p;
        p = skip_token(p);
        if (p == name || *p != '=') return NULL;
        size_t name_len = (size_t)(p - name);
        const char *value = ++p;
        if (*p == '"') { /* a quoted-string value: skipped, only q matters */
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1]) p++;
            if (*p != '"') return NULL;
            p++;
        } else {
            p = skip_token(p);
        }
        if (name_len == 1 && (*name == 'q' || *name == 'Q')) {
            *q = parse_qvalue(value, p);
            if (*q < 0) return NULL;
        }
    }
}

static bool coding_is(const char *coding, size_t len, const char *name)
{
    return strlen(name) == len && strncasecmp(coding, name, len) == 0;
}

bool lv_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding) return false;
    int q_gzip = -1, q_any = -1, q_identity = -1;
    const char *p = accept_encoding;
    while (*p) {
        p = skip_ows(p);
        const char *coding = p;
        p = skip_token(p);
        size_t len = (size_t)(p - coding);
        int q = 1000;
        const char *after = len ? parse_params(p, &q) : NULL;
        if (after) {
            /* When a coding is listed twice, its best weight counts. */
            int *slot = coding_is(coding, len, "gzip") || coding_is(coding, len, "x-gzip") ? &q_gzip
                        : coding_is(coding, len, "*")                                     ? &q_any
                        : coding_is(coding, len, "identity")                              ? &q_identity
                                                                                          : NULL;
            if (slot && q > *slot) *slot = q;
            p = after;
        } else { /* a malformed element is ignored, not the whole header */
            while (*p && *p != ',') p++;
        }
        if (*p == ',') p++;
    }
    int gzip = q_gzip >= 0 ? q_gzip : q_any >= 0 ? q_any : 0;
    return gzip > 0 && q_identity <= gzip;
}

bool lv_etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match || !etag) return false;
    const char *p = skip_ows(if_none_match);
    if (*p == '*') return *skip_ows(p + 1) == '\0';
    size_t etag_len = strlen(etag);
    for (;;) {
        while (is_ows(*p) || *p == ',') p++;
        if (*p == '\0') return false;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        if (*p != '"') return false;
        const char *close = p + 1;
        /* etagc: %x21 / %x23-7E / obs-text */
        while (*close && *close != '"' && ((unsigned char)*close >= 0x21 && (unsigned char)*close != 0x7f))
            close++;
        if (*close != '"') return false;
        size_t len = (size_t)(close - p) + 1;
        if (len == etag_len && memcmp(p, etag, len) == 0) return true;
        p = skip_ows(close + 1);
        if (*p != ',' && *p != '\0') return false;
    }
}

/* ------------------------------------------------------------------------
 * Content types and ETags
 * ------------------------------------------------------------------------ */

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"txt", "text/plain; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"wasm", "application/wasm"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"pdf", "application/pdf"},
};

const char *lv_content_type_for(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    const char *dot = strrchr(base, '.');
    if (dot && dot != base)
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0) return content_types[i].type;
    return "application/octet-stream";
}

void lv_content_etag(const void *data, size_t len, char out[LV_ETAG_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (!EVP_Digest(data, len, digest, &digest_len, EVP_sha256(), NULL)) abort();
    out[0] = '"';
    for (int i = 0; i < 8; i++) snprintf(out + 1 + 2 * i, 3, "%02x", digest[i]);
    out[17] = '"';
    out[18] = '\0';
}

/* ------------------------------------------------------------------------
 * Request paths
 * ------------------------------------------------------------------------ */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes one segment of path (up to '/' or the end) onto out at *len.
 * Returns where it stopped, or NULL with *status set. */
static const char *decode_segment(const char *p, char *out, size_t cap, size_t *len, int *status)
{
    for (; *p && *p != '/'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            if (lo < 0) {
                *status = 400;
                return NULL;
            }
            c = (unsigned char)(hi * 16 + lo);
            p += 2;
            /* An encoded '/' would be a separator the checks below never saw. */
            if (c == '/') {
                *status = 400;
                return NULL;
            }
        }
        if (c == '\\' || c < 0x20 || c == 0x7f) {
            *status = 400;
            return NULL;
        }
        if (*len + 1 >= cap) {
            *status = 404;
            return NULL;
        }
        out[(*len)++] = (char)c;
    }
    return p;
}

int lv_static_path_decode(const char *path, char *out, size_t cap)
{
    if (cap == 0) return 404;
    out[0] = '\0';
    if (path[0] != '/') return 404;
    size_t len = 0;
    int depth = 0, status = 0;
    const char *p = path;
    while (*p == '/') {
        p++;
        if (++depth > LV_STATIC_DEPTH_MAX) return 404;
        if (len) {
            if (len + 1 >= cap) return 404;
            out[len++] = '/';
        }
        size_t start = len;
        p = decode_segment(p, out, cap, &len, &status);
        if (!p) {
            out[0] = '\0';
            return status;
        }
        size_t seg_len = len - start;
        const char *seg = out + start;
        if ((seg_len == 1 && seg[0] == '.') || (seg_len == 2 && seg[0] == '.' && seg[1] == '.')) {
            out[0] = '\0';
            return 400;
        }
        if (seg_len == 0 || seg[0] == '.') {
            out[0] = '\0';
            return 404;
        }
    }
    out[len] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------ */

void lv_static_respond(const lv_static_body *body, const lv_http_request *req, lv_http_response *res)
{
    bool gzip = body->gzip &&
                lv_accepts_gzip(lv_http_request_header(req, "accept-encoding"));
    const char *etag = gzip ? body->gzip_etag : body->etag;
    lv_buf_printf(&res->headers, "Cache-Control: %s\r\nETag: %s\r\n",
                  body->immutable ? "public, max-age=31536000, immutable" : "no-cache", etag);
    /* The same URL answers with different bytes depending on the request's
     * Accept-Encoding: shared caches must key on it. */
    if (body->gzip) lv_buf_puts(&res->headers, "Vary: Accept-Encoding\r\n");
    if (lv_etag_matches(lv_http_request_header(req, "if-none-match"), etag)) {
        res->status = 304;
        res->head_only = true;
        return;
    }
    res->status = 200;
    lv_http_response_set_type(res, body->content_type);
    if (gzip) lv_buf_puts(&res->headers, "Content-Encoding: gzip\r\n");
    res->body = gzip ? body->gzip : body->data;
    res->body_len = gzip ? body->gzip_len : body->len;
    res->head_only = strcmp(req->method, "HEAD") == 0;
}

const lv_embedded_file *lv_embedded_find(const lv_embedded_file *files, size_t count, const char *rel)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(files[i].path, rel) == 0) return &files[i];
    return NULL;
}

lv_static_body lv_embedded_body(const lv_embedded_file *file)
{
    return (lv_static_body){
        .content_type = lv_content_type_for(file->path),
        .data = (const char *)file->data,
        .len = file->len,
        .etag = file->etag,
        .gzip = file->gzip && file->gzip_etag ? (const char *)file->gzip : NULL,
        .gzip_len = file->gzip_len,
        .gzip_etag = file->gzip_etag,
    };
}

void lv_embedded_respond(const lv_embedded_file *file, const lv_http_request *req,
                         lv_http_response *res)
{
    lv_static_body body = lv_embedded_body(file);
    lv_static_respond(&body, req, res);
}

/* ------------------------------------------------------------------------
 * Folder mounts
 * ------------------------------------------------------------------------ */

/* What tells a file's content changed without reading it. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} file_id;

/* The bytes of one file as last read. */
typedef struct file_bytes {
    bool present;
    file_id id;
    char *data; /* owned */
    size_t len;
    char etag[LV_ETAG_SIZE];
} file_bytes;

typedef struct cached_file {
    char *rel; /* owned */
    file_bytes plain, gzip;
} cached_file;

/* Shared by every loop of the app: the cache is changed by whichever serves
 * a request, under lock, and a response carries its own copy of the bytes
 * (another loop may refresh the cached ones while this one writes). */
struct lv_static_dir {
    pthread_mutex_t lock;
    int fd;
    size_t max_file_bytes;
    cached_file *files;
    size_t count;
    size_t cached_bytes;
};

lv_static_dir *lv_static_dir_open(const char *path, size_t max_file_bytes)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return NULL;
    lv_static_dir *dir = lv_xcalloc(1, sizeof *dir);
    pthread_mutex_init(&dir->lock, NULL);
    dir->fd = fd;
    dir->max_file_bytes = max_file_bytes;
    return dir;
}

static void file_bytes_free(file_bytes *b)
{
    free(b->data);
    *b = (file_bytes){0};
}

void lv_static_dir_free(lv_static_dir *dir)
{
    if (!dir) return;
    for (size_t i = 0; i < dir->count; i++) {
        free(dir->files[i].rel);
        file_bytes_free(&dir->files[i].plain);
        file_bytes_free(&dir->files[i].gzip);
    }
    free(dir->files);
    close(dir->fd);
    pthread_mutex_destroy(&dir->lock);
    free(dir);
}

/* Opens rel below the folder one segment at a time, never following a
 * symbolic link (O_NOFOLLOW on each), so nothing outside the folder is
 * reached. Returns an fd of a regular file with *st filled, or -1. */
static int open_below(int root, const char *rel, struct stat *st)
{
    char segment[LV_STATIC_PATH_MAX];
    int at = root;
    const char *p = rel;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || len >= sizeof segment) break;
        memcpy(segment, p, len);
        segment[len] = '\0';
        /* O_NONBLOCK: opening a FIFO someone left there must not hang the loop. */
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (slash ? O_DIRECTORY : 0);
        int fd = openat(at, segment, flags);
        if (at != root) close(at);
        if (fd < 0) return -1;
        if (!slash) {
            if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) break;
            return fd;
        }
        at = fd;
        p = slash + 1;
    }
    if (at != root) close(at);
    return -1;
}

static file_id id_of(const struct stat *st)
{
    return (file_id){st->st_dev, st->st_ino, st->st_size, st->st_mtim};
}

static bool same_id(const file_id *a, const file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Reads all of fd (size bytes expected) into out. Returns 0 or -1. */
static int read_all(int fd, size_t size, file_bytes *out)
{
    char *data = lv_xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd, data + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            free(data);
            return -1;
        }
        if (n == 0) break; /* shrank while read: serve what is there */
        got += (size_t)n;
    }
    out->data = data;
    out->len = got;
    lv_content_etag(data, got, out->etag);
    out->present = true;
    return 0;
}

/* Brings b up to date with the file rel names (absent when it is not a
 * regular file, or too large), keeping dir->cached_bytes in step. */
static void refresh(lv_static_dir *dir, const char *rel, file_bytes *b)
{
    struct stat st;
    int fd = open_below(dir->fd, rel, &st);
    if (fd < 0) {
        if (b->present) dir->cached_bytes -= b->len;
        file_bytes_free(b);
        return;
    }
    file_id id = id_of(&st);
    if (b->present && same_id(&b->id, &id)) {
        close(fd);
        return;
    }
    if (b->present) dir->cached_bytes -= b->len;
    file_bytes_free(b);
    if ((uint64_t)st.st_size > dir->max_file_bytes) {
        lv_log_warn("static file %s not served: %lld bytes, more than max_outbound_bytes", rel,
                    (long long)st.st_size);
    } else if (read_all(fd, (size_t)st.st_size, b) == 0) {
        b->id = id;
        dir->cached_bytes += b->len;
    } else {
        lv_log_warn("static file %s could not be read: %s", rel, strerror(errno));
    }
    close(fd);
}

static cached_file *find_cached(lv_static_dir *dir, const char *rel)
{
    for (size_t i = 0; i < dir->count; i++)
        if (strcmp(dir->files[i].rel, rel) == 0) return &dir->files[i];
    return NULL;
}

static void respond_from(const char *rel, const file_bytes *plain, const file_bytes *gzip,
                         const lv_http_request *req, lv_http_response *res)
{
    lv_static_body body = {
        .content_type = lv_content_type_for(rel),
        .data = plain->data,
        .len = plain->len,
        .etag = plain->etag,
        .gzip = gzip->present ? gzip->data : NULL,
        .gzip_len = gzip->len,
        .gzip_etag = gzip->etag,
    };
    lv_static_respond(&body, req, res);
}

/* Keeps the response's bytes in the response itself (a file beyond the
 * cache's budget is read for this request only). */
static void take_bytes(lv_http_response *res, file_bytes *plain, file_bytes *gzip)
{
    const file_bytes *sent = res->body && gzip->present && res->body == gzip->data ? gzip : plain;
    if (res->body && sent->present) {
        lv_buf owned = LV_BUF_INIT;
        lv_buf_append(&owned, sent->data, sent->len);
        bool head_only = res->head_only;
        lv_http_response_take_body(res, &owned);
        res->head_only = head_only;
    }
    file_bytes_free(plain);
    file_bytes_free(gzip);
}

/* Makes the response own its body: the cached bytes it points to may be
 * replaced by another loop once the lock is released. */
static void own_body(lv_http_response *res)
{
    if (!res->body || res->body == res->body_buf.data) return;
    lv_buf owned = LV_BUF_INIT;
    lv_buf_append(&owned, res->body, res->body_len);
    bool head_only = res->head_only;
    lv_http_response_take_body(res, &owned);
    res->head_only = head_only;
}

static void serve_locked(lv_static_dir *dir, const char *rel, const lv_http_request *req,
                         lv_http_response *res)
{
    char gz_rel[LV_STATIC_PATH_MAX + 4];
    snprintf(gz_rel, sizeof gz_rel, "%s.gz", rel);
    cached_file *cached = find_cached(dir, rel);
    if (cached) {
        refresh(dir, rel, &cached->plain);
        refresh(dir, gz_rel, &cached->gzip);
        if (cached->plain.present) {
            respond_from(rel, &cached->plain, &cached->gzip, req, res);
            return;
        }
        /* Gone: forget it, so the cache holds only files that exist. */
        file_bytes_free(&cached->gzip);
        free(cached->rel);
        *cached = dir->files[--dir->count];
        lv_http_response_error(res, 404, false);
        return;
    }
    size_t before = dir->cached_bytes;
    file_bytes plain = {0}, gzip = {0};
    refresh(dir, rel, &plain);
    if (!plain.present) {
        lv_http_response_error(res, 404, false);
        return;
    }
    refresh(dir, gz_rel, &gzip);
    if (dir->cached_bytes > LV_STATIC_CACHE_BYTES) {
        dir->cached_bytes = before;
        respond_from(rel, &plain, &gzip, req, res);
        take_bytes(res, &plain, &gzip);
        return;
    }
    dir->files = lv_xrealloc(dir->files, (dir->count + 1) * sizeof *dir->files);
    cached = &dir->files[dir->count++];
    *cached = (cached_file){lv_xstrdup(rel), plain, gzip};
    respond_from(rel, &cached->plain, &cached->gzip, req, res);
}

void lv_static_dir_serve(lv_static_dir *dir, const char *rel, const lv_http_request *req,
                         lv_http_response *res)
{
    pthread_mutex_lock(&dir->lock);
    serve_locked(dir, rel, req, res);
    own_body(res);
    pthread_mutex_unlock(&dir->lock);
}
