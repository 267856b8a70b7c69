/* Cryptographically secure random bytes (OpenSSL's RAND_bytes). Aborts if the
 * generator fails: a server must never continue with predictable tokens. */
#ifndef LV_UTIL_RANDOM_H
#define LV_UTIL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void lv_random_bytes(void *out, size_t n);
/* Writes a random id of `bytes` random bytes, base64url-encoded, to out
 * (which must hold lv_b64url_encoded_len(bytes) + 1). */
void lv_random_id(char *out, size_t bytes);

#endif
