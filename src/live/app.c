/* The app: configuration, routes and signing keys. Running it is
 * endpoint/run.c. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "live/live.h"
#include "live/upload_io.h"
#include "live/presence.h"
#include "live/templates.h"
#include "security/redirect.h"
#include "security/revocation.h"
#include "util/form.h"
#include "util/log.h"
#include "util/random.h"

#define LV_MIN_SECRET_BYTES 32
/* More loops than this is a typo, not a machine. */
#define LV_MAX_WORKERS 256

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Reads a whole number from the environment into *out when it is set and
 * valid, and says so when it is set but invalid. */
static void env_number(const char *name, unsigned long long max, unsigned long long *out)
{
    const char *v = getenv(name);
    if (!v || !*v) return;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || n > max || v[0] == '-')
        lv_log_warn("ignoring %s=%s (not a number up to %llu)", name, v, max);
    else
        *out = n;
}

/* env_number into a field of the configuration's own type. */
static void env_unsigned(const char *name, unsigned max, unsigned *field)
{
    unsigned long long n = *field;
    env_number(name, max, &n);
    *field = (unsigned)n;
}

static void env_size(const char *name, size_t max, size_t *field)
{
    unsigned long long n = *field;
    env_number(name, max, &n);
    *field = (size_t)n;
}

/* The cores this process may run on: its affinity mask when it has one
 * (a container or taskset limits it), else the online cores. */
static unsigned usable_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (unsigned)online : 1;
}

/* 10000 connections, or three quarters of the descriptors this process
 * may open when that is fewer: the rest stay for listeners, files, the
 * loops' own descriptors and Redis, so a full server still serves. */
static unsigned default_max_connections(void)
{
    struct rlimit lim;
    unsigned max = 10000;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        lim.rlim_cur / 4 * 3 < max)
        max = (unsigned)(lim.rlim_cur / 4 * 3);
    return max ? max : 1;
}

