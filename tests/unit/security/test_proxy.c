#include <criterion/criterion.h>
#include <string.h>

#include "security/proxy.h"

static lv_trusted_proxies proxies_of(const char *list)
{
    lv_trusted_proxies tp;
    char err[160];
    cr_assert_eq(lv_trusted_proxies_parse(&tp, list, err, sizeof err), 0, "\"%s\": %s", list, err);
    return tp;
}

/* The client address for peer and headers with these trusted proxies. */
static const char *client(const char *list, const char *peer, const char *xff, const char *fwd)
{
    static char out[LV_IP_TEXT_MAX];
    lv_trusted_proxies tp = proxies_of(list);
    lv_client_address(&tp, peer, xff, fwd, out);
    lv_trusted_proxies_free(&tp);
    return out;
}

#define CLIENT(expected, list, peer, xff, fwd) \
    cr_assert_str_eq(client(list, peer, xff, fwd), expected, "[%s] peer %s xff %s fwd %s", list, peer, \
                     xff ? xff : "-", fwd ? fwd : "-")

Test(trusted_proxies, parses_addresses_and_ranges)
{
    lv_trusted_proxies tp = proxies_of(" 127.0.0.1, 10.0.0.0/8,::1 , fd00::/8,192.168.1.7/32,");
    cr_assert_eq(tp.count, 5);
    cr_assert(lv_trusted_proxies_contains(&tp, "127.0.0.1"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, "127.0.0.2"));
    cr_assert(lv_trusted_proxies_contains(&tp, "10.200.3.4"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, "11.0.0.1"));
    cr_assert(lv_trusted_proxies_contains(&tp, "::1"));
    cr_assert(lv_trusted_proxies_contains(&tp, "fd12:3456::1"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, "fe80::1"));
    cr_assert(lv_trusted_proxies_contains(&tp, "192.168.1.7"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, "192.168.1.8"));
    /* An IPv4 peer seen through an IPv6 socket is the same address. */
    cr_assert(lv_trusted_proxies_contains(&tp, "::ffff:10.1.2.3"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, "not an address"));
    cr_assert_not(lv_trusted_proxies_contains(&tp, NULL));
    lv_trusted_proxies_free(&tp);
}

Test(trusted_proxies, host_bits_of_a_range_are_ignored)
{
    lv_trusted_proxies tp = proxies_of("10.1.2.3/8, 0.0.0.0/0");
    cr_assert(lv_trusted_proxies_contains(&tp, "10.9.9.9"));
    cr_assert(lv_trusted_proxies_contains(&tp, "203.0.113.9"), "/0 is every IPv4 address");
    cr_assert_not(lv_trusted_proxies_contains(&tp, "2001:db8::1"), "but no IPv6 one");
    lv_trusted_proxies_free(&tp);
}

Test(trusted_proxies, empty_lists_trust_nobody)
{
    const char *lists[] = {NULL, "", "   "};
    for (size_t i = 0; i < 3; i++) {
        lv_trusted_proxies tp = proxies_of(lists[i]);
        cr_assert_eq(tp.count, 0);
        cr_assert_not(lv_trusted_proxies_contains(&tp, "127.0.0.1"));
        lv_trusted_proxies_free(&tp);
    }
}

Test(trusted_proxies, malformed_entries_are_refused_with_the_entry_named)
{
    const char *bad[] = {"10.0.0.0/33", "::/129", "10.0.0.0/x", "10.0.0.0/", "localhost", "1.2.3",
                         "10.0.0.1,,10.0.0.2", "1.2.3.4/8/8", "10.0.0.1 10.0.0.2", "[::1]"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        lv_trusted_proxies tp;
        char err[160] = "";
        cr_assert_eq(lv_trusted_proxies_parse(&tp, bad[i], err, sizeof err), -1, "%s accepted", bad[i]);
        cr_assert_neq(err[0], '\0');
        cr_assert_eq(tp.count, 0);
        cr_assert_null(tp.ranges);
    }
    lv_trusted_proxies tp;
    char err[160];
    lv_trusted_proxies_parse(&tp, "127.0.0.1, bogus", err, sizeof err);
    cr_assert(strstr(err, "bogus"), "%s", err);
}

