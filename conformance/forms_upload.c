/* /upload: the suite's upload_live.ex. Up to two .txt or .md files,
 * uploaded at submit, or as soon as chosen with ?auto_upload, or by the
 * page's TestExternal uploader (conformance/static/e2e/app.js) with
 * ?external_upload. A submit copies each finished file to
 * <tmp>/lvupload/, served at /tmp/lvupload/ as the suite's endpoint serves
 * System.tmp_dir at /tmp, and lists a link to it: the spec downloads it
 * back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance.h"
#include "forms_parts.h"

/* <tmp>/lvupload, where consumed files go (filled once at registration). */
static char stored_dir[512];

/* The suite's error_to_string: its own words for the three codes it shows. */
static int upload_error_text(lv_helper_call *call, void *user)
{
    (void)user;
    static const struct {
        const char *code, *text;
    } texts[] = {{"too_large", "Too large"},
                 {"too_many_files", "You have selected too many files"},
                 {"not_accepted", "You have selected an unacceptable file type"}};
    const char *code = lv_value_str_of(lv_helper_arg(call, 0));
    if (!code) return -1;
    const char *text = code;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(code, texts[i].code) == 0) text = texts[i].text;
    lv_helper_text(call, text, strlen(text));
    return 0;
}

/* The preflight of ?external_upload: the client's TestExternal uploader
 * takes the file (and never finishes: the spec cancels it). */
static int test_external(lv_socket *socket, const lv_upload_entry *entry, lv_value *meta)
{
    (void)socket;
    (void)entry;
    lv_map_set_str(meta, "uploader", "TestExternal");
    return 0;
}

static int allow_avatar(lv_socket *socket, bool auto_upload, bool external)
{
    lv_upload_config avatar = {
        .accept = ".txt .md",
        .max_entries = 2,
        .auto_upload = auto_upload,
        .external = external ? test_external : NULL,
    };
    return lv_allow_upload(socket, "avatar", &avatar);
}

static int upload_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_value(socket, "uploaded_files", lv_list_new());
    return allow_avatar(socket, false, false);
}

/* As the suite's handle_params: the query chooses the upload's mode. */
static int upload_params(lv_socket *socket, const lv_params *params, const char *url)
{
    (void)url;
    if (lv_param(params, "auto_upload")) return allow_avatar(socket, true, false);
    if (lv_param(params, "external_upload")) return allow_avatar(socket, true, true);
    return 0;
}

static bool copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return false;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = out >= 0;
    char buf[65536];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0 && write(out, buf, (size_t)n) == n;
    }
    close(in);
    if (out >= 0 && close(out) != 0) ok = false;
    if (!ok && out >= 0) unlink(to);
    return ok;
}

/* Copies a finished file under its temp file's own name (random hex) and
 * lists its link; the library then removes the temp file. */
static bool store_upload(lv_socket *socket, const lv_upload_entry *entry, void *ctx)
{
    lv_value *files = ctx;
    if (!entry->path) return false; /* an external entry: nothing here */
    const char *base = strrchr(entry->path, '/');
    base = base ? base + 1 : entry->path;
    char dest[1024];
    snprintf(dest, sizeof dest, "%s/%s", stored_dir, base);
    if (!copy_file(entry->path, dest)) {
        fprintf(stderr, "conformance /upload: could not copy %s to %s\n", entry->path, dest);
        return false;
    }
    lv_value *file = lv_map_new();
    lv_map_set_str(file, "name", base);
    char url[600];
    snprintf(url, sizeof url, "/tmp/lvupload/%s", base);
    lv_map_set_str(file, "url", url);
    lv_list_push(files, file);
    (void)socket;
    return false;
}

static int upload_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "cancel-upload") == 0) {
        lv_cancel_upload(socket, "avatar", lv_param(value, "ref"));
    } else if (strcmp(event, "save") == 0) {
        const lv_value *before = lv_get_value(socket, "uploaded_files");
        lv_value *files = before ? lv_value_copy(before) : lv_list_new();
        lv_consume_uploaded_entries(socket, "avatar", store_upload, files);
        lv_assign_value(socket, "uploaded_files", files);
    }
    return 0; /* validate: the library recorded the chosen files */
}

static const lv_view upload_live = {
    .name = "upload",
    .template_file = "upload.html",
    .events = (const char *const[]){"validate", "cancel-upload", "save", NULL},
    .mount = upload_mount,
    .handle_event = upload_event,
    .handle_params = upload_params,
};

int conf_upload_register(lv_app *app)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(stored_dir, sizeof stored_dir, "%s/lvupload", tmp && *tmp ? tmp : "/tmp");
    if (mkdir(stored_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "conformance: cannot make %s: %s\n", stored_dir, strerror(errno));
        return -1;
    }
    if (lv_helper_register("suite_upload_error", upload_error_text, NULL) != 0 ||
        lv_static(app, "/tmp/lvupload", stored_dir) != 0 || lv_route(app, "/upload", &upload_live) != 0)
        return -1;
    return 0;
}
