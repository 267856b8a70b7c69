/* The allow-list of external redirect hosts: which absolute URLs lv_redirect
 * may send a browser to, and which configured lists are accepted. */
#include <criterion/criterion.h>
#include <string.h>

#include "security/redirect.h"

#define ALLOW(list, url) cr_assert(lv_redirect_external_allowed(url, list), "\"%s\" refused by [%s]", url, list)
#define REFUSE(list, url) \
    cr_assert_not(lv_redirect_external_allowed(url, list), "\"%s\" allowed by [%s]", url, list)

Test(redirect_hosts, listed_hosts_with_any_path)
{
    const char *list = "docs.example.com, Example.org:8443";
    ALLOW(list, "https://docs.example.com");
    ALLOW(list, "https://docs.example.com/guide?x=1#top");
    ALLOW(list, "HTTP://DOCS.EXAMPLE.COM/");
    ALLOW(list, "https://docs.example.com:444/a");
    ALLOW(list, "https://example.org:8443/x");
    ALLOW(list, "https://docs.example.com?q");
}

Test(redirect_hosts, anything_else_is_refused)
{
    const char *list = "docs.example.com,example.org:8443";
    REFUSE(list, "https://evil.com/");
    REFUSE(list, "https://docs.example.com.evil.com/");
    REFUSE(list, "https://sub.docs.example.com/");
    REFUSE(list, "https://example.org/");      /* the entry fixes the port */
    REFUSE(list, "https://example.org:8444/");
    REFUSE(list, "https://user@docs.example.com/");
    REFUSE(list, "https://evil.com@docs.example.com/");
    REFUSE(list, "https://docs.example.com\\@evil.com/");
    REFUSE(list, "javascript://docs.example.com/%0aalert(1)");
    REFUSE(list, "ftp://docs.example.com/");
    REFUSE(list, "//docs.example.com/");
    REFUSE(list, "https://docs.example.com/a b");
    REFUSE(list, "https://docs.example.com/\r\nSet-Cookie: x=1");
    REFUSE(list, "https:///docs.example.com");
    REFUSE(list, "https://");
    REFUSE(list, "");
    REFUSE(list, NULL);
    REFUSE(NULL, "https://docs.example.com/");
    REFUSE("", "https://docs.example.com/");
}

Test(redirect_hosts, configured_lists)
{
    char err[200];
    const char *good[] = {NULL, "", "a.example", "a.example, b.example:8080", "localhost:4000", "127.0.0.1"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        cr_expect_eq(lv_redirect_hosts_check(good[i], err, sizeof err), 0, "%s", good[i] ? good[i] : "NULL");
    const char *bad[] = {"a.example,", ",a.example", "a..b, ,c", "https://a.example", "a.example/x",
                         "*.example.com", "a.example:", "a.example:123456", "user@a.example", "a b"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        cr_expect_eq(lv_redirect_hosts_check(bad[i], err, sizeof err), -1, "%s", bad[i]);
        cr_expect(strstr(err, "allowed_redirect_hosts") != NULL, "the error names the setting");
    }
}
