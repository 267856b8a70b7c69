/* The presence state machine (live/presence.h): this node's tracked
 * presences, what it knows of the other nodes', and the messages that keep
 * them in step. Pure: values in, diffs and messages out; time is a tick
 * counter advanced by lv_presence_state_tick. The caller holds the lock. */
#include <stdlib.h>
#include <string.h>

#include "live/presence.h"
#include "util/buf.h"
#include "util/random.h"
#include "util/value_json.h"

#define REF_BYTES 9       /* 72 random bits, 12 base64url characters */
#define MAX_NODE_ID 64    /* a longer node id is not ours: ignored */

typedef struct entry {
    char *topic;
    char *key;
    char *ref;          /* the meta's "phx_ref", owned */
    lv_value meta;      /* a MAP holding phx_ref */
    const void *owner;  /* local entries: the view that tracks; NULL for remote */
} entry;

typedef struct node {
    char *id;
    uint64_t vsn;          /* the last change applied */
    uint64_t heard_tick;   /* when it was last heard from */
    uint64_t asked_tick;   /* when its state was last asked for */
    bool asked;
    entry *entries;
    size_t count, cap;
} node;

struct lv_presence_state {
    node local;
    node *remotes;
    size_t remote_count;
    uint64_t tick;
    unsigned expiry_beats;
};

void lv_presence_out_init(lv_presence_out *out)
{
    out->diffs = lv_value_map();
    out->messages = lv_value_list();
}

void lv_presence_out_free(lv_presence_out *out)
{
    lv_value_free(&out->diffs);
    lv_value_free(&out->messages);
}

/* ---- entries ---- */

static void entry_free(entry *e)
{
    free(e->topic);
    free(e->key);
    free(e->ref);
    lv_value_free(&e->meta);
}

static void node_free(node *n)
{
    for (size_t i = 0; i < n->count; i++) entry_free(&n->entries[i]);
    free(n->entries);
    free(n->id);
}

/* Appends an entry taking meta (a MAP whose "phx_ref" is a string). */
static entry *node_add(node *n, const char *topic, const char *key, lv_value meta, const void *owner)
{
    if (n->count == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 8;
        n->entries = lv_xrealloc(n->entries, n->cap * sizeof *n->entries);
    }
    entry *e = &n->entries[n->count++];
    e->topic = lv_xstrdup(topic);
    e->key = lv_xstrdup(key);
    e->ref = lv_xstrdup(lv_value_str_at(&meta, "phx_ref"));
    e->meta = meta;
    e->owner = owner;
    return e;
}

/* Removes entry i, keeping the order of the others (lists stay stable). */
static void node_remove(node *n, size_t i)
{
    entry_free(&n->entries[i]);
    memmove(&n->entries[i], &n->entries[i + 1], (n->count - i - 1) * sizeof *n->entries);
    n->count--;
}

static long node_find_ref(const node *n, const char *topic, const char *ref)
{
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->entries[i].ref, ref) == 0 && strcmp(n->entries[i].topic, topic) == 0) return (long)i;
    return -1;
}

static long node_find_owned(const node *n, const void *owner, const char *topic, const char *key)
{
    for (size_t i = 0; i < n->count; i++) {
        const entry *e = &n->entries[i];
        if (e->owner == owner && strcmp(e->topic, topic) == 0 && strcmp(e->key, key) == 0) return (long)i;
    }
    return -1;
}

/* ---- building values ---- */

/* The value at key of a MAP we own, created as an empty MAP when absent. */
static lv_value *child_map(lv_value *map, const char *key)
{
    const lv_value *v = lv_value_map_get(map, key, strlen(key));
    if (!v) {
        lv_value_map_set(map, key, lv_value_map());
        v = lv_value_map_get(map, key, strlen(key));
    }
    return (lv_value *)v;
}

