/* The I/O-free pieces of the load client: URL, page scan, cookies, WebSocket
 * frames, Phoenix message scan, histogram (load.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "load.h"

/* ---- URL ---------------------------------------------------------------- */

int load_url_parse(const char *text, load_url *url, char *err, size_t err_size)
{
    memset(url, 0, sizeof *url);
    const char *scheme = "http://";
    if (strncmp(text, "https://", 8) == 0) {
        snprintf(err, err_size, "%s: https is not supported (http:// only)", text);
        return -1;
    }
    if (strncmp(text, scheme, strlen(scheme)) != 0) {
        snprintf(err, err_size, "%s: the URL must start with http://", text);
        return -1;
    }
    const char *host = text + strlen(scheme);
    size_t authority = strcspn(host, "/?#");
    const char *rest = host + authority;
    if (*rest && strcmp(rest, "/") != 0) {
        snprintf(err, err_size, "%s: give the server's base URL; the page goes in --path", text);
        return -1;
    }
    const char *colon = memchr(host, ':', authority);
    size_t host_len = colon ? (size_t)(colon - host) : authority;
    if (host_len == 0 || host_len >= sizeof url->host) {
        snprintf(err, err_size, "%s: no host (or an overlong one)", text);
        return -1;
    }
    memcpy(url->host, host, host_len);
    if (colon) {
        size_t port_len = authority - host_len - 1;
        long port = 0;
        for (size_t i = 0; i < port_len; i++) {
            if (!isdigit((unsigned char)colon[1 + i]) || port > 65535) port = -1;
            if (port < 0) break;
            port = port * 10 + (colon[1 + i] - '0');
        }
        if (port_len == 0 || port <= 0 || port > 65535) {
            snprintf(err, err_size, "%s: bad port", text);
            return -1;
        }
        snprintf(url->port, sizeof url->port, "%ld", port);
    } else {
        strcpy(url->port, "80");
    }
    snprintf(url->origin, sizeof url->origin, "http://%.*s", (int)authority, host);
    return 0;
}

/* ---- The page ----------------------------------------------------------- */

/* One start tag's attributes, scanned in place. */
typedef struct tag_attr {
    const char *name, *value;
    size_t name_len, value_len;
    bool has_value;
} tag_attr;

#define MAX_ATTRS 32

typedef struct html_tag {
    const char *name;
    size_t name_len;
    tag_attr attrs[MAX_ATTRS];
    int attr_count;
} html_tag;

static bool name_char(char c)
{
    return c && !isspace((unsigned char)c) && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'';
}

/* Scans the start tag whose '<' is at p (end is the end of the input);
 * returns the position after it, or NULL when it is not closed. */
static const char *scan_tag(const char *p, const char *end, html_tag *tag)
{
    tag->attr_count = 0;
    p++;
    tag->name = p;
    while (p < end && name_char(*p)) p++;
    tag->name_len = (size_t)(p - tag->name);
    for (;;) {
        while (p < end && (isspace((unsigned char)*p) || *p == '/')) p++;
        if (p >= end) return NULL;
        if (*p == '>') return p + 1;
        tag_attr a = {.name = p};
        while (p < end && name_char(*p)) p++;
        a.name_len = (size_t)(p - a.name);
        if (a.name_len == 0) { /* a stray quote or '=' */
            p++;
            continue;
        }
        while (p < end && isspace((unsigned char)*p)) p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && isspace((unsigned char)*p)) p++;
            if (p >= end) return NULL;
            a.has_value = true;
            if (*p == '"' || *p == '\'') {
                char quote = *p++;
                a.value = p;
                while (p < end && *p != quote) p++;
                if (p >= end) return NULL;
                a.value_len = (size_t)(p - a.value);
                p++;
            } else {
                a.value = p;
                while (p < end && !isspace((unsigned char)*p) && *p != '>') p++;
                a.value_len = (size_t)(p - a.value);
            }
        }
        if (tag->attr_count < MAX_ATTRS) tag->attrs[tag->attr_count++] = a;
    }
}

