/* The suite's /errors view (ErrorLive). */
#include "conformance.h"

int conf_errors_register(lv_app *app)
{
    (void)app;
    return 0;
}
