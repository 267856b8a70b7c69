#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "security/token.h"
#include "util/base64url.h"
#include "util/buf.h"

#define NOW 1700000000
#define TTL 3600

static const char SECRET[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char HS256_HEADER[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static lv_key session_key(void)
{
    lv_key key;
    lv_key_derive(&key, (const uint8_t *)SECRET, strlen(SECRET), "session");
    return key;
}

static void append_b64url(lv_buf *b, const void *data, size_t n)
{
    char *text = malloc(lv_b64url_encoded_len(n) + 1);
    size_t len = lv_b64url_encode(data, n, text);
    lv_buf_append(b, text, len);
    free(text);
}

static void append_mac(lv_buf *b, const lv_key *key)
{
    uint8_t mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key->bytes, sizeof key->bytes, (const uint8_t *)b->data, b->len, mac,
         &mac_len);
    cr_assert_eq(mac_len, 32);
    lv_buf_putc(b, '.');
    append_b64url(b, mac, sizeof mac);
}

/* Builds a token the way an attacker holding the real key (or a buggy
 * signer) would: any header, any payload text, a correct MAC. */
static char *forge(const lv_key *key, const char *header_json, const char *payload_json)
{
    lv_buf b = LV_BUF_INIT;
    append_b64url(&b, header_json, strlen(header_json));
    lv_buf_putc(&b, '.');
    append_b64url(&b, payload_json, strlen(payload_json));
    append_mac(&b, key);
    return lv_buf_take(&b);
}

static lv_token_status verify_str(const lv_key *key, const char *token, json_t **claims)
{
    return lv_token_verify(key, token, strlen(token), NOW, claims);
}

/* Verifies and checks that a failure hands back no claims. */
static void expect_status(const lv_key *key, const char *token, lv_token_status expected)
{
    json_t *claims = (json_t *)1;
    lv_token_status got = verify_str(key, token, &claims);
    cr_assert_eq(got, expected, "expected \"%s\", got \"%s\"", lv_token_status_str(expected),
                 lv_token_status_str(got));
    if (got == LV_TOKEN_OK)
        json_decref(claims);
    else
        cr_assert_null(claims);
}

static char *sign_subject(const lv_key *key)
{
    json_t *claims = json_pack("{s:s}", "sub", "user-1");
    char *token = lv_token_sign(key, claims, NOW, TTL);
    json_decref(claims);
    cr_assert_not_null(token);
    return token;
}

/* Splits a token into its three segments (copies). */
static void split(const char *token, char **header, char **payload, char **signature)
{
    const char *d1 = strchr(token, '.');
    const char *d2 = strchr(d1 + 1, '.');
    *header = lv_xstrndup(token, (size_t)(d1 - token));
    *payload = lv_xstrndup(d1 + 1, (size_t)(d2 - d1 - 1));
    *signature = lv_xstrdup(d2 + 1);
}

static char *join3(const char *a, const char *b, const char *c)
{
    lv_buf out = LV_BUF_INIT;
    lv_buf_printf(&out, "%s.%s.%s", a, b, c);
    return lv_buf_take(&out);
}

Test(token, key_derivation_vector)
{
    /* HMAC-SHA256(SECRET, "liveview-c/session"), computed with Python. */
    static const uint8_t expected[32] = {
        0x18, 0x89, 0x6d, 0xe1, 0xff, 0x98, 0x3e, 0xe8, 0x32, 0xa9, 0xd8,
        0x96, 0x55, 0xd5, 0xd8, 0x13, 0xb8, 0xac, 0xf5, 0x80, 0x2b, 0xfe,
        0x38, 0xfe, 0x82, 0xa5, 0x0f, 0xb3, 0xec, 0x7e, 0x92, 0x09,
    };
    lv_key key = session_key();
    cr_assert_arr_eq(key.bytes, expected, 32);

    lv_key other;
    lv_key_derive(&other, (const uint8_t *)SECRET, strlen(SECRET), "static");
    cr_assert_arr_neq(key.bytes, other.bytes, 32);
}

/* Refusing short secrets is the caller's job; derivation still has to work
 * (and match HMAC) for an empty one rather than crash. */
Test(token, key_derivation_empty_secret)
{
    static const uint8_t expected[32] = {
        0x6d, 0x90, 0xe3, 0x59, 0x12, 0xc0, 0x72, 0x88, 0xde, 0xf5, 0x1a,
        0xee, 0x26, 0x6f, 0x40, 0xc9, 0xd6, 0x74, 0x9f, 0x85, 0x9e, 0x6b,
        0x11, 0xd8, 0xff, 0xc3, 0xc4, 0xe0, 0xd1, 0xa5, 0xbc, 0x9d,
    };
    lv_key key;
    lv_key_derive(&key, NULL, 0, "flash");
    cr_assert_arr_eq(key.bytes, expected, 32);
}

/* The exact bytes any HS256 JWT library would produce for these claims. */
Test(token, sign_known_vector)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    cr_assert_str_eq(token,
                     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                     "eyJleHAiOjE3MDAwMDM2MDAsImlhdCI6MTcwMDAwMDAwMCwic3ViIjoidXNlci0xIn0."
                     "0ASBQHrinrhQ0GGBb7CBMTVMC4WqsiMUtm_hy-IPNrQ");
    free(token);
}

