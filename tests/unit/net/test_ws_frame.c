#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws_frame.h"

#define FIN 0x80
#define RSV1 0x40
#define RSV2 0x20
#define RSV3 0x10

#define TEXT LV_WS_OP_TEXT
#define BINARY LV_WS_OP_BINARY
#define CONT LV_WS_OP_CONTINUATION
#define CLOSE LV_WS_OP_CLOSE
#define PING LV_WS_OP_PING
#define PONG LV_WS_OP_PONG

static const uint8_t mask_key[4] = {0x37, 0xFA, 0x21, 0x3D};

/* Appends a client frame. `first` is the first header byte as sent (FIN, RSV
 * bits, opcode); declared_len is what the header announces, which lets a test
 * lie about the length; the payload is masked unless `masked` is false. The
 * length uses the smallest encoding, as a well-behaved client would. */
static void raw_frame(lv_buf *b, uint8_t first, bool masked, uint64_t declared_len, const void *payload, size_t len)
{
    uint8_t header[14];
    size_t n = 0;
    header[n++] = first;
    uint8_t mask_bit = masked ? 0x80 : 0;
    if (declared_len < 126) {
        header[n++] = (uint8_t)(mask_bit | declared_len);
    } else if (declared_len <= 0xFFFF) {
        header[n++] = mask_bit | 126;
        header[n++] = (uint8_t)(declared_len >> 8);
        header[n++] = (uint8_t)declared_len;
    } else {
        header[n++] = mask_bit | 127;
        for (int i = 0; i < 8; i++) header[n++] = (uint8_t)(declared_len >> (56 - 8 * i));
    }
    if (masked) {
        memcpy(header + n, mask_key, 4);
        n += 4;
    }
    lv_buf_append(b, header, n);
    size_t start = b->len;
    lv_buf_append(b, payload, len);
    if (masked)
        for (size_t i = 0; i < len; i++) b->data[start + i] ^= (char)mask_key[i & 3];
}

static void client_frame(lv_buf *b, uint8_t first, const void *payload, size_t len)
{
    raw_frame(b, first, true, len, payload, len);
}

static void client_text(lv_buf *b, uint8_t first, const char *s)
{
    client_frame(b, first, s, strlen(s));
}

/* An event as recorded by feed(): the payload is copied, because the parser
 * only keeps it valid until the next call. */
typedef struct recorded_event {
    lv_ws_event_kind kind;
    int opcode;
    uint16_t close_code;
    const char *error;
    size_t len;
    uint8_t *data;
} recorded_event;

typedef struct run {
    recorded_event events[32];
    size_t count;
    size_t calls;
} run;

/* Delivers `len` bytes in pieces of `chunk` bytes, the way reads from a socket
 * would, calling the parser until each piece is used up. Records every event
 * and stops at the first ERROR or CLOSE. */
static void feed(lv_ws_parser *p, lv_buf *input, size_t chunk, run *r)
{
    uint8_t *data = (uint8_t *)input->data;
    size_t len = input->len;
    memset(r, 0, sizeof *r);
    for (size_t offset = 0; offset < len;) {
        size_t piece = len - offset < chunk ? len - offset : chunk;
        size_t used = 0;
        for (;;) {
            lv_ws_event ev;
            used += lv_ws_parse(p, data + offset + used, piece - used, &ev);
            r->calls++;
            cr_assert_leq(used, piece);
            if (ev.kind == LV_WS_NEED_MORE) {
                cr_assert_eq(used, piece, "NEED_MORE must mean all input was consumed");
                break;
            }
            cr_assert_lt(r->count, sizeof r->events / sizeof r->events[0]);
            recorded_event *rec = &r->events[r->count++];
            rec->kind = ev.kind;
            rec->opcode = ev.opcode;
            rec->close_code = ev.close_code;
            rec->error = ev.error;
            rec->len = ev.len;
            cr_assert_not_null(ev.data);
            rec->data = malloc(ev.len + 1);
            memcpy(rec->data, ev.data, ev.len);
            rec->data[ev.len] = 0;
            if (ev.kind == LV_WS_ERROR || ev.kind == LV_WS_CLOSE) return;
        }
        offset += piece;
    }
}

static void run_free(run *r)
{
    for (size_t i = 0; i < r->count; i++) free(r->events[i].data);
    r->count = 0;
}

/* Parses the whole input in one piece and returns the single event expected. */
static recorded_event parse_one(size_t max, lv_buf *input, run *r)
{
    lv_ws_parser p;
    lv_ws_parser_init(&p, max);
    feed(&p, input, input->len, r);
    lv_ws_parser_free(&p);
    cr_assert_eq(r->count, 1, "expected one event, got %zu", r->count);
    return r->events[0];
}

static void assert_error(size_t max, lv_buf *input, uint16_t code)
{
    run r;
    recorded_event ev = parse_one(max, input, &r);
    cr_assert_eq(ev.kind, LV_WS_ERROR, "kind %d", ev.kind);
    cr_assert_eq(ev.close_code, code, "close code %u, want %u (%s)", ev.close_code, code, ev.error);
    cr_assert_not_null(ev.error);
    run_free(&r);
}

