#include "util/form.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

const lv_form_limits lv_form_default_limits = {
    .max_pairs = 1000,
    .max_depth = 32,
    .max_key_len = 1024,
    .max_value_len = 64 * 1024,
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

lv_form_status lv_percent_decode(const char *s, size_t n, bool plus_is_space, size_t max_len,
                                 lv_buf *out)
{
    lv_buf_reset(out);
    lv_buf_reserve(out, n);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n) return LV_FORM_BAD_ENCODING;
            int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0) return LV_FORM_BAD_ENCODING;
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') return LV_FORM_BAD_ENCODING;
        lv_buf_putc(out, c);
        if (out->len > max_len) return LV_FORM_TOO_LONG;
    }
    if (!lv_utf8_valid((const uint8_t *)(out->data ? out->data : ""), out->len))
        return LV_FORM_BAD_ENCODING;
    return LV_FORM_OK;
}

typedef struct key_segment {
    const char *name; /* NULL for "[]" */
    size_t len;
} key_segment;

/* Splits "user[address][city]" into user, address, city. */
static lv_form_status split_key(const char *key, size_t len, size_t max_depth, key_segment *segs,
                                size_t *count)
{
    size_t first = 0;
    while (first < len && key[first] != '[') first++;
    if (first == 0) return LV_FORM_BAD_KEY;
    segs[0] = (key_segment){key, first};
    *count = 1;
    size_t i = first;
    while (i < len) {
        if (key[i] != '[') return LV_FORM_BAD_KEY;
        size_t close = i + 1;
        while (close < len && key[close] != ']' && key[close] != '[') close++;
        if (close >= len || key[close] != ']') return LV_FORM_BAD_KEY;
        if (*count > max_depth) return LV_FORM_TOO_DEEP;
        size_t seg_len = close - i - 1;
        segs[(*count)++] = (key_segment){seg_len ? key + i + 1 : NULL, seg_len};
        i = close + 1;
    }
    /* "[]" appends a scalar; anything after it would need Plug's
     * list-of-maps rules, which no LiveView form needs. */
    for (size_t s = 0; s + 1 < *count; s++)
        if (!segs[s].name) return LV_FORM_BAD_KEY;
    return LV_FORM_OK;
}

/* The entry of a map for a key, for writing: value.h hands out read-only
 * pointers, and the tree being built is ours. */
static lv_value *child(lv_value *map, const char *key)
{
    return (lv_value *)lv_value_map_get(map, key, strlen(key));
}

/* Stores value at the path segs[0..count) below root. */
static void put_value(lv_value *root, const key_segment *segs, size_t count, const lv_buf *value)
{
    lv_value *node = root;
    char name[1025];
    for (size_t s = 0; s < count; s++) {
        const key_segment *seg = &segs[s];
        if (!seg->name) { /* "[]": the parent put a list here */
            lv_value_list_push(node, lv_value_string(value->data ? value->data : "", value->len));
            return;
        }
        memcpy(name, seg->name, seg->len);
        name[seg->len] = '\0';
        if (s + 1 == count) {
            lv_value_map_set(node, name, lv_value_string(value->data ? value->data : "", value->len));
            return;
        }
        lv_value_kind want = segs[s + 1].name ? LV_VALUE_MAP : LV_VALUE_LIST;
        lv_value *next = child(node, name);
        if (!next || next->kind != want) {
            lv_value_map_set(node, name, want == LV_VALUE_LIST ? lv_value_list() : lv_value_map());
            next = child(node, name);
        }
        node = next;
    }
}

lv_form_status lv_form_decode(const char *s, size_t n, const lv_form_limits *limits, lv_value *out)
{
    if (!limits) limits = &lv_form_default_limits;
    *out = lv_value_null();
    size_t max_key = limits->max_key_len < 1024 ? limits->max_key_len : 1024;
    lv_value root = lv_value_map();
    lv_buf key = LV_BUF_INIT, value = LV_BUF_INIT;
    key_segment *segs = lv_xmalloc((limits->max_depth + 2) * sizeof *segs);
    lv_form_status st = LV_FORM_OK;
    size_t pairs = 0;

    for (size_t i = 0; i < n && st == LV_FORM_OK;) {
        size_t end = i;
        while (end < n && s[end] != '&') end++;
        if (end > i) {
            if (++pairs > limits->max_pairs) {
                st = LV_FORM_TOO_MANY_PAIRS;
                break;
            }
            size_t eq = i;
            while (eq < end && s[eq] != '=') eq++;
            st = lv_percent_decode(s + i, eq - i, true, max_key, &key);
            if (st == LV_FORM_OK) {
                size_t vstart = eq < end ? eq + 1 : end;
                st = lv_percent_decode(s + vstart, end - vstart, true, limits->max_value_len, &value);
            }
            size_t count = 0;
            if (st == LV_FORM_OK)
                st = split_key(key.data ? key.data : "", key.len, limits->max_depth, segs, &count);
            if (st == LV_FORM_OK) put_value(&root, segs, count, &value);
        }
        i = end + 1;
    }
    free(segs);
    lv_buf_free(&key);
    lv_buf_free(&value);
    if (st != LV_FORM_OK) {
        lv_value_free(&root);
        return st;
    }
    *out = root;
    return LV_FORM_OK;
}

const char *lv_form_status_str(lv_form_status status)
{
    switch (status) {
    case LV_FORM_OK: return "ok";
    case LV_FORM_BAD_ENCODING: return "bad encoding";
    case LV_FORM_BAD_KEY: return "malformed field name";
    case LV_FORM_TOO_MANY_PAIRS: return "too many fields";
    case LV_FORM_TOO_DEEP: return "field names nested too deeply";
    case LV_FORM_TOO_LONG: return "a field name or value is too long";
    }
    return "unknown";
}
