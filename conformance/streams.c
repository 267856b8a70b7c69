/* The conformance views of the /stream pages, /healthy/:category, /keyed-comprehension, /components. */
#include "conformance.h"

int conf_streams_register(lv_app *app)
{
    (void)app;
    return 0;
}
