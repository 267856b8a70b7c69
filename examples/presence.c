/* Presence: who is on this page. Each tab tracks itself in one topic, keyed
 * by its view id, with its name as meta ("guest-N" until the visitor picks
 * one); every tab is subscribed to the topic, so each join, rename and leave
 * arrives as a presence_diff and the list is read again. With a pub/sub
 * broker between processes the list spans all of them (docs/presence.md). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define PRESENCE_TOPIC "presence:lobby"
#define NAME_MAX_BYTES 40
#define EVENTS_SHOWN 6

/* Numbers the guests of this process; only to give each a readable name. */
static atomic_int guest_count;

static lv_value *meta_named(const char *name)
{
    lv_value *meta = lv_map_new();
    lv_map_set_str(meta, "name", name);
    return meta;
}

/* The name of a presence: the one of its newest meta. */
static const char *name_of(const lv_value *presence)
{
    const lv_value *metas = lv_map_get(presence, "metas");
    size_t n = lv_list_len(metas);
    const char *name = n ? lv_value_str_of(lv_map_get(lv_list_at(metas, n - 1), "name")) : NULL;
    return name ? name : "?";
}

/* visitors: [{id, name, me}] from the topic's presences; count. */
static void assign_visitors(lv_socket *socket)
{
    lv_value *presences = lv_presence_list(lv_socket_app(socket), PRESENCE_TOPIC);
    lv_value *visitors = lv_list_new();
    for (size_t i = 0; i < lv_map_len(presences); i++) {
        const char *key = lv_map_key_at(presences, i);
        lv_value *v = lv_map_new();
        lv_map_set_str(v, "id", key);
        lv_map_set_str(v, "name", name_of(lv_map_value_at(presences, i)));
        lv_map_set_bool(v, "me", strcmp(key, lv_socket_id(socket)) == 0);
        lv_list_push(visitors, v);
    }
    lv_assign_int(socket, "count", (int64_t)lv_map_len(presences));
    lv_assign_value(socket, "visitors", visitors);
    lv_value_delete(presences);
}

/* Adds a line to the newest-first log of comings and goings. */
static void log_event(lv_socket *socket, const char *line)
{
    const lv_value *old = lv_get_value(socket, "events");
    lv_value *events = lv_list_new();
    lv_list_push_str(events, line);
    for (size_t i = 0; i < lv_list_len(old) && i + 1 < EVENTS_SHOWN; i++)
        lv_list_push(events, lv_value_copy(lv_list_at(old, i)));
    lv_assign_value(socket, "events", events);
}

/* One presence_diff as lines: a key in both joins and leaves renamed itself
 * (an update is a leave of the old meta and a join of the new). */
static void log_diff(lv_socket *socket, const lv_params *payload)
{
    lv_value *joins = lv_params_value(payload, "joins");
    lv_value *leaves = lv_params_value(payload, "leaves");
    char line[2 * NAME_MAX_BYTES + 32];
    for (size_t i = 0; i < lv_map_len(joins); i++) {
        const lv_value *left = lv_map_get(leaves, lv_map_key_at(joins, i));
        const char *name = name_of(lv_map_value_at(joins, i));
        if (left)
            snprintf(line, sizeof line, "%s is now %s", name_of(left), name);
        else
            snprintf(line, sizeof line, "%s joined", name);
        log_event(socket, line);
    }
    for (size_t i = 0; i < lv_map_len(leaves); i++) {
        if (lv_map_get(joins, lv_map_key_at(leaves, i))) continue;
        snprintf(line, sizeof line, "%s left", name_of(lv_map_value_at(leaves, i)));
        log_event(socket, line);
    }
    lv_value_delete(joins);
    lv_value_delete(leaves);
}

static int presence_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_value(socket, "events", lv_list_new());
    lv_assign_str(socket, "name", "");
    lv_assign_str(socket, "error", "");
    if (lv_connected(socket)) {
        /* Subscribed first, so this view hears its own join too. */
        char name[32];
        snprintf(name, sizeof name, "guest-%d", atomic_fetch_add(&guest_count, 1) + 1);
        lv_value *meta = meta_named(name);
        int rc = lv_subscribe(socket, PRESENCE_TOPIC);
        if (rc == 0) rc = lv_presence_track(socket, PRESENCE_TOPIC, lv_socket_id(socket), meta);
        lv_value_delete(meta);
        if (rc != 0) return -1;
        lv_assign_str(socket, "name", name);
    }
    assign_visitors(socket);
    return 0;
}

/* The trimmed name a visitor typed, or false when empty or too long. */
static bool clean_name(const char *typed, char out[NAME_MAX_BYTES + 1])
{
    if (!typed) return false;
    while (*typed == ' ') typed++;
    size_t n = strlen(typed);
    while (n > 0 && typed[n - 1] == ' ') n--;
    if (n == 0 || n > NAME_MAX_BYTES) return false;
    memcpy(out, typed, n);
    out[n] = '\0';
    return true;
}

static int presence_event(lv_socket *socket, const char *event, const lv_params *value)
{
    (void)event; /* "rename", the only one declared */
    char name[NAME_MAX_BYTES + 1];
    if (!clean_name(lv_param(value, "name"), name)) {
        lv_assign_str(socket, "error", "A name has 1 to 40 characters.");
        return 0;
    }
    lv_assign_str(socket, "error", "");
    lv_value *meta = meta_named(name);
    int rc = lv_presence_update(socket, PRESENCE_TOPIC, lv_socket_id(socket), meta);
    lv_value_delete(meta);
    if (rc == 0) lv_assign_str(socket, "name", name);
    return rc;
}

static int presence_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    if (strcmp(name, "presence_diff") != 0) return 0;
    log_diff(socket, payload);
    assign_visitors(socket);
    return 0;
}

const lv_view lv_example_presence = {
    .name = "presence",
    .template_file = "presence.html",
    .events = (const char *const[]){"rename", NULL},
    .mount = presence_mount,
    .handle_event = presence_event,
    .handle_info = presence_info,
};
