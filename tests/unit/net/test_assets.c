/* The static byte store: files read once, found by exact path, each with
 * an ETag that follows its content. */
#include <criterion/criterion.h>
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

static const lv_asset_file files[] = {
    {"/static/a.js", "a.js", "text/javascript"},
    {"/static/b.css", "b.css", "text/css"},
};

Test(assets, loads_each_file_under_its_path)
{
    lv_assets a;
    lv_buf missing = LV_BUF_INIT;
    cr_assert_eq(lv_assets_load(&a, dir, files, 2, &missing), 0);
    cr_expect_eq(missing.len, 0);
    const lv_asset *js = lv_assets_find(&a, "/static/a.js", 12);
    cr_assert_not_null(js);
    cr_expect_eq(js->len, 11);
    cr_expect_eq(memcmp(js->data, "let a = 1;\n", 11), 0);
    cr_expect_str_eq(js->content_type, "text/javascript");
    cr_expect_eq(strlen(js->etag), 18);
    cr_expect_eq(js->etag[0], '"');
    const lv_asset *css = lv_assets_find(&a, "/static/b.css", 13);
    cr_assert_not_null(css, "an empty file is an asset too");
    cr_expect_eq(css->len, 0);
    cr_expect_str_neq(js->etag, css->etag);
    cr_expect_null(lv_assets_find(&a, "/static/a.j", 11));
    cr_expect_null(lv_assets_find(&a, "/static/a.js/", 13));
    cr_expect_null(lv_assets_find(&a, "a.js", 4), "never a file name");
    lv_assets_free(&a);
}

Test(assets, the_etag_follows_the_content_only)
{
    lv_assets a = {0};
    lv_assets_add(&a, "/x", "text/plain", "same", 4);
    lv_assets_add(&a, "/y", "text/plain", "same", 4);
    lv_assets_add(&a, "/z", "text/plain", "other", 5);
    cr_expect_str_eq(a.items[0].etag, a.items[1].etag);
    cr_expect_str_neq(a.items[0].etag, a.items[2].etag);
    lv_assets_free(&a);
}

Test(assets, a_missing_file_fails_the_load_and_names_it)
{
    static const lv_asset_file more[] = {
        {"/static/a.js", "a.js", "text/javascript"},
        {"/static/gone.js", "gone.js", "text/javascript"},
    };
    lv_assets a;
    lv_buf missing = LV_BUF_INIT;
    cr_assert_eq(lv_assets_load(&a, dir, more, 2, &missing), -1);
    cr_expect_eq(a.count, 0, "nothing half-loaded is kept");
    cr_expect_not_null(strstr(missing.data, "/gone.js"));
    lv_buf_free(&missing);
}
