/* Running an app: its endpoint carried by the libuv server (net/server.c). */
#include <stdatomic.h>

#include "endpoint/endpoint.h"
#include "endpoint/files.h"
#include "net/server.h"
#include "util/log.h"

int lv_app_run(lv_app *app)
{
    if (lv_app_files_prepare(app) != 0) return -1;
    const lv_config *c = &app->config;
    lv_server_config cfg = {
        .host = c->host,
        .port = c->port,
        .max_header_bytes = c->max_header_bytes,
        .max_body_bytes = c->max_body_bytes,
        .max_message_bytes = c->max_message_bytes,
        .max_outbound_bytes = c->max_outbound_bytes,
        .header_timeout_s = c->header_timeout_s,
        .idle_timeout_s = c->idle_timeout_s,
    };
    lv_endpoint ep = lv_app_endpoint(app);
    lv_server *server = lv_server_new(&cfg, &ep);
    app->server = server;
    if (atomic_load(&app->stop_requested)) lv_server_stop(server);
    int result = lv_server_run(server);
    app->server = NULL;
    lv_server_free(server);
    return result;
}

void lv_app_stop(lv_app *app)
{
    atomic_store(&app->stop_requested, true);
    lv_server *server = app->server;
    if (server) lv_server_stop(server); /* async-signal-safe */
}

