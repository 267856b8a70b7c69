/* Uploads (see upload.h): the configs and entries of each view, kept in the
 * socket's extras and mirrored into the "uploads" assign after every change.
 * Decisions are live/upload_rules.c's; the disk is live/upload_io.c's. */
#include "live/upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/upload_io.h"
#include "live/upload_rules.h"
#include "util/json.h"
#include "util/log.h"
#include "util/random.h"
#include "util/value_json.h"

#define LV_UPLOAD_DEFAULT_MAX_FILE_SIZE 8000000
#define LV_UPLOAD_DEFAULT_CHUNK_SIZE 64000
#define LV_UPLOAD_DEFAULT_CHUNK_TIMEOUT_MS 10000
/* Entries a config keeps beyond max_entries (they carry too_many_files),
 * so a client cannot grow the list without bound. */
#define LV_UPLOAD_EXTRA_ENTRIES 16
#define LV_UPLOAD_MAX_ERRORS 4
#define LV_UPLOAD_MAX_NAME 64
#define LV_UPLOAD_MAX_CLIENT_STRING 255

typedef struct lv_upload_conf lv_upload_conf;

typedef struct lv_upload_rec {
    lv_upload_entry pub; /* what the app sees; its strings point below */
    char ref[33];
    char *client_name;   /* owned */
    char *client_type;   /* owned */
    char *path;          /* owned: the temp file, NULL when none */
    int fd;              /* -1 when closed */
    bool preflighted;
    bool external;       /* sent by the client's own uploader: no channel, no file */
    bool registered;     /* its channel joined */
    int64_t reserved;    /* bytes reserved against the app's cap */
    void *timer;         /* the chunk timer, NULL when not running */
    const char *errors[LV_UPLOAD_MAX_ERRORS]; /* static codes */
    size_t error_count;
    lv_upload_conf *conf;
    lv_socket *socket;
} lv_upload_rec;

struct lv_upload_conf {
    char name[LV_UPLOAD_MAX_NAME + 1];
    char ref[LV_ID_LEN + 1];
    lv_upload_config cfg; /* defaults applied; accept is NULL (parsed below) */
    lv_upload_accept accept;
    lv_upload_rec **entries;
    size_t count;
    bool too_many;
};

typedef struct lv_uploads {
    lv_upload_conf **confs;
    size_t count;
    lv_upload_close_fn closer;
    void *closer_ctx;
    const lv_upload_entry **listing; /* lv_uploaded_entries' arrays */
} lv_uploads;

/* ---- state ---- */

static lv_uploads *uploads_of(lv_socket *socket, bool create)
{
    if (!socket->extras && !create) return NULL;
    lv_socket_extras *x = lv_socket_extras_of(socket);
    if (!x->uploads && create) x->uploads = lv_xcalloc(1, sizeof(lv_uploads));
    return x->uploads;
}

static lv_upload_conf *conf_by_name(lv_uploads *u, const char *name)
{
    for (size_t i = 0; u && i < u->count; i++)
        if (strcmp(u->confs[i]->name, name) == 0) return u->confs[i];
    return NULL;
}

static lv_upload_conf *conf_by_ref(lv_uploads *u, const char *ref)
{
    for (size_t i = 0; u && ref && i < u->count; i++)
        if (strcmp(u->confs[i]->ref, ref) == 0) return u->confs[i];
    return NULL;
}

static lv_upload_rec *entry_in(lv_upload_conf *c, const char *ref)
{
    for (size_t i = 0; c && ref && i < c->count; i++)
        if (strcmp(c->entries[i]->ref, ref) == 0) return c->entries[i];
    return NULL;
}

static lv_upload_rec *entry_anywhere(lv_uploads *u, const char *ref)
{
    for (size_t i = 0; u && i < u->count; i++) {
        lv_upload_rec *e = entry_in(u->confs[i], ref);
        if (e) return e;
    }
    return NULL;
}

