/* libFuzzer target for signed tokens. Each input is used three ways:
 *
 * 1. As a token: verification must not crash and must never say OK, since
 *    nobody without the key can produce a valid MAC.
 * 2. As the payload text of a token signed by hand with the real key: this
 *    reaches the JSON and claim checks, which random tokens never do. The
 *    result must be consistent (OK only for an object with a future exp).
 * 3. As claims: a claims object built from the input must survive
 *    lv_token_sign and come back equal from lv_token_verify.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "security/token.h"
#include "util/base64url.h"
#include "util/buf.h"

#define NOW INT64_C(1700000000)
#define TTL INT64_C(3600)

static const char HEADER_SEGMENT[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_token: %s\n", why);
    abort();
}

static const lv_key *fuzz_key(void)
{
    static lv_key key;
    static int ready;
    if (!ready) {
        static const char secret[] = "fuzzing secret key base, at least thirty-two bytes long";
        lv_key_derive(&key, (const uint8_t *)secret, sizeof secret - 1, "session");
        ready = 1;
    }
    return &key;
}

static void append_b64url(lv_buf *b, const void *bytes, size_t n)
{
    lv_buf_reserve(b, lv_b64url_encoded_len(n));
    b->len += lv_b64url_encode(bytes, n, b->data + b->len);
}

static void verify_as_token(const uint8_t *data, size_t size)
{
    json_t *claims = (json_t *)1;
    lv_token_status status = lv_token_verify(fuzz_key(), (const char *)data, size, NOW, &claims);
    if (status == LV_TOKEN_OK) fail("random input verified as a genuine token");
    if (claims != NULL) fail("claims not cleared on failure");
    if (lv_token_status_str(status) == NULL) fail("status without a description");
}

static void verify_as_signed_payload(const uint8_t *data, size_t size)
{
    lv_buf token = LV_BUF_INIT;
    lv_buf_puts(&token, HEADER_SEGMENT);
    lv_buf_putc(&token, '.');
    append_b64url(&token, data, size);

    uint8_t mac[32];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), fuzz_key()->bytes, sizeof fuzz_key()->bytes,
              (const uint8_t *)token.data, token.len, mac, &mac_len))
        fail("HMAC failed");
    lv_buf_putc(&token, '.');
    append_b64url(&token, mac, sizeof mac);

    json_t *claims = NULL;
    lv_token_status status = lv_token_verify(fuzz_key(), token.data, token.len, NOW, &claims);
    if (token.len > LV_TOKEN_MAX_LEN) {
        if (status != LV_TOKEN_TOO_LARGE) fail("oversized token not refused as too large");
    } else if (status == LV_TOKEN_OK) {
        json_t *exp = json_object_get(claims, "exp");
        json_t *iat = json_object_get(claims, "iat");
        if (!json_is_object(claims)) fail("accepted claims that are not an object");
        if (!json_is_integer(exp) || json_integer_value(exp) <= NOW) fail("accepted a bad exp");
        /* iat is required, since 1970, and exp at most LV_TOKEN_MAX_LIFETIME after it. */
        if (!json_is_integer(iat) || json_integer_value(iat) < 0 ||
            json_integer_value(iat) > NOW + LV_TOKEN_IAT_LEEWAY)
            fail("accepted a bad iat");
        if (json_integer_value(exp) - json_integer_value(iat) > LV_TOKEN_MAX_LIFETIME)
            fail("accepted a lifetime over the limit");
    } else if (status != LV_TOKEN_MALFORMED && status != LV_TOKEN_EXPIRED
               && status != LV_TOKEN_NOT_YET_VALID && status != LV_TOKEN_BAD_LIFETIME) {
        fail("a correctly signed token failed on its header or signature");
    }
    if (status != LV_TOKEN_OK && claims != NULL) fail("claims not cleared on failure");
    json_decref(claims);
    lv_buf_free(&token);
}

/* A JSON string for arbitrary bytes. jansson needs valid UTF-8, and the
 * verifier (rightly) refuses \u0000, so anything else is spelled in hex. */
static json_t *string_for(const uint8_t *bytes, size_t n)
{
    if (memchr(bytes, '\0', n) == NULL) {
        json_t *s = json_stringn((const char *)bytes, n);
        if (s) return s;
    }
    static const char hex[] = "0123456789abcdef";
    char *text = lv_xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = hex[bytes[i] >> 4];
        text[2 * i + 1] = hex[bytes[i] & 15];
    }
    text[2 * n] = '\0';
    json_t *s = json_string(text);
    free(text);
    return s;
}

/* Claims from the input: the input itself if it is a JSON object, otherwise
 * newline-separated key/value pairs, with numeric values as integers. */
static json_t *claims_from(const uint8_t *data, size_t size)
{
    json_t *parsed = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(parsed)) return parsed;
    json_decref(parsed);

    json_t *claims = json_object();
    const uint8_t *p = data;
    const uint8_t *end = data + size;
    while (p < end) {
        const uint8_t *key_end = memchr(p, '\n', (size_t)(end - p));
        if (key_end == NULL) key_end = end;
        const uint8_t *value = key_end < end ? key_end + 1 : end;
        const uint8_t *value_end = memchr(value, '\n', (size_t)(end - value));
        if (value_end == NULL) value_end = end;

        json_t *key = string_for(p, (size_t)(key_end - p));
        json_t *val = NULL;
        size_t value_len = (size_t)(value_end - value);
        if (value_len > 0 && value_len < 19) {
            char digits[20];
            memcpy(digits, value, value_len);
            digits[value_len] = '\0';
            char *rest;
            long long n = strtoll(digits, &rest, 10);
            if (*rest == '\0') val = json_integer(n);
        }
        if (val == NULL) val = string_for(value, value_len);
        json_object_set_new(claims, json_string_value(key), val);
        json_decref(key);
        p = value_end < end ? value_end + 1 : end;
    }
    return claims;
}

static void sign_round_trip(const uint8_t *data, size_t size)
{
    json_t *claims = claims_from(data, size);
    char *token = lv_token_sign(fuzz_key(), claims, NOW, TTL);
    if (token == NULL) fail("could not sign an object");

    json_t *expected = json_deep_copy(claims);
    json_object_set_new(expected, "iat", json_integer(NOW));
    json_object_set_new(expected, "exp", json_integer(NOW + TTL));

    size_t len = strlen(token);
    json_t *verified = NULL;
    lv_token_status status = lv_token_verify(fuzz_key(), token, len, NOW, &verified);
    if (len > LV_TOKEN_MAX_LEN) {
        if (status != LV_TOKEN_TOO_LARGE) fail("oversized signed token not refused");
    } else {
        if (status != LV_TOKEN_OK) fail(lv_token_status_str(status));
        if (!json_equal(expected, verified)) fail("claims changed in the round trip");
        /* Any truncation of a genuine token is refused. */
        if (lv_token_verify(fuzz_key(), token, len - 1 - size % 8, NOW, NULL) == LV_TOKEN_OK)
            fail("a truncated token verified");
        /* And it has expired one TTL later. */
        if (lv_token_verify(fuzz_key(), token, len, NOW + TTL, NULL) != LV_TOKEN_EXPIRED)
            fail("a token outlived its exp");
    }

    json_decref(verified);
    json_decref(expected);
    json_decref(claims);
    free(token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    verify_as_token(data, size);
    verify_as_signed_payload(data, size);
    sign_round_trip(data, size);
    return 0;
}
