#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

static const lv_http_limits server_limits = {16u << 10, 1u << 20}; /* the server's defaults */

/* What the callbacks saw, as text, plus how they answer. */
typedef struct recorder {
    lv_buf log;
    int begins, heads, requests;
    bool keep_body;              /* what headers_complete answers */
    int stop_after;              /* request_complete answers STOP at this request (1-based) */
    lv_http_action upgrade_with; /* answer for a request to /ws */
    bool reading_head_at_headers;
} recorder;

static void rec_begin(void *ctx)
{
    recorder *r = ctx;
    r->begins++;
    lv_buf_puts(&r->log, "begin\n");
}

static bool rec_headers(void *ctx, lv_http_parser *p)
{
    recorder *r = ctx;
    r->heads++;
    r->reading_head_at_headers = lv_http_reading_head(p);
    lv_buf_printf(&r->log, "head %s %s\n", lv_http_method_name(p), lv_http_url(p));
    return r->keep_body;
}

static lv_http_action rec_request(void *ctx, lv_http_parser *p)
{
    recorder *r = ctx;
    r->requests++;
    lv_buf_printf(&r->log, "request %s %s keep-alive=%d", lv_http_method_name(p), lv_http_url(p),
                  lv_http_keep_alive(p));
    const char *const *h = lv_http_headers(p);
    for (size_t i = 0; h && h[i]; i += 2) lv_buf_printf(&r->log, " [%s: %s]", h[i], h[i + 1]);
    size_t len;
    const char *body = lv_http_body(p, &len);
    lv_buf_printf(&r->log, " body(%zu)=", len);
    if (len) lv_buf_append(&r->log, body, len);
    lv_buf_puts(&r->log, "\n");
    if (r->stop_after == r->requests) return LV_HTTP_ACTION_STOP;
    if (strcmp(lv_http_url(p), "/ws") == 0) return r->upgrade_with;
    return LV_HTTP_ACTION_CONTINUE;
}

static const lv_http_handlers handlers = {rec_begin, rec_headers, rec_request};

/* How a whole input ended. */
typedef struct outcome {
    lv_http_result_kind kind;
    int status;
    size_t offset; /* of the end of what was taken, in the whole input */
    char *log;
} outcome;

static void outcome_free(outcome *o)
{
    free(o->log);
}

/* Feeds `len` bytes in pieces: cuts[] are the offsets where a new feed
 * starts. Each piece is copied into its own allocation, so a read past it
 * is caught by ASan. Stops at the first result other than NEED_MORE. */
static outcome run_cuts(const lv_http_limits *limits, recorder proto, const char *input, size_t len,
                        const size_t *cuts, size_t ncuts)
{
    recorder rec = proto;
    rec.log = (lv_buf)LV_BUF_INIT;
    lv_http_parser p;
    lv_http_parser_init(&p, limits, &handlers, &rec);
    outcome o = {LV_HTTP_NEED_MORE, 0, len, NULL};
    size_t start = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        if (end < start) end = start;
        size_t n = end - start;
        char *piece = malloc(n ? n : 1);
        memcpy(piece, input + start, n);
        lv_http_result res = lv_http_feed(&p, piece, n);
        free(piece);
        cr_assert_leq(res.used, n);
        if (res.kind != LV_HTTP_NEED_MORE) {
            o.kind = res.kind;
            o.status = res.status;
            o.offset = start + res.used;
            if (res.kind == LV_HTTP_ERROR) {
                cr_assert(res.status == 400 || res.status == 413 || res.status == 431);
                cr_assert_not_null(res.reason);
            }
            break;
        }
        cr_assert_eq(res.used, n);
        start = end;
    }
    lv_buf_printf(&rec.log, "begins=%d heads=%d requests=%d\n", rec.begins, rec.heads, rec.requests);
    o.log = lv_buf_take(&rec.log);
    lv_http_parser_free(&p);
    return o;
}

static outcome run(const lv_http_limits *limits, recorder proto, const char *input, size_t len)
{
    return run_cuts(limits, proto, input, len, NULL, 0);
}

#define S(lit) lit, sizeof(lit) - 1

