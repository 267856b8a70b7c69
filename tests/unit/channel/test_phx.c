/* The Phoenix V2 message codec: decoding of client frames (every status) and
 * byte-exact encoding of replies and pushes (docs/protocol.md §1.3). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "channel/phx.h"
#include "util/buf.h"
#include "util/value_json.h"

static lv_phx_status decode_str(const char *text, lv_phx_msg *m)
{
    return lv_phx_decode(text, strlen(text), m);
}

/* Decodes text, checks the status and frees the message. */
static void expect_status(const char *text, size_t len, lv_phx_status want)
{
    lv_phx_msg m;
    lv_phx_status st = lv_phx_decode(text, len, &m);
    cr_expect_eq(st, want, "decoding %.80s: got %d (%s), want %d", text, st, lv_phx_status_str(st),
                 want);
    lv_phx_msg_free(&m);
    cr_expect_eq(m.root.kind, LV_VALUE_NULL, "msg_free clears the message");
}

static void expect_status_str(const char *text, lv_phx_status want)
{
    expect_status(text, strlen(text), want);
}

/* A frame whose payload holds `arrays` nested arrays: its total depth is
 * arrays + 2 (the frame and the payload object). */
static char *nested_frame(int arrays)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[null,\"1\",\"t\",\"e\",{\"a\":");
    for (int i = 0; i < arrays; i++) lv_buf_putc(&b, '[');
    for (int i = 0; i < arrays; i++) lv_buf_putc(&b, ']');
    lv_buf_puts(&b, "}]");
    return lv_buf_take(&b);
}

/* ---- decode: valid messages ---- */

Test(phx_decode, join_with_string_refs_fills_every_field)
{
    lv_phx_msg m;
    const char *text = "[\"4\",\"4\",\"lv:phx-abc\",\"phx_join\",{\"url\":\"http://x/c\",\"params\":{}}]";
    cr_assert_eq(decode_str(text, &m), LV_PHX_OK);
    cr_expect_str_eq(m.join_ref, "4");
    cr_expect_str_eq(m.ref, "4");
    cr_expect_str_eq(m.topic, "lv:phx-abc");
    cr_expect_str_eq(m.event, "phx_join");
    cr_assert_eq(m.payload->kind, LV_VALUE_MAP);
    cr_expect_str_eq(lv_value_str_at(m.payload, "url"), "http://x/c");
    cr_expect_eq(lv_value_kind_of(lv_map_get(m.payload, "params")), LV_VALUE_MAP);
    cr_expect_eq(m.root.kind, LV_VALUE_LIST);
    lv_phx_msg_free(&m);
    cr_expect_eq(m.root.kind, LV_VALUE_NULL);
    cr_expect_null(m.topic);
}

Test(phx_decode, null_join_ref_reads_as_NULL)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[null,\"9\",\"phoenix\",\"heartbeat\",{}]", &m), LV_PHX_OK);
    cr_expect_null(m.join_ref);
    cr_expect_str_eq(m.ref, "9");
    cr_expect_str_eq(m.topic, "phoenix");
    cr_expect_str_eq(m.event, "heartbeat");
    cr_expect_eq(lv_map_len(m.payload), 0);
    lv_phx_msg_free(&m);
}

Test(phx_decode, both_refs_null_is_valid)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[null,null,\"t\",\"e\",{}]", &m), LV_PHX_OK);
    cr_expect_null(m.join_ref);
    cr_expect_null(m.ref);
    lv_phx_msg_free(&m);
}

Test(phx_decode, whitespace_around_elements_is_accepted)
{
    expect_status_str(" [ null , \"1\" ,\n\"t\" ,\t\"e\" , { } ] ", LV_PHX_OK);
}

Test(phx_decode, unicode_topic_and_escapes_are_decoded)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[null,\"1\",\"lv:\\u00e9\\\"q\",\"e\",{}]", &m), LV_PHX_OK);
    cr_expect_str_eq(m.topic, "lv:\xc3\xa9\"q");
    lv_phx_msg_free(&m);
}

