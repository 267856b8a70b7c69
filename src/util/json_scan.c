#include "util/json_scan.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer the arena gives its memory back at every reset, so
 * a value used after its message is gone is reported, not silently reused. */
#if defined(__SANITIZE_ADDRESS__)
#define LV_SCAN_REUSE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LV_SCAN_REUSE 0
#endif
#endif
#ifndef LV_SCAN_REUSE
#define LV_SCAN_REUSE 1
#endif

#define ARENA_MIN_BYTES 4096
/* A block larger than this (one huge message) is not kept after it. */
#define ARENA_KEEP_BYTES (256 * 1024)
#define STACK_KEEP_ITEMS 4096
#define MAX_NUMBER_CHARS 64

struct lv_arena_block {
    lv_arena_block *next;
    size_t cap, used;
    max_align_t data[];
};

/* ---- the arena ---- */

static void *arena_alloc(lv_json_scan *scan, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    lv_arena_block *b = scan->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = b ? b->cap * 2 : (scan->wanted > ARENA_MIN_BYTES ? scan->wanted : ARENA_MIN_BYTES);
        if (cap < n) cap = n;
        lv_arena_block *fresh = lv_xmalloc(sizeof *fresh + cap);
        fresh->cap = cap;
        fresh->used = 0;
        fresh->next = b;
        scan->blocks = fresh;
        b = fresh;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static void free_blocks(lv_json_scan *scan)
{
    lv_arena_block *b = scan->blocks;
    while (b) {
        lv_arena_block *next = b->next;
        free(b);
        b = next;
    }
    scan->blocks = NULL;
}

void lv_json_scan_reset(lv_json_scan *scan)
{
    scan->items_len = 0;
    scan->entries_len = 0;
    if (scan->items_cap > STACK_KEEP_ITEMS) {
        free(scan->items);
        scan->items = NULL;
        scan->items_cap = 0;
    }
    if (scan->entries_cap > STACK_KEEP_ITEMS) {
        free(scan->entries);
        scan->entries = NULL;
        scan->entries_cap = 0;
    }
    lv_arena_block *b = scan->blocks;
    if (!b) return;
    if (LV_SCAN_REUSE && !b->next && b->cap <= ARENA_KEEP_BYTES) {
        b->used = 0;
        return;
    }
    /* The message needed more than one block: next time, one block of
     * that size (within the bound) serves it. */
    size_t total = 0;
    for (lv_arena_block *x = b; x; x = x->next) total += x->used;
    scan->wanted = total < ARENA_KEEP_BYTES ? total : ARENA_KEEP_BYTES;
    free_blocks(scan);
}

void lv_json_scan_free(lv_json_scan *scan)
{
    free_blocks(scan);
    free(scan->items);
    free(scan->entries);
    memset(scan, 0, sizeof *scan);
}

static void push_item(lv_json_scan *scan, lv_value v)
{
    if (scan->items_len == scan->items_cap) {
        scan->items_cap = scan->items_cap ? scan->items_cap * 2 : 16;
        scan->items = lv_xrealloc(scan->items, scan->items_cap * sizeof *scan->items);
    }
    scan->items[scan->items_len++] = v;
}

static void push_entry(lv_json_scan *scan, char *key, lv_value v)
{
    if (scan->entries_len == scan->entries_cap) {
        scan->entries_cap = scan->entries_cap ? scan->entries_cap * 2 : 16;
        scan->entries = lv_xrealloc(scan->entries, scan->entries_cap * sizeof *scan->entries);
    }
    scan->entries[scan->entries_len++] = (lv_map_entry){key, v};
}

/* ---- the reader ---- */

void lv_json_reader_init(lv_json_reader *r, lv_json_scan *scan, const char *s, size_t n, size_t max_depth)
{
    r->p = s;
    r->end = s + n;
    r->scan = scan;
    r->depth = 0;
    r->max_depth = max_depth;
    r->status = LV_SCAN_OK;
    scan->items_len = 0;
    scan->entries_len = 0;
}

static bool fail(lv_json_reader *r, lv_scan_status status)
{
    if (r->status == LV_SCAN_OK) r->status = status;
    return false;
}

static void skip_ws(lv_json_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) r->p++;
}

bool lv_json_read_byte(lv_json_reader *r, char c)
{
    skip_ws(r);
    if (r->p == r->end || *r->p != c) return fail(r, LV_SCAN_INVALID);
    r->p++;
    return true;
}

bool lv_json_read_end(lv_json_reader *r)
{
    skip_ws(r);
    return r->p == r->end || fail(r, LV_SCAN_INVALID);
}

