/* Photos: file uploads with previews, progress, drag and drop, and a
 * gallery every open /photos page shares (modelled on LiveViewJS's photos
 * example, with every limit enforced on the bytes: docs/uploads.md).
 *
 * The upload "photos" takes .png .jpg .jpeg .gif, at most 3 files of at
 * most 5 MB. Choosing files shows a live_img_preview of each before any
 * byte is sent (the browser draws it) and each entry's errors: "too large",
 * "not accepted", "too many files"; with any of them the client does not
 * submit. On submit the client uploads the files, then sends "save", and the
 * view consumes them: each is read into the gallery under a name the server
 * makes up (never the client's), served by GET /photos/image?name=... with
 * exactly the bytes received, and broadcast so every /photos page shows it.
 * The gallery lives in memory (the newest 24 photos), guarded by a mutex:
 * views on other loops read it too. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples.h"

#define PHOTOS_TOPIC "photos"
#define PHOTOS_KEPT 24
#define PHOTO_MAX_BYTES (5 * 1024 * 1024)

typedef struct photo {
    char name[40];         /* the server's: "p<counter>-<random>.<ext>" */
    char content_type[16];
    unsigned char *bytes;  /* owned */
    size_t len;
} photo;

/* Oldest first. */
static pthread_mutex_t gallery_lock = PTHREAD_MUTEX_INITIALIZER;
static photo gallery[PHOTOS_KEPT];
static size_t gallery_count;
static unsigned long long next_photo = 1;

/* The extension and type to serve a photo with, from what the client
 * claimed (the upload accepts only these). */
static void kind_of(const char *client_type, const char **ext, const char **type)
{
    if (client_type && strcmp(client_type, "image/png") == 0) {
        *ext = "png";
        *type = "image/png";
    } else if (client_type && strcmp(client_type, "image/gif") == 0) {
        *ext = "gif";
        *type = "image/gif";
    } else {
        *ext = "jpg";
        *type = "image/jpeg";
    }
}

/* Reads a whole finished upload (at most PHOTO_MAX_BYTES: the upload's
 * limit, enforced on the bytes) into a new buffer. */
static unsigned char *read_upload(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *buf = malloc(PHOTO_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, PHOTO_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf || n > PHOTO_MAX_BYTES) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Consumes one finished upload into the gallery. Returns false: the
 * library removes the temp file, whose bytes are copied. */
static bool save_photo(lv_socket *socket, const lv_upload_entry *entry, void *ctx)
{
    (void)socket;
    int *saved = ctx;
    size_t len;
    unsigned char *bytes = read_upload(entry->path, &len);
    if (!bytes) return false;
    const char *ext, *type;
    kind_of(entry->client_type, &ext, &type);
    pthread_mutex_lock(&gallery_lock);
    if (gallery_count == PHOTOS_KEPT) {
        free(gallery[0].bytes);
        memmove(&gallery[0], &gallery[1], (PHOTOS_KEPT - 1) * sizeof *gallery);
        gallery_count--;
    }
    photo *p = &gallery[gallery_count++];
    uint32_t random_part = 0;
    if (getentropy(&random_part, sizeof random_part) != 0) random_part = 0;
    snprintf(p->name, sizeof p->name, "p%llu-%08x.%s", next_photo++, (unsigned)random_part, ext);
    snprintf(p->content_type, sizeof p->content_type, "%s", type);
    p->bytes = bytes;
    p->len = len;
    pthread_mutex_unlock(&gallery_lock);
    (*saved)++;
    return false;
}

static void assign_gallery(lv_socket *socket)
{
    lv_value *list = lv_list_new();
    pthread_mutex_lock(&gallery_lock);
    for (size_t i = gallery_count; i-- > 0;) {
        lv_value *m = lv_map_new();
        lv_map_set_str(m, "name", gallery[i].name);
        char src[80];
        snprintf(src, sizeof src, "/photos/image?name=%s", gallery[i].name);
        lv_map_set_str(m, "src", src);
        lv_list_push(list, m);
    }
    size_t count = gallery_count;
    pthread_mutex_unlock(&gallery_lock);
    lv_assign_value(socket, "gallery", list);
    lv_assign_int(socket, "photo_count", (int64_t)count);
}

static int photos_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    if (lv_connected(socket) && lv_subscribe(socket, PHOTOS_TOPIC) != 0) return -1;
    lv_upload_config photos = {
        .accept = ".png .jpg .jpeg .gif",
        .max_entries = 3,
        .max_file_size = PHOTO_MAX_BYTES,
    };
    if (lv_allow_upload(socket, "photos", &photos) != 0) return -1;
    lv_assign_str(socket, "notice", "");
    assign_gallery(socket);
    return 0;
}

static int photos_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "cancel") == 0) {
        lv_cancel_upload(socket, "photos", lv_param(value, "ref"));
        return 0;
    }
    if (strcmp(event, "save") == 0) {
        int saved = 0;
        lv_consume_uploaded_entries(socket, "photos", save_photo, &saved);
        if (saved == 0) return 0;
        lv_assign_printf(socket, "notice", "%d %s added.", saved, saved == 1 ? "photo" : "photos");
        assign_gallery(socket);
        return lv_broadcast(lv_socket_app(socket), PHOTOS_TOPIC, "added", NULL);
    }
    /* "validate" (phx-change): the library already recorded the files. */
    lv_assign_str(socket, "notice", "");
    return 0;
}

static int photos_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)payload;
    if (strcmp(name, "added") == 0) assign_gallery(socket);
    return 0;
}

const lv_view lv_example_photos = {
    .name = "photos",
    .template_file = "photos.html",
    .events = (const char *const[]){"validate", "save", "cancel", NULL},
    .mount = photos_mount,
    .handle_event = photos_event,
    .handle_info = photos_info,
};

/* GET /photos/image?name=...: a photo's bytes as they were uploaded. */
void lv_example_photo_image(lv_request *req)
{
    const char *name = lv_param(lv_request_params(req), "name");
    pthread_mutex_lock(&gallery_lock);
    for (size_t i = 0; name && i < gallery_count; i++) {
        if (strcmp(gallery[i].name, name) != 0) continue;
        lv_respond(req, 200, gallery[i].content_type, (const char *)gallery[i].bytes, gallery[i].len);
        pthread_mutex_unlock(&gallery_lock);
        return;
    }
    pthread_mutex_unlock(&gallery_lock);
    lv_respond(req, 404, "text/plain; charset=utf-8", "no such photo\n", 14);
}
