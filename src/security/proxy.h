/* Which address a request comes from when it may have passed through
 * reverse proxies (nginx, Caddy, a load balancer).
 *
 * The TCP peer is the last hop and cannot be forged. A proxy in front says
 * who it talked to in X-Forwarded-For ("client, proxy1, proxy2") or in
 * Forwarded (RFC 7239: for=client, for=proxy1). Anyone can send those
 * headers, so they are read only when the peer is a trusted proxy by
 * configuration (lv_config.trusted_proxies: addresses and CIDR ranges, IPv4
 * and IPv6). The chain (the header's hops, then the peer) is then walked
 * from the right, skipping trusted proxies: the first untrusted hop is the
 * client, since everything to its left was written by that client and
 * everything to its right by proxies we trust. Walking stops at a hop that
 * is not an address ("unknown", an obfuscated name, garbage), and the
 * client is then the last hop read (a trusted one). When a request carries
 * both headers, each is walked; if they disagree, one of them was written
 * by the client and neither is believed (the peer address is the answer).
 *
 * Pure functions: no I/O, no DNS. */
#ifndef LV_SECURITY_PROXY_H
#define LV_SECURITY_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address range: 16 bytes (an IPv4 address is IPv4-mapped IPv6,
 * ::ffff:a.b.c.d, so one comparison serves both) and a prefix length over
 * those 128 bits. */
typedef struct lv_ip_range {
    uint8_t addr[16];
    unsigned prefix_bits;
} lv_ip_range;

typedef struct lv_trusted_proxies {
    lv_ip_range *ranges; /* owned */
    size_t count;
} lv_trusted_proxies;

/* The longest address text the functions below write, with its NUL. */
#define LV_IP_TEXT_MAX 46

/* Parses a comma-separated list of addresses and CIDR ranges
 * ("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8"). NULL or blank gives an empty
 * list (no proxy trusted). Returns 0, or -1 with a message in err naming
 * the bad entry; *out then holds nothing to free. */
int lv_trusted_proxies_parse(lv_trusted_proxies *out, const char *list, char *err, size_t err_size);
void lv_trusted_proxies_free(lv_trusted_proxies *tp);

/* True when addr (an IPv4 or IPv6 address as text) is in one of the
 * ranges; false for anything that is not an address. */
bool lv_trusted_proxies_contains(const lv_trusted_proxies *tp, const char *addr);

/* The client's address for a request from `peer` (the TCP peer's address as
 * text) with these header values (NULL when absent; several header lines of
 * one name joined with ", "), decided as the top of this file says. Writes
 * the address into out (at least LV_IP_TEXT_MAX bytes), in canonical form
 * when it came from a header; the peer text is copied as given. */
void lv_client_address(const lv_trusted_proxies *tp, const char *peer, const char *x_forwarded_for,
                       const char *forwarded, char out[LV_IP_TEXT_MAX]);

#endif