void lv_config_defaults(lv_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->host = env_or("LV_HOST", "127.0.0.1");
    cfg->secret_key_base = env_or("LV_SECRET_KEY_BASE", NULL);
    cfg->assets_dir = env_or("LV_ASSETS_DIR", NULL);
    cfg->title = "liveview-c";
    cfg->max_message_bytes = 1u << 20;
    cfg->max_outbound_bytes = 4u << 20;
    cfg->max_header_bytes = 16u << 10;
    cfg->max_body_bytes = 1u << 20;
    cfg->header_timeout_s = 10;
    cfg->idle_timeout_s = 60;
    cfg->max_views_per_connection = 100;
    cfg->longpoll = true;
    cfg->longpoll_window_ms = 10000;
    cfg->longpoll_max_sessions = 10000;
    cfg->session_ttl_s = 14 * 24 * 3600;
    cfg->session_revocations_max = 100000;
    cfg->session_serde = LV_SERDE_JWT;
    cfg->session_cookie = "_lv_session";
    cfg->allowed_origins = env_or("LV_ALLOWED_ORIGINS", NULL);
    cfg->trusted_proxies = env_or("LV_TRUSTED_PROXIES", NULL);
    cfg->redis_url = env_or("LV_REDIS_URL", NULL);
    cfg->allowed_redirect_hosts = env_or("LV_ALLOWED_REDIRECT_HOSTS", NULL);
    cfg->upload_dir = env_or("LV_UPLOAD_DIR", NULL);
    cfg->upload_max_bytes_in_flight = (int64_t)1 << 30;
    cfg->upload_token_ttl_s = 60;
    cfg->max_buffered_bytes = 64u << 20;
    cfg->max_connections = default_max_connections();
    cfg->max_connections_per_address = 256;
    cfg->message_timeout_s = 30;
    cfg->body_timeout_s = 30;
    cfg->join_grace_s = 10;
    const char *serde = getenv("LV_SESSION_SERDE");
    if (serde && strcmp(serde, "encrypted") == 0)
        cfg->session_serde = LV_SERDE_ENCRYPTED;
    else if (serde && *serde && strcmp(serde, "jwt") != 0)
        lv_log_warn("ignoring LV_SESSION_SERDE=%s (jwt or encrypted)", serde);
    const char *flag = getenv("LV_SECURE_COOKIES");
    cfg->secure_cookies = flag && strcmp(flag, "1") == 0;
    flag = getenv("LV_CSRF_STRICT");
    cfg->csrf_strict = flag && strcmp(flag, "1") == 0;
    const char *level = getenv("LV_LOG");
    cfg->log_level = lv_log_level_parse(level, LV_LOG_INFO);
    if (level && *level && lv_log_level_parse(level, (lv_log_level)-1) == (lv_log_level)-1)
        lv_log_warn("ignoring LV_LOG=%s (error, warn, info or debug)", level);

    unsigned long long n = 4000;
    env_number("LV_PORT", 65535, &n);
    cfg->port = (int)n;
    env_size("LV_MAX_OUTBOUND_BYTES", SIZE_MAX, &cfg->max_outbound_bytes);
    env_size("LV_MAX_MESSAGE_BYTES", SIZE_MAX, &cfg->max_message_bytes);
    env_unsigned("LV_HEADER_TIMEOUT", 3600, &cfg->header_timeout_s);
    env_unsigned("LV_IDLE_TIMEOUT", 86400, &cfg->idle_timeout_s);
    flag = getenv("LV_LONGPOLL");
    if (flag && strcmp(flag, "0") == 0) cfg->longpoll = false;
    env_unsigned("LV_LONGPOLL_WINDOW_MS", 19000, &cfg->longpoll_window_ms);
    env_unsigned("LV_LONGPOLL_MAX_SESSIONS", 1000000, &cfg->longpoll_max_sessions);
    env_size("LV_SESSION_REVOCATIONS_MAX", 100000000, &cfg->session_revocations_max);
    cfg->content_security_policy = env_or("LV_CSP", NULL);
    cfg->allowed_hosts = env_or("LV_ALLOWED_HOSTS", NULL);
    n = (unsigned long long)cfg->upload_max_bytes_in_flight;
    env_number("LV_UPLOAD_MAX_BYTES_IN_FLIGHT", INT64_MAX, &n);
    cfg->upload_max_bytes_in_flight = (int64_t)n;
    env_size("LV_MAX_BUFFERED_BYTES", SIZE_MAX, &cfg->max_buffered_bytes);
    env_unsigned("LV_MAX_CONNECTIONS", UINT_MAX, &cfg->max_connections);
    env_unsigned("LV_MAX_CONNECTIONS_PER_ADDRESS", UINT_MAX, &cfg->max_connections_per_address);
    env_unsigned("LV_MESSAGE_TIMEOUT", 86400, &cfg->message_timeout_s);
    env_unsigned("LV_BODY_TIMEOUT", 86400, &cfg->body_timeout_s);
    env_unsigned("LV_JOIN_GRACE", 86400, &cfg->join_grace_s);
    n = usable_cores();
    env_number("LV_WORKERS", LV_MAX_WORKERS, &n);
    cfg->workers = n ? (unsigned)n : usable_cores();
}

/* How many loops the app gets: 0 means one per core; LV_ENV=dev reloads
 * templates in place, which only one loop may do safely. */
static unsigned loops_for(const lv_config *cfg)
{
    unsigned n = cfg->workers ? cfg->workers : usable_cores();
    if (n > LV_MAX_WORKERS) n = LV_MAX_WORKERS;
    if (n > 1 && lv_templates_dev_mode()) {
        lv_log_info("LV_ENV=dev reloads templates in place: serving on one loop, not %u", n);
        n = 1;
    }
    return n;
}

static char *dup_or_null(const char *s)
{
    return s ? lv_xstrdup(s) : NULL;
}

