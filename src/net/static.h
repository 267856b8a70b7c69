/* Serving files: the HTTP decisions (content negotiation of gzip, ETag
 * revalidation, content types, which request paths name a file) and the
 * folder mounts behind lv_static. The decisions are plain functions over
 * strings, free of I/O, so unit tests and the fuzzer drive them directly;
 * only lv_static_dir_* opens files.
 *
 * Threading: a folder mount's cache is changed when it serves, so a mount
 * is used from one thread at a time (the loop's). */
#ifndef LV_NET_STATIC_H
#define LV_NET_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "liveview.h"
#include "net/endpoint.h"

/* Whether a request whose Accept-Encoding is this value (NULL: no header)
 * takes a gzip body (RFC 9110 §12.5.3): gzip or x-gzip, else "*", with a
 * weight above zero and not below an explicit identity's. No header means
 * identity, as nginx does: a client that says nothing gets plain bytes. */
bool lv_accepts_gzip(const char *accept_encoding);

/* Whether an If-None-Match value (NULL: none) matches etag (a quoted
 * entity tag), by the weak comparison RFC 9110 §13.1.2 asks for: "*", or
 * one of the listed tags with or without W/. A malformed list matches
 * nothing (the client then gets the whole body, which is always safe). */
bool lv_etag_matches(const char *if_none_match, const char *etag);

/* The Content-Type of a file by the extension of its name (any case);
 * application/octet-stream when unknown. A static string. */
const char *lv_content_type_for(const char *name);

/* Quoted content hash ("\"<16 hex digits of SHA-256>\"") in out. */
#define LV_ETAG_SIZE 19
void lv_content_etag(const void *data, size_t len, char out[LV_ETAG_SIZE]);

/* The longest relative path a mount looks up, and its deepest nesting. */
#define LV_STATIC_PATH_MAX 1024
#define LV_STATIC_DEPTH_MAX 32

/* Turns the part of a request path below a mount ("/img/a%20b.png", raw
 * from the request line) into the relative file path it names
 * ("img/a b.png") in out (cap bytes, NUL-terminated). Returns 0, 400 for a
 * path that tries to leave the folder or hide a separator (a "." or ".."
 * segment, plain or percent-encoded; an encoded "/"; a backslash; a NUL or
 * control byte; a bad escape), or 404 for one that names no servable file
 * (not starting with '/', an empty segment as in "//" or a trailing '/', a
 * dotfile or dot-folder, too long or too deep). */
int lv_static_path_decode(const char *path, char *out, size_t cap);

/* One file ready to send: its bytes and, maybe, a gzip copy. Everything is
 * borrowed and must stay valid until lv_static_respond returns (the server
 * copies what it cannot send at once). */
typedef struct lv_static_body {
    const char *content_type;
    const char *data;
    size_t len;
    const char *etag;      /* quoted */
    const char *gzip;      /* NULL: none */
    size_t gzip_len;
    const char *gzip_etag; /* quoted; set when gzip is */
    /* The URL names this content (a fingerprint): cache it for a year
     * without asking again. Otherwise `no-cache`: revalidate with the ETag. */
    bool immutable;
} lv_static_body;

/* Answers a GET or HEAD for body: the gzip copy when the request accepts
 * it (with Content-Encoding), else the bytes; ETag and Cache-Control, Vary
 * when a gzip copy exists, and 304 when If-None-Match matches the chosen
 * representation's ETag. The response borrows body's bytes. */
void lv_static_respond(const lv_static_body *body, const lv_http_request *req, lv_http_response *res);

/* The body that serves an embedded file (content type by its path; the
 * bytes stay the table's). */
lv_static_body lv_embedded_body(const lv_embedded_file *file);
/* The row of files (count rows) whose path is rel, or NULL. */
const lv_embedded_file *lv_embedded_find(const lv_embedded_file *files, size_t count, const char *rel);
/* Answers a request for an embedded file (content type by its path). */
void lv_embedded_respond(const lv_embedded_file *file, const lv_http_request *req,
                         lv_http_response *res);

/* A folder served from disk, with the files it read kept in memory. */
typedef struct lv_static_dir lv_static_dir;

/* Opens the folder at path (kept open: a later rename of the path does not
 * change what is served). Files larger than max_file_bytes are not served.
 * Returns a mount the caller frees with lv_static_dir_free, or NULL with
 * errno set. */
lv_static_dir *lv_static_dir_open(const char *path, size_t max_file_bytes);
void lv_static_dir_free(lv_static_dir *dir);

/* Answers a GET or HEAD for rel (from lv_static_path_decode) under dir:
 * 404 unless it names a regular file reached without a symbolic link. The
 * file and its "<rel>.gz" sibling are read on this thread the first time
 * and again only when their size, modification time or inode change; at
 * most LV_STATIC_CACHE_BYTES stay cached, later files are read per request. */
#define LV_STATIC_CACHE_BYTES ((size_t)64 << 20)
void lv_static_dir_serve(lv_static_dir *dir, const char *rel, const lv_http_request *req,
                         lv_http_response *res);

#endif
