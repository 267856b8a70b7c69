/* The other /form* views of the suite and POST /submit. */
#include <string.h>

#include "conformance.h"
#include "forms_parts.h"

int conf_forms_more_register(lv_app *app)
{
    (void)app;
    return 0;
}
