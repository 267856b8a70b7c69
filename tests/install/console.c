/* An out-of-tree program built against an installed liveview with nothing
 * but pkg-config (tests/install/install.test.mjs):
 *
 *     cc console.c $(pkg-config --cflags --libs liveview)
 *
 * It is shaped like the programs the library is for: main keeps its own
 * thread. The app serves on the library's thread (lv_app_start), a producer
 * thread of the program broadcasts a reading every 100 ms, and main waits for
 * SIGINT or SIGTERM, then stops both and exits 0. The page at "/" has a
 * counter and shows the latest reading. */
#define _POSIX_C_SOURCE 200809L /* sigwait, nanosleep under -std=c17 */

#include <liveview.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define READINGS "readings"

static int mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    lv_assign_str(socket, "reading", "none");
    if (lv_connected(socket)) lv_subscribe(socket, READINGS);
    return 0;
}

static int handle_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)value;
    int64_t count = lv_get_int(socket, "count");
    lv_assign_int(socket, "count", strcmp(event, "inc") == 0 ? count + 1 : count - 1);
    return 0;
}

static int handle_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "reading") == 0) lv_assign_int(socket, "reading", lv_param_int(payload, "n", -1));
    return 0;
}

static const lv_view console_view = {
    .name = "console",
    .template_text = "<main><h1>Console</h1>"
                     "<p>Count: <span id=\"count\">{{count}}</span></p>"
                     "<button id=\"dec\" phx-click=\"dec\">-</button> "
                     "<button id=\"inc\" phx-click=\"inc\">+</button>"
                     "<p>Reading: <span id=\"reading\">{{reading}}</span></p></main>",
    .events = (const char *const[]){"inc", "dec", NULL},
    .mount = mount,
    .handle_event = handle_event,
    .handle_info = handle_info,
};

static atomic_bool producing = true;

/* The program's own thread: not the loop, so it may only broadcast (or post). */
static void *produce(void *arg)
{
    lv_app *app = arg;
    const struct timespec period = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};
    for (int64_t n = 1; atomic_load(&producing); n++) {
        lv_value *reading = lv_map_new();
        lv_map_set_int(reading, "n", n);
        lv_broadcast(app, READINGS, "reading", reading); /* copies it; -1 once stopping */
        lv_value_delete(reading);
        nanosleep(&period, NULL);
    }
    return NULL;
}

int main(void)
{
    /* SIGINT and SIGTERM are blocked in every thread (the library's and the
     * producer inherit the mask) and taken by main with sigwait. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    lv_app *app = lv_app_new(NULL);
    if (!app) return 1;
    if (lv_route(app, "/", &console_view) != 0 || lv_app_start(app) != 0) {
        lv_app_free(app);
        return 1;
    }
    printf("console: serving on port %d\n", lv_app_port(app));
    fflush(stdout);

    pthread_t producer;
    if (pthread_create(&producer, NULL, produce, app) != 0) {
        lv_app_stop(app);
        lv_app_wait(app);
        lv_app_free(app);
        return 1;
    }

    int sig = 0;
    sigwait(&stop_signals, &sig);
    lv_app_stop(app);
    atomic_store(&producing, false);
    pthread_join(producer, NULL);
    int rc = lv_app_wait(app);
    lv_app_free(app);
    printf("console: stopped by signal %d, app returned %d\n", sig, rc);
    return rc == 0 ? 0 : 1;
}