static void assert_message(recorded_event ev, int opcode, const void *payload, size_t len)
{
    cr_assert_eq(ev.kind, LV_WS_MESSAGE, "kind %d (%s)", ev.kind, ev.error ? ev.error : "");
    cr_assert_eq(ev.opcode, opcode);
    cr_assert_eq(ev.len, len);
    cr_assert(memcmp(ev.data, payload, len) == 0);
}

static char *pattern(size_t len)
{
    char *s = malloc(len + 1);
    for (size_t i = 0; i < len; i++) s[i] = (char)('a' + i % 26);
    s[len] = 0;
    return s;
}

/* ---- Lengths and delivery ---- */

Test(ws_frame, small_text_is_returned_in_place)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | TEXT, "Hello");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    size_t used = lv_ws_parse(&p, (uint8_t *)in.data, in.len, &ev);
    cr_assert_eq(used, in.len);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    cr_assert_eq(ev.opcode, TEXT);
    cr_assert_eq(ev.len, 5);
    cr_assert(memcmp(ev.data, "Hello", 5) == 0);
    /* Zero-copy: the payload was unmasked where it lay. */
    cr_assert_eq(ev.data, (const uint8_t *)in.data + 6);
    cr_assert_eq(p.message.cap, 0, "nothing copied");
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

static void check_length(size_t len)
{
    char *payload = pattern(len);
    for (size_t chunk = 1; chunk <= 3; chunk++) {
        lv_buf in = LV_BUF_INIT;
        client_frame(&in, FIN | BINARY, payload, len);
        lv_ws_parser p;
        lv_ws_parser_init(&p, 1 << 20);
        run r;
        /* Chunk 1, 2, 3 bytes: also delivers the header byte by byte. Then the
         * whole thing at once. */
        feed(&p, &in, chunk == 3 ? in.len : chunk, &r);
        cr_assert_eq(r.count, 1, "len %zu chunk %zu", len, chunk);
        assert_message(r.events[0], BINARY, payload, len);
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&in);
    }
    free(payload);
}

Test(ws_frame, seven_bit_lengths)
{
    check_length(0);
    check_length(1);
    check_length(125);
}

Test(ws_frame, sixteen_bit_lengths)
{
    check_length(126);
    check_length(300);
    check_length(65535);
}

Test(ws_frame, sixty_four_bit_lengths)
{
    check_length(65536);
    check_length(70000);
}

Test(ws_frame, header_byte_by_byte)
{
    /* Stops after each header byte and checks nothing is reported early. */
    lv_buf in = LV_BUF_INIT;
    char *payload = pattern(70000);
    client_frame(&in, FIN | TEXT, payload, 70000);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    for (size_t i = 0; i < 14; i++) {
        cr_assert_eq(lv_ws_parse(&p, (uint8_t *)in.data + i, 1, &ev), 1);
        cr_assert_eq(ev.kind, LV_WS_NEED_MORE, "after header byte %zu", i);
    }
    cr_assert_eq(lv_ws_parse(&p, (uint8_t *)in.data + 14, in.len - 14, &ev), in.len - 14);
    assert_message((recorded_event){ev.kind, ev.opcode, 0, NULL, ev.len, (uint8_t *)ev.data}, TEXT, payload, 70000);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    free(payload);
}

Test(ws_frame, message_split_across_many_calls)
{
    /* Multibyte characters land on every possible split point. */
    lv_buf text = LV_BUF_INIT;
    for (int i = 0; i < 200; i++) lv_buf_puts(&text, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    for (size_t chunk = 1; chunk <= 13; chunk++) {
        lv_buf in = LV_BUF_INIT;
        client_frame(&in, FIN | TEXT, text.data, text.len);
        lv_ws_parser p;
        lv_ws_parser_init(&p, 1 << 20);
        run r;
        feed(&p, &in, chunk, &r);
        cr_assert_eq(r.count, 1, "chunk %zu", chunk);
        assert_message(r.events[0], TEXT, text.data, text.len);
        cr_assert_gt(r.calls, in.len / chunk - 1);
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&in);
    }
    lv_buf_free(&text);
}

Test(ws_frame, message_buffer_is_reused_or_released)
{
    /* A small reassembled message leaves its buffer for the next one; a large
     * one gives it back once the caller has moved on. */
    char *big = pattern(100000);
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "small ");
    client_text(&in, FIN | CONT, "one");
    client_frame(&in, BINARY, big, 50000);
    client_frame(&in, FIN | CONT, big + 50000, 50000);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    uint8_t *data = (uint8_t *)in.data;
    size_t used = lv_ws_parse(&p, data, in.len, &ev);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    cr_assert_eq(ev.data, (const uint8_t *)p.message.data, "reassembled in the parser's buffer");
    used += lv_ws_parse(&p, data + used, in.len - used, &ev);
    cr_assert_eq(used, in.len);
    assert_message((recorded_event){ev.kind, ev.opcode, 0, NULL, ev.len, (uint8_t *)ev.data}, BINARY, big, 100000);
    cr_assert_geq(p.message.cap, 100000);
    cr_assert_eq(lv_ws_parse(&p, data + used, 0, &ev), 0);
    cr_assert_eq(ev.kind, LV_WS_NEED_MORE);
    cr_assert_eq(p.message.cap, 0, "large buffer released");
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    free(big);
}