Test(phx_decode, free_of_a_zeroed_message_is_harmless)
{
    lv_phx_msg m;
    memset(&m, 0, sizeof m);
    lv_phx_msg_free(&m);
    lv_phx_msg_free(&m);
}

/* ---- decode: errors ---- */

Test(phx_decode, text_that_is_not_json_is_NOT_JSON)
{
    expect_status_str("hello", LV_PHX_NOT_JSON);
    expect_status_str("[null,\"1\",\"t\",\"e\",{}", LV_PHX_NOT_JSON);
    expect_status_str("[null,\"1\",\"t\",\"e\",{}]]", LV_PHX_NOT_JSON);
    expect_status_str("", LV_PHX_NOT_JSON);
    expect_status("[null,\"1\",\"t\",\"e\",{}]", 0, LV_PHX_NOT_JSON);
}

Test(phx_decode, length_is_respected_not_the_nul)
{
    /* The first 10 bytes alone are truncated JSON. */
    expect_status("[null,\"1\",\"t\",\"e\",{}]", 10, LV_PHX_NOT_JSON);
    /* Bytes after len are not read. */
    const char text[] = "[null,\"1\",\"t\",\"e\",{}]garbage";
    expect_status(text, strlen(text) - 7, LV_PHX_OK);
}

Test(phx_decode, invalid_utf8_is_NOT_JSON)
{
    expect_status_str("[null,\"1\",\"\xff\",\"e\",{}]", LV_PHX_NOT_JSON);
    expect_status_str("[null,\"1\",\"t\",\"e\",{\"a\":\"\xc3\"}]", LV_PHX_NOT_JSON);
    expect_status_str("[null,\"1\",\"t\",\"e\",{\"a\":\"\xed\xa0\x80\"}]", LV_PHX_NOT_JSON);
}

Test(phx_decode, duplicate_keys_are_NOT_JSON)
{
    expect_status_str("[null,\"1\",\"t\",\"e\",{\"a\":1,\"a\":2}]", LV_PHX_NOT_JSON);
    expect_status_str("[null,\"1\",\"t\",\"e\",{\"v\":{\"x\":1,\"x\":1}}]", LV_PHX_NOT_JSON);
}

Test(phx_decode, object_instead_of_array_is_NOT_ARRAY)
{
    expect_status_str("{\"join_ref\":null,\"ref\":\"1\"}", LV_PHX_NOT_ARRAY);
    expect_status_str("{}", LV_PHX_NOT_ARRAY);
}

Test(phx_decode, top_level_scalars_are_refused)
{
    /* jansson refuses a bare scalar as a document, so these come back as
     * NOT_JSON; either refusal is fine, acceptance is not. */
    const char *texts[] = {"\"text\"", "42", "null", "true"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        lv_phx_msg m;
        lv_phx_status st = decode_str(texts[i], &m);
        cr_expect(st == LV_PHX_NOT_JSON || st == LV_PHX_NOT_ARRAY, "%s gave %d", texts[i], st);
        lv_phx_msg_free(&m);
    }
}

Test(phx_decode, wrong_number_of_elements_is_NOT_ARRAY)
{
    expect_status_str("[]", LV_PHX_NOT_ARRAY);
    expect_status_str("[null,\"1\",\"t\",\"e\"]", LV_PHX_NOT_ARRAY);
    expect_status_str("[null,\"1\",\"t\",\"e\",{},{}]", LV_PHX_NOT_ARRAY);
}

Test(phx_decode, numeric_ref_is_BAD_FIELD_with_topic_still_set)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[null,1,\"lv:x\",\"event\",{}]", &m), LV_PHX_BAD_FIELD);
    cr_expect_null(m.ref);
    cr_expect_str_eq(m.topic, "lv:x");
    cr_expect_str_eq(m.event, "event");
    lv_phx_msg_free(&m);
}

Test(phx_decode, numeric_join_ref_is_BAD_FIELD_with_ref_and_topic_set)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[4,\"5\",\"lv:x\",\"event\",{}]", &m), LV_PHX_BAD_FIELD);
    cr_expect_null(m.join_ref);
    cr_expect_str_eq(m.ref, "5");
    cr_expect_str_eq(m.topic, "lv:x");
    lv_phx_msg_free(&m);
}