Test(token, round_trip)
{
    lv_key key = session_key();
    json_t *claims = json_pack("{s:s, s:i, s:[i,i], s:{s:b}}", "view", "Counter", "n", 42, "list",
                               1, 2, "nested", "ok", 1);
    char *token = lv_token_sign(&key, claims, NOW, TTL);
    cr_assert_not_null(token);
    cr_assert_leq(strlen(token), LV_TOKEN_MAX_LEN);

    json_t *verified = NULL;
    cr_assert_eq(verify_str(&key, token, &verified), LV_TOKEN_OK);
    cr_assert(json_is_object(verified));
    cr_assert_eq(json_integer_value(json_object_get(verified, "iat")), NOW);
    cr_assert_eq(json_integer_value(json_object_get(verified, "exp")), NOW + TTL);

    /* The claims given to sign are borrowed and left untouched. */
    cr_assert_null(json_object_get(claims, "iat"));
    cr_assert_null(json_object_get(claims, "exp"));

    json_object_set_new(claims, "iat", json_integer(NOW));
    json_object_set_new(claims, "exp", json_integer(NOW + TTL));
    cr_assert(json_equal(claims, verified));

    json_decref(verified);
    json_decref(claims);
    free(token);
}

Test(token, signing_is_deterministic)
{
    lv_key key = session_key();
    json_t *a = json_pack("{s:i, s:i, s:i}", "z", 1, "a", 2, "m", 3);
    json_t *b = json_pack("{s:i, s:i, s:i}", "a", 2, "m", 3, "z", 1);
    char *ta = lv_token_sign(&key, a, NOW, TTL);
    char *tb = lv_token_sign(&key, b, NOW, TTL);
    cr_assert_str_eq(ta, tb);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
}

Test(token, null_claims_sign_an_empty_object)
{
    lv_key key = session_key();
    char *token = lv_token_sign(&key, NULL, NOW, TTL);
    cr_assert_not_null(token);
    expect_status(&key, token, LV_TOKEN_OK);
    free(token);
}

Test(token, sign_refuses_what_it_cannot_sign)
{
    lv_key key = session_key();
    json_t *array = json_array();
    cr_assert_null(lv_token_sign(&key, array, NOW, TTL));
    json_decref(array);
    cr_assert_null(lv_token_sign(&key, NULL, INT64_MAX - 10, TTL), "exp would overflow");
}

Test(token, claims_pointer_is_optional)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    cr_assert_eq(lv_token_verify(&key, token, strlen(token), NOW, NULL), LV_TOKEN_OK);
    free(token);
}

