#include "render/stream.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static bool valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > LV_STREAM_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

const lv_stream_rec *lv_streams_find(const lv_streams *ss, const char *name, size_t len)
{
    if (!ss) return NULL;
    for (uint32_t i = 0; i < ss->count; i++) {
        const lv_stream_rec *s = &ss->items[i];
        if (strncmp(s->name, name, len) == 0 && s->name[len] == '\0') return s;
    }
    return NULL;
}

bool lv_stream_pending(const lv_stream_rec *s)
{
    return s->count > s->head || s->delete_count > 0 || s->reset;
}

/* The stream called name, created with the defaults when new; NULL (after
 * logging) for an invalid name or too many streams. */
static lv_stream_rec *stream_of(lv_streams **streams, const char *name)
{
    if (!valid_name(name)) {
        lv_log_warn("stream: invalid stream name \"%.64s\" (letters, digits and _, at most %d bytes)",
                    name ? name : "(null)", LV_STREAM_MAX_NAME);
        return NULL;
    }
    lv_stream_rec *found = (lv_stream_rec *)lv_streams_find(*streams, name, strlen(name));
    if (found) return found;
    if (!*streams) *streams = lv_xcalloc(1, sizeof **streams);
    lv_streams *ss = *streams;
    if (ss->count == LV_STREAM_MAX_STREAMS) {
        lv_log_warn("stream \"%s\": a view has at most %d streams", name, LV_STREAM_MAX_STREAMS);
        return NULL;
    }
    if (ss->count == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 2;
        ss->items = lv_xrealloc(ss->items, ss->cap * sizeof *ss->items);
    }
    lv_stream_rec *s = &ss->items[ss->count];
    memset(s, 0, sizeof *s);
    s->name = lv_xstrdup(name);
    s->prefix = lv_xstrdup(name);
    s->ref = ss->count++; /* streams are never removed: the index is stable */
    return s;
}

int lv_streams_configure(lv_streams **ss, const char *name, const char *prefix, int limit)
{
    if (prefix && (!*prefix || strlen(prefix) > LV_STREAM_MAX_NAME)) {
        lv_log_warn("stream \"%.64s\": the DOM id prefix must have 1 to %d bytes", name ? name : "(null)",
                    LV_STREAM_MAX_NAME);
        return -1;
    }
    if (limit < -LV_STREAM_MAX_LIMIT || limit > LV_STREAM_MAX_LIMIT) {
        lv_log_warn("stream \"%.64s\": limit %d is out of range", name ? name : "(null)", limit);
        return -1;
    }
    lv_stream_rec *s = stream_of(ss, name);
    if (!s) return -1;
    if (prefix) {
        free(s->prefix);
        s->prefix = lv_xstrdup(prefix);
    }
    s->default_limit = limit;
    return 0;
}

bool lv_stream_dom_id(const lv_stream_rec *s, const lv_value *item, lv_buf *out)
{
    const lv_value *id = lv_value_map_get(item, "id", 2);
    if (!id) return false;
    size_t start = out->len;
    lv_buf_puts(out, s->prefix);
    lv_buf_putc(out, '-');
    if (id->kind == LV_VALUE_INT) {
        lv_buf_printf(out, "%" PRId64, id->as.i);
    } else if ((id->kind == LV_VALUE_STRING || id->kind == LV_VALUE_SAFE) && id->as.s.len > 0) {
        lv_buf_append(out, id->as.s.ptr, id->as.s.len);
    } else {
        out->len = start;
        if (out->data) out->data[start] = '\0';
        return false;
    }
    /* An id with a NUL could not be told apart from a shorter one. */
    if (out->len - start > LV_STREAM_MAX_DOM_ID || memchr(out->data + start, '\0', out->len - start)) {
        out->len = start;
        out->data[start] = '\0';
        return false;
    }
    return true;
}

/* Logs a dropped operation once per render. */
static void warn_dropped(lv_stream_rec *s, const char *what, int cap)
{
    if (s->warned) return;
    s->warned = true;
    lv_log_warn("stream \"%s\": more than %d %s pending before a render; the oldest are dropped", s->name, cap,
                what);
}

static void free_insert(lv_stream_insert_op *op)
{
    lv_value_free(&op->item);
    op->dom_id = NULL;
}

/* Removes pending inserts of dom_id, keeping the order of the others. */
static void drop_pending(lv_stream_rec *s, const char *dom_id)
{
    uint32_t kept = s->head;
    for (uint32_t i = s->head; i < s->count; i++) {
        if (strcmp(s->inserts[i].dom_id, dom_id) == 0)
            free_insert(&s->inserts[i]);
        else
            s->inserts[kept++] = s->inserts[i];
    }
    s->count = kept;
}

