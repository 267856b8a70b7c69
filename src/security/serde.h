/* Session serializers (SerDe): how the session data handed to mount travels
 * inside the page (data-phx-session) and comes back with the join.
 *
 * The interface is public (lv_serde in liveview.h): serialize takes a JSON
 * object text and returns a token; deserialize takes a token and returns the
 * JSON object text, or NULL when the token is not authentic, expired, or
 * malformed. Two are built in:
 * - JWT (the default, as in LiveViewJS): HS256 via security/token.h, signed,
 *   readable by anyone who holds the page;
 * - AEAD: AES-256-GCM with a random 96-bit nonce, so the contents are
 *   secret as well as authentic.
 * Both add iat and exp (ttl) and require them on the way back. */
#ifndef LV_SECURITY_SERDE_H
#define LV_SECURITY_SERDE_H

#include <stddef.h>
#include <stdint.h>

#include "liveview.h"
#include "security/token.h"

/* The prefix of AEAD tokens; the rest is base64url(nonce || ciphertext || tag). */
#define LV_AEAD_PREFIX "A256GCM."
/* Tokens longer than this are refused before any decryption or parsing. */
#define LV_AEAD_MAX_LEN LV_TOKEN_MAX_LEN

/* The clock the built-in serdes read; tests replace it. */
typedef int64_t (*lv_clock_fn)(void);

/* Fills *out with the JWT serde for key (copied) and ttl seconds. `clock`
 * may be NULL for the real time. Free with lv_serde_release. */
void lv_serde_jwt_init(lv_serde *out, const lv_key *key, int64_t ttl, lv_clock_fn clock);
/* Fills *out with the AES-256-GCM serde for key (copied; 32 bytes). */
void lv_serde_aead_init(lv_serde *out, const lv_key *key, int64_t ttl, lv_clock_fn clock);
/* Frees what an init made (calls free_ctx when set) and zeroes *serde. */
void lv_serde_release(lv_serde *serde);

#endif
