/* The firmware example (examples/firmware.c): one .bin, uploaded at once,
 * its SHA-256 computed from the bytes the server stored. */
#include "examples_app.h"

TestSuite(firmware, .init = examples_setup, .fini = examples_teardown);

Test(firmware, shows_the_sha256_of_the_bytes_received)
{
    lv_test_view *v = live("/firmware");
    assert_html_has(v, "data-phx-auto-upload");
    assert_html_has(v, "accept=\".bin\"");
    assert_html_lacks(v, " multiple");
    cr_assert_eq(lv_test_upload(v, "firmware", "fw.bin", "application/octet-stream", "abc", 3), 0, "%s",
                 lv_test_error(v));
    /* SHA-256("abc") */
    assert_html_has(v, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_html_has(v, "<dd id=\"firmware-name\">fw.bin</dd>");
    assert_html_has(v, "value=\"100\"");
}

Test(firmware, refuses_other_files_and_large_ones)
{
    lv_test_view *v = live("/firmware");
    cr_assert_eq(lv_test_upload(v, "firmware", "fw.hex", "text/plain", "abc", 3), -1);
    cr_assert_str_eq(lv_test_error(v), "not_accepted");
    static char big[16 * 1024 * 1024 + 1];
    cr_assert_eq(lv_test_upload(v, "firmware", "fw.bin", "", big, sizeof big), -1);
    cr_assert_str_eq(lv_test_error(v), "too_large");
    assert_html_lacks(v, "id=\"sha256\"");
}

Test(firmware, a_stalled_upload_stops_after_chunk_timeout)
{
    lv_test_view *v = live("/firmware");
    static char image[200000];
    cr_assert_eq(lv_test_upload_partial(v, "firmware", "fw.bin", "", image, sizeof image, 64000), 0, "%s",
                 lv_test_error(v));
    assert_html_has(v, "value=\"32\"");
    assert_html_lacks(v, "the upload stalled");
    cr_assert_eq(lv_test_advance(t, 9999), 0);
    assert_html_lacks(v, "the upload stalled");
    cr_assert_eq(lv_test_advance(t, 1), 1);
    assert_html_has(v, "the upload stalled and was stopped");
    assert_html_lacks(v, "id=\"sha256\"");
}

Test(firmware, a_cancelled_upload_goes)
{
    lv_test_view *v = live("/firmware");
    static char image[200000];
    cr_assert_eq(lv_test_upload_partial(v, "firmware", "fw.bin", "", image, sizeof image, 64000), 0);
    const char *at = strstr(lv_test_html(v), "id=\"firmware-entry-");
    cr_assert_not_null(at);
    char ref[32] = "";
    sscanf(at, "id=\"firmware-entry-%31[^\"]", ref);
    lv_value *value = lv_map_new();
    lv_map_set_str(value, "ref", ref);
    cr_assert_eq(lv_test_click(v, "cancel", value), 0);
    lv_value_delete(value);
    assert_html_lacks(v, "firmware-entry-");
    assert_html_has(v, "Cancelled.");
    /* No timer is left to fire on a cancelled upload. */
    cr_assert_eq(lv_test_advance(t, 20000), 0);
}
