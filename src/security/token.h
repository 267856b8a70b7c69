/* Signed tokens: JWT with HS256 only (RFC 7519, RFC 8725).
 *
 * The header is fixed ({"alg":"HS256","typ":"JWT"}); verification accepts
 * exactly that header segment, so `none`, HS512, RS256 or any other algorithm
 * is refused before any cryptography. Tokens longer than LV_TOKEN_MAX_LEN are
 * refused before any HMAC or JSON work. The MAC is compared in constant time.
 * `exp` and `iat` are required; `iat` may not lie in the future (60 s
 * leeway) nor before 1970, and a token may not live longer than
 * LV_TOKEN_MAX_LIFETIME (exp - iat), so a signed but absurd pair (2^63-1,
 * -2^63) never verifies. Keys
 * are derived per purpose from the secret key base, so a token minted for one
 * purpose never verifies as another. */
#ifndef LV_SECURITY_TOKEN_H
#define LV_SECURITY_TOKEN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define LV_TOKEN_MAX_LEN 8192
#define LV_TOKEN_IAT_LEEWAY 60
/* The longest any token may live (exp - iat): 400 days, the most a browser
 * keeps a cookie (RFC 6265bis). lv_token_sign refuses a longer ttl and
 * lv_app_new a longer session_ttl_s. */
#define LV_TOKEN_MAX_LIFETIME (400 * 24 * 3600)

typedef struct lv_key {
    uint8_t bytes[32];
} lv_key;

typedef enum lv_token_status {
    LV_TOKEN_OK = 0,
    LV_TOKEN_TOO_LARGE,     /* longer than LV_TOKEN_MAX_LEN */
    LV_TOKEN_MALFORMED,     /* not three base64url segments, or bad JSON */
    LV_TOKEN_BAD_HEADER,    /* any header other than HS256/JWT */
    LV_TOKEN_BAD_SIGNATURE,
    LV_TOKEN_EXPIRED,       /* exp missing, not an integer, or <= now */
    LV_TOKEN_NOT_YET_VALID, /* iat more than the leeway in the future */
    LV_TOKEN_BAD_LIFETIME,  /* iat missing or before 1970, or exp - iat
                               beyond LV_TOKEN_MAX_LIFETIME */
} lv_token_status;

/* Derives the key of one purpose ("session", "static", "flash", "upload")
 * from the secret key base: HMAC-SHA256(secret, "liveview-c/" purpose). */
void lv_key_derive(lv_key *out, const uint8_t *secret, size_t secret_len, const char *purpose);

/* Signs claims (borrowed; not modified) with iat = now and exp = now + ttl
 * seconds added; NULL when now is negative or ttl is not 1 to
 * LV_TOKEN_MAX_LIFETIME. Returns a malloc'd NUL-terminated token the caller frees. */
char *lv_token_sign(const lv_key *key, json_t *claims, int64_t now, int64_t ttl);

/* Verifies a token of len bytes at time now. On LV_TOKEN_OK, *claims receives
 * the payload object (a new reference the caller must json_decref); on any
 * failure *claims is set to NULL. */
lv_token_status lv_token_verify(const lv_key *key, const char *token, size_t len, int64_t now,
                                json_t **claims);

/* A short, static, English description of a status for logs. */
const char *lv_token_status_str(lv_token_status s);

#endif
