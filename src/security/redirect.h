/* Which external URLs lv_redirect may send a browser to: an absolute
 * http(s) URL whose host is on the app's allow-list (lv_config
 * allowed_redirect_hosts). Everything else that is not a local path is
 * refused, so a view cannot be turned into an open redirector by a URL
 * taken from params.
 *
 * The list is comma-separated host names or host:port pairs
 * ("docs.example.com, example.org:8443"), compared exactly, ignoring ASCII
 * case: no wildcards, and a subdomain is a different host. An entry with a
 * port matches only that port; one without matches the URL's host with or
 * without a port. */
#ifndef LV_SECURITY_REDIRECT_H
#define LV_SECURITY_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>

/* Checks a configured list (NULL or "" is the empty list). Returns 0, or
 * -1 with a message in err for an entry that is empty or holds anything but
 * letters, digits, '.', '-', '_' and one ":port". */
int lv_redirect_hosts_check(const char *list, char *err, size_t err_len);

/* True when url is "http://" or "https://" (any case), then an authority
 * with no userinfo, whose host[:port] matches an entry of list, then
 * nothing or a path, query or fragment; with no control character, space or
 * backslash anywhere. */
bool lv_redirect_external_allowed(const char *url, const char *list);

#endif
