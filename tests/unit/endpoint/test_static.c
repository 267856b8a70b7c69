/* lv_static and lv_static_embedded through the app's endpoint, with no
 * socket: files of a temporary folder (with the traps a folder can hold:
 * symbolic links out and in, a FIFO, dotfiles, a file too large) and of an
 * embedded table, every traversal shape, 304, HEAD, .gz siblings, 405 and
 * the precedence of a mount over views. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include "net/static.h"

#define SECRET "0123456789abcdef0123456789abcdef01234567"
#define MAX_FILE 1000 /* max_outbound_bytes: the largest file served */

static char root[] = "/tmp/lv_static_XXXXXX"; /* holds files/ and outside.txt */
static char dir[sizeof root + 16];
static lv_app *app;
static lv_endpoint ep;

static void write_at(const char *base, const char *name, const char *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", base, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    if (len) cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void put(const char *name, const char *text)
{
    write_at(dir, name, text, strlen(text));
}

static void in_dir(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static int view_mount(lv_socket *s, const lv_params *params, const lv_params *session)
{
    (void)s;
    (void)params;
    (void)session;
    return 0;
}

static const lv_view shadowed_view = {.name = "shadowed", .template_text = "<p>view</p>", .mount = view_mount};

static const unsigned char emb_css[] = "body { color: red }", emb_css_gz[] = "GZ-BYTES";
static const unsigned char emb_png[] = "\x89PNG....";
static const lv_embedded_file embedded[] = {
    {"site.css", emb_css, sizeof emb_css - 1, "\"1111111111111111\"", emb_css_gz, 8, "\"2222222222222222\""},
    {"img/logo.png", emb_png, 8, "\"3333333333333333\"", NULL, 0, NULL},
};

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(dir, sizeof dir, "%s/files", root);
    cr_assert_eq(mkdir(dir, 0700), 0);
    write_at(root, "outside.txt", "root:secret\n", 12);
    put("hello.txt", "hello\n");
    put("app.js", "console.log('plain');\n");
    put("app.js.gz", "GZIPPED");
    char path[512], target[512];
    in_dir("sub", path, sizeof path);
    cr_assert_eq(mkdir(path, 0700), 0);
    put("sub/page.html", "<p>sub</p>");
    put("sub/.hidden", "hidden");
    put(".secret", "secret");
    in_dir("empty", path, sizeof path);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(target, sizeof target, "%s/outside.txt", root);
    in_dir("link_out", path, sizeof path);
    cr_assert_eq(symlink(target, path), 0);
    in_dir("link_in", path, sizeof path);
    cr_assert_eq(symlink("hello.txt", path), 0);
    in_dir("link_dir", path, sizeof path);
    cr_assert_eq(symlink(root, path), 0);
    in_dir("fifo", path, sizeof path);
    cr_assert_eq(mkfifo(path, 0600), 0);
    char big[MAX_FILE + 1];
    memset(big, 'x', sizeof big);
    write_at(dir, "big.bin", big, sizeof big);

    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = NULL;
    cfg.max_outbound_bytes = MAX_FILE;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/files/hello.txt", &shadowed_view), 0);
    cr_assert_eq(lv_route(app, "/filesx/hello.txt", &shadowed_view), 0);
    cr_assert_eq(lv_static(app, "/files", dir), 0);
    cr_assert_eq(lv_static_embedded(app, "/emb/", embedded, 2), 0);
    ep = lv_app_endpoint(app);
}

static void teardown(void)
{
    lv_app_free(app);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_expect_eq(system(cmd), 0);
    strcpy(root, "/tmp/lv_static_XXXXXX");
    lv_channel_thread_cleanup();
}

TestSuite(static_files, .init = setup, .fini = teardown);

/* ---- helpers ---- */

static lv_http_response serve_with(const char *method, const char *path, const char *const *headers)
{
    lv_http_request req = {.method = method, .path = path, .headers = headers, .peer_addr = "127.0.0.1"};
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    ep.http(ep.ctx, &req, &res);
    return res;
}

static lv_http_response get(const char *path)
{
    return serve_with("GET", path, NULL);
}

static bool has_header(const lv_http_response *res, const char *line)
{
    return res->headers.data && strstr(res->headers.data, line) != NULL;
}

static bool body_is(const lv_http_response *res, const char *text)
{
    return res->body_len == strlen(text) && memcmp(res->body, text, res->body_len) == 0;
}

/* The ETag header's value, copied. */
static void etag_of(const lv_http_response *res, char *out, size_t cap)
{
    const char *e = strstr(res->headers.data, "ETag: ");
    cr_assert_not_null(e);
    e += 6;
    size_t len = strcspn(e, "\r");
    cr_assert_lt(len, cap);
    memcpy(out, e, len);
    out[len] = '\0';
}

static int status_of(const char *path)
{
    lv_http_response res = get(path);
    int status = res.status;
    cr_expect_not(res.body_len >= 5 && memmem(res.body, res.body_len, "root:", 5),
                  "%s leaked a file from outside", path);
    lv_http_response_free(&res);
    return status;
}

/* ---- a folder ---- */

Test(static_files, a_file_is_served_with_its_type_and_an_etag_to_revalidate)
{
    lv_http_response res = get("/files/hello.txt");
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/plain; charset=utf-8");
    cr_expect(body_is(&res, "hello\n"));
    cr_expect(has_header(&res, "Cache-Control: no-cache\r\n"));
    cr_expect_not(has_header(&res, "Vary:"), "no gzip sibling: one representation");
    cr_expect_not(has_header(&res, "Content-Encoding"));
    char etag[64];
    etag_of(&res, etag, sizeof etag);
    char expected[LV_ETAG_SIZE];
    lv_content_etag("hello\n", 6, expected);
    cr_expect_str_eq(etag, expected, "the ETag is a hash of the content");
    lv_http_response_free(&res);

    res = get("/files/sub/page.html");
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/html; charset=utf-8");
    cr_expect(body_is(&res, "<p>sub</p>"));
    lv_http_response_free(&res);
}

Test(static_files, a_matching_if_none_match_is_304_and_head_has_no_body)
{
    char etag[64];
    lv_http_response res = get("/files/hello.txt");
    etag_of(&res, etag, sizeof etag);
    lv_http_response_free(&res);
    const char *inm[] = {"if-none-match", etag, NULL};
    res = serve_with("GET", "/files/hello.txt", inm);
    cr_expect_eq(res.status, 304);
    cr_expect(res.head_only);
    cr_expect(has_header(&res, "Cache-Control: no-cache\r\n"));
    lv_http_response_free(&res);
    const char *other[] = {"if-none-match", "\"0000000000000000\", W/\"1\"", NULL};
    res = serve_with("GET", "/files/hello.txt", other);
    cr_expect_eq(res.status, 200);
    lv_http_response_free(&res);
    res = serve_with("HEAD", "/files/hello.txt", NULL);
    cr_expect_eq(res.status, 200);
    cr_expect(res.head_only);
    cr_expect_eq(res.body_len, 6, "HEAD announces the length");
    lv_http_response_free(&res);
}

Test(static_files, a_gz_sibling_is_sent_only_to_who_accepts_gzip)
{
    const char *gzip[] = {"accept-encoding", "gzip, deflate, br", NULL};
    lv_http_response res = serve_with("GET", "/files/app.js", gzip);
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/javascript; charset=utf-8", "the type of the plain file");
    cr_expect(has_header(&res, "Content-Encoding: gzip\r\n"));
    cr_expect(has_header(&res, "Vary: Accept-Encoding\r\n"));
    cr_expect(body_is(&res, "GZIPPED"));
    char gz_etag[64];
    etag_of(&res, gz_etag, sizeof gz_etag);
    lv_http_response_free(&res);

    const char *refused[] = {"accept-encoding", "gzip;q=0, br", NULL};
    const char *const *plain_requests[] = {NULL, refused};
    for (size_t i = 0; i < 2; i++) {
        res = serve_with("GET", "/files/app.js", plain_requests[i]);
        cr_expect_eq(res.status, 200);
        cr_expect_not(has_header(&res, "Content-Encoding"));
        cr_expect(has_header(&res, "Vary: Accept-Encoding\r\n"));
        cr_expect(body_is(&res, "console.log('plain');\n"));
        char etag[64];
        etag_of(&res, etag, sizeof etag);
        cr_expect_str_neq(etag, gz_etag, "each representation has its own ETag");
        lv_http_response_free(&res);
    }

    const char *revalidate[] = {"accept-encoding", "gzip", "if-none-match", gz_etag, NULL};
    res = serve_with("GET", "/files/app.js", revalidate);
    cr_expect_eq(res.status, 304);
    lv_http_response_free(&res);
}

Test(static_files, a_changed_file_is_read_again_and_a_deleted_one_is_gone)
{
    char before[64], after[64];
    lv_http_response res = get("/files/hello.txt");
    etag_of(&res, before, sizeof before);
    lv_http_response_free(&res);
    put("hello.txt", "hello, again\n");
    res = get("/files/hello.txt");
    cr_expect(body_is(&res, "hello, again\n"));
    etag_of(&res, after, sizeof after);
    cr_expect_str_neq(before, after);
    lv_http_response_free(&res);

    char path[512];
    in_dir("hello.txt", path, sizeof path);
    cr_assert_eq(unlink(path), 0);
    cr_expect_eq(status_of("/files/hello.txt"), 404, "a mount owns its paths: the view never sees it");
    put("hello.txt", "back\n");
    res = get("/files/hello.txt");
    cr_expect(body_is(&res, "back\n"));
    lv_http_response_free(&res);

    in_dir("app.js.gz", path, sizeof path);
    cr_assert_eq(unlink(path), 0);
    const char *gzip[] = {"accept-encoding", "gzip", NULL};
    res = serve_with("GET", "/files/app.js", gzip);
    cr_expect_not(has_header(&res, "Content-Encoding"), "the sibling is gone");
    lv_http_response_free(&res);
}

Test(static_files, every_traversal_shape_is_refused)
{
    static const char *const attempts[] = {
        "/files/../outside.txt", "/files/..", "/files/./hello.txt", "/files/sub/../../outside.txt",
        "/files/%2e%2e/outside.txt", "/files/%2E%2E/outside.txt", "/files/.%2e/outside.txt",
        "/files/%2e%2e%2foutside.txt", "/files/..%2foutside.txt", "/files/sub%2f..%2f..%2foutside.txt",
        "/files/..%5coutside.txt", "/files/..\\outside.txt", "/files/sub\\..\\..\\outside.txt",
        "/files/hello.txt%00.png", "/files/%00", "/files/%", "/files/%zz",
        "/files/%252e%252e/outside.txt",
    };
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        int status = status_of(attempts[i]);
        cr_expect(status == 400 || status == 404, "%s: %d", attempts[i], status);
    }
    cr_expect_eq(status_of("/files/../outside.txt"), 400);
    cr_expect_eq(status_of("/files/%2e%2e/outside.txt"), 400);
    cr_expect_eq(status_of("/files/a%2fb"), 400);
    cr_expect_eq(status_of("/files/a%5cb"), 400);
}

