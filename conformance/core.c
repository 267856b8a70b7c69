/* The conformance views of the /navigation pages (their own layout), /errors, /js, /select. */
#include "conformance.h"

int conf_core_register(lv_app *app)
{
    return conf_navigation_register(app) != 0 || conf_errors_register(app) != 0 ||
                   conf_js_register(app) != 0 || conf_select_register(app) != 0
               ? -1
               : 0;
}
