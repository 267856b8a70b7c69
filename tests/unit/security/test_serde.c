#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "security/serde.h"
#include "util/base64url.h"
#include "util/buf.h"

#define T0 INT64_C(1700000000)
#define TTL INT64_C(3600)

static const char SECRET[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char SESSION[] = "{\"user_id\":42,\"csrf\":\"abc\",\"note\":\"secret_value\"}";

/* The serdes read time only through this, so expiry is tested exactly. */
static int64_t fake_now = T0;
static int64_t fake_clock(void)
{
    return fake_now;
}

static lv_key key_for(const char *purpose)
{
    lv_key key;
    lv_key_derive(&key, (const uint8_t *)SECRET, strlen(SECRET), purpose);
    return key;
}

static lv_serde jwt;
static lv_serde aead;

static void setup(void)
{
    fake_now = T0;
    lv_key key = key_for("session");
    lv_serde_jwt_init(&jwt, &key, TTL, fake_clock);
    lv_serde_aead_init(&aead, &key, TTL, fake_clock);
}

static void teardown(void)
{
    lv_serde_release(&jwt);
    lv_serde_release(&aead);
}

TestSuite(serde, .init = setup, .fini = teardown);

static char *ser(lv_serde *s, const char *json)
{
    return s->serialize(s->ctx, json, strlen(json));
}

static char *de(lv_serde *s, const char *token)
{
    return s->deserialize(s->ctx, token, strlen(token));
}

static char *ser_ok(lv_serde *s, const char *json)
{
    char *token = ser(s, json);
    cr_assert_not_null(token, "serialize failed for %s", json);
    return token;
}

/* The session as deserialize must give it back: sorted, compact, with the
 * iat and exp of the moment it was serialized. */
static const char EXPECTED_SESSION[] =
    "{\"csrf\":\"abc\",\"exp\":1700003600,\"iat\":1700000000,\"note\":\"secret_value\","
    "\"user_id\":42}";

static void expect_round_trip(lv_serde *s)
{
    char *token = ser_ok(s, SESSION);
    char *back = de(s, token);
    cr_assert_not_null(back);
    cr_assert_str_eq(back, EXPECTED_SESSION);
    free(back);
    free(token);
}

Test(serde, jwt_round_trip)
{
    expect_round_trip(&jwt);
}

Test(serde, aead_round_trip)
{
    expect_round_trip(&aead);
}

Test(serde, round_trip_of_empty_object_and_nested_values)
{
    lv_serde *both[] = {&jwt, &aead};
    for (size_t i = 0; i < 2; i++) {
        char *token = ser_ok(both[i], "{}");
        char *back = de(both[i], token);
        cr_assert_str_eq(back, "{\"exp\":1700003600,\"iat\":1700000000}");
        free(back);
        free(token);

        token = ser_ok(both[i], " { \"a\" : [1, {\"b\": null}], \"\\u00e9\": true } ");
        back = de(both[i], token);
        cr_assert_str_eq(back,
                         "{\"a\":[1,{\"b\":null}],\"exp\":1700003600,\"iat\":1700000000,"
                         "\"\xc3\xa9\":true}");
        free(back);
        free(token);
    }
}

/* A session that tries to pick its own lifetime gets ours instead. */
Test(serde, caller_supplied_iat_and_exp_are_replaced)
{
    lv_serde *both[] = {&jwt, &aead};
    for (size_t i = 0; i < 2; i++) {
        char *token = ser_ok(both[i], "{\"exp\":9999999999,\"iat\":1}");
        char *back = de(both[i], token);
        cr_assert_str_eq(back, "{\"exp\":1700003600,\"iat\":1700000000}");
        free(back);
        free(token);
    }
}

Test(serde, jwt_token_is_a_jwt)
{
    char *token = ser_ok(&jwt, SESSION);
    cr_assert(strncmp(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37) == 0);
    free(token);
}

Test(serde, aead_token_has_prefix_and_expected_length)
{
    char *token = ser_ok(&aead, SESSION);
    cr_assert(strncmp(token, LV_AEAD_PREFIX, strlen(LV_AEAD_PREFIX)) == 0);
    size_t sealed = 12 + strlen(EXPECTED_SESSION) + 16;
    cr_assert_eq(strlen(token), strlen(LV_AEAD_PREFIX) + lv_b64url_encoded_len(sealed));
    free(token);
}

Test(serde, aead_nonce_is_random)
{
    char *a = ser_ok(&aead, SESSION);
    char *b = ser_ok(&aead, SESSION);
    cr_assert_str_neq(a, b);
    /* Not just a different tail: the nonce at the front differs. */
    size_t prefix = strlen(LV_AEAD_PREFIX);
    cr_assert(memcmp(a + prefix, b + prefix, 16) != 0);
    free(a);
    free(b);
}

/* base64url of text at each of the three alignments, so that a plaintext
 * encoded anywhere inside a longer text would be found. */
static bool contains_b64_of(const char *haystack, const char *text)
{
    size_t n = strlen(text);
    for (size_t shift = 0; shift < 3; shift++) {
        lv_buf padded = LV_BUF_INIT;
        for (size_t i = 0; i < shift; i++) lv_buf_putc(&padded, 'x');
        lv_buf_append(&padded, text, n);
        char *encoded = malloc(lv_b64url_encoded_len(padded.len) + 1);
        lv_b64url_encode((const uint8_t *)padded.data, padded.len, encoded);
        /* Drop the characters that mix in the padding or the next byte. */
        size_t skip = shift == 0 ? 0 : shift + 1;
        size_t len = strlen(encoded);
        size_t stable_len = len - skip > 2 ? len - skip - 2 : 0;
        char *stable = lv_xstrndup(encoded + skip, stable_len);
        bool found = stable_len > 0 && strstr(haystack, stable) != NULL;
        free(stable);
        free(encoded);
        lv_buf_free(&padded);
        if (found) return true;
    }
    return false;
}

Test(serde, aead_token_hides_the_plaintext)
{
    char *token = ser_ok(&aead, SESSION);
    cr_assert_null(strstr(token, "secret_value"));
    cr_assert_not(contains_b64_of(token, "secret_value"));
    cr_assert_not(contains_b64_of(token, "user_id"));
    free(token);

    /* The check itself works: the JWT, which is only signed, shows it. */
    char *signed_only = ser_ok(&jwt, SESSION);
    cr_assert(contains_b64_of(signed_only, "secret_value"));
    free(signed_only);
}

Test(serde, aead_every_single_byte_change_is_refused)
{
    char *token = ser_ok(&aead, SESSION);
    size_t len = strlen(token);
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = strlen(LV_AEAD_PREFIX); i < len; i++) {
        char original = token[i];
        /* A neighbour in the alphabet, and one far away. */
        const char *at = strchr(alphabet, original);
        cr_assert_not_null(at);
        size_t index = (size_t)(at - alphabet);
        char replacements[] = {alphabet[(index + 1) % 64], alphabet[(index + 32) % 64], '=', '+'};
        for (size_t r = 0; r < sizeof replacements; r++) {
            token[i] = replacements[r];
            char *back = de(&aead, token);
            cr_assert_null(back, "accepted a change at %zu to '%c'", i, replacements[r]);
        }
        token[i] = original;
    }
    char *back = de(&aead, token);
    cr_assert_not_null(back, "the restored token no longer verifies");
    free(back);
    free(token);
}

