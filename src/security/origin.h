// Which Origins may open a WebSocket (the cross-site WebSocket hijacking
// defence, RFC 6455 §10.2; Phoenix's check_origin).
//
// An empty policy means same origin: the Origin's scheme must be the one the
// client reached the server with, and its host and port those of the
// request's Host header (an omitted port is the scheme's default on both
// sides, so http://h, http://h:80 and Host h:80 are one origin; an https://
// Origin for an http:// server is another). Otherwise the Origin must match one entry of the
// allow-list. Entries (comma-separated in the configuration):
//   https://app.example.com       scheme, host and port (default port of the
//                                 scheme when omitted) must all match
//   //app.example.com             any scheme, that host, any port
//   //*.example.com               any subdomain of example.com (a dot
//                                 boundary: "evilexample.com" and
//                                 "example.com.evil.com" do not match; the
//                                 bare "example.com" does not either)
//   https://*.example.com:8443    the same with scheme and port fixed
// Matching ignores ASCII case. "null", an empty Origin, an Origin with a
// path, userinfo, or a bad port (0, over 65535, or written with a leading
// zero as ":04000", which no browser sends) never match. A request without any Origin
// header (not a browser) is allowed: it carries no victim's cookies.
// (Line comments because a block comment cannot hold "//*." under -Wcomment.)
#ifndef LV_SECURITY_ORIGIN_H
#define LV_SECURITY_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lv_origin_rule {
    char *scheme; /* NULL: any; lowercase */
    char *host;   /* lowercase; without the "*." of a wildcard */
    bool wildcard;
    int port;     /* -1: any (only for scheme-less rules); else the port */
} lv_origin_rule;

typedef struct lv_origin_policy {
    lv_origin_rule *rules;
    size_t count;
} lv_origin_policy;

/* Parses a comma-separated list (NULL or "" gives the same-origin policy).
 * Returns 0, or -1 with a message in err for a malformed entry. */
int lv_origin_policy_parse(lv_origin_policy *p, const char *list, char *err, size_t err_len);
void lv_origin_policy_free(lv_origin_policy *p);
/* origin: the Origin header or NULL when absent; host: the Host header or
 * NULL; scheme: how the client reached this server, "http" or "https"
 * (NULL: "http"), which a same-origin check compares exactly. */
bool lv_origin_allowed(const lv_origin_policy *p, const char *origin, const char *host, const char *scheme);

/* Host values served (lv_config.allowed_hosts), against DNS rebinding: a
 * page of evil.example whose name now resolves to this server sends
 * "Host: evil.example" and is refused. Entries: host or host:port,
 * comma-separated; a host without a port matches any port. */
typedef struct lv_host_allowlist {
    lv_origin_rule *hosts; /* scheme NULL, wildcard false */
    size_t count;
} lv_host_allowlist;

/* Parses list (NULL or blank: any Host). Returns 0, or -1 with a message in
 * err for a malformed entry. */
int lv_host_allowlist_parse(lv_host_allowlist *out, const char *list, char *err, size_t err_len);
void lv_host_allowlist_free(lv_host_allowlist *l);
/* Whether host (the Host header, or NULL) may be served: always with an
 * empty list; else it must be a well-formed host[:port] matching an entry,
 * ignoring ASCII case. */
bool lv_host_allowed(const lv_host_allowlist *l, const char *host);
/* Whether host is a well-formed host[:port] (safe to repeat in a header). */
bool lv_host_well_formed(const char *host);

#endif