Test(token, alg_none)
{
    lv_key key = session_key();
    lv_buf b = LV_BUF_INIT;
    const char *header = "{\"alg\":\"none\",\"typ\":\"JWT\"}";
    const char *payload = "{\"exp\":1800000000,\"sub\":\"admin\"}";
    append_b64url(&b, header, strlen(header));
    lv_buf_putc(&b, '.');
    append_b64url(&b, payload, strlen(payload));
    lv_buf_putc(&b, '.');
    expect_status(&key, b.data, LV_TOKEN_BAD_HEADER);
    lv_buf_free(&b);

    /* Even with a correct MAC, any other header is refused. */
    char *token = forge(&key, header, payload);
    expect_status(&key, token, LV_TOKEN_BAD_HEADER);
    free(token);
}

Test(token, alg_none_capitalised)
{
    lv_key key = session_key();
    const char *payload = "{\"exp\":1800000000}";
    const char *headers[] = {
        "{\"alg\":\"None\",\"typ\":\"JWT\"}",
        "{\"alg\":\"nOnE\",\"typ\":\"JWT\"}",
        "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *token = forge(&key, headers[i], payload);
        expect_status(&key, token, LV_TOKEN_BAD_HEADER);
        free(token);
    }
}

Test(token, other_algorithms)
{
    lv_key key = session_key();
    const char *payload = "{\"exp\":1700003600,\"iat\":1700000000}";
    const char *headers[] = {
        "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
        "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
        "{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
        "{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../etc/passwd\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"]}",
        "{\"alg\": \"HS256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS256\",\"typ\":\"JWT\"} ",
        "",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *token = forge(&key, headers[i], payload);
        expect_status(&key, token, LV_TOKEN_BAD_HEADER);
        free(token);
    }
    /* The genuine header, built the same way, is accepted. */
    char *token = forge(&key, HS256_HEADER, payload);
    expect_status(&key, token, LV_TOKEN_OK);
    free(token);
}

Test(token, header_with_padding)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    char *header, *payload, *signature;
    split(token, &header, &payload, &signature);
    char *padded_header = lv_xstrdup("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9==");
    char *bad = join3(padded_header, payload, signature);
    expect_status(&key, bad, LV_TOKEN_BAD_HEADER);
    free(bad);
    free(padded_header);
    free(header);
    free(payload);
    free(signature);
    free(token);
}

Test(token, wrong_segment_count)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    char *header, *payload, *signature;
    split(token, &header, &payload, &signature);

    lv_buf two = LV_BUF_INIT;
    lv_buf_printf(&two, "%s.%s", header, payload);
    expect_status(&key, two.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&two);

    lv_buf four = LV_BUF_INIT;
    lv_buf_printf(&four, "%s.%s.%s.%s", header, payload, signature, signature);
    expect_status(&key, four.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&four);

    lv_buf trailing_dot = LV_BUF_INIT;
    lv_buf_printf(&trailing_dot, "%s.", token);
    expect_status(&key, trailing_dot.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&trailing_dot);

    expect_status(&key, header, LV_TOKEN_MALFORMED);
    expect_status(&key, "..", LV_TOKEN_BAD_HEADER);
    expect_status(&key, "...", LV_TOKEN_MALFORMED);

    free(header);
    free(payload);
    free(signature);
    free(token);
}

Test(token, stripped_signature)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    *(strrchr(token, '.') + 1) = '\0';
    expect_status(&key, token, LV_TOKEN_BAD_SIGNATURE);
    free(token);
}

Test(token, signature_of_wrong_length)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    char *header, *payload, *signature;
    split(token, &header, &payload, &signature);
    uint8_t mac[34];
    size_t mac_len;
    cr_assert(lv_b64url_decode(signature, strlen(signature), mac, &mac_len));
    mac[32] = 0;

    /* Well-formed base64url, but 31 or 33 bytes: not an HS256 MAC. */
    for (size_t n = 31; n <= 33; n += 2) {
        char text[48];
        lv_b64url_encode(mac, n, text);
        char *bad = join3(header, payload, text);
        expect_status(&key, bad, LV_TOKEN_BAD_SIGNATURE);
        free(bad);
    }

    /* Cut short, the text is no longer valid base64url (41 characters is
     * an impossible length) or no longer the MAC. */
    size_t len = strlen(token);
    cr_assert_eq(lv_token_verify(&key, token, len - 2, NOW, NULL), LV_TOKEN_MALFORMED);
    cr_assert_neq(lv_token_verify(&key, token, len - 1, NOW, NULL), LV_TOKEN_OK);

    free(header);
    free(payload);
    free(signature);
    free(token);
}

