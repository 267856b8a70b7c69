/* The photos example (examples/photos.c): uploads checked, consumed into a
 * gallery served byte for byte, and shared over pub/sub. */
#include <stdlib.h>

#include "examples_app.h"

TestSuite(photos, .init = examples_setup, .fini = examples_teardown);

static const char png_bytes[] = "\x89PNG\r\n\x1a\n-not-really-a-png-but-bytes-are-bytes\x00\x01\xff";
#define PNG_LEN (sizeof png_bytes - 1)

/* The src of the first photo in the gallery (the caller frees it). */
static char *first_src(lv_test_view *v)
{
    const char *at = strstr(lv_test_html(v), "src=\"/photos/image?name=");
    cr_assert_not_null(at, "%s", lv_test_html(v));
    at += 5;
    size_t n = strcspn(at, "\"");
    char *src = malloc(n + 1);
    memcpy(src, at, n);
    src[n] = '\0';
    return src;
}

Test(photos, an_upload_reaches_every_gallery_with_its_exact_bytes)
{
    lv_test_view *a = live("/photos");
    lv_test_view *b = live("/photos");
    assert_html_has(a, "data-phx-hook=\"Phoenix.LiveFileUpload\"");
    assert_html_has(a, "accept=\".png,.jpg,.jpeg,.gif\"");
    assert_html_has(a, " multiple>");
    cr_assert_eq(lv_test_upload(a, "photos", "cat.png", "image/png", png_bytes, PNG_LEN), 0, "%s", lv_test_error(a));
    /* Chosen and uploaded, not yet saved: a preview, the progress at 100. */
    assert_html_has(a, "data-phx-hook=\"Phoenix.LiveImgPreview\"");
    assert_html_has(a, "<span class=\"name\">cat.png</span>");
    assert_html_has(a, "<progress value=\"100\"");
    assert_html_has(a, "data-phx-done-refs=\"");
    assert_html_has(b, ">0 photos<");
    cr_assert_eq(lv_test_submit(a, "save", ""), 0, "%s", lv_test_error(a));
    assert_html_has(a, "1 photo added.");
    assert_html_has(b, ">1 photo<");
    assert_html_lacks(a, "cat.png");
    char *src = first_src(b);
    cr_assert_eq(lv_test_get(t, src), 200);
    cr_assert_eq(memcmp(lv_test_body(t), png_bytes, PNG_LEN), 0);
    cr_assert(strstr(src, "cat") == NULL, "the server names the file: %s", src);
    free(src);
}

Test(photos, refused_files_say_why_and_are_never_saved)
{
    lv_test_view *v = live("/photos");
    cr_assert_eq(lv_test_upload(v, "photos", "notes.txt", "text/plain", "hello", 5), -1);
    cr_assert_str_eq(lv_test_error(v), "not_accepted");
    assert_html_has(v, "this file type is not accepted");
    cr_assert_eq(lv_test_submit(v, "save", ""), 0);
    assert_html_has(v, ">0 photos<");

    static char big[5 * 1024 * 1024 + 1];
    lv_test_view *w = live("/photos");
    cr_assert_eq(lv_test_upload(w, "photos", "big.png", "image/png", big, sizeof big), -1);
    cr_assert_str_eq(lv_test_error(w), "too_large");
    assert_html_has(w, "the file is too large");
    assert_html_has(w, "data-phx-error-refs=\"");
    assert_html_lacks(w, "data-phx-error-refs=\"\"");
}

Test(photos, a_fourth_file_is_too_many_until_one_is_cancelled)
{
    lv_test_view *v = live("/photos");
    const char *names[] = {"1.png", "2.png", "3.png"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(lv_test_upload(v, "photos", names[i], "image/png", png_bytes, PNG_LEN), 0, "%s", lv_test_error(v));
    cr_assert_eq(lv_test_upload(v, "photos", "4.png", "image/png", png_bytes, PNG_LEN), -1);
    cr_assert_str_eq(lv_test_error(v), "too_many_files");
    assert_html_has(v, "too many files selected");
    /* Cancel the fourth: the error goes, the three are saved. */
    const char *fourth = strstr(lv_test_html(v), "<li id=\"entry-");
    for (int i = 0; i < 3 && fourth; i++) fourth = strstr(fourth + 1, "<li id=\"entry-");
    cr_assert_not_null(fourth);
    char ref[32] = "";
    sscanf(fourth, "<li id=\"entry-%31[^\"]", ref);
    lv_value *value = lv_map_new();
    lv_map_set_str(value, "ref", ref);
    cr_assert_eq(lv_test_click(v, "cancel", value), 0);
    lv_value_delete(value);
    assert_html_lacks(v, "too many files selected");
    cr_assert_eq(lv_test_submit(v, "save", ""), 0);
    assert_html_has(v, "3 photos added.");
}