static const tag_attr *find_attr(const html_tag *tag, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < tag->attr_count; i++)
        if (tag->attrs[i].name_len == n && strncasecmp(tag->attrs[i].name, name, n) == 0) return &tag->attrs[i];
    return NULL;
}

static bool tag_is(const html_tag *tag, const char *name)
{
    return tag->name_len == strlen(name) && strncasecmp(tag->name, name, tag->name_len) == 0;
}

/* The attribute's value with &amp; &quot; &#39; &lt; &gt; &#NN; decoded;
 * the caller frees it. */
static char *decode_attr(const tag_attr *a)
{
    static const struct { const char *entity; char c; } entities[] = {
        {"&amp;", '&'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}, {"&lt;", '<'}, {"&gt;", '>'},
    };
    lv_buf out = LV_BUF_INIT;
    for (size_t i = 0; i < a->value_len;) {
        bool done = false;
        if (a->value[i] == '&') {
            for (size_t e = 0; e < sizeof entities / sizeof entities[0] && !done; e++) {
                size_t n = strlen(entities[e].entity);
                if (i + n <= a->value_len && memcmp(a->value + i, entities[e].entity, n) == 0) {
                    lv_buf_putc(&out, entities[e].c);
                    i += n;
                    done = true;
                }
            }
        }
        if (!done) lv_buf_putc(&out, a->value[i++]);
    }
    return lv_buf_take(&out);
}

/* Skips the raw text of <script> and <style>, which is not markup. */
static const char *skip_raw_text(const html_tag *tag, const char *p, const char *end)
{
    const char *closer = tag_is(tag, "script") ? "</script" : tag_is(tag, "style") ? "</style" : NULL;
    if (!closer) return p;
    size_t n = strlen(closer);
    for (; p + n <= end; p++)
        if (strncasecmp(p, closer, n) == 0) return p;
    return end;
}

int load_page_scan(const char *html, size_t len, load_page *page, char *err, size_t err_size)
{
    memset(page, 0, sizeof *page);
    const char *p = html, *end = html + len;
    html_tag tag, view = {0};
    bool have_view = false, view_is_main = false;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt || lt + 1 >= end) break;
        if (lt + 4 <= end && memcmp(lt, "<!--", 4) == 0) {
            const char *close = NULL;
            for (const char *q = lt + 4; q + 3 <= end; q++)
                if (memcmp(q, "-->", 3) == 0) {
                    close = q + 3;
                    break;
                }
            p = close ? close : end;
            continue;
        }
        if (!isalpha((unsigned char)lt[1])) {
            p = lt + 1;
            continue;
        }
        const char *after = scan_tag(lt, end, &tag);
        if (!after) break;
        p = skip_raw_text(&tag, after, end);
        if (tag_is(&tag, "meta")) {
            const tag_attr *name = find_attr(&tag, "name"), *content = find_attr(&tag, "content");
            if (name && content && !page->csrf_token && name->value_len == 10 &&
                strncasecmp(name->value, "csrf-token", 10) == 0)
                page->csrf_token = decode_attr(content);
            continue;
        }
        if (!find_attr(&tag, "data-phx-session") || find_attr(&tag, "data-phx-parent-id")) continue;
        bool is_main = find_attr(&tag, "data-phx-main") != NULL;
        if (!have_view || (is_main && !view_is_main)) {
            view = tag;
            have_view = true;
            view_is_main = is_main;
        }
    }
    if (!page->csrf_token) {
        snprintf(err, err_size, "the page has no <meta name=\"csrf-token\" content=...>");
        load_page_free(page);
        return -1;
    }
    const tag_attr *id = have_view ? find_attr(&view, "id") : NULL;
    if (!have_view || !id || id->value_len == 0) {
        snprintf(err, err_size, have_view ? "the page's LiveView element has no id"
                                          : "the page has no LiveView (no element with data-phx-session)");
        load_page_free(page);
        return -1;
    }
    page->view_id = decode_attr(id);
    page->session = decode_attr(find_attr(&view, "data-phx-session"));
    const tag_attr *stat = find_attr(&view, "data-phx-static");
    if (stat && stat->value_len > 0) page->static_token = decode_attr(stat);
    return 0;
}

