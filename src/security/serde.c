#include "security/serde.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util/base64url.h"
#include "util/buf.h"
#include "util/random.h"

#define AEAD_NONCE_LEN 12 /* 96 bits: the GCM size that needs no extra GHASH */
#define AEAD_TAG_LEN 16   /* full-length tag; truncated tags weaken GCM */
#define AEAD_PREFIX_LEN (sizeof LV_AEAD_PREFIX - 1)
/* Bound into every tag, so that ciphertexts made for another purpose or
 * format with the same key never decrypt as a session. */
static const char AEAD_AAD[] = "liveview-c/session/A256GCM";
#define AEAD_AAD_LEN (sizeof AEAD_AAD - 1)

/* The most bytes the base64url part of a token of LV_AEAD_MAX_LEN characters
 * can decode to; sizes stack buffers so that hostile tokens never make us
 * allocate before the tag is checked. */
#define AEAD_DECODED_MAX (LV_AEAD_MAX_LEN / 4 * 3 + 3)

typedef struct serde_ctx {
    lv_key key;
    int64_t ttl;
    lv_clock_fn clock;
} serde_ctx;

static int64_t real_time(void)
{
    struct timespec ts;
    /* Without a clock we cannot judge expiry; time 0 makes every token we
     * issued look far in the future (refused) rather than valid forever. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec;
}

static int64_t ctx_now(const serde_ctx *ctx)
{
    return ctx->clock ? ctx->clock() : real_time();
}

static serde_ctx *ctx_new(const lv_key *key, int64_t ttl, lv_clock_fn clock)
{
    serde_ctx *ctx = lv_xcalloc(1, sizeof *ctx);
    ctx->key = *key;
    ctx->ttl = ttl;
    ctx->clock = clock;
    return ctx;
}

static void ctx_free(void *opaque)
{
    if (opaque == NULL) return;
    OPENSSL_cleanse(opaque, sizeof(serde_ctx));
    free(opaque);
}

/* Session data must be a JSON object (mount receives it as a map). Duplicate
 * names are refused so that no two readers can see different values. */
static json_t *load_object(const char *text, size_t len)
{
    if (text == NULL) return NULL;
    json_t *value = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(value)) {
        json_decref(value);
        return NULL;
    }
    return value;
}

/* ---------------------------------------------------------------------------
 * JWT (HS256)
 * ------------------------------------------------------------------------- */

static char *jwt_serialize(void *opaque, const char *json, size_t len)
{
    const serde_ctx *ctx = opaque;
    if (ctx == NULL) return NULL;
    json_t *claims = load_object(json, len);
    if (claims == NULL) return NULL;
    char *token = lv_token_sign(&ctx->key, claims, ctx_now(ctx), ctx->ttl);
    json_decref(claims);
    /* A token that deserialize would refuse as too large is useless; failing
     * here points at the real culprit (too much session data). */
    if (token != NULL && strlen(token) > LV_TOKEN_MAX_LEN) {
        free(token);
        return NULL;
    }
    return token;
}

static char *jwt_deserialize(void *opaque, const char *token, size_t len)
{
    const serde_ctx *ctx = opaque;
    if (ctx == NULL || token == NULL) return NULL;
    json_t *claims = NULL;
    if (lv_token_verify(&ctx->key, token, len, ctx_now(ctx), &claims) != LV_TOKEN_OK) return NULL;
    /* lv_token_verify accepts a token without iat; ours always carry one, so
     * its absence means the token was not made by this serde. */
    char *text = NULL;
    if (json_is_integer(json_object_get(claims, "iat")))
        text = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    return text;
}

void lv_serde_jwt_init(lv_serde *out, const lv_key *key, int64_t ttl, lv_clock_fn clock)
{
    memset(out, 0, sizeof *out);
    out->serialize = jwt_serialize;
    out->deserialize = jwt_deserialize;
    out->free_ctx = ctx_free;
    out->ctx = ctx_new(key, ttl, clock);
}

/* ---------------------------------------------------------------------------
 * AEAD (AES-256-GCM)
 * ------------------------------------------------------------------------- */

