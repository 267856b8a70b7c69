#include <criterion/criterion.h>
#include <string.h>

#include "security/origin.h"

static lv_origin_policy policy_of(const char *list)
{
    lv_origin_policy p;
    char err[256];
    int rc = lv_origin_policy_parse(&p, list, err, sizeof err);
    cr_assert_eq(rc, 0, "could not parse \"%s\": %s", list, err);
    return p;
}

/* How the client reached the server: "http" unless a test says "https". */
static const char *server_scheme = "http";

static bool allowed(const char *list, const char *origin, const char *host)
{
    lv_origin_policy p = policy_of(list);
    bool result = lv_origin_allowed(&p, origin, host, server_scheme);
    lv_origin_policy_free(&p);
    return result;
}

#define ALLOW(list, origin, host) \
    cr_assert(allowed(list, origin, host), "\"%s\" refused by [%s] (Host %s)", origin, list, host)
#define REFUSE(list, origin, host) \
    cr_assert_not(allowed(list, origin, host), "\"%s\" allowed by [%s] (Host %s)", origin, list, \
                  host)
/* The same checks for a server the client reached over HTTPS. */
#define ALLOW_TLS(list, origin, host) \
    do { \
        server_scheme = "https"; \
        bool ok = allowed(list, origin, host); \
        server_scheme = "http"; \
        cr_assert(ok, "\"%s\" refused by [%s] (Host %s, https)", origin, list, host); \
    } while (0)
#define REFUSE_TLS(list, origin, host) \
    do { \
        server_scheme = "https"; \
        bool ok = allowed(list, origin, host); \
        server_scheme = "http"; \
        cr_assert_not(ok, "\"%s\" allowed by [%s] (Host %s, https)", origin, list, host); \
    } while (0)

/* ---- same origin (no rules) ---- */

Test(origin_same, matching_host)
{
    ALLOW("", "http://example.com", "example.com");
    ALLOW_TLS("", "https://example.com", "example.com");
    ALLOW("", "http://localhost:4000", "localhost:4000");
    ALLOW(NULL, "http://127.0.0.1:4000", "127.0.0.1:4000");
    ALLOW("  ", "http://example.com", "example.com");
}

Test(origin_same, other_host)
{
    REFUSE("", "http://evil.com", "example.com");
    REFUSE("", "http://example.com.evil.com", "example.com");
    REFUSE("", "http://evil.example.com", "example.com");
    REFUSE("", "http://example.co", "example.com");
    REFUSE("", "http://xample.com", "example.com");
}

Test(origin_same, port_mismatch)
{
    REFUSE("", "http://localhost:4001", "localhost:4000");
    REFUSE("", "http://localhost", "localhost:4000");
    REFUSE("", "http://localhost:4000", "localhost");
    REFUSE("", "https://example.com", "example.com:80");
}

Test(origin_same, scheme_default_ports)
{
    ALLOW("", "http://example.com", "example.com:80");
    ALLOW_TLS("", "https://example.com", "example.com:443");
    ALLOW("", "http://example.com:80", "example.com");
    ALLOW_TLS("", "https://example.com:443", "example.com");
    REFUSE("", "http://example.com", "example.com:443");
    REFUSE("", "https://example.com:80", "example.com");
}

/* The review's finding: the scheme was not compared, so an https:// page
 * could open the socket of an http:// server on the same host and port. */
Test(origin_same, the_scheme_must_be_the_servers)
{
    REFUSE("", "https://localhost:4000", "localhost:4000");
    REFUSE("", "https://example.com", "example.com");
    REFUSE("", "https://example.com:443", "example.com:443");
    REFUSE_TLS("", "http://localhost:4000", "localhost:4000");
    REFUSE_TLS("", "http://example.com", "example.com");
    ALLOW_TLS("", "https://localhost:4000", "localhost:4000");
    /* A scheme the server does not know counts as http. */
    cr_assert(lv_origin_allowed(NULL, "http://example.com", "example.com", "gopher"));
    cr_assert_not(lv_origin_allowed(NULL, "https://example.com", "example.com", "gopher"));
}

Test(origin_same, default_ports_normalise_on_both_sides)
{
    ALLOW("", "http://example.com:80", "example.com:80");
    ALLOW_TLS("", "https://example.com", "example.com:443");
    REFUSE_TLS("", "https://example.com", "example.com:80");
    REFUSE_TLS("", "https://example.com:80", "example.com");
    REFUSE("", "http://example.com:443", "example.com");
}

