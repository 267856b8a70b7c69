/* The upload helpers (docs/uploads.md): live_file_input and
 * live_img_preview render what the official client's upload hooks read, as
 * Phoenix's components of the same names do; upload_error_text says an
 * error code in words. They read the "uploads" assign that live/upload.c
 * keeps: {{live_file_input uploads.photos}}, {{live_img_preview entry}}. */
#include <string.h>

#include "render/builtins.h"
#include "render/escape.h"
#include "util/buf.h"
#include "util/value.h"

static const lv_value *field(const lv_value *map, const char *key)
{
    return map && map->kind == LV_VALUE_MAP ? lv_value_map_get(map, key, strlen(key)) : NULL;
}

static const char *text_field(const lv_value *map, const char *key)
{
    const lv_value *v = field(map, key);
    return v && v->kind == LV_VALUE_STRING ? v->as.s.ptr : NULL;
}

static bool true_field(const lv_value *map, const char *key)
{
    const lv_value *v = field(map, key);
    return v && v->kind == LV_VALUE_BOOL && v->as.b;
}

static void attr(lv_buf *out, const char *name, const char *text)
{
    lv_buf_putc(out, ' ');
    lv_buf_puts(out, name);
    lv_buf_puts(out, "=\"");
    lv_html_escape(out, text, strlen(text));
    lv_buf_putc(out, '"');
}

typedef enum { REFS_ALL, REFS_DONE, REFS_PREFLIGHTED, REFS_ERRORS } refs_kind;

/* The entry refs of an upload joined with ",", as the client splits them. */
static void refs_attr(lv_buf *out, const char *name, const lv_value *upload, refs_kind kind)
{
    lv_buf refs = LV_BUF_INIT;
    if (kind == REFS_ERRORS && lv_list_len(field(upload, "errors")) > 0) lv_buf_puts(&refs, text_field(upload, "ref"));
    const lv_value *entries = field(upload, "entries");
    for (size_t i = 0; i < lv_list_len(entries); i++) {
        const lv_value *e = lv_list_at(entries, i);
        bool listed = kind == REFS_ALL                ? true
                      : kind == REFS_DONE             ? true_field(e, "done")
                      : kind == REFS_PREFLIGHTED      ? true_field(e, "preflighted")
                                                      : lv_list_len(field(e, "errors")) > 0;
        const char *ref = text_field(e, "ref");
        if (!listed || !ref) continue;
        if (refs.len) lv_buf_putc(&refs, ',');
        lv_buf_puts(&refs, ref);
    }
    attr(out, name, refs.data ? refs.data : "");
    lv_buf_free(&refs);
}

static int emit(lv_helper_call *call, lv_buf *out, bool ok)
{
    if (ok) lv_helper_html(call, out->data ? out->data : "", out->len);
    lv_buf_free(out);
    return ok ? 0 : -1;
}

static const char *const file_input_reserved[] = {"id", "name", "type", "accept", "multiple", NULL};

/* {{live_file_input uploads.photos class="..."}}: the file input the
 * client's LiveFileUpload hook drives. The data-phx-*-refs attributes are
 * how the client learns which of its files the server knows, has
 * preflighted, has all the bytes of, or refused (docs/protocol.md §6). */
int lv_builtin_live_file_input(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *upload = lv_helper_arg(call, 0);
    const char *ref = text_field(upload, "ref"), *name = text_field(upload, "name");
    if (lv_helper_argc(call) != 1 || !ref || !name) return -1;
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<input");
    attr(&out, "id", ref);
    lv_buf_puts(&out, " type=\"file\"");
    attr(&out, "name", name);
    const char *accept = text_field(upload, "accept");
    if (accept && *accept) attr(&out, "accept", accept);
    lv_buf_puts(&out, " data-phx-hook=\"Phoenix.LiveFileUpload\"");
    attr(&out, "data-phx-upload-ref", ref);
    refs_attr(&out, "data-phx-active-refs", upload, REFS_ALL);
    refs_attr(&out, "data-phx-done-refs", upload, REFS_DONE);
    refs_attr(&out, "data-phx-preflighted-refs", upload, REFS_PREFLIGHTED);
    refs_attr(&out, "data-phx-error-refs", upload, REFS_ERRORS);
    if (true_field(upload, "auto_upload")) lv_buf_puts(&out, " data-phx-auto-upload");
    const lv_value *max = field(upload, "max_entries");
    if (max && max->kind == LV_VALUE_INT && max->as.i > 1) lv_buf_puts(&out, " multiple");
    bool ok = lv_builtin_append_attributes(call, &out, file_input_reserved);
    lv_buf_putc(&out, '>');
    return emit(call, &out, ok);
}

static const char *const preview_reserved[] = {"id", NULL};

/* {{live_img_preview entry width="75"}}: an <img> the client's
 * LiveImgPreview hook fills with the chosen file, before any upload. */
int lv_builtin_live_img_preview(lv_helper_call *call, void *user)
{
    (void)user;
    const lv_value *entry = lv_helper_arg(call, 0);
    const char *ref = text_field(entry, "ref"), *upload_ref = text_field(entry, "upload_ref");
    if (lv_helper_argc(call) != 1 || !ref || !upload_ref) return -1;
    lv_buf out = LV_BUF_INIT;
    lv_buf_puts(&out, "<img");
    const lv_value *id = lv_helper_named(call, "id");
    if (id && id->kind == LV_VALUE_STRING) {
        attr(&out, "id", id->as.s.ptr);
    } else {
        lv_buf_puts(&out, " id=\"phx-preview-");
        lv_html_escape(&out, ref, strlen(ref));
        lv_buf_putc(&out, '"');
    }
    attr(&out, "data-phx-upload-ref", upload_ref);
    attr(&out, "data-phx-entry-ref", ref);
    lv_buf_puts(&out, " data-phx-hook=\"Phoenix.LiveImgPreview\" data-phx-update=\"ignore\"");
    bool ok = lv_builtin_append_attributes(call, &out, preview_reserved);
    lv_buf_putc(&out, '>');
    return emit(call, &out, ok);
}

/* {{upload_error_text code}}: an upload error code in words (escaped);
 * an unknown code as it is. */
int lv_builtin_upload_error_text(lv_helper_call *call, void *user)
{
    (void)user;
    static const struct {
        const char *code, *text;
    } texts[] = {
        {"too_large", "the file is too large"},
        {"not_accepted", "this file type is not accepted"},
        {"too_many_files", "too many files selected"},
        {"external_client_failure", "the upload failed"},
        {"server_busy", "the server is busy with other uploads; try again later"},
        {"timeout", "the upload stalled and was stopped"},
        {"writer_error", "the server could not store the file"},
        {"incomplete", "the upload ended before the whole file arrived"},
    };
    const lv_value *code = lv_helper_arg(call, 0);
    if (lv_helper_argc(call) != 1 || !code || code->kind != LV_VALUE_STRING) return -1;
    const char *text = code->as.s.ptr;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(texts[i].code, code->as.s.ptr) == 0) text = texts[i].text;
    lv_helper_text(call, text, strlen(text));
    return 0;
}
