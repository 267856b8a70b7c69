/* Revoked sessions: the bounded store that lets a signed session cookie be
 * ended before it expires (logout, "log out everywhere").
 *
 * A session cookie is a signed token, valid by itself until its exp; the
 * server keeps no list of live sessions. To end one early the server keeps
 * a list of what is no longer valid instead, in two kinds of entry:
 *   - a session id ("_sid" in the session): that one session, every copy of
 *     its cookie (logout);
 *   - a subject, a session key and its value such as user=alice: every
 *     session holding it that was created before the entry (log out
 *     everywhere).
 * An entry is dropped once every cookie it could refuse has expired (its
 * expires_at). The store holds at most `capacity` entries: when full, the
 * oldest entry is dropped and its time becomes a floor under which every
 * session created is refused, so the store never forgets a revocation; it
 * signs out more sessions than asked instead (fail closed). Times are
 * milliseconds (creation, revocation) and seconds (expiry) since 1970.
 *
 * Thread-safe: every loop of the app checks and adds under one lock. Pure
 * decision code: no clock, no I/O. */
#ifndef LV_SECURITY_REVOCATION_H
#define LV_SECURITY_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lv_revocations lv_revocations;

typedef enum lv_revocation_kind {
    LV_REVOKE_SESSION = 0, /* key: a session id */
    LV_REVOKE_SUBJECT = 1, /* key: lv_revocation_subject(name, value) */
} lv_revocation_kind;

/* A new, empty store of at most capacity entries (at least 1). The caller
 * frees it with lv_revocations_free. */
lv_revocations *lv_revocations_new(size_t capacity);
void lv_revocations_free(lv_revocations *r);

/* Records a revocation made at at_ms that matters until expires_at (the
 * latest exp of a cookie it could refuse), dropping expired entries first
 * (now: seconds). A key already present keeps the later of the two times.
 * Returns false for a NULL or empty key or an entry already expired. */
bool lv_revocations_add(lv_revocations *r, lv_revocation_kind kind, const char *key, int64_t at_ms,
                        int64_t expires_at, int64_t now);

/* Whether a session is refused: its id is revoked, it was created
 * (created_ms) at or before the floor, or one of its subjects (count keys
 * made by lv_revocation_subject) was revoked after it was created. A
 * session with no id or creation time (created_ms < 0) is refused once any
 * subject of it is revoked or the floor is above 0. */
bool lv_revocations_refuse(lv_revocations *r, const char *sid, int64_t created_ms,
                           const char *const *subjects, size_t count);

/* The key of the subject name=value: a malloc'd string the caller frees. */
char *lv_revocation_subject(const char *name, const char *value);

/* Entries held, and the floor (0 until the store overflowed): for tests and
 * the log. */
size_t lv_revocations_count(lv_revocations *r);
int64_t lv_revocations_floor_ms(lv_revocations *r);

#endif