Test(token, every_flipped_signature_bit)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    char *header, *payload, *signature;
    split(token, &header, &payload, &signature);

    uint8_t mac[33];
    size_t mac_len;
    cr_assert(lv_b64url_decode(signature, strlen(signature), mac, &mac_len));
    cr_assert_eq(mac_len, 32);
    for (size_t bit = 0; bit < 256; bit++) {
        mac[bit / 8] ^= (uint8_t)(1u << bit % 8);
        char flipped[44];
        lv_b64url_encode(mac, 32, flipped);
        char *bad = join3(header, payload, flipped);
        expect_status(&key, bad, LV_TOKEN_BAD_SIGNATURE);
        free(bad);
        mac[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(header);
    free(payload);
    free(signature);
    free(token);
}

Test(token, flipped_payload_character)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    char *payload = strchr(token, '.') + 1;
    for (size_t i = 0; payload[i] != '.'; i++) {
        char saved = payload[i];
        payload[i] = saved == 'A' ? 'B' : 'A';
        expect_status(&key, token, LV_TOKEN_BAD_SIGNATURE);
        payload[i] = saved;
    }
    expect_status(&key, token, LV_TOKEN_OK);
    free(token);
}

/* Standard base64 with padding is another spelling of the same payload:
 * unsigned it fails the MAC; signed it fails the strict decoder. */
Test(token, payload_in_standard_base64)
{
    lv_key key = session_key();
    const char *payload = "{\"exp\":1800000000,\"sub\":\"a?\?>\"}";
    unsigned char standard[128];
    int n = EVP_EncodeBlock(standard, (const unsigned char *)payload, (int)strlen(payload));
    cr_assert_gt(n, 0);
    cr_assert_not_null(strchr((char *)standard, '='), "the vector must need padding");
    cr_assert_not_null(strchr((char *)standard, '/'), "the vector must use '/'");

    char *genuine = forge(&key, HS256_HEADER, payload);
    char *header, *genuine_payload, *signature;
    split(genuine, &header, &genuine_payload, &signature);

    char *reencoded = join3(header, (char *)standard, signature);
    expect_status(&key, reencoded, LV_TOKEN_BAD_SIGNATURE);
    free(reencoded);

    lv_buf resigned = LV_BUF_INIT;
    lv_buf_printf(&resigned, "%s.%s", header, (char *)standard);
    append_mac(&resigned, &key);
    expect_status(&key, resigned.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&resigned);

    /* Padding alone, after the url alphabet, is refused as well. */
    const char *short_payload = "{\"exp\":18000000000}";
    lv_buf padded = LV_BUF_INIT;
    lv_buf_puts(&padded, header);
    lv_buf_putc(&padded, '.');
    size_t payload_start = padded.len;
    append_b64url(&padded, short_payload, strlen(short_payload));
    cr_assert_neq((padded.len - payload_start) % 4, 0, "the vector must need padding");
    while ((padded.len - payload_start) % 4 != 0) lv_buf_putc(&padded, '=');
    append_mac(&padded, &key);
    expect_status(&key, padded.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&padded);

    free(header);
    free(genuine_payload);
    free(signature);
    free(genuine);
}

Test(token, signature_with_padding)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    lv_buf padded = LV_BUF_INIT;
    lv_buf_printf(&padded, "%s=", token);
    expect_status(&key, padded.data, LV_TOKEN_MALFORMED);
    lv_buf_free(&padded);
    free(token);
}

