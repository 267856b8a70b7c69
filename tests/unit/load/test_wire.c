/* The I/O-free pieces of liveview-load (tools/load/wire.c): URL, page scan,
 * cookies, WebSocket frames, Phoenix message scan, histogram. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "load.h"

static const char *S(load_slice s)
{
    static char out[4][256];
    static int next;
    char *o = out[next++ % 4];
    snprintf(o, 256, "%.*s", (int)s.len, s.ptr ? s.ptr : "(null)");
    return o;
}

Test(load_url, parses_host_and_port)
{
    load_url u;
    char err[200];
    cr_assert_eq(load_url_parse("http://127.0.0.1:4000", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.host, "127.0.0.1");
    cr_assert_str_eq(u.port, "4000");
    cr_assert_str_eq(u.origin, "http://127.0.0.1:4000");
    cr_assert_eq(load_url_parse("http://localhost/", &u, err, sizeof err), 0);
    cr_assert_str_eq(u.port, "80");
    cr_assert_str_eq(u.origin, "http://localhost");
}

Test(load_url, refuses_what_it_cannot_speak)
{
    load_url u;
    char err[200];
    const char *bad[] = {"https://x", "ftp://x", "x:80", "http://", "http://:80", "http://x:", "http://x:0",
                         "http://x:65536", "http://x:8a", "http://x/counter"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        cr_expect_eq(load_url_parse(bad[i], &u, err, sizeof err), -1, "%s", bad[i]);
        cr_expect(err[0], "a message for %s", bad[i]);
    }
}

Test(load_page, finds_the_tokens_of_the_main_view)
{
    const char *html = "<html><head><meta charset=utf-8><meta content=\"a&amp;b\" name=\"csrf-token\">"
                       "<script>var s = '<div data-phx-session=\"no\" id=\"script\">';</script></head>"
                       "<!-- <div id=\"comment\" data-phx-session=\"no\"> -->"
                       "<div id=\"child\" data-phx-session=\"c\" data-phx-parent-id=\"x\"></div>"
                       "<div id='side' data-phx-session='side-s'></div>"
                       "<div data-phx-main=\"true\" data-phx-session=\"S.1\" data-phx-static=\"T.2\" id=\"phx-m\">"
                       "</div></html>";
    load_page p;
    char err[200];
    cr_assert_eq(load_page_scan(html, strlen(html), &p, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(p.csrf_token, "a&b");
    cr_assert_str_eq(p.view_id, "phx-m");
    cr_assert_str_eq(p.session, "S.1");
    cr_assert_str_eq(p.static_token, "T.2");
    load_page_free(&p);
}

Test(load_page, without_data_phx_main_takes_the_first_root_view_and_empty_static_is_null)
{
    const char *html = "<meta name=csrf-token content=tok><div id=v1 data-phx-session=s1 data-phx-static=\"\">"
                       "<div id=v2 data-phx-session=s2>";
    load_page p;
    char err[200];
    cr_assert_eq(load_page_scan(html, strlen(html), &p, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(p.csrf_token, "tok");
    cr_assert_str_eq(p.view_id, "v1");
    cr_assert_null(p.static_token);
    load_page_free(&p);
}

Test(load_page, bad_pages_are_errors)
{
    const char *bad[] = {
        "",
        "<div id=v data-phx-session=s>",                                  /* no csrf meta */
        "<meta name=csrf-token content=t><div id=v>",                     /* no view */
        "<meta name=csrf-token content=t><div data-phx-session=s>",       /* view without id */
        "<meta name=csrf-token content=t><div id=v data-phx-session=\"s", /* unterminated */
        "<meta name=csrf-token content=t><",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        load_page p;
        char err[200] = "";
        cr_expect_eq(load_page_scan(bad[i], strlen(bad[i]), &p, err, sizeof err), -1, "%s", bad[i]);
        cr_expect(err[0]);
        cr_expect_null(p.csrf_token);
    }
}

Test(load_cookie, keeps_name_value_pairs)
{
    lv_buf jar = LV_BUF_INIT;
    const char *a = "_lv_session=abc.def; Path=/; HttpOnly", *b = " b=2", *c = "junk; Path=/";
    load_cookie_add(&jar, a, strlen(a));
    load_cookie_add(&jar, c, strlen(c));
    load_cookie_add(&jar, b, strlen(b));
    cr_assert_str_eq(jar.data, "_lv_session=abc.def; b=2");
    lv_buf_free(&jar);
}