/* Adds meta (cloned) to presences {key:{"metas":[..]}}. */
static void presences_add(lv_value *presences, const char *key, const lv_value *meta)
{
    lv_value *p = child_map(presences, key);
    const lv_value *metas = lv_value_map_get(p, "metas", 5);
    if (!metas) {
        lv_value_map_set(p, "metas", lv_value_list());
        metas = lv_value_map_get(p, "metas", 5);
    }
    lv_value_list_push((lv_value *)metas, lv_value_clone(meta));
}

/* Records a join or a leave ("joins"/"leaves") of e in out's diffs. */
static void diff_add(lv_presence_out *out, const char *side, const entry *e)
{
    lv_value *d = child_map(&out->diffs, e->topic);
    /* Both sides exist in every diff, as in Phoenix's presence_diff. */
    child_map(d, "joins");
    child_map(d, "leaves");
    presences_add(child_map(d, side), e->key, &e->meta);
}

static lv_value message_of(const lv_presence_state *st, const char *kind)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "kind", lv_value_string(kind, strlen(kind)));
    lv_value_map_set(&m, "node", lv_value_string(st->local.id, strlen(st->local.id)));
    return m;
}

/* A local change (its diffs) goes to the other nodes as one delta, with the
 * next version. */
static void publish_delta(lv_presence_state *st, lv_presence_out *out, const lv_value *diffs)
{
    lv_value m = message_of(st, "delta");
    lv_value_map_set(&m, "vsn", lv_value_int((int64_t)++st->local.vsn));
    lv_value_map_set(&m, "diffs", lv_value_clone(diffs));
    lv_value_list_push(&out->messages, m);
}

/* Adds the joins and leaves of diffs (a local change) to out's. */
static void merge_diffs(lv_presence_out *out, const lv_value *diffs)
{
    for (size_t i = 0; diffs->kind == LV_VALUE_MAP && diffs->as.map && i < diffs->as.map->count; i++) {
        const lv_map_entry *t = &diffs->as.map->entries[i];
        lv_value *d = child_map(&out->diffs, t->key);
        static const char *const sides[] = {"joins", "leaves"};
        for (size_t s = 0; s < 2; s++) {
            lv_value *into = child_map(d, sides[s]);
            const lv_value *from = lv_value_map_get(&t->value, sides[s], strlen(sides[s]));
            for (size_t k = 0; from && from->as.map && k < from->as.map->count; k++) {
                const lv_map_entry *p = &from->as.map->entries[k];
                const lv_value *metas = lv_value_map_get(&p->value, "metas", 5);
                for (size_t j = 0; metas && metas->as.list && j < metas->as.list->count; j++)
                    presences_add(into, p->key, &metas->as.list->items[j]);
            }
        }
    }
}

/* ---- the public state ---- */

lv_presence_state *lv_presence_state_new(const char *node_id, unsigned expiry_beats)
{
    lv_presence_state *st = lv_xcalloc(1, sizeof *st);
    st->local.id = lv_xstrdup(node_id);
    st->expiry_beats = expiry_beats ? expiry_beats : 1;
    return st;
}

void lv_presence_state_free(lv_presence_state *st)
{
    if (!st) return;
    node_free(&st->local);
    for (size_t i = 0; i < st->remote_count; i++) node_free(&st->remotes[i]);
    free(st->remotes);
    free(st);
}

const char *lv_presence_state_node(const lv_presence_state *st)
{
    return st->local.id;
}

bool lv_presence_state_busy(const lv_presence_state *st)
{
    return st->local.count > 0 || st->remote_count > 0;
}

static lv_value fresh_meta(const lv_value *meta)
{
    lv_value m = meta && meta->kind == LV_VALUE_MAP ? lv_value_clone(meta) : lv_value_map();
    char ref[16];
    lv_random_id(ref, REF_BYTES);
    lv_value_map_set(&m, "phx_ref", lv_value_string(ref, strlen(ref)));
    return m;
}

