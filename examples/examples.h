/* The example views served by build/bin/liveview-examples. */
#ifndef LV_EXAMPLES_H
#define LV_EXAMPLES_H

#include <liveview.h>

extern const lv_view lv_example_index;
extern const lv_view lv_example_counter;
extern const lv_view lv_example_todos;
extern const lv_view lv_example_form;
extern const lv_view lv_example_login;
extern const lv_view lv_example_me;
void lv_example_login_post(lv_request *req);
void lv_example_logout_post(lv_request *req);

#endif
