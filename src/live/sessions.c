/* Ending sessions before their cookie expires: the session's identity
 * (a random "_sid" and its creation time "_t", in the signed cookie), the
 * app's store of revocations (security/revocation.h) and the internal topic
 * that carries them to every process of a cluster. The trade-offs are in
 * docs/security.md, "Ending sessions". */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "live/live.h"
#include "security/revocation.h"
#include "util/log.h"

#define SID_KEY "_sid"
#define CREATED_KEY "_t"
#define MAX_SUBJECTS 16 /* string entries of a session looked at */

/* A revocation must outlive every cookie it refuses: one signed now lives
 * session_ttl_s at most. */
static int64_t expiry_of_now(const lv_app *app)
{
    return lv_now_seconds() + app->config.session_ttl_s;
}

bool lv_sessions_refused(lv_app *app, json_t *session)
{
    const char *sid = json_string_value(json_object_get(session, SID_KEY));
    json_t *created = json_object_get(session, CREATED_KEY);
    int64_t created_ms = json_is_integer(created) ? json_integer_value(created) : -1;
    char *subjects[MAX_SUBJECTS];
    size_t count = 0;
    const char *key;
    json_t *value;
    json_object_foreach(session, key, value) {
        if (key[0] == '_' || !json_is_string(value) || count == MAX_SUBJECTS) continue;
        subjects[count++] = lv_revocation_subject(key, json_string_value(value));
    }
    bool refused = lv_revocations_refuse(app->revocations, sid, created_ms, (const char *const *)subjects, count);
    for (size_t i = 0; i < count; i++) free(subjects[i]);
    return refused;
}

/* Adds the revocation here and sends it to the other processes. Through
 * the Redis broker (or the app's own) it comes back to this process as
 * well, where adding it again changes nothing. */
static void revoke(lv_app *app, lv_revocation_kind kind, const char *key)
{
    int64_t at_ms = lv_now_ms(), expires_at = expiry_of_now(app);
    lv_revocations_add(app->revocations, kind, key, at_ms, expires_at, lv_now_seconds());
    if (!app->broker.publish) return; /* one process: nobody else to tell */
    lv_value payload = lv_value_map();
    lv_value_map_set(&payload, "kind", lv_value_int(kind));
    lv_value_map_set(&payload, "key", lv_value_string(key, strlen(key)));
    lv_value_map_set(&payload, "at", lv_value_int(at_ms));
    lv_value_map_set(&payload, "exp", lv_value_int(expires_at));
    if (lv_broadcast(app, LV_SESSIONS_TOPIC, "revoke", &payload) != 0)
        lv_log_warn("sessions: a revocation could not be sent to the other processes");
    lv_value_free(&payload);
}

void lv_sessions_revoke_id(lv_app *app, const char *sid)
{
    if (app && sid && *sid) revoke(app, LV_REVOKE_SESSION, sid);
}

int lv_sessions_revoke(lv_app *app, const char *key, const char *value)
{
    if (!app || !key || !*key || !value || !*value) return -1;
    char *subject = lv_revocation_subject(key, value);
    revoke(app, LV_REVOKE_SUBJECT, subject);
    free(subject);
    return 0;
}

void lv_sessions_receive(lv_app *app, const char *message, size_t len)
{
    json_t *msg = json_loadb(message, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *p = json_object_get(msg, "payload");
    json_t *kind = json_object_get(p, "kind"), *at = json_object_get(p, "at"), *exp = json_object_get(p, "exp");
    const char *key = json_string_value(json_object_get(p, "key"));
    if (!json_is_integer(kind) || !key || !json_is_integer(at) || !json_is_integer(exp) ||
        (json_integer_value(kind) != LV_REVOKE_SESSION && json_integer_value(kind) != LV_REVOKE_SUBJECT)) {
        lv_log_warn("sessions: dropped a malformed revocation");
    } else {
        /* Another process's expiry may lie further out (a longer
         * session_ttl_s there); never beyond what any token may live. */
        int64_t now = lv_now_seconds(), expires_at = json_integer_value(exp);
        if (expires_at > now + LV_TOKEN_MAX_LIFETIME) expires_at = now + LV_TOKEN_MAX_LIFETIME;
        if (lv_revocations_add(app->revocations, (lv_revocation_kind)json_integer_value(kind), key,
                               json_integer_value(at), expires_at, now))
            lv_log_debug("sessions: a revocation arrived through the broker");
    }
    json_decref(msg);
}
