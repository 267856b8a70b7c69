#include "security/csrf.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/base64url.h"
#include "util/random.h"

/* 18 random bytes are 24 base64url characters, with no padding. */
#define CSRF_RANDOM_BYTES 18
/* base64url of the 24-byte XOR of state and mask. */
#define CSRF_MASKED_LEN (LV_CSRF_TOKEN_LEN - LV_CSRF_STATE_LEN)

void lv_csrf_new_state(char out[LV_CSRF_STATE_LEN + 1])
{
    lv_random_id(out, CSRF_RANDOM_BYTES);
}

void lv_csrf_mask(const char state[LV_CSRF_STATE_LEN], char out[LV_CSRF_TOKEN_LEN + 1])
{
    char mask[LV_CSRF_STATE_LEN + 1];
    lv_random_id(mask, CSRF_RANDOM_BYTES);
    lv_csrf_mask_with(state, mask, out);
}

void lv_csrf_mask_with(const char state[LV_CSRF_STATE_LEN], const char mask[LV_CSRF_STATE_LEN],
                       char out[LV_CSRF_TOKEN_LEN + 1])
{
    /* As Plug does, the XOR is over the characters of the two texts, not
     * over their decoded bytes, so tokens interoperate with Phoenix. */
    uint8_t masked[LV_CSRF_STATE_LEN];
    for (size_t i = 0; i < LV_CSRF_STATE_LEN; i++)
        masked[i] = (uint8_t)state[i] ^ (uint8_t)mask[i];
    lv_b64url_encode(masked, sizeof masked, out);
    memcpy(out + CSRF_MASKED_LEN, mask, LV_CSRF_STATE_LEN);
    out[LV_CSRF_TOKEN_LEN] = '\0';
    OPENSSL_cleanse(masked, sizeof masked);
}

bool lv_csrf_verify(const char *state, size_t state_len, const char *token, size_t token_len)
{
    if (state == NULL || token == NULL) return false;
    if (state_len != LV_CSRF_STATE_LEN || token_len != LV_CSRF_TOKEN_LEN) return false;

    uint8_t masked[LV_CSRF_STATE_LEN + 1];
    size_t masked_len;
    if (!lv_b64url_decode(token, CSRF_MASKED_LEN, masked, &masked_len)) return false;
    if (masked_len != LV_CSRF_STATE_LEN) return false;

    /* masked = state ^ mask, so the token is genuine exactly when
     * masked ^ state gives back the mask it carries: Plug's masked_compare. */
    uint8_t expected_mask[LV_CSRF_STATE_LEN];
    for (size_t i = 0; i < LV_CSRF_STATE_LEN; i++)
        expected_mask[i] = masked[i] ^ (uint8_t)state[i];
    const char *mask = token + CSRF_MASKED_LEN;
    bool valid = CRYPTO_memcmp(expected_mask, mask, LV_CSRF_STATE_LEN) == 0;

    OPENSSL_cleanse(masked, sizeof masked);
    OPENSSL_cleanse(expected_mask, sizeof expected_mask);
    return valid;
}
