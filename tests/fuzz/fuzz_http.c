/* libFuzzer target for the HTTP/1.1 request parser (net/http.c).
 *
 * Input layout: byte 0 picks the limits (low 2 bits) and the largest piece
 * size (next 4 bits, 1 to 32768 bytes); byte 1 seeds the generator for the
 * piece sizes; byte 2 picks how the callbacks answer (keep the body or not,
 * stop after the n-th request, take an upgrade or not); the rest is the byte
 * stream a client would send.
 *
 * The stream is parsed twice: once in pseudo-random pieces, each in its own
 * allocation (the way reads arrive), and once whole. Both must end the same
 * way and see the same requests. Then the parser, reset, must parse a plain
 * request. Statuses must be among the known ones, `used` within the piece,
 * and a stopped parser must stay stopped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                              \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

typedef struct run_state {
    const lv_http_limits *limits;
    bool keep_body;
    unsigned stop_after;           /* 0: never */
    lv_http_action upgrade_action; /* answer to a request that asked for an upgrade */
    unsigned begins, heads, requests;
    bool kept; /* what headers_complete answered for the request in progress */
    uint64_t digest;
} run_state;

static uint64_t fnv1a(uint64_t h, const void *s, size_t n)
{
    const uint8_t *b = s;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * UINT64_C(0x100000001b3);
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

static void on_begin(void *ctx)
{
    run_state *r = ctx;
    r->begins++;
}

static void check_request(lv_http_parser *p)
{
    const char *const *h = lv_http_headers(p);
    size_t n = 0, bytes = strlen(lv_http_url(p));
    while (h && h[n]) {
        CHECK(h[n + 1] != NULL);
        bytes += strlen(h[n]) + strlen(h[n + 1]);
        n += 2;
    }
    CHECK(n / 2 <= LV_HTTP_MAX_HEADERS);
    CHECK(bytes <= p->limits.max_header_bytes);
    if (n) CHECK(lv_http_header(p, h[0]) != NULL);
    CHECK(lv_http_method_name(p) != NULL);
}

/* The server's test for a WebSocket upgrade (Upgrade: websocket, and the
 * token upgrade in Connection), without its other checks. */
static bool wants_websocket(const lv_http_parser *p)
{
    const char *upgrade = lv_http_header(p, "upgrade"), *connection = lv_http_header(p, "connection");
    if (!upgrade || strcasecmp(upgrade, "websocket") != 0 || !connection) return false;
    const char *c = connection;
    while (*c) {
        while (*c == ' ' || *c == '\t' || *c == ',') c++;
        const char *end = c;
        while (*end && *end != ',') end++;
        const char *last = end;
        while (last > c && (last[-1] == ' ' || last[-1] == '\t')) last--;
        if (last - c == 7 && strncasecmp(c, "upgrade", 7) == 0) return true;
        c = end;
    }
    return false;
}

static bool on_headers(void *ctx, lv_http_parser *p)
{
    run_state *r = ctx;
    r->heads++;
    CHECK(!lv_http_reading_head(p));
    check_request(p);
    r->kept = r->keep_body;
    return r->keep_body;
}

static lv_http_action on_request(void *ctx, lv_http_parser *p)
{
    run_state *r = ctx;
    r->requests++;
    check_request(p);
    size_t body_len;
    const char *body = lv_http_body(p, &body_len);
    CHECK(body_len <= r->limits->max_body_bytes);
    if (!r->kept) CHECK(body_len == 0);
    int method = lv_http_method(p);
    uint64_t d = fnv1a(r->digest, &method, sizeof method);
    const char *url = lv_http_url(p);
    d = fnv1a(d, url, strlen(url) + 1);
    const char *const *h = lv_http_headers(p);
    for (size_t i = 0; h && h[i]; i++) d = fnv1a(d, h[i], strlen(h[i]) + 1);
    d = fnv1a(d, &body_len, sizeof body_len);
    if (body_len) d = fnv1a(d, body, body_len);
    bool keep_alive = lv_http_keep_alive(p);
    r->digest = fnv1a(d, &keep_alive, sizeof keep_alive);
    if (r->stop_after && r->requests == r->stop_after) return LV_HTTP_ACTION_STOP;
    return wants_websocket(p) ? r->upgrade_action : LV_HTTP_ACTION_CONTINUE;
}

static const lv_http_handlers handlers = {on_begin, on_headers, on_request};

typedef struct run_result {
    lv_http_result_kind kind;
    int status;
    size_t offset;
} run_result;

static void check_result(const lv_http_result *res, size_t len)
{
    CHECK(res->used <= len);
    switch (res->kind) {
    case LV_HTTP_NEED_MORE:
        CHECK(res->used == len);
        break;
    case LV_HTTP_PAUSED:
    case LV_HTTP_UPGRADE:
        break;
    case LV_HTTP_ERROR:
        CHECK(res->status == 400 || res->status == 413 || res->status == 431);
        CHECK(res->reason != NULL);
        break;
    default:
        CHECK(!"unknown result kind");
    }
}

/* Feeds `len` bytes in pieces (one piece when max_piece is 0). */
static run_result parse_stream(lv_http_parser *p, const uint8_t *stream, size_t len, uint32_t max_piece,
                               uint32_t seed)
{
    run_result out = {LV_HTTP_NEED_MORE, 0, len};
    uint32_t rng = seed;
    size_t offset = 0;
    while (offset < len) {
        size_t piece = max_piece ? 1 + xorshift32(&rng) % max_piece : len;
        if (piece > len - offset) piece = len - offset;
        char *copy = malloc(piece);
        CHECK(copy);
        memcpy(copy, stream + offset, piece);
        lv_http_result res = lv_http_feed(p, copy, piece);
        check_result(&res, piece);
        if (res.kind != LV_HTTP_NEED_MORE) {
            /* Stopped: it stays so, and takes nothing more. */
            lv_http_result again = lv_http_feed(p, copy + res.used, piece - res.used);
            CHECK(again.kind == res.kind && again.status == res.status && again.used == 0);
            free(copy);
            out.kind = res.kind;
            out.status = res.status;
            out.offset = offset + res.used;
            return out;
        }
        free(copy);
        offset += piece;
    }
    return out;
}

/* After a reset the parser serves a plain request as if new. */
static void check_reusable(lv_http_parser *p, run_state *r)
{
    static const char plain[] = "GET /after/reset HTTP/1.1\r\nHost: x\r\n\r\n";
    lv_http_parser_reset(p);
    CHECK(!lv_http_reading_head(p));
    unsigned before = r->requests;
    r->stop_after = 0;
    char *copy = malloc(sizeof plain - 1);
    CHECK(copy);
    memcpy(copy, plain, sizeof plain - 1);
    lv_http_result res = lv_http_feed(p, copy, sizeof plain - 1);
    free(copy);
    CHECK(res.kind == LV_HTTP_NEED_MORE && res.used == sizeof plain - 1);
    CHECK(r->requests == before + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const lv_http_limits limits[4] = {
        {16u << 10, 1u << 20}, /* the server's defaults */
        {64, 16},
        {256, 0},
        {1024, 4096},
    };
    if (size < 3) return 0;
    const lv_http_limits *lim = &limits[data[0] & 3];
    uint32_t max_piece = UINT32_C(1) << ((data[0] >> 2) & 15);
    uint32_t seed = (uint32_t)data[1] * 2654435761u | 1u;
    run_state proto = {
        .limits = lim,
        .keep_body = data[2] & 1,
        .stop_after = (data[2] >> 1) & 3,
        .upgrade_action = (data[2] & 8) ? LV_HTTP_ACTION_UPGRADE : LV_HTTP_ACTION_CONTINUE,
    };
    const uint8_t *stream = data + 3;
    size_t len = size - 3;

    run_state split_state = proto, whole_state = proto;
    lv_http_parser split, whole;
    lv_http_parser_init(&split, lim, &handlers, &split_state);
    lv_http_parser_init(&whole, lim, &handlers, &whole_state);
    run_result a = parse_stream(&split, stream, len, max_piece, seed);
    run_result b = parse_stream(&whole, stream, len, 0, seed);

    /* Where the reads split the stream must not change what it means. An
     * error may be found at a different place (a limit counted at the end of
     * a piece before llhttp finds a bad byte), so only its kind is compared. */
    CHECK(a.kind == b.kind);
    CHECK(split_state.requests == whole_state.requests);
    CHECK(split_state.digest == whole_state.digest);
    if (a.kind != LV_HTTP_ERROR) {
        CHECK(a.status == b.status);
        CHECK(a.offset == b.offset);
        CHECK(split_state.begins == whole_state.begins);
        CHECK(split_state.heads == whole_state.heads);
    }

    check_reusable(&split, &split_state);
    check_reusable(&whole, &whole_state);
    lv_http_parser_free(&split);
    lv_http_parser_free(&whole);
    return 0;
}
