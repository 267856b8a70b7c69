/* The conformance views of the /navigation pages (their own layout), /errors, /js, /select. */
#include "conformance.h"

int conf_core_register(lv_app *app)
{
    (void)app;
    return 0;
}