Test(ws_frame, several_frames_in_one_read)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | TEXT, "one");
    client_text(&in, FIN | PING, "p");
    client_text(&in, FIN | BINARY, "three");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    uint8_t *data = (uint8_t *)in.data;
    size_t used = lv_ws_parse(&p, data, in.len, &ev);
    cr_assert_eq(used, 6 + 3);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    used += lv_ws_parse(&p, data + used, in.len - used, &ev);
    cr_assert_eq(used, 9 + 7);
    cr_assert_eq(ev.kind, LV_WS_PING);
    used += lv_ws_parse(&p, data + used, in.len - used, &ev);
    cr_assert_eq(used, in.len);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    cr_assert_eq(ev.opcode, BINARY);
    cr_assert_eq(lv_ws_parse(&p, data + used, 0, &ev), 0);
    cr_assert_eq(ev.kind, LV_WS_NEED_MORE);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

Test(ws_frame, non_minimal_length_is_accepted)
{
    /* 3 in a 16-bit length, then 3 in a 64-bit length. */
    static const uint8_t frames[] = {
        FIN | TEXT, 0x80 | 126, 0, 3, 0, 0, 0, 0, 'a', 'b', 'c',
        FIN | TEXT, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 'x', 'y', 'z',
    };
    lv_buf in = LV_BUF_INIT;
    lv_buf_append(&in, frames, sizeof frames);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 2);
    assert_message(r.events[0], TEXT, "abc", 3);
    assert_message(r.events[1], TEXT, "xyz", 3);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

/* ---- Fragmentation and control frames ---- */

Test(ws_frame, text_in_three_fragments_with_a_ping_between)
{
    for (size_t chunk = 1; chunk <= 40; chunk++) {
        lv_buf in = LV_BUF_INIT;
        client_text(&in, TEXT, "Hel");
        client_text(&in, CONT, "lo, w\xC3");
        client_text(&in, FIN | PING, "are you there");
        client_text(&in, FIN | CONT, "\xA9rld");
        lv_ws_parser p;
        lv_ws_parser_init(&p, 1 << 20);
        run r;
        feed(&p, &in, chunk, &r);
        cr_assert_eq(r.count, 2, "chunk %zu", chunk);
        cr_assert_eq(r.events[0].kind, LV_WS_PING);
        cr_assert_eq(r.events[0].len, 13);
        cr_assert_str_eq((char *)r.events[0].data, "are you there");
        assert_message(r.events[1], TEXT, "Hello, w\xC3\xA9rld", 13);
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&in);
    }
}

Test(ws_frame, ping_and_pong_carry_their_payload)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | PING, "");
    client_frame(&in, FIN | PING, "\x00\xFF\x80", 3); /* any bytes: not text */
    client_text(&in, FIN | PONG, "pong");
    char *big = pattern(125);
    client_text(&in, FIN | PING, big);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 4);
    cr_assert_eq(r.events[0].kind, LV_WS_PING);
    cr_assert_eq(r.events[0].len, 0);
    cr_assert_eq(r.events[1].kind, LV_WS_PING);
    cr_assert(memcmp(r.events[1].data, "\x00\xFF\x80", 3) == 0);
    cr_assert_eq(r.events[2].kind, LV_WS_PONG);
    cr_assert_str_eq((char *)r.events[2].data, "pong");
    cr_assert_eq(r.events[3].kind, LV_WS_PING);
    cr_assert_eq(r.events[3].len, 125);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    free(big);
}

Test(ws_frame, empty_messages)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | TEXT, "");
    client_frame(&in, FIN | BINARY, NULL, 0);
    /* Fragmented, every fragment empty. */
    client_text(&in, TEXT, "");
    client_text(&in, CONT, "");
    client_text(&in, FIN | CONT, "");
    /* Empty fragments around real ones. */
    client_text(&in, BINARY, "");
    client_text(&in, CONT, "ab");
    client_text(&in, CONT, "");
    client_text(&in, FIN | CONT, "c");
    for (size_t chunk = 1; chunk <= in.len; chunk += 5) {
        lv_buf copy = LV_BUF_INIT;
        lv_buf_append(&copy, in.data, in.len);
        lv_ws_parser p;
        lv_ws_parser_init(&p, 1 << 20);
        run r;
        feed(&p, &copy, chunk, &r);
        cr_assert_eq(r.count, 4, "chunk %zu", chunk);
        assert_message(r.events[0], TEXT, "", 0);
        assert_message(r.events[1], BINARY, "", 0);
        assert_message(r.events[2], TEXT, "", 0);
        assert_message(r.events[3], BINARY, "abc", 3);
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&copy);
    }
    lv_buf_free(&in);
}