/* Encrypts plaintext into out (plaintext_len + AEAD_TAG_LEN bytes: the
 * ciphertext, then the tag). Returns false if OpenSSL fails. */
static bool gcm_seal(const lv_key *key, const uint8_t nonce[AEAD_NONCE_LEN],
                     const uint8_t *plaintext, size_t plaintext_len, uint8_t *out)
{
    if (plaintext_len > INT_MAX) return false;
    EVP_CIPHER_CTX *cipher = EVP_CIPHER_CTX_new();
    if (cipher == NULL) return false;
    int written = 0;
    int final_len = 0;
    bool ok = EVP_EncryptInit_ex(cipher, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
              && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_IVLEN, AEAD_NONCE_LEN, NULL) == 1
              && EVP_EncryptInit_ex(cipher, NULL, NULL, key->bytes, nonce) == 1
              && EVP_EncryptUpdate(cipher, NULL, &written, (const uint8_t *)AEAD_AAD,
                                   (int)AEAD_AAD_LEN)
                     == 1
              && EVP_EncryptUpdate(cipher, out, &written, plaintext, (int)plaintext_len) == 1
              && (size_t)written == plaintext_len
              && EVP_EncryptFinal_ex(cipher, out + written, &final_len) == 1 && final_len == 0
              && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, AEAD_TAG_LEN,
                                     out + plaintext_len)
                     == 1;
    EVP_CIPHER_CTX_free(cipher);
    return ok;
}

/* Decrypts ciphertext || tag into plaintext (ciphertext_len bytes). Returns
 * false unless the tag proves the data authentic; on false, plaintext may
 * hold unauthenticated bytes, which the caller wipes and never reads. */
static bool gcm_open(const lv_key *key, const uint8_t nonce[AEAD_NONCE_LEN],
                     const uint8_t *ciphertext, size_t ciphertext_len, uint8_t tag[AEAD_TAG_LEN],
                     uint8_t *plaintext)
{
    if (ciphertext_len > INT_MAX) return false;
    EVP_CIPHER_CTX *cipher = EVP_CIPHER_CTX_new();
    if (cipher == NULL) return false;
    int written = 0;
    int final_len = 0;
    bool ok = EVP_DecryptInit_ex(cipher, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
              && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_IVLEN, AEAD_NONCE_LEN, NULL) == 1
              && EVP_DecryptInit_ex(cipher, NULL, NULL, key->bytes, nonce) == 1
              && EVP_DecryptUpdate(cipher, NULL, &written, (const uint8_t *)AEAD_AAD,
                                   (int)AEAD_AAD_LEN)
                     == 1
              && EVP_DecryptUpdate(cipher, plaintext, &written, ciphertext, (int)ciphertext_len)
                     == 1
              && (size_t)written == ciphertext_len
              && EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN, tag) == 1
              /* The tag is checked here; anything but 1 means forged or
               * corrupted, and the plaintext must not be used. */
              && EVP_DecryptFinal_ex(cipher, plaintext + written, &final_len) == 1
              && final_len == 0;
    EVP_CIPHER_CTX_free(cipher);
    return ok;
}

static char *aead_serialize(void *opaque, const char *json, size_t len)
{
    const serde_ctx *ctx = opaque;
    if (ctx == NULL) return NULL;
    int64_t now = ctx_now(ctx);
    int64_t exp;
    /* A wrapped expiry would land in the past or the far future. */
    if (__builtin_add_overflow(now, ctx->ttl, &exp)) return NULL;

    json_t *claims = load_object(json, len);
    if (claims == NULL) return NULL;
    if (json_object_set_new(claims, "iat", json_integer(now)) != 0
        || json_object_set_new(claims, "exp", json_integer(exp)) != 0) {
        json_decref(claims);
        return NULL;
    }
    char *plaintext = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    if (plaintext == NULL) return NULL;
    size_t plaintext_len = strlen(plaintext);

    char *token = NULL;
    size_t sealed_len = AEAD_NONCE_LEN + plaintext_len + AEAD_TAG_LEN;
    /* Refuse what deserialize would refuse as too large, before any work. */
    if (plaintext_len <= LV_AEAD_MAX_LEN
        && AEAD_PREFIX_LEN + lv_b64url_encoded_len(sealed_len) <= LV_AEAD_MAX_LEN) {
        uint8_t *sealed = lv_xmalloc(sealed_len);
        lv_random_bytes(sealed, AEAD_NONCE_LEN);
        if (gcm_seal(&ctx->key, sealed, (const uint8_t *)plaintext, plaintext_len,
                     sealed + AEAD_NONCE_LEN)) {
            token = lv_xmalloc(AEAD_PREFIX_LEN + lv_b64url_encoded_len(sealed_len) + 1);
            memcpy(token, LV_AEAD_PREFIX, AEAD_PREFIX_LEN);
            lv_b64url_encode(sealed, sealed_len, token + AEAD_PREFIX_LEN);
        }
        free(sealed);
    }
    OPENSSL_cleanse(plaintext, plaintext_len);
    free(plaintext);
    return token;
}