Test(static_files, links_folders_fifos_dotfiles_and_big_files_are_404)
{
    static const char *const misses[] = {
        "/files/link_out", "/files/link_in", "/files/link_dir/outside.txt", "/files/link_dir/files/hello.txt",
        "/files/sub", "/files/sub/", "/files/empty", "/files", "/files/", "/files//hello.txt",
        "/files/fifo", "/files/.secret", "/files/sub/.hidden", "/files/%2esecret", "/files/big.bin",
        "/files/missing.txt", "/files/hello.txt/", "/files/hello.txt/x",
    };
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++)
        cr_expect_eq(status_of(misses[i]), 404, "%s", misses[i]);
}

Test(static_files, a_mount_answers_only_get_and_head_and_owns_its_prefix)
{
    static const char *const methods[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        lv_http_response res = serve_with(methods[i], "/files/hello.txt", NULL);
        cr_expect_eq(res.status, 405, "%s", methods[i]);
        cr_expect(has_header(&res, "Allow: GET, HEAD\r\n"));
        lv_http_response_free(&res);
    }
    lv_http_response res = get("/files/hello.txt");
    cr_expect(body_is(&res, "hello\n"), "the mount, not the view routed at the same path");
    lv_http_response_free(&res);
    res = get("/filesx/hello.txt");
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/html; charset=utf-8", "another prefix: the view");
    lv_http_response_free(&res);
}