static int streams_insert(lv_streams **ss, const char *name, lv_value item, int at, int limit, bool update_only);

int lv_streams_insert(lv_streams **ss, const char *name, lv_value item, int at, int limit)
{
    return streams_insert(ss, name, item, at, limit, false);
}

int lv_streams_update(lv_streams **ss, const char *name, lv_value item)
{
    return streams_insert(ss, name, item, -1, 0, true);
}

static int streams_insert(lv_streams **ss, const char *name, lv_value item, int at, int limit, bool update_only)
{
    lv_stream_rec *s = NULL;
    const char *shown = name ? name : "(null)";
    if (at < -1 || at > LV_STREAM_MAX_AT) {
        lv_log_warn("stream \"%.64s\": insert position %d is invalid (-1 appends, 0 prepends, n < %d inserts at n)",
                    shown, at, LV_STREAM_MAX_AT);
        goto refused;
    }
    if (limit < -LV_STREAM_MAX_LIMIT || limit > LV_STREAM_MAX_LIMIT) {
        lv_log_warn("stream \"%.64s\": limit %d is out of range", shown, limit);
        goto refused;
    }
    if (item.kind != LV_VALUE_MAP) {
        lv_log_warn("stream \"%.64s\": an item must be a map with an \"id\"", shown);
        goto refused;
    }
    s = stream_of(ss, name);
    if (!s) goto refused;
    lv_buf id = LV_BUF_INIT;
    if (!lv_stream_dom_id(s, &item, &id)) {
        lv_log_warn("stream \"%s\": an item needs an \"id\" (an integer or a non-empty string, DOM id at most %d "
                    "bytes)",
                    name, LV_STREAM_MAX_DOM_ID);
        lv_buf_free(&id);
        goto refused;
    }
    lv_value_map_set(&item, "dom_id", lv_value_string(id.data, id.len));
    lv_buf_free(&id);
    const char *dom_id = lv_value_map_get(&item, "dom_id", 6)->as.s.ptr;

    /* Already pending: only the last insert of a DOM id counts (the client
     * keys its inserts by DOM id, and two elements with one id cannot be
     * patched). */
    drop_pending(s, dom_id);
    if (s->count - s->head >= LV_STREAM_MAX_PENDING) {
        warn_dropped(s, "inserts", LV_STREAM_MAX_PENDING);
        free_insert(&s->inserts[s->head++]);
    }
    if (s->count == s->cap) {
        if (s->head > 0) {
            /* Reuse the room the dropped ones left at the front. */
            memmove(s->inserts, s->inserts + s->head, (s->count - s->head) * sizeof *s->inserts);
            s->count -= s->head;
            s->head = 0;
        }
        if (s->count == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 4;
            s->inserts = lv_xrealloc(s->inserts, s->cap * sizeof *s->inserts);
        }
    }
    s->version++;
    s->inserts[s->count++] = (lv_stream_insert_op){
        .item = item,
        .dom_id = dom_id,
        .at = at,
        .limit = limit ? limit : s->default_limit,
        .update_only = update_only,
    };
    return 0;
refused:
    lv_value_free(&item);
    return -1;
}

int lv_streams_delete(lv_streams **ss, const char *name, const char *dom_id)
{
    size_t n = dom_id ? strlen(dom_id) : 0;
    if (n == 0 || n > LV_STREAM_MAX_DOM_ID) {
        lv_log_warn("stream \"%.64s\": a DOM id to delete must have 1 to %d bytes", name ? name : "(null)",
                    LV_STREAM_MAX_DOM_ID);
        return -1;
    }
    lv_stream_rec *s = stream_of(ss, name);
    if (!s) return -1;
    drop_pending(s, dom_id);
    if (s->delete_count >= LV_STREAM_MAX_DELETES) {
        warn_dropped(s, "deletes", LV_STREAM_MAX_DELETES);
        free(s->deletes[0]);
        memmove(s->deletes, s->deletes + 1, (s->delete_count - 1) * sizeof *s->deletes);
        s->delete_count--;
    }
    if (s->delete_count == s->delete_cap) {
        s->delete_cap = s->delete_cap ? s->delete_cap * 2 : 4;
        s->deletes = lv_xrealloc(s->deletes, s->delete_cap * sizeof *s->deletes);
    }
    s->deletes[s->delete_count++] = lv_xstrdup(dom_id);
    s->version++;
    return 0;
}

