/* The example views served by build/bin/liveview-examples. */
#ifndef LV_EXAMPLES_H
#define LV_EXAMPLES_H

#include <liveview.h>

extern const lv_view lv_example_index;
extern const lv_view lv_example_counter;

#endif
