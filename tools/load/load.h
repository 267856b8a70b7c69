/* The I/O-free pieces of liveview-load (the load client, docs/performance.md):
 * the URL, the page (CSRF meta token, the main view's tokens, cookies), the
 * client side of WebSocket framing, a scan of Phoenix V2 JSON messages that
 * builds no tree, and a latency histogram. client.c does the I/O; these are
 * unit-tested on their own (tests/unit/load/). */
#ifndef LV_LOAD_H
#define LV_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- URL ---------------------------------------------------------------- */

/* http://host[:port][/]: the only form the client speaks (no TLS). */
typedef struct load_url {
    char host[256];
    char port[8];
    char origin[300]; /* "http://host[:port]" as given: the Origin header and the join url's base */
} load_url;

/* Fills *url; on a bad URL returns -1 with a message in err. */
int load_url_parse(const char *text, load_url *url, char *err, size_t err_size);

/* ---- The page ----------------------------------------------------------- */

/* What a join needs from the dead render. Every string is owned by the page
 * (load_page_free frees them); static_token is NULL when the page's
 * data-phx-static is empty (the client then sends "static": null). */
typedef struct load_page {
    char *csrf_token;
    char *view_id;
    char *session;
    char *static_token;
} load_page;

/* Scans the HTML for <meta name="csrf-token">, and the main view: the
 * element with data-phx-main, else the first with data-phx-session and no
 * data-phx-parent-id. Entities in attribute values are decoded. Returns 0, or
 * -1 with a message in err (the page is then empty). */
int load_page_scan(const char *html, size_t len, load_page *page, char *err, size_t err_size);
void load_page_free(load_page *page);

/* Appends the "name=value" of one Set-Cookie header value to the Cookie
 * header being built in jar ("a=1; b=2"). A value with no '=' is ignored. */
void load_cookie_add(lv_buf *jar, const char *set_cookie, size_t len);

/* Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2): base64(SHA-1(key GUID)).
 * out holds at least 29 bytes. */
void load_ws_accept(const char *key, char out[29]);

/* ---- WebSocket frames (client side) ------------------------------------- */

enum { LOAD_WS_CONT = 0, LOAD_WS_TEXT = 1, LOAD_WS_BINARY = 2, LOAD_WS_CLOSE = 8, LOAD_WS_PING = 9, LOAD_WS_PONG = 10 };

/* Appends one final frame of the opcode to out, masked with mask as a client
 * must (RFC 6455 §5.3). */
void load_ws_append_frame(lv_buf *out, int opcode, const void *payload, size_t len, uint32_t mask);

typedef struct load_ws_frame {
    int opcode;
    bool fin;
    const char *payload; /* into the input */
    size_t payload_len;
    size_t frame_len; /* bytes of input the frame took */
} load_ws_frame;

typedef enum { LOAD_WS_NEED_MORE, LOAD_WS_OK, LOAD_WS_BAD } load_ws_result;

/* Reads one server frame from data. A server frame is never masked; a
 * payload over max_payload, reserved bits, an unknown opcode or a fragmented
 * control frame is LOAD_WS_BAD with a message in *error. */
load_ws_result load_ws_parse(const char *data, size_t len, size_t max_payload, load_ws_frame *frame,
                             const char **error);

/* ---- Phoenix V2 messages ------------------------------------------------ */

typedef struct load_slice {
    const char *ptr; /* NULL for JSON null */
    size_t len;
} load_slice;

/* [join_ref, ref, topic, event, payload], scanned in place: the strings are
 * the raw JSON contents (escapes are left as they are; refs and topics this
 * client makes have none), payload is the whole JSON value. */
typedef struct load_phx_message {
    load_slice join_ref, ref, topic, event, payload;
} load_phx_message;

/* Returns false when data is not a five-element array of that shape. */
bool load_phx_scan(const char *data, size_t len, load_phx_message *msg);

typedef enum { LOAD_REPLY_OK, LOAD_REPLY_ERROR, LOAD_REPLY_BAD } load_reply_status;

/* The "status" of a phx_reply payload ({"status":"ok","response":...}, keys
 * in any order): ok, any other string (an error), or BAD when the payload is
 * not an object with a string status. */
load_reply_status load_phx_reply_status(load_slice payload);

/* Parses a ref this client made (decimal digits) into *out. */
bool load_slice_u64(load_slice s, uint64_t *out);
bool load_slice_eq(load_slice s, const char *text);

/* Appends text as a JSON string (quotes and escapes included). */
void load_json_string(lv_buf *out, const char *text);

/* ---- Latency histogram -------------------------------------------------- */

/* Log-linear buckets of nanoseconds: exact below 64 ns, then 64 buckets per
 * power of two (1.6 % wide) up to 2^41 ns (36 minutes; longer is clamped).
 * Fixed size, so a long run costs no memory. */
#define LOAD_HIST_SUB 64
#define LOAD_HIST_MAX_EXP 41
#define LOAD_HIST_BUCKETS (LOAD_HIST_SUB + (LOAD_HIST_MAX_EXP - 6) * LOAD_HIST_SUB)

typedef struct load_hist {
    uint64_t count;
    uint64_t max_ns;
    uint64_t buckets[LOAD_HIST_BUCKETS];
} load_hist;

void load_hist_record(load_hist *h, uint64_t ns);
void load_hist_merge(load_hist *into, const load_hist *from);
/* The value at quantile q (0..1) in ns: the middle of its bucket (the exact
 * value below 64 ns, never above the maximum recorded); 0 when empty. */
uint64_t load_hist_quantile(const load_hist *h, double q);

#endif
