/* Todos: a list in a loop, a conditional, a partial and a helper, with
 * templates read from files (embedded into the binary at build time, and
 * reloaded on change with LV_ENV=dev).
 *
 * The todos live in one process-wide list shared by every visitor: an event
 * changes the list and broadcasts that it changed; every open /todos view
 * (the sender too) re-reads the list in handle_info, and the template engine
 * sends each of them only the rows that changed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "examples.h"

/* Bounds on what visitors can make the server hold. */
#define TODO_TEXT_MAX 200
#define TODOS_MAX 500

typedef struct todo {
    int64_t id;
    bool done;
    char text[TODO_TEXT_MAX + 1];
} todo;

/* The server runs views on one loop thread today; the lock keeps the list
 * correct if views ever run on several. */
static pthread_mutex_t todos_lock = PTHREAD_MUTEX_INITIALIZER;
static todo todos[TODOS_MAX];
static size_t todo_count;
static int64_t next_id = 1;

/* Copies the shared list into the view's assigns. Setting an equal list is
 * not a change, so an event that changed nothing sends nothing. */
static void assign_todos(lv_socket *socket)
{
    lv_value *list = lv_list_new();
    int64_t left = 0;
    pthread_mutex_lock(&todos_lock);
    for (size_t i = 0; i < todo_count; i++) {
        lv_value *item = lv_map_new();
        lv_map_set_int(item, "id", todos[i].id);
        lv_map_set_str(item, "text", todos[i].text);
        lv_map_set_bool(item, "done", todos[i].done);
        lv_list_push(list, item);
        if (!todos[i].done) left++;
    }
    size_t count = todo_count;
    pthread_mutex_unlock(&todos_lock);
    lv_assign_value(socket, "todos", list);
    lv_assign_int(socket, "left", left);
    /* "All done!" needs at least one todo: an empty list is not an
     * accomplishment. */
    lv_assign_bool(socket, "all_done", count > 0 && left == 0);
}

#define TODOS_TOPIC "todos"

static int todos_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    lv_assign_int(socket, "form_key", 0);
    assign_todos(socket);
    if (lv_connected(socket)) lv_subscribe(socket, TODOS_TOPIC);
    return 0;
}

static int todos_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)name;
    (void)payload;
    assign_todos(socket); /* "changed": re-read the shared list */
    return 0;
}

/* Copies text without surrounding whitespace, cut to TODO_TEXT_MAX bytes
 * on a UTF-8 character boundary. Returns the length. */
static size_t clean_text(const char *text, char out[TODO_TEXT_MAX + 1])
{
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n') text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\r' || text[n - 1] == '\n')) n--;
    if (n > TODO_TEXT_MAX) {
        n = TODO_TEXT_MAX;
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
    }
    memcpy(out, text, n);
    out[n] = '\0';
    return n;
}

static void add_todo(const char *text)
{
    char cleaned[TODO_TEXT_MAX + 1];
    if (!text || clean_text(text, cleaned) == 0) return;
    pthread_mutex_lock(&todos_lock);
    if (todo_count < TODOS_MAX) {
        todo *t = &todos[todo_count++];
        t->id = next_id++;
        t->done = false;
        memcpy(t->text, cleaned, sizeof t->text);
    }
    pthread_mutex_unlock(&todos_lock);
}

static void toggle_or_delete(int64_t id, bool delete)
{
    pthread_mutex_lock(&todos_lock);
    for (size_t i = 0; i < todo_count; i++) {
        if (todos[i].id != id) continue;
        if (delete) {
            memmove(&todos[i], &todos[i + 1], (todo_count - i - 1) * sizeof *todos);
            todo_count--;
        } else {
            todos[i].done = !todos[i].done;
        }
        break;
    }
    pthread_mutex_unlock(&todos_lock);
}

static int todos_event(lv_socket *socket, const char *event, const lv_params *value)
{
    if (strcmp(event, "add") == 0) {
        add_todo(lv_param(value, "text"));
        /* A new key gives the input a new id, so the client replaces it
         * with an empty one. */
        lv_assign_int(socket, "form_key", lv_get_int(socket, "form_key") + 1);
    } else {
        int64_t id = lv_param_int(value, "id", -1);
        toggle_or_delete(id, strcmp(event, "delete") == 0);
    }
    /* This view's reply carries the change; the broadcast updates the rest
     * (and is a no-op here, since the assigns already hold the new list). */
    assign_todos(socket);
    return lv_broadcast(lv_socket_app(socket), TODOS_TOPIC, "changed", NULL);
}

const lv_view lv_example_todos = {
    .name = "todos",
    .template_file = "todos.html",
    .events = (const char *const[]){"add", "toggle", "delete", NULL},
    .mount = todos_mount,
    .handle_event = todos_event,
    .handle_info = todos_info,
};
