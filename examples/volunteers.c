/* Volunteers: a sign-up sheet shared by everyone over pub/sub.
 *
 * The form is a changeset (name 2..100 characters, a 10-digit phone),
 * validated on every change: errors show only for the fields the user has
 * used, and all of them on submit (docs/forms.md). A valid sign-up joins one
 * process-wide list, guarded by a mutex, and is broadcast on a topic every
 * connected /volunteers view is subscribed to; each re-reads the list in
 * handle_info, so a second window shows the newcomer at once. Checking a
 * volunteer out (or back in) is broadcast the same way. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define VOLUNTEERS_TOPIC "volunteers"
#define VOLUNTEERS_MAX 100 /* past this, the oldest sign-up is dropped */
#define NAME_MAX_CHARS 100
#define PHONE_DIGITS 10

typedef struct volunteer {
    int64_t id;
    char name[NAME_MAX_CHARS * 4 + 1]; /* characters are up to 4 bytes */
    char phone[PHONE_DIGITS + 1];      /* the digits alone */
    bool checked_out;
} volunteer;

/* Oldest first; rendered newest first. */
static pthread_mutex_t sheet_lock = PTHREAD_MUTEX_INITIALIZER;
static volunteer sheet[VOLUNTEERS_MAX];
static size_t sheet_count;
static int64_t next_id = 1;

static const lv_field volunteer_fields[] = {
    {.name = "name", .required = true, .min_length = 2, .max_length = NAME_MAX_CHARS},
    /* 555-555-5555, 555.555.5555, 555 555 5555 or 5555555555. */
    {.name = "phone", .required = true, .pattern = "^[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{4}$"},
};

static lv_schema *schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void make_schema(void)
{
    schema = lv_schema_new("volunteer", volunteer_fields, sizeof volunteer_fields / sizeof volunteer_fields[0]);
}

static lv_schema *volunteer_schema(void)
{
    pthread_once(&schema_once, make_schema);
    return schema;
}

/* The per-view state: a key that renames the form after a sign-up, so the
 * client renders it afresh (empty) rather than keeping what was typed. */
typedef struct volunteers_state {
    int64_t form_key;
} volunteers_state;

static void digits_of(const char *phone, char out[PHONE_DIGITS + 1])
{
    size_t n = 0;
    for (const char *p = phone ? phone : ""; *p && n < PHONE_DIGITS; p++)
        if (isdigit((unsigned char)*p)) out[n++] = *p;
    out[n] = '\0';
}

static void assign_sheet(lv_socket *socket)
{
    lv_value *list = lv_list_new();
    size_t out = 0;
    pthread_mutex_lock(&sheet_lock);
    for (size_t i = sheet_count; i-- > 0;) {
        const volunteer *v = &sheet[i];
        lv_value *m = lv_map_new();
        lv_map_set_int(m, "id", v->id);
        lv_map_set_str(m, "name", v->name);
        char phone[16];
        snprintf(phone, sizeof phone, "%.3s-%.3s-%.4s", v->phone, v->phone + 3, v->phone + 6);
        lv_map_set_str(m, "phone", phone);
        lv_map_set_bool(m, "checked_out", v->checked_out);
        lv_list_push(list, m);
        out += v->checked_out;
    }
    size_t count = sheet_count;
    pthread_mutex_unlock(&sheet_lock);
    lv_assign_value(socket, "volunteers", list);
    lv_assign_int(socket, "count", (int64_t)count);
    lv_assign_int(socket, "checked_out", (int64_t)out);
}

static void assign_form(lv_socket *socket, const lv_changeset *cs)
{
    volunteers_state *st = lv_state(socket);
    lv_changeset_assign(socket, "changeset", cs);
    lv_assign_printf(socket, "form_id", "volunteer-form-%lld", (long long)st->form_key);
}

static void reset_form(lv_socket *socket)
{
    volunteers_state *st = lv_state(socket);
    st->form_key++;
    lv_changeset *cs = lv_changeset_cast(volunteer_schema(), NULL, NULL, NULL);
    assign_form(socket, cs);
    lv_changeset_free(cs);
}

/* Adds a valid sign-up. Returns false when the phone is taken. */
static bool sign_up(const lv_changeset *cs)
{
    char phone[PHONE_DIGITS + 1];
    digits_of(lv_changeset_get_str(cs, "phone"), phone);
    bool ok = true;
    pthread_mutex_lock(&sheet_lock);
    for (size_t i = 0; i < sheet_count; i++)
        if (strcmp(sheet[i].phone, phone) == 0) ok = false;
    if (ok) {
        if (sheet_count == VOLUNTEERS_MAX) {
            memmove(&sheet[0], &sheet[1], (VOLUNTEERS_MAX - 1) * sizeof *sheet);
            sheet_count--;
        }
        volunteer *v = &sheet[sheet_count++];
        v->id = next_id++;
        snprintf(v->name, sizeof v->name, "%s", lv_changeset_get_str(cs, "name"));
        memcpy(v->phone, phone, sizeof phone);
        v->checked_out = false;
    }
    pthread_mutex_unlock(&sheet_lock);
    return ok;
}

static bool toggle(int64_t id)
{
    bool found = false;
    pthread_mutex_lock(&sheet_lock);
    for (size_t i = 0; i < sheet_count; i++) {
        if (sheet[i].id != id) continue;
        sheet[i].checked_out = !sheet[i].checked_out;
        found = true;
    }
    pthread_mutex_unlock(&sheet_lock);
    return found;
}

static int volunteers_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    if (!volunteer_schema()) return -1;
    /* Only the connected view listens: the HTTP render is over at once. */
    if (lv_connected(socket) && lv_subscribe(socket, VOLUNTEERS_TOPIC) != 0) return -1;
    lv_assign_str(socket, "notice", "");
    reset_form(socket);
    assign_sheet(socket);
    return 0;
}

static int volunteers_event(lv_socket *socket, const char *event, const lv_params *value)
{
    lv_app *app = lv_socket_app(socket);
    lv_assign_str(socket, "notice", "");
    if (strcmp(event, "toggle") == 0) {
        if (toggle(lv_param_int(value, "id", 0))) {
            assign_sheet(socket);
            return lv_broadcast(app, VOLUNTEERS_TOPIC, "changed", NULL);
        }
        return 0;
    }
    /* "validate" (phx-change) or "save" (phx-submit). */
    lv_changeset *cs = lv_changeset_cast(volunteer_schema(), NULL, value, event);
    int rc = 0;
    if (strcmp(event, "save") == 0 && lv_changeset_valid(cs)) {
        if (sign_up(cs)) {
            lv_assign_printf(socket, "notice", "Thanks, %s: you are on the list.", lv_changeset_get_str(cs, "name"));
            reset_form(socket);
            assign_sheet(socket);
            rc = lv_broadcast(app, VOLUNTEERS_TOPIC, "changed", NULL);
        } else {
            lv_changeset_add_error(cs, "phone", "has already signed up");
            assign_form(socket, cs);
        }
    } else {
        assign_form(socket, cs);
    }
    lv_changeset_free(cs);
    return rc;
}

/* Someone (maybe this view) changed the sheet: show it as it is now. */
static int volunteers_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)payload;
    if (strcmp(name, "changed") == 0) assign_sheet(socket);
    return 0;
}

const lv_view lv_example_volunteers = {
    .name = "volunteers",
    .template_file = "volunteers.html",
    .events = (const char *const[]){"validate", "save", "toggle", NULL},
    .state_size = sizeof(volunteers_state),
    .mount = volunteers_mount,
    .handle_event = volunteers_event,
    .handle_info = volunteers_info,
};
