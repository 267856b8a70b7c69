/* The decisions of file serving, free of I/O: gzip negotiation, ETag
 * revalidation, content types, and which request paths name a file. */
#include <criterion/criterion.h>
#include <string.h>

#include "net/static.h"

/* ---- Accept-Encoding ---- */

Test(accept_encoding, what_browsers_send_takes_gzip)
{
    cr_expect(lv_accepts_gzip("gzip, deflate, br, zstd"));
    cr_expect(lv_accepts_gzip("gzip, deflate"));
    cr_expect(lv_accepts_gzip("gzip"));
    cr_expect(lv_accepts_gzip("deflate, gzip;q=1.0, *;q=0.5"));
    cr_expect(lv_accepts_gzip("GZIP"), "codings are case-insensitive");
    cr_expect(lv_accepts_gzip("x-gzip"), "x-gzip is gzip (RFC 9110 §8.4.1.3)");
    cr_expect(lv_accepts_gzip("br;q=1, gzip;q=0.001"));
    cr_expect(lv_accepts_gzip("  gzip  ;  q=0.5  "), "optional whitespace");
    cr_expect(lv_accepts_gzip("gzip;Q=0.5"), "the q name is case-insensitive");
}

Test(accept_encoding, no_header_or_an_empty_one_is_identity)
{
    cr_expect_not(lv_accepts_gzip(NULL));
    cr_expect_not(lv_accepts_gzip(""));
    cr_expect_not(lv_accepts_gzip("identity"));
    cr_expect_not(lv_accepts_gzip("br, deflate"));
    cr_expect_not(lv_accepts_gzip("gzipx, xgzip, gzip2"), "names match whole");
}

Test(accept_encoding, a_zero_weight_refuses)
{
    cr_expect_not(lv_accepts_gzip("gzip;q=0"));
    cr_expect_not(lv_accepts_gzip("gzip;q=0.0"));
    cr_expect_not(lv_accepts_gzip("gzip;q=0.000"));
    cr_expect_not(lv_accepts_gzip("*;q=0"));
    cr_expect_not(lv_accepts_gzip("gzip;q=0, *"), "an explicit refusal beats the wildcard");
    cr_expect(lv_accepts_gzip("gzip;q=0, gzip;q=0.5"), "listed twice: the best weight counts");
}

Test(accept_encoding, the_wildcard_counts_for_gzip)
{
    cr_expect(lv_accepts_gzip("*"));
    cr_expect(lv_accepts_gzip("br, *;q=0.1"));
    cr_expect(lv_accepts_gzip("identity, *;q=0.5") == false,
              "identity is preferred to anything the wildcard offers");
}

Test(accept_encoding, identity_preferred_over_gzip_wins)
{
    cr_expect_not(lv_accepts_gzip("gzip;q=0.5, identity"));
    cr_expect_not(lv_accepts_gzip("gzip;q=0.5, identity;q=0.8"));
    cr_expect(lv_accepts_gzip("gzip;q=0.8, identity;q=0.5"));
    cr_expect(lv_accepts_gzip("gzip, identity;q=0"));
    cr_expect(lv_accepts_gzip("gzip, identity"), "equal weights: the smaller body");
}

Test(accept_encoding, a_malformed_element_is_ignored_not_the_header)
{
    cr_expect_not(lv_accepts_gzip("gzip;q=2"), "a weight above 1 is not a weight");
    cr_expect_not(lv_accepts_gzip("gzip;q=1.5"));
    cr_expect_not(lv_accepts_gzip("gzip;q=0.1234"), "at most three decimals");
    cr_expect_not(lv_accepts_gzip("gzip;q=abc"));
    cr_expect_not(lv_accepts_gzip("gzip;q="));
    cr_expect_not(lv_accepts_gzip("gzip;q"));
    cr_expect_not(lv_accepts_gzip("gzip junk"));
    cr_expect_not(lv_accepts_gzip("gzip;q=-1"));
    cr_expect(lv_accepts_gzip("gzip;q=2, br, gzip"), "a later good element still counts");
    cr_expect(lv_accepts_gzip("junk junk, gzip"));
    cr_expect(lv_accepts_gzip("gzip;level=\"9;q=0\""), "a quoted parameter value hides nothing");
    cr_expect(lv_accepts_gzip(",,, gzip ,,"), "empty elements");
    cr_expect_not(lv_accepts_gzip("gzip;x=\"unterminated"));
    cr_expect_not(lv_accepts_gzip(";;;"));
}

/* ---- If-None-Match ---- */

#define TAG "\"0123456789abcdef\""

Test(if_none_match, the_same_tag_matches)
{
    cr_expect(lv_etag_matches(TAG, TAG));
    cr_expect(lv_etag_matches("W/" TAG, TAG), "weak comparison");
    cr_expect(lv_etag_matches("\"x\", " TAG, TAG));
    cr_expect(lv_etag_matches("\"x\"," TAG ",\"y\"", TAG));
    cr_expect(lv_etag_matches("  " TAG "  ", TAG));
    cr_expect(lv_etag_matches("*", TAG));
    cr_expect(lv_etag_matches(" * ", TAG));
}

