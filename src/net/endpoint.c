/* The plain-data helpers of the endpoint interface, shared by every server
 * adapter and by the endpoint itself. */
#include "net/endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

const char *lv_http_request_header(const lv_http_request *req, const char *name)
{
    for (const char *const *h = req->headers; h && h[0]; h += 2)
        if (strcasecmp(h[0], name) == 0) return h[1];
    return NULL;
}

const char *lv_http_status_text(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    /* The reason phrase is optional (RFC 9112 §4): none rather than a wrong one. */
    default: return "";
    }
}

void lv_http_response_set_type(lv_http_response *res, const char *type)
{
    free(res->content_type);
    res->content_type = type ? lv_xstrdup(type) : NULL;
}

void lv_http_response_take_body(lv_http_response *res, lv_buf *body)
{
    lv_buf_free(&res->body_buf);
    res->body_buf = *body;
    *body = (lv_buf)LV_BUF_INIT;
    res->body = res->body_buf.data;
    res->body_len = res->body_buf.len;
}

void lv_http_response_error(lv_http_response *res, int status, bool close)
{
    res->status = status;
    lv_http_response_set_type(res, "text/plain; charset=utf-8");
    lv_buf body = LV_BUF_INIT;
    lv_buf_printf(&body, "%d %s\n", status, lv_http_status_text(status));
    lv_http_response_take_body(res, &body);
    res->head_only = false;
    res->close = close;
}

void lv_http_response_free(lv_http_response *res)
{
    free(res->content_type);
    lv_buf_free(&res->headers);
    lv_buf_free(&res->body_buf);
    *res = (lv_http_response)LV_HTTP_RESPONSE_INIT;
}
