#include <criterion/criterion.h>
#include <string.h>

#include "util/base64url.h"
#include "util/random.h"

static void expect_encoding(const char *plain, const char *encoded)
{
    size_t n = strlen(plain);
    char out[64];
    cr_assert_eq(lv_b64url_encoded_len(n), strlen(encoded));
    size_t written = lv_b64url_encode((const uint8_t *)plain, n, out);
    cr_assert_eq(written, strlen(encoded));
    cr_assert_str_eq(out, encoded);

    uint8_t back[64];
    size_t back_len = 99;
    cr_assert(lv_b64url_decode(encoded, strlen(encoded), back, &back_len), "decode %s", encoded);
    cr_assert_eq(back_len, n);
    cr_assert(lv_b64url_decoded_max(strlen(encoded)) >= n);
    cr_assert_arr_eq(back, plain, n);
}

static bool decodes(const char *text)
{
    uint8_t out[64];
    size_t out_len;
    return lv_b64url_decode(text, strlen(text), out, &out_len);
}

/* RFC 4648 §10 test vectors, without their padding. */
Test(base64url, rfc4648_vectors)
{
    expect_encoding("", "");
    expect_encoding("f", "Zg");
    expect_encoding("fo", "Zm8");
    expect_encoding("foo", "Zm9v");
    expect_encoding("foob", "Zm9vYg");
    expect_encoding("fooba", "Zm9vYmE");
    expect_encoding("foobar", "Zm9vYmFy");
}

/* 0xfb 0xff is "+/8=" in standard base64: the bytes that tell the alphabets
 * apart. */
Test(base64url, url_alphabet)
{
    const uint8_t bytes[] = {0xfb, 0xff};
    char out[8];
    cr_assert_eq(lv_b64url_encode(bytes, 2, out), 3);
    cr_assert_str_eq(out, "-_8");

    uint8_t back[8];
    size_t back_len;
    cr_assert(lv_b64url_decode("-_8", 3, back, &back_len));
    cr_assert_eq(back_len, 2);
    cr_assert_arr_eq(back, bytes, 2);
}

Test(base64url, rejects_padding)
{
    cr_assert_not(decodes("Zg=="));
    cr_assert_not(decodes("Zm8="));
    cr_assert_not(decodes("Zg="));
    cr_assert_not(decodes("===="));
}

Test(base64url, rejects_standard_alphabet)
{
    cr_assert_not(decodes("+_8"));
    cr_assert_not(decodes("-/8"));
    cr_assert_not(decodes("+/8="));
}

Test(base64url, rejects_foreign_characters)
{
    cr_assert_not(decodes("Zm9 v"));
    cr_assert_not(decodes(" Zm9v"));
    cr_assert_not(decodes("Zm9v\n"));
    cr_assert_not(decodes("Zm.v"));
    cr_assert_not(decodes("Zm9\xc3\xa9"));

    uint8_t out[8];
    size_t out_len;
    cr_assert_not(lv_b64url_decode("Zm\0v", 4, out, &out_len), "embedded NUL");
}

Test(base64url, rejects_impossible_length)
{
    cr_assert_not(decodes("Z"));
    cr_assert_not(decodes("Zm9vZ"));
    cr_assert_not(decodes("Zm9vYmFyZ"));
}

/* "Zg" is the only spelling of "f": "Zh" differs in the 4 unused bits. */
Test(base64url, rejects_nonzero_trailing_bits)
{
    cr_assert(decodes("Zg"));
    cr_assert_not(decodes("Zh"));
    cr_assert_not(decodes("Zv"));
    cr_assert(decodes("Zm8"));
    cr_assert_not(decodes("Zm9"));
    cr_assert_not(decodes("-_9"));
}

Test(base64url, decode_respects_length)
{
    /* Only the first 4 characters are ours to read. */
    uint8_t out[8];
    size_t out_len;
    cr_assert(lv_b64url_decode("Zm9v!!!!", 4, out, &out_len));
    cr_assert_eq(out_len, 3);
    cr_assert_arr_eq(out, "foo", 3);
}

Test(base64url, random_round_trip)
{
    for (size_t n = 0; n <= 100; n++) {
        uint8_t data[100];
        lv_random_bytes(data, n);

        char text[140];
        size_t text_len = lv_b64url_encode(data, n, text);
        cr_assert_eq(text_len, lv_b64url_encoded_len(n));
        cr_assert_eq(strlen(text), text_len);
        cr_assert_neq(text_len % 4, 1);
        cr_assert_null(strchr(text, '='));

        uint8_t back[100];
        size_t back_len;
        cr_assert(lv_b64url_decode(text, text_len, back, &back_len), "length %zu", n);
        cr_assert_eq(back_len, n);
        cr_assert(lv_b64url_decoded_max(text_len) >= n);
        cr_assert_arr_eq(back, data, n);
    }
}

Test(base64url, random_id_is_url_safe)
{
    char id[25];
    cr_assert_eq(lv_b64url_encoded_len(18) + 1, sizeof id);
    lv_random_id(id, 18);
    cr_assert_eq(strlen(id), 24);
    cr_assert_eq(strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                 24);

    char other[25];
    lv_random_id(other, 18);
    cr_assert_str_neq(id, other);
}

/* Standard base64 with padding: the long-poll client's binary frames. */
Test(base64url, standard_base64_decodes_strictly)
{
    static const struct {
        const char *in, *out;
    } ok[] = {{"", ""}, {"Zg==", "f"}, {"Zm8=", "fo"}, {"Zm9v", "foo"}, {"Zm9vYmFy", "foobar"}, {"+/8=", "\xfb\xff"}};
    uint8_t out[16];
    size_t len;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cr_assert(lv_b64_decode(ok[i].in, strlen(ok[i].in), out, &len), "%s", ok[i].in);
        cr_assert_eq(len, strlen(ok[i].out));
        cr_assert_eq(memcmp(out, ok[i].out, len), 0);
    }
    const char *bad[] = {"Zg", "Zg=", "Zg=a", "Z===", "-_8=", "Zh==", "Zm9*", "=Zg="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_not(lv_b64_decode(bad[i], strlen(bad[i]), out, &len), "%s", bad[i]);
}