/* The length of the well-formed UTF-8 sequence (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF) starting at s[0] >= 0x80,
 * or 0 when there is none: what jansson's utf8_check_* accept. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char lead = s[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (lead >= 0xc2 && lead <= 0xdf) {
        need = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        need = 3;
        if (lead == 0xe0) lo = 0xa0;
        if (lead == 0xed) hi = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        need = 4;
        if (lead == 0xf0) lo = 0x90;
        if (lead == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (n < need || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return need;
}

/* Four hex digits at s (n bytes available), or -1. */
static long hex4(const char *s, size_t n)
{
    if (n < 4) return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The code point of the \u escape at p ("\uXXXX", a pair for the planes
 * above the first), setting *used to its length; -1 for what jansson
 * refuses: a bad hex digit, a lone or reversed surrogate, U+0000. */
static long unicode_escape(const char *p, const char *end, size_t *used)
{
    long cp = hex4(p + 2, (size_t)(end - p) - 2);
    *used = 6;
    if (cp < 0 || cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return -1;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        if (end - p < 12 || p[6] != '\\' || p[7] != 'u') return -1;
        long low = hex4(p + 8, (size_t)(end - p) - 8);
        if (low < 0xdc00 || low > 0xdfff) return -1;
        *used = 12;
        return 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    return cp;
}

static char *put_utf8(char *o, long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

static char simple_escape(char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    }
    return 0;
}

/* Reads the string whose opening quote is at the cursor into the arena
 * (NUL-terminated; it holds no NUL, which is refused). Two passes: the
 * first checks it and finds its end, the second copies or unescapes it
 * (never longer than its source). */
static bool read_string(lv_json_reader *r, char **out, size_t *out_len)
{
    const char *start = r->p + 1, *p = start, *end = r->end;
    bool escaped = false;
    for (;;) {
        if (p == end) return fail(r, LV_SCAN_INVALID);
        unsigned char c = (unsigned char)*p;
        if (c == '"') break;
        if (c < 0x20) return fail(r, LV_SCAN_INVALID);
        if (c == '\\') {
            escaped = true;
            if (end - p < 2) return fail(r, LV_SCAN_INVALID);
            if (p[1] == 'u') {
                size_t used;
                if (unicode_escape(p, end, &used) < 0) return fail(r, LV_SCAN_INVALID);
                p += used;
            } else if (simple_escape(p[1])) {
                p += 2;
            } else {
                return fail(r, LV_SCAN_INVALID);
            }
        } else if (c < 0x80) {
            p++;
        } else {
            size_t n = utf8_sequence((const unsigned char *)p, (size_t)(end - p));
            if (!n) return fail(r, LV_SCAN_INVALID);
            p += n;
        }
    }
    size_t raw = (size_t)(p - start);
    char *s = arena_alloc(r->scan, raw + 1);
    if (!escaped) {
        memcpy(s, start, raw);
        *out_len = raw;
    } else {
        char *o = s;
        for (const char *q = start; q < p;) {
            if (*q != '\\') {
                *o++ = *q++;
            } else if (q[1] == 'u') {
                size_t used;
                o = put_utf8(o, unicode_escape(q, p, &used));
                q += used;
            } else {
                *o++ = simple_escape(q[1]);
                q += 2;
            }
        }
        *out_len = (size_t)(o - s);
    }
    s[*out_len] = '\0';
    *out = s;
    r->p = p + 1;
    return true;
}

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* JSON's number grammar; an integer (no fraction, no exponent) must fit an
 * int64 and becomes INT, anything else DOUBLE through strtod, refused when
 * its magnitude overflows (as jansson does; an underflow to 0 is kept). */
static bool read_number(lv_json_reader *r, lv_value *out)
{
    const char *start = r->p, *p = start, *end = r->end;
    bool negative = false, integer = true;
    if (*p == '-') {
        negative = true;
        p++;
    }
    if (!is_digit(p, end)) return fail(r, LV_SCAN_INVALID);
    if (*p == '0') {
        p++;
        if (is_digit(p, end)) return fail(r, LV_SCAN_INVALID);
    } else {
        while (is_digit(p, end)) p++;
    }
    const char *digits_end = p;
    if (p < end && *p == '.') {
        integer = false;
        p++;
        if (!is_digit(p, end)) return fail(r, LV_SCAN_INVALID);
        while (is_digit(p, end)) p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integer = false;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (!is_digit(p, end)) return fail(r, LV_SCAN_INVALID);
        while (is_digit(p, end)) p++;
    }
    r->p = p;
    if (integer) {
        uint64_t magnitude = 0;
        for (const char *d = start + negative; d < digits_end; d++) {
            unsigned digit = (unsigned)(*d - '0');
            if (magnitude > (UINT64_MAX - digit) / 10) return fail(r, LV_SCAN_INVALID);
            magnitude = magnitude * 10 + digit;
        }
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        if (magnitude > limit) return fail(r, LV_SCAN_INVALID);
        *out = lv_value_int(negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude);
        return true;
    }
    size_t len = (size_t)(p - start);
    if (len > MAX_NUMBER_CHARS) return fail(r, LV_SCAN_UNSUPPORTED);
    char text[MAX_NUMBER_CHARS + 1];
    memcpy(text, start, len);
    text[len] = '\0';
    errno = 0;
    double d = strtod(text, NULL);
    if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) return fail(r, LV_SCAN_INVALID);
    *out = lv_value_double(d);
    return true;
}

static bool read_literal(lv_json_reader *r, const char *word, size_t n, lv_value v, lv_value *out)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return fail(r, LV_SCAN_INVALID);
    r->p += n;
    *out = v;
    return true;
}

