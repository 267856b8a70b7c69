/* bench_upload_server: a server with one upload of up to 1 GiB, for
 * bench/upload.mjs (what a 100 MB upload costs, docs/uploads.md). The view
 * at /big allows upload "file" (any type, chunk_size from LV_BENCH_CHUNK or
 * 64 000) and, on the submit event "save", consumes it: the file is
 * removed unread. Serves until SIGINT/SIGTERM, like the examples server. */
#include <liveview.h>
#include <stdlib.h>
#include <string.h>

static int big_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    const char *chunk = getenv("LV_BENCH_CHUNK");
    lv_upload_config config = {
        .max_file_size = (int64_t)1 << 30,
        .chunk_size = chunk ? (unsigned)strtoul(chunk, NULL, 10) : 0,
    };
    return lv_allow_upload(socket, "file", &config);
}

static int big_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    if (strcmp(event, "save") == 0) {
        int n = lv_consume_uploaded_entries(socket, "file", NULL, NULL);
        lv_assign_int(socket, "saved", n);
    }
    return 0;
}

static const lv_view big = {
    .name = "big",
    .template_text = "<form phx-change=\"validate\" phx-submit=\"save\">{{live_file_input uploads.file}}</form>"
                     "<p id=\"saved\">{{saved}}</p>",
    .events = (const char *const[]){"validate", "save", NULL},
    .mount = big_mount,
    .handle_event = big_event,
};

int main(void)
{
    lv_app *app = lv_app_new(NULL);
    if (!app || lv_route(app, "/big", &big) != 0) return 1;
    int rc = lv_app_run(app);
    lv_app_free(app);
    return rc == 0 ? 0 : 1;
}
