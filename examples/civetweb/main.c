/* liveview-civetweb: a CivetWeb server that serves a page of its own at /
 * and mounts LiveViews on the same port (docs/integration.md, "CivetWeb"):
 * /counter and /form, the main examples' views, and /visitor, which shows
 * session data from this program's own session store reaching mount.
 *
 * LV_HOST and LV_PORT choose the address (LV_PORT=0: any free port; the
 * bound one is printed as "liveview: listening on http://HOST:PORT"). With
 * LV_TLS_CERT and LV_TLS_KEY (PEM files) it serves HTTPS and WSS only.
 * The other LV_* variables configure the app as for liveview-examples.
 * SIGTERM or SIGINT stop it. */
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <civetweb.h>
#include <liveview_adapter.h>

#include "examples.h"
#include "liveview_civetweb.h"

/* ---------------------------------------------------------------------
 * The program's own session store: a visitor number per browser, kept
 * in memory under a cookie CivetWeb's page sets. The library never sees
 * the store; the session data function below hands mount what it holds.
 * --------------------------------------------------------------------- */

#define VISITOR_COOKIE "cw_visitor"
#define VISITOR_ID_LEN 32
#define MAX_VISITORS 256

typedef struct visitor {
    char id[VISITOR_ID_LEN + 1];
    unsigned number;
} visitor;

static pthread_mutex_t visitors_lock = PTHREAD_MUTEX_INITIALIZER;
static visitor visitors[MAX_VISITORS];
static unsigned visitors_seen;

/* The number of the visitor whose cookie is id, or 0 for none. */
static unsigned visitor_number(const char *id)
{
    unsigned number = 0;
    pthread_mutex_lock(&visitors_lock);
    for (size_t i = 0; i < MAX_VISITORS && !number; i++)
        if (visitors[i].number && strcmp(visitors[i].id, id) == 0) number = visitors[i].number;
    pthread_mutex_unlock(&visitors_lock);
    return number;
}

/* A new visitor: a random id written into id (VISITOR_ID_LEN + 1 bytes)
 * and its number, or 0 when no random bytes could be had. The oldest
 * visitor makes room when the table is full. */
static unsigned visitor_new(char *id)
{
    unsigned char bytes[VISITOR_ID_LEN / 2];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) return 0;
    for (size_t i = 0; i < sizeof bytes; i++) snprintf(id + 2 * i, 3, "%02x", bytes[i]);
    pthread_mutex_lock(&visitors_lock);
    unsigned number = ++visitors_seen;
    visitor *slot = &visitors[(number - 1) % MAX_VISITORS];
    memcpy(slot->id, id, VISITOR_ID_LEN + 1);
    slot->number = number;
    pthread_mutex_unlock(&visitors_lock);
    return number;
}

/* The lv_session_data_fn: what this program's store knows about the
 * browser of a page request, as a JSON object text the library frees.
 * lv_civetweb_connection gives the CivetWeb connection, whose cookie names
 * the visitor. */
static char *visitor_session_data(const lv_request *req, void *ctx)
{
    (void)ctx;
    const struct mg_connection *conn = lv_civetweb_connection(req);
    char id[VISITOR_ID_LEN + 1];
    const char *cookies = conn ? mg_get_header(conn, "Cookie") : NULL;
    unsigned number = 0;
    if (cookies && mg_get_cookie(cookies, VISITOR_COOKIE, id, sizeof id) == VISITOR_ID_LEN)
        number = visitor_number(id);
    char *json = malloc(32);
    if (!json) return NULL;
    if (number) snprintf(json, 32, "{\"visitor\":\"%u\"}", number);
    else snprintf(json, 32, "{}");
    return json;
}

/* /visitor: what the session store said, read in mount. */
static int visitor_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    const char *number = lv_param(session, "visitor");
    lv_assign_str(socket, "visitor", number ? number : "");
    return 0;
}

