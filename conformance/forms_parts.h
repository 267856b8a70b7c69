/* The parts of conf_forms_register that live in forms_*.c. */
#ifndef LV_CONFORMANCE_FORMS_PARTS_H
#define LV_CONFORMANCE_FORMS_PARTS_H

#include <liveview.h>

/* /form/dynamic-inputs, /form/feedback, /form/stream, /form-unsaved and
 * POST /submit (forms_more.c). Returns 0, or -1 after logging why. */
int conf_forms_more_register(lv_app *app);
/* /upload and the files it stores, served under /tmp/lvupload/
 * (forms_upload.c). Returns 0, or -1 after logging why. */
int conf_upload_register(lv_app *app);

#endif