Test(serde, aead_truncated_is_refused)
{
    char *token = ser_ok(&aead, SESSION);
    size_t len = strlen(token);
    for (size_t cut = 0; cut < len; cut++)
        cr_assert_null(aead.deserialize(aead.ctx, token, cut), "accepted the first %zu bytes", cut);
    /* One byte more (the NUL) is not the token either. */
    cr_assert_null(aead.deserialize(aead.ctx, token, len + 1));
    free(token);
}

Test(serde, aead_appended_data_is_refused)
{
    char *token = ser_ok(&aead, SESSION);
    lv_buf longer = LV_BUF_INIT;
    lv_buf_puts(&longer, token);
    lv_buf_puts(&longer, "AAAA");
    cr_assert_null(de(&aead, longer.data));
    lv_buf_free(&longer);
    free(token);
}

Test(serde, aead_wrong_prefix_is_refused)
{
    char *token = ser_ok(&aead, SESSION);
    const char *body = token + strlen(LV_AEAD_PREFIX);
    const char *prefixes[] = {"", "A256GCM", "A256GCM:", "a256gcm.", "A128GCM.", "X256GCM.",
                              "A256GCM..", " A256GCM."};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        lv_buf other = LV_BUF_INIT;
        lv_buf_puts(&other, prefixes[i]);
        lv_buf_puts(&other, body);
        cr_assert_null(de(&aead, other.data), "accepted prefix \"%s\"", prefixes[i]);
        lv_buf_free(&other);
    }
    free(token);
}