static const lv_view visitor_view = {
    .name = "visitor",
    .template_text = "<main>\n"
                     "<h1>Visitor</h1>\n"
                     "<p id=\"visitor\">{{#if visitor}}You are visitor {{visitor}} of this CivetWeb server."
                     "{{else}}No visitor cookie yet: open the CivetWeb page first.{{/if}}</p>\n"
                     "<p><a href=\"/\">Back to the CivetWeb page</a></p>\n"
                     "</main>",
    .mount = visitor_mount,
};

/* ---------------------------------------------------------------------
 * CivetWeb's own page at /
 * --------------------------------------------------------------------- */

static const char home_page[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>CivetWeb</title><link rel=\"icon\" href=\"data:,\"></head>\n"
    "<body>\n"
    "<h1 id=\"served-by\">Served by CivetWeb %s</h1>\n"
    "<p>This page is CivetWeb's own. The pages below are LiveViews that the same server, on the same "
    "port, hands to liveview-c through lv_civetweb_mount.</p>\n"
    "<ul>\n"
    "<li><a href=\"/counter\">Counter</a></li>\n"
    "<li><a href=\"/form\">Form</a></li>\n"
    "<li><a href=\"/visitor\">Visitor</a>: you are visitor <span id=\"visitor\">%u</span></li>\n"
    "</ul>\n"
    "</body></html>\n";

static int home_handler(struct mg_connection *conn, void *cbdata)
{
    (void)cbdata;
    const char *cookies = mg_get_header(conn, "Cookie");
    char id[VISITOR_ID_LEN + 1] = "";
    unsigned number = 0;
    if (cookies && mg_get_cookie(cookies, VISITOR_COOKIE, id, sizeof id) == VISITOR_ID_LEN)
        number = visitor_number(id);
    bool fresh = number == 0;
    if (fresh) number = visitor_new(id);
    if (number == 0) {
        mg_send_http_error(conn, 500, "no random bytes");
        return 500;
    }
    char body[sizeof home_page + 64];
    int len = snprintf(body, sizeof body, home_page, mg_version(), number);
    const bool tls = mg_get_request_info(conn)->is_ssl;
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n"
              "X-Content-Type-Options: nosniff\r\n",
              len);
    if (fresh)
        mg_printf(conn, "Set-Cookie: " VISITOR_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax%s\r\n", id,
                  tls ? "; Secure" : "");
    mg_printf(conn, "\r\n%s", body);
    return 200;
}

/* ---------------------------------------------------------------------
 * TLS: CivetWeb wants certificate and key in one file; the init_ssl
 * callback loads them from the two files LV_TLS_CERT and LV_TLS_KEY name.
 * --------------------------------------------------------------------- */

typedef struct tls_files {
    const char *cert;
    const char *key;
} tls_files;