Test(if_none_match, anything_else_does_not)
{
    cr_expect_not(lv_etag_matches(NULL, TAG));
    cr_expect_not(lv_etag_matches("", TAG));
    cr_expect_not(lv_etag_matches("\"0123456789abcde\"", TAG), "a prefix");
    cr_expect_not(lv_etag_matches("\"0123456789abcdef0\"", TAG), "a longer tag");
    cr_expect_not(lv_etag_matches("0123456789abcdef", TAG), "unquoted");
    cr_expect_not(lv_etag_matches("\"0123456789ABCDEF\"", TAG), "tags are case-sensitive");
    cr_expect_not(lv_etag_matches("x" TAG, TAG));
    cr_expect_not(lv_etag_matches("\"x\" junk, " TAG, TAG), "a malformed list matches nothing");
    cr_expect_not(lv_etag_matches("\"unterminated", TAG));
    cr_expect_not(lv_etag_matches("*, " TAG, "\"other\""), "* only alone");
    cr_expect_not(lv_etag_matches("w/" TAG, TAG), "W/ is case-sensitive");
}

/* ---- content types ---- */

Test(content_type, by_extension)
{
    static const char *const cases[][2] = {
        {"index.html", "text/html; charset=utf-8"},
        {"a/b/site.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"mod.mjs", "text/javascript; charset=utf-8"},
        {"data.json", "application/json"},
        {"app.js.map", "application/json"},
        {"logo.svg", "image/svg+xml"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.jpeg", "image/jpeg"},
        {"a.gif", "image/gif"},
        {"a.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"robots.txt", "text/plain; charset=utf-8"},
        {"m.wasm", "application/wasm"},
        {"f.woff2", "font/woff2"},
        {"doc.pdf", "application/pdf"},
        {"PHOTO.JPG", "image/jpeg"},
        {"archive.tar.gz", "application/octet-stream"},
        {"Makefile", "application/octet-stream"},
        {"noext.", "application/octet-stream"},
        {"dir.css/file", "application/octet-stream"},
        {"", "application/octet-stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_str_eq(lv_content_type_for(cases[i][0]), cases[i][1], "%s", cases[i][0]);
}

Test(etag, a_quoted_content_hash)
{
    char a[LV_ETAG_SIZE], b[LV_ETAG_SIZE], c[LV_ETAG_SIZE];
    lv_content_etag("abc", 3, a);
    lv_content_etag("abc", 3, b);
    lv_content_etag("abd", 3, c);
    /* SHA-256("abc") = ba7816bf8f01cfea... */
    cr_expect_str_eq(a, "\"ba7816bf8f01cfea\"");
    cr_expect_str_eq(a, b);
    cr_expect_str_neq(a, c);
}

/* ---- request paths ---- */

static int decode(const char *path, char *out)
{
    return lv_static_path_decode(path, out, LV_STATIC_PATH_MAX);
}

Test(static_path, plain_and_encoded_names)
{
    char out[LV_STATIC_PATH_MAX];
    cr_expect_eq(decode("/a.png", out), 0);
    cr_expect_str_eq(out, "a.png");
    cr_expect_eq(decode("/img/icons/a.png", out), 0);
    cr_expect_str_eq(out, "img/icons/a.png");
    cr_expect_eq(decode("/a%20b.txt", out), 0);
    cr_expect_str_eq(out, "a b.txt");
    cr_expect_eq(decode("/caf%C3%A9.txt", out), 0);
    cr_expect_str_eq(out, "caf\xc3\xa9.txt");
    cr_expect_eq(decode("/a..b", out), 0, "dots inside a name are fine");
    cr_expect_str_eq(out, "a..b");
    cr_expect_eq(decode("/a./b...", out), 0);
}

Test(static_path, traversal_is_400)
{
    static const char *const attempts[] = {
        "/..", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/.", "/./a", "/a/./b",
        "/%2e%2e/etc/passwd", "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/%2e", "/a/%2e%2e",
        "/..%2fetc%2fpasswd", "/a%2fb", "/a%2Fb", "/%2f", "/%2fetc/passwd",
        "/..\\etc", "/a\\b", "/%5c..%5cetc", "/%5C",
        "/a%00.png", "/%00", "/a%0a", "/a%7f", "/a%1b[31m",
        "/a%", "/a%2", "/a%zz", "/a%g0", "/%%30",
    };
    char out[LV_STATIC_PATH_MAX];
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        cr_expect_eq(decode(attempts[i], out), 400, "%s", attempts[i]);
        cr_expect_str_eq(out, "", "nothing usable is left in out: %s", attempts[i]);
    }
}

Test(static_path, names_no_file_is_404)
{
    static const char *const misses[] = {
        "", "/", "//", "//etc/passwd", "/a//b", "/a/", "/img/", "a.png", "x/a.png",
        "/.env", "/.git/config", "/a/.htpasswd", "/%2egit/config", "/.well-known/x",
    };
    char out[LV_STATIC_PATH_MAX];
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        cr_expect_eq(decode(misses[i], out), 404, "%s", misses[i]);
}

Test(static_path, length_and_depth_are_bounded)
{
    char out[LV_STATIC_PATH_MAX];
    char path[4 * LV_STATIC_PATH_MAX];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    cr_expect_eq(decode(path, out), 404, "too long");
    char deep[512] = "";
    for (int i = 0; i <= LV_STATIC_DEPTH_MAX; i++) strcat(deep, "/d");
    cr_expect_eq(decode(deep, out), 404, "too deep");
    deep[strlen(deep) - 2] = '\0';
    cr_expect_eq(decode(deep, out), 0, "as deep as allowed");
    char small[4];
    cr_expect_eq(lv_static_path_decode("/abcd", small, sizeof small), 404, "out too small");
    cr_expect_eq(lv_static_path_decode("/abc", small, sizeof small), 0);
    cr_expect_str_eq(small, "abc");
}