Test(load_ws, accept_of_the_rfc_example)
{
    char out[29];
    load_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", out);
    cr_assert_str_eq(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

Test(load_ws, client_frames_are_masked)
{
    lv_buf out = LV_BUF_INIT;
    load_ws_append_frame(&out, LOAD_WS_TEXT, "Hello", 5, 0x37fa213d);
    /* RFC 6455 §5.7: a masked "Hello" */
    const unsigned char expected[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    cr_assert_eq(out.len, sizeof expected);
    cr_assert_arr_eq(out.data, expected, sizeof expected);
    lv_buf_reset(&out);
    char big[70000];
    memset(big, 'x', sizeof big);
    load_ws_append_frame(&out, LOAD_WS_TEXT, big, 300, 1);
    cr_assert_eq((unsigned char)out.data[1], 0x80 | 126);
    cr_assert_eq(out.len, 4 + 4 + 300);
    lv_buf_reset(&out);
    load_ws_append_frame(&out, LOAD_WS_TEXT, big, sizeof big, 1);
    cr_assert_eq((unsigned char)out.data[1], 0x80 | 127);
    cr_assert_eq(out.len, 10 + 4 + sizeof big);
    lv_buf_free(&out);
}

Test(load_ws, parses_server_frames)
{
    load_ws_frame f;
    const char *error = NULL;
    const char small[] = "\x81\x02hi";
    cr_assert_eq(load_ws_parse(small, 1, 100, &f, &error), LOAD_WS_NEED_MORE);
    cr_assert_eq(load_ws_parse(small, 3, 100, &f, &error), LOAD_WS_NEED_MORE);
    cr_assert_eq(load_ws_parse(small, 4, 100, &f, &error), LOAD_WS_OK);
    cr_assert_eq(f.opcode, LOAD_WS_TEXT);
    cr_assert(f.fin);
    cr_assert_eq(f.payload_len, 2);
    cr_assert_eq(f.frame_len, 4);
    cr_assert_eq(memcmp(f.payload, "hi", 2), 0);

    char medium[4 + 300] = {(char)0x81, 126, 1, 44};
    cr_assert_eq(load_ws_parse(medium, sizeof medium, 1000, &f, &error), LOAD_WS_OK);
    cr_assert_eq(f.payload_len, 300);
    cr_assert_eq(load_ws_parse(medium, sizeof medium, 299, &f, &error), LOAD_WS_BAD, "over the limit");
    const char huge[10] = {(char)0x82, 127, 0x7f, (char)0xff, 0, 0, 0, 0, 0, 0};
    cr_assert_eq(load_ws_parse(huge, sizeof huge, 1 << 20, &f, &error), LOAD_WS_BAD);
}

Test(load_ws, refuses_bad_server_frames)
{
    load_ws_frame f;
    const char *bad[] = {
        "\x81\x82\x01\x02\x03\x04hi", /* masked */
        "\xc1\x02hi",                 /* RSV1 */
        "\x83\x02hi",                 /* opcode 3 */
        "\x09\x02hi",                 /* fragmented ping */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *error = NULL;
        cr_expect_eq(load_ws_parse(bad[i], strlen(bad[i]), 100, &f, &error), LOAD_WS_BAD, "frame %zu", i);
        cr_expect_not_null(error);
    }
}

Test(load_phx, scans_a_reply)
{
    const char *m = " [ \"4\" , \"17\",\"lv:phx-a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{\"diff\":{\"0\":\"1\"}}}] ";
    load_phx_message msg;
    cr_assert(load_phx_scan(m, strlen(m), &msg));
    cr_assert_str_eq(S(msg.join_ref), "4");
    cr_assert_str_eq(S(msg.ref), "17");
    cr_assert_str_eq(S(msg.topic), "lv:phx-a");
    cr_assert_str_eq(S(msg.event), "phx_reply");
    cr_assert_eq(load_phx_reply_status(msg.payload), LOAD_REPLY_OK);
    uint64_t ref;
    cr_assert(load_slice_u64(msg.ref, &ref));
    cr_assert_eq(ref, 17);
}

Test(load_phx, scans_a_push_with_null_refs_and_escapes)
{
    const char *m = "[null,null,\"lv:x\",\"diff\",{\"0\":\"a \\\"quoted\\\" \\\\ ]\",\"e\":[[\"x\",{}]],\"n\":-1.5e3,"
                    "\"t\":true,\"f\":false,\"z\":null}]";
    load_phx_message msg;
    cr_assert(load_phx_scan(m, strlen(m), &msg));
    cr_assert_null(msg.join_ref.ptr);
    cr_assert_null(msg.ref.ptr);
    cr_assert_str_eq(S(msg.event), "diff");
    uint64_t ref;
    cr_assert_not(load_slice_u64(msg.ref, &ref));
}

Test(load_phx, refuses_what_is_not_a_phoenix_message)
{
    const char *bad[] = {
        "",
        "not json",
        "{}",
        "[\"1\",\"2\",\"t\",\"e\"]",
        "[\"1\",\"2\",\"t\",\"e\",{}",
        "[\"1\",\"2\",\"t\",\"e\",{}] x",
        "[\"1\",\"2\",null,\"e\",{}]",
        "[1,\"2\",\"t\",\"e\",{}]",
        "[\"1\",\"2\",\"t\",\"e\",{\"a\":}]",
        "[\"1\",\"2\",\"t\",\"e\",{\"a\" 1}]",
        "[\"1\",\"2\",\"t\",\"e\",\"unterminated]",
        "[\"1\",\"2\",\"t\",\"e\",tru]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        load_phx_message msg;
        cr_expect_not(load_phx_scan(bad[i], strlen(bad[i]), &msg), "%s", bad[i]);
    }
    /* Nesting deep enough to exhaust a recursive parser is refused, not followed. */
    char deep[4000];
    size_t n = (size_t)snprintf(deep, sizeof deep, "[\"1\",\"2\",\"t\",\"e\",");
    for (int i = 0; i < 1000; i++) deep[n++] = '[';
    load_phx_message msg;
    cr_expect_not(load_phx_scan(deep, n, &msg));
}

static load_reply_status status_of(const char *payload)
{
    return load_phx_reply_status((load_slice){payload, strlen(payload)});
}

Test(load_phx, reply_status)
{
    cr_expect_eq(status_of("{\"status\":\"ok\",\"response\":{}}"), LOAD_REPLY_OK);
    cr_expect_eq(status_of("{\"response\":{\"status\":\"error\",\"x\":[1,{\"status\":\"no\"}]},\"status\":\"ok\"}"),
                 LOAD_REPLY_OK, "a status inside the response is not the reply's");
    cr_expect_eq(status_of("{\"status\":\"error\",\"response\":{\"reason\":\"unknown event\"}}"), LOAD_REPLY_ERROR);
    cr_expect_eq(status_of("{\"response\":{}}"), LOAD_REPLY_BAD);
    cr_expect_eq(status_of("{\"status\":1}"), LOAD_REPLY_BAD);
    cr_expect_eq(status_of("{}"), LOAD_REPLY_BAD);
    cr_expect_eq(status_of("[]"), LOAD_REPLY_BAD);
    cr_expect_eq(load_phx_reply_status((load_slice){NULL, 0}), LOAD_REPLY_BAD);
}

Test(load_json, escapes_strings)
{
    lv_buf b = LV_BUF_INIT;
    load_json_string(&b, "a\"b\\c\n");
    cr_assert_str_eq(b.data, "\"a\\\"b\\\\c\\u000a\"");
    lv_buf_free(&b);
}

Test(load_hist, quantiles)
{
    static load_hist h;
    memset(&h, 0, sizeof h);
    cr_assert_eq(load_hist_quantile(&h, 0.5), 0);
    for (uint64_t v = 1; v <= 50; v++) load_hist_record(&h, v);
    cr_assert_eq(load_hist_quantile(&h, 0.5), 25, "exact below 64 ns");
    cr_assert_eq(load_hist_quantile(&h, 1.0), 50);
    memset(&h, 0, sizeof h);
    /* 99 fast samples near 100 us and one slow at 10 ms. */
    for (int i = 0; i < 99; i++) load_hist_record(&h, 100000 + (uint64_t)i);
    load_hist_record(&h, 10000000);
    uint64_t p50 = load_hist_quantile(&h, 0.5), p99 = load_hist_quantile(&h, 0.99);
    cr_assert(p50 >= 98000 && p50 <= 102000, "p50 %lu within 2 %%", (unsigned long)p50);
    cr_assert(p99 >= 98000 && p99 <= 102000, "p99 %lu: the 99th of 100 is still fast", (unsigned long)p99);
    cr_assert_eq(load_hist_quantile(&h, 1.0), 10000000, "the maximum is exact");
    cr_assert_eq(h.count, 100);

    static load_hist other;
    memset(&other, 0, sizeof other);
    for (int i = 0; i < 300; i++) load_hist_record(&other, 5000000);
    load_hist_merge(&h, &other);
    cr_assert_eq(h.count, 400);
    uint64_t p50m = load_hist_quantile(&h, 0.5);
    cr_assert(p50m >= 4900000 && p50m <= 5100000, "merged p50 %lu", (unsigned long)p50m);
    load_hist_record(&h, UINT64_MAX); /* clamped into the last bucket, no overflow */
    cr_assert_eq(h.max_ns, UINT64_MAX);
}