static void add_error(lv_upload_rec *e, const char *code)
{
    for (size_t i = 0; i < e->error_count; i++)
        if (strcmp(e->errors[i], code) == 0) return;
    if (e->error_count < LV_UPLOAD_MAX_ERRORS) e->errors[e->error_count++] = code;
    e->pub.valid = false;
    e->pub.error = e->errors[0];
}

static void release_reservation(lv_app *app, lv_upload_rec *e)
{
    if (e->reserved) atomic_fetch_sub(&app->upload_bytes_in_flight, e->reserved);
    e->reserved = 0;
}

static void stop_timer(lv_upload_rec *e)
{
    if (!e->timer) return;
    lv_runtime *rt = &e->socket->loop->runtime;
    rt->timer_stop(rt->ctx, e->timer);
    e->timer = NULL;
}

/* Closes and removes the entry's file, if any. */
static void drop_file(lv_app *app, lv_upload_rec *e)
{
    if (e->fd >= 0) app->upload_io->close(e->fd);
    e->fd = -1;
    if (e->path) app->upload_io->remove(e->path);
    free(e->path);
    e->path = NULL;
    e->pub.path = NULL;
}

/* Ends an unfinished transfer with an error: no more bytes are taken. */
static void fail_entry(lv_upload_rec *e, const char *code)
{
    lv_app *app = e->socket->app;
    stop_timer(e);
    drop_file(app, e);
    release_reservation(app, e);
    e->registered = false;
    e->pub.done = false;
    add_error(e, code);
}

static void close_channel(lv_socket *socket, lv_upload_rec *e)
{
    lv_uploads *u = uploads_of(socket, false);
    if (e->registered && u && u->closer) u->closer(u->closer_ctx, socket, e->ref);
    e->registered = false;
}

static void entry_free(lv_app *app, lv_upload_rec *e)
{
    stop_timer(e);
    drop_file(app, e);
    release_reservation(app, e);
    free(e->client_name);
    free(e->client_type);
    free(e);
}

static void recount(lv_upload_conf *c)
{
    c->too_many = c->count > c->cfg.max_entries;
}

/* Removes entry i of c (its file and reservation with it). */
static void remove_entry(lv_upload_conf *c, size_t i)
{
    lv_upload_rec *e = c->entries[i];
    entry_free(e->socket->app, e);
    memmove(c->entries + i, c->entries + i + 1, (c->count - i - 1) * sizeof *c->entries);
    c->count--;
    recount(c);
}

static void conf_free(lv_app *app, lv_upload_conf *c)
{
    for (size_t i = 0; i < c->count; i++) entry_free(app, c->entries[i]);
    free(c->entries);
    free(c);
}

/* ---- the "uploads" assign ---- */

static void map_str(lv_value *m, const char *k, const char *s)
{
    lv_value_map_set(m, k, lv_value_string(s ? s : "", s ? strlen(s) : 0));
}

static lv_value errors_value(const char *const *codes, size_t n)
{
    lv_value list = lv_value_list();
    for (size_t i = 0; i < n; i++) lv_value_list_push(&list, lv_value_string(codes[i], strlen(codes[i])));
    return list;
}

static lv_value entry_value(const lv_upload_conf *c, const lv_upload_rec *e)
{
    lv_value m = lv_value_map();
    map_str(&m, "ref", e->ref);
    map_str(&m, "upload_ref", c->ref);
    map_str(&m, "client_name", e->client_name);
    map_str(&m, "client_type", e->client_type);
    lv_value_map_set(&m, "client_size", lv_value_int(e->pub.client_size));
    lv_value_map_set(&m, "progress", lv_value_int(e->pub.progress));
    lv_value_map_set(&m, "done", lv_value_bool(e->pub.done));
    lv_value_map_set(&m, "valid", lv_value_bool(e->pub.valid));
    lv_value_map_set(&m, "preflighted", lv_value_bool(e->preflighted));
    lv_value_map_set(&m, "errors", errors_value(e->errors, e->error_count));
    return m;
}

