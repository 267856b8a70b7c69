/* bench_render: CPU cost of the hot-path pieces of one click, in isolation,
 * on one core, with no I/O:
 *   - lv_render_diff of the counter template after one assign change (the
 *     lv_assigns_put that makes the change and the clear after it included);
 *   - lv_render_full of the same template (the join reply's rendered tree);
 *   - lv_phx_decode of an 85-byte click message (jansson parse included);
 *   - lv_ws_parse of that message in a masked client frame (91 bytes).
 * Each case runs for about BENCH_TARGET_NS and prints ns per operation. The
 * template is the one of examples/counter.c, copied here so the bench does not
 * depend on the examples' object files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel/phx.h"
#include "net/ws_frame.h"
#include "render/render.h"
#include "render/tmpl.h"
#include "util/buf.h"
#include "util/value.h"

#define BENCH_TARGET_NS 500000000ull /* ~0.5 s per case */

static const char COUNTER_TEMPLATE[] =
    "<main>\n"
    "<h1>Counter</h1>\n"
    "<div class=\"counter\">\n"
    "  <button phx-click=\"dec\" aria-label=\"decrement\">-</button>\n"
    "  <span id=\"count\" class=\"value\">{{count}}</span>\n"
    "  <button phx-click=\"inc\" aria-label=\"increment\">+</button>\n"
    "</div>\n"
    "<p class=\"muted\"><a href=\"/\">All examples</a></p>\n"
    "</main>";

/* A click as the official client sends it: topic "lv:" plus a 20-char view id
 * ("phx-" and 16 characters, as the server makes them),
 * 85 bytes in all (performance.md A.2 item 3). */
static const char CLICK_MSG[] =
    "[\"4\",\"7\",\"lv:phx-GHJ2zQ0XbZ4Kq9mV\",\"event\","
    "{\"type\":\"click\",\"event\":\"inc\",\"value\":{}}]";

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from discarding results. */
static volatile size_t sink;

typedef struct bench_ctx {
    const lv_tmpl *tmpl;
    lv_assigns *assigns;
    lv_buf *out;
    int64_t counter;
    lv_ws_parser *parser;
    const uint8_t *frame;
    size_t frame_len;
    uint8_t *scratch;
} bench_ctx;

typedef void (*bench_fn)(bench_ctx *ctx, uint64_t iters);

static void run_diff(bench_ctx *c, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++) {
        lv_assigns_put(c->assigns, "count", lv_value_int(++c->counter));
        lv_buf_reset(c->out);
        if (!lv_render_diff(c->tmpl, c->assigns, c->out)) {
            fprintf(stderr, "bench_render: diff was empty\n");
            exit(1);
        }
        lv_assigns_clear_changed(c->assigns);
        sink += c->out->len;
    }
}

static void run_full(bench_ctx *c, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++) {
        lv_buf_reset(c->out);
        lv_render_full(c->tmpl, c->assigns, c->out);
        sink += c->out->len;
    }
}

static void run_decode(bench_ctx *c, uint64_t iters)
{
    (void)c;
    for (uint64_t i = 0; i < iters; i++) {
        lv_phx_msg msg;
        lv_phx_status st = lv_phx_decode(CLICK_MSG, sizeof CLICK_MSG - 1, &msg);
        if (st != LV_PHX_OK) {
            fprintf(stderr, "bench_render: decode failed: %s\n", lv_phx_status_str(st));
            exit(1);
        }
        sink += strlen(msg.event);
        lv_phx_msg_free(&msg);
    }
}

/* The parser unmasks in place, so each iteration parses a fresh copy of the
 * frame; the 91-byte memcpy is included in the figure (a few ns). */
static void run_ws(bench_ctx *c, uint64_t iters)
{
    for (uint64_t i = 0; i < iters; i++) {
        memcpy(c->scratch, c->frame, c->frame_len);
        lv_ws_event ev;
        size_t used = lv_ws_parse(c->parser, c->scratch, c->frame_len, &ev);
        if (ev.kind != LV_WS_MESSAGE || used != c->frame_len || ev.len != sizeof CLICK_MSG - 1) {
            fprintf(stderr, "bench_render: ws parse gave kind %d, used %zu\n", (int)ev.kind, used);
            exit(1);
        }
        sink += ev.len;
    }
}