Test(phx_decode, other_ref_types_are_BAD_FIELD)
{
    expect_status_str("[null,true,\"t\",\"e\",{}]", LV_PHX_BAD_FIELD);
    expect_status_str("[null,[\"1\"],\"t\",\"e\",{}]", LV_PHX_BAD_FIELD);
    expect_status_str("[{},\"1\",\"t\",\"e\",{}]", LV_PHX_BAD_FIELD);
}

Test(phx_decode, non_string_topic_is_BAD_FIELD_with_ref_set)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[\"1\",\"2\",7,\"e\",{}]", &m), LV_PHX_BAD_FIELD);
    cr_expect_null(m.topic);
    cr_expect_str_eq(m.ref, "2");
    cr_expect_str_eq(m.join_ref, "1");
    lv_phx_msg_free(&m);
    expect_status_str("[\"1\",\"2\",null,\"e\",{}]", LV_PHX_BAD_FIELD);
}

Test(phx_decode, non_string_event_is_BAD_FIELD)
{
    lv_phx_msg m;
    cr_assert_eq(decode_str("[null,\"2\",\"lv:t\",null,{}]", &m), LV_PHX_BAD_FIELD);
    cr_expect_null(m.event);
    cr_expect_str_eq(m.ref, "2");
    cr_expect_str_eq(m.topic, "lv:t");
    lv_phx_msg_free(&m);
}

Test(phx_decode, payload_that_is_not_an_object_is_BAD_FIELD_with_ref_and_topic_set)
{
    const char *frames[] = {
        "[null,\"3\",\"lv:x\",\"event\",\"payload\"]",
        "[null,\"3\",\"lv:x\",\"event\",[]]",
        "[null,\"3\",\"lv:x\",\"event\",null]",
        "[null,\"3\",\"lv:x\",\"event\",12]",
    };
    for (size_t i = 0; i < sizeof frames / sizeof *frames; i++) {
        lv_phx_msg m;
        cr_expect_eq(decode_str(frames[i], &m), LV_PHX_BAD_FIELD, "%s", frames[i]);
        cr_expect_str_eq(m.ref, "3");
        cr_expect_str_eq(m.topic, "lv:x");
        lv_phx_msg_free(&m);
    }
}

/* jansson refuses \u0000 unless asked to allow it, so a NUL never reaches
 * the C strings: the frame is NOT_JSON (the decoder's own length check is a
 * second line of defence behind it). */
Test(phx_decode, topic_with_embedded_nul_is_refused)
{
    lv_phx_msg m;
    lv_phx_status st = decode_str("[null,\"1\",\"lv:a\\u0000b\",\"e\",{}]", &m);
    cr_expect(st == LV_PHX_NOT_JSON || st == LV_PHX_BAD_FIELD, "got %d", st);
    lv_phx_msg_free(&m);
    st = decode_str("[null,\"1\",\"lv:a\",\"ev\\u0000\",{}]", &m);
    cr_expect(st == LV_PHX_NOT_JSON || st == LV_PHX_BAD_FIELD, "got %d", st);
    lv_phx_msg_free(&m);
}

Test(phx_decode, nul_anywhere_in_the_frame_is_refused)
{
    expect_status_str("[null,\"1\",\"lv:a\",\"e\",{\"v\":\"a\\u0000b\"}]", LV_PHX_NOT_JSON);
    const char raw[] = "[null,\"1\",\"t\0x\",\"e\",{}]";
    expect_status(raw, sizeof raw - 1, LV_PHX_NOT_JSON);
}

Test(phx_decode, depth_32_is_accepted)
{
    char *text = nested_frame(LV_PHX_MAX_DEPTH - 2);
    expect_status_str(text, LV_PHX_OK);
    free(text);
}

Test(phx_decode, depth_33_and_more_is_TOO_DEEP)
{
    for (int extra = 0; extra < 4; extra++) {
        char *text = nested_frame(LV_PHX_MAX_DEPTH - 1 + extra);
        expect_status_str(text, LV_PHX_TOO_DEEP);
        free(text);
    }
}