static lv_value conf_value(const lv_upload_conf *c)
{
    lv_value m = lv_value_map();
    char accept[LV_UPLOAD_MAX_ACCEPT_ITEMS * (LV_UPLOAD_MAX_ACCEPT_ITEM + 1)];
    lv_upload_accept_attr(&c->accept, accept, sizeof accept);
    map_str(&m, "name", c->name);
    map_str(&m, "ref", c->ref);
    map_str(&m, "accept", accept);
    lv_value_map_set(&m, "max_entries", lv_value_int(c->cfg.max_entries));
    lv_value_map_set(&m, "max_file_size", lv_value_int(c->cfg.max_file_size));
    lv_value_map_set(&m, "auto_upload", lv_value_bool(c->cfg.auto_upload));
    const char *too_many = LV_UPLOAD_TOO_MANY_FILES;
    lv_value_map_set(&m, "errors", errors_value(&too_many, c->too_many ? 1 : 0));
    lv_value entries = lv_value_list();
    for (size_t i = 0; i < c->count; i++) lv_value_list_push(&entries, entry_value(c, c->entries[i]));
    lv_value_map_set(&m, "entries", entries);
    return m;
}

/* Mirrors the state into the "uploads" assign (unchanged parts are not
 * sent: the diff compares values). */
static void publish(lv_socket *socket)
{
    lv_uploads *u = uploads_of(socket, false);
    lv_value all = lv_value_map();
    for (size_t i = 0; u && i < u->count; i++) lv_value_map_set(&all, u->confs[i]->name, conf_value(u->confs[i]));
    lv_assigns_put(&socket->assigns, "uploads", all);
}

/* The same after a change made outside the view's own messages (on its
 * upload channel, by a timer): the view re-renders and the diff is pushed,
 * as after an info. */
static void publish_outside(lv_socket *socket)
{
    publish(socket);
    lv_socket_queue_rerender(socket);
}

/* ---- the public API ---- */

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > LV_UPLOAD_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
            return false;
    return true;
}