Test(static_files, mount_prefixes_are_checked)
{
    cr_expect_eq(lv_static(app, "static", dir), -1, "no leading slash");
    cr_expect_eq(lv_static(app, "/", dir), -1, "would hide every page");
    cr_expect_eq(lv_static(app, "//", dir), -1);
    cr_expect_eq(lv_static(app, "", dir), -1);
    cr_expect_eq(lv_static(app, NULL, dir), -1);
    cr_expect_eq(lv_static(app, "/a/../b", dir), -1);
    cr_expect_eq(lv_static(app, "/a%2fb", dir), -1);
    cr_expect_eq(lv_static(app, "/files/", dir), -1, "taken");
    cr_expect_eq(lv_static(app, "/files/sub", dir), -1, "inside a mount");
    cr_expect_eq(lv_static(app, "/other", "/nonexistent/folder"), -1);
    char file[512];
    in_dir("hello.txt", file, sizeof file);
    cr_expect_eq(lv_static(app, "/other", file), -1, "a file is not a folder");
    cr_expect_eq(lv_static(app, "/other", NULL), -1);
    cr_expect_eq(lv_static_embedded(app, "/other", NULL, 3), -1);
    cr_expect_eq(lv_static(app, "/other/", dir), 0, "a trailing slash is dropped");
    cr_expect_eq(status_of("/other/hello.txt"), 200);
}