Test(phx_decode, hundred_thousand_open_brackets_are_TOO_DEEP)
{
    size_t n = 100000;
    char *text = malloc(n);
    memset(text, '[', n);
    expect_status(text, n, LV_PHX_TOO_DEEP);
    memset(text, '{', n);
    expect_status(text, n, LV_PHX_TOO_DEEP);
    free(text);
}

Test(phx_decode, brackets_inside_strings_are_not_counted)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[null,\"1\",\"t[{[{\",\"e\",{\"a\":\"");
    for (int i = 0; i < 100; i++) lv_buf_puts(&b, "[{");
    lv_buf_puts(&b, "\"}]");
    expect_status(b.data, b.len, LV_PHX_OK);
    lv_buf_free(&b);
}

Test(phx_decode, escaped_quotes_do_not_end_a_string)
{
    /* If \" ended the string, the brackets after it would count. */
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[null,\"1\",\"t\",\"e\",{\"a\":\"\\\"");
    for (int i = 0; i < 40; i++) lv_buf_putc(&b, '[');
    lv_buf_puts(&b, "\"}]");
    expect_status(b.data, b.len, LV_PHX_OK);
    lv_buf_free(&b);
}

Test(phx_decode, escaped_backslash_before_quote_ends_the_string)
{
    /* "\\" is a complete string, so the nesting after it is real. */
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[null,\"1\",\"t\",\"e\",{\"a\":\"\\\\\",\"b\":");
    for (int i = 0; i < 40; i++) lv_buf_putc(&b, '[');
    for (int i = 0; i < 40; i++) lv_buf_putc(&b, ']');
    lv_buf_puts(&b, "}]");
    expect_status(b.data, b.len, LV_PHX_TOO_DEEP);
    lv_buf_free(&b);
}

Test(phx_decode, closing_brackets_do_not_give_credit_for_later_nesting)
{
    /* Balanced siblings never add up: 20 + 20 nested is depth 22 each. */
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "[null,\"1\",\"t\",\"e\",{\"a\":");
    for (int i = 0; i < 20; i++) lv_buf_putc(&b, '[');
    for (int i = 0; i < 20; i++) lv_buf_putc(&b, ']');
    lv_buf_puts(&b, ",\"b\":");
    for (int i = 0; i < 20; i++) lv_buf_putc(&b, '[');
    for (int i = 0; i < 20; i++) lv_buf_putc(&b, ']');
    lv_buf_puts(&b, "}]");
    expect_status(b.data, b.len, LV_PHX_OK);
    lv_buf_free(&b);
}

Test(phx_decode, every_status_has_a_description)
{
    for (int s = LV_PHX_OK; s <= LV_PHX_BAD_FIELD; s++) {
        const char *d = lv_phx_status_str((lv_phx_status)s);
        cr_expect_not_null(d);
        cr_expect_neq(strcmp(d, "unknown"), 0);
    }
    cr_expect_str_eq(lv_phx_status_str(LV_PHX_OK), "ok");
}

/* ---- encode ---- */

static void expect_reply(const char *join_ref, const char *ref, const char *topic,
                         const char *status, const char *response, const char *want)
{
    lv_buf b = LV_BUF_INIT;
    lv_phx_reply(&b, join_ref, ref, topic, status, response, strlen(response));
    cr_expect_str_eq(b.data, want);
    cr_expect_eq(b.len, strlen(want));
    lv_buf_free(&b);
}

Test(phx_encode, reply_is_byte_exact)
{
    expect_reply("4", "8", "lv:phx-ID", "ok", "{\"diff\":{\"0\":\"1\"}}",
                 "[\"4\",\"8\",\"lv:phx-ID\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
                 "{\"diff\":{\"0\":\"1\"}}}]");
}

