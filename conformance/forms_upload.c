/* /upload: the suite's upload_live.ex. */
#include "conformance.h"
#include "forms_parts.h"

int conf_upload_register(lv_app *app)
{
    (void)app;
    return 0;
}