Test(token, signature_in_standard_alphabet)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    /* The known vector's signature contains '-' and '_'. */
    char *signature = strrchr(token, '.') + 1;
    for (char *p = signature; *p; p++) {
        if (*p == '-') *p = '+';
        if (*p == '_') *p = '/';
    }
    expect_status(&key, token, LV_TOKEN_MALFORMED);
    free(token);
}

Test(token, duplicate_keys)
{
    lv_key key = session_key();
    char *token = forge(&key, HS256_HEADER, "{\"exp\":1,\"exp\":1800000000}");
    expect_status(&key, token, LV_TOKEN_MALFORMED);
    free(token);

    token = forge(&key, HS256_HEADER, "{\"exp\":1800000000,\"sub\":\"a\",\"sub\":\"admin\"}");
    expect_status(&key, token, LV_TOKEN_MALFORMED);
    free(token);
}

Test(token, payload_not_an_object)
{
    lv_key key = session_key();
    const char *payloads[] = {
        "[{\"exp\":1800000000}]", "1800000000", "\"exp\"", "null", "", "{", "{\"exp\":1800000000} x",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *token = forge(&key, HS256_HEADER, payloads[i]);
        expect_status(&key, token, LV_TOKEN_MALFORMED);
        free(token);
    }
}

Test(token, payload_with_nul_escape)
{
    lv_key key = session_key();
    char *token = forge(&key, HS256_HEADER, "{\"exp\":1800000000,\"sub\":\"a\\u0000b\"}");
    expect_status(&key, token, LV_TOKEN_MALFORMED);
    free(token);
}

Test(token, exp_missing_or_not_integer)
{
    lv_key key = session_key();
    const char *payloads[] = {
        "{}",
        "{\"sub\":\"x\"}",
        "{\"exp\":\"1800000000\"}",
        "{\"exp\":1800000000.0}",
        "{\"exp\":null}",
        "{\"exp\":true}",
        "{\"exp\":[1800000000]}",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *token = forge(&key, HS256_HEADER, payloads[i]);
        expect_status(&key, token, LV_TOKEN_EXPIRED);
        free(token);
    }
}

Test(token, exp_boundaries)
{
    lv_key key = session_key();
    char *at_now = lv_token_sign(&key, NULL, NOW - TTL, TTL);
    expect_status(&key, at_now, LV_TOKEN_EXPIRED);
    free(at_now);

    char *past = lv_token_sign(&key, NULL, NOW - 2 * TTL, TTL);
    expect_status(&key, past, LV_TOKEN_EXPIRED);
    free(past);

    char *one_second_left = lv_token_sign(&key, NULL, NOW - TTL + 1, TTL);
    expect_status(&key, one_second_left, LV_TOKEN_OK);
    free(one_second_left);

    cr_assert_null(lv_token_sign(&key, NULL, NOW, 0), "a token that never verifies is not signed");
}

Test(token, iat_in_the_future)
{
    lv_key key = session_key();
    char *hour_ahead = lv_token_sign(&key, NULL, NOW + 3600, TTL);
    expect_status(&key, hour_ahead, LV_TOKEN_NOT_YET_VALID);
    free(hour_ahead);

    char *skewed = lv_token_sign(&key, NULL, NOW + 30, TTL);
    expect_status(&key, skewed, LV_TOKEN_OK);
    free(skewed);

    char *at_leeway = lv_token_sign(&key, NULL, NOW + LV_TOKEN_IAT_LEEWAY, TTL);
    expect_status(&key, at_leeway, LV_TOKEN_OK);
    free(at_leeway);

    char *past_leeway = lv_token_sign(&key, NULL, NOW + LV_TOKEN_IAT_LEEWAY + 1, TTL);
    expect_status(&key, past_leeway, LV_TOKEN_NOT_YET_VALID);
    free(past_leeway);
}

Test(token, iat_extremes)
{
    lv_key key = session_key();
    char *token = forge(&key, HS256_HEADER,
                        "{\"exp\":9223372036854775807,\"iat\":9223372036854775807}");
    expect_status(&key, token, LV_TOKEN_NOT_YET_VALID);
    free(token);

    cr_assert_eq(lv_token_verify(&key, "x", 1, INT64_MIN, NULL), LV_TOKEN_MALFORMED);
}