void load_page_free(load_page *page)
{
    free(page->csrf_token);
    free(page->view_id);
    free(page->session);
    free(page->static_token);
    memset(page, 0, sizeof *page);
}

void load_cookie_add(lv_buf *jar, const char *set_cookie, size_t len)
{
    while (len && isspace((unsigned char)*set_cookie)) set_cookie++, len--;
    const char *semi = memchr(set_cookie, ';', len);
    size_t pair = semi ? (size_t)(semi - set_cookie) : len;
    while (pair && isspace((unsigned char)set_cookie[pair - 1])) pair--;
    const char *eq = memchr(set_cookie, '=', pair);
    if (!eq || eq == set_cookie) return;
    if (jar->len) lv_buf_puts(jar, "; ");
    lv_buf_append(jar, set_cookie, pair);
}

void load_ws_accept(const char *key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    lv_buf joined = LV_BUF_INIT;
    lv_buf_puts(&joined, key);
    lv_buf_puts(&joined, guid);
    SHA1((const unsigned char *)joined.data, joined.len, digest);
    lv_buf_free(&joined);
    EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH); /* 28 chars and a NUL */
}

/* ---- WebSocket frames ----------------------------------------------------- */

void load_ws_append_frame(lv_buf *out, int opcode, const void *payload, size_t len, uint32_t mask)
{
    unsigned char header[14];
    size_t n = 0;
    header[n++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        header[n++] = (unsigned char)(0x80 | len);
    } else if (len <= 0xffff) {
        header[n++] = 0x80 | 126;
        header[n++] = (unsigned char)(len >> 8);
        header[n++] = (unsigned char)len;
    } else {
        header[n++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--) header[n++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    unsigned char key[4] = {(unsigned char)(mask >> 24), (unsigned char)(mask >> 16), (unsigned char)(mask >> 8),
                            (unsigned char)mask};
    memcpy(header + n, key, 4);
    n += 4;
    lv_buf_reserve(out, n + len);
    lv_buf_append(out, header, n);
    unsigned char *dst = (unsigned char *)out->data + out->len;
    const unsigned char *src = payload;
    for (size_t i = 0; i < len; i++) dst[i] = src[i] ^ key[i & 3];
    out->len += len;
    out->data[out->len] = '\0';
}

load_ws_result load_ws_parse(const char *data, size_t len, size_t max_payload, load_ws_frame *frame,
                             const char **error)
{
    const unsigned char *d = (const unsigned char *)data;
    if (len < 2) return LOAD_WS_NEED_MORE;
    int opcode = d[0] & 0x0f;
    if (d[0] & 0x70) {
        *error = "WebSocket frame with reserved bits set";
        return LOAD_WS_BAD;
    }
    if (opcode != LOAD_WS_CONT && opcode != LOAD_WS_TEXT && opcode != LOAD_WS_BINARY && opcode != LOAD_WS_CLOSE &&
        opcode != LOAD_WS_PING && opcode != LOAD_WS_PONG) {
        *error = "WebSocket frame with an unknown opcode";
        return LOAD_WS_BAD;
    }
    bool fin = (d[0] & 0x80) != 0;
    if (opcode >= LOAD_WS_CLOSE && (!fin || (d[1] & 0x7f) > 125)) {
        *error = "WebSocket control frame fragmented or over 125 bytes";
        return LOAD_WS_BAD;
    }
    if (d[1] & 0x80) {
        *error = "masked WebSocket frame from the server";
        return LOAD_WS_BAD;
    }
    size_t n = 2;
    uint64_t plen = d[1] & 0x7f;
    if (plen == 126) {
        if (len < 4) return LOAD_WS_NEED_MORE;
        plen = (uint64_t)d[2] << 8 | d[3];
        n = 4;
    } else if (plen == 127) {
        if (len < 10) return LOAD_WS_NEED_MORE;
        plen = 0;
        for (int i = 0; i < 8; i++) plen = plen << 8 | d[2 + i];
        n = 10;
    }
    if (plen > max_payload) {
        *error = "WebSocket message over the size limit";
        return LOAD_WS_BAD;
    }
    if (len - n < plen) return LOAD_WS_NEED_MORE;
    *frame = (load_ws_frame){.opcode = opcode, .fin = fin, .payload = data + n, .payload_len = (size_t)plen,
                             .frame_len = n + (size_t)plen};
    return LOAD_WS_OK;
}

/* ---- Phoenix messages ----------------------------------------------------- */

typedef struct scanner {
    const char *p, *end;
} scanner;

static void skip_ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static bool expect(scanner *s, char c)
{
    skip_ws(s);
    if (s->p >= s->end || *s->p != c) return false;
    s->p++;
    return true;
}

/* A JSON string: out gets its raw contents (between the quotes). */
static bool scan_string(scanner *s, load_slice *out)
{
    if (!expect(s, '"')) return false;
    const char *start = s->p;
    while (s->p < s->end && *s->p != '"') {
        if ((unsigned char)*s->p < 0x20) return false;
        if (*s->p == '\\') s->p++;
        s->p++;
    }
    if (s->p >= s->end) return false;
    *out = (load_slice){start, (size_t)(s->p - start)};
    s->p++;
    return true;
}

static bool scan_literal(scanner *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return false;
    s->p += n;
    return true;
}

/* Skips one JSON value of any kind; depth bounds nesting so hostile input
 * cannot exhaust the stack. */
static bool skip_value(scanner *s, int depth)
{
    if (depth > 64) return false;
    skip_ws(s);
    if (s->p >= s->end) return false;
    load_slice ignored;
    switch (*s->p) {
    case '"':
        return scan_string(s, &ignored);
    case '{':
    case '[': {
        char close = *s->p == '{' ? '}' : ']';
        bool object = close == '}';
        s->p++;
        skip_ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        for (;;) {
            if (object && (!scan_string(s, &ignored) || !expect(s, ':'))) return false;
            if (!skip_value(s, depth + 1)) return false;
            skip_ws(s);
            if (s->p >= s->end) return false;
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p != close) return false;
            s->p++;
            return true;
        }
    }
    case 't':
        return scan_literal(s, "true");
    case 'f':
        return scan_literal(s, "false");
    case 'n':
        return scan_literal(s, "null");
    default: {
        const char *start = s->p;
        while (s->p < s->end && (isdigit((unsigned char)*s->p) || (*s->p && strchr("+-.eE", *s->p)))) s->p++;
        return s->p > start;
    }
    }
}

/* A string or null (then out->ptr is NULL). */
static bool scan_string_or_null(scanner *s, load_slice *out)
{
    skip_ws(s);
    if (s->p < s->end && *s->p == 'n') {
        *out = (load_slice){NULL, 0};
        return scan_literal(s, "null");
    }
    return scan_string(s, out);
}

bool load_phx_scan(const char *data, size_t len, load_phx_message *msg)
{
    scanner s = {data, data + len};
    if (!expect(&s, '[')) return false;
    if (!scan_string_or_null(&s, &msg->join_ref) || !expect(&s, ',')) return false;
    if (!scan_string_or_null(&s, &msg->ref) || !expect(&s, ',')) return false;
    if (!scan_string(&s, &msg->topic) || !expect(&s, ',')) return false;
    if (!scan_string(&s, &msg->event) || !expect(&s, ',')) return false;
    skip_ws(&s);
    const char *start = s.p;
    if (!skip_value(&s, 0)) return false;
    msg->payload = (load_slice){start, (size_t)(s.p - start)};
    if (!expect(&s, ']')) return false;
    skip_ws(&s);
    return s.p == s.end;
}

load_reply_status load_phx_reply_status(load_slice payload)
{
    scanner s = {payload.ptr, payload.ptr + payload.len};
    if (!payload.ptr || !expect(&s, '{')) return LOAD_REPLY_BAD;
    skip_ws(&s);
    if (s.p < s.end && *s.p == '}') return LOAD_REPLY_BAD;
    for (;;) {
        load_slice key, value;
        if (!scan_string(&s, &key) || !expect(&s, ':')) return LOAD_REPLY_BAD;
        if (load_slice_eq(key, "status")) {
            if (!scan_string(&s, &value)) return LOAD_REPLY_BAD;
            return load_slice_eq(value, "ok") ? LOAD_REPLY_OK : LOAD_REPLY_ERROR;
        }
        if (!skip_value(&s, 1)) return LOAD_REPLY_BAD;
        if (!expect(&s, ',')) return LOAD_REPLY_BAD;
    }
}

bool load_slice_u64(load_slice s, uint64_t *out)
{
    if (!s.ptr || s.len == 0 || s.len > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (!isdigit((unsigned char)s.ptr[i])) return false;
        v = v * 10 + (uint64_t)(s.ptr[i] - '0');
    }
    *out = v;
    return true;
}

bool load_slice_eq(load_slice s, const char *text)
{
    return s.ptr && strlen(text) == s.len && memcmp(s.ptr, text, s.len) == 0;
}

void load_json_string(lv_buf *out, const char *text)
{
    lv_buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            lv_buf_putc(out, '\\');
            lv_buf_putc(out, (char)*p);
        } else if (*p < 0x20) {
            lv_buf_printf(out, "\\u%04x", *p);
        } else {
            lv_buf_putc(out, (char)*p);
        }
    }
    lv_buf_putc(out, '"');
}

