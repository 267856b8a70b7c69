#include "security/origin.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define PORT_HTTP 80
#define PORT_HTTPS 443
#define PORT_ANY (-1)

/* A host[:port] inside a string that is not ours: nothing is copied, so
 * checking an Origin never allocates. */
typedef struct authority {
    const char *host; /* IPv6 literals keep their brackets */
    size_t host_len;
    bool wildcard;    /* host began with "*." (only where allowed) */
    int port;         /* PORT_ANY when no port was written */
} authority;

/* A parsed Origin header or allow-list entry. */
typedef struct origin_parts {
    const char *scheme; /* "http", "https", or NULL for a scheme-less entry */
    authority auth;
} origin_parts;

static bool is_ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Locale-independent: hosts are ASCII (browsers send IDNs as punycode), and
 * tolower() under some locales would fold bytes we must treat as invalid. */
static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_case_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len) return false;
    for (size_t i = 0; i < a_len; i++)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

static int default_port(const char *scheme)
{
    return strcmp(scheme, "https") == 0 ? PORT_HTTPS : PORT_HTTP;
}

/* Ports are 1-65535 in plain decimal without leading zeros (a browser
 * never pads one, so ":04000" is not a port it sent); the digit cap keeps
 * the arithmetic from overflowing on hostile input. */
static bool parse_port(const char *s, size_t n, int *out)
{
    if (n == 0 || n > 5 || s[0] == '0') return false;
    int value = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        value = value * 10 + (s[i] - '0');
    }
    if (value < 1 || value > 65535) return false;
    *out = value;
    return true;
}

/* Letters, digits, '-' and '_' in non-empty dot-separated labels. Anything
 * else (userinfo, a path, whitespace, percent-escapes, non-ASCII) has no
 * business in a host and is refused rather than interpreted. */
static bool valid_dns_host(const char *s, size_t n, const char **why)
{
    size_t label_len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label_len == 0) {
                *why = "empty label in host";
                return false;
            }
            label_len = 0;
        } else if (is_ascii_alnum(c) || c == '-' || c == '_') {
            label_len++;
        } else {
            *why = c == '*' ? "'*' is only allowed as a leading \"*.\" label"
                            : "invalid character in host";
            return false;
        }
    }
    if (label_len == 0) {
        *why = n == 0 ? "empty host" : "empty label in host";
        return false;
    }
    return true;
}

/* "[" hex digits, ':' and '.' "]": an IPv6 literal as browsers serialize
 * it. Zone ids ("%25eth0") never appear in an Origin and are refused. */
static bool valid_ipv6_literal(const char *s, size_t n)
{
    if (n < 4 || s[0] != '[' || s[n - 1] != ']') return false;
    bool has_colon = false;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == ':')
            has_colon = true;
        else if (!is_hex_digit(s[i]) && s[i] != '.')
            return false;
    }
    return has_colon;
}

/* Parses host[:port], the whole of s. With allow_wildcard, a leading "*."
 * label makes a wildcard (the host is then what follows the dot). */
static bool parse_authority(const char *s, size_t n, bool allow_wildcard, authority *out,
                            const char **why)
{
    *out = (authority){.port = PORT_ANY};
    if (n == 0) {
        *why = "empty host";
        return false;
    }
    /* Named first, so that the messages point at the actual mistake. */
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '@') {
            *why = "userinfo ('@') is not allowed";
            return false;
        }
        if (s[i] == '/' || s[i] == '?' || s[i] == '#') {
            *why = "a path, query or fragment is not allowed";
            return false;
        }
    }

    size_t host_len;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (close == NULL) {
            *why = "unterminated IPv6 literal";
            return false;
        }
        host_len = (size_t)(close - s) + 1;
        if (!valid_ipv6_literal(s, host_len)) {
            *why = "invalid IPv6 literal";
            return false;
        }
    } else {
        const char *colon = memchr(s, ':', n);
        host_len = colon ? (size_t)(colon - s) : n;
        const char *host = s;
        size_t dns_len = host_len;
        if (allow_wildcard && host_len >= 2 && s[0] == '*' && s[1] == '.') {
            out->wildcard = true;
            host += 2;
            dns_len -= 2;
        }
        if (!valid_dns_host(host, dns_len, why)) return false;
    }

    if (host_len < n) {
        if (s[host_len] != ':' || !parse_port(s + host_len + 1, n - host_len - 1, &out->port)) {
            *why = "the port must be a number from 1 to 65535";
            return false;
        }
    }
    out->host = s;
    out->host_len = host_len;
    if (out->wildcard) {
        out->host += 2;
        out->host_len -= 2;
    }
    return true;
}

/* Parses "scheme://authority" (scheme http or https, any case) or, when
 * allow_schemeless, "//authority". The port is left PORT_ANY when absent;
 * callers decide what that means. */