static int init_tls(void *ssl_ctx, void *user_data)
{
    const tls_files *files = user_data;
    SSL_CTX *ctx = ssl_ctx;
    if (SSL_CTX_use_certificate_chain_file(ctx, files->cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, files->key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        fprintf(stderr, "liveview-civetweb: cannot load LV_TLS_CERT %s with LV_TLS_KEY %s\n", files->cert,
                files->key);
        return -1;
    }
    return 1; /* loaded: CivetWeb uses the context as it is */
}

static int log_civetweb(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    fprintf(stderr, "civetweb: %s\n", message);
    return 1;
}

/* Starts CivetWeb on host:port (TLS when files->cert is set). */
static struct mg_context *start_civetweb(const char *host, int port, tls_files *files)
{
    char ports[128];
    const bool v6 = strchr(host, ':') != NULL;
    snprintf(ports, sizeof ports, v6 ? "[%s]:%d%s" : "%s:%d%s", host, port, files->cert ? "s" : "");
    const char *options[] = {
        "listening_ports", ports,
        /* Each WebSocket keeps a worker thread for as long as it is open. */
        "num_threads", "64",
        /* mg_websocket_write sends a frame's header and payload in two
         * writes; with Nagle's algorithm the second waits for the peer's
         * delayed ACK (about 40 ms a reply). */
        "tcp_nodelay", "1",
        /* A WebSocket silent for websocket_timeout_ms is pinged, and closed
         * after 5 pings unanswered: the bound on a dead peer, and on one
         * that never answers our close frame (CivetWeb has no other way to
         * end a connection from outside its thread). CivetWeb then answers
         * pings itself, without the adapter's checks on them. */
        "enable_websocket_ping_pong", "yes",
        "websocket_timeout_ms", "10000",
        NULL,
    };
    struct mg_callbacks callbacks = {.log_message = log_civetweb};
    if (files->cert) callbacks.init_ssl = init_tls;
    struct mg_init_data init = {.callbacks = &callbacks, .user_data = files, .configuration_options = options};
    struct mg_error_data error = {0};
    char error_text[256] = "";
    error.text = error_text;
    error.text_buffer_size = sizeof error_text;
    struct mg_context *ctx = mg_start2(&init, &error);
    if (!ctx) fprintf(stderr, "liveview-civetweb: CivetWeb did not start on %s: %s\n", ports, error_text);
    return ctx;
}

/* The port CivetWeb bound (LV_PORT=0 lets the kernel choose). */
static int bound_port(const struct mg_context *ctx)
{
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(ctx, 4, ports);
    return n > 0 ? ports[0].port : -1;
}

int main(void)
{
    /* Every thread started from here on (CivetWeb's, the library's)
     * inherits the mask, so SIGTERM and SIGINT reach only sigwait below. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    lv_config cfg;
    lv_config_defaults(&cfg);
    cfg.title = "CivetWeb";
    tls_files files = {getenv("LV_TLS_CERT"), getenv("LV_TLS_KEY")};
    if (files.cert && !*files.cert) files.cert = NULL;
    if (!files.cert != !(files.key && *files.key)) {
        fprintf(stderr, "liveview-civetweb: set both LV_TLS_CERT and LV_TLS_KEY, or neither\n");
        return 1;
    }
    /* Over HTTPS the session cookie is Secure, and the library takes the
     * browser's origin to be https. */
    if (files.cert) cfg.secure_cookies = true;

    /* Debian's CivetWeb on OpenSSL 3 needs this for HTTPS (see the header). */
    if (files.cert) lv_civetweb_openssl3_compat();
    mg_init_library(files.cert ? MG_FEATURES_TLS : 0);
    struct mg_context *ctx = start_civetweb(cfg.host, cfg.port, &files);
    if (!ctx) {
        mg_exit_library();
        return 1;
    }

    /* The LiveViews: the app, its loops (no listener of its own), and the
     * mount that hands CivetWeb's requests and sockets to it. */
    lv_app *app = lv_app_new(&cfg);
    int rc = 1;
    if (app) lv_app_set_session_data(app, visitor_session_data, NULL);
    if (app && lv_route(app, "/counter", &lv_example_counter) == 0 && lv_route(app, "/form", &lv_example_form) == 0 &&
        lv_route(app, "/visitor", &visitor_view) == 0 && lv_adapter_start(app) == 0) {
        /* The adapter enforces the app's limits that CivetWeb would not. */
        lv_civetweb_options limits = {cfg.max_message_bytes, cfg.max_body_bytes, cfg.max_outbound_bytes};
        if (lv_civetweb_mount_with(app, ctx, "", &limits) == 0) {
            /* After the mount: "/" as a pattern would match every path. */
            mg_set_request_handler(ctx, "/", home_handler, NULL);
            printf("liveview: listening on %s://%s:%d\n", files.cert ? "https" : "http", cfg.host, bound_port(ctx));
            fflush(stdout);
            int sig;
            sigwait(&stop_signals, &sig);
            rc = 0;
        }
        /* Views end first (their sockets get 1001), then CivetWeb closes
         * what is left and stops its threads. */
        lv_app_stop(app);
        lv_app_wait(app);
    }
    mg_stop(ctx);
    lv_civetweb_unmount(ctx);
    if (app) lv_app_free(app);
    mg_exit_library();
    return rc;
}