Test(origin_same, zero_padded_ports_are_refused)
{
    REFUSE("", "http://localhost:04000", "localhost:4000");
    REFUSE("", "http://localhost:04000", "localhost:04000");
    REFUSE("", "http://localhost:4000", "localhost:04000");
    REFUSE("", "http://example.com:080", "example.com");
    REFUSE("http://localhost:4000", "http://localhost:04000", "localhost:4000");
    REFUSE("//localhost", "http://localhost:0080", "localhost");
}

Test(origin_same, ipv6_host)
{
    ALLOW("", "http://[::1]:4000", "[::1]:4000");
    ALLOW("", "http://[::1]", "[::1]");
    ALLOW("", "http://[::1]", "[::1]:80");
    ALLOW_TLS("", "https://[2001:DB8::1]", "[2001:db8::1]");
    REFUSE("", "http://[::1]:4000", "[::1]:4001");
    REFUSE("", "http://[::2]:4000", "[::1]:4000");
    REFUSE("", "http://[::1]:4000", "::1:4000");
    REFUSE("", "http://[::1%25eth0]", "[::1%25eth0]");
    REFUSE("", "http://[::1", "[::1");
}

Test(origin_same, case_insensitive)
{
    ALLOW("", "HTTP://EXAMPLE.COM", "example.com");
    ALLOW("", "http://example.com", "Example.COM:80");
    ALLOW_TLS("", "hTTpS://ExAmple.com:8443", "EXAMPLE.com:8443");
}

Test(origin_same, host_header_edge_cases)
{
    ALLOW("", "http://example.com", " example.com ");
    REFUSE("", "http://example.com", NULL);
    REFUSE("", "http://example.com", "");
    REFUSE("", "http://example.com", "example.com:");
    REFUSE("", "http://example.com", "example.com:0");
    REFUSE("", "http://example.com", "user@example.com");
    REFUSE("", "http://example.com", "example.com/");
}

/* ---- allow-list ---- */

Test(origin_list, exact_entries)
{
    const char *list = "https://app.example.com, http://localhost:4000";
    ALLOW(list, "https://app.example.com", "ignored");
    ALLOW(list, "https://app.example.com:443", NULL);
    ALLOW(list, "https://APP.example.COM", NULL);
    ALLOW(list, "http://localhost:4000", NULL);
    REFUSE(list, "http://app.example.com", NULL);
    REFUSE(list, "https://app.example.com:8443", NULL);
    REFUSE(list, "http://localhost", NULL);
    REFUSE(list, "https://localhost:4000", NULL);
    REFUSE(list, "https://example.com", NULL);
    REFUSE(list, "https://x.app.example.com", NULL);
    /* With a list, the Host header no longer decides. */
    REFUSE(list, "https://evil.com", "evil.com");
}

Test(origin_list, scheme_less_entries)
{
    const char *list = "//app.example.com";
    ALLOW(list, "http://app.example.com", NULL);
    ALLOW(list, "https://app.example.com", NULL);
    ALLOW(list, "https://app.example.com:8443", NULL);
    REFUSE(list, "https://example.com", NULL);
    REFUSE(list, "https://app.example.com.evil.com", NULL);

    list = "//app.example.com:888";
    ALLOW(list, "https://app.example.com:888", NULL);
    ALLOW(list, "http://app.example.com:888", NULL);
    REFUSE(list, "https://app.example.com", NULL);
    REFUSE(list, "https://app.example.com:8888", NULL);
}

/* CVE-2022-42975: the wildcard "*.other.com" once matched "api.any-other.com". */
Test(origin_list, wildcard_needs_a_dot_boundary)
{
    REFUSE("//*.other.com", "https://api.any-other.com", NULL);
    REFUSE("//*.example.com", "https://evilexample.com", NULL);
    REFUSE("//*.example.com", "https://example.com.evil.com", NULL);
    REFUSE("//*.example.com", "https://example.com", NULL);
    REFUSE("//*.example.com", "https://.example.com", NULL);
    REFUSE("//*.example.com", "https://xexample.com", NULL);
    ALLOW("//*.other.com", "https://api.other.com", NULL);
    ALLOW("//*.example.com", "https://a.b.example.com", NULL);
    ALLOW("//*.example.com", "http://A.Example.Com:1234", NULL);
    ALLOW("//*.EXAMPLE.com", "http://a.example.com", NULL);
}

