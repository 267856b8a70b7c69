/* The decisions of uploads (docs/uploads.md), free of I/O and of sockets so
 * they are tested on their own (tests/unit/live/test_upload_rules.c): what
 * an accept list means, whether a file fits a config, whether a chunk may
 * be written. (What each error code says to a person is the template
 * helper upload_error_text's, render/upload_helpers.c.) */
#ifndef LV_LIVE_UPLOAD_RULES_H
#define LV_LIVE_UPLOAD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes an entry or a config carries (Phoenix's atoms, plus ours). */
#define LV_UPLOAD_TOO_LARGE "too_large"
#define LV_UPLOAD_NOT_ACCEPTED "not_accepted"
#define LV_UPLOAD_TOO_MANY_FILES "too_many_files"
#define LV_UPLOAD_EXTERNAL_FAILURE "external_client_failure"
#define LV_UPLOAD_SERVER_BUSY "server_busy"       /* the app's bytes-in-flight cap */
#define LV_UPLOAD_TIMEOUT "timeout"               /* no chunk within chunk_timeout */
#define LV_UPLOAD_WRITER_ERROR "writer_error"     /* the temp file could not be written */
#define LV_UPLOAD_INCOMPLETE "incomplete"         /* "100%" with bytes missing */

/* At most this many accept items, each at most this long. */
#define LV_UPLOAD_MAX_ACCEPT_ITEMS 32
#define LV_UPLOAD_MAX_ACCEPT_ITEM 100

/* A parsed accept list: extensions (".png", lower case) and MIME types
 * ("image/png", or one with the wildcard subtype '*'), in the order given. */
typedef struct lv_upload_accept {
    char items[LV_UPLOAD_MAX_ACCEPT_ITEMS][LV_UPLOAD_MAX_ACCEPT_ITEM + 1];
    size_t count; /* 0: anything is accepted */
} lv_upload_accept;

/* Parses accept: items separated by spaces or commas, each an extension
 * (".png") or a MIME type ("image/png", or with the subtype '*'). NULL or "" accepts
 * anything. Returns false with *error set to a static reason for anything
 * else (an item of neither shape, too many or too long items). */
bool lv_upload_accept_parse(const char *accept, lv_upload_accept *out, const char **error);
/* Whether a file the client named and typed so is accepted: its type equals
 * an item, or matches a wildcard, or its name's extension (case-insensitive)
 * is listed. The client's type and name are only claims: this is a filter
 * for honest users, not a check of the bytes. */
bool lv_upload_accepts(const lv_upload_accept *accept, const char *client_name, const char *client_type);
/* The accept attribute for the file input: the items joined with ",". out
 * must hold LV_UPLOAD_MAX_ACCEPT_ITEMS * (LV_UPLOAD_MAX_ACCEPT_ITEM + 1) bytes. */
void lv_upload_accept_attr(const lv_upload_accept *accept, char *out, size_t cap);

/* Why a file the client describes may not be uploaded, or NULL: too_large
 * when its declared size is negative or over max_file_size, not_accepted when
 * the accept list refuses it. */
const char *lv_upload_entry_error(const lv_upload_accept *accept, int64_t max_file_size, const char *client_name,
                                  const char *client_type, int64_t client_size);

typedef enum lv_upload_chunk_verdict {
    LV_UPLOAD_CHUNK_OK = 0,
    LV_UPLOAD_CHUNK_TOO_BIG,   /* larger than the config's chunk_size */
    LV_UPLOAD_CHUNK_OVER_SIZE, /* the file would exceed its declared size or the limit */
} lv_upload_chunk_verdict;

/* Whether a chunk of chunk_len bytes may be appended to a file that has
 * `received` bytes: it must fit in chunk_size, and the total must stay within
 * both the size the client declared and max_file_size (a client that lies
 * about the size is cut off at the smaller of the two). */
lv_upload_chunk_verdict lv_upload_chunk_check(int64_t received, size_t chunk_len, int64_t client_size,
                                              int64_t max_file_size, size_t chunk_size);

/* Whether s is a usable client ref (an entry's or a config's): 1 to 32
 * characters of [A-Za-z0-9_-]. */
bool lv_upload_ref_ok(const char *s);

#endif