/* Checks the claims of an authentic plaintext: it can still be expired, or
 * (if the key leaked or a bug encrypted something odd) badly formed. */
static char *aead_check_claims(const uint8_t *plaintext, size_t plaintext_len, int64_t now)
{
    json_t *claims = load_object((const char *)plaintext, plaintext_len);
    if (claims == NULL) return NULL;
    char *text = NULL;
    json_t *exp = json_object_get(claims, "exp");
    json_t *iat = json_object_get(claims, "iat");
    if (json_is_integer(exp) && json_integer_value(exp) > now && json_is_integer(iat)) {
        int64_t issued = json_integer_value(iat);
        /* Once issued > now the unsigned difference is exact, so this cannot
         * overflow whatever the two values are. */
        bool from_future = issued > now
                           && (uint64_t)issued - (uint64_t)now > LV_TOKEN_IAT_LEEWAY;
        if (!from_future) text = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    }
    json_decref(claims);
    return text;
}

static char *aead_deserialize(void *opaque, const char *token, size_t len)
{
    const serde_ctx *ctx = opaque;
    /* Cheap checks first, so hostile input costs no cryptography. */
    if (ctx == NULL || token == NULL) return NULL;
    if (len > LV_AEAD_MAX_LEN) return NULL;
    if (len < AEAD_PREFIX_LEN || memcmp(token, LV_AEAD_PREFIX, AEAD_PREFIX_LEN) != 0) return NULL;

    uint8_t sealed[AEAD_DECODED_MAX];
    size_t sealed_len;
    if (!lv_b64url_decode(token + AEAD_PREFIX_LEN, len - AEAD_PREFIX_LEN, sealed, &sealed_len))
        return NULL;
    if (sealed_len < AEAD_NONCE_LEN + AEAD_TAG_LEN) return NULL;

    const uint8_t *nonce = sealed;
    const uint8_t *ciphertext = sealed + AEAD_NONCE_LEN;
    size_t ciphertext_len = sealed_len - AEAD_NONCE_LEN - AEAD_TAG_LEN;
    uint8_t *tag = sealed + sealed_len - AEAD_TAG_LEN;

    uint8_t plaintext[AEAD_DECODED_MAX];
    char *text = NULL;
    if (gcm_open(&ctx->key, nonce, ciphertext, ciphertext_len, tag, plaintext))
        text = aead_check_claims(plaintext, ciphertext_len, ctx_now(ctx));
    OPENSSL_cleanse(plaintext, ciphertext_len);
    return text;
}

void lv_serde_aead_init(lv_serde *out, const lv_key *key, int64_t ttl, lv_clock_fn clock)
{
    memset(out, 0, sizeof *out);
    out->serialize = aead_serialize;
    out->deserialize = aead_deserialize;
    out->free_ctx = ctx_free;
    out->ctx = ctx_new(key, ttl, clock);
}

void lv_serde_release(lv_serde *serde)
{
    if (serde == NULL) return;
    if (serde->free_ctx != NULL && serde->ctx != NULL) serde->free_ctx(serde->ctx);
    memset(serde, 0, sizeof *serde);
}