static bool open_container(lv_json_reader *r)
{
    r->p++;
    if (++r->depth > r->max_depth) return fail(r, LV_SCAN_TOO_DEEP);
    return true;
}

static bool read_array(lv_json_reader *r, lv_value *out)
{
    if (!open_container(r)) return false;
    lv_json_scan *scan = r->scan;
    size_t base = scan->items_len;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
    } else {
        for (;;) {
            lv_value v;
            if (!lv_json_read_value(r, &v)) return false;
            push_item(scan, v);
            skip_ws(r);
            if (r->p == r->end) return fail(r, LV_SCAN_INVALID);
            char c = *r->p++;
            if (c == ']') break;
            if (c != ',') return fail(r, LV_SCAN_INVALID);
        }
    }
    size_t count = scan->items_len - base;
    r->depth--;
    *out = lv_value_list();
    if (count == 0) return true;
    if (count > UINT32_MAX) return fail(r, LV_SCAN_UNSUPPORTED);
    lv_list *list = arena_alloc(scan, sizeof *list + count * sizeof(lv_value));
    list->count = list->cap = (uint32_t)count;
    memcpy(list->items, scan->items + base, count * sizeof(lv_value));
    scan->items_len = base;
    out->as.list = list;
    return true;
}

static bool read_object(lv_json_reader *r, lv_value *out)
{
    if (!open_container(r)) return false;
    lv_json_scan *scan = r->scan;
    size_t base = scan->entries_len;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
    } else {
        for (;;) {
            skip_ws(r);
            if (r->p == r->end || *r->p != '"') return fail(r, LV_SCAN_INVALID);
            char *key;
            size_t key_len;
            if (!read_string(r, &key, &key_len)) return false;
            if (scan->entries_len - base >= LV_SCAN_MAX_KEYS) return fail(r, LV_SCAN_UNSUPPORTED);
            for (size_t i = base; i < scan->entries_len; i++)
                if (strcmp(scan->entries[i].key, key) == 0) return fail(r, LV_SCAN_INVALID);
            if (!lv_json_read_byte(r, ':')) return false;
            lv_value v;
            if (!lv_json_read_value(r, &v)) return false;
            push_entry(scan, key, v);
            skip_ws(r);
            if (r->p == r->end) return fail(r, LV_SCAN_INVALID);
            char c = *r->p++;
            if (c == '}') break;
            if (c != ',') return fail(r, LV_SCAN_INVALID);
        }
    }
    size_t count = scan->entries_len - base;
    r->depth--;
    *out = lv_value_map();
    if (count == 0) return true;
    lv_map *map = arena_alloc(scan, sizeof *map + count * sizeof(lv_map_entry));
    map->count = map->cap = (uint32_t)count;
    memcpy(map->entries, scan->entries + base, count * sizeof(lv_map_entry));
    scan->entries_len = base;
    out->as.map = map;
    return true;
}

bool lv_json_read_value(lv_json_reader *r, lv_value *out)
{
    *out = lv_value_null();
    skip_ws(r);
    if (r->p == r->end) return fail(r, LV_SCAN_INVALID);
    switch (*r->p) {
    case '"': {
        char *s;
        size_t len;
        if (!read_string(r, &s, &len)) return false;
        out->kind = LV_VALUE_STRING;
        out->as.s.ptr = s;
        out->as.s.len = len;
        return true;
    }
    case '[': return read_array(r, out);
    case '{': return read_object(r, out);
    case 't': return read_literal(r, "true", 4, lv_value_bool(true), out);
    case 'f': return read_literal(r, "false", 5, lv_value_bool(false), out);
    case 'n': return read_literal(r, "null", 4, lv_value_null(), out);
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) return read_number(r, out);
        return fail(r, LV_SCAN_INVALID);
    }
}

lv_scan_status lv_json_scan_text(lv_json_scan *scan, const char *s, size_t n, size_t max_depth,
                                 lv_value *out)
{
    lv_json_reader r;
    lv_json_reader_init(&r, scan, s, n, max_depth);
    if (lv_json_read_value(&r, out) && lv_json_read_end(&r)) return LV_SCAN_OK;
    *out = lv_value_null();
    return r.status == LV_SCAN_OK ? LV_SCAN_INVALID : r.status;
}
