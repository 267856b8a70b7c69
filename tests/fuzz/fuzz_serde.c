/* libFuzzer target for the session serdes and the Origin policy. Each input
 * is used several ways:
 *
 * 1. As a token for the JWT and the AEAD serde: nothing may crash, and
 *    nothing may be accepted, since nobody without the key can make a valid
 *    MAC or GCM tag.
 * 2. As session JSON: when both serdes take it, each token must come back
 *    as the same object plus iat and exp, and an AEAD token with one byte
 *    changed must be refused. When the input is not a JSON object, neither
 *    serde may make a token of it.
 * 3. As an Origin header and a Host header, against the same-origin policy
 *    and a fixed allow-list; and split at newlines into a policy list, an
 *    Origin and a Host. Whatever is allowed must look like an Origin: an
 *    http(s) scheme and a bare authority.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "security/origin.h"
#include "security/serde.h"
#include "util/buf.h"

#define NOW INT64_C(1700000000)
#define TTL INT64_C(3600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void fail(const char *why)
{
    fprintf(stderr, "fuzz_serde: %s\n", why);
    abort();
}

static int64_t fixed_clock(void)
{
    return NOW;
}

static lv_serde jwt;
static lv_serde aead;
static lv_origin_policy fixed_policy;

static void init_once(void)
{
    static int ready;
    if (ready) return;
    static const char secret[] = "fuzzing secret key base, at least thirty-two bytes long";
    lv_key key;
    lv_key_derive(&key, (const uint8_t *)secret, sizeof secret - 1, "session");
    lv_serde_jwt_init(&jwt, &key, TTL, fixed_clock);
    lv_serde_aead_init(&aead, &key, TTL, fixed_clock);
    char err[256];
    if (lv_origin_policy_parse(&fixed_policy,
                               "https://app.example.com, //localhost:4000, //*.example.org, "
                               "http://[::1]:8080",
                               err, sizeof err)
        != 0)
        fail(err);
    ready = 1;
}

static void deserialize_as_token(const uint8_t *data, size_t size)
{
    char *a = jwt.deserialize(jwt.ctx, (const char *)data, size);
    char *b = aead.deserialize(aead.ctx, (const char *)data, size);
    if (a != NULL || b != NULL) fail("random input deserialized as a genuine token");
}

/* The session the serde should hand back for `input`. */
static json_t *expected_session(const json_t *input)
{
    json_t *expected = json_deep_copy(input);
    json_object_set_new(expected, "iat", json_integer(NOW));
    json_object_set_new(expected, "exp", json_integer(NOW + TTL));
    return expected;
}

static void check_round_trip(lv_serde *serde, const json_t *input, const char *token,
                             size_t tamper_at)
{
    size_t len = strlen(token);
    if (len > LV_AEAD_MAX_LEN) fail("serialize made a token too large to deserialize");
    char *back = serde->deserialize(serde->ctx, token, len);
    if (back == NULL) fail("a fresh token was refused");
    json_t *got = json_loads(back, JSON_REJECT_DUPLICATES, NULL);
    json_t *expected = expected_session(input);
    if (!json_equal(got, expected)) fail("the session changed in the round trip");
    json_decref(expected);
    json_decref(got);
    free(back);

    if (serde == &aead) {
        size_t prefix = strlen(LV_AEAD_PREFIX);
        char *tampered = lv_xstrdup(token);
        size_t at = prefix + tamper_at % (len - prefix);
        tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
        if (aead.deserialize(aead.ctx, tampered, len) != NULL) fail("a tampered token verified");
        free(tampered);
    }
}

static void serialize_as_session(const uint8_t *data, size_t size)
{
    json_t *input = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    char *jwt_token = jwt.serialize(jwt.ctx, (const char *)data, size);
    char *aead_token = aead.serialize(aead.ctx, (const char *)data, size);
    if (!json_is_object(input)) {
        if (jwt_token != NULL || aead_token != NULL) fail("serialized something not an object");
    } else {
        if (jwt_token) check_round_trip(&jwt, input, jwt_token, size);
        if (aead_token) check_round_trip(&aead, input, aead_token, size);
        /* Only size may make serialize refuse an object. Numbers can grow
         * sixfold when printed again ("1e-7"), hence the margin. */
        if ((jwt_token == NULL || aead_token == NULL) && size < 512)
            fail("a small object was not serialized");
    }
    free(jwt_token);
    free(aead_token);
    json_decref(input);
}

static bool is_blank_or_control(unsigned char c)
{
    return c <= ' ' || c >= 0x7f;
}

/* An independent, deliberately simple description of an acceptable Origin,
 * to catch a parser that lets something odd through. */
static void check_allowed_origin_shape(const char *origin)
{
    size_t skip;
    if (strncasecmp(origin, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        skip = 8;
    else
        fail("allowed an Origin without an http(s) scheme");
    const char *authority = origin + skip;
    if (*authority == '\0') fail("allowed an Origin without a host");
    for (const char *c = authority; *c; c++)
        if (strchr("@/?#\\%*", *c) != NULL || is_blank_or_control((unsigned char)*c))
            fail("allowed an Origin with a character no authority has");
}

static void check_origin(const lv_origin_policy *policy, const char *origin, const char *host)
{
    if (lv_origin_allowed(policy, origin, host, "http")) {
        if (origin != NULL) check_allowed_origin_shape(origin);
    } else if (origin == NULL) {
        fail("refused a request without an Origin");
    }
}

static void use_as_origin(const uint8_t *data, size_t size)
{
    char *text = lv_xstrndup((const char *)data, size);
    lv_origin_policy same_origin = {NULL, 0};
    check_origin(&same_origin, text, "example.com");
    check_origin(&same_origin, "http://example.com:8080", text);
    check_origin(&same_origin, text, text);
    check_origin(&fixed_policy, text, NULL);
    free(text);
}

static void use_as_policy(const uint8_t *data, size_t size)
{
    /* list \n origin \n host */
    char *text = lv_xstrndup((const char *)data, size);
    char *origin = strchr(text, '\n');
    char *host = NULL;
    if (origin) {
        *origin++ = '\0';
        host = strchr(origin, '\n');
        if (host) *host++ = '\0';
    }

    lv_origin_policy policy;
    char err[128];
    if (lv_origin_policy_parse(&policy, text, err, sizeof err) == 0) {
        for (size_t i = 0; i < policy.count; i++) {
            const lv_origin_rule *rule = &policy.rules[i];
            if (rule->host == NULL || rule->host[0] == '\0') fail("a rule without a host");
            for (const char *c = rule->host; *c; c++)
                if (*c >= 'A' && *c <= 'Z') fail("a rule host not in lowercase");
            if (rule->port == -1 ? rule->scheme != NULL : rule->port < 1 || rule->port > 65535)
                fail("a rule with an impossible port");
        }
        check_origin(&policy, origin, host);
        check_origin(&policy, "null", host);
        if (lv_origin_allowed(&policy, "null", host, "http") || lv_origin_allowed(&policy, "", host, "http"))
            fail("allowed a null or empty Origin");
        lv_origin_policy_free(&policy);
    } else {
        if (policy.rules != NULL || policy.count != 0) fail("a failed parse left rules behind");
        if (err[0] == '\0') fail("a failed parse without a message");
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    deserialize_as_token(data, size);
    serialize_as_session(data, size);
    use_as_origin(data, size);
    use_as_policy(data, size);
    return 0;
}