static const recorder keep = {.keep_body = true, .upgrade_with = LV_HTTP_ACTION_UPGRADE};
static const recorder drop = {.keep_body = false, .upgrade_with = LV_HTTP_ACTION_UPGRADE};

/* Every way of splitting the input in two, and byte by byte, gives what the
 * whole input gives. */
static void check_splits(const lv_http_limits *limits, recorder proto, const char *input, size_t len)
{
    outcome whole = run(limits, proto, input, len);
    for (size_t cut = 0; cut <= len; cut++) {
        outcome split = run_cuts(limits, proto, input, len, &cut, 1);
        cr_assert_eq(split.kind, whole.kind, "cut at %zu of %.*s", cut, (int)len, input);
        cr_assert_eq(split.status, whole.status, "cut at %zu", cut);
        /* Where an error stops depends on the pieces (llhttp reports a
         * refusal from a span callback at the end of the piece). */
        if (whole.kind != LV_HTTP_ERROR)
            cr_assert_eq(split.offset, whole.offset, "cut at %zu of %.*s: %zu vs %zu", cut, (int)len, input,
                         split.offset, whole.offset);
        cr_assert_str_eq(split.log, whole.log, "cut at %zu", cut);
        outcome_free(&split);
    }
    size_t *cuts = malloc((len + 1) * sizeof *cuts);
    for (size_t i = 0; i < len; i++) cuts[i] = i + 1;
    outcome bytes = run_cuts(limits, proto, input, len, cuts, len ? len - 1 : 0);
    free(cuts);
    cr_assert_eq(bytes.kind, whole.kind);
    cr_assert_eq(bytes.status, whole.status);
    if (whole.kind != LV_HTTP_ERROR) cr_assert_eq(bytes.offset, whole.offset);
    cr_assert_str_eq(bytes.log, whole.log);
    outcome_free(&bytes);
    outcome_free(&whole);
}

Test(http, simple_get)
{
    outcome o = run(&server_limits, keep, S("GET /counter?x=1 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert_str_eq(o.log, "begin\nhead GET /counter?x=1\n"
                            "request GET /counter?x=1 keep-alive=1 [Host: x] [Accept: */*] body(0)=\n"
                            "begins=1 heads=1 requests=1\n");
    outcome_free(&o);
}

Test(http, splits_at_every_byte_give_the_same_result)
{
    static const char *const inputs[] = {
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nCookie: a=b; c=d\r\nX-Long-Name: some value here\r\n\r\n",
        "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 11\r\n\r\nname=value!",
        "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        "GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x85\x01\x02",
        "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        /* refused */
        "GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n\tfolded\r\nA: b\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "GARBAGE\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n"
        "0123456789012345678901234567890123456789012345678901234567890123\r\n1\r\nX\r\n0\r\n\r\n",
        "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n",
    };
    static const lv_http_limits small = {256, 64};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        check_splits(&small, keep, inputs[i], strlen(inputs[i]));
        check_splits(&small, drop, inputs[i], strlen(inputs[i]));
    }
    /* A NUL cannot go through strlen. */
    check_splits(&small, keep, S("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"));
}

