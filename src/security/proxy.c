#include "security/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

/* Longest hop text looked at: an IPv6 address in brackets with a port. */
#define HOP_TEXT_MAX 64

/* Reads an IPv4 or IPv6 address (exactly len bytes, no port) into 16
 * bytes, IPv4 as IPv4-mapped IPv6. */
static bool parse_ip(const char *text, size_t len, uint8_t out[16])
{
    char buf[HOP_TEXT_MAX];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    uint8_t v4[4];
    if (inet_pton(AF_INET, buf, v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

static bool is_v4_mapped(const uint8_t a[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, prefix, 12) == 0;
}

static bool all_digits(const char *s, size_t len)
{
    if (len == 0 || len > 5) return false;
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* One hop as proxies write it: "1.2.3.4", "1.2.3.4:80", "::1", "[::1]" or
 * "[::1]:80" (len bytes, already trimmed). */
static bool parse_hop(const char *s, size_t len, uint8_t out[16])
{
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (!close) return false;
        size_t rest = len - (size_t)(close - s) - 1;
        if (rest > 0 && (close[1] != ':' || !all_digits(close + 2, rest - 1))) return false;
        return parse_ip(s + 1, (size_t)(close - s) - 1, out);
    }
    const char *colon = memchr(s, ':', len);
    /* One colon: IPv4 with a port. More: a bare IPv6 address. */
    if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
        if (!all_digits(colon + 1, len - (size_t)(colon - s) - 1)) return false;
        uint8_t a[16];
        if (!parse_ip(s, (size_t)(colon - s), a) || !is_v4_mapped(a)) return false;
        memcpy(out, a, 16);
        return true;
    }
    return parse_ip(s, len, out);
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) (*len)--;
}

static void set_error(char *err, size_t err_size, const char *entry, size_t len, const char *why)
{
    if (err && err_size) snprintf(err, err_size, "\"%.*s\": %s", (int)len, entry, why);
}

static bool in_range(const lv_ip_range *r, const uint8_t a[16])
{
    unsigned bits = r->prefix_bits, whole = bits / 8, part = bits % 8;
    if (memcmp(r->addr, a, whole) != 0) return false;
    if (part == 0) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - part));
    return (r->addr[whole] & mask) == (a[whole] & mask);
}

static bool trusted(const lv_trusted_proxies *tp, const uint8_t a[16])
{
    for (size_t i = 0; tp && i < tp->count; i++)
        if (in_range(&tp->ranges[i], a)) return true;
    return false;
}

/* "addr" or "addr/bits": the range, host bits cleared. */
static bool parse_range(const char *s, size_t len, lv_ip_range *out, const char **why)
{
    const char *slash = memchr(s, '/', len);
    size_t addr_len = slash ? (size_t)(slash - s) : len;
    if (!parse_ip(s, addr_len, out->addr)) {
        *why = "not an IPv4 or IPv6 address";
        return false;
    }
    bool v4 = is_v4_mapped(out->addr) && memchr(s, ':', addr_len) == NULL;
    unsigned max = v4 ? 32 : 128, bits = max;
    if (slash) {
        size_t digits = len - addr_len - 1;
        if (!all_digits(slash + 1, digits) || digits > 3) {
            *why = "the prefix length is not a number";
            return false;
        }
        bits = (unsigned)strtoul(slash + 1, NULL, 10);
        if (bits > max) {
            *why = v4 ? "an IPv4 prefix length is at most 32" : "an IPv6 prefix length is at most 128";
            return false;
        }
    }
    out->prefix_bits = v4 ? 96 + bits : bits;
    for (unsigned i = out->prefix_bits; i < 128; i++) out->addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
    return true;
}

int lv_trusted_proxies_parse(lv_trusted_proxies *out, const char *list, char *err, size_t err_size)
{
    out->ranges = NULL;
    out->count = 0;
    const char *p = list;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *entry = p;
        trim(&entry, &len);
        p = comma ? comma + 1 : NULL;
        if (len == 0) {
            if (!comma) break; /* blank, or a trailing comma */
            set_error(err, err_size, "", 0, "an empty entry");
            lv_trusted_proxies_free(out);
            return -1;
        }
        lv_ip_range r;
        const char *why = NULL;
        if (!parse_range(entry, len, &r, &why)) {
            set_error(err, err_size, entry, len, why);
            lv_trusted_proxies_free(out);
            return -1;
        }
        out->ranges = lv_xrealloc(out->ranges, (out->count + 1) * sizeof *out->ranges);
        out->ranges[out->count++] = r;
    }
    return 0;
}

void lv_trusted_proxies_free(lv_trusted_proxies *tp)
{
    free(tp->ranges);
    tp->ranges = NULL;
    tp->count = 0;
}