Test(client_address, without_trusted_proxies_the_headers_are_ignored)
{
    CLIENT("203.0.113.5", "", "203.0.113.5", "1.2.3.4", NULL);
    CLIENT("203.0.113.5", "", "203.0.113.5", NULL, "for=1.2.3.4");
    CLIENT("127.0.0.1", NULL, "127.0.0.1", "1.2.3.4", "for=1.2.3.4");
}

Test(client_address, spoofed_headers_from_an_untrusted_peer_are_ignored)
{
    /* The proxy is 10.0.0.1; this request came straight from the internet. */
    CLIENT("198.51.100.7", "10.0.0.1", "198.51.100.7", "10.0.0.99", NULL);
    CLIENT("198.51.100.7", "10.0.0.1", "198.51.100.7", "1.2.3.4, 10.0.0.1", "for=1.2.3.4");
}

Test(client_address, a_trusted_peer_names_the_client)
{
    CLIENT("203.0.113.9", "127.0.0.1", "127.0.0.1", "203.0.113.9", NULL);
    CLIENT("203.0.113.9", "127.0.0.1", "127.0.0.1", NULL, "for=203.0.113.9;proto=https");
    CLIENT("2001:db8::17", "::1", "::1", NULL, "For=\"[2001:db8:0::17]:4711\"");
    CLIENT("2001:db8::17", "::1", "::1", "2001:db8::17", NULL);
    CLIENT("203.0.113.9", "127.0.0.1", "127.0.0.1", " 203.0.113.9:5555 ", NULL);
    CLIENT("2001:db8::1", "127.0.0.1", "127.0.0.1", "[2001:db8::1]:80", NULL);
    /* A peer seen as IPv4-mapped IPv6 is still the trusted proxy. */
    CLIENT("203.0.113.9", "127.0.0.1", "::ffff:127.0.0.1", "203.0.113.9", NULL);
}

Test(client_address, the_right_most_untrusted_hop_is_the_client)
{
    /* The client put 6.6.6.6 in the header itself; our proxies appended the rest. */
    CLIENT("203.0.113.9", "10.0.0.0/8", "10.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2", NULL);
    CLIENT("203.0.113.9", "10.0.0.0/8", "10.0.0.1", NULL,
           "for=6.6.6.6, for=203.0.113.9;by=10.0.0.2, for=10.0.0.2");
    /* Every hop trusted: the left-most is the client (an internal one). */
    CLIENT("10.0.0.5", "10.0.0.0/8", "10.0.0.1", "10.0.0.5, 10.0.0.2", NULL);
}

Test(client_address, malformed_hops_stop_the_walk)
{
    /* Garbage to the left of the client is never reached. */
    CLIENT("203.0.113.9", "10.0.0.0/8", "10.0.0.1", "<script>, 203.0.113.9", NULL);
    CLIENT("203.0.113.9", "10.0.0.0/8", "10.0.0.1", "unknown, 203.0.113.9", NULL);
    /* Reached: the client is the last hop read. */
    CLIENT("10.0.0.5", "10.0.0.0/8", "10.0.0.1", "bogus, 10.0.0.5", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", "203.0.113.9, 1.2.3.4.5", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", "", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", ",", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", "1.2.3.4:99999999", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", "[::1", NULL);
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", NULL, "for=unknown");
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", NULL, "for=_hidden");
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", NULL, "proto=https");
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", NULL, "for=\"1.2.3.4\\\"\"");
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", NULL, "for=\"[::1]\", for=\"unterminated");
    char long_value[4096];
    memset(long_value, '1', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    cr_assert_str_eq(client("10.0.0.0/8", "10.0.0.1", long_value, NULL), "10.0.0.1");
}

Test(client_address, headers_that_disagree_are_both_ignored)
{
    /* The proxy sets X-Forwarded-For; the client added a Forwarded header. */
    CLIENT("10.0.0.1", "10.0.0.0/8", "10.0.0.1", "203.0.113.9", "for=6.6.6.6");
    CLIENT("203.0.113.9", "10.0.0.0/8", "10.0.0.1", "203.0.113.9", "for=203.0.113.9");
}

Test(client_address, an_unreadable_peer_is_returned_as_is)
{
    CLIENT("", "0.0.0.0/0", "", "1.2.3.4", NULL);
    CLIENT("", "0.0.0.0/0", NULL, "1.2.3.4", NULL);
}