Test(origin_list, wildcard_with_scheme_and_port)
{
    const char *list = "https://*.example.com:8443";
    ALLOW(list, "https://a.example.com:8443", NULL);
    REFUSE(list, "https://a.example.com", NULL);
    REFUSE(list, "http://a.example.com:8443", NULL);
    REFUSE(list, "https://example.com:8443", NULL);

    list = "https://*.example.com";
    ALLOW(list, "https://a.example.com", NULL);
    ALLOW(list, "https://a.example.com:443", NULL);
    REFUSE(list, "https://a.example.com:444", NULL);
    REFUSE(list, "http://a.example.com", NULL);
}

Test(origin_list, several_entries)
{
    const char *list = " https://a.com ,//b.com,  //*.c.com ";
    ALLOW(list, "https://a.com", NULL);
    ALLOW(list, "http://b.com:1", NULL);
    ALLOW(list, "http://x.c.com", NULL);
    REFUSE(list, "http://a.com", NULL);
    REFUSE(list, "http://c.com", NULL);
    REFUSE(list, "http://d.com", NULL);
}

Test(origin_list, ipv6_entries)
{
    ALLOW("http://[::1]:4000", "http://[::1]:4000", NULL);
    ALLOW("//[::1]", "https://[::1]:1", NULL);
    REFUSE("http://[::1]:4000", "http://[::1]:4001", NULL);
}

/* ---- Origins that never match ---- */

