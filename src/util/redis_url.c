/* redis://[[user]:password@]host[:port][/db], the form redis-cli and most
 * clients accept. No percent-decoding and no query options: a password
 * holding '@' or '/' is not supported (docs/configuration.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/redis_url.h"

static int fail(lv_redis_url *url, char *err, size_t err_cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(lv_redis_url *url, char *err, size_t err_cap, const char *fmt, ...)
{
    lv_redis_url_free(url);
    if (err && err_cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A decimal number in [min, max] spelled by exactly s[0..len). */
static int parse_number(const char *s, size_t len, long min, long max, long *out)
{
    if (len == 0 || len > 10) return -1;
    long n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        n = n * 10 + (s[i] - '0');
    }
    if (n < min || n > max) return -1;
    *out = n;
    return 0;
}

static int host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

int lv_redis_url_parse(const char *text, lv_redis_url *url, char *err, size_t err_cap)
{
    memset(url, 0, sizeof *url);
    static const char scheme[] = "redis://";
    if (!text || strncmp(text, scheme, sizeof scheme - 1) != 0)
        return fail(url, err, err_cap, "must start with redis:// (redis://host:port[/db])");
    const char *p = text + sizeof scheme - 1;
    const char *end = p + strlen(p);
    for (const char *c = p; c < end; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f || *c == '?' || *c == '#')
            return fail(url, err, err_cap, "may not hold spaces, control characters, '?' or '#'");

    /* The authority ends at the first '/'; credentials before its last '@'. */
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *auth_end = slash ? slash : end;
    const char *at = NULL;
    for (const char *c = p; c < auth_end; c++)
        if (*c == '@') at = c;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon) return fail(url, err, err_cap, "credentials must be :password@ or user:password@");
        if (colon > p) url->username = lv_xstrndup(p, (size_t)(colon - p));
        if (at - colon - 1 == 0) return fail(url, err, err_cap, "the password after ':' is empty");
        url->password = lv_xstrndup(colon + 1, (size_t)(at - colon - 1));
        p = at + 1;
    }

    const char *host_end;
    const char *port_at = NULL;
    if (*p == '[') { /* [IPv6] */
        const char *close = memchr(p, ']', (size_t)(auth_end - p));
        if (!close || close == p + 1) return fail(url, err, err_cap, "an IPv6 host needs [address]");
        for (const char *c = p + 1; c < close; c++)
            if (!(host_char_ok(*c) || *c == ':') || *c == '_')
                return fail(url, err, err_cap, "the IPv6 host holds an unexpected character");
        url->host = lv_xstrndup(p + 1, (size_t)(close - p - 1));
        host_end = close + 1;
        if (host_end < auth_end && *host_end != ':')
            return fail(url, err, err_cap, "unexpected text after the IPv6 host");
    } else {
        host_end = memchr(p, ':', (size_t)(auth_end - p));
        if (!host_end) host_end = auth_end;
        if (host_end == p) return fail(url, err, err_cap, "the host is missing (redis://host:port)");
        for (const char *c = p; c < host_end; c++)
            if (!host_char_ok(*c)) return fail(url, err, err_cap, "the host holds an unexpected character");
        url->host = lv_xstrndup(p, (size_t)(host_end - p));
    }
    if (host_end < auth_end) port_at = host_end + 1;

    long n = LV_REDIS_DEFAULT_PORT;
    if (port_at && parse_number(port_at, (size_t)(auth_end - port_at), 1, 65535, &n) != 0)
        return fail(url, err, err_cap, "the port must be a number from 1 to 65535");
    url->port = (int)n;

    n = 0;
    if (slash && slash + 1 < end && parse_number(slash + 1, (size_t)(end - slash - 1), 0, 1000000, &n) != 0)
        return fail(url, err, err_cap, "the database after '/' must be a number (redis://host:port/0)");
    url->db = (int)n;
    return 0;
}

void lv_redis_url_copy(lv_redis_url *dst, const lv_redis_url *src)
{
    *dst = *src;
    dst->host = src->host ? lv_xstrdup(src->host) : NULL;
    dst->username = src->username ? lv_xstrdup(src->username) : NULL;
    dst->password = src->password ? lv_xstrdup(src->password) : NULL;
}

void lv_redis_url_free(lv_redis_url *url)
{
    if (url->password) memset(url->password, 0, strlen(url->password));
    free(url->host);
    free(url->username);
    free(url->password);
    memset(url, 0, sizeof *url);
}