Test(serde, tokens_are_not_interchangeable)
{
    char *jwt_token = ser_ok(&jwt, SESSION);
    char *aead_token = ser_ok(&aead, SESSION);
    cr_assert_null(de(&aead, jwt_token));
    cr_assert_null(de(&jwt, aead_token));
    /* Not even with the AEAD prefix glued onto a JWT. */
    lv_buf glued = LV_BUF_INIT;
    lv_buf_printf(&glued, "%s%s", LV_AEAD_PREFIX, jwt_token);
    cr_assert_null(de(&aead, glued.data));
    lv_buf_free(&glued);
    free(jwt_token);
    free(aead_token);
}

static void expect_expiry(lv_serde *s)
{
    char *token = ser_ok(s, SESSION);

    fake_now = T0 + TTL - 1;
    char *back = de(s, token);
    cr_assert_not_null(back, "refused one second before exp");
    free(back);

    fake_now = T0 + TTL;
    cr_assert_null(de(s, token), "accepted at exp");
    fake_now = T0 + 10 * TTL;
    cr_assert_null(de(s, token), "accepted long after exp");
    free(token);
}

Test(serde, jwt_expires)
{
    expect_expiry(&jwt);
}

Test(serde, aead_expires)
{
    expect_expiry(&aead);
}

static void expect_future_iat_refused(lv_serde *s)
{
    /* Issued by a clock that runs ahead of the verifier's. */
    fake_now = T0 + LV_TOKEN_IAT_LEEWAY + 1;
    char *token = ser_ok(s, SESSION);
    fake_now = T0;
    cr_assert_null(de(s, token), "accepted a token issued beyond the leeway");
    free(token);

    /* Within the leeway, clock skew is tolerated. */
    fake_now = T0 + LV_TOKEN_IAT_LEEWAY;
    token = ser_ok(s, SESSION);
    fake_now = T0;
    char *back = de(s, token);
    cr_assert_not_null(back, "refused a token issued within the leeway");
    free(back);
    free(token);
}

Test(serde, jwt_iat_in_future)
{
    expect_future_iat_refused(&jwt);
}

Test(serde, aead_iat_in_future)
{
    expect_future_iat_refused(&aead);
}

static void expect_oversized_refused(lv_serde *s)
{
    /* Far more session data than fits in a token: refused when made... */
    lv_buf json = LV_BUF_INIT;
    lv_buf_puts(&json, "{\"big\":\"");
    for (int i = 0; i < LV_AEAD_MAX_LEN; i++) lv_buf_putc(&json, 'x');
    lv_buf_puts(&json, "\"}");
    cr_assert_null(s->serialize(s->ctx, json.data, json.len));
    lv_buf_free(&json);

    /* ...and when presented, before any decoding. */
    char *token = ser_ok(s, SESSION);
    lv_buf huge = LV_BUF_INIT;
    lv_buf_puts(&huge, token);
    while (huge.len <= LV_AEAD_MAX_LEN) lv_buf_putc(&huge, 'A');
    cr_assert_null(s->deserialize(s->ctx, huge.data, huge.len));
    /* The real token, with a length that claims more bytes, is refused
     * rather than read past. */
    cr_assert_null(s->deserialize(s->ctx, token, (size_t)LV_AEAD_MAX_LEN + 1));
    lv_buf_free(&huge);
    free(token);
}