/* Calibrates the iteration count to ~BENCH_TARGET_NS, then times one run. */
static double measure(bench_fn fn, bench_ctx *ctx)
{
    uint64_t iters = 1000;
    fn(ctx, iters); /* warm-up */
    for (;;) {
        uint64_t t0 = now_ns();
        fn(ctx, iters);
        uint64_t dt = now_ns() - t0;
        if (dt >= BENCH_TARGET_NS / 20) {
            iters = (uint64_t)((double)iters * (double)BENCH_TARGET_NS / (double)dt) + 1;
            break;
        }
        iters *= 4;
    }
    uint64_t t0 = now_ns();
    fn(ctx, iters);
    uint64_t dt = now_ns() - t0;
    return (double)dt / (double)iters;
}

static void report(const char *what, double ns, const char *detail)
{
    printf("%-34s %8.1f ns/op  (%.2f M ops/s)  %s\n", what, ns, 1000.0 / ns, detail);
}

int main(void)
{
    lv_tmpl_error err = {0};
    lv_tmpl *tmpl = lv_tmpl_compile("counter", COUNTER_TEMPLATE, sizeof COUNTER_TEMPLATE - 1, &err);
    if (!tmpl) {
        fprintf(stderr, "bench_render: template: %d:%d %s\n", err.line, err.col, err.message);
        return 1;
    }
    lv_assigns assigns;
    lv_assigns_init(&assigns);
    lv_assigns_put(&assigns, "count", lv_value_int(0));
    lv_assigns_clear_changed(&assigns);
    lv_buf out = LV_BUF_INIT;

    /* A masked client text frame carrying CLICK_MSG. */
    size_t msg_len = sizeof CLICK_MSG - 1;
    if (msg_len > 125) {
        fprintf(stderr, "bench_render: click message too long\n");
        return 1;
    }
    static const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    uint8_t frame[6 + 125];
    frame[0] = 0x80 | LV_WS_OP_TEXT;
    frame[1] = (uint8_t)(0x80 | msg_len);
    memcpy(frame + 2, mask, 4);
    for (size_t i = 0; i < msg_len; i++) frame[6 + i] = (uint8_t)CLICK_MSG[i] ^ mask[i % 4];
    uint8_t scratch[sizeof frame];
    lv_ws_parser parser;
    lv_ws_parser_init(&parser, 1u << 20);

    bench_ctx ctx = {
        .tmpl = tmpl,
        .assigns = &assigns,
        .out = &out,
        .parser = &parser,
        .frame = frame,
        .frame_len = 6 + msg_len,
        .scratch = scratch,
    };

    char detail[160];
    printf("bench_render: counter template (%zu slot, %zu template bytes), ~%.1f s per case\n",
           tmpl->slot_count, sizeof COUNTER_TEMPLATE - 1, (double)BENCH_TARGET_NS / 1e9);

    double ns = measure(run_diff, &ctx);
    snprintf(detail, sizeof detail, "put + diff + clear, e.g. %s", out.data);
    report("lv_render_diff (1 assign changed)", ns, detail);

    ns = measure(run_full, &ctx);
    snprintf(detail, sizeof detail, "%zu bytes out", out.len);
    report("lv_render_full", ns, detail);

    ns = measure(run_decode, &ctx);
    snprintf(detail, sizeof detail, "%zu-byte click message", msg_len);
    report("lv_phx_decode", ns, detail);

    ns = measure(run_ws, &ctx);
    snprintf(detail, sizeof detail, "%zu-byte masked frame, %zu-byte payload", ctx.frame_len, msg_len);
    report("lv_ws_parse", ns, detail);

    lv_ws_parser_free(&parser);
    lv_buf_free(&out);
    lv_assigns_free(&assigns);
    lv_tmpl_free(tmpl);
    return 0;
}