lv_app *lv_app_new(const lv_config *cfg)
{
    lv_config defaults;
    if (!cfg) {
        lv_config_defaults(&defaults);
        cfg = &defaults;
    }
    lv_log_configure(cfg->log_level, cfg->log, cfg->log_ctx);
    uint8_t random_secret[64];
    const uint8_t *secret = (const uint8_t *)cfg->secret_key_base;
    size_t secret_len = secret ? strlen(cfg->secret_key_base) : 0;
    if (!secret) {
        lv_random_bytes(random_secret, sizeof random_secret);
        secret = random_secret;
        secret_len = sizeof random_secret;
        lv_log_warn("LV_SECRET_KEY_BASE is not set; using a random key, so pages and sessions "
                    "will not survive a restart");
    } else if (secret_len < LV_MIN_SECRET_BYTES) {
        lv_log_error("the secret key base must be at least %d bytes (got %zu)", LV_MIN_SECRET_BYTES,
                     secret_len);
        return NULL;
    }

    char redirect_error[160];
    if (lv_redirect_hosts_check(cfg->allowed_redirect_hosts, redirect_error, sizeof redirect_error) != 0) {
        lv_log_error("%s", redirect_error);
        return NULL;
    }

    if (cfg->session_ttl_s < 1 || cfg->session_ttl_s > LV_TOKEN_MAX_LIFETIME) {
        lv_log_error("session_ttl_s must be 1 to %d seconds (400 days; got %lld)", LV_TOKEN_MAX_LIFETIME,
                     (long long)cfg->session_ttl_s);
        return NULL;
    }

    lv_origin_policy origins;
    char origin_error[160];
    if (lv_origin_policy_parse(&origins, cfg->allowed_origins, origin_error, sizeof origin_error) != 0) {
        lv_log_error("allowed origins: %s", origin_error);
        return NULL;
    }

    lv_trusted_proxies proxies;
    char proxy_error[160];
    if (lv_trusted_proxies_parse(&proxies, cfg->trusted_proxies, proxy_error, sizeof proxy_error) != 0) {
        lv_log_error("trusted proxies: %s", proxy_error);
        lv_origin_policy_free(&origins);
        return NULL;
    }

    for (const char *c = cfg->content_security_policy; c && *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            lv_log_error("content_security_policy (LV_CSP): control characters are not allowed in a header");
            lv_origin_policy_free(&origins);
            lv_trusted_proxies_free(&proxies);
            return NULL;
        }

    lv_host_allowlist hosts;
    char hosts_error[160];
    if (lv_host_allowlist_parse(&hosts, cfg->allowed_hosts, hosts_error, sizeof hosts_error) != 0) {
        lv_log_error("%s", hosts_error);
        lv_origin_policy_free(&origins);
        lv_trusted_proxies_free(&proxies);
        return NULL;
    }

    lv_redis_url redis_url = {0};
    char redis_error[160];
    if (cfg->redis_url && *cfg->redis_url &&
        lv_redis_url_parse(cfg->redis_url, &redis_url, redis_error, sizeof redis_error) != 0) {
        /* The URL may hold a password: say what is wrong, not what it was. */
        lv_log_error("redis url (LV_REDIS_URL): %s", redis_error);
        lv_origin_policy_free(&origins);
        lv_trusted_proxies_free(&proxies);
        lv_host_allowlist_free(&hosts);
        return NULL;
    }

    char *upload_dir = NULL;
    if (cfg->upload_dir && *cfg->upload_dir) {
        bool created;
        const char *upload_error;
        upload_dir = lv_upload_dir_prepare(cfg->upload_dir, &created, &upload_error);
        if (!upload_dir) {
            lv_log_error("upload_dir (LV_UPLOAD_DIR) %s: %s", cfg->upload_dir, upload_error);
            lv_origin_policy_free(&origins);
            lv_trusted_proxies_free(&proxies);
            lv_redis_url_free(&redis_url);
            return NULL;
        }
    }

    lv_app *app = lv_xcalloc(1, sizeof *app);
    app->config = *cfg;
    app->upload_dir = upload_dir;
    app->config.upload_dir = NULL; /* kept in app->upload_dir */
    if (app->config.upload_token_ttl_s == 0) app->config.upload_token_ttl_s = 60;
    pthread_mutex_init(&app->upload_dir_lock, NULL);
    atomic_init(&app->upload_bytes_in_flight, 0);
    app->upload_io = &lv_upload_posix_io;
    app->config.redis_url = NULL; /* kept parsed, in app->redis_url */
    app->redis_url = redis_url;
    app->config.host = dup_or_null(cfg->host ? cfg->host : "127.0.0.1");
    app->config.assets_dir = dup_or_null(cfg->assets_dir);
    app->config.title = dup_or_null(cfg->title ? cfg->title : "liveview-c");
    app->config.session_cookie = dup_or_null(cfg->session_cookie ? cfg->session_cookie : "_lv_session");
    app->config.allowed_origins = dup_or_null(cfg->allowed_origins);
    app->config.trusted_proxies = dup_or_null(cfg->trusted_proxies);
    app->config.allowed_redirect_hosts = dup_or_null(cfg->allowed_redirect_hosts);
    app->config.content_security_policy = dup_or_null(cfg->content_security_policy);
    app->config.allowed_hosts = dup_or_null(cfg->allowed_hosts);
    app->config.secret_key_base = NULL; /* only the derived keys are kept */
    app->origins = origins;
    app->trusted_proxies = proxies;
    app->allowed_hosts = hosts;
    app->csp_is_default = cfg->content_security_policy == NULL;
    if (app->csp_is_default)
        app->csp = lv_xstrdup(LV_DEFAULT_CSP);
    else if (*cfg->content_security_policy && strcmp(cfg->content_security_policy, "off") != 0)
        app->csp = lv_xstrdup(cfg->content_security_policy);
    app->revocations = lv_revocations_new(cfg->session_revocations_max ? cfg->session_revocations_max : 100000);
    /* One key per purpose: a token made for one never verifies as another. */
    lv_key_derive(&app->session_key, secret, secret_len, "session");
    lv_key_derive(&app->cookie_key, secret, secret_len, "cookie");
    lv_key_derive(&app->aead_key, secret, secret_len, "session-encryption");
    lv_key_derive(&app->flash_key, secret, secret_len, "flash");
    lv_key_derive(&app->longpoll_key, secret, secret_len, "longpoll");
    lv_key_derive(&app->upload_key, secret, secret_len, "upload");
    memset(random_secret, 0, sizeof random_secret);
    if (cfg->session_serde == LV_SERDE_ENCRYPTED)
        lv_serde_aead_init(&app->serde, &app->aead_key, app->config.session_ttl_s, NULL);
    else
        lv_serde_jwt_init(&app->serde, &app->session_key, app->config.session_ttl_s, NULL);
    app->session_data = lv_cookie_session_data;
    atomic_init(&app->stop_requested, false);
    app->loop_count = loops_for(cfg);
    app->config.workers = app->loop_count;
    app->loops = lv_xcalloc(app->loop_count, sizeof *app->loops);
    for (unsigned i = 0; i < app->loop_count; i++) {
        lv_loop *l = &app->loops[i];
        l->app = app;
        l->index = i;
        lv_task_queue_init(&l->tasks);
        atomic_init(&l->sockets_opened, 0);
        atomic_init(&l->server, NULL);
        atomic_init(&l->server_users, 0);
    }
    pthread_mutex_init(&app->topics_lock, NULL);
    atomic_init(&app->run_claimed, false);
    atomic_init(&app->running, false);
    atomic_init(&app->bound_port, 0);
    app->home_thread = pthread_self();
    app->presence = lv_presence_new();
    return app;
}

