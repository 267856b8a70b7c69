/* The conformance views of the /form and /form-unsaved pages, /upload, POST /submit. */
#include "conformance.h"

int conf_forms_register(lv_app *app)
{
    (void)app;
    return 0;
}