void lv_presence_state_track(lv_presence_state *st, const void *owner, const char *topic,
                             const char *key, const lv_value *meta, lv_presence_out *out)
{
    lv_presence_out mine;
    lv_presence_out_init(&mine);
    lv_value m = fresh_meta(meta);
    long i = node_find_owned(&st->local, owner, topic, key);
    if (i >= 0) {
        /* An update is a leave of the old meta and a join of the new one,
         * which names the old ref (Phoenix.Tracker.update/4). */
        entry *old = &st->local.entries[i];
        lv_value_map_set(&m, "phx_ref_prev", lv_value_string(old->ref, strlen(old->ref)));
        diff_add(&mine, "leaves", old);
        node_remove(&st->local, (size_t)i);
    }
    diff_add(&mine, "joins", node_add(&st->local, topic, key, m, owner));
    publish_delta(st, out, &mine.diffs);
    merge_diffs(out, &mine.diffs);
    lv_presence_out_free(&mine);
}

bool lv_presence_state_tracks(const lv_presence_state *st, const void *owner, const char *topic,
                              const char *key)
{
    return node_find_owned(&st->local, owner, topic, key) >= 0;
}

void lv_presence_state_untrack(lv_presence_state *st, const void *owner, const char *topic,
                               const char *key, lv_presence_out *out)
{
    lv_presence_out mine;
    lv_presence_out_init(&mine);
    for (size_t i = 0; i < st->local.count;) {
        entry *e = &st->local.entries[i];
        bool match = e->owner == owner &&
                     (!topic || (strcmp(e->topic, topic) == 0 && key && strcmp(e->key, key) == 0));
        if (!match) {
            i++;
            continue;
        }
        diff_add(&mine, "leaves", e);
        node_remove(&st->local, i);
    }
    if (mine.diffs.as.map) {
        publish_delta(st, out, &mine.diffs);
        merge_diffs(out, &mine.diffs);
    }
    lv_presence_out_free(&mine);
}

static void list_node(lv_value *list, const node *n, const char *topic)
{
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->entries[i].topic, topic) == 0) presences_add(list, n->entries[i].key, &n->entries[i].meta);
}

lv_value lv_presence_state_list(const lv_presence_state *st, const char *topic)
{
    lv_value list = lv_value_map();
    list_node(&list, &st->local, topic);
    for (size_t i = 0; i < st->remote_count; i++) list_node(&list, &st->remotes[i], topic);
    return list;
}

/* ---- other nodes ---- */

static node *find_remote(lv_presence_state *st, const char *id)
{
    for (size_t i = 0; i < st->remote_count; i++)
        if (strcmp(st->remotes[i].id, id) == 0) return &st->remotes[i];
    return NULL;
}

static node *remote_of(lv_presence_state *st, const char *id)
{
    node *n = find_remote(st, id);
    if (n) return n;
    st->remotes = lv_xrealloc(st->remotes, (st->remote_count + 1) * sizeof *st->remotes);
    n = &st->remotes[st->remote_count++];
    *n = (node){.id = lv_xstrdup(id), .heard_tick = st->tick};
    return n;
}

/* Asks node n for its state, at most once a tick. */
static void ask(lv_presence_state *st, node *n, lv_presence_out *out)
{
    if (n->asked && n->asked_tick == st->tick) return;
    n->asked = true;
    n->asked_tick = st->tick;
    lv_value m = message_of(st, "sync");
    lv_value_map_set(&m, "to", lv_value_string(n->id, strlen(n->id)));
    lv_value_list_push(&out->messages, m);
}

void lv_presence_state_ask_all(lv_presence_state *st, lv_presence_out *out)
{
    lv_value m = message_of(st, "sync");
    lv_value_map_set(&m, "to", lv_value_string("*", 1));
    lv_value_list_push(&out->messages, m);
}

/* {key:{"metas":[{"phx_ref":"..",..},..]},..}: what a join, a leave or a
 * state carries. */
static bool valid_presences(const lv_value *v)
{
    if (!v || v->kind != LV_VALUE_MAP) return false;
    for (size_t i = 0; v->as.map && i < v->as.map->count; i++) {
        const lv_value *metas = lv_value_map_get(&v->as.map->entries[i].value, "metas", 5);
        if (!metas || metas->kind != LV_VALUE_LIST) return false;
        for (size_t j = 0; metas->as.list && j < metas->as.list->count; j++) {
            const lv_value *meta = &metas->as.list->items[j];
            const char *ref = lv_value_str_at(meta, "phx_ref");
            if (meta->kind != LV_VALUE_MAP || !ref || !*ref) return false;
        }
    }
    return true;
}