/* Signed (a leaked key, a bug) yet absurd: the review's tokens verified. */
Test(token, absurd_exp_and_iat_never_verify)
{
    lv_key key = session_key();
    const char *payloads[] = {
        "{\"exp\":9223372036854775807,\"iat\":-9223372036854775808}",
        "{\"exp\":9223372036854775807,\"iat\":1700000000}",
        "{\"exp\":9223372036854775807}",
        "{\"exp\":1800000000,\"iat\":-1}",
        "{\"exp\":1800000000,\"iat\":-9223372036854775808}",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *token = forge(&key, HS256_HEADER, payloads[i]);
        expect_status(&key, token, LV_TOKEN_BAD_LIFETIME);
        free(token);
    }
    /* iat far in the future is refused whatever exp says. */
    char *token = forge(&key, HS256_HEADER, "{\"exp\":9223372036854775807,\"iat\":4000000000}");
    expect_status(&key, token, LV_TOKEN_NOT_YET_VALID);
    free(token);
}

Test(token, lifetime_is_bounded_at_the_limit)
{
    lv_key key = session_key();
    char *longest = lv_token_sign(&key, NULL, NOW, LV_TOKEN_MAX_LIFETIME);
    expect_status(&key, longest, LV_TOKEN_OK);
    free(longest);
    cr_assert_null(lv_token_sign(&key, NULL, NOW, LV_TOKEN_MAX_LIFETIME + 1));
    cr_assert_null(lv_token_sign(&key, NULL, -1, TTL), "issued before 1970");

    char buf[128];
    snprintf(buf, sizeof buf, "{\"exp\":%lld,\"iat\":%lld}", (long long)NOW + LV_TOKEN_MAX_LIFETIME + 1,
             (long long)NOW);
    char *token = forge(&key, HS256_HEADER, buf);
    expect_status(&key, token, LV_TOKEN_BAD_LIFETIME);
    free(token);
}

Test(token, iat_not_integer)
{
    lv_key key = session_key();
    const char *payloads[] = {
        "{\"exp\":1800000000,\"iat\":\"1700000000\"}",
        "{\"exp\":1800000000,\"iat\":1700000000.5}",
        "{\"exp\":1800000000,\"iat\":null}",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        char *token = forge(&key, HS256_HEADER, payloads[i]);
        expect_status(&key, token, LV_TOKEN_MALFORMED);
        free(token);
    }
    /* iat is required: without it a token's age is unknown. */
    char *token = forge(&key, HS256_HEADER, "{\"exp\":1800000000}");
    expect_status(&key, token, LV_TOKEN_BAD_LIFETIME);
    free(token);
}

/* Too long is refused before anything else: the key is not even looked at,
 * so a NULL key proves no HMAC was computed. */
Test(token, too_large)
{
    lv_key key = session_key();
    char *big = malloc(LV_TOKEN_MAX_LEN + 2);
    memset(big, 'A', LV_TOKEN_MAX_LEN + 1);
    big[LV_TOKEN_MAX_LEN + 1] = '\0';
    expect_status(&key, big, LV_TOKEN_TOO_LARGE);
    cr_assert_eq(lv_token_verify(NULL, big, LV_TOKEN_MAX_LEN + 1, NOW, NULL), LV_TOKEN_TOO_LARGE);
    cr_assert_eq(lv_token_verify(NULL, NULL, SIZE_MAX, NOW, NULL), LV_TOKEN_TOO_LARGE);
    free(big);

    /* A genuine token that is one byte too long is refused as well. */
    json_t *claims = json_object();
    lv_buf filler = LV_BUF_INIT;
    for (int i = 0; i < 6200; i++) lv_buf_putc(&filler, 'x');
    json_object_set_new(claims, "pad", json_string(filler.data));
    char *token = lv_token_sign(&key, claims, NOW, TTL);
    cr_assert_gt(strlen(token), LV_TOKEN_MAX_LEN);
    expect_status(&key, token, LV_TOKEN_TOO_LARGE);
    free(token);

    /* ...while one that just fits is accepted: find the longest pad that does. */
    size_t pad = 6200;
    char *fit = NULL;
    while (!fit && pad > 0) {
        filler.data[--pad] = '\0';
        json_object_set_new(claims, "pad", json_string(filler.data));
        char *candidate = lv_token_sign(&key, claims, NOW, TTL);
        if (strlen(candidate) <= LV_TOKEN_MAX_LEN)
            fit = candidate;
        else
            free(candidate);
    }
    cr_assert_not_null(fit);
    cr_assert_geq(strlen(fit), LV_TOKEN_MAX_LEN - 4);
    expect_status(&key, fit, LV_TOKEN_OK);
    free(fit);
    lv_buf_free(&filler);
    json_decref(claims);
}

