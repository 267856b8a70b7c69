/* Decoding of application/x-www-form-urlencoded text (form events, request
 * bodies) into a nested map of values, the way Plug.Conn.Query does it:
 *
 *   name=bob&user[email]=a%40b.c&tags[]=x&tags[]=y
 *   -> {"name":"bob","user":{"email":"a@b.c"},"tags":["x","y"]}
 *
 * A repeated key keeps the last value; a key whose shape changes (a=1 then
 * a[b]=2) takes the later shape. "[]" appends to a list and must end the key.
 *
 * Hostile input is refused as a whole, never half-decoded: bad %XX escapes,
 * invalid UTF-8 (after decoding), NUL bytes, more pairs, deeper nesting or
 * longer values than the limits allow. The result is then an error status
 * for the caller to answer with, not a crash or a partial tree. */
#ifndef LV_UTIL_FORM_H
#define LV_UTIL_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/value.h"
#include "util/buf.h"

typedef struct lv_form_limits {
    size_t max_pairs;     /* default 1,000 */
    size_t max_depth;     /* levels of [..] nesting; default 32 */
    size_t max_key_len;   /* bytes of a decoded key; default 1,024 */
    size_t max_value_len; /* bytes of a decoded value; default 64 KiB */
} lv_form_limits;

typedef enum lv_form_status {
    LV_FORM_OK = 0,
    LV_FORM_BAD_ENCODING, /* a bad %XX escape, invalid UTF-8 or a NUL byte */
    LV_FORM_BAD_KEY,      /* an empty name, unbalanced brackets, "[]" not last */
    LV_FORM_TOO_MANY_PAIRS,
    LV_FORM_TOO_DEEP,
    LV_FORM_TOO_LONG,     /* a key or a value over its limit */
} lv_form_status;

extern const lv_form_limits lv_form_default_limits;

/* Decodes n bytes of s. limits may be NULL for the defaults. On LV_FORM_OK
 * *out receives a new MAP whose leaves are strings (the caller frees it with
 * lv_value_free); otherwise *out is null. */
lv_form_status lv_form_decode(const char *s, size_t n, const lv_form_limits *limits, lv_value *out);
const char *lv_form_status_str(lv_form_status status);

/* Percent-decodes s[0..n) into out (reset first); '+' is a space in forms
 * and queries, itself in paths. The result must be valid UTF-8 without NUL
 * bytes, which JSON strings and C strings both need, and at most max_len
 * bytes. */
lv_form_status lv_percent_decode(const char *s, size_t n, bool plus_is_space, size_t max_len,
                                 lv_buf *out);

#endif