static bool parse_origin_text(const char *s, size_t n, bool allow_schemeless, bool allow_wildcard,
                              origin_parts *out, const char **why)
{
    size_t rest;
    if (allow_schemeless && n >= 2 && s[0] == '/' && s[1] == '/') {
        out->scheme = NULL;
        rest = 2;
    } else if (n >= 7 && ascii_case_equal(s, 7, "http://", 7)) {
        out->scheme = "http";
        rest = 7;
    } else if (n >= 8 && ascii_case_equal(s, 8, "https://", 8)) {
        out->scheme = "https";
        rest = 8;
    } else {
        const char *separator = memchr(s, ':', n);
        if (separator != NULL && (size_t)(separator - s) + 3 <= n && separator[1] == '/'
            && separator[2] == '/')
            *why = "the scheme must be http or https (an Origin has no other)";
        else
            *why = allow_schemeless ? "expected http://host, https://host or //host"
                                    : "expected http://host or https://host";
        return false;
    }
    return parse_authority(s + rest, n - rest, allow_wildcard, &out->auth, why);
}

static void set_error(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

static char *lowercase_copy(const char *s, size_t n)
{
    char *copy = lv_xstrndup(s, n);
    for (size_t i = 0; i < n; i++) copy[i] = ascii_lower(copy[i]);
    return copy;
}

/* Entries quoted in messages are cut short: they come from configuration,
 * but a megabyte-long one should not make a megabyte-long log line. */
#define QUOTE_MAX 80

static bool parse_rule(const char *entry, size_t n, lv_origin_rule *rule, char *err,
                       size_t err_len)
{
    origin_parts parts;
    const char *why = NULL;
    if (n == 0) {
        set_error(err, err_len, "check_origin: empty entry in the list");
        return false;
    }
    if (!parse_origin_text(entry, n, true, true, &parts, &why)) {
        int shown = n > QUOTE_MAX ? QUOTE_MAX : (int)n;
        set_error(err, err_len, "check_origin: \"%.*s%s\": %s", shown, entry,
                  n > QUOTE_MAX ? "..." : "", why);
        return false;
    }
    rule->scheme = parts.scheme ? lv_xstrdup(parts.scheme) : NULL;
    rule->host = lowercase_copy(parts.auth.host, parts.auth.host_len);
    rule->wildcard = parts.auth.wildcard;
    /* Only a scheme-less rule may leave the port open; with a scheme the
     * omitted port is that scheme's default, as a browser would send it. */
    rule->port = parts.auth.port;
    if (rule->port == PORT_ANY && parts.scheme != NULL) rule->port = default_port(parts.scheme);
    return true;
}

int lv_origin_policy_parse(lv_origin_policy *p, const char *list, char *err, size_t err_len)
{
    p->rules = NULL;
    p->count = 0;
    if (err != NULL && err_len > 0) err[0] = '\0';
    if (list == NULL) return 0;

    const char *end = list + strlen(list);
    const char *first = list;
    while (first < end && is_blank(*first)) first++;
    if (first == end) return 0; /* blank: the same-origin policy, as for "" */

    size_t capacity = 1;
    for (const char *c = list; c < end; c++)
        if (*c == ',') capacity++;
    p->rules = lv_xcalloc(capacity, sizeof *p->rules);

    const char *entry = list;
    for (;;) {
        const char *comma = memchr(entry, ',', (size_t)(end - entry));
        const char *entry_end = comma ? comma : end;
        const char *a = entry;
        const char *b = entry_end;
        while (a < b && is_blank(*a)) a++;
        while (b > a && is_blank(b[-1])) b--;
        if (!parse_rule(a, (size_t)(b - a), &p->rules[p->count], err, err_len)) {
            lv_origin_policy_free(p);
            return -1;
        }
        p->count++;
        if (comma == NULL) break;
        entry = comma + 1;
    }
    return 0;
}

void lv_origin_policy_free(lv_origin_policy *p)
{
    if (p == NULL) return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->rules[i].scheme);
        free(p->rules[i].host);
    }
    free(p->rules);
    p->rules = NULL;
    p->count = 0;
}

static bool rule_matches(const lv_origin_rule *rule, const char *scheme, const authority *origin)
{
    if (rule->scheme != NULL && strcmp(rule->scheme, scheme) != 0) return false;
    if (rule->port != PORT_ANY && rule->port != origin->port) return false;

    size_t rule_host_len = strlen(rule->host);
    if (!rule->wildcard)
        return ascii_case_equal(origin->host, origin->host_len, rule->host, rule_host_len);

    /* At least one label, then a dot, then the domain: the dot is what
     * CVE-2022-42975 was missing ("api.any-other.com" vs "*.other.com"). */
    if (origin->host_len < rule_host_len + 2) return false;
    size_t suffix_at = origin->host_len - rule_host_len;
    return origin->host[suffix_at - 1] == '.'
           && ascii_case_equal(origin->host + suffix_at, rule_host_len, rule->host,
                               rule_host_len);
}

