/* The bounded store of revoked sessions: ids, subjects, expiry, and the
 * floor that keeps an overflow from forgetting a revocation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "security/revocation.h"

#define NOW 1700000000       /* seconds */
#define NOW_MS 1700000000000 /* the same moment in ms */
#define TTL 3600

Test(revocation, a_revoked_session_id_is_refused_and_others_are_not)
{
    lv_revocations *r = lv_revocations_new(8);
    cr_assert(lv_revocations_add(r, LV_REVOKE_SESSION, "sid-a", NOW_MS, NOW + TTL, NOW));
    cr_expect(lv_revocations_refuse(r, "sid-a", NOW_MS - 5000, NULL, 0));
    cr_expect_not(lv_revocations_refuse(r, "sid-b", NOW_MS - 5000, NULL, 0));
    cr_expect_not(lv_revocations_refuse(r, NULL, NOW_MS - 5000, NULL, 0));
    cr_expect_eq(lv_revocations_count(r), 1);
    lv_revocations_free(r);
}

Test(revocation, a_subject_ends_the_sessions_created_before_it_only)
{
    lv_revocations *r = lv_revocations_new(8);
    char *alice = lv_revocation_subject("user", "alice");
    char *bob = lv_revocation_subject("user", "bob");
    cr_assert(lv_revocations_add(r, LV_REVOKE_SUBJECT, alice, NOW_MS, NOW + TTL, NOW));
    const char *alice_s[] = {alice}, *bob_s[] = {bob};
    cr_expect(lv_revocations_refuse(r, "s1", NOW_MS - 1, alice_s, 1), "an older session of alice");
    cr_expect_not(lv_revocations_refuse(r, "s2", NOW_MS + 1, alice_s, 1), "alice signed in again");
    cr_expect_not(lv_revocations_refuse(r, "s3", NOW_MS - 1, bob_s, 1), "bob is not alice");
    cr_expect(lv_revocations_refuse(r, NULL, -1, alice_s, 1), "no creation time: refused");
    free(alice);
    free(bob);
    lv_revocations_free(r);
}

Test(revocation, subject_keys_cannot_be_confused)
{
    char *a = lv_revocation_subject("a=b", "c");
    char *b = lv_revocation_subject("a", "b=c");
    cr_expect_str_neq(a, b);
    free(a);
    free(b);
}

Test(revocation, entries_expire_with_the_cookies_they_refuse)
{
    lv_revocations *r = lv_revocations_new(8);
    cr_assert(lv_revocations_add(r, LV_REVOKE_SESSION, "old", NOW_MS, NOW + 10, NOW));
    cr_assert_not(lv_revocations_add(r, LV_REVOKE_SESSION, "gone", NOW_MS, NOW, NOW), "already expired");
    cr_assert(lv_revocations_add(r, LV_REVOKE_SESSION, "new", NOW_MS, NOW + TTL + 20, NOW + 20));
    cr_expect_eq(lv_revocations_count(r), 1, "the expired entry was dropped");
    cr_expect_not(lv_revocations_refuse(r, "old", NOW_MS - 1, NULL, 0));
    cr_expect_eq(lv_revocations_floor_ms(r), 0, "dropped for age, not for room");
    lv_revocations_free(r);
}

Test(revocation, a_full_store_fails_closed_with_a_floor)
{
    lv_revocations *r = lv_revocations_new(3);
    char sid[16];
    for (int i = 0; i < 5; i++) {
        snprintf(sid, sizeof sid, "sid-%d", i);
        cr_assert(lv_revocations_add(r, LV_REVOKE_SESSION, sid, NOW_MS + i, NOW + TTL, NOW));
    }
    cr_expect_eq(lv_revocations_count(r), 3);
    cr_expect_eq(lv_revocations_floor_ms(r), NOW_MS + 1, "the newest dropped entry's time");
    /* sid-0 and sid-1 were dropped, yet stay refused: created before the floor. */
    cr_expect(lv_revocations_refuse(r, "sid-0", NOW_MS - 100, NULL, 0));
    cr_expect(lv_revocations_refuse(r, "sid-1", NOW_MS, NULL, 0));
    cr_expect(lv_revocations_refuse(r, "sid-4", NOW_MS + 500, NULL, 0));
    cr_expect(lv_revocations_refuse(r, "innocent", NOW_MS, NULL, 0), "fail closed: an older session ends too");
    cr_expect_not(lv_revocations_refuse(r, "innocent", NOW_MS + 2, NULL, 0));
    lv_revocations_free(r);
}

Test(revocation, many_adds_and_expiries_keep_the_index_consistent)
{
    lv_revocations *r = lv_revocations_new(64);
    char sid[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(sid, sizeof sid, "sid-%d", i);
        cr_assert(lv_revocations_add(r, LV_REVOKE_SESSION, sid, NOW_MS + i, NOW + i + 50, NOW + i));
        cr_assert(lv_revocations_refuse(r, sid, NOW_MS + i + 1000, NULL, 0), "%s just added", sid);
    }
    cr_expect_eq(lv_revocations_count(r), 50, "those of the last 50 s");
    cr_expect_eq(lv_revocations_floor_ms(r), 0, "never full");
    cr_expect_not(lv_revocations_refuse(r, "sid-10", NOW_MS + 100000, NULL, 0));
    cr_expect(lv_revocations_refuse(r, "sid-4999", NOW_MS + 100000, NULL, 0));
    lv_revocations_free(r);
}

Test(revocation, adding_again_keeps_one_entry)
{
    lv_revocations *r = lv_revocations_new(4);
    cr_assert(lv_revocations_add(r, LV_REVOKE_SUBJECT, "4:user=al", NOW_MS, NOW + TTL, NOW));
    cr_assert(lv_revocations_add(r, LV_REVOKE_SUBJECT, "4:user=al", NOW_MS + 9000, NOW + TTL, NOW));
    cr_expect_eq(lv_revocations_count(r), 1);
    const char *s[] = {"4:user=al"};
    cr_expect(lv_revocations_refuse(r, NULL, NOW_MS + 5000, s, 1), "the later time counts");
    cr_expect_not(lv_revocations_add(r, LV_REVOKE_SESSION, "", NOW_MS, NOW + TTL, NOW));
    cr_expect_not(lv_revocations_add(r, LV_REVOKE_SESSION, NULL, NOW_MS, NOW + TTL, NOW));
    lv_revocations_free(r);
}
