/* base64url without padding (RFC 4648 §5), the alphabet of tokens and ids.
 * The decoder is strict: it refuses padding, characters outside the
 * alphabet, an impossible length (n % 4 == 1) and non-zero trailing bits, so
 * that every token has exactly one encoding. */
#ifndef LV_UTIL_BASE64URL_H
#define LV_UTIL_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the encoding of n bytes (without NUL). */
size_t lv_b64url_encoded_len(size_t n);
/* Upper bound of the decoded length of an n-character text. */
size_t lv_b64url_decoded_max(size_t n);
/* Encodes n bytes into out, which must hold lv_b64url_encoded_len(n) + 1
 * bytes; writes a terminating NUL and returns the length. */
size_t lv_b64url_encode(const uint8_t *in, size_t n, char *out);
/* Decodes n characters into out (at least lv_b64url_decoded_max(n) bytes).
 * Returns false for any malformed input; *out_len receives the length. */
bool lv_b64url_decode(const char *in, size_t n, uint8_t *out, size_t *out_len);

/* Standard base64 with padding (RFC 4648 §4), strict in the same ways: n a
 * multiple of 4, '=' only as the last one or two characters, zero trailing
 * bits. out holds at least n / 4 * 3 bytes. */
bool lv_b64_decode(const char *in, size_t n, uint8_t *out, size_t *out_len);

#endif
