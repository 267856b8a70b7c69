/* The allow-list of external redirect hosts (redirect.h). Pure decisions,
 * no allocation. */
#include "security/redirect.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

/* True for "host" or "host:port" with a non-empty host and 1-5 digits. */
static bool valid_host_port(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && host_char((unsigned char)s[i])) i++;
    if (i == 0) return false;
    if (i == n) return true;
    if (s[i] != ':') return false;
    size_t digits = n - i - 1;
    if (digits < 1 || digits > 5) return false;
    for (size_t k = i + 1; k < n; k++)
        if (s[k] < '0' || s[k] > '9') return false;
    return true;
}

/* Calls back with each trimmed entry of a comma-separated list; stops and
 * returns true when the callback does. */
typedef bool (*entry_fn)(const char *entry, size_t len, void *ctx);

static bool each_entry(const char *list, entry_fn fn, void *ctx)
{
    const char *p = list ? list : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        const char *start = p, *end = p + n;
        while (start < end && (*start == ' ' || *start == '\t')) start++;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        if (fn(start, (size_t)(end - start), ctx)) return true;
        p += n;
        if (*p == ',') p++;
    }
    return false;
}

static bool entry_invalid(const char *entry, size_t len, void *ctx)
{
    (void)ctx;
    return !valid_host_port(entry, len);
}

int lv_redirect_hosts_check(const char *list, char *err, size_t err_len)
{
    if (!list || !*list) return 0;
    if (list[strlen(list) - 1] == ',' || each_entry(list, entry_invalid, NULL)) {
        snprintf(err, err_len,
                 "allowed_redirect_hosts: every entry must be host or host:port (letters, digits, '.', '-', '_')");
        return -1;
    }
    return 0;
}

typedef struct authority {
    const char *host; /* host[:port] of the URL */
    size_t len;
    size_t host_len;  /* without ":port" */
} authority;

static bool entry_matches(const char *entry, size_t len, void *ctx)
{
    const authority *a = ctx;
    bool entry_has_port = memchr(entry, ':', len) != NULL;
    size_t want = entry_has_port ? a->len : a->host_len;
    return len == want && strncasecmp(entry, a->host, len) == 0;
}

bool lv_redirect_external_allowed(const char *url, const char *list)
{
    if (!url || !list || !*list) return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '\\') return false;
    size_t scheme = strncasecmp(url, "https://", 8) == 0 ? 8 : strncasecmp(url, "http://", 7) == 0 ? 7 : 0;
    if (!scheme) return false;
    authority a = {.host = url + scheme};
    a.len = strcspn(a.host, "/?#");
    if (!valid_host_port(a.host, a.len)) return false; /* rejects userinfo ('@') and [v6] too */
    const char *colon = memchr(a.host, ':', a.len);
    a.host_len = colon ? (size_t)(colon - a.host) : a.len;
    return each_entry(list, entry_matches, &a);
}
