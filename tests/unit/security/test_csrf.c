#include <criterion/criterion.h>
#include <string.h>

#include "security/csrf.h"

static const char URL_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static bool verify_str(const char *state, const char *token)
{
    return lv_csrf_verify(state, strlen(state), token, strlen(token));
}

Test(csrf, new_state_is_24_url_characters)
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    cr_assert_eq(strlen(state), LV_CSRF_STATE_LEN);
    cr_assert_eq(strspn(state, URL_ALPHABET), LV_CSRF_STATE_LEN);

    char other[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(other);
    cr_assert_str_neq(state, other);
}

Test(csrf, mask_verify_round_trip)
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    for (int i = 0; i < 50; i++) {
        char token[LV_CSRF_TOKEN_LEN + 1];
        lv_csrf_mask(state, token);
        cr_assert_eq(strlen(token), LV_CSRF_TOKEN_LEN);
        cr_assert_eq(strspn(token, URL_ALPHABET), LV_CSRF_TOKEN_LEN);
        cr_assert(verify_str(state, token));
    }
}

/* BREACH: the same state must never be sent twice as the same string. */
Test(csrf, two_masks_of_one_state_differ)
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    char first[LV_CSRF_TOKEN_LEN + 1];
    char second[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask(state, first);
    lv_csrf_mask(state, second);
    cr_assert_str_neq(first, second);
    cr_assert(verify_str(state, first));
    cr_assert(verify_str(state, second));
}

/* Expected values computed independently, as Plug does:
 * Base.url_encode64(:crypto.exor(state, mask), padding: false) <> mask. */
Test(csrf, known_vectors)
{
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask_with("abcdefghijklmnopqrstuvwx", "ABCDEFGHIJKLMNOPQRSTUVWX", token);
    cr_assert_str_eq(token, "ICAgICAgICAgICAgICAgICAgICAgICAgABCDEFGHIJKLMNOPQRSTUVWX");
    cr_assert(verify_str("abcdefghijklmnopqrstuvwx", token));

    lv_csrf_mask_with("0123456789-_ABCDEFGHIJKL", "zyxwvutsrqponmlkjihgfedc", token);
    cr_assert_str_eq(token, "SkhKREJAQkRKSF0wLy8vLy8vLy8vLy8vzyxwvutsrqponmlkjihgfedc");
    cr_assert(verify_str("0123456789-_ABCDEFGHIJKL", token));
}

Test(csrf, wrong_state)
{
    char state[LV_CSRF_STATE_LEN + 1];
    char other[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    lv_csrf_new_state(other);
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask(state, token);
    cr_assert_not(verify_str(other, token));

    /* One character off is enough. */
    memcpy(other, state, sizeof other);
    other[10] = other[10] == 'A' ? 'B' : 'A';
    cr_assert_not(verify_str(other, token));
}

/* The state itself, unmasked, is not a valid token. */
Test(csrf, unmasked_state_is_refused)
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    cr_assert_not(verify_str(state, state));
}

Test(csrf, wrong_token_length)
{
    const char *state = "abcdefghijklmnopqrstuvwx";
    char token[LV_CSRF_TOKEN_LEN + 2];
    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);

    cr_assert_not(lv_csrf_verify(state, 24, token, 55));
    cr_assert(lv_csrf_verify(state, 24, token, 56));
    token[56] = 'A';
    token[57] = '\0';
    cr_assert_not(lv_csrf_verify(state, 24, token, 57));
}

Test(csrf, non_base64_character)
{
    const char *state = "abcdefghijklmnopqrstuvwx";
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);
    token[5] = '+';
    cr_assert_not(verify_str(state, token));
    token[5] = '=';
    cr_assert_not(verify_str(state, token));
    token[5] = '\0';
    cr_assert_not(lv_csrf_verify(state, 24, token, 56));
}

/* The first 32 characters are intact, but the carried mask is not the one
 * they were masked with. */
Test(csrf, mask_differs)
{
    const char *state = "abcdefghijklmnopqrstuvwx";
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);
    token[LV_CSRF_TOKEN_LEN - 1] = 'Y';
    cr_assert_not(verify_str(state, token));

    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);
    token[32] = 'B';
    cr_assert_not(verify_str(state, token));
}

Test(csrf, state_of_wrong_length)
{
    const char *state = "abcdefghijklmnopqrstuvwx";
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);
    cr_assert_not(lv_csrf_verify(state, 23, token, 56));
    cr_assert_not(lv_csrf_verify("abcdefghijklmnopqrstuvwxy", 25, token, 56));
}

Test(csrf, empty_inputs)
{
    char state[LV_CSRF_STATE_LEN + 1];
    lv_csrf_new_state(state);
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask(state, token);

    cr_assert_not(lv_csrf_verify(state, 24, "", 0));
    cr_assert_not(lv_csrf_verify("", 0, token, 56));
    cr_assert_not(lv_csrf_verify("", 0, "", 0));
    cr_assert_not(lv_csrf_verify(NULL, 0, NULL, 0));
}

/* Inputs are length-delimited, e.g. slices of a request body: nothing past
 * the given lengths is read, so no terminating NUL is needed. */
Test(csrf, inputs_without_terminator)
{
    const char *state = "abcdefghijklmnopqrstuvwx";
    char token[LV_CSRF_TOKEN_LEN + 1];
    lv_csrf_mask_with(state, "ABCDEFGHIJKLMNOPQRSTUVWX", token);

    char *exact_state = malloc(LV_CSRF_STATE_LEN);
    char *exact_token = malloc(LV_CSRF_TOKEN_LEN);
    memcpy(exact_state, state, LV_CSRF_STATE_LEN);
    memcpy(exact_token, token, LV_CSRF_TOKEN_LEN);
    cr_assert(lv_csrf_verify(exact_state, LV_CSRF_STATE_LEN, exact_token, LV_CSRF_TOKEN_LEN));
    free(exact_state);
    free(exact_token);

    /* A valid token followed by junk in the same buffer. */
    char body[LV_CSRF_TOKEN_LEN + 8];
    memcpy(body, token, LV_CSRF_TOKEN_LEN);
    memcpy(body + LV_CSRF_TOKEN_LEN, "&x=1234", 8);
    cr_assert(lv_csrf_verify(state, 24, body, LV_CSRF_TOKEN_LEN));
}
