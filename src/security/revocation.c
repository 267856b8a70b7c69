#include "security/revocation.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

/* Entries live in a ring in the order they were added (the oldest is the
 * first to expire and the one dropped when full); an open-addressing index
 * finds them by key. */
typedef struct entry {
    char *key; /* NULL: a free ring slot */
    lv_revocation_kind kind;
    int64_t at_ms;
    int64_t expires_at;
} entry;

#define SLOT_EMPTY 0u
#define SLOT_DELETED UINT32_MAX

struct lv_revocations {
    pthread_mutex_t lock;
    entry *ring;
    size_t capacity, head, count;
    uint32_t *slots; /* entry index + 1, SLOT_EMPTY or SLOT_DELETED */
    size_t slot_count, deleted;
    int64_t floor_ms;
};

static uint64_t hash_key(lv_revocation_kind kind, const char *key)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)kind; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h;
}

lv_revocations *lv_revocations_new(size_t capacity)
{
    if (capacity < 1) capacity = 1;
    lv_revocations *r = lv_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->capacity = capacity;
    r->ring = lv_xcalloc(capacity, sizeof *r->ring);
    /* At most half full, so probes stay short. */
    r->slot_count = 4;
    while (r->slot_count < capacity * 2) r->slot_count *= 2;
    r->slots = lv_xcalloc(r->slot_count, sizeof *r->slots);
    return r;
}

void lv_revocations_free(lv_revocations *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->capacity; i++) free(r->ring[i].key);
    free(r->ring);
    free(r->slots);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* The slot holding kind/key, or the first free one on its probe path when
 * absent (*found false). */
static size_t find_slot(const lv_revocations *r, lv_revocation_kind kind, const char *key, bool *found)
{
    size_t mask = r->slot_count - 1;
    size_t i = (size_t)hash_key(kind, key) & mask;
    size_t free_slot = SIZE_MAX;
    for (;;) {
        uint32_t s = r->slots[i];
        if (s == SLOT_EMPTY) {
            *found = false;
            return free_slot != SIZE_MAX ? free_slot : i;
        }
        if (s == SLOT_DELETED) {
            if (free_slot == SIZE_MAX) free_slot = i;
        } else {
            const entry *e = &r->ring[s - 1];
            if (e->kind == kind && strcmp(e->key, key) == 0) {
                *found = true;
                return i;
            }
        }
        i = (i + 1) & mask;
    }
}

static void rebuild_index(lv_revocations *r)
{
    memset(r->slots, 0, r->slot_count * sizeof *r->slots);
    r->deleted = 0;
    for (size_t n = 0; n < r->count; n++) {
        size_t at = (r->head + n) % r->capacity;
        bool found;
        size_t slot = find_slot(r, r->ring[at].kind, r->ring[at].key, &found);
        r->slots[slot] = (uint32_t)at + 1;
    }
}

/* Drops the oldest entry; its time becomes the floor when it had not
 * expired (dropped for room, not for age). */
static void drop_oldest(lv_revocations *r, bool for_room)
{
    entry *e = &r->ring[r->head];
    bool found;
    size_t slot = find_slot(r, e->kind, e->key, &found);
    if (found) {
        r->slots[slot] = SLOT_DELETED;
        r->deleted++;
    }
    if (for_room && e->at_ms > r->floor_ms) r->floor_ms = e->at_ms;
    free(e->key);
    *e = (entry){0};
    r->head = (r->head + 1) % r->capacity;
    r->count--;
    if (r->deleted > r->slot_count / 4) rebuild_index(r);
}

bool lv_revocations_add(lv_revocations *r, lv_revocation_kind kind, const char *key, int64_t at_ms,
                        int64_t expires_at, int64_t now)
{
    if (!r || !key || !*key || expires_at <= now) return false;
    pthread_mutex_lock(&r->lock);
    /* Entries were added roughly in expiry order: the expired ones are at
     * the head. One that outlives those before it waits its turn. */
    while (r->count > 0 && r->ring[r->head].expires_at <= now) drop_oldest(r, false);
    bool found;
    size_t slot = find_slot(r, kind, key, &found);
    if (found) {
        entry *e = &r->ring[r->slots[slot] - 1];
        if (at_ms > e->at_ms) e->at_ms = at_ms;
        if (expires_at > e->expires_at) e->expires_at = expires_at;
        pthread_mutex_unlock(&r->lock);
        return true;
    }
    if (r->count == r->capacity) {
        drop_oldest(r, true);
        slot = find_slot(r, kind, key, &found);
    }
    size_t at = (r->head + r->count) % r->capacity;
    r->ring[at] = (entry){lv_xstrdup(key), kind, at_ms, expires_at};
    if (r->slots[slot] == SLOT_DELETED) r->deleted--;
    r->slots[slot] = (uint32_t)at + 1;
    r->count++;
    pthread_mutex_unlock(&r->lock);
    return true;
}

bool lv_revocations_refuse(lv_revocations *r, const char *sid, int64_t created_ms,
                           const char *const *subjects, size_t count)
{
    if (!r) return false;
    pthread_mutex_lock(&r->lock);
    bool refused = r->floor_ms > 0 && created_ms <= r->floor_ms;
    bool found;
    if (!refused && sid && *sid) {
        find_slot(r, LV_REVOKE_SESSION, sid, &found);
        refused = found;
    }
    for (size_t i = 0; !refused && i < count; i++) {
        size_t slot = find_slot(r, LV_REVOKE_SUBJECT, subjects[i], &found);
        /* Created before the revocation (or at the same millisecond, which
         * the session that revoked cannot be: it is cleared after). */
        refused = found && (created_ms < 0 || created_ms < r->ring[r->slots[slot] - 1].at_ms);
    }
    pthread_mutex_unlock(&r->lock);
    return refused;
}

char *lv_revocation_subject(const char *name, const char *value)
{
    /* The length of the name first, so "a=b" + "c" and "a" + "b=c" differ. */
    lv_buf b = LV_BUF_INIT;
    lv_buf_printf(&b, "%zu:%s=%s", strlen(name), name, value);
    return lv_buf_take(&b);
}

size_t lv_revocations_count(lv_revocations *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->count;
    pthread_mutex_unlock(&r->lock);
    return n;
}

int64_t lv_revocations_floor_ms(lv_revocations *r)
{
    pthread_mutex_lock(&r->lock);
    int64_t f = r->floor_ms;
    pthread_mutex_unlock(&r->lock);
    return f;
}