Test(ws_frame, messages_after_a_fragmented_one_start_fresh)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "first ");
    client_text(&in, FIN | CONT, "message");
    client_text(&in, TEXT, "sec");
    client_text(&in, FIN | CONT, "ond");
    client_text(&in, FIN | TEXT, "third");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 3);
    assert_message(r.events[0], TEXT, "first message", 13);
    assert_message(r.events[1], TEXT, "second", 6);
    assert_message(r.events[2], TEXT, "third", 5);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

Test(ws_frame, fragmented_ping_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, PING, "x");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
}

Test(ws_frame, ping_of_126_bytes_is_refused)
{
    char *big = pattern(126);
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | PING, big);
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
    free(big);
}

Test(ws_frame, orphan_continuation_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | CONT, "x");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);

    /* Also right after a complete message. */
    client_text(&in, FIN | TEXT, "done");
    client_text(&in, CONT, "x");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 2);
    cr_assert_eq(r.events[1].kind, LV_WS_ERROR);
    cr_assert_eq(r.events[1].close_code, LV_WS_CLOSE_PROTOCOL_ERROR);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

Test(ws_frame, new_data_frame_inside_a_fragmented_message_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "start");
    client_text(&in, FIN | TEXT, "again");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);

    client_text(&in, BINARY, "start");
    client_text(&in, BINARY, "again");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
}

/* ---- Header violations ---- */

Test(ws_frame, unmasked_frame_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    raw_frame(&in, FIN | TEXT, false, 5, "Hello", 5);
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);

    /* Refused after two bytes: the rest is never waited for. */
    raw_frame(&in, FIN | TEXT, false, 5, "Hello", 5);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    cr_assert_eq(lv_ws_parse(&p, (uint8_t *)in.data, 1, &ev), 1);
    cr_assert_eq(ev.kind, LV_WS_NEED_MORE);
    lv_ws_parse(&p, (uint8_t *)in.data + 1, 1, &ev);
    cr_assert_eq(ev.kind, LV_WS_ERROR);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

Test(ws_frame, reserved_bits_are_refused)
{
    static const uint8_t rsv[] = {RSV1, RSV2, RSV3, RSV1 | RSV2 | RSV3};
    for (size_t i = 0; i < sizeof rsv; i++) {
        lv_buf in = LV_BUF_INIT;
        client_text(&in, FIN | rsv[i] | TEXT, "x");
        assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
        lv_buf_free(&in);
    }
    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | RSV1 | PING, "x");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
}

Test(ws_frame, reserved_opcodes_are_refused)
{
    static const uint8_t opcodes[] = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
    for (size_t i = 0; i < sizeof opcodes; i++) {
        lv_buf in = LV_BUF_INIT;
        client_text(&in, FIN | opcodes[i], "x");
        assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
        lv_buf_free(&in);
    }
    /* Also in the middle of a fragmented message. */
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "a");
    client_text(&in, FIN | 0xB, "x");
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
}

Test(ws_frame, length_with_top_bit_set_is_refused)
{
    static const uint8_t header[] = {FIN | BINARY, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1};
    lv_buf in = LV_BUF_INIT;
    lv_buf_append(&in, header, sizeof header);
    lv_ws_parser p;
    lv_ws_parser_init(&p, SIZE_MAX);
    run r;
    feed(&p, &in, 1, &r);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.events[0].kind, LV_WS_ERROR);
    cr_assert_eq(r.events[0].close_code, LV_WS_CLOSE_PROTOCOL_ERROR);
    cr_assert_eq(p.message.cap, 0);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

/* ---- Size limits ---- */

Test(ws_frame, declared_length_of_2_to_the_40_is_refused_before_allocating)
{
    /* Only the header is sent: the error must not wait for the mask key, let
     * alone the payload. */
    static const uint8_t header[] = {FIN | BINARY, 0x80 | 127, 0, 0, 0x01, 0, 0, 0, 0, 0};
    lv_buf in = LV_BUF_INIT;
    lv_buf_append(&in, header, sizeof header);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 1);
    cr_assert_eq(r.events[0].kind, LV_WS_ERROR);
    cr_assert_eq(r.events[0].close_code, LV_WS_CLOSE_TOO_BIG);
    cr_assert_eq(p.message.cap, 0, "nothing allocated");
    cr_assert_eq(p.control.cap, 0, "nothing allocated");
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

Test(ws_frame, message_over_the_maximum_in_one_frame)
{
    char *payload = pattern(1001);
    lv_buf in = LV_BUF_INIT;
    client_frame(&in, FIN | TEXT, payload, 1000);
    client_frame(&in, FIN | TEXT, payload, 1001);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1000);
    run r;
    feed(&p, &in, 100, &r);
    cr_assert_eq(r.count, 2);
    assert_message(r.events[0], TEXT, payload, 1000); /* exactly the maximum is fine */
    cr_assert_eq(r.events[1].kind, LV_WS_ERROR);
    cr_assert_eq(r.events[1].close_code, LV_WS_CLOSE_TOO_BIG);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    free(payload);
}

