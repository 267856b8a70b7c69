/* The suite's /js (JsLive: JS show/hide/toggle with transitions,
 * set/remove/toggle_attribute, ignore_attributes) and /select (SelectLive:
 * the error class of a validated select, and selects whose options or value
 * change while open) views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static int js_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "count", 0);
    return 0;
}

static int js_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event;
    (void)value;
    lv_assign_int(socket, "count", lv_get_int(socket, "count") + 1);
    return 0;
}

static const lv_view js_view = {
    .name = "js",
    .template_file = "js.html",
    .events = (const char *const[]){"increment", NULL},
    .mount = js_mount,
    .handle_event = js_event,
};

int conf_js_register(lv_app *app)
{
    return lv_route(app, "/js", &js_view);
}

/* ---- /select ---- */

typedef struct select_state {
    int tick_timer;      /* 0: not ticking */
    int select2_options; /* 1..n */
} select_state;

static lv_value *numbers(int from, int to)
{
    lv_value *list = lv_list_new();
    for (int i = from; i <= to; i++) {
        char text[16];
        snprintf(text, sizeof text, "%d", i);
        lv_list_push_str(list, text);
    }
    return list;
}

/* Select 3 is valid above 5 (the suite's changeset validates
 * greater_than: 5); its error shows once the form was validated. */
static void assign_select3(lv_socket *socket, const char *value, bool validated)
{
    lv_assign_str(socket, "select3", value);
    bool invalid = validated && strtol(value, NULL, 10) <= 5;
    lv_assign_str(socket, "select3_class", invalid ? "has-error" : "");
}

static int select_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    select_state *st = lv_state(socket);
    st->select2_options = 10;
    lv_assign_int(socket, "tick", 0);
    lv_assign_bool(socket, "ticking", false);
    lv_assign_int(socket, "select2_countdown", 0);
    lv_assign_int(socket, "select4_countdown", 0);
    lv_value *opts1 = lv_list_new();
    lv_list_push_str(opts1, "these options");
    lv_list_push_str(opts1, "are fixed");
    lv_assign_value(socket, "select1_opts", opts1);
    lv_assign_value(socket, "select2_opts", numbers(1, st->select2_options));
    lv_assign_value(socket, "ten", numbers(1, 10));
    lv_assign_str(socket, "select1", "");
    lv_assign_str(socket, "select2", "");
    assign_select3(socket, "2", false);
    lv_assign_str(socket, "select4", "1");
    return 0;
}

static int select_event(lv_socket *socket, const char *event, const lv_params *value)
{
    select_state *st = lv_state(socket);
    if (strcmp(event, "validate") == 0) {
        const char *s1 = lv_param_path(value, "select_form[select1]");
        const char *s2 = lv_param_path(value, "select_form[select2]");
        const char *s3 = lv_param_path(value, "select_form[select3]");
        if (s1) lv_assign_str(socket, "select1", s1);
        if (s2) lv_assign_str(socket, "select2", s2);
        if (s3) assign_select3(socket, s3, true);
        return 0;
    }
    if (strcmp(event, "toggle-tick") == 0) {
        if (st->tick_timer) {
            lv_cancel_timer(socket, st->tick_timer);
            st->tick_timer = 0;
        } else {
            st->tick_timer = lv_send_interval(socket, 1000, "tick", NULL);
            if (st->tick_timer < 0) st->tick_timer = 0;
        }
        lv_assign_bool(socket, "ticking", st->tick_timer != 0);
        return 0;
    }
    /* schedule-select2-update / schedule-select4-update: a 5 s countdown */
    const char *which = strcmp(event, "schedule-select2-update") == 0 ? "select2" : "select4";
    char name[32];
    snprintf(name, sizeof name, "%s_countdown", which);
    lv_assign_int(socket, name, 5);
    return lv_send_after(socket, 1000, name, NULL) < 0 ? -1 : 0;
}

static int select_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)payload;
    select_state *st = lv_state(socket);
    if (strcmp(name, "tick") == 0) {
        lv_assign_int(socket, "tick", lv_get_int(socket, "tick") + 1);
        return 0;
    }
    int64_t left = lv_get_int(socket, name) - 1;
    lv_assign_int(socket, name, left > 0 ? left : 0);
    if (left > 0) return lv_send_after(socket, 1000, name, NULL) < 0 ? -1 : 0;
    if (strcmp(name, "select2_countdown") == 0) {
        st->select2_options++;
        lv_assign_value(socket, "select2_opts", numbers(1, st->select2_options));
    } else {
        char value[16];
        snprintf(value, sizeof value, "%d", 1 + rand() % 10);
        lv_assign_str(socket, "select4", value);
    }
    return 0;
}

static const lv_view select_view = {
    .name = "select",
    .template_file = "select.html",
    .events = (const char *const[]){"validate", "toggle-tick", "schedule-select2-update",
                                    "schedule-select4-update", NULL},
    .state_size = sizeof(select_state),
    .mount = select_mount,
    .handle_event = select_event,
    .handle_info = select_info,
};

int conf_select_register(lv_app *app)
{
    return lv_route(app, "/select", &select_view);
}