/* The Host header names the authority the client thinks it is talking to;
 * the Origin must name the same one, reached with the same scheme. Host
 * carries no scheme, so an omitted port there means the server scheme's
 * default (behind a TLS-terminating proxy the server learns "https" from
 * its configuration or the proxy, see lv_socket_admit). */
static bool same_origin(const char *scheme, const authority *origin, const char *host_header,
                        const char *server_scheme)
{
    if (host_header == NULL || strcmp(scheme, server_scheme) != 0) return false;
    const char *a = host_header;
    const char *b = host_header + strlen(host_header);
    while (a < b && is_blank(*a)) a++;
    while (b > a && is_blank(b[-1])) b--;

    authority host;
    const char *why;
    if (!parse_authority(a, (size_t)(b - a), false, &host, &why)) return false;
    int host_port = host.port == PORT_ANY ? default_port(scheme) : host.port;
    return origin->port == host_port
           && ascii_case_equal(origin->host, origin->host_len, host.host, host.host_len);
}

bool lv_origin_allowed(const lv_origin_policy *p, const char *origin, const char *host, const char *scheme)
{
    const char *server_scheme = scheme && strcmp(scheme, "https") == 0 ? "https" : "http";
    if (origin == NULL) return true; /* not a browser: no ambient cookies to abuse */

    origin_parts parts;
    const char *why;
    /* "null", "", paths, userinfo, bad ports and whitespace all fail here. */
    if (!parse_origin_text(origin, strlen(origin), false, false, &parts, &why)) return false;
    if (parts.auth.port == PORT_ANY) parts.auth.port = default_port(parts.scheme);

    if (p == NULL || p->count == 0) return same_origin(parts.scheme, &parts.auth, host, server_scheme);
    for (size_t i = 0; i < p->count; i++)
        if (rule_matches(&p->rules[i], parts.scheme, &parts.auth)) return true;
    return false;
}

/* ---- the Host allow-list ---- */

static bool parse_host_header(const char *host_header, authority *out)
{
    if (host_header == NULL) return false;
    const char *a = host_header;
    const char *b = host_header + strlen(host_header);
    while (a < b && is_blank(*a)) a++;
    while (b > a && is_blank(b[-1])) b--;
    const char *why;
    return parse_authority(a, (size_t)(b - a), false, out, &why);
}

bool lv_host_well_formed(const char *host)
{
    authority parsed;
    return parse_host_header(host, &parsed);
}

int lv_host_allowlist_parse(lv_host_allowlist *out, const char *list, char *err, size_t err_len)
{
    *out = (lv_host_allowlist){0};
    if (err != NULL && err_len > 0) err[0] = '\0';
    if (list == NULL) return 0;
    size_t capacity = 1;
    for (const char *c = list; *c; c++)
        if (*c == ',') capacity++;
    const char *end = list + strlen(list);
    const char *entry = list;
    for (;;) {
        const char *comma = memchr(entry, ',', (size_t)(end - entry));
        const char *a = entry, *b = comma ? comma : end;
        while (a < b && is_blank(*a)) a++;
        while (b > a && is_blank(b[-1])) b--;
        if (a < b) {
            authority parsed;
            const char *why = NULL;
            if (!parse_authority(a, (size_t)(b - a), false, &parsed, &why)) {
                int n = (int)(b - a), shown = n > QUOTE_MAX ? QUOTE_MAX : n;
                set_error(err, err_len, "allowed_hosts: \"%.*s%s\": %s", shown, a, n > QUOTE_MAX ? "..." : "", why);
                lv_host_allowlist_free(out);
                return -1;
            }
            if (!out->hosts) out->hosts = lv_xcalloc(capacity, sizeof *out->hosts);
            out->hosts[out->count++] = (lv_origin_rule){
                .host = lowercase_copy(parsed.host, parsed.host_len), .port = parsed.port};
        } else if (comma || out->count) {
            set_error(err, err_len, "allowed_hosts: empty entry in the list");
            lv_host_allowlist_free(out);
            return -1;
        }
        if (comma == NULL) break;
        entry = comma + 1;
    }
    return 0;
}

void lv_host_allowlist_free(lv_host_allowlist *l)
{
    if (l == NULL) return;
    for (size_t i = 0; i < l->count; i++) free(l->hosts[i].host);
    free(l->hosts);
    *l = (lv_host_allowlist){0};
}

bool lv_host_allowed(const lv_host_allowlist *l, const char *host)
{
    if (l == NULL || l->count == 0) return true;
    authority parsed;
    if (!parse_host_header(host, &parsed)) return false;
    for (size_t i = 0; i < l->count; i++) {
        const lv_origin_rule *r = &l->hosts[i];
        if ((r->port == PORT_ANY || r->port == parsed.port) &&
            ascii_case_equal(parsed.host, parsed.host_len, r->host, strlen(r->host)))
            return true;
    }
    return false;
}