bool lv_trusted_proxies_contains(const lv_trusted_proxies *tp, const char *addr)
{
    uint8_t a[16];
    return addr && parse_ip(addr, strlen(addr), a) && trusted(tp, a);
}

/* ---- the chain ---- */

typedef struct hop {
    bool valid;
    uint8_t addr[16];
} hop;

typedef struct chain {
    hop *hops;
    size_t count;
} chain;

static void chain_add(chain *c, bool valid, const uint8_t addr[16])
{
    c->hops = lv_xrealloc(c->hops, (c->count + 1) * sizeof *c->hops);
    c->hops[c->count].valid = valid;
    if (valid) memcpy(c->hops[c->count].addr, addr, 16);
    c->count++;
}

static void chain_x_forwarded_for(const char *value, chain *c)
{
    const char *p = value;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        trim(&s, &len);
        uint8_t a[16];
        bool ok = parse_hop(s, len, a);
        chain_add(c, ok, a);
        if (!comma) break;
        p = comma + 1;
    }
}

/* The for= value of one Forwarded element (len bytes), unquoted. */
static bool forwarded_for(const char *s, size_t len, uint8_t out[16])
{
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        bool quoted = false;
        while (i < len && (quoted || s[i] != ';')) {
            if (s[i] == '"') quoted = !quoted;
            i++;
        }
        const char *pair = s + start;
        size_t pair_len = i - start;
        trim(&pair, &pair_len);
        i++; /* past ';' */
        if (pair_len < 4 || strncasecmp(pair, "for=", 4) != 0) continue;
        const char *v = pair + 4;
        size_t v_len = pair_len - 4;
        if (v_len >= 2 && v[0] == '"' && v[v_len - 1] == '"') {
            v++;
            v_len -= 2;
            if (memchr(v, '\\', v_len) || memchr(v, '"', v_len)) return false;
        }
        return parse_hop(v, v_len, out);
    }
    return false;
}

static void chain_forwarded(const char *value, chain *c)
{
    const char *p = value;
    size_t len = strlen(value), i = 0;
    while (i <= len) {
        size_t start = i;
        bool quoted = false;
        while (i < len && (quoted || p[i] != ',')) {
            if (p[i] == '"') quoted = !quoted;
            i++;
        }
        uint8_t a[16];
        bool ok = forwarded_for(p + start, i - start, a);
        chain_add(c, ok, a);
        i++;
    }
}

/* Walks the chain (the peer last) as proxy.h says; returns the client's
 * hop. */
static const uint8_t *walk(const lv_trusted_proxies *tp, const chain *c, const uint8_t peer[16])
{
    const uint8_t *last = peer;
    for (size_t i = c->count; i-- > 0;) {
        if (!c->hops[i].valid) return last;
        if (!trusted(tp, c->hops[i].addr)) return c->hops[i].addr;
        last = c->hops[i].addr;
    }
    return last;
}

static void format_ip(const uint8_t a[16], char out[LV_IP_TEXT_MAX])
{
    if (is_v4_mapped(a))
        inet_ntop(AF_INET, a + 12, out, LV_IP_TEXT_MAX);
    else
        inet_ntop(AF_INET6, a, out, LV_IP_TEXT_MAX);
}

static void copy_peer(const char *peer, char out[LV_IP_TEXT_MAX])
{
    snprintf(out, LV_IP_TEXT_MAX, "%s", peer ? peer : "");
}

void lv_client_address(const lv_trusted_proxies *tp, const char *peer, const char *x_forwarded_for,
                       const char *forwarded, char out[LV_IP_TEXT_MAX])
{
    uint8_t peer_addr[16];
    if (!peer || !parse_ip(peer, strlen(peer), peer_addr) || !trusted(tp, peer_addr) ||
        (!x_forwarded_for && !forwarded)) {
        copy_peer(peer, out);
        return;
    }
    const uint8_t *answers[2] = {NULL, NULL};
    chain chains[2] = {{NULL, 0}, {NULL, 0}};
    if (x_forwarded_for) {
        chain_x_forwarded_for(x_forwarded_for, &chains[0]);
        answers[0] = walk(tp, &chains[0], peer_addr);
    }
    if (forwarded) {
        chain_forwarded(forwarded, &chains[1]);
        answers[1] = walk(tp, &chains[1], peer_addr);
    }
    const uint8_t *client = answers[0] ? answers[0] : answers[1];
    if (answers[0] && answers[1] && memcmp(answers[0], answers[1], 16) != 0) client = NULL;
    if (!client || client == peer_addr)
        copy_peer(peer, out);
    else
        format_ip(client, out);
    free(chains[0].hops);
    free(chains[1].hops);
}