/* A MAP of topic -> presences (state) or topic -> {joins, leaves} (delta). */
static bool valid_topics(const lv_value *v, bool delta)
{
    if (!v || v->kind != LV_VALUE_MAP) return false;
    for (size_t i = 0; v->as.map && i < v->as.map->count; i++) {
        const lv_value *t = &v->as.map->entries[i].value;
        if (!delta) {
            if (!valid_presences(t)) return false;
            continue;
        }
        if (t->kind != LV_VALUE_MAP) return false;
        const lv_value *joins = lv_value_map_get(t, "joins", 5);
        const lv_value *leaves = lv_value_map_get(t, "leaves", 6);
        if ((joins && !valid_presences(joins)) || (leaves && !valid_presences(leaves))) return false;
    }
    return true;
}

typedef void (*presence_fn)(lv_presence_state *st, node *n, const char *topic, const char *key,
                            const lv_value *meta, lv_presence_out *out);

static void each_meta(lv_presence_state *st, node *n, const char *topic, const lv_value *presences,
                      presence_fn fn, lv_presence_out *out)
{
    for (size_t i = 0; presences && presences->as.map && i < presences->as.map->count; i++) {
        const lv_map_entry *p = &presences->as.map->entries[i];
        const lv_value *metas = lv_value_map_get(&p->value, "metas", 5);
        for (size_t j = 0; metas->as.list && j < metas->as.list->count; j++)
            fn(st, n, topic, p->key, &metas->as.list->items[j], out);
    }
}

static void remote_join(lv_presence_state *st, node *n, const char *topic, const char *key,
                        const lv_value *meta, lv_presence_out *out)
{
    (void)st;
    if (node_find_ref(n, topic, lv_value_str_at(meta, "phx_ref")) >= 0) return; /* known */
    diff_add(out, "joins", node_add(n, topic, key, lv_value_clone(meta), NULL));
}

static void remote_leave(lv_presence_state *st, node *n, const char *topic, const char *key,
                         const lv_value *meta, lv_presence_out *out)
{
    (void)st;
    (void)key;
    long i = node_find_ref(n, topic, lv_value_str_at(meta, "phx_ref"));
    if (i < 0) return;
    diff_add(out, "leaves", &n->entries[i]);
    node_remove(n, (size_t)i);
}

static void apply_delta(lv_presence_state *st, node *n, const lv_value *diffs, lv_presence_out *out)
{
    for (size_t i = 0; diffs->as.map && i < diffs->as.map->count; i++) {
        const lv_map_entry *t = &diffs->as.map->entries[i];
        each_meta(st, n, t->key, lv_value_map_get(&t->value, "leaves", 6), remote_leave, out);
        each_meta(st, n, t->key, lv_value_map_get(&t->value, "joins", 5), remote_join, out);
    }
}

/* Whether the state message `topics` holds ref under topic. */
static bool state_has(const lv_value *topics, const char *topic, const char *ref)
{
    const lv_value *presences = lv_value_map_get(topics, topic, strlen(topic));
    for (size_t i = 0; presences && presences->as.map && i < presences->as.map->count; i++) {
        const lv_value *metas = lv_value_map_get(&presences->as.map->entries[i].value, "metas", 5);
        for (size_t j = 0; metas->as.list && j < metas->as.list->count; j++)
            if (strcmp(lv_value_str_at(&metas->as.list->items[j], "phx_ref"), ref) == 0) return true;
    }
    return false;
}

/* Replaces what is known of n with its whole state: what is gone leaves,
 * what is new joins, what stays is not mentioned. */
