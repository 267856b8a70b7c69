/* The client's byte store: files embedded or read once, found by exact
 * fingerprinted path, each with an ETag that follows its content. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/assets.h"

static char dir[] = "/tmp/lv_assets_XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    write_file("a.js", "let a = 1;\n");
    write_file("b.css", "");
}

static void teardown(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/a.js", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/b.css", dir);
    unlink(path);
    rmdir(dir);
}

TestSuite(assets, .init = setup, .fini = teardown);

static void path_of(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

Test(assets, a_file_is_served_under_its_content_hash)
{
    lv_assets a = LV_ASSETS_INIT;
    char path[256];
    path_of("a.js", path, sizeof path);
    const char *url = lv_assets_add_file(&a, "/static/", "a.js", path);
    cr_assert_not_null(url);
    char etag[LV_ETAG_SIZE];
    lv_content_etag("let a = 1;\n", 11, etag);
    char expected[64];
    snprintf(expected, sizeof expected, "/static/a-%.16s.js", etag + 1);
    cr_expect_str_eq(url, expected);
    const lv_asset *js = lv_assets_find(&a, url, strlen(url));
    cr_assert_not_null(js);
    cr_expect_eq(js->body.len, 11);
    cr_expect_eq(memcmp(js->body.data, "let a = 1;\n", 11), 0);
    cr_expect_str_eq(js->body.content_type, "text/javascript; charset=utf-8");
    cr_expect_str_eq(js->body.etag, etag);
    cr_expect(js->body.immutable);
    cr_expect_null(js->body.gzip, "bytes read at start have no gzip copy");
    path_of("b.css", path, sizeof path);
    const char *css_url = lv_assets_add_file(&a, "/static/", "b.css", path);
    cr_assert_not_null(css_url, "an empty file is an asset too");
    const lv_asset *css = lv_assets_find(&a, css_url, strlen(css_url));
    cr_assert_not_null(css);
    cr_expect_eq(css->body.len, 0);
    cr_expect_str_neq(js->body.etag, css->body.etag, "an earlier asset survives a later add");
    cr_expect_null(lv_assets_find(&a, url, strlen(url) - 1));
    cr_expect_null(lv_assets_find(&a, "/static/a.js", 12), "only the fingerprinted URL");
    cr_expect_null(lv_assets_find(&a, "a.js", 4), "never a file name");
    lv_assets_free(&a);
}

Test(assets, the_etag_and_url_follow_the_content_only)
{
    lv_assets a = LV_ASSETS_INIT;
    const char *x = lv_assets_add_copy(&a, "/", "x.txt", "same", 4);
    const char *y = lv_assets_add_copy(&a, "/", "x.txt", "same", 4);
    const char *z = lv_assets_add_copy(&a, "/", "x.txt", "other", 5);
    cr_expect_str_eq(x, y);
    cr_expect_str_neq(x, z);
    cr_expect_str_eq(a.items[0]->body.etag, a.items[1]->body.etag);
    cr_expect_str_neq(a.items[0]->body.etag, a.items[2]->body.etag);
    lv_assets_free(&a);
}

Test(assets, an_embedded_file_keeps_its_gzip_copy_and_is_not_copied)
{
    static const unsigned char data[] = "body{}", gz[] = "\x1f\x8b...";
    static const lv_embedded_file file = {"css/site.css", data, 6, "\"0123456789abcdef\"", gz, 5,
                                          "\"fedcba9876543210\""};
    lv_assets a = LV_ASSETS_INIT;
    const char *url = lv_assets_add_embedded(&a, "/assets/", &file);
    cr_expect_str_eq(url, "/assets/site-0123456789abcdef.css", "the folder is not part of the name");
    const lv_asset *css = lv_assets_find(&a, url, strlen(url));
    cr_assert_not_null(css);
    cr_expect_eq(css->body.data, (const char *)data);
    cr_expect_eq(css->body.gzip, (const char *)gz);
    cr_expect_str_eq(css->body.content_type, "text/css; charset=utf-8");
    lv_assets_free(&a);
}

Test(assets, a_missing_file_is_null_with_errno)
{
    lv_assets a = LV_ASSETS_INIT;
    char path[256];
    path_of("gone.js", path, sizeof path);
    errno = 0;
    cr_expect_null(lv_assets_add_file(&a, "/static/", "gone.js", path));
    cr_expect_eq(errno, ENOENT);
    cr_expect_eq(a.count, 0, "nothing half-added is kept");
    lv_assets_free(&a);
}