int lv_route(lv_app *app, const char *path, const lv_view *view)
{
    return lv_app_add_route(app, path, view, NULL);
}

int lv_app_add_route(lv_app *app, const char *path, const lv_view *view, const lv_live_session *session)
{
    if (!path || path[0] != '/') {
        lv_log_error("route \"%s\" must start with /", path ? path : "(null)");
        return -1;
    }
    if (!view || !view->mount || !(view->template_text || view->template_file)) {
        lv_log_error("route %s: a view needs a template and a mount callback", path);
        return -1;
    }
    if (lv_app_find_route(app, path, strlen(path))) {
        lv_log_error("route %s is already taken", path);
        return -1;
    }
    lv_tmpl_error err;
    lv_tmpl *tmpl = lv_template_load(view, &err);
    if (!tmpl) {
        lv_log_error("%s", err.message);
        return -1;
    }
    app->routes = lv_xrealloc(app->routes, (app->route_count + 1) * sizeof *app->routes);
    app->routes[app->route_count++] = (lv_route_entry){lv_xstrdup(path), view, tmpl, session};
    return 0;
}

/* Matches one path segment against one pattern segment. A ":name" segment
 * takes any non-empty segment, percent-decoded, as params[name]. */
static bool match_segment(const char *pat, size_t pat_len, const char *seg, size_t seg_len,
                          lv_value *params)
{
    if (pat_len > 1 && pat[0] == ':') {
        if (seg_len == 0) return false;
        lv_buf value = LV_BUF_INIT;
        bool ok = lv_percent_decode(seg, seg_len, false, SIZE_MAX, &value) == LV_FORM_OK;
        if (ok && params) {
            char name[128];
            size_t n = pat_len - 1 < sizeof name - 1 ? pat_len - 1 : sizeof name - 1;
            memcpy(name, pat + 1, n);
            name[n] = '\0';
            lv_value_map_set(params, name, lv_value_string(value.data ? value.data : "", value.len));
        }
        lv_buf_free(&value);
        return ok;
    }
    return pat_len == seg_len && memcmp(pat, seg, seg_len) == 0;
}

