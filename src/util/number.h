/* Doubles as text, the one way the library writes them: as JavaScript's
 * String(n) does (Number.prototype.toString), which is what a LiveView page
 * would show for the same number and what JSON.stringify writes for a finite
 * one. The digits are the fewest that read back as the same double; the
 * layout is JavaScript's: 30, 0.1, 1e-7, 0.000001, 123456789012345680000,
 * 1e+21, 1.5e+300; -0 is "0"; NaN, Infinity, -Infinity. */
#ifndef LV_UTIL_NUMBER_H
#define LV_UTIL_NUMBER_H

#include <stddef.h>

#include "util/buf.h"

/* Room for any text lv_double_text writes, NUL included (the longest is 26
 * bytes: "-0.000001" followed by 17 digits). */
#define LV_DOUBLE_TEXT_SIZE 32

/* Writes d into out, NUL-terminated; returns its length. Assumes the "C"
 * LC_NUMERIC locale, which the server never changes. */
size_t lv_double_text(double d, char out[LV_DOUBLE_TEXT_SIZE]);
/* Appends the same text to b. */
void lv_double_append(lv_buf *b, double d);

#endif
