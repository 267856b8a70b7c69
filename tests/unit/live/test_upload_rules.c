/* The upload decisions (live/upload_rules.h): accept lists, entry checks and
 * the chunk check that cuts off a client lying about its size. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "live/upload_rules.h"

static lv_upload_accept parse_ok(const char *text)
{
    lv_upload_accept a;
    const char *why = "unset";
    cr_assert(lv_upload_accept_parse(text, &a, &why), "%s: %s", text, why);
    cr_assert_null(why);
    return a;
}

Test(upload_rules, accept_lists_parse_into_lower_case_items)
{
    lv_upload_accept a = parse_ok(" .PNG, .jpg image/* ,application/octet-stream");
    cr_assert_eq(a.count, 4);
    cr_expect_str_eq(a.items[0], ".png");
    cr_expect_str_eq(a.items[2], "image/*");
    char attr[LV_UPLOAD_MAX_ACCEPT_ITEMS * (LV_UPLOAD_MAX_ACCEPT_ITEM + 1)];
    lv_upload_accept_attr(&a, attr, sizeof attr);
    cr_expect_str_eq(attr, ".png,.jpg,image/*,application/octet-stream");
    cr_expect_eq(parse_ok(NULL).count, 0);
    cr_expect_eq(parse_ok("").count, 0);
}

Test(upload_rules, bad_accept_items_are_refused)
{
    const char *bad[] = {"png", ".", "image/", "/png", "*/*", "image/p*", "a/b/c", ".p<g", "image/png\"", "..png"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lv_upload_accept a;
        const char *why = NULL;
        cr_expect_not(lv_upload_accept_parse(bad[i], &a, &why), "%s", bad[i]);
        cr_expect_not_null(why);
    }
    char many[LV_UPLOAD_MAX_ACCEPT_ITEMS * 4 + 8] = "";
    for (int i = 0; i <= LV_UPLOAD_MAX_ACCEPT_ITEMS; i++) strcat(many, ".a ");
    lv_upload_accept a;
    const char *why;
    cr_expect_not(lv_upload_accept_parse(many, &a, &why));
}

Test(upload_rules, files_match_by_extension_type_or_wildcard)
{
    lv_upload_accept a = parse_ok(".png .jpg");
    cr_expect(lv_upload_accepts(&a, "cat.PNG", ""));
    cr_expect(lv_upload_accepts(&a, "a.b.jpg", "application/weird"));
    cr_expect_not(lv_upload_accepts(&a, "notes.txt", "text/plain"));
    cr_expect_not(lv_upload_accepts(&a, "png", "image/png"), "no extension, and the type is not listed");
    cr_expect_not(lv_upload_accepts(&a, ".png", ""), "a dot file has no extension");
    cr_expect_not(lv_upload_accepts(&a, "x.png/evil", ""), "the extension is the last segment's");

    lv_upload_accept w = parse_ok("image/*");
    cr_expect(lv_upload_accepts(&w, "x", "image/gif"));
    cr_expect(lv_upload_accepts(&w, "x", "IMAGE/PNG"));
    cr_expect_not(lv_upload_accepts(&w, "x", "image/"));
    cr_expect_not(lv_upload_accepts(&w, "x", "imagex/png"));
    cr_expect_not(lv_upload_accepts(&w, "x.png", "text/plain"));
    cr_expect_not(lv_upload_accepts(&w, "x", NULL));

    lv_upload_accept any = parse_ok(NULL);
    cr_expect(lv_upload_accepts(&any, NULL, NULL));
}

Test(upload_rules, entries_are_checked_for_size_then_type)
{
    lv_upload_accept a = parse_ok(".png");
    cr_expect_null(lv_upload_entry_error(&a, 100, "a.png", "image/png", 100));
    cr_expect_null(lv_upload_entry_error(&a, 100, "a.png", "image/png", 0));
    cr_expect_str_eq(lv_upload_entry_error(&a, 100, "a.png", "image/png", 101), LV_UPLOAD_TOO_LARGE);
    cr_expect_str_eq(lv_upload_entry_error(&a, 100, "a.png", "image/png", -1), LV_UPLOAD_TOO_LARGE);
    cr_expect_str_eq(lv_upload_entry_error(&a, 100, "a.txt", "text/plain", 5), LV_UPLOAD_NOT_ACCEPTED);
}

Test(upload_rules, chunks_stop_at_the_smaller_of_declared_size_and_limit)
{
    /* Within everything. */
    cr_expect_eq(lv_upload_chunk_check(0, 10, 30, 100, 10), LV_UPLOAD_CHUNK_OK);
    cr_expect_eq(lv_upload_chunk_check(20, 10, 30, 100, 10), LV_UPLOAD_CHUNK_OK);
    /* Larger than chunk_size. */
    cr_expect_eq(lv_upload_chunk_check(0, 11, 30, 100, 10), LV_UPLOAD_CHUNK_TOO_BIG);
    cr_expect_eq(lv_upload_chunk_check(0, SIZE_MAX, 30, 100, 10), LV_UPLOAD_CHUNK_TOO_BIG);
    /* A client that declared 30 bytes and sends a 31st. */
    cr_expect_eq(lv_upload_chunk_check(30, 1, 30, 100, 10), LV_UPLOAD_CHUNK_OVER_SIZE);
    cr_expect_eq(lv_upload_chunk_check(25, 6, 30, 100, 10), LV_UPLOAD_CHUNK_OVER_SIZE);
    /* A declared size over the limit (never preflighted, but still). */
    cr_expect_eq(lv_upload_chunk_check(95, 6, 1000, 100, 10), LV_UPLOAD_CHUNK_OVER_SIZE);
    cr_expect_eq(lv_upload_chunk_check(0, 0, 0, 100, 10), LV_UPLOAD_CHUNK_OK);
    cr_expect_eq(lv_upload_chunk_check(0, 1, -1, 100, 10), LV_UPLOAD_CHUNK_OVER_SIZE);
    cr_expect_eq(lv_upload_chunk_check(INT64_MAX, 1, INT64_MAX, INT64_MAX, 10), LV_UPLOAD_CHUNK_OVER_SIZE);
}

Test(upload_rules, refs_are_short_and_plain)
{
    cr_expect(lv_upload_ref_ok("0"));
    cr_expect(lv_upload_ref_ok("phx-F1a_b"));
    cr_expect_not(lv_upload_ref_ok(""));
    cr_expect_not(lv_upload_ref_ok(NULL));
    cr_expect_not(lv_upload_ref_ok("a/b"));
    cr_expect_not(lv_upload_ref_ok("../x"));
    cr_expect_not(lv_upload_ref_ok("123456789012345678901234567890123"));
}