static bool match_pattern(const char *pattern, const char *path, size_t len, lv_value *params)
{
    const char *p = pattern + 1, *q = path + 1;
    const char *q_end = path + len;
    if (len == 0 || path[0] != '/') return false;
    for (;;) {
        const char *p_end = strchr(p, '/');
        size_t p_len = p_end ? (size_t)(p_end - p) : strlen(p);
        const char *seg_end = memchr(q, '/', (size_t)(q_end - q));
        size_t q_len = seg_end ? (size_t)(seg_end - q) : (size_t)(q_end - q);
        if (!match_segment(p, p_len, q, q_len, params)) return false;
        if (!p_end || !seg_end) return !p_end && !seg_end;
        p = p_end + 1;
        q = seg_end + 1;
    }
}

const lv_route_entry *lv_app_match_route(const lv_app *app, const char *path, size_t len,
                                         lv_value *params)
{
    for (size_t i = 0; i < app->route_count; i++) {
        /* Match without touching params first, so a failed route leaves
         * none of its values behind. */
        if (match_pattern(app->routes[i].path, path, len, NULL)) {
            if (params) match_pattern(app->routes[i].path, path, len, params);
            return &app->routes[i];
        }
    }
    return NULL;
}

const lv_route_entry *lv_app_find_route(const lv_app *app, const char *path, size_t len)
{
    for (size_t i = 0; i < app->route_count; i++) {
        const char *p = app->routes[i].path;
        if (strlen(p) == len && memcmp(p, path, len) == 0) return &app->routes[i];
    }
    return NULL;
}

void lv_app_set_serde(lv_app *app, const lv_serde *serde)
{
    lv_serde_release(&app->serde);
    app->serde = *serde;
}

