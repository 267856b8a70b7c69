/* Books: create, edit and delete records through a changeset.
 *
 * The schema is compiled once; every form event casts the form's params
 * into a changeset (validate on phx-change, save on phx-submit), and the
 * template shows its errors with error_tag. Errors appear only for fields
 * the user has used, and all of them on submit (docs/forms.md).
 *
 * The shelf is one process-wide list shared by every visitor, guarded by a
 * mutex; a change is broadcast, and every open /books page re-reads the
 * shelf in handle_info. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "examples.h"

#define BOOKS_MAX 200
#define TITLE_MAX 80
#define AUTHOR_MAX 60

typedef struct book {
    int64_t id;
    char title[TITLE_MAX * 4 + 1]; /* characters are up to 4 bytes */
    char author[AUTHOR_MAX * 4 + 1];
    int64_t year; /* 0: unknown */
    char isbn[18];
    char genre[32];
    bool available;
} book;

static const char *const genres[] = {"Fiction", "Science fiction", "Poetry", "History", "Science", NULL};

static pthread_mutex_t shelf_lock = PTHREAD_MUTEX_INITIALIZER;
static book shelf[BOOKS_MAX] = {
    {1, "Dune", "Frank Herbert", 1965, "978-0441013593", "Science fiction", true},
    {2, "The Odyssey", "Homer", 0, "", "Poetry", false},
    {3, "A Brief History of Time", "Stephen Hawking", 1988, "", "Science", true},
};
static size_t shelf_count = 3;
static int64_t next_id = 4;

static bool known_genre(const lv_value *value, void *user)
{
    (void)user;
    for (const char *const *g = genres; *g; g++)
        if (strcmp(*g, lv_value_str_of(value)) == 0) return true;
    return false;
}

static const lv_field book_fields[] = {
    {.name = "title", .required = true, .min_length = 2, .max_length = TITLE_MAX},
    {.name = "author", .required = true, .max_length = AUTHOR_MAX},
    {.name = "year", .type = LV_FIELD_INT, .min = LV_BOUND(1450), .max = LV_BOUND(2100)},
    {.name = "isbn", .pattern = "^[0-9][0-9-]{8,15}[0-9Xx]$"},
    {.name = "genre", .required = true, .check = known_genre, .check_message = "is not on the list"},
    {.name = "available", .type = LV_FIELD_BOOL},
};

/* Compiled on first use and kept for the life of the process: it is
 * read-only, so every view shares it. */
static lv_schema *schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void make_schema(void)
{
    schema = lv_schema_new("book", book_fields, sizeof book_fields / sizeof book_fields[0]);
}

static lv_schema *book_schema(void)
{
    pthread_once(&schema_once, make_schema);
    return schema;
}

/* The per-view state: which book the form edits (0: a new one), and a key
 * that renames the form after a save so the client renders it afresh. */
typedef struct books_state {
    int64_t editing;
    int64_t form_key;
} books_state;

static lv_value *book_value(const book *b)
{
    lv_value *m = lv_map_new();
    lv_map_set_int(m, "id", b->id);
    lv_map_set_str(m, "title", b->title);
    lv_map_set_str(m, "author", b->author);
    if (b->year)
        lv_map_set_int(m, "year", b->year);
    else
        lv_map_set(m, "year", lv_value_new_null());
    lv_map_set_str(m, "isbn", b->isbn);
    lv_map_set_str(m, "genre", b->genre);
    lv_map_set_bool(m, "available", b->available);
    return m;
}

static void assign_shelf(lv_socket *socket)
{
    lv_value *list = lv_list_new();
    pthread_mutex_lock(&shelf_lock);
    for (size_t i = 0; i < shelf_count; i++) lv_list_push(list, book_value(&shelf[i]));
    size_t count = shelf_count;
    pthread_mutex_unlock(&shelf_lock);
    lv_assign_value(socket, "books", list);
    lv_assign_int(socket, "count", (int64_t)count);
}

/* The book being edited as changeset data (a copy), or NULL when it is a new
 * one or the book has been deleted meanwhile. The caller frees it. */
static lv_value *editing_data(int64_t id)
{
    lv_value *data = NULL;
    pthread_mutex_lock(&shelf_lock);
    for (size_t i = 0; id && i < shelf_count; i++)
        if (shelf[i].id == id) data = book_value(&shelf[i]);
    pthread_mutex_unlock(&shelf_lock);
    return data;
}

static void assign_form(lv_socket *socket, const lv_changeset *cs)
{
    books_state *st = lv_state(socket);
    lv_changeset_assign(socket, "changeset", cs);
    lv_assign_bool(socket, "editing", st->editing != 0);
    lv_assign_printf(socket, "form_id", "book-form-%lld", (long long)st->form_key);
}

