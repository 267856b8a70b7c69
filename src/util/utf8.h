/* Incremental UTF-8 validation (RFC 3629): rejects overlong forms, surrogates
 * (U+D800..U+DFFF) and code points above U+10FFFF, and can be fed a message
 * in pieces, so a code point split across WebSocket fragments is checked as
 * a whole and a bad byte is caught as soon as it arrives. */
#ifndef LV_UTIL_UTF8_H
#define LV_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LV_UTF8_ACCEPT 0u /* between code points: the text so far is valid */
#define LV_UTF8_REJECT 1u /* invalid; sticky: every later call keeps returning it */

/* Feeds n bytes. Start with state LV_UTF8_ACCEPT; returns the new state.
 * Any other value than ACCEPT/REJECT means "inside a code point". */
uint32_t lv_utf8_feed(uint32_t state, const uint8_t *s, size_t n);
/* True when the whole of s is valid UTF-8. */
bool lv_utf8_valid(const uint8_t *s, size_t n);

#endif
