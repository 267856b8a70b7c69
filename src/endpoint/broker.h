/* The Redis broker (net/redis_broker.c) wired to the app's pub/sub while
 * the app is served: lv_config.redis_url installs it as the app's
 * lv_broker. */
#ifndef LV_ENDPOINT_BROKER_H
#define LV_ENDPOINT_BROKER_H

#include "live/live.h"

/* Starts the Redis broker when the app has a redis_url and no broker of its
 * own, before the app serves. Returns 0 (also when there is nothing to
 * start), or -1 when the broker's thread cannot start (logged). */
int lv_app_broker_start(lv_app *app);
/* Stops it once the loop has ended, and puts the local broker back. */
void lv_app_broker_stop(lv_app *app);

#endif