Test(http, pipelined_requests_in_one_feed)
{
    outcome o = run(&server_limits, keep,
                    S("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                      "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /3 HTTP/1.1\r\nHost: y\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert_str_eq(o.log, "begin\nhead GET /1\nrequest GET /1 keep-alive=1 [Host: x] body(0)=\n"
                            "begin\nhead POST /2\n"
                            "request POST /2 keep-alive=1 [Host: x] [Content-Length: 3] body(3)=abc\n"
                            "begin\nhead GET /3\nrequest GET /3 keep-alive=1 [Host: y] body(0)=\n"
                            "begins=3 heads=3 requests=3\n");
    outcome_free(&o);
}

Test(http, the_body_is_kept_only_when_asked)
{
    outcome o = run(&server_limits, drop, S("POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
    cr_assert_str_eq(o.log, "begin\nhead POST /2\nrequest POST /2 keep-alive=1 [Content-Length: 3] body(0)=\n"
                            "begins=1 heads=1 requests=1\n");
    outcome_free(&o);
    o = run(&server_limits, keep,
            S("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
    cr_assert(strstr(o.log, "body(5)=abcde\n"), "%s", o.log);
    outcome_free(&o);
}

Test(http, stop_pauses_after_the_request)
{
    recorder r = keep;
    r.stop_after = 1;
    static const char first[] = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n";
    outcome o = run(&server_limits, r, S("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_PAUSED);
    cr_assert_eq(o.offset, sizeof first - 1);
    cr_assert_eq(strstr(o.log, "/2") == NULL, true, "%s", o.log);
    outcome_free(&o);

    /* And it stays paused. */
    recorder rec = r;
    rec.log = (lv_buf)LV_BUF_INIT;
    lv_http_parser p;
    lv_http_parser_init(&p, &server_limits, &handlers, &rec);
    lv_http_result res = lv_http_feed(&p, S("GET /1 HTTP/1.1\r\n\r\nGET /2"));
    cr_assert_eq(res.kind, LV_HTTP_PAUSED);
    cr_assert_eq(res.used, strlen("GET /1 HTTP/1.1\r\n\r\n"));
    res = lv_http_feed(&p, S(" HTTP/1.1\r\n\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_PAUSED);
    cr_assert_eq(res.used, 0);
    cr_assert_eq(rec.requests, 1);
    lv_http_parser_free(&p);
    lv_buf_free(&rec.log);
}

Test(http, header_limits_give_431)
{
    static const lv_http_limits small = {64, 1024};
    /* The URL, names and values count; 64 bytes exactly pass. */
    char at_limit[256], over[256];
    snprintf(at_limit, sizeof at_limit, "GET /%s HTTP/1.1\r\nAb: %s\r\n\r\n",
             "0123456789012345678901234567890", "012345678901234567890123456789");
    snprintf(over, sizeof over, "GET /%s HTTP/1.1\r\nAb: %s\r\n\r\n",
             "0123456789012345678901234567890", "0123456789012345678901234567890");
    outcome o = run(&small, keep, at_limit, strlen(at_limit));
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE, "%s", o.log);
    outcome_free(&o);
    o = run(&small, keep, over, strlen(over));
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 431);
    outcome_free(&o);

    /* Refused as the head arrives, before it ends: a long URL alone. */
    o = run(&small, keep, S("GET /0123456789012345678901234567890123456789012345678901234567890123456789"));
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 431);
    cr_assert_eq(strstr(o.log, "head ") == NULL, true);
    outcome_free(&o);
}

Test(http, more_than_100_headers_give_431)
{
    lv_buf req = LV_BUF_INIT;
    lv_buf_puts(&req, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < LV_HTTP_MAX_HEADERS; i++) lv_buf_printf(&req, "X-H%d: v\r\n", i);
    size_t head_len = req.len;
    lv_buf_puts(&req, "\r\n");
    outcome o = run(&server_limits, keep, req.data, req.len);
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert_eq(strstr(o.log, "requests=1") != NULL, true);
    outcome_free(&o);

    req.len = head_len;
    lv_buf_puts(&req, "X-Last: v\r\n\r\n");
    o = run(&server_limits, keep, req.data, req.len);
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 431);
    outcome_free(&o);
    lv_buf_free(&req);
}

Test(http, body_limits_give_413)
{
    static const lv_http_limits small = {1024, 8};
    /* By Content-Length, refused at the end of the head, before any body byte. */
    static const char head[] = "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n";
    outcome o = run(&small, keep, S("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 413);
    cr_assert_leq(o.offset, sizeof head - 1);
    outcome_free(&o);
    o = run(&small, keep, S("POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678"));
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert(strstr(o.log, "body(8)=12345678"), "%s", o.log);
    outcome_free(&o);
    /* A huge Content-Length (the transport test sends 2 MiB to the server). */
    o = run(&server_limits, keep, S("POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n"));
    cr_assert_eq(o.status, 413);
    outcome_free(&o);

    /* Chunked: counted as it arrives, kept or not. */
    o = run(&small, keep, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n4\r\n6789\r\n0\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 413);
    outcome_free(&o);
    o = run(&small, drop, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n4\r\n6789\r\n0\r\n\r\n"));
    cr_assert_eq(o.status, 413);
    outcome_free(&o);
    o = run(&small, keep, S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n3\r\n678\r\n0\r\n\r\n"));
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert(strstr(o.log, "body(8)=12345678"), "%s", o.log);
    outcome_free(&o);
}

static void expect_400(const char *input, size_t len)
{
    outcome o = run(&server_limits, keep, input, len);
    cr_assert_eq(o.kind, LV_HTTP_ERROR, "%.*s", (int)len, input);
    cr_assert_eq(o.status, 400, "%.*s", (int)len, input);
    cr_assert_eq(strstr(o.log, "request ") == NULL, true, "%s", o.log);
    outcome_free(&o);
}

Test(http, malformed_requests_give_400)
{
    expect_400(S("GET /counter HTTP/1.1\r\nHost x\r\n\r\n"));                     /* no colon */
    expect_400(S("GET /counter HTTP/1.1\r\nHost: a\0b\r\n\r\n"));                 /* NUL in a value */
    expect_400(S("GET /counter HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n"));        /* obs-fold */
    expect_400(S("GET /counter HTTP/1.1\r\nHost: x\r\n\tfolded\r\n\r\n"));
    expect_400(S("POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));                 /* CL + TE */
    expect_400(S("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"));
    expect_400(S("GARBAGE\r\n\r\n"));
    expect_400(S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")); /* llhttp pauses for h2: answered 400 */
}

/* An obs-fold whose CRLF ends one feed and whose fold starts the next. */
Test(http, obs_fold_split_right_after_the_crlf)
{
    static const char input[] = "GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n";
    size_t cut = strlen("GET / HTTP/1.1\r\nHost: x\r\n");
    outcome o = run_cuts(&server_limits, keep, S(input), &cut, 1);
    cr_assert_eq(o.kind, LV_HTTP_ERROR);
    cr_assert_eq(o.status, 400);
    outcome_free(&o);
    cut++; /* and inside the fold's white space */
    o = run_cuts(&server_limits, keep, S(input), &cut, 1);
    cr_assert_eq(o.status, 400);
    outcome_free(&o);

    /* Whereas a value split across feeds is one value. */
    size_t cuts[] = {strlen("GET / HTTP/1.1\r\nHost: ex"), strlen("GET / HTTP/1.1\r\nHost: exam")};
    o = run_cuts(&server_limits, keep, S("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), cuts, 2);
    cr_assert_eq(o.kind, LV_HTTP_NEED_MORE);
    cr_assert(strstr(o.log, "[Host: example]"), "%s", o.log);
    outcome_free(&o);
}

Test(http, upgrade_reports_where_the_new_protocol_starts)
{
    static const char head[] = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    static const char input[] = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                                "\x81\x85\x01\x02\x03\x04GET / HTTP/1.1\r\n\r\n";
    outcome o = run(&server_limits, keep, S(input));
    cr_assert_eq(o.kind, LV_HTTP_UPGRADE);
    cr_assert_eq(o.offset, sizeof head - 1);
    cr_assert(strstr(o.log, "requests=1\n"), "%s", o.log);
    outcome_free(&o);
    /* Without anything after the head. */
    o = run(&server_limits, keep, S(head));
    cr_assert_eq(o.kind, LV_HTTP_UPGRADE);
    cr_assert_eq(o.offset, sizeof head - 1);
    outcome_free(&o);
    /* llhttp stops after a request asking for an upgrade even when the
     * handler did not take it (the server then only waits for its error
     * response to be written). */
    recorder refuse = keep;
    refuse.upgrade_with = LV_HTTP_ACTION_CONTINUE;
    o = run(&server_limits, refuse, S(input));
    cr_assert_eq(o.kind, LV_HTTP_UPGRADE);
    cr_assert_eq(o.offset, sizeof head - 1);
    outcome_free(&o);
}

Test(http, keep_alive)
{
    static const struct {
        const char *request;
        int keep_alive;
    } cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0},
        {"GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n", 0},
        {"GET / HTTP/1.0\r\n\r\n", 0},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        outcome o = run(&server_limits, keep, cases[i].request, strlen(cases[i].request));
        char want[32];
        snprintf(want, sizeof want, "keep-alive=%d", cases[i].keep_alive);
        cr_assert(strstr(o.log, want), "%s: %s", cases[i].request, o.log);
        outcome_free(&o);
    }
}

Test(http, errors_stick_and_reset_starts_over)
{
    recorder rec = keep;
    rec.log = (lv_buf)LV_BUF_INIT;
    lv_http_parser p;
    lv_http_parser_init(&p, &server_limits, &handlers, &rec);
    lv_http_result res = lv_http_feed(&p, S("GET / HTTP/1.1\r\nHost x\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_ERROR);
    cr_assert_eq(res.status, 400);
    res = lv_http_feed(&p, S("GET / HTTP/1.1\r\n\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_ERROR);
    cr_assert_eq(res.status, 400);
    cr_assert_eq(res.used, 0);
    cr_assert_eq(rec.requests, 0);

    lv_http_parser_reset(&p);
    res = lv_http_feed(&p, S("GET /again HTTP/1.1\r\nHost: x\r\n\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_NEED_MORE);
    cr_assert_eq(rec.requests, 1);
    cr_assert(strstr(rec.log.data, "request GET /again"));
    lv_http_parser_free(&p);
    lv_buf_free(&rec.log);
}

/* What the server's header timeout looks at. */
Test(http, reading_head)
{
    recorder rec = keep;
    rec.log = (lv_buf)LV_BUF_INIT;
    lv_http_parser p;
    lv_http_parser_init(&p, &server_limits, &handlers, &rec);
    cr_assert_not(lv_http_reading_head(&p));
    lv_http_feed(&p, S("GET / HT"));
    cr_assert_eq(rec.begins, 1);
    cr_assert(lv_http_reading_head(&p));
    lv_http_feed(&p, S("TP/1.1\r\nContent-Length: 4\r\n\r\nab"));
    cr_assert_not(rec.reading_head_at_headers);
    cr_assert_not(lv_http_reading_head(&p));
    lv_http_feed(&p, S("cd"));
    cr_assert_eq(rec.requests, 1);
    cr_assert_not(lv_http_reading_head(&p));
    lv_http_parser_free(&p);
    lv_buf_free(&rec.log);
}

static lv_http_action check_accessors(void *ctx, lv_http_parser *p)
{
    (void)ctx;
    cr_assert_str_eq(lv_http_header(p, "content-type"), "text/plain");
    cr_assert_str_eq(lv_http_header(p, "X-TWICE"), "first"); /* the first one wins */
    cr_assert_str_eq(lv_http_header(p, "empty"), "");
    cr_assert_null(lv_http_header(p, "missing"));
    cr_assert_eq(lv_http_method(p), HTTP_PUT);
    const char *const *h = lv_http_headers(p);
    size_t n = 0;
    while (h[n]) n++;
    cr_assert_eq(n, 8);
    /* The URL is the caller's to cut. */
    char *url = lv_http_url(p);
    char *q = strchr(url, '?');
    cr_assert_not_null(q);
    *q = '\0';
    cr_assert_str_eq(lv_http_url(p), "/path");
    return LV_HTTP_ACTION_CONTINUE;
}

Test(http, accessors)
{
    static const lv_http_handlers h = {NULL, NULL, check_accessors};
    lv_http_parser p;
    lv_http_parser_init(&p, &server_limits, &h, NULL);
    lv_http_result res = lv_http_feed(&p, S("PUT /path?q=1 HTTP/1.1\r\nContent-Type: text/plain\r\n"
                                            "X-Twice: first\r\nx-twice: second\r\nEmpty:\r\n\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_NEED_MORE);
    lv_http_parser_free(&p);
}

Test(http, no_handlers)
{
    lv_http_parser p;
    lv_http_parser_init(&p, &server_limits, NULL, NULL);
    lv_http_result res = lv_http_feed(&p, S("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\n\r\n"));
    cr_assert_eq(res.kind, LV_HTTP_NEED_MORE);
    cr_assert_eq(res.used, strlen("POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\n\r\n"));
    lv_http_parser_free(&p);
}
