/* CSRF tokens, Plug.CSRFProtection's scheme (docs/protocol.md §8.2).
 *
 * The state is 18 random bytes, base64url: 24 characters, kept server-side
 * (in the signed session). Each page gets a freshly masked token:
 * base64url(state XOR mask) || mask, 32 + 24 = 56 characters, with a new
 * random 24-character mask, so no two pages carry the same string (BREACH).
 * Verification unmasks and compares in constant time. */
#ifndef LV_SECURITY_CSRF_H
#define LV_SECURITY_CSRF_H

#include <stdbool.h>
#include <stddef.h>

#define LV_CSRF_STATE_LEN 24
#define LV_CSRF_TOKEN_LEN 56

/* Writes a new random state (24 characters plus NUL). */
void lv_csrf_new_state(char out[LV_CSRF_STATE_LEN + 1]);
/* Masks state with a fresh random mask into out (56 characters plus NUL). */
void lv_csrf_mask(const char state[LV_CSRF_STATE_LEN], char out[LV_CSRF_TOKEN_LEN + 1]);
/* The same with a given mask (24 base64url characters): for tests. */
void lv_csrf_mask_with(const char state[LV_CSRF_STATE_LEN], const char mask[LV_CSRF_STATE_LEN],
                       char out[LV_CSRF_TOKEN_LEN + 1]);
/* True when token (token_len bytes) is a masking of state (state_len bytes).
 * Wrong lengths or bad base64 give false; the comparison is constant-time. */
bool lv_csrf_verify(const char *state, size_t state_len, const char *token, size_t token_len);

#endif