int lv_app_port(const lv_app *app)
{
    return app->bound_port;
}

/* The loop the calling thread runs, if any. */
static _Thread_local lv_loop *loop_of_this_thread;

void lv_app_enter_loop(lv_loop *loop)
{
    loop_of_this_thread = loop;
}

void lv_app_leave_loop(void)
{
    loop_of_this_thread = NULL;
}

lv_loop *lv_app_current_loop(const lv_app *app)
{
    if (loop_of_this_thread && loop_of_this_thread->app == app) return loop_of_this_thread;
    if (!atomic_load(&app->running) && pthread_equal(pthread_self(), app->home_thread))
        return &app->loops[0];
    return NULL;
}

bool lv_app_on_loop_thread(const lv_app *app)
{
    return lv_app_current_loop(app) != NULL;
}

unsigned lv_app_loop_sockets(const lv_app *app, unsigned index)
{
    return index < app->loop_count ? atomic_load(&app->loops[index].sockets_opened) : 0;
}

void lv_app_free(lv_app *app)
{
    if (!app) return;
    if (atomic_load(&app->running) || app->runner) {
        /* Freeing under a running loop would crash later, somewhere less
         * clear; say what the caller must do instead. */
        lv_log_error("lv_app_free: the app is still running; call lv_app_stop and then lv_app_wait "
                     "(or let lv_app_run return) first");
        abort();
    }
    /* Tasks posted to an app that never ran still run, once, here: their
     * arguments may be freed by them. */
    for (unsigned i = 0; i < app->loop_count; i++) lv_task_queue_destroy(&app->loops[i].tasks);
    for (size_t i = 0; i < app->route_count; i++) {
        free(app->routes[i].path);
        lv_tmpl_free(app->routes[i].tmpl);
    }
    free(app->routes);
    for (size_t i = 0; i < app->http_route_count; i++) {
        free(app->http_routes[i].method);
        free(app->http_routes[i].path);
    }
    free(app->http_routes);
    lv_serde_release(&app->serde);
    /* Before pub/sub: ending a session's views unsubscribes them. */
    if (app->longpoll_free) app->longpoll_free(app->longpoll);
    for (unsigned i = 0; i < app->loop_count; i++) lv_pubsub_free(app->loops[i].pubsub);
    free(app->loops);
    lv_pubsub_counts_free(app);
    pthread_mutex_destroy(&app->topics_lock);
    lv_presence_free(app->presence);
    lv_revocations_free(app->revocations);
    lv_host_allowlist_free(&app->allowed_hosts);
    free(app->csp);
    lv_components_registry_free(app);
    lv_live_views_free(app);
    lv_layout_free(app);
    lv_origin_policy_free(&app->origins);
    lv_trusted_proxies_free(&app->trusted_proxies);
    lv_redis_url_free(&app->redis_url);
    free((char *)app->config.trusted_proxies);
    free((char *)app->config.allowed_redirect_hosts);
    free((char *)app->config.content_security_policy);
    free((char *)app->config.allowed_hosts);
    free((char *)app->config.session_cookie);
    free((char *)app->config.allowed_origins);
    free((char *)app->config.host);
    free((char *)app->config.assets_dir);
    if (app->files_free) app->files_free(app->files);
    free(app->asset_tags);
    free((char *)app->config.title);
    /* Every view has ended by now, and with it every file it had. */
    lv_upload_dir_release(app->upload_dir, app->upload_dir_created);
    free(app->upload_dir);
    pthread_mutex_destroy(&app->upload_dir_lock);
    memset(&app->upload_key, 0, sizeof app->upload_key);
    memset(&app->session_key, 0, sizeof app->session_key);
    memset(&app->cookie_key, 0, sizeof app->cookie_key);
    memset(&app->aead_key, 0, sizeof app->aead_key);
    memset(&app->flash_key, 0, sizeof app->flash_key);
    free(app);
}

int64_t lv_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t lv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
