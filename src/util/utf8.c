/* Incremental UTF-8 validation with a deterministic finite automaton, in the
 * manner of Bjoern Hoehrmann's decoder: every byte is mapped to a class, and
 * a small transition table moves between "between code points" (ACCEPT),
 * "invalid" (REJECT) and seven "inside a code point" states.
 *
 * The states that follow E0, ED, F0 and F4 exist because those lead bytes
 * restrict the range of the *next* byte, which is how overlong forms
 * (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code points above
 * U+10FFFF (F4 90..BF) are refused at the byte where they become invalid
 * rather than after decoding. The state is a plain integer, so it survives
 * between calls and a code point split across WebSocket fragments is
 * checked exactly as if it had arrived in one piece. */
#include "util/utf8.h"

#include <string.h>

/* Byte classes. */
enum {
    C_ASCII,   /* 00..7F */
    C_CONT_LO, /* 80..8F: continuation, allowed after F4 */
    C_CONT_MI, /* 90..9F: continuation, allowed after ED and F0 */
    C_CONT_HI, /* A0..BF: continuation, allowed after E0 and F0 */
    C_INVALID, /* C0, C1 (always overlong) and F5..FF (beyond U+10FFFF) */
    C_LEAD2,   /* C2..DF */
    C_E0,      /* E0: second byte A0..BF, or it would be overlong */
    C_LEAD3,   /* E1..EC, EE, EF */
    C_ED,      /* ED: second byte 80..9F, or it would be a surrogate */
    C_F0,      /* F0: second byte 90..BF, or it would be overlong */
    C_LEAD4,   /* F1..F3 */
    C_F4,      /* F4: second byte 80..8F, or it would exceed U+10FFFF */
    CLASS_COUNT
};

/* States. ACCEPT and REJECT keep the values the header promises. */
enum {
    S_ACCEPT = LV_UTF8_ACCEPT,
    S_REJECT = LV_UTF8_REJECT,
    S_TAIL1, /* one continuation byte left */
    S_TAIL2, /* two left */
    S_TAIL3, /* three left */
    S_E0,    /* after E0 */
    S_ED,    /* after ED */
    S_F0,    /* after F0 */
    S_F4,    /* after F4 */
    STATE_COUNT
};

static const uint8_t byte_class[256] = {
    /* 00..7F */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 70 */
    /* continuation bytes */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 80 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 90 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* A0 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* B0 */
    /* lead bytes */
    4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, /* C0 */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, /* D0 */
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 7, /* E0 */
    9, 10, 10, 10, 11, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* F0 */
};

#define A S_ACCEPT
#define R S_REJECT
/* Columns follow the byte classes, rows the states. */
static const uint8_t transition[STATE_COUNT][CLASS_COUNT] = {
    /*            00-7F    80-8F    90-9F    A0-BF    bad      C2-DF    E0       E1-EF    ED       F0       F1-F3    F4 */
    [S_ACCEPT] = {A,       R,       R,       R,       R,       S_TAIL1, S_E0,    S_TAIL2, S_ED,    S_F0,    S_TAIL3, S_F4},
    [S_REJECT] = {R,       R,       R,       R,       R,       R,       R,       R,       R,       R,       R,       R},
    [S_TAIL1] = { R,       A,       A,       A,       R,       R,       R,       R,       R,       R,       R,       R},
    [S_TAIL2] = { R,       S_TAIL1, S_TAIL1, S_TAIL1, R,       R,       R,       R,       R,       R,       R,       R},
    [S_TAIL3] = { R,       S_TAIL2, S_TAIL2, S_TAIL2, R,       R,       R,       R,       R,       R,       R,       R},
    [S_E0] = {    R,       R,       R,       S_TAIL1, R,       R,       R,       R,       R,       R,       R,       R},
    [S_ED] = {    R,       S_TAIL1, S_TAIL1, R,       R,       R,       R,       R,       R,       R,       R,       R},
    [S_F0] = {    R,       R,       S_TAIL2, S_TAIL2, R,       R,       R,       R,       R,       R,       R,       R},
    [S_F4] = {    R,       S_TAIL2, R,       R,       R,       R,       R,       R,       R,       R,       R,       R},
};
#undef A
#undef R

/* Most text on a LiveView socket is JSON and mostly ASCII, so while the
 * automaton sits between code points it skips eight bytes at a time when none
 * has its top bit set. memcpy keeps the word load free of alignment traps. */
static size_t skip_ascii(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t word;
        memcpy(&word, s + i, sizeof word);
        if (word & UINT64_C(0x8080808080808080)) break;
        i += 8;
    }
    while (i < n && s[i] < 0x80) i++;
    return i;
}

uint32_t lv_utf8_feed(uint32_t state, const uint8_t *s, size_t n)
{
    /* An unknown state can only come from a caller bug; treating it as
     * invalid is the safe answer for a validator. */
    if (state >= STATE_COUNT) return S_REJECT;
    size_t i = 0;
    while (i < n && state != S_REJECT) {
        if (state == S_ACCEPT) {
            i += skip_ascii(s + i, n - i);
            if (i == n) break;
        }
        state = transition[state][byte_class[s[i]]];
        i++;
    }
    return state;
}

bool lv_utf8_valid(const uint8_t *s, size_t n)
{
    return lv_utf8_feed(S_ACCEPT, s, n) == S_ACCEPT;
}