Test(ws_frame, message_over_the_maximum_in_many_fragments)
{
    /* 10,000 fragments of 100 bytes make exactly 1,000,000 bytes; one more
     * byte is one too many. */
    enum { MAX = 1000000, FRAGMENTS = 10000, SIZE = 100 };
    char *chunk = pattern(SIZE);
    for (int over = 0; over <= 1; over++) {
        lv_buf in = LV_BUF_INIT;
        client_frame(&in, BINARY, chunk, SIZE);
        for (int i = 1; i < FRAGMENTS; i++) client_frame(&in, CONT, chunk, SIZE);
        if (over) client_frame(&in, CONT, chunk, 1);
        client_frame(&in, FIN | CONT, NULL, 0);
        lv_ws_parser p;
        lv_ws_parser_init(&p, MAX);
        run r;
        feed(&p, &in, 4096, &r);
        cr_assert_eq(r.count, 1);
        if (over) {
            cr_assert_eq(r.events[0].kind, LV_WS_ERROR);
            cr_assert_eq(r.events[0].close_code, LV_WS_CLOSE_TOO_BIG);
            cr_assert_leq(p.message.len, MAX);
        } else {
            cr_assert_eq(r.events[0].kind, LV_WS_MESSAGE);
            cr_assert_eq(r.events[0].len, MAX);
        }
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&in);
    }
    free(chunk);
}

Test(ws_frame, control_frames_do_not_count_towards_the_maximum)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "12345");
    client_text(&in, FIN | PING, "a ping longer than the limit");
    client_text(&in, FIN | CONT, "67890");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 10);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 2);
    cr_assert_eq(r.events[0].kind, LV_WS_PING);
    assert_message(r.events[1], TEXT, "1234567890", 10);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

/* ---- UTF-8 ---- */

static void assert_invalid_text(const char *bytes, size_t len)
{
    lv_buf in = LV_BUF_INIT;
    client_frame(&in, FIN | TEXT, bytes, len);
    assert_error(1 << 20, &in, LV_WS_CLOSE_INVALID_PAYLOAD);
    lv_buf_free(&in);
}

Test(ws_frame, invalid_utf8_is_refused)
{
    assert_invalid_text("a\xC0\xAF", 3);         /* overlong */
    assert_invalid_text("\xE0\x80\xAF", 3);      /* overlong */
    assert_invalid_text("\xED\xA0\x80", 3);      /* surrogate */
    assert_invalid_text("\xF4\x90\x80\x80", 4);  /* above U+10FFFF */
    assert_invalid_text("\xFF", 1);
    assert_invalid_text("ends inside \xE2\x82", 14); /* truncated at the end */
}

Test(ws_frame, split_code_point_with_a_bad_second_half)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "ok \xED");
    client_text(&in, FIN | CONT, "\xA0\x80");
    assert_error(1 << 20, &in, LV_WS_CLOSE_INVALID_PAYLOAD);
    lv_buf_free(&in);

    /* The valid counterpart passes. */
    client_text(&in, TEXT, "ok \xED");
    client_text(&in, FIN | CONT, "\x9F\xBF");
    run r;
    recorded_event ev = parse_one(1 << 20, &in, &r);
    assert_message(ev, TEXT, "ok \xED\x9F\xBF", 6);
    run_free(&r);
    lv_buf_free(&in);
}

Test(ws_frame, fragmented_text_ending_inside_a_code_point_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "abc");
    client_text(&in, FIN | CONT, "\xF0\x9F");
    assert_error(1 << 20, &in, LV_WS_CLOSE_INVALID_PAYLOAD);
    lv_buf_free(&in);
}

Test(ws_frame, invalid_utf8_fails_before_the_frame_ends)
{
    /* A frame announcing 1000 bytes whose third byte is invalid fails as soon
     * as that byte arrives. */
    char *payload = pattern(1000);
    payload[2] = '\xC0';
    lv_buf in = LV_BUF_INIT;
    client_frame(&in, FIN | TEXT, payload, 1000);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    size_t header_len = 8;
    lv_ws_parse(&p, (uint8_t *)in.data, header_len + 3, &ev);
    cr_assert_eq(ev.kind, LV_WS_ERROR);
    cr_assert_eq(ev.close_code, LV_WS_CLOSE_INVALID_PAYLOAD);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    free(payload);
}