/* A fresh form: for a new book, or for the book with id `editing`. */
static void reset_form(lv_socket *socket, int64_t editing)
{
    books_state *st = lv_state(socket);
    lv_value *data = editing_data(editing);
    st->editing = data ? editing : 0;
    st->form_key++;
    lv_changeset *cs = lv_changeset_cast(book_schema(), data, NULL, NULL);
    assign_form(socket, cs);
    lv_assign_str(socket, "editing_title", data ? lv_changeset_get_str(cs, "title") : "");
    lv_changeset_free(cs);
    lv_value_delete(data);
}

static void copy_text(char *out, size_t size, const char *s)
{
    snprintf(out, size, "%s", s ? s : "");
}

/* Stores a valid changeset as a new book or over the one being edited.
 * Returns false when the shelf is full. */
static bool store(const lv_changeset *cs, int64_t editing)
{
    bool ok = true;
    pthread_mutex_lock(&shelf_lock);
    book *b = NULL;
    for (size_t i = 0; editing && i < shelf_count; i++)
        if (shelf[i].id == editing) b = &shelf[i];
    if (!b) {
        if (shelf_count == BOOKS_MAX) {
            ok = false;
        } else {
            b = &shelf[shelf_count++];
            b->id = next_id++;
        }
    }
    if (b) {
        copy_text(b->title, sizeof b->title, lv_changeset_get_str(cs, "title"));
        copy_text(b->author, sizeof b->author, lv_changeset_get_str(cs, "author"));
        b->year = lv_changeset_get_int(cs, "year", 0);
        copy_text(b->isbn, sizeof b->isbn, lv_changeset_get_str(cs, "isbn"));
        copy_text(b->genre, sizeof b->genre, lv_changeset_get_str(cs, "genre"));
        b->available = lv_changeset_get_bool(cs, "available");
    }
    pthread_mutex_unlock(&shelf_lock);
    return ok;
}

static void delete_book(int64_t id)
{
    pthread_mutex_lock(&shelf_lock);
    for (size_t i = 0; i < shelf_count; i++) {
        if (shelf[i].id != id) continue;
        memmove(&shelf[i], &shelf[i + 1], (shelf_count - i - 1) * sizeof *shelf);
        shelf_count--;
        break;
    }
    pthread_mutex_unlock(&shelf_lock);
}

static int books_mount(lv_socket *socket, const lv_params *params, const lv_params *session)
{
    (void)params;
    (void)session;
    if (!book_schema()) return -1;
    lv_value *list = lv_list_new();
    for (const char *const *g = genres; *g; g++) lv_list_push_str(list, *g);
    lv_assign_value(socket, "genres", list);
    lv_assign_str(socket, "notice", "");
    reset_form(socket, 0);
    assign_shelf(socket);
    if (lv_connected(socket)) lv_subscribe(socket, "books");
    return 0;
}

static int books_info(lv_socket *socket, const char *name, const lv_params *payload)
{
    (void)name;
    (void)payload;
    assign_shelf(socket); /* "changed": another page saved or deleted a book */
    return 0;
}

static int books_event(lv_socket *socket, const char *event, const lv_params *value)
{
    books_state *st = lv_state(socket);
    lv_assign_str(socket, "notice", "");
    if (strcmp(event, "validate") == 0 || strcmp(event, "save") == 0) {
        lv_value *data = editing_data(st->editing);
        lv_changeset *cs = lv_changeset_cast(book_schema(), data, value, event);
        lv_value_delete(data);
        if (strcmp(event, "save") == 0 && lv_changeset_valid(cs)) {
            bool editing = st->editing != 0;
            if (store(cs, st->editing)) {
                lv_assign_printf(socket, "notice", "%s “%s”.", editing ? "Saved" : "Added",
                                 lv_changeset_get_str(cs, "title"));
                reset_form(socket, 0);
            } else {
                lv_assign_str(socket, "notice", "The shelf is full.");
                assign_form(socket, cs);
            }
        } else {
            assign_form(socket, cs);
        }
        lv_changeset_free(cs);
    } else if (strcmp(event, "edit") == 0) {
        reset_form(socket, lv_param_int(value, "id", 0));
    } else if (strcmp(event, "cancel") == 0) {
        reset_form(socket, 0);
    } else if (strcmp(event, "delete") == 0) {
        int64_t id = lv_param_int(value, "id", 0);
        delete_book(id);
        if (id == st->editing) reset_form(socket, 0);
    }
    assign_shelf(socket);
    bool shelf_changed = strcmp(event, "delete") == 0 || (strcmp(event, "save") == 0 && lv_get_str(socket, "notice")[0]);
    return shelf_changed ? lv_broadcast(lv_socket_app(socket), "books", "changed", NULL) : 0;
}

const lv_view lv_example_books = {
    .name = "books",
    .template_file = "books.html",
    .events = (const char *const[]){"validate", "save", "edit", "cancel", "delete", NULL},
    .state_size = sizeof(books_state),
    .mount = books_mount,
    .handle_event = books_event,
    .handle_info = books_info,
};