int lv_streams_delete_item(lv_streams **ss, const char *name, const lv_value *item)
{
    lv_stream_rec *s = stream_of(ss, name);
    if (!s) return -1;
    lv_buf id = LV_BUF_INIT;
    if (!item || !lv_stream_dom_id(s, item, &id)) {
        lv_log_warn("stream \"%s\": an item to delete needs an \"id\"", name);
        lv_buf_free(&id);
        return -1;
    }
    int rc = lv_streams_delete(ss, name, id.data);
    lv_buf_free(&id);
    return rc;
}

/* Frees the pending operations and their arrays. */
static void clear_pending(lv_stream_rec *s)
{
    for (uint32_t i = s->head; i < s->count; i++) free_insert(&s->inserts[i]);
    free(s->inserts);
    s->inserts = NULL;
    s->head = s->count = s->cap = 0;
    for (uint32_t i = 0; i < s->delete_count; i++) free(s->deletes[i]);
    free(s->deletes);
    s->deletes = NULL;
    s->delete_count = s->delete_cap = 0;
}

int lv_streams_reset(lv_streams **ss, const char *name)
{
    lv_stream_rec *s = stream_of(ss, name);
    if (!s) return -1;
    clear_pending(s);
    s->reset = true;
    s->version++;
    return 0;
}

void lv_streams_prune(lv_streams *ss)
{
    if (!ss) return;
    for (uint32_t i = 0; i < ss->count; i++) {
        lv_stream_rec *s = &ss->items[i];
        if (s->inserts || s->deletes) clear_pending(s);
        s->reset = false;
        s->warned = false;
    }
}

bool lv_streams_any_pending(const lv_streams *ss)
{
    if (!ss) return false;
    for (uint32_t i = 0; i < ss->count; i++)
        if (lv_stream_pending(&ss->items[i])) return true;
    return false;
}

void lv_streams_free(lv_streams *ss)
{
    if (!ss) return;
    for (uint32_t i = 0; i < ss->count; i++) {
        clear_pending(&ss->items[i]);
        free(ss->items[i].name);
        free(ss->items[i].prefix);
    }
    free(ss->items);
    free(ss);
}

static size_t value_bytes(const lv_value *v)
{
    size_t n = 0;
    switch (v->kind) {
    case LV_VALUE_STRING:
    case LV_VALUE_SAFE: n = v->as.s.len + 1; break;
    case LV_VALUE_LIST:
        if (v->as.list) {
            n = sizeof *v->as.list + v->as.list->cap * sizeof(lv_value);
            for (uint32_t i = 0; i < v->as.list->count; i++) n += value_bytes(&v->as.list->items[i]);
        }
        break;
    case LV_VALUE_MAP:
        if (v->as.map) {
            n = sizeof *v->as.map + v->as.map->cap * sizeof(lv_map_entry);
            for (uint32_t i = 0; i < v->as.map->count; i++)
                n += strlen(v->as.map->entries[i].key) + 1 + value_bytes(&v->as.map->entries[i].value);
        }
        break;
    default: break;
    }
    return n;
}

size_t lv_streams_bytes(const lv_streams *ss)
{
    if (!ss) return 0;
    size_t n = sizeof *ss + ss->cap * sizeof *ss->items;
    for (uint32_t i = 0; i < ss->count; i++) {
        const lv_stream_rec *s = &ss->items[i];
        n += strlen(s->name) + 1 + strlen(s->prefix) + 1;
        n += s->cap * sizeof *s->inserts + s->delete_cap * sizeof *s->deletes;
        for (uint32_t k = s->head; k < s->count; k++) n += value_bytes(&s->inserts[k].item);
        for (uint32_t k = 0; k < s->delete_count; k++) n += strlen(s->deletes[k]) + 1;
    }
    return n;
}

size_t lv_stream_simulate(const lv_stream_rec *s, bool apply_limits, uint32_t *order)
{
    size_t n = 0;
    for (uint32_t i = s->head; i < s->count; i++) {
        const lv_stream_insert_op *op = &s->inserts[i];
        /* Pending DOM ids are distinct, so every insert adds an element. */
        size_t at = op->at < 0 || (size_t)op->at > n ? n : (size_t)op->at;
        memmove(order + at + 1, order + at, (n - at) * sizeof *order);
        order[at] = i;
        n++;
        if (!apply_limits) continue;
        if (op->limit > 0 && n > (size_t)op->limit) {
            n = (size_t)op->limit;
        } else if (op->limit < 0 && n > (size_t)-(int64_t)op->limit) {
            size_t drop = n - (size_t)-(int64_t)op->limit;
            memmove(order, order + drop, (n - drop) * sizeof *order);
            n -= drop;
        }
    }
    return n;
}