int lv_allow_upload(lv_socket *socket, const char *name, const lv_upload_config *config)
{
    if (!socket || socket->parent) {
        lv_log_error("lv_allow_upload: uploads belong to a view, not a component");
        return -1;
    }
    if (!name_ok(name)) {
        lv_log_error("lv_allow_upload: \"%.80s\" is not an upload name (letters, digits, _)", name ? name : "");
        return -1;
    }
    lv_upload_config cfg = config ? *config : (lv_upload_config){0};
    lv_upload_accept accept;
    const char *why;
    if (!lv_upload_accept_parse(cfg.accept, &accept, &why)) {
        lv_log_error("lv_allow_upload %s: accept \"%.200s\": %s", name, cfg.accept, why);
        return -1;
    }
    size_t max_chunk = socket->app->config.max_message_bytes > 2048 ? socket->app->config.max_message_bytes - 1024
                                                                     : 1024;
    if (!cfg.max_entries) cfg.max_entries = 1;
    if (cfg.max_file_size <= 0) cfg.max_file_size = LV_UPLOAD_DEFAULT_MAX_FILE_SIZE;
    if (!cfg.chunk_size) cfg.chunk_size = LV_UPLOAD_DEFAULT_CHUNK_SIZE;
    if (cfg.chunk_size > max_chunk) {
        lv_log_error("lv_allow_upload %s: chunk_size %u is over what a WebSocket message may carry (%zu)", name,
                     cfg.chunk_size, max_chunk);
        return -1;
    }
    if (!cfg.chunk_timeout_ms) cfg.chunk_timeout_ms = LV_UPLOAD_DEFAULT_CHUNK_TIMEOUT_MS;
    cfg.accept = NULL;

    lv_uploads *u = uploads_of(socket, true);
    lv_upload_conf *c = conf_by_name(u, name);
    if (c) {
        while (c->count) {
            close_channel(socket, c->entries[c->count - 1]);
            remove_entry(c, c->count - 1);
        }
    } else {
        c = lv_xcalloc(1, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", name);
        memcpy(c->ref, "phx-", 4);
        lv_random_id(c->ref + 4, LV_ID_BYTES);
        u->confs = lv_xrealloc(u->confs, (u->count + 1) * sizeof *u->confs);
        u->confs[u->count++] = c;
    }
    c->cfg = cfg;
    c->accept = accept;
    recount(c);
    publish(socket);
    return 0;
}

int lv_cancel_upload(lv_socket *socket, const char *name, const char *entry_ref)
{
    lv_upload_conf *c = conf_by_name(uploads_of(socket, false), name ? name : "");
    for (size_t i = 0; c && entry_ref && i < c->count; i++) {
        if (strcmp(c->entries[i]->ref, entry_ref) != 0) continue;
        close_channel(socket, c->entries[i]);
        remove_entry(c, i);
        publish(socket);
        return 0;
    }
    return -1;
}

int lv_consume_uploaded_entries(lv_socket *socket, const char *name, lv_upload_consume_fn fn, void *ctx)
{
    lv_upload_conf *c = conf_by_name(uploads_of(socket, false), name ? name : "");
    if (!c) return -1;
    int handed = 0;
    for (size_t i = 0; i < c->count;) {
        lv_upload_rec *e = c->entries[i];
        if (!e->pub.done) {
            i++;
            continue;
        }
        bool taken = fn && fn(socket, &e->pub, ctx);
        handed++;
        if (taken) {
            free(e->path); /* the app's now: not removed */
            e->path = NULL;
        }
        close_channel(socket, e);
        remove_entry(c, i);
    }
    publish(socket);
    return handed;
}

int lv_uploaded_entries(lv_socket *socket, const char *name, const lv_upload_entry *const **in_progress,
                        size_t *in_progress_count, const lv_upload_entry *const **done, size_t *done_count)
{
    lv_uploads *u = uploads_of(socket, false);
    lv_upload_conf *c = conf_by_name(u, name ? name : "");
    if (!c) return -1;
    free(u->listing);
    u->listing = lv_xcalloc(c->count + 1, sizeof *u->listing);
    size_t n_done = 0, n_progress = 0;
    for (size_t i = 0; i < c->count; i++)
        if (c->entries[i]->pub.done) u->listing[n_done++] = &c->entries[i]->pub;
    for (size_t i = 0; i < c->count; i++)
        if (!c->entries[i]->pub.done) u->listing[n_done + n_progress++] = &c->entries[i]->pub;
    if (done) *done = u->listing;
    if (done_count) *done_count = n_done;
    if (in_progress) *in_progress = u->listing + n_done;
    if (in_progress_count) *in_progress_count = n_progress;
    return 0;
}

/* ---- messages from the client ---- */

static char *bounded_copy(const char *s)
{
    if (!s) return lv_xstrdup("");
    size_t n = strlen(s);
    if (n > LV_UPLOAD_MAX_CLIENT_STRING) n = LV_UPLOAD_MAX_CLIENT_STRING;
    char *out = lv_xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* Phoenix: with max_entries 1, a new single selection replaces the entry. */
static void replace_sole_entry(lv_socket *socket, lv_upload_conf *c, const lv_value *entries)
{
    if (c->cfg.max_entries != 1 || lv_list_len(entries) != 1) return;
    const char *ref = lv_value_str_at(lv_list_at(entries, 0), "ref");
    if (!ref || entry_in(c, ref)) return;
    while (c->count) {
        close_channel(socket, c->entries[c->count - 1]);
        remove_entry(c, c->count - 1);
    }
}

/* Records the client's entries (a LIST) in c; those already known are kept
 * as they are. */
static void put_entries(lv_socket *socket, lv_upload_conf *c, const lv_value *entries)
{
    replace_sole_entry(socket, c, entries);
    for (size_t i = 0; i < lv_list_len(entries); i++) {
        const lv_value *ce = lv_list_at(entries, i);
        const char *ref = lv_value_str_at(ce, "ref");
        if (!lv_upload_ref_ok(ref)) {
            lv_log_warn("upload %s: an entry without a usable ref ignored", c->name);
            continue;
        }
        if (entry_in(c, ref) || entry_anywhere(uploads_of(socket, false), ref)) continue;
        if (c->count >= (size_t)c->cfg.max_entries + LV_UPLOAD_EXTRA_ENTRIES) {
            c->too_many = true;
            continue;
        }
        const lv_value *size = lv_value_map_get(ce, "size", 4);
        lv_upload_rec *e = lv_xcalloc(1, sizeof *e);
        snprintf(e->ref, sizeof e->ref, "%s", ref);
        e->client_name = bounded_copy(lv_value_str_at(ce, "name"));
        e->client_type = bounded_copy(lv_value_str_at(ce, "type"));
        e->fd = -1;
        e->conf = c;
        e->socket = socket;
        e->pub.ref = e->ref;
        e->pub.client_name = e->client_name;
        e->pub.client_type = e->client_type;
        e->pub.client_size = size && size->kind == LV_VALUE_INT ? size->as.i : -1;
        e->pub.valid = true;
        const char *error = lv_upload_entry_error(&c->accept, c->cfg.max_file_size, e->client_name,
                                                  e->client_type, e->pub.client_size);
        if (error) add_error(e, error);
        c->entries = lv_xrealloc(c->entries, (c->count + 1) * sizeof *c->entries);
        c->entries[c->count++] = e;
    }
    recount(c);
}

void lv_uploads_put_from_event(lv_socket *socket, const lv_value *uploads)
{
    lv_uploads *u = uploads_of(socket, false);
    bool any = false;
    for (size_t i = 0; i < lv_map_len(uploads); i++) {
        lv_upload_conf *c = conf_by_ref(u, lv_map_key_at(uploads, i));
        const lv_value *entries = lv_map_value_at(uploads, i);
        if (!c || entries->kind != LV_VALUE_LIST) {
            lv_log_warn("%s: an event's uploads name an unknown upload; ignored", socket->route->view->name);
            continue;
        }
        put_entries(socket, c, entries);
        any = true;
    }
    if (any) publish(socket);
}

static void put_json_key(lv_buf *out, const char *key)
{
    lv_buf_putc(out, ',');
    lv_json_cstr(out, key);
    lv_buf_putc(out, ':');
}

static char *sign_token(lv_socket *socket, const lv_upload_conf *c, const lv_upload_rec *e)
{
    json_t *claims = json_pack("{s:s,s:s,s:s}", "v", socket->id, "c", c->ref, "e", e->ref);
    char *token = lv_token_sign(&socket->app->upload_key, claims, lv_now_seconds(),
                                socket->app->config.upload_token_ttl_s);
    json_decref(claims);
    return token;
}

/* Reserves the entry's declared size against the app's cap. */
static bool reserve(lv_app *app, lv_upload_rec *e)
{
    int64_t want = e->pub.client_size > 0 ? e->pub.client_size : 0;
    int64_t before = atomic_fetch_add(&app->upload_bytes_in_flight, want);
    if (before + want > app->config.upload_max_bytes_in_flight) {
        atomic_fetch_sub(&app->upload_bytes_in_flight, want);
        return false;
    }
    e->reserved = want;
    return true;
}

/* An external upload's entry at the preflight: the app's meta for the
 * client's uploader, as "ref":{meta} in tokens (the reply's entries, where
 * a channel upload has its token). False, with nothing written, when the
 * app refused the entry or its meta names no uploader. */
static bool external_meta(lv_socket *socket, lv_upload_conf *c, lv_upload_rec *e, lv_buf *tokens)
{
    lv_value meta = lv_value_map();
    bool ok = c->cfg.external(socket, &e->pub, &meta) == 0;
    const lv_value *uploader = lv_value_map_get(&meta, "uploader", 8);
    if (ok && (meta.kind != LV_VALUE_MAP || !uploader || uploader->kind != LV_VALUE_STRING)) {
        lv_log_error("upload %s: the external callback's meta names no \"uploader\"", c->name);
        ok = false;
    }
    if (ok) {
        e->preflighted = true;
        e->external = true;
        if (tokens->len > 1) lv_buf_putc(tokens, ',');
        lv_json_cstr(tokens, e->ref);
        lv_buf_putc(tokens, ':');
        lv_value_append_json(&meta, tokens);
    }
    lv_value_free(&meta);
    return ok;
}

bool lv_uploads_preflight(lv_socket *socket, const lv_value *payload, lv_buf *out, const char **refused)
{
    const lv_value *cid = lv_value_map_get(payload, "cid", 3);
    if (cid && cid->kind != LV_VALUE_NULL) {
        *refused = "uploads in components are not supported";
        return false;
    }
    lv_upload_conf *c = conf_by_ref(uploads_of(socket, false), lv_value_str_at(payload, "ref"));
    const lv_value *entries = lv_value_map_get(payload, "entries", 7);
    if (!c || !entries || entries->kind != LV_VALUE_LIST) {
        *refused = "unknown upload";
        return false;
    }
    put_entries(socket, c, entries);
    put_json_key(out, "ref");
    lv_json_cstr(out, c->ref);
    bool failed = c->too_many;
    for (size_t i = 0; i < c->count; i++) failed = failed || !c->entries[i]->pub.valid;
    if (failed && !c->cfg.auto_upload) {
        /* Phoenix's put_entries error: every error of the config, and the
         * client cancels the whole submit. */
        put_json_key(out, "error");
        lv_buf_putc(out, '[');
        bool first = true;
        if (c->too_many) {
            lv_buf_puts(out, "[");
            lv_json_cstr(out, c->ref);
            lv_buf_puts(out, ",\"" LV_UPLOAD_TOO_MANY_FILES "\"]");
            first = false;
        }
        for (size_t i = 0; i < c->count; i++) {
            lv_upload_rec *e = c->entries[i];
            for (size_t k = 0; k < e->error_count; k++) {
                lv_buf_puts(out, first ? "[" : ",[");
                lv_json_cstr(out, e->ref);
                lv_buf_putc(out, ',');
                lv_json_cstr(out, e->errors[k]);
                lv_buf_putc(out, ']');
                first = false;
            }
        }
        lv_buf_putc(out, ']');
        put_json_key(out, "entries");
        lv_buf_puts(out, "{}");
        publish(socket);
        return true;
    }
    put_json_key(out, "config");
    lv_buf_printf(out, "{\"max_file_size\":%lld,\"max_entries\":%u,\"chunk_size\":%u,\"chunk_timeout\":%u}",
                  (long long)c->cfg.max_file_size, c->cfg.max_entries, c->cfg.chunk_size, c->cfg.chunk_timeout_ms);
    lv_buf tokens = LV_BUF_INIT, errors = LV_BUF_INIT;
    lv_buf_putc(&tokens, '{');
    lv_buf_putc(&errors, '{');
    for (size_t i = 0; i < lv_list_len(entries); i++) {
        lv_upload_rec *e = entry_in(c, lv_value_str_at(lv_list_at(entries, i), "ref"));
        size_t index = 0;
        while (e && c->entries[index] != e) index++;
        if (!e || e->preflighted || index >= c->cfg.max_entries) continue;
        if (e->pub.valid && c->cfg.external) {
            if (!external_meta(socket, c, e, &tokens)) add_error(e, LV_UPLOAD_EXTERNAL_FAILURE);
        } else if (e->pub.valid && !reserve(socket->app, e)) {
            add_error(e, LV_UPLOAD_SERVER_BUSY);
        } else if (e->pub.valid) {
            e->preflighted = true;
            char *token = sign_token(socket, c, e);
            if (tokens.len > 1) lv_buf_putc(&tokens, ',');
            lv_json_cstr(&tokens, e->ref);
            lv_buf_putc(&tokens, ':');
            lv_json_cstr(&tokens, token);
            free(token);
        }
        if (!e->pub.valid) {
            if (errors.len > 1) lv_buf_putc(&errors, ',');
            lv_json_cstr(&errors, e->ref);
            lv_buf_puts(&errors, ":[");
            for (size_t k = 0; k < e->error_count; k++) {
                if (k) lv_buf_putc(&errors, ',');
                lv_json_cstr(&errors, e->errors[k]);
            }
            lv_buf_putc(&errors, ']');
        }
    }
    lv_buf_putc(&tokens, '}');
    lv_buf_putc(&errors, '}');
    put_json_key(out, "entries");
    lv_buf_append(out, tokens.data, tokens.len);
    put_json_key(out, "errors");
    lv_buf_append(out, errors.data, errors.len);
    lv_buf_free(&tokens);
    lv_buf_free(&errors);
    publish(socket);
    return true;
}

int lv_uploads_progress(lv_socket *socket, const lv_value *payload)
{
    lv_upload_conf *c = conf_by_ref(uploads_of(socket, false), lv_value_str_at(payload, "ref"));
    lv_upload_rec *e = entry_in(c, lv_value_str_at(payload, "entry_ref"));
    if (!e) return 0; /* cancelled meanwhile, or never known: nothing to move */
    const lv_value *progress = lv_value_map_get(payload, "progress", 8);
    if (progress && progress->kind == LV_VALUE_MAP) {
        /* The client failed on its side (a read error, a refused chunk). */
        close_channel(socket, e);
        if (e->pub.valid) fail_entry(e, LV_UPLOAD_EXTERNAL_FAILURE);
    } else if (progress && progress->kind == LV_VALUE_INT && progress->as.i >= 0 && progress->as.i <= 100 &&
               e->pub.valid && !e->pub.done) {
        e->pub.progress = (int)progress->as.i;
        if (e->pub.progress == 100) {
            if (e->external) {
                e->pub.done = true; /* the client's uploader says so: the bytes are not here */
            } else if (e->pub.received == e->pub.client_size && e->fd >= 0) {
                socket->app->upload_io->close(e->fd);
                e->fd = -1;
                stop_timer(e);
                e->pub.done = true;
                e->pub.path = e->path;
            } else {
                close_channel(socket, e);
                fail_entry(e, LV_UPLOAD_INCOMPLETE);
            }
        }
    } else {
        return 0;
    }
    publish(socket);
    if (c->cfg.progress) return c->cfg.progress(socket, c->name, &e->pub);
    return 0;
}

/* ---- the upload channel ---- */

static void on_chunk_timeout(void *arg)
{
    lv_upload_rec *e = arg;
    lv_socket *socket = e->socket;
    lv_runtime *rt = &socket->loop->runtime;
    rt->timer_stop(rt->ctx, e->timer);
    e->timer = NULL;
    lv_log_info("%s: upload %s: no chunk within %u ms; stopped", socket->route->view->name, e->ref,
                e->conf->cfg.chunk_timeout_ms);
    close_channel(socket, e);
    fail_entry(e, LV_UPLOAD_TIMEOUT);
    publish_outside(socket);
}

static void restart_timer(lv_upload_rec *e)
{
    lv_runtime *rt = &e->socket->loop->runtime;
    if (!rt->timer_start) return; /* no loop (unit tests) */
    stop_timer(e);
    e->timer = rt->timer_start(rt->ctx, e->conf->cfg.chunk_timeout_ms, 0, on_chunk_timeout, e);
}

bool lv_upload_token_verify(lv_app *app, const char *token, const char *entry_ref, char *view_id,
                            size_t view_id_cap, char *conf_ref, size_t conf_ref_cap)
{
    json_t *claims = NULL;
    if (!token || lv_token_verify(&app->upload_key, token, strlen(token), lv_now_seconds(), &claims) != LV_TOKEN_OK)
        return false;
    const char *v = json_string_value(json_object_get(claims, "v"));
    const char *c = json_string_value(json_object_get(claims, "c"));
    const char *e = json_string_value(json_object_get(claims, "e"));
    bool ok = v && c && e && entry_ref && strcmp(e, entry_ref) == 0 && strlen(v) < view_id_cap &&
              strlen(c) < conf_ref_cap;
    if (ok) {
        snprintf(view_id, view_id_cap, "%s", v);
        snprintf(conf_ref, conf_ref_cap, "%s", c);
    }
    json_decref(claims);
    return ok;
}

/* Where the files go: the configured directory, or one made on first use. */
static const char *upload_dir(lv_app *app)
{
    pthread_mutex_lock(&app->upload_dir_lock);
    if (!app->upload_dir) {
        const char *why;
        app->upload_dir = lv_upload_dir_prepare(NULL, &app->upload_dir_created, &why);
        if (!app->upload_dir) lv_log_error("upload: %s", why);
    }
    const char *dir = app->upload_dir;
    pthread_mutex_unlock(&app->upload_dir_lock);
    return dir;
}

const char *lv_upload_join(lv_socket *socket, const char *conf_ref, const char *entry_ref)
{
    lv_upload_rec *e = entry_in(conf_by_ref(uploads_of(socket, false), conf_ref), entry_ref);
    if (!e || !e->preflighted || e->external || !e->pub.valid || e->pub.done) return "disallowed";
    if (e->registered || e->path) return "already_registered";
    const char *dir = upload_dir(socket->app);
    int fd = dir ? socket->app->upload_io->create(dir, &e->path) : -1;
    if (fd < 0) {
        e->path = NULL;
        fail_entry(e, LV_UPLOAD_WRITER_ERROR);
        publish_outside(socket);
        return "writer_error";
    }
    e->fd = fd;
    e->registered = true;
    restart_timer(e);
    return NULL;
}

const char *lv_upload_chunk(lv_socket *socket, const char *entry_ref, const uint8_t *data, size_t len,
                            int64_t *limit)
{
    lv_upload_rec *e = entry_anywhere(uploads_of(socket, false), entry_ref);
    if (!e || !e->registered || e->fd < 0) return "disallowed";
    lv_upload_conf *c = e->conf;
    const char *reason = NULL;
    switch (lv_upload_chunk_check(e->pub.received, len, e->pub.client_size, c->cfg.max_file_size,
                                  c->cfg.chunk_size)) {
    case LV_UPLOAD_CHUNK_OK:
        if (socket->app->upload_io->write_all(e->fd, data, len) == 0) {
            e->pub.received += (int64_t)len;
            restart_timer(e);
            return NULL;
        }
        fail_entry(e, LV_UPLOAD_WRITER_ERROR);
        reason = "writer_error";
        break;
    case LV_UPLOAD_CHUNK_TOO_BIG:
        lv_log_warn("%s: upload %s: a chunk of %zu bytes is over chunk_size %u; refused",
                    socket->route->view->name, e->ref, len, c->cfg.chunk_size);
        fail_entry(e, LV_UPLOAD_TOO_LARGE);
        reason = "chunk_too_large";
        break;
    case LV_UPLOAD_CHUNK_OVER_SIZE:
        lv_log_warn("%s: upload %s: more bytes than declared (%lld) or allowed (%lld); cut off",
                    socket->route->view->name, e->ref, (long long)e->pub.client_size,
                    (long long)c->cfg.max_file_size);
        *limit = e->pub.client_size < c->cfg.max_file_size ? e->pub.client_size : c->cfg.max_file_size;
        fail_entry(e, LV_UPLOAD_TOO_LARGE);
        reason = "file_size_limit_exceeded";
        break;
    }
    publish_outside(socket);
    return reason;
}

void lv_upload_leave(lv_socket *socket, const char *entry_ref)
{
    lv_upload_rec *e = entry_anywhere(uploads_of(socket, false), entry_ref);
    if (!e) return;
    e->registered = false;
    if (!e->pub.done && e->pub.valid) {
        fail_entry(e, LV_UPLOAD_EXTERNAL_FAILURE);
        publish_outside(socket);
    }
}

void lv_uploads_set_closer(lv_socket *socket, lv_upload_close_fn fn, void *ctx)
{
    lv_uploads *u = uploads_of(socket, true);
    u->closer = fn;
    u->closer_ctx = ctx;
}

void lv_uploads_free(lv_socket *socket)
{
    lv_uploads *u = uploads_of(socket, false);
    if (!u) return;
    for (size_t i = 0; i < u->count; i++) conf_free(socket->app, u->confs[i]);
    free(u->confs);
    free(u->listing);
    free(u);
    socket->extras->uploads = NULL;
}

void lv_upload_set_io(lv_app *app, const struct lv_upload_io *io)
{
    app->upload_io = io ? io : &lv_upload_posix_io;
}
