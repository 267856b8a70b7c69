/* Uploads through a whole view (live/upload.c), white-box: the files they
 * make and remove, the app's reservation, and a store that fails, driven
 * with liveview_test.h as a browser would. */
#include <criterion/criterion.h>
#include <liveview.h>
#include <liveview_test.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/live.h"
#include "live/upload.h"
#include "live/upload_io.h"

static lv_app *app;
static lv_test *t;
static char kept_path[512];
static bool take_files;

static bool consume(lv_socket *s, const lv_upload_entry *e, void *ctx)
{
    (void)s;
    (void)ctx;
    snprintf(kept_path, sizeof kept_path, "%s", e->path);
    return take_files;
}

static int mount(lv_socket *s, const lv_params *p, const lv_params *session)
{
    (void)p;
    (void)session;
    lv_upload_config c = {.accept = ".txt", .max_entries = 2, .max_file_size = 1000, .chunk_size = 10};
    return lv_allow_upload(s, "doc", &c);
}

static int event(lv_socket *s, const char *name, const lv_params *v)
{
    (void)v;
    if (strcmp(name, "save") == 0) lv_consume_uploaded_entries(s, "doc", consume, NULL);
    return 0;
}

static const lv_view view = {
    .name = "doc",
    .template_text = "<form phx-change=\"validate\" phx-submit=\"save\">{{live_file_input uploads.doc}}</form>"
                     "{{#each uploads.doc.entries as e}}<p class=\"entry\">{{e.client_name}} "
                     "{{#each e.errors as err}}[{{err}}]{{/each}}</p>{{/each}}",
    .events = (const char *const[]){"validate", "save", NULL},
    .mount = mount,
    .handle_event = event,
};

/* An external upload: the browser's uploader "S3" sends the bytes
 * elsewhere. "refuse.txt" is refused by the app; "nameless.txt" gets a meta
 * without an uploader, which the library refuses. */
static char external_consumed[64];
static bool external_path_was_null;

static int external(lv_socket *s, const lv_upload_entry *e, lv_value *meta)
{
    (void)s;
    if (strcmp(e->client_name, "refuse.txt") == 0) return -1;
    if (strcmp(e->client_name, "nameless.txt") != 0) lv_map_set_str(meta, "uploader", "S3");
    lv_map_set_str(meta, "url", "https://storage.example/put");
    return 0;
}

static bool consume_external(lv_socket *s, const lv_upload_entry *e, void *ctx)
{
    (void)s;
    (void)ctx;
    snprintf(external_consumed, sizeof external_consumed, "%s", e->client_name);
    external_path_was_null = e->path == NULL;
    return false;
}

static int ext_mount(lv_socket *s, const lv_params *p, const lv_params *session)
{
    (void)p;
    (void)session;
    lv_upload_config c = {.accept = ".txt", .max_entries = 2, .external = external};
    return lv_allow_upload(s, "doc", &c);
}

static int ext_event(lv_socket *s, const char *name, const lv_params *v)
{
    (void)v;
    if (strcmp(name, "save") == 0) lv_consume_uploaded_entries(s, "doc", consume_external, NULL);
    return 0;
}

static const lv_view ext_view = {
    .name = "ext",
    .template_text = "<form phx-change=\"validate\" phx-submit=\"save\">{{live_file_input uploads.doc}}</form>"
                     "{{#each uploads.doc.entries as e}}<p class=\"entry\">{{e.client_name}} {{e.progress}} "
                     "{{#each e.errors as err}}[{{err}}]{{/each}}</p>{{/each}}",
    .events = (const char *const[]){"validate", "save", NULL},
    .mount = ext_mount,
    .handle_event = ext_event,
};

/* A store that counts what the real one does, and fails on request. */
static int creates, removes, fail_create, fail_write;

static int counting_create(const char *dir, char **path)
{
    if (fail_create) return -1;
    creates++;
    return lv_upload_posix_io.create(dir, path);
}

static int counting_write(int fd, const void *data, size_t len)
{
    return fail_write ? -1 : lv_upload_posix_io.write_all(fd, data, len);
}

static void counting_remove(const char *path)
{
    removes++;
    lv_upload_posix_io.remove(path);
}

static const lv_upload_io counting_io = {counting_create, counting_write, NULL, counting_remove};
static lv_upload_io io;

static char dir[] = "/tmp/lv-unit-upload-XXXXXX";

static void quiet(void *ctx, lv_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.upload_dir = dir;
    cfg.log = quiet;
    app = lv_app_new(&cfg);
    cr_assert_not_null(app);
    cr_assert_eq(lv_route(app, "/doc", &view), 0);
    cr_assert_eq(lv_route(app, "/ext", &ext_view), 0);
    io = counting_io;
    io.close = lv_upload_posix_io.close;
    lv_upload_set_io(app, &io);
    t = lv_test_new(app);
}

static void teardown(void)
{
    lv_test_free(t);
    lv_app_free(app);
    rmdir(dir);
}

static int files_in_dir(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", dir);
    return system(cmd) == 0 ? 0 : 1;
}

TestSuite(upload, .init = setup, .fini = teardown);