Test(ws_frame, binary_messages_need_not_be_utf8)
{
    lv_buf in = LV_BUF_INIT;
    client_frame(&in, FIN | BINARY, "\xC0\xAF\xED\xA0\x80\xFF", 6);
    client_frame(&in, BINARY, "\xF0", 1);
    client_frame(&in, FIN | CONT, "\x28", 1);
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    run r;
    feed(&p, &in, in.len, &r);
    cr_assert_eq(r.count, 2);
    assert_message(r.events[0], BINARY, "\xC0\xAF\xED\xA0\x80\xFF", 6);
    assert_message(r.events[1], BINARY, "\xF0\x28", 2);
    run_free(&r);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

/* ---- Close frames ---- */

static void close_with_body(lv_buf *in, const void *body, size_t len)
{
    client_frame(in, FIN | CLOSE, body, len);
}

static void close_with_code(lv_buf *in, unsigned code, const char *reason)
{
    uint8_t body[125] = {(uint8_t)(code >> 8), (uint8_t)code};
    size_t reason_len = strlen(reason);
    memcpy(body + 2, reason, reason_len);
    close_with_body(in, body, 2 + reason_len);
}

Test(ws_frame, close_without_a_body_reports_1005)
{
    lv_buf in = LV_BUF_INIT;
    close_with_body(&in, NULL, 0);
    run r;
    recorded_event ev = parse_one(1 << 20, &in, &r);
    cr_assert_eq(ev.kind, LV_WS_CLOSE);
    cr_assert_eq(ev.close_code, LV_WS_CLOSE_NO_STATUS);
    cr_assert_eq(ev.len, 0);
    run_free(&r);
    lv_buf_free(&in);
}

Test(ws_frame, close_with_a_one_byte_body_is_refused)
{
    lv_buf in = LV_BUF_INIT;
    close_with_body(&in, "\x03", 1);
    assert_error(1 << 20, &in, LV_WS_CLOSE_PROTOCOL_ERROR);
    lv_buf_free(&in);
}

Test(ws_frame, close_with_an_invalid_code_is_refused)
{
    static const unsigned codes[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        lv_buf in = LV_BUF_INIT;
        close_with_code(&in, codes[i], "");
        run r;
        recorded_event ev = parse_one(1 << 20, &in, &r);
        cr_assert_eq(ev.kind, LV_WS_ERROR, "code %u", codes[i]);
        cr_assert_eq(ev.close_code, LV_WS_CLOSE_PROTOCOL_ERROR, "code %u", codes[i]);
        run_free(&r);
        lv_buf_free(&in);
    }
}

Test(ws_frame, close_with_a_valid_code_reports_it)
{
    static const unsigned codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1011, 1014, 3000, 4999};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        lv_buf in = LV_BUF_INIT;
        close_with_code(&in, codes[i], "bye \xE2\x82\xAC");
        run r;
        recorded_event ev = parse_one(1 << 20, &in, &r);
        cr_assert_eq(ev.kind, LV_WS_CLOSE, "code %u", codes[i]);
        cr_assert_eq(ev.close_code, codes[i]);
        cr_assert_eq(ev.len, 7);
        cr_assert(memcmp(ev.data, "bye \xE2\x82\xAC", 7) == 0);
        run_free(&r);
        lv_buf_free(&in);
    }
}

Test(ws_frame, close_reason_must_be_utf8)
{
    lv_buf in = LV_BUF_INIT;
    close_with_code(&in, 1000, "bad \xC0\xAF");
    assert_error(1 << 20, &in, LV_WS_CLOSE_INVALID_PAYLOAD);
    lv_buf_free(&in);
}

Test(ws_frame, close_inside_a_fragmented_message)
{
    lv_buf in = LV_BUF_INIT;
    client_text(&in, TEXT, "half");
    close_with_code(&in, 1001, "");
    for (size_t chunk = 1; chunk <= in.len; chunk++) {
        lv_buf copy = LV_BUF_INIT;
        lv_buf_append(&copy, in.data, in.len);
        lv_ws_parser p;
        lv_ws_parser_init(&p, 1 << 20);
        run r;
        feed(&p, &copy, chunk, &r);
        cr_assert_eq(r.count, 1);
        cr_assert_eq(r.events[0].kind, LV_WS_CLOSE);
        cr_assert_eq(r.events[0].close_code, 1001);
        run_free(&r);
        lv_ws_parser_free(&p);
        lv_buf_free(&copy);
    }
    lv_buf_free(&in);
}

Test(ws_frame, close_code_table)
{
    for (unsigned code = 0; code < 70000; code++) {
        bool expect = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
        cr_assert_eq(lv_ws_close_code_valid(code), expect, "code %u", code);
    }
}

/* ---- Stickiness ---- */

