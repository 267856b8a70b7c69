/* LV_REDIS_URL (lv_config.redis_url): where the Redis broker connects.
 * Parsed once in lv_app_new, so a mistake is an error at start, not a
 * broker that retries forever. Pure: no I/O. */
#ifndef LV_UTIL_REDIS_URL_H
#define LV_UTIL_REDIS_URL_H

#include <stddef.h>

#define LV_REDIS_DEFAULT_PORT 6379

typedef struct lv_redis_url {
    char *host;     /* owned; a name, an IPv4 address or an IPv6 one (no brackets) */
    int port;       /* 1..65535; 6379 when the URL names none */
    char *username; /* owned or NULL: Redis 6 ACL user (redis://user:pass@...) */
    char *password; /* owned or NULL */
    int db;         /* the /db number, 0 by default (key commands only: pub/sub ignores it) */
} lv_redis_url;

/* Parses redis://[[user]:password@]host[:port][/db]. Returns 0 and fills
 * *url (free with lv_redis_url_free), or -1 with *url zeroed and the reason
 * in err (NUL-terminated, at most err_cap bytes). */
int lv_redis_url_parse(const char *text, lv_redis_url *url, char *err, size_t err_cap);
/* A deep copy of src into *dst (free with lv_redis_url_free). */
void lv_redis_url_copy(lv_redis_url *dst, const lv_redis_url *src);
/* Frees what *url owns (the password is wiped first) and zeroes it. */
void lv_redis_url_free(lv_redis_url *url);

#endif
