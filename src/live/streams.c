/* The public stream API (liveview.h, "Streams"): thin wrappers over
 * render/stream.h on the socket's assigns, where the pending operations
 * live until the next render is sent. */
#include <stdlib.h>

#include "live/live.h"
#include "render/stream.h"

int lv_stream(lv_socket *socket, const char *name, const lv_stream_opts *opts)
{
    if (!socket) return -1;
    return lv_streams_configure(&socket->assigns.streams, name, opts ? opts->dom_prefix : NULL, opts ? opts->limit : 0);
}

int lv_stream_insert(lv_socket *socket, const char *name, lv_value *item, int at, int limit)
{
    lv_value v = lv_value_null();
    if (item) {
        v = *item; /* the box is freed here, its contents moved */
        free(item);
    }
    if (!socket) {
        lv_value_free(&v);
        return -1;
    }
    return lv_streams_insert(&socket->assigns.streams, name, v, at, limit);
}

int lv_stream_delete(lv_socket *socket, const char *name, const char *dom_id)
{
    return socket ? lv_streams_delete(&socket->assigns.streams, name, dom_id) : -1;
}

int lv_stream_delete_item(lv_socket *socket, const char *name, const lv_value *item)
{
    return socket ? lv_streams_delete_item(&socket->assigns.streams, name, item) : -1;
}

int lv_stream_reset(lv_socket *socket, const char *name)
{
    return socket ? lv_streams_reset(&socket->assigns.streams, name) : -1;
}

int lv_stream_update(lv_socket *socket, const char *name, lv_value *item)
{
    lv_value v = lv_value_null();
    if (item) {
        v = *item;
        free(item);
    }
    if (!socket) {
        lv_value_free(&v);
        return -1;
    }
    return lv_streams_update(&socket->assigns.streams, name, v);
}