Test(ws_frame, error_is_sticky)
{
    lv_buf in = LV_BUF_INIT;
    raw_frame(&in, FIN | TEXT, false, 1, "x", 1);
    lv_buf good = LV_BUF_INIT;
    client_text(&good, FIN | TEXT, "fine");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    lv_ws_parse(&p, (uint8_t *)in.data, in.len, &ev);
    cr_assert_eq(ev.kind, LV_WS_ERROR);
    const char *why = ev.error;
    /* A valid frame afterwards changes nothing, and all input is consumed so
     * a caller looping over its buffer cannot spin. */
    cr_assert_eq(lv_ws_parse(&p, (uint8_t *)good.data, good.len, &ev), good.len);
    cr_assert_eq(ev.kind, LV_WS_ERROR);
    cr_assert_eq(ev.close_code, LV_WS_CLOSE_PROTOCOL_ERROR);
    cr_assert_eq(ev.error, why);
    cr_assert_eq(lv_ws_parse(&p, NULL, 0, &ev), 0);
    cr_assert_eq(ev.kind, LV_WS_ERROR);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
    lv_buf_free(&good);
}

Test(ws_frame, close_is_sticky)
{
    lv_buf in = LV_BUF_INIT;
    close_with_code(&in, 1000, "done");
    client_text(&in, FIN | TEXT, "after the close");
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    size_t used = lv_ws_parse(&p, (uint8_t *)in.data, in.len, &ev);
    cr_assert_eq(used, 6 + 6, "the first report consumes just the close frame");
    cr_assert_eq(ev.kind, LV_WS_CLOSE);
    cr_assert_eq(ev.close_code, 1000);
    cr_assert_eq(lv_ws_parse(&p, (uint8_t *)in.data + used, in.len - used, &ev), in.len - used);
    cr_assert_eq(ev.kind, LV_WS_CLOSE);
    cr_assert_eq(ev.close_code, 1000);
    lv_ws_parser_free(&p);
    lv_buf_free(&in);
}

/* ---- Encoder ---- */

Test(ws_frame, server_frame_headers)
{
    uint8_t h[10];
    cr_assert_eq(lv_ws_frame_header(h, TEXT, 0), 2);
    cr_assert(memcmp(h, "\x81\x00", 2) == 0);
    cr_assert_eq(lv_ws_frame_header(h, BINARY, 125), 2);
    cr_assert(memcmp(h, "\x82\x7D", 2) == 0);
    cr_assert_eq(lv_ws_frame_header(h, TEXT, 126), 4);
    cr_assert(memcmp(h, "\x81\x7E\x00\x7E", 4) == 0);
    cr_assert_eq(lv_ws_frame_header(h, TEXT, 65535), 4);
    cr_assert(memcmp(h, "\x81\x7E\xFF\xFF", 4) == 0);
    cr_assert_eq(lv_ws_frame_header(h, TEXT, 65536), 10);
    cr_assert(memcmp(h, "\x81\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10) == 0);
    cr_assert_eq(lv_ws_frame_header(h, PONG, 0x0102030405060708ull), 10);
    cr_assert(memcmp(h, "\x8A\x7F\x01\x02\x03\x04\x05\x06\x07\x08", 10) == 0);
}

Test(ws_frame, server_frame_append)
{
    lv_buf out = LV_BUF_INIT;
    lv_ws_frame_append(&out, TEXT, "hi", 2);
    lv_ws_frame_append(&out, PONG, NULL, 0);
    cr_assert_eq(out.len, 4 + 2);
    cr_assert(memcmp(out.data, "\x81\x02hi\x8A\x00", 6) == 0);
    lv_buf_free(&out);

    char *big = pattern(300);
    lv_ws_frame_append(&out, BINARY, big, 300);
    cr_assert_eq(out.len, 4 + 300);
    cr_assert(memcmp(out.data, "\x82\x7E\x01\x2C", 4) == 0);
    cr_assert(memcmp(out.data + 4, big, 300) == 0);
    lv_buf_free(&out);
    free(big);
}

Test(ws_frame, close_frame_append)
{
    lv_buf out = LV_BUF_INIT;
    lv_ws_close_frame_append(&out, 1000, "bye");
    cr_assert_eq(out.len, 2 + 5);
    cr_assert(memcmp(out.data, "\x88\x05\x03\xE8" "bye", 7) == 0);
    lv_buf_free(&out);

    lv_ws_close_frame_append(&out, 1011, NULL);
    cr_assert(out.len == 4 && memcmp(out.data, "\x88\x02\x03\xF3", 4) == 0);
    lv_buf_free(&out);

    /* 1005 means "no code", so it becomes an empty body, never a 1005 on the wire. */
    lv_ws_close_frame_append(&out, LV_WS_CLOSE_NO_STATUS, "ignored");
    cr_assert(out.len == 2 && memcmp(out.data, "\x88\x00", 2) == 0);
    lv_buf_free(&out);
}

Test(ws_frame, close_reason_is_truncated_at_a_code_point)
{
    /* 122 ASCII bytes then a 3-byte euro sign: the cut at 123 would split it,
     * so the reason stops after the ASCII. */
    char reason[200];
    memset(reason, 'r', 122);
    strcpy(reason + 122, "\xE2\x82\xAC tail");
    lv_buf out = LV_BUF_INIT;
    lv_ws_close_frame_append(&out, 1000, reason);
    cr_assert_eq(out.len, 2 + 2 + 122);
    cr_assert_eq((uint8_t)out.data[1], 124);
    cr_assert_eq(out.data[out.len - 1], 'r');
    lv_buf_free(&out);

    /* A long ASCII reason fills the frame to exactly 125 bytes. */
    memset(reason, 'x', 199);
    reason[199] = 0;
    lv_ws_close_frame_append(&out, 1000, reason);
    cr_assert_eq((uint8_t)out.data[1], 125);
    cr_assert_eq(out.len, 2 + 125);
    lv_buf_free(&out);

    /* 120 ASCII bytes then the euro sign fit exactly. */
    memset(reason, 'r', 120);
    strcpy(reason + 120, "\xE2\x82\xAC tail");
    lv_ws_close_frame_append(&out, 1000, reason);
    cr_assert_eq((uint8_t)out.data[1], 125);
    cr_assert(memcmp(out.data + out.len - 3, "\xE2\x82\xAC", 3) == 0);
    lv_buf_free(&out);
}

/* ---- Handshake key ---- */

Test(ws_frame, accept_key_rfc6455_example)
{
    /* RFC 6455 section 1.3. */
    char out[29];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    cr_assert(lv_ws_accept_key(key, strlen(key), out));
    cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    cr_assert_eq(strlen(out), 28);
}

Test(ws_frame, malformed_accept_keys)
{
    static const char *const keys[] = {
        "",
        "dGhlIHNhbXBsZSBub25jZQ=",    /* too short */
        "dGhlIHNhbXBsZSBub25jZQ===",  /* too long */
        "dGhlIHNhbXBsZSBub25jZQ",     /* no padding */
        "dGhlIHNhbXBsZSBub25j!Q==",   /* not base64 */
        "dGhlIHNhbXBsZSBub25jZ-_==",  /* base64url, not base64 */
        "dGhlIHNhbXBsZSBub25jZQ= =",
        "dGhlIHNhbXBsZSBub25jZQ",
        "MDEyMzQ1Njc4OWFiY2Rl",       /* 15 bytes */
        "MDEyMzQ1Njc4OWFiY2RlZg==",   /* 16 bytes: the valid control case */
        "MDEyMzQ1Njc4OWFiY2RlZmc=",   /* 17 bytes */
        " dGhlIHNhbXBsZSBub25jZQ==",
    };
    char out[29];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        bool expect = i == 9;
        cr_assert_eq(lv_ws_accept_key(keys[i], strlen(keys[i]), out), expect, "key \"%s\"", keys[i]);
    }
    /* The length given wins over a terminating NUL. */
    cr_assert_not(lv_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 23, out));
    cr_assert_not(lv_ws_accept_key(NULL, 0, out));
}

