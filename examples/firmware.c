/* Firmware: one .bin file up to 16 MB, uploaded as soon as it is chosen
 * (auto_upload), with a progress bar; when every byte has arrived the view
 * consumes the file at once and shows its SHA-256, computed from the bytes
 * the server stored (docs/uploads.md). The file itself is then removed: a
 * device console would flash it here. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define FIRMWARE_MAX_BYTES (16 * 1024 * 1024)

/* The SHA-256 of a file as 64 hex digits into hex; false when unreadable. */
static bool sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    unsigned char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) ok = EVP_DigestUpdate(md, buf, n) == 1;
    ok = ok && !ferror(f);
    unsigned char digest[32];
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(md, digest, &len) == 1 && len == sizeof digest;
    EVP_MD_CTX_free(md);
    fclose(f);
    for (unsigned i = 0; ok && i < sizeof digest; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return ok;
}

static bool consume_firmware(lv_socket *socket, const lv_upload_entry *entry, void *ctx)
{
    (void)ctx;
    char hex[65];
    if (!sha256_file(entry->path, hex)) {
        lv_assign_str(socket, "sha256", "");
        lv_assign_str(socket, "status", "The file could not be read.");
        return false;
    }
    lv_assign_str(socket, "sha256", hex);
    lv_assign_str(socket, "firmware_name", entry->client_name);
    lv_assign_int(socket, "firmware_size", entry->client_size);
    lv_assign_str(socket, "status", "Received.");
    return false; /* the library removes the temp file */
}

/* Each acknowledged chunk moves the bar (an assign of its own, so it stays
 * at 100% once the entry is consumed); the last one finishes the file. */
static int firmware_progress(lv_socket *socket, const char *name, const lv_upload_entry *entry)
{
    lv_assign_int(socket, "percent", entry->progress);
    if (entry->done) lv_consume_uploaded_entries(socket, name, consume_firmware, NULL);
    return 0;
}

static int firmware_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_upload_config firmware = {
        .accept = ".bin",
        .max_entries = 1,
        .max_file_size = FIRMWARE_MAX_BYTES,
        .auto_upload = true,
        .progress = firmware_progress,
    };
    if (lv_allow_upload(socket, "firmware", &firmware) != 0) return -1;
    lv_assign_str(socket, "sha256", "");
    lv_assign_str(socket, "firmware_name", "");
    lv_assign_int(socket, "firmware_size", 0);
    lv_assign_str(socket, "status", "");
    lv_assign_int(socket, "percent", 0);
    lv_assign_bool(socket, "uploading", false);
    return 0;
}

static int firmware_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "cancel") == 0) {
        lv_cancel_upload(socket, "firmware", lv_param(value, "ref"));
        lv_assign_bool(socket, "uploading", false);
        lv_assign_str(socket, "status", "Cancelled.");
    } else if (strcmp(event, "validate") == 0) {
        /* A file was chosen: a fresh bar. */
        lv_assign_str(socket, "sha256", "");
        lv_assign_str(socket, "status", "");
        lv_assign_int(socket, "percent", 0);
        lv_assign_bool(socket, "uploading", true);
    }
    return 0;
}

const lv_view lv_example_firmware = {
    .name = "firmware",
    .template_file = "firmware.html",
    .events = (const char *const[]){"validate", "cancel", "noop", NULL},
    .mount = firmware_mount,
    .handle_event = firmware_event,
};