Test(serde, jwt_oversized)
{
    expect_oversized_refused(&jwt);
}

Test(serde, aead_oversized)
{
    expect_oversized_refused(&aead);
}

Test(serde, largest_session_that_fits_round_trips)
{
    /* Grow the session until the token would no longer fit, then check that
     * the last one that did fit is accepted: the two limits agree. */
    lv_serde *both[] = {&jwt, &aead};
    for (size_t i = 0; i < 2; i++) {
        lv_buf json = LV_BUF_INIT;
        char *last_token = NULL;
        for (size_t n = 5900; n < LV_AEAD_MAX_LEN; n++) {
            lv_buf_reset(&json);
            lv_buf_puts(&json, "{\"pad\":\"");
            for (size_t k = 0; k < n; k++) lv_buf_putc(&json, 'p');
            lv_buf_puts(&json, "\"}");
            char *token = both[i]->serialize(both[i]->ctx, json.data, json.len);
            if (token == NULL) break;
            free(last_token);
            last_token = token;
        }
        cr_assert_not_null(last_token);
        cr_assert_leq(strlen(last_token), LV_AEAD_MAX_LEN);
        cr_assert_geq(strlen(last_token), LV_AEAD_MAX_LEN - 4);
        char *back = de(both[i], last_token);
        cr_assert_not_null(back);
        free(back);
        free(last_token);
        lv_buf_free(&json);
    }
}

Test(serde, non_object_json_is_not_serialized)
{
    const char *bad[] = {"[]", "[1,2]", "\"text\"", "42", "null", "true", "", "{", "{\"a\":1,}",
                         "{\"a\":1}{}", "{\"a\":1,\"a\":2}", "{\"a\":\"\\u0000\"}"};
    lv_serde *both[] = {&jwt, &aead};
    for (size_t i = 0; i < 2; i++) {
        for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
            cr_assert_null(ser(both[i], bad[k]), "serialized %s", bad[k]);
        cr_assert_null(both[i]->serialize(both[i]->ctx, NULL, 0));
    }
}

Test(serde, serialize_respects_len)
{
    /* Only the first len bytes are the JSON; what follows is not read. */
    const char text[] = "{\"a\":1}garbage";
    lv_serde *both[] = {&jwt, &aead};
    for (size_t i = 0; i < 2; i++) {
        char *token = both[i]->serialize(both[i]->ctx, text, 7);
        cr_assert_not_null(token);
        char *back = de(both[i], token);
        cr_assert_str_eq(back, "{\"a\":1,\"exp\":1700003600,\"iat\":1700000000}");
        free(back);
        free(token);
    }
}

Test(serde, other_key_is_refused)
{
    lv_key other = key_for("static");
    lv_serde other_jwt, other_aead;
    lv_serde_jwt_init(&other_jwt, &other, TTL, fake_clock);
    lv_serde_aead_init(&other_aead, &other, TTL, fake_clock);

    char *t1 = ser_ok(&other_jwt, SESSION);
    char *t2 = ser_ok(&other_aead, SESSION);
    cr_assert_null(de(&jwt, t1));
    cr_assert_null(de(&aead, t2));
    /* And the other key does read its own. */
    char *back = de(&other_aead, t2);
    cr_assert_not_null(back);
    free(back);

    free(t1);
    free(t2);
    lv_serde_release(&other_jwt);
    lv_serde_release(&other_aead);
}

Test(serde, key_is_copied)
{
    lv_key key = key_for("session");
    lv_serde s;
    lv_serde_aead_init(&s, &key, TTL, fake_clock);
    char *token = ser_ok(&s, SESSION);
    memset(&key, 0xA5, sizeof key); /* the caller reuses its key memory */
    char *back = de(&s, token);
    cr_assert_not_null(back);
    free(back);
    free(token);
    lv_serde_release(&s);
}