/* What a server counts against its memory budget and its finishing
 * deadline: the bytes of the unfinished message, and whether one is in
 * progress, from its first header byte to its last fragment. */
static size_t parse_all(lv_ws_parser *p, lv_buf *in, lv_ws_event *ev)
{
    size_t used = 0;
    do {
        used += lv_ws_parse(p, (uint8_t *)in->data + used, in->len - used, ev);
    } while (ev->kind != LV_WS_NEED_MORE && ev->kind != LV_WS_ERROR && used < in->len);
    return used;
}

Test(ws_frame, buffered_bytes_and_mid_message_follow_an_unfinished_message)
{
    lv_ws_parser p;
    lv_ws_parser_init(&p, 1 << 20);
    lv_ws_event ev;
    cr_assert_not(lv_ws_parser_mid_message(&p));
    cr_assert_eq(lv_ws_parser_buffered(&p), 0);

    lv_buf in = LV_BUF_INIT;
    client_text(&in, FIN | TEXT, "x"); /* just the first header byte of it */
    lv_ws_parse(&p, (uint8_t *)in.data, 1, &ev);
    cr_assert(lv_ws_parser_mid_message(&p), "a header begun is a frame in progress");
    lv_ws_parse(&p, (uint8_t *)in.data + 1, in.len - 1, &ev);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    lv_ws_parse(&p, NULL, 0, &ev);
    cr_assert_not(lv_ws_parser_mid_message(&p));

    lv_buf_reset(&in);
    client_text(&in, TEXT, "first part");
    client_text(&in, FIN | PING, "ping");
    parse_all(&p, &in, &ev);
    cr_assert(lv_ws_parser_mid_message(&p), "a ping inside a message does not end it");
    cr_assert_eq(lv_ws_parser_buffered(&p), 10);

    lv_buf_reset(&in);
    client_text(&in, FIN | CONT, ", second");
    lv_ws_parse(&p, (uint8_t *)in.data, in.len, &ev);
    cr_assert_eq(ev.kind, LV_WS_MESSAGE);
    cr_assert_eq(ev.len, 18);
    cr_assert_eq(lv_ws_parser_buffered(&p), 0, "a delivered message is no longer held");
    cr_assert_not(lv_ws_parser_mid_message(&p));
    lv_buf_free(&in);
    lv_ws_parser_free(&p);
}
