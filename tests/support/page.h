/* Test support: the dead render of a route as a plain function, with a
 * request that carries no cookie (a first visit). */
#ifndef LV_TESTS_SUPPORT_PAGE_H
#define LV_TESTS_SUPPORT_PAGE_H

#include <string.h>

#include "live/live.h"

/* Appends the page to out and returns its HTTP status. */
static inline int lv_test_page_render(lv_app *app, const lv_route_entry *route, const char *query,
                                      lv_buf *out)
{
    lv_request req;
    memset(&req, 0, sizeof req);
    req.app = app;
    req.method = "GET";
    req.path = route->path;
    req.query = query;
    lv_request_decode_params(&req, NULL, 0);
    lv_request_load_session(&req);
    lv_page_render(&req, route);
    lv_buf_append(out, req.body.data ? req.body.data : "", req.body.len);
    int status = req.status;
    lv_request_free(&req);
    return status;
}

#endif