/* ---- an embedded table ---- */

Test(static_files, an_embedded_file_is_served_without_a_copy)
{
    lv_http_response res = get("/emb/site.css");
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "text/css; charset=utf-8");
    cr_expect_eq(res.body, (const char *)emb_css);
    cr_expect(has_header(&res, "ETag: \"1111111111111111\"\r\n"));
    cr_expect(has_header(&res, "Cache-Control: no-cache\r\n"));
    cr_expect(has_header(&res, "Vary: Accept-Encoding\r\n"));
    lv_http_response_free(&res);

    const char *gzip[] = {"accept-encoding", "*", NULL};
    res = serve_with("GET", "/emb/site.css", gzip);
    cr_expect(has_header(&res, "Content-Encoding: gzip\r\n"));
    cr_expect(has_header(&res, "ETag: \"2222222222222222\"\r\n"));
    cr_expect_eq(res.body, (const char *)emb_css_gz);
    lv_http_response_free(&res);

    res = serve_with("GET", "/emb/img/logo.png", gzip);
    cr_expect_eq(res.status, 200);
    cr_expect_str_eq(res.content_type, "image/png");
    cr_expect_not(has_header(&res, "Content-Encoding"), "no gzip copy");
    cr_expect_not(has_header(&res, "Vary"));
    lv_http_response_free(&res);

    const char *inm[] = {"if-none-match", "W/\"3333333333333333\"", NULL};
    res = serve_with("GET", "/emb/img/logo.png", inm);
    cr_expect_eq(res.status, 304);
    lv_http_response_free(&res);
}

Test(static_files, an_embedded_table_refuses_what_it_does_not_hold)
{
    cr_expect_eq(status_of("/emb/img"), 404);
    cr_expect_eq(status_of("/emb/img/"), 404);
    cr_expect_eq(status_of("/emb/IMG/logo.png"), 404);
    cr_expect_eq(status_of("/emb/img/../site.css"), 400);
    cr_expect_eq(status_of("/emb/img%2flogo.png"), 400);
    cr_expect_eq(status_of("/emb/nothing"), 404);
    lv_http_response res = serve_with("POST", "/emb/site.css", NULL);
    cr_expect_eq(res.status, 405);
    lv_http_response_free(&res);
}

/* ---- the client, overridden from a folder ---- */

Test(static_files, an_assets_dir_replaces_app_js_and_app_css_but_not_phoenix)
{
    char assets[512];
    snprintf(assets, sizeof assets, "%s/assets", root);
    cr_assert_eq(mkdir(assets, 0700), 0);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/js", assets);
    cr_assert_eq(mkdir(sub, 0700), 0);
    write_at(sub, "app.js", "window.custom = 1;\n", 19);

    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = SECRET;
    cfg.assets_dir = assets;
    lv_app *custom = lv_app_new(&cfg);
    cr_assert_not_null(custom);
    cr_assert_eq(lv_app_files_prepare(custom), 0);
    char etag[LV_ETAG_SIZE], js[64];
    lv_content_etag("window.custom = 1;\n", 19, etag);
    snprintf(js, sizeof js, "src=\"/assets/app-%.16s.js\"", etag + 1);
    cr_expect(strstr(custom->asset_tags, js) != NULL, "%s", custom->asset_tags);
    cr_expect(strstr(custom->asset_tags, "src=\"/assets/phoenix-") != NULL);
    cr_expect(strstr(custom->asset_tags, "href=\"/assets/app-") != NULL, "the built-in app.css");
    cr_expect_eq(lv_app_files_prepare(custom), 0, "a second call changes nothing");

    lv_endpoint custom_ep = lv_app_endpoint(custom);
    lv_http_request req = {.method = "GET", .path = js + 5, .peer_addr = "127.0.0.1"};
    *strchr((char *)req.path, '"') = '\0';
    lv_http_response res = LV_HTTP_RESPONSE_INIT;
    custom_ep.http(custom_ep.ctx, &req, &res);
    cr_expect_eq(res.status, 200);
    cr_expect(body_is(&res, "window.custom = 1;\n"));
    cr_expect(has_header(&res, "Cache-Control: public, max-age=31536000, immutable\r\n"));
    lv_http_response_free(&res);
    lv_app_free(custom);

    cfg.assets_dir = dir; /* no js/app.js there */
    custom = lv_app_new(&cfg);
    cr_expect_eq(lv_app_files_prepare(custom), -1);
    cr_expect_null(custom->asset_tags);
    lv_app_free(custom);
}