Test(token, header_checked_before_mac)
{
    cr_assert_eq(lv_token_verify(NULL, "a.b.c", 5, NOW, NULL), LV_TOKEN_BAD_HEADER);
}

Test(token, other_purpose_key)
{
    lv_key static_key;
    lv_key_derive(&static_key, (const uint8_t *)SECRET, strlen(SECRET), "static");
    lv_key key = session_key();
    char *token = sign_subject(&static_key);
    expect_status(&static_key, token, LV_TOKEN_OK);
    expect_status(&key, token, LV_TOKEN_BAD_SIGNATURE);
    free(token);

    lv_key other_secret;
    lv_key_derive(&other_secret, (const uint8_t *)"another secret of enough length!!", 33,
                  "session");
    token = sign_subject(&other_secret);
    expect_status(&key, token, LV_TOKEN_BAD_SIGNATURE);
    free(token);
}

Test(token, empty)
{
    lv_key key = session_key();
    expect_status(&key, "", LV_TOKEN_MALFORMED);
    cr_assert_eq(lv_token_verify(&key, NULL, 0, NOW, NULL), LV_TOKEN_MALFORMED);
}

/* The token may be a slice of a larger buffer: only len bytes count. */
Test(token, not_nul_terminated)
{
    lv_key key = session_key();
    char *token = sign_subject(&key);
    size_t len = strlen(token);

    char *exact = malloc(len);
    memcpy(exact, token, len);
    cr_assert_eq(lv_token_verify(&key, exact, len, NOW, NULL), LV_TOKEN_OK);
    free(exact);

    lv_buf with_tail = LV_BUF_INIT;
    lv_buf_printf(&with_tail, "%s.garbage", token);
    cr_assert_eq(lv_token_verify(&key, with_tail.data, len, NOW, NULL), LV_TOKEN_OK);
    cr_assert_eq(lv_token_verify(&key, with_tail.data, with_tail.len, NOW, NULL),
                 LV_TOKEN_MALFORMED);
    /* Shorter than the string: the signature is cut. */
    cr_assert_neq(lv_token_verify(&key, with_tail.data, len - 5, NOW, NULL), LV_TOKEN_OK);
    lv_buf_free(&with_tail);

    /* Bytes after an embedded NUL are not a way around the checks. */
    lv_buf embedded = LV_BUF_INIT;
    lv_buf_append(&embedded, token, len);
    lv_buf_putc(&embedded, '\0');
    cr_assert_eq(lv_token_verify(&key, embedded.data, embedded.len, NOW, NULL), LV_TOKEN_MALFORMED);
    lv_buf_free(&embedded);
    free(token);
}

Test(token, status_strings)
{
    for (int s = LV_TOKEN_OK; s <= LV_TOKEN_BAD_LIFETIME; s++) {
        const char *text = lv_token_status_str((lv_token_status)s);
        cr_assert_not_null(text);
        cr_assert_gt(strlen(text), 0);
    }
    cr_assert_str_eq(lv_token_status_str(LV_TOKEN_OK), "ok");
}