Test(upload, a_consumed_file_is_removed_unless_taken)
{
    lv_test_view *v = lv_test_live(t, "/doc");
    cr_assert_eq(lv_test_upload(v, "doc", "a.txt", "text/plain", "hello world, 25 bytes!!!!", 25), 0, "%s",
                 lv_test_error(v));
    cr_assert_eq(creates, 1);
    cr_assert_eq(files_in_dir(), 1);
    cr_assert_eq(atomic_load(&app->upload_bytes_in_flight), 25);
    take_files = false;
    cr_assert_eq(lv_test_submit(v, "save", ""), 0);
    cr_assert_eq(removes, 1);
    cr_assert_eq(files_in_dir(), 0);
    cr_assert_eq(atomic_load(&app->upload_bytes_in_flight), 0, "the reservation is released");

    take_files = true;
    cr_assert_eq(lv_test_upload(v, "doc", "b.txt", "text/plain", "abc", 3), 0);
    cr_assert_eq(lv_test_submit(v, "save", ""), 0);
    cr_assert_eq(removes, 1, "a taken file is the app's");
    struct stat st;
    cr_assert_eq(stat(kept_path, &st), 0);
    cr_assert_eq(st.st_size, 3);
    cr_assert_eq(st.st_mode & 0777, 0600);
    unlink(kept_path);
}

Test(upload, a_view_that_ends_takes_its_files_with_it)
{
    lv_test_view *v = lv_test_live(t, "/doc");
    static const char bytes[100];
    cr_assert_eq(lv_test_upload_partial(v, "doc", "a.txt", "", bytes, sizeof bytes, 30), 0, "%s", lv_test_error(v));
    cr_assert_eq(files_in_dir(), 1);
    lv_test_close(v);
    cr_assert_eq(files_in_dir(), 0);
    cr_assert_eq(atomic_load(&app->upload_bytes_in_flight), 0);
}

Test(upload, a_store_that_fails_is_a_writer_error)
{
    lv_test_view *v = lv_test_live(t, "/doc");
    fail_create = 1;
    cr_assert_eq(lv_test_upload(v, "doc", "a.txt", "", "abc", 3), -1);
    cr_assert_str_eq(lv_test_error(v), "writer_error");
    cr_assert(strstr(lv_test_html(v), "a.txt [writer_error]") != NULL, "%s", lv_test_html(v));
    fail_create = 0;
    fail_write = 1;
    lv_test_view *w = lv_test_live(t, "/doc");
    cr_assert_eq(lv_test_upload(w, "doc", "b.txt", "", "abc", 3), -1);
    cr_assert_str_eq(lv_test_error(w), "writer_error");
    cr_assert_eq(files_in_dir(), 0, "the file that could not be written is removed");
    cr_assert_eq(atomic_load(&app->upload_bytes_in_flight), 0);
}

Test(upload, bad_configs_are_refused)
{
    lv_test_view *v = lv_test_live(t, "/doc");
    (void)v;
    lv_socket s = {0};
    s.app = app;
    cr_assert_eq(lv_allow_upload(&s, "bad name", NULL), -1);
    cr_assert_eq(lv_allow_upload(&s, "ok", &(lv_upload_config){.accept = "png"}), -1);
    cr_assert_eq(lv_allow_upload(&s, "ok", &(lv_upload_config){.chunk_size = 2u << 20}), -1);
    cr_assert_eq(lv_allow_upload(NULL, "ok", NULL), -1);
    cr_assert_eq(lv_cancel_upload(&s, "nope", "0"), -1);
    cr_assert_eq(lv_consume_uploaded_entries(&s, "nope", NULL, NULL), -1);
}

Test(upload, a_configured_directory_open_to_others_is_refused)
{
    char open_dir[] = "/tmp/lv-unit-upload-open-XXXXXX";
    cr_assert_not_null(mkdtemp(open_dir));
    chmod(open_dir, 0755);
    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.secret_key_base = "a-test-secret-of-at-least-32-bytes-for-signing";
    cfg.upload_dir = open_dir;
    cfg.log = quiet;
    cr_assert_null(lv_app_new(&cfg));
    rmdir(open_dir);
}

Test(upload, an_external_upload_stores_nothing_and_is_done_when_the_client_says)
{
    lv_test_view *v = lv_test_live(t, "/ext");
    cr_assert_eq(lv_test_upload(v, "doc", "a.txt", "text/plain", "bytes that go elsewhere", 23), 0, "%s",
                 lv_test_error(v));
    cr_assert_eq(creates, 0, "no temp file: the bytes never come here");
    cr_assert_eq(atomic_load(&app->upload_bytes_in_flight), 0, "nothing reserved");
    cr_assert(strstr(lv_test_html(v), "a.txt 100"), "%s", lv_test_html(v));
    cr_assert_eq(lv_test_submit(v, "save", ""), 0);
    cr_assert_str_eq(external_consumed, "a.txt");
    cr_assert(external_path_was_null);
    cr_assert_eq(removes, 0);
}

Test(upload, an_external_entry_the_app_refuses_or_without_uploader_fails)
{
    lv_test_view *v = lv_test_live(t, "/ext");
    cr_assert_eq(lv_test_upload(v, "doc", "refuse.txt", "text/plain", "x", 1), -1);
    cr_assert(strstr(lv_test_error(v), "external_client_failure"), "%s", lv_test_error(v));
    lv_test_view *w = lv_test_live(t, "/ext");
    cr_assert_eq(lv_test_upload(w, "doc", "nameless.txt", "text/plain", "x", 1), -1);
    cr_assert(strstr(lv_test_error(w), "external_client_failure"), "%s", lv_test_error(w));
    cr_assert(strstr(lv_test_html(w), "[external_client_failure]"), "%s", lv_test_html(w));
}