static void expect_refused_everywhere(const char *origin)
{
    /* Permissive policies, each of which the bad Origin resembles. */
    const char *lists[] = {"", "//example.com", "http://example.com", "//*.example.com",
                           "//*.com"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        REFUSE(lists[i], origin, "example.com");
}

Test(origin_refused, null_and_empty)
{
    expect_refused_everywhere("null");
    expect_refused_everywhere("NULL");
    expect_refused_everywhere("");
    expect_refused_everywhere(" ");
    expect_refused_everywhere("http://");
    expect_refused_everywhere("https://");
    expect_refused_everywhere("//example.com");
    expect_refused_everywhere("example.com");
}

Test(origin_refused, path_query_fragment)
{
    expect_refused_everywhere("http://example.com/");
    expect_refused_everywhere("http://example.com/path");
    expect_refused_everywhere("http://example.com?x=1");
    expect_refused_everywhere("http://example.com#frag");
    expect_refused_everywhere("http://example.com:80/");
    expect_refused_everywhere("http://a.example.com\\evil.com");
}

Test(origin_refused, userinfo)
{
    expect_refused_everywhere("http://user@example.com");
    expect_refused_everywhere("http://example.com@evil.com");
    expect_refused_everywhere("http://user:pass@example.com");
    expect_refused_everywhere("http://a.example.com@evil.com");
}

Test(origin_refused, bad_port)
{
    expect_refused_everywhere("http://example.com:");
    expect_refused_everywhere("http://example.com:0");
    expect_refused_everywhere("http://example.com:65536");
    expect_refused_everywhere("http://example.com:99999999999999999999");
    expect_refused_everywhere("http://example.com:-80");
    expect_refused_everywhere("http://example.com:+80");
    expect_refused_everywhere("http://example.com:8a");
    expect_refused_everywhere("http://example.com:80:80");
    expect_refused_everywhere("http://example.com: 80");
    expect_refused_everywhere("http://example.com:080");
    expect_refused_everywhere("http://example.com:00443");
}

Test(origin_refused, whitespace_and_odd_characters)
{
    expect_refused_everywhere(" http://example.com");
    expect_refused_everywhere("http://example.com ");
    expect_refused_everywhere("http://example.com\t");
    expect_refused_everywhere("http://exa mple.com");
    expect_refused_everywhere("http://example.com\r\n");
    expect_refused_everywhere("http://ex%61mple.com");
    expect_refused_everywhere("http://*.example.com");
    expect_refused_everywhere("http://example..com");
    expect_refused_everywhere("http://.example.com");
    expect_refused_everywhere("http://example.com.");
    expect_refused_everywhere("http://ex\xc3\xa4mple.com");
}

Test(origin_refused, other_schemes)
{
    expect_refused_everywhere("ws://example.com");
    expect_refused_everywhere("wss://example.com");
    expect_refused_everywhere("file://example.com");
    expect_refused_everywhere("chrome-extension://example.com");
    expect_refused_everywhere("http:/example.com");
    expect_refused_everywhere("http:example.com");
    expect_refused_everywhere("httpx://example.com");
}

Test(origin_refused, missing_origin_is_allowed)
{
    /* Not a browser, so no ambient cookies: the CSRF token still guards the
     * session. */
    cr_assert(allowed("", NULL, "example.com"));
    cr_assert(allowed("", NULL, NULL));
    cr_assert(allowed("https://app.example.com", NULL, NULL));
    cr_assert(lv_origin_allowed(NULL, NULL, NULL, NULL));
}

Test(origin_refused, null_policy_is_same_origin)
{
    cr_assert(lv_origin_allowed(NULL, "http://example.com", "example.com", NULL));
    cr_assert_not(lv_origin_allowed(NULL, "http://evil.com", "example.com", NULL));
}

/* ---- parse errors ---- */

static void expect_parse_error(const char *list, const char *fragment)
{
    lv_origin_policy p;
    p.rules = (lv_origin_rule *)&p; /* garbage the parser must overwrite */
    p.count = 99;
    char err[256] = "";
    cr_assert_eq(lv_origin_policy_parse(&p, list, err, sizeof err), -1, "accepted \"%s\"", list);
    cr_assert_null(p.rules);
    cr_assert_eq(p.count, 0);
    cr_assert_neq(err[0], '\0', "no message for \"%s\"", list);
    if (fragment != NULL)
        cr_assert_not_null(strstr(err, fragment), "message for \"%s\" was \"%s\"", list, err);
    lv_origin_policy_free(&p);
}

Test(origin_parse, malformed_entries)
{
    expect_parse_error(",", "empty");
    expect_parse_error("https://a.com,", "empty");
    expect_parse_error("https://a.com,,https://b.com", "empty");
    expect_parse_error(" , https://a.com", "empty");
    expect_parse_error("ftp://a.com", "scheme");
    expect_parse_error("ws://a.com", "scheme");
    expect_parse_error("wss://a.com", "scheme");
    expect_parse_error("example.com", NULL);
    expect_parse_error("example.com:4000", NULL);
    expect_parse_error("https:/a.com", NULL);
    expect_parse_error("https://", "empty host");
    expect_parse_error("//", "empty host");
    expect_parse_error("https://a.com/", "path");
    expect_parse_error("https://a.com/app", "path");
    expect_parse_error("//a.com?x", "path");
    expect_parse_error("https://user@a.com", "userinfo");
    expect_parse_error("https://a.com:0", "port");
    expect_parse_error("https://a.com:65536", "port");
    expect_parse_error("https://a.com:", "port");
    expect_parse_error("https://a.com:http", "port");
    expect_parse_error("//*", "'*'");
    expect_parse_error("//*example.com", "'*'");
    expect_parse_error("//a.*.example.com", "'*'");
    expect_parse_error("//*.*.example.com", "'*'");
    expect_parse_error("//example.*", "'*'");
    expect_parse_error("//*.", "empty host");
    expect_parse_error("*.example.com", NULL);
    expect_parse_error("//a..com", "label");
    expect_parse_error("//a.com.", "label");
    expect_parse_error("//a b.com", NULL);
    expect_parse_error("//[::1", "IPv6");
    expect_parse_error("//[nothex]", "IPv6");
    expect_parse_error("//*.[::1]", NULL);
}

Test(origin_parse, the_culprit_is_named)
{
    expect_parse_error("https://good.com, https://bad.com/path", "bad.com/path");
}

Test(origin_parse, long_entries_are_quoted_briefly)
{
    char list[1200];
    memcpy(list, "https://", 8);
    memset(list + 8, 'a', sizeof list - 8);
    list[sizeof list - 2] = '/';
    list[sizeof list - 1] = '\0';
    char err[2048];
    lv_origin_policy p;
    cr_assert_eq(lv_origin_policy_parse(&p, list, err, sizeof err), -1);
    cr_assert_lt(strlen(err), 200);
}

Test(origin_parse, error_buffer_is_optional)
{
    lv_origin_policy p;
    cr_assert_eq(lv_origin_policy_parse(&p, "nope", NULL, 0), -1);
    char tiny[4];
    cr_assert_eq(lv_origin_policy_parse(&p, "nope", tiny, sizeof tiny), -1);
    cr_assert_eq(strlen(tiny), 3);
}

Test(origin_parse, rules_are_normalised)
{
    lv_origin_policy p = policy_of("HTTPS://App.Example.COM, //*.Other.com:8080, http://x.com, "
                                   "//y.com");
    cr_assert_eq(p.count, 4);
    cr_assert_str_eq(p.rules[0].scheme, "https");
    cr_assert_str_eq(p.rules[0].host, "app.example.com");
    cr_assert_not(p.rules[0].wildcard);
    cr_assert_eq(p.rules[0].port, 443);

    cr_assert_null(p.rules[1].scheme);
    cr_assert_str_eq(p.rules[1].host, "other.com");
    cr_assert(p.rules[1].wildcard);
    cr_assert_eq(p.rules[1].port, 8080);

    cr_assert_str_eq(p.rules[2].scheme, "http");
    cr_assert_eq(p.rules[2].port, 80);

    cr_assert_null(p.rules[3].scheme);
    cr_assert_eq(p.rules[3].port, -1);
    lv_origin_policy_free(&p);
    cr_assert_null(p.rules);
    cr_assert_eq(p.count, 0);
    lv_origin_policy_free(&p); /* twice is harmless */
}

Test(origin_parse, empty_lists_are_same_origin)
{
    lv_origin_policy p = policy_of(NULL);
    cr_assert_eq(p.count, 0);
    p = policy_of("");
    cr_assert_eq(p.count, 0);
    p = policy_of(" \t ");
    cr_assert_eq(p.count, 0);
    lv_origin_policy_free(&p);
}

/* ---- the Host allow-list (DNS rebinding) ---- */

static bool host_ok(const char *list, const char *host)
{
    lv_host_allowlist l;
    char err[160];
    cr_assert_eq(lv_host_allowlist_parse(&l, list, err, sizeof err), 0, "%s", err);
    bool ok = lv_host_allowed(&l, host);
    lv_host_allowlist_free(&l);
    return ok;
}

Test(host_allowlist, an_empty_list_allows_any_host)
{
    cr_expect(host_ok(NULL, "evil.example"));
    cr_expect(host_ok("", NULL));
    cr_expect(host_ok("  ", "anything"));
}

Test(host_allowlist, only_listed_hosts_pass)
{
    const char *list = "app.example.com, localhost:4000, [::1]:4000";
    cr_expect(host_ok(list, "app.example.com"));
    cr_expect(host_ok(list, "APP.example.com:8443"), "a name without a port matches any port");
    cr_expect(host_ok(list, "localhost:4000"));
    cr_expect(host_ok(list, "[::1]:4000"));
    cr_expect_not(host_ok(list, "localhost:4001"));
    cr_expect_not(host_ok(list, "localhost"), "the entry names a port");
    cr_expect_not(host_ok(list, "localhost:04000"));
    cr_expect_not(host_ok(list, "evil.example"));
    cr_expect_not(host_ok(list, "app.example.com.evil.example"));
    cr_expect_not(host_ok(list, "x.app.example.com"));
    cr_expect_not(host_ok(list, NULL));
    cr_expect_not(host_ok(list, ""));
    cr_expect_not(host_ok(list, "app.example.com/x"));
}

Test(host_allowlist, malformed_entries_are_refused_with_a_reason)
{
    lv_host_allowlist l;
    char err[160];
    cr_expect_eq(lv_host_allowlist_parse(&l, "ok.example,,x", err, sizeof err), -1);
    cr_expect(strstr(err, "empty entry") != NULL, "%s", err);
    cr_expect_eq(lv_host_allowlist_parse(&l, "http://x", err, sizeof err), -1);
    cr_expect_eq(lv_host_allowlist_parse(&l, "x:0", err, sizeof err), -1);
    cr_expect_eq(lv_host_allowlist_parse(&l, "x:080", err, sizeof err), -1);
    cr_expect_eq(lv_host_allowlist_parse(&l, "*.x", err, sizeof err), -1);
    cr_expect(lv_host_well_formed("a.b:1"));
    cr_expect_not(lv_host_well_formed("a b"));
    cr_expect_not(lv_host_well_formed("a;b"));
    cr_expect_not(lv_host_well_formed(NULL));
}