/* ---- Histogram ------------------------------------------------------------- */

static size_t bucket_of(uint64_t ns)
{
    if (ns < LOAD_HIST_SUB) return (size_t)ns;
    int exp = 63 - __builtin_clzll(ns); /* >= 6 */
    if (exp >= LOAD_HIST_MAX_EXP) return LOAD_HIST_BUCKETS - 1;
    uint64_t sub = (ns >> (exp - 6)) - LOAD_HIST_SUB; /* 0..63 */
    return LOAD_HIST_SUB + (size_t)(exp - 6) * LOAD_HIST_SUB + (size_t)sub;
}

/* The middle of a bucket, in ns. */
static uint64_t bucket_value(size_t index)
{
    if (index < LOAD_HIST_SUB) return index;
    size_t exp = 6 + (index - LOAD_HIST_SUB) / LOAD_HIST_SUB;
    uint64_t sub = (index - LOAD_HIST_SUB) % LOAD_HIST_SUB;
    uint64_t low = (LOAD_HIST_SUB + sub) << (exp - 6);
    return low + ((uint64_t)1 << (exp - 6)) / 2;
}

void load_hist_record(load_hist *h, uint64_t ns)
{
    h->buckets[bucket_of(ns)]++;
    h->count++;
    if (ns > h->max_ns) h->max_ns = ns;
}

void load_hist_merge(load_hist *into, const load_hist *from)
{
    for (size_t i = 0; i < LOAD_HIST_BUCKETS; i++) into->buckets[i] += from->buckets[i];
    into->count += from->count;
    if (from->max_ns > into->max_ns) into->max_ns = from->max_ns;
}

uint64_t load_hist_quantile(const load_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    /* The rank of the quantile, 1-based: the smallest value with at least
     * q of the samples at or below it. */
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count) rank++;
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < LOAD_HIST_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t v = bucket_value(i);
            return v > h->max_ns ? h->max_ns : v;
        }
    }
    return h->max_ns;
}
