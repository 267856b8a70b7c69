#include "util/base64url.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Maps a character to its 6-bit value, or -1 for anything outside the url
 * alphabet (including '+', '/', '=' and NUL). */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

size_t lv_b64url_encoded_len(size_t n)
{
    /* Written so that it cannot overflow for any n that fits in memory. */
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

size_t lv_b64url_decoded_max(size_t n)
{
    return n / 4 * 3 + (n % 4) * 3 / 4;
}

size_t lv_b64url_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    size_t rest = n - i;
    if (rest == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
    } else if (rest == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

/* Decodes n characters of an alphabet (value_of maps one to its 6 bits or
 * -1) into out. The bits left over must be zero, otherwise several texts
 * would decode to the same bytes and a token would have more than one
 * spelling. */
static bool decode_sextets(const char *in, size_t n, int (*value_of)(unsigned char), uint8_t *out, size_t *out_len)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = value_of((unsigned char)in[i]);
        if (v < 0) return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) return false;
    *out_len = o;
    return true;
}

bool lv_b64url_decode(const char *in, size_t n, uint8_t *out, size_t *out_len)
{
    *out_len = 0;
    /* One leftover character carries only 6 bits: no byte can end there. */
    if (n % 4 == 1) return false;
    return decode_sextets(in, n, b64url_value, out, out_len);
}

/* Standard base64 (RFC 4648 §4: '+', '/', '=' padding): what the long-poll
 * client sends binary frames as. */
static int b64std_value(unsigned char c)
{
    if (c == '+') return 62;
    if (c == '/') return 63;
    if (c == '-' || c == '_') return -1;
    return b64url_value(c);
}

bool lv_b64_decode(const char *in, size_t n, uint8_t *out, size_t *out_len)
{
    *out_len = 0;
    if (n % 4 != 0) return false;
    size_t pad = n && in[n - 1] == '=' ? (n > 1 && in[n - 2] == '=' ? 2 : 1) : 0;
    return decode_sextets(in, n - pad, b64std_value, out, out_len);
}
