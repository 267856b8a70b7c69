/* libFuzzer target for the WebSocket frame parser.
 *
 * Input layout: byte 0 picks max_message (low 3 bits) and the largest piece
 * size (next 4 bits, 1 to 32768 bytes); byte 1 seeds the generator for the
 * piece sizes; the rest is the byte stream a client would send.
 *
 * The stream is parsed twice: once delivered in pseudo-random pieces, the way
 * reads from a socket arrive, and once in a single piece. Besides the
 * invariants checked on each event, the two runs must produce the same
 * events, since where the reads happen to split the stream must not change
 * what it means. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ws_frame.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                              \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* Events are compared between the two runs by a digest of their payload. */
typedef struct event_summary {
    lv_ws_event_kind kind;
    int opcode;
    uint16_t close_code;
    const char *error;
    size_t len;
    uint64_t digest;
} event_summary;

#define MAX_EVENTS 4096

typedef struct event_log {
    event_summary events[MAX_EVENTS];
    size_t count;
    size_t total; /* may exceed count: events past MAX_EVENTS are checked but not kept */
} event_log;

static uint64_t fnv1a(const uint8_t *s, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static bool points_into(const uint8_t *ptr, size_t len, const void *base, size_t base_len)
{
    const uint8_t *start = base;
    return base && ptr >= start && ptr + len <= start + base_len;
}

static void check_event(const lv_ws_parser *p, const lv_ws_event *ev, const uint8_t *piece, size_t piece_len)
{
    CHECK(ev->data != NULL);
    /* The payload lies in the piece just parsed or in one of the parser's
     * buffers; an empty payload may point at a static empty string. */
    if (ev->len > 0)
        CHECK(points_into(ev->data, ev->len, piece, piece_len) ||
              points_into(ev->data, ev->len, p->message.data, p->message.len) ||
              points_into(ev->data, ev->len, p->control.data, p->control.len));

    switch (ev->kind) {
    case LV_WS_MESSAGE:
        CHECK(ev->opcode == LV_WS_OP_TEXT || ev->opcode == LV_WS_OP_BINARY);
        CHECK(ev->len <= p->max_message);
        if (ev->opcode == LV_WS_OP_TEXT) CHECK(lv_utf8_valid(ev->data, ev->len));
        break;
    case LV_WS_PING:
    case LV_WS_PONG:
        CHECK(ev->len <= 125);
        break;
    case LV_WS_CLOSE:
        CHECK(lv_ws_close_code_valid(ev->close_code) || (ev->close_code == LV_WS_CLOSE_NO_STATUS && ev->len == 0));
        CHECK(ev->len <= 123);
        CHECK(lv_utf8_valid(ev->data, ev->len));
        break;
    case LV_WS_ERROR:
        CHECK(ev->close_code == LV_WS_CLOSE_PROTOCOL_ERROR || ev->close_code == LV_WS_CLOSE_INVALID_PAYLOAD ||
              ev->close_code == LV_WS_CLOSE_TOO_BIG);
        CHECK(ev->error != NULL);
        break;
    default:
        CHECK(!"unexpected event kind");
    }
}

static void record(event_log *log, const lv_ws_event *ev)
{
    log->total++;
    if (log->count == MAX_EVENTS) return;
    event_summary *s = &log->events[log->count++];
    s->kind = ev->kind;
    s->opcode = ev->opcode;
    s->close_code = ev->close_code;
    s->error = ev->error;
    s->len = ev->len;
    s->digest = fnv1a(ev->data, ev->len);
}

/* Once an ERROR or CLOSE has been reported, every call reports it again and
 * takes all the input it is given. */
static void check_sticky(lv_ws_parser *p, const lv_ws_event *terminal, uint8_t *rest, size_t rest_len)
{
    lv_ws_event again;
    CHECK(lv_ws_parse(p, rest, rest_len, &again) == rest_len);
    CHECK(again.kind == terminal->kind);
    CHECK(again.close_code == terminal->close_code);
    CHECK(again.error == terminal->error);
    CHECK(lv_ws_parse(p, NULL, 0, &again) == 0);
    CHECK(again.kind == terminal->kind);
}

/* Parses `stream` in pieces whose sizes come from the generator (or in one
 * piece when max_piece is 0), logging every event. */
static void parse_stream(uint8_t *stream, size_t len, size_t max_message, uint32_t max_piece, uint32_t seed,
                         event_log *log)
{
    lv_ws_parser p;
    lv_ws_parser_init(&p, max_message);
    uint32_t rng = seed;
    size_t offset = 0;
    while (offset < len) {
        size_t piece = max_piece ? 1 + xorshift32(&rng) % max_piece : len;
        if (piece > len - offset) piece = len - offset;
        uint8_t *at = stream + offset;
        size_t used = 0;
        for (;;) {
            lv_ws_event ev;
            size_t n = lv_ws_parse(&p, at + used, piece - used, &ev);
            CHECK(n <= piece - used);
            if (ev.kind == LV_WS_NEED_MORE) {
                CHECK(used + n == piece);
                break;
            }
            check_event(&p, &ev, at + used, n);
            used += n;
            record(log, &ev);
            if (ev.kind == LV_WS_ERROR || ev.kind == LV_WS_CLOSE) {
                CHECK(p.failed);
                check_sticky(&p, &ev, at + used, piece - used);
                lv_ws_parser_free(&p);
                return;
            }
            /* A frame carries at least its two header bytes. */
            CHECK(n > 0 || used > 0);
        }
        offset += piece;
    }
    lv_ws_parser_free(&p);
}

/* The encoder side: a close frame never exceeds the control frame limit and
 * never cuts a valid reason inside a code point. */
static void check_close_encoder(const uint8_t *data, size_t size)
{
    char reason[256];
    size_t n = size < sizeof reason - 1 ? size : sizeof reason - 1;
    memcpy(reason, data, n);
    reason[n] = '\0';
    size_t reason_len = strlen(reason);

    lv_buf out = LV_BUF_INIT;
    lv_ws_close_frame_append(&out, 1000, reason);
    CHECK(out.len >= 4 && out.len <= 2 + 125);
    CHECK((uint8_t)out.data[0] == 0x88);
    CHECK((size_t)(uint8_t)out.data[1] == out.len - 2);
    size_t sent = out.len - 4;
    CHECK(memcmp(out.data + 4, reason, sent) == 0);
    if (lv_utf8_valid((const uint8_t *)reason, reason_len)) CHECK(lv_utf8_valid((const uint8_t *)out.data + 4, sent));
    lv_buf_free(&out);
}

/* The handshake key: accepted only in the one shape base64 gives 16 bytes,
 * and then always a 28-character answer. */
static void check_accept_key(const uint8_t *data, size_t size)
{
    size_t key_len = size < 32 ? size : 32;
    char out[29];
    bool ok = lv_ws_accept_key((const char *)data, key_len, out);
    if (ok) {
        CHECK(key_len == 24 && data[22] == '=' && data[23] == '=');
        CHECK(strlen(out) == 28);
    }
}

/* Server headers decode back to the opcode and length they were given. */
static void check_frame_header(const uint8_t *data, size_t size)
{
    if (size < 9) return;
    uint64_t len = 0;
    for (int i = 1; i < 9; i++) len = len << 8 | data[i];
    len >>= data[0] & 63;
    uint8_t h[10];
    size_t n = lv_ws_frame_header(h, data[0] & 0x0F, len);
    CHECK(h[0] == (0x80 | (data[0] & 0x0F)));
    CHECK(!(h[1] & 0x80));
    uint64_t decoded = h[1] & 0x7F;
    if (decoded == 126) {
        CHECK(n == 4);
        decoded = (uint64_t)h[2] << 8 | h[3];
        CHECK(decoded >= 126);
    } else if (decoded == 127) {
        CHECK(n == 10);
        decoded = 0;
        for (int i = 2; i < 10; i++) decoded = decoded << 8 | h[i];
        CHECK(decoded > 0xFFFF);
    } else {
        CHECK(n == 2);
    }
    CHECK(decoded == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_messages[8] = {0, 1, 125, 126, 1000, 65535, 65536, 1 << 20};
    static event_log split_log, whole_log;

    if (size < 2) return 0;
    size_t max_message = max_messages[data[0] & 7];
    uint32_t max_piece = UINT32_C(1) << ((data[0] >> 3) & 15);
    uint32_t seed = (uint32_t)data[1] * 2654435761u | 1u;
    const uint8_t *stream = data + 2;
    size_t len = size - 2;

    /* The parser unmasks in place, so each run gets its own copy. */
    uint8_t *copy = malloc(len ? len : 1);
    CHECK(copy);

    memcpy(copy, stream, len);
    split_log.count = split_log.total = 0;
    parse_stream(copy, len, max_message, max_piece, seed, &split_log);

    memcpy(copy, stream, len);
    whole_log.count = whole_log.total = 0;
    parse_stream(copy, len, max_message, 0, seed, &whole_log);

    CHECK(split_log.total == whole_log.total);
    for (size_t i = 0; i < split_log.count; i++) {
        const event_summary *a = &split_log.events[i], *b = &whole_log.events[i];
        CHECK(a->kind == b->kind && a->opcode == b->opcode && a->close_code == b->close_code);
        CHECK(a->error == b->error && a->len == b->len && a->digest == b->digest);
    }
    free(copy);

    check_close_encoder(stream, len);
    check_accept_key(stream, len);
    check_frame_header(stream, len);
    return 0;
}
