#include "security/token.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/base64url.h"
#include "util/buf.h"
#include "util/log.h"

/* base64url('{"alg":"HS256","typ":"JWT"}'). Every token we sign starts with
 * this segment and verification demands it byte for byte, so no header is
 * ever parsed and the algorithm cannot be chosen by the sender. */
static const char HEADER_SEGMENT[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
#define HEADER_SEGMENT_LEN (sizeof HEADER_SEGMENT - 1)

#define MAC_LEN 32 /* SHA-256 */
#define KEY_PURPOSE_PREFIX "liveview-c/"

/* The most bytes any segment of a token of LV_TOKEN_MAX_LEN characters can
 * decode to; sizes the stack buffers, so verification never allocates before
 * the MAC is checked. */
#define PAYLOAD_MAX (LV_TOKEN_MAX_LEN / 4 * 3 + 3)

static _Noreturn void crypto_failure(const char *what)
{
    lv_log_error("%s failed; aborting", what);
    abort();
}

/* One-shot HMAC-SHA256. OpenSSL keeps no state between calls, so this is
 * safe from several threads. Returns false only if OpenSSL itself fails. */
static bool hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t data_len,
                        uint8_t mac[MAC_LEN])
{
    /* Some OpenSSL 3 releases refuse a NULL key even with length 0. */
    static const uint8_t empty_key[1] = {0};
    unsigned int mac_len = 0;
    if (HMAC(EVP_sha256(), key_len ? key : empty_key, (int)key_len, data, data_len, mac, &mac_len)
        == NULL)
        return false;
    return mac_len == MAC_LEN;
}

void lv_key_derive(lv_key *out, const uint8_t *secret, size_t secret_len, const char *purpose)
{
    lv_buf label = LV_BUF_INIT;
    lv_buf_puts(&label, KEY_PURPOSE_PREFIX);
    lv_buf_puts(&label, purpose);
    /* HMAC() takes an int key length; a secret that large is a bug. */
    if (secret_len > (size_t)INT32_MAX || !hmac_sha256(secret, secret_len, label.data, label.len,
                                                       out->bytes))
        crypto_failure("key derivation (HMAC-SHA256)");
    lv_buf_free(&label);
}

/* Appends the base64url encoding of n bytes, writing it in place. */
static void append_b64url(lv_buf *b, const uint8_t *data, size_t n)
{
    size_t encoded_len = lv_b64url_encoded_len(n);
    lv_buf_reserve(b, encoded_len);
    b->len += lv_b64url_encode(data, n, b->data + b->len);
}

char *lv_token_sign(const lv_key *key, json_t *claims, int64_t now, int64_t ttl)
{
    int64_t exp;
    /* A token verification would refuse is not worth signing; the bounds
     * also keep now + ttl from overflowing. */
    if (now < 0 || ttl < 1 || ttl > LV_TOKEN_MAX_LIFETIME || __builtin_add_overflow(now, ttl, &exp))
        return NULL;

    json_t *payload = claims ? json_deep_copy(claims) : json_object();
    if (payload == NULL || !json_is_object(payload)) {
        json_decref(payload);
        return NULL;
    }
    if (json_object_set_new(payload, "iat", json_integer(now)) != 0
        || json_object_set_new(payload, "exp", json_integer(exp)) != 0) {
        json_decref(payload);
        return NULL;
    }
    /* Sorted keys make a token a function of its claims, which keeps tests
     * and caches deterministic. */
    char *payload_json = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (payload_json == NULL) return NULL;

    lv_buf token = LV_BUF_INIT;
    lv_buf_append(&token, HEADER_SEGMENT, HEADER_SEGMENT_LEN);
    lv_buf_putc(&token, '.');
    append_b64url(&token, (const uint8_t *)payload_json, strlen(payload_json));
    free(payload_json);

    uint8_t mac[MAC_LEN];
    if (!hmac_sha256(key->bytes, sizeof key->bytes, token.data, token.len, mac))
        crypto_failure("token signing (HMAC-SHA256)");
    lv_buf_putc(&token, '.');
    append_b64url(&token, mac, sizeof mac);
    OPENSSL_cleanse(mac, sizeof mac);
    return lv_buf_take(&token);
}

/* Reads the claims once the MAC has proven that we wrote them. They can still
 * be wrong for this moment (expired) or, if a key leaked or a bug signed
 * something odd, badly formed, so nothing is assumed. */