Test(serde, invalid_base64_is_refused)
{
    char *token = ser_ok(&aead, SESSION);
    size_t prefix = strlen(LV_AEAD_PREFIX);
    /* Padding, the standard alphabet, whitespace, a NUL, and an impossible
     * length (n % 4 == 1). */
    const char *insertions[] = {"=", "==", "+", "/", " ", "\n", "."};
    for (size_t i = 0; i < sizeof insertions / sizeof *insertions; i++) {
        lv_buf bad = LV_BUF_INIT;
        lv_buf_append(&bad, token, prefix + 8);
        lv_buf_puts(&bad, insertions[i]);
        lv_buf_puts(&bad, token + prefix + 8);
        cr_assert_null(de(&aead, bad.data), "accepted an inserted \"%s\"", insertions[i]);
        lv_buf_reset(&bad);
        lv_buf_puts(&bad, token);
        lv_buf_puts(&bad, insertions[i]);
        cr_assert_null(de(&aead, bad.data), "accepted an appended \"%s\"", insertions[i]);
        lv_buf_free(&bad);
    }
    lv_buf nul = LV_BUF_INIT;
    lv_buf_puts(&nul, token);
    nul.data[prefix + 5] = '\0';
    cr_assert_null(aead.deserialize(aead.ctx, nul.data, nul.len));
    lv_buf_free(&nul);

    cr_assert_null(de(&aead, LV_AEAD_PREFIX "not base64!"));
    cr_assert_null(de(&jwt, "not.a.jwt"));
    free(token);
}

Test(serde, short_or_empty_tokens_are_refused)
{
    const char *tokens[] = {"", "A", LV_AEAD_PREFIX, LV_AEAD_PREFIX "AAAA",
                            /* 27 zero bytes: one short of nonce + tag */
                            LV_AEAD_PREFIX "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                            /* 28 zero bytes: nonce + tag of an empty plaintext */
                            LV_AEAD_PREFIX "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++) {
        cr_assert_null(de(&aead, tokens[i]), "accepted \"%s\"", tokens[i]);
        cr_assert_null(de(&jwt, tokens[i]), "accepted \"%s\"", tokens[i]);
    }
    cr_assert_null(aead.deserialize(aead.ctx, NULL, 0));
    cr_assert_null(jwt.deserialize(jwt.ctx, NULL, 0));
}

Test(serde, real_clock_when_none_given)
{
    lv_key key = key_for("session");
    lv_serde s;
    lv_serde_aead_init(&s, &key, TTL, NULL);
    char *token = ser_ok(&s, SESSION);
    char *back = de(&s, token);
    cr_assert_not_null(back);
    json_t *claims = json_loads(back, 0, NULL);
    int64_t iat = json_integer_value(json_object_get(claims, "iat"));
    cr_assert_gt(iat, T0, "iat is not the current time");
    cr_assert_eq(json_integer_value(json_object_get(claims, "exp")), iat + TTL);
    json_decref(claims);
    free(back);
    free(token);
    lv_serde_release(&s);
}

Test(serde, overflowing_ttl_is_refused)
{
    lv_key key = key_for("session");
    lv_serde s[2];
    lv_serde_jwt_init(&s[0], &key, INT64_MAX, fake_clock);
    lv_serde_aead_init(&s[1], &key, INT64_MAX, fake_clock);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_null(ser(&s[i], SESSION));
        lv_serde_release(&s[i]);
    }
}

Test(serde, release_zeroes_and_is_repeatable)
{
    lv_serde s;
    lv_key key = key_for("session");
    lv_serde_aead_init(&s, &key, TTL, fake_clock);
    lv_serde_release(&s);
    cr_assert_null(s.ctx);
    cr_assert_null(s.serialize);
    cr_assert_null(s.deserialize);
    cr_assert_null(s.free_ctx);
    lv_serde_release(&s);
    lv_serde_release(NULL);
}
