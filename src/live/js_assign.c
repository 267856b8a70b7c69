/* lv_assign_js: the one place a JS command list meets a socket. The
 * builder itself (render/js.c) only writes JSON and knows no socket, so the
 * render layer stays below the live layer. */
#include "live/live.h"

int lv_assign_js(lv_socket *socket, const char *name, lv_js *js)
{
    const char *json = js ? lv_js_json(js) : NULL;
    lv_assign_str(socket, name, json ? json : "");
    lv_js_free(js);
    return json ? 0 : -1;
}