static void apply_state(lv_presence_state *st, node *n, const lv_value *topics, lv_presence_out *out)
{
    for (size_t i = 0; i < n->count;) {
        entry *e = &n->entries[i];
        if (state_has(topics, e->topic, e->ref)) {
            i++;
            continue;
        }
        diff_add(out, "leaves", e);
        node_remove(n, i);
    }
    for (size_t i = 0; topics->as.map && i < topics->as.map->count; i++) {
        const lv_map_entry *t = &topics->as.map->entries[i];
        each_meta(st, n, t->key, &t->value, remote_join, out);
    }
}

static lv_value local_state(const lv_presence_state *st)
{
    lv_value topics = lv_value_map();
    for (size_t i = 0; i < st->local.count; i++) {
        const entry *e = &st->local.entries[i];
        presences_add(child_map(&topics, e->topic), e->key, &e->meta);
    }
    return topics;
}

static void answer_sync(lv_presence_state *st, lv_presence_out *out)
{
    lv_value m = message_of(st, "state");
    lv_value_map_set(&m, "vsn", lv_value_int((int64_t)st->local.vsn));
    lv_value_map_set(&m, "topics", local_state(st));
    lv_value_list_push(&out->messages, m);
}

/* The message's vsn, or -1 when absent or not a non-negative integer. */
static int64_t vsn_of(const lv_value *payload)
{
    const lv_value *v = lv_value_map_get(payload, "vsn", 3);
    return v && v->kind == LV_VALUE_INT && v->as.i >= 0 ? v->as.i : -1;
}

void lv_presence_state_receive(lv_presence_state *st, const lv_value *payload, lv_presence_out *out)
{
    if (!payload || payload->kind != LV_VALUE_MAP) return;
    const char *kind = lv_value_str_at(payload, "kind");
    const char *from = lv_value_str_at(payload, "node");
    if (!kind || !from || !*from || strlen(from) > MAX_NODE_ID) return;
    if (strcmp(from, st->local.id) == 0) return; /* our own, back from the broker */
    if (strcmp(kind, "sync") == 0) {
        const char *to = lv_value_str_at(payload, "to");
        if (to && (strcmp(to, "*") == 0 || strcmp(to, st->local.id) == 0)) answer_sync(st, out);
        return;
    }
    int64_t vsn = vsn_of(payload);
    if (vsn < 0) return;
    const lv_value *diffs = lv_value_map_get(payload, "diffs", 5);
    const lv_value *topics = lv_value_map_get(payload, "topics", 6);
    bool delta = strcmp(kind, "delta") == 0, state = strcmp(kind, "state") == 0;
    bool heartbeat = strcmp(kind, "heartbeat") == 0;
    if ((delta && !valid_topics(diffs, true)) || (state && !valid_topics(topics, false)) ||
        !(delta || state || heartbeat))
        return;
    node *n = remote_of(st, from);
    n->heard_tick = st->tick;
    uint64_t v = (uint64_t)vsn;
    if (state) {
        if (v < n->vsn) return; /* older than what was applied */
        apply_state(st, n, topics, out);
        n->vsn = v;
        n->asked = false;
    } else if (delta && v == n->vsn + 1) {
        apply_delta(st, n, diffs, out);
        n->vsn = v;
    } else if (v > n->vsn + (delta ? 1 : 0)) {
        ask(st, n, out); /* missed something: a gap, or a node met mid-way */
    }
}

void lv_presence_state_tick(lv_presence_state *st, lv_presence_out *out)
{
    st->tick++;
    if (st->local.count > 0) {
        lv_value m = message_of(st, "heartbeat");
        lv_value_map_set(&m, "vsn", lv_value_int((int64_t)st->local.vsn));
        lv_value_list_push(&out->messages, m);
    }
    for (size_t i = 0; i < st->remote_count;) {
        node *n = &st->remotes[i];
        if (st->tick - n->heard_tick <= st->expiry_beats) {
            i++;
            continue;
        }
        /* Silent too long: the node is gone, and so are its presences. */
        for (size_t j = 0; j < n->count; j++) diff_add(out, "leaves", &n->entries[j]);
        node_free(n);
        memmove(n, n + 1, (st->remote_count - i - 1) * sizeof *n);
        st->remote_count--;
    }
}