static lv_token_status check_payload(const char *segment, size_t segment_len, int64_t now,
                                     json_t **out)
{
    uint8_t payload_json[PAYLOAD_MAX];
    size_t payload_len;
    if (segment_len > LV_TOKEN_MAX_LEN
        || !lv_b64url_decode(segment, segment_len, payload_json, &payload_len))
        return LV_TOKEN_MALFORMED;

    /* Duplicate names are refused: two readers taking different copies of
     * "exp" is a classic JWT confusion (RFC 8725 §3.7). */
    json_t *payload = json_loadb((const char *)payload_json, payload_len, JSON_REJECT_DUPLICATES,
                                 NULL);
    if (payload == NULL || !json_is_object(payload)) {
        json_decref(payload);
        return LV_TOKEN_MALFORMED;
    }

    json_t *exp = json_object_get(payload, "exp");
    if (!json_is_integer(exp) || json_integer_value(exp) <= now) {
        json_decref(payload);
        return LV_TOKEN_EXPIRED;
    }

    /* Both ends are bounded, so no signed pair of extremes (2^63-1, -2^63)
     * verifies: issued since 1970, not after now plus the leeway, living
     * at most LV_TOKEN_MAX_LIFETIME. */
    json_t *iat = json_object_get(payload, "iat");
    if (iat == NULL) {
        json_decref(payload);
        return LV_TOKEN_BAD_LIFETIME;
    }
    if (!json_is_integer(iat)) {
        json_decref(payload);
        return LV_TOKEN_MALFORMED;
    }
    int64_t issued = json_integer_value(iat);
    /* Once issued > now the unsigned difference is exact, so this cannot
     * overflow whatever the two values are. */
    if (issued > now && (uint64_t)issued - (uint64_t)now > LV_TOKEN_IAT_LEEWAY) {
        json_decref(payload);
        return LV_TOKEN_NOT_YET_VALID;
    }
    /* issued is at most now + the leeway here and expires > now, so with
     * issued >= 0 the difference cannot overflow. */
    int64_t expires = json_integer_value(exp);
    if (issued < 0 || expires - issued > LV_TOKEN_MAX_LIFETIME) {
        json_decref(payload);
        return LV_TOKEN_BAD_LIFETIME;
    }

    *out = payload;
    return LV_TOKEN_OK;
}

lv_token_status lv_token_verify(const lv_key *key, const char *token, size_t len, int64_t now,
                                json_t **claims)
{
    json_t *ignored = NULL;
    if (claims == NULL) claims = &ignored;
    *claims = NULL;

    /* Cheap checks first and in this order, so that hostile input costs no
     * HMAC and no JSON parsing until it is proven to be ours. */
    if (len > LV_TOKEN_MAX_LEN) return LV_TOKEN_TOO_LARGE;
    if (token == NULL) return LV_TOKEN_MALFORMED;

    const char *first_dot = memchr(token, '.', len);
    if (first_dot == NULL) return LV_TOKEN_MALFORMED;
    const char *payload = first_dot + 1;
    const char *end = token + len;
    const char *second_dot = memchr(payload, '.', (size_t)(end - payload));
    if (second_dot == NULL) return LV_TOKEN_MALFORMED;
    const char *signature = second_dot + 1;
    if (memchr(signature, '.', (size_t)(end - signature)) != NULL) return LV_TOKEN_MALFORMED;

    size_t header_len = (size_t)(first_dot - token);
    if (header_len != HEADER_SEGMENT_LEN || memcmp(token, HEADER_SEGMENT, HEADER_SEGMENT_LEN) != 0)
        return LV_TOKEN_BAD_HEADER;

    size_t signature_text_len = (size_t)(end - signature);
    uint8_t given_mac[PAYLOAD_MAX];
    size_t given_mac_len;
    if (!lv_b64url_decode(signature, signature_text_len, given_mac, &given_mac_len))
        return LV_TOKEN_MALFORMED;
    if (given_mac_len != MAC_LEN) return LV_TOKEN_BAD_SIGNATURE;

    /* The MAC covers the text "header.payload" exactly as sent, which is the
     * prefix of the token up to the second dot. */
    uint8_t expected_mac[MAC_LEN];
    if (!hmac_sha256(key->bytes, sizeof key->bytes, token, (size_t)(second_dot - token),
                     expected_mac))
        return LV_TOKEN_BAD_SIGNATURE; /* fail closed if OpenSSL breaks */
    bool genuine = CRYPTO_memcmp(expected_mac, given_mac, MAC_LEN) == 0;
    OPENSSL_cleanse(expected_mac, sizeof expected_mac);
    if (!genuine) return LV_TOKEN_BAD_SIGNATURE;

    lv_token_status status = check_payload(payload, (size_t)(second_dot - payload), now, claims);
    json_decref(ignored); /* the caller asked only for the status */
    return status;
}

const char *lv_token_status_str(lv_token_status s)
{
    switch (s) {
    case LV_TOKEN_OK: return "ok";
    case LV_TOKEN_TOO_LARGE: return "token too large";
    case LV_TOKEN_MALFORMED: return "malformed token";
    case LV_TOKEN_BAD_HEADER: return "unsupported token header";
    case LV_TOKEN_BAD_SIGNATURE: return "bad token signature";
    case LV_TOKEN_EXPIRED: return "token expired or without expiry";
    case LV_TOKEN_NOT_YET_VALID: return "token issued in the future";
    case LV_TOKEN_BAD_LIFETIME: return "token without iat, or living longer than allowed";
    }
    return "unknown token status";
}