Test(phx_encode, reply_with_null_refs_writes_null)
{
    expect_reply(NULL, "9", "phoenix", "ok", "{}",
                 "[null,\"9\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
    expect_reply(NULL, NULL, "t", "error", "{\"reason\":\"x\"}",
                 "[null,null,\"t\",\"phx_reply\",{\"status\":\"error\",\"response\":"
                 "{\"reason\":\"x\"}}]");
}

Test(phx_encode, reply_uses_only_response_len_bytes)
{
    lv_buf b = LV_BUF_INIT;
    lv_phx_reply(&b, "1", "2", "t", "ok", "{}garbage", 2);
    cr_expect_str_eq(b.data, "[\"1\",\"2\",\"t\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
    lv_buf_free(&b);
}

Test(phx_encode, topic_and_refs_are_escaped)
{
    expect_reply("j\"1", "r\\2", "lv:a\"b<c>&d", "ok", "{}",
                 "[\"j\\\"1\",\"r\\\\2\",\"lv:a\\\"b\\u003cc\\u003e\\u0026d\",\"phx_reply\","
                 "{\"status\":\"ok\",\"response\":{}}]");
}

Test(phx_encode, control_characters_in_topic_are_escaped)
{
    expect_reply(NULL, "1", "a\nb\x01", "ok", "{}",
                 "[null,\"1\",\"a\\nb\\u0001\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
}

Test(phx_encode, push_is_byte_exact_with_null_ref)
{
    lv_buf b = LV_BUF_INIT;
    const char *payload = "{\"0\":\"2\"}";
    lv_phx_push(&b, "4", NULL, "lv:phx-ID", "diff", payload, strlen(payload));
    cr_expect_str_eq(b.data, "[\"4\",null,\"lv:phx-ID\",\"diff\",{\"0\":\"2\"}]");
    lv_buf_free(&b);
}

Test(phx_encode, push_with_both_refs_and_escaped_event)
{
    lv_buf b = LV_BUF_INIT;
    lv_phx_push(&b, NULL, "7", "lv:x", "ev<\"", "{}", 2);
    cr_expect_str_eq(b.data, "[null,\"7\",\"lv:x\",\"ev\\u003c\\\"\",{}]");
    lv_buf_free(&b);
}

Test(phx_encode, encoders_append_to_the_buffer)
{
    lv_buf b = LV_BUF_INIT;
    lv_buf_puts(&b, "X");
    lv_phx_push(&b, "1", NULL, "t", "phx_close", "{}", 2);
    lv_phx_reply(&b, "1", "2", "t", "ok", "{}", 2);
    cr_expect_str_eq(b.data, "X[\"1\",null,\"t\",\"phx_close\",{}]"
                             "[\"1\",\"2\",\"t\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]");
    lv_buf_free(&b);
}

Test(phx_encode, reply_round_trips_through_decode)
{
    lv_buf b = LV_BUF_INIT;
    lv_phx_reply(&b, "4", "12", "lv:\"<\xc3\xa9>", "error", "{\"reason\":\"stale\"}", 18);
    lv_phx_msg m;
    cr_assert_eq(lv_phx_decode(b.data, b.len, &m), LV_PHX_OK);
    cr_expect_str_eq(m.join_ref, "4");
    cr_expect_str_eq(m.ref, "12");
    cr_expect_str_eq(m.topic, "lv:\"<\xc3\xa9>");
    cr_expect_str_eq(m.event, "phx_reply");
    cr_expect_str_eq(lv_value_str_at(m.payload, "status"), "error");
    cr_expect_str_eq(lv_value_str_at(lv_map_get(m.payload, "response"), "reason"), "stale");
    lv_phx_msg_free(&m);
    lv_buf_free(&b);
}

/* ---- decode: the head of a frame refused whole (issue #16 item 4) ---- */

static void expect_recovered(const char *text, lv_phx_status want, const char *join_ref, const char *ref,
                             const char *topic)
{
    lv_phx_msg m;
    cr_expect_eq(decode_str(text, &m), want, "%s", text);
    cr_expect(m.recovered, "head of %s recovered", text);
    if (join_ref)
        cr_expect_str_eq(m.join_ref, join_ref);
    else
        cr_expect_null(m.join_ref);
    cr_expect_str_eq(m.ref, ref);
    cr_expect_str_eq(m.topic, topic);
    cr_expect_null(m.event, "no event is claimed for a refused frame");
    cr_expect_null(m.payload);
    lv_phx_msg_free(&m);
    cr_expect(!m.recovered);
}

Test(phx_decode, head_of_a_refused_frame_is_recovered)
{
    expect_recovered("[\"4\",\"5\",\"lv:a\",\"event\",{\"s\":\"\\ud800\"}]", LV_PHX_NOT_JSON, "4", "5", "lv:a");
    expect_recovered("[\"4\",\"5\",\"lv:a\",\"event\",{\"s\":\"\\u0000\"}]", LV_PHX_NOT_JSON, "4", "5", "lv:a");
    expect_recovered("[null,\"6\",\"lv:b\",\"event\",{\"n\":1e999}]", LV_PHX_NOT_JSON, NULL, "6", "lv:b");
    expect_recovered("[\"4\",\"7\",\"t\\u00e9\",\"event\",{}", LV_PHX_NOT_JSON, "4", "7", "t\xc3\xa9");
    expect_recovered(" [ \"4\" , \"8\" , \"lv:c\" ]", LV_PHX_NOT_ARRAY, "4", "8", "lv:c");
    char *deep = nested_frame(40); /* [null,"1","t","e",{"a":[[[...]]]}] */
    lv_phx_msg m;
    cr_expect_eq(lv_phx_decode(deep, strlen(deep), &m), LV_PHX_TOO_DEEP);
    cr_expect(m.recovered);
    cr_expect_str_eq(m.ref, "1");
    cr_expect_str_eq(m.topic, "t");
    lv_phx_msg_free(&m);
    free(deep);
}

Test(phx_decode, no_head_is_recovered_when_it_is_not_well_formed)
{
    static const char *const texts[] = {
        "[\"4\",5,\"lv:a\",\"event\",{\"n\":1e999}]",     /* ref a number */
        "[\"4\",null,\"lv:a\",\"event\",{\"n\":1e999}]",  /* ref null */
        "[\"4\",\"5\",\"\\ud800\",\"event\",{}]",           /* topic refused */
        "[\"4\",\"5\",7,\"event\",{\"n\":1e999}]",          /* topic a number */
        "[1,\"5\",\"lv:a\",\"event\",{\"n\":1e999}]",       /* join_ref a number */
        "[\"4\",\"5\"", "{\"a\":1}", "not json", "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        lv_phx_msg m;
        lv_phx_status st = decode_str(texts[i], &m);
        cr_expect_neq(st, LV_PHX_OK, "%s", texts[i]);
        cr_expect(!m.recovered, "%s", texts[i]);
        lv_phx_msg_free(&m);
    }
}

Test(phx_decode, hot_path_and_jansson_build_the_same_payload)
{
    const char *text = "[\"4\",\"9\",\"lv:a\",\"event\",{\"type\":\"form\",\"event\":\"save\","
                       "\"value\":\"a=1&b=%C3%A9\",\"cid\":3,\"meta\":{\"x\":[1.5,true,null,\"\\u00e9\"]}}]";
    lv_phx_msg m;
    cr_assert_eq(decode_str(text, &m), LV_PHX_OK);
    cr_expect(m.root_in_arena, "an ordinary event is decoded on the hot path");
    lv_value slow;
    cr_assert_eq(lv_value_parse_json(text, strlen(text), LV_PHX_MAX_DEPTH, &slow), LV_JSON_OK);
    cr_expect(lv_value_equal(m.payload, &slow.as.list->items[4]));
    lv_value_free(&slow);
    /* A decode while a message is held takes the jansson path, and works. */
    lv_phx_msg inner;
    cr_assert_eq(decode_str(text, &inner), LV_PHX_OK);
    cr_expect(!inner.root_in_arena);
    cr_expect_str_eq(lv_value_str_at(inner.payload, "event"), "save");
    lv_phx_msg_free(&inner);
    cr_expect_str_eq(lv_value_str_at(m.payload, "event"), "save");
    lv_phx_msg_free(&m);
}
