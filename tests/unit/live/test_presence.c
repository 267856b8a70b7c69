/* The presence state machine (live/presence_state.c) on its own: local
 * tracks, remote nodes' deltas, states and heartbeats, expiry, and the
 * messages a broker may garble, repeat or reorder. Messages go from one
 * state to another by hand, so every delivery order is the test's choice. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "live/presence.h"
#include "util/value_json.h"

static int owner_a, owner_b; /* two views: only their addresses matter */

static lv_value meta_named(const char *name)
{
    lv_value m = lv_value_map();
    lv_value_map_set(&m, "name", lv_value_string(name, strlen(name)));
    return m;
}

/* The metas under diffs[topic][side][key], or NULL. */
static const lv_value *diff_metas(const lv_presence_out *out, const char *topic, const char *side, const char *key)
{
    const lv_value *d = lv_value_map_get(&out->diffs, topic, strlen(topic));
    const lv_value *s = d ? lv_value_map_get(d, side, strlen(side)) : NULL;
    const lv_value *p = s ? lv_value_map_get(s, key, strlen(key)) : NULL;
    return p ? lv_value_map_get(p, "metas", 5) : NULL;
}

static size_t diff_count(const lv_presence_out *out, const char *topic, const char *side, const char *key)
{
    return lv_value_list_len(diff_metas(out, topic, side, key));
}

static bool no_diffs(const lv_presence_out *out)
{
    return !out->diffs.as.map || out->diffs.as.map->count == 0;
}

static size_t message_count(const lv_presence_out *out)
{
    return lv_value_list_len(&out->messages);
}

static const lv_value *message_at(const lv_presence_out *out, size_t i)
{
    return &out->messages.as.list->items[i];
}

/* Hands every message of from to `to`, collecting what it produced. */
static void deliver_all(const lv_presence_out *from, lv_presence_state *to, lv_presence_out *to_out)
{
    for (size_t i = 0; i < message_count(from); i++) lv_presence_state_receive(to, message_at(from, i), to_out);
}

/* The metas of key in a list, as a count. */
static size_t listed(const lv_presence_state *st, const char *topic, const char *key)
{
    lv_value list = lv_presence_state_list(st, topic);
    const lv_value *p = lv_value_map_get(&list, key, strlen(key));
    size_t n = p ? lv_value_list_len(lv_value_map_get(p, "metas", 5)) : 0;
    lv_value_free(&list);
    return n;
}

static lv_value parse(const char *json)
{
    lv_value v;
    cr_assert_eq(lv_value_parse_json(json, strlen(json), 64, &v), LV_JSON_OK, "%s", json);
    return v;
}

static lv_presence_state *a, *b;

static void setup(void)
{
    a = lv_presence_state_new("node-a", 3);
    b = lv_presence_state_new("node-b", 3);
}

static void teardown(void)
{
    lv_presence_state_free(a);
    lv_presence_state_free(b);
}

TestSuite(presence_state, .init = setup, .fini = teardown);

Test(presence_state, a_track_joins_with_a_ref_and_announces_a_delta)
{
    lv_presence_out out;
    lv_presence_out_init(&out);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &out);
    cr_assert_eq(diff_count(&out, "room", "joins", "alice"), 1);
    const lv_value *meta = &diff_metas(&out, "room", "joins", "alice")->as.list->items[0];
    cr_assert_str_eq(lv_value_str_at(meta, "name"), "Alice");
    cr_assert_not_null(lv_value_str_at(meta, "phx_ref"));
    cr_assert_not_null(lv_value_map_get(&out.diffs.as.map->entries[0].value, "leaves", 6), "both sides");
    cr_assert_eq(message_count(&out), 1);
    cr_assert_str_eq(lv_value_str_at(message_at(&out, 0), "kind"), "delta");
    cr_assert_eq(listed(a, "room", "alice"), 1);
    cr_assert_eq(listed(a, "other", "alice"), 0);
    cr_assert(lv_presence_state_busy(a));
    lv_value_free(&m);
    lv_presence_out_free(&out);
}

Test(presence_state, tracking_again_updates_with_a_leave_and_a_join)
{
    lv_presence_out out;
    lv_presence_out_init(&out);
    lv_value m1 = meta_named("Alice"), m2 = meta_named("Alicia");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m1, &out);
    char ref[32];
    snprintf(ref, sizeof ref, "%s",
             lv_value_str_at(&diff_metas(&out, "room", "joins", "alice")->as.list->items[0], "phx_ref"));
    lv_presence_out_free(&out);
    lv_presence_out_init(&out);
    lv_presence_state_track(a, &owner_a, "room", "alice", &m2, &out);
    cr_assert_eq(diff_count(&out, "room", "leaves", "alice"), 1);
    cr_assert_eq(diff_count(&out, "room", "joins", "alice"), 1);
    const lv_value *joined = &diff_metas(&out, "room", "joins", "alice")->as.list->items[0];
    cr_assert_str_eq(lv_value_str_at(joined, "name"), "Alicia");
    cr_assert_str_eq(lv_value_str_at(joined, "phx_ref_prev"), ref);
    cr_assert_str_neq(lv_value_str_at(joined, "phx_ref"), ref);
    cr_assert_eq(listed(a, "room", "alice"), 1, "still one presence");
    lv_value_free(&m1);
    lv_value_free(&m2);
    lv_presence_out_free(&out);
}

Test(presence_state, two_views_share_a_key_and_leave_one_by_one)
{
    lv_presence_out out;
    lv_presence_out_init(&out);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &out);
    lv_presence_state_track(a, &owner_b, "room", "alice", &m, &out);
    lv_presence_state_track(a, &owner_a, "lobby", "alice", &m, &out);
    cr_assert_eq(listed(a, "room", "alice"), 2);
    lv_presence_out_free(&out);
    lv_presence_out_init(&out);
    lv_presence_state_untrack(a, &owner_a, NULL, NULL, &out); /* the view ended */
    cr_assert_eq(diff_count(&out, "room", "leaves", "alice"), 1);
    cr_assert_eq(diff_count(&out, "lobby", "leaves", "alice"), 1);
    cr_assert_eq(message_count(&out), 1, "one delta for the whole change");
    cr_assert_eq(listed(a, "room", "alice"), 1);
    lv_presence_out_free(&out);
    lv_presence_out_init(&out);
    lv_presence_state_untrack(a, &owner_b, "room", "nobody", &out);
    cr_assert(no_diffs(&out));
    cr_assert_eq(message_count(&out), 0, "nothing changed, nothing sent");
    lv_presence_state_untrack(a, &owner_b, "room", "alice", &out);
    cr_assert_eq(listed(a, "room", "alice"), 0);
    cr_assert_not(lv_presence_state_busy(a));
    lv_value_free(&m);
    lv_presence_out_free(&out);
}

Test(presence_state, remote_deltas_merge_and_duplicates_are_ignored)
{
    lv_presence_out oa, ob;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&ob);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa);
    deliver_all(&oa, b, &ob);
    cr_assert_eq(diff_count(&ob, "room", "joins", "alice"), 1);
    cr_assert_eq(listed(b, "room", "alice"), 1);
    lv_presence_out_free(&ob);
    lv_presence_out_init(&ob);
    deliver_all(&oa, b, &ob); /* the broker repeats itself */
    cr_assert(no_diffs(&ob));
    cr_assert_eq(message_count(&ob), 0);
    cr_assert_eq(listed(b, "room", "alice"), 1);
    lv_presence_out_free(&oa);
    lv_presence_out_init(&oa);
    lv_presence_state_untrack(a, &owner_a, "room", "alice", &oa);
    deliver_all(&oa, b, &ob);
    cr_assert_eq(diff_count(&ob, "room", "leaves", "alice"), 1);
    cr_assert_eq(listed(b, "room", "alice"), 0);
    lv_value_free(&m);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&ob);
}

Test(presence_state, a_gap_asks_for_the_state_and_a_late_delta_is_dropped)
{
    lv_presence_out first, second, ob, answer;
    lv_presence_out_init(&first);
    lv_presence_out_init(&second);
    lv_presence_out_init(&ob);
    lv_presence_out_init(&answer);
    lv_value m1 = meta_named("Alice"), m2 = meta_named("Bob");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m1, &first);
    lv_presence_state_track(a, &owner_b, "room", "bob", &m2, &second);
    deliver_all(&second, b, &ob); /* version 2 before version 1 */
    cr_assert(no_diffs(&ob), "not applied on a gap");
    cr_assert_eq(message_count(&ob), 1);
    cr_assert_str_eq(lv_value_str_at(message_at(&ob, 0), "kind"), "sync");
    cr_assert_str_eq(lv_value_str_at(message_at(&ob, 0), "to"), "node-a");
    deliver_all(&ob, a, &answer);
    cr_assert_eq(message_count(&answer), 1);
    cr_assert_str_eq(lv_value_str_at(message_at(&answer, 0), "kind"), "state");
    lv_presence_out_free(&ob);
    lv_presence_out_init(&ob);
    deliver_all(&answer, b, &ob);
    cr_assert_eq(diff_count(&ob, "room", "joins", "alice"), 1);
    cr_assert_eq(diff_count(&ob, "room", "joins", "bob"), 1);
    lv_presence_out_free(&ob);
    lv_presence_out_init(&ob);
    deliver_all(&first, b, &ob); /* version 1, late */
    cr_assert(no_diffs(&ob));
    cr_assert_eq(message_count(&ob), 0);
    cr_assert_eq(listed(b, "room", "alice"), 1);
    cr_assert_eq(listed(b, "room", "bob"), 1);
    lv_value_free(&m1);
    lv_value_free(&m2);
    lv_presence_out_free(&first);
    lv_presence_out_free(&second);
    lv_presence_out_free(&ob);
    lv_presence_out_free(&answer);
}

Test(presence_state, a_late_joiner_asks_everyone_and_learns_the_state)
{
    lv_presence_out oa, oc, answer;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&oc);
    lv_presence_out_init(&answer);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa);
    lv_presence_state_untrack(a, &owner_a, "room", "alice", &oa);
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa); /* version 3 */
    lv_presence_state_ask_all(b, &oc);                               /* b starts now */
    cr_assert_str_eq(lv_value_str_at(message_at(&oc, 0), "to"), "*");
    deliver_all(&oc, a, &answer);
    lv_presence_out_free(&oc);
    lv_presence_out_init(&oc);
    deliver_all(&answer, b, &oc);
    cr_assert_eq(diff_count(&oc, "room", "joins", "alice"), 1);
    cr_assert_eq(listed(b, "room", "alice"), 1);
    /* What b would have heard before it asked changes nothing now. */
    lv_presence_out_free(&oc);
    lv_presence_out_init(&oc);
    deliver_all(&oa, b, &oc);
    cr_assert(no_diffs(&oc));
    cr_assert_eq(listed(b, "room", "alice"), 1);
    lv_value_free(&m);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&oc);
    lv_presence_out_free(&answer);
}

Test(presence_state, a_heartbeat_from_a_node_met_midway_asks_for_its_state)
{
    lv_presence_out oa, ob;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&ob);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa);
    lv_presence_out_free(&oa); /* b never heard the delta */
    lv_presence_out_init(&oa);
    lv_presence_state_tick(a, &oa);
    cr_assert_eq(message_count(&oa), 1);
    cr_assert_str_eq(lv_value_str_at(message_at(&oa, 0), "kind"), "heartbeat");
    deliver_all(&oa, b, &ob);
    deliver_all(&oa, b, &ob); /* twice in one tick: asked once */
    cr_assert_eq(message_count(&ob), 1);
    cr_assert_str_eq(lv_value_str_at(message_at(&ob, 0), "kind"), "sync");
    lv_value_free(&m);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&ob);
}

Test(presence_state, a_silent_node_expires_and_its_presences_leave)
{
    lv_presence_out oa, ob;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&ob);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa);
    deliver_all(&oa, b, &ob);
    for (int i = 0; i < 5; i++) { /* a beats: b keeps it */
        lv_presence_out_free(&oa);
        lv_presence_out_init(&oa);
        lv_presence_state_tick(b, &ob);
        lv_presence_state_tick(a, &oa);
        deliver_all(&oa, b, &ob);
    }
    cr_assert_eq(listed(b, "room", "alice"), 1);
    lv_presence_out_free(&ob);
    lv_presence_out_init(&ob);
    for (int i = 0; i < 3; i++) lv_presence_state_tick(b, &ob); /* a falls silent */
    cr_assert(no_diffs(&ob), "three silent beats are still within the expiry");
    cr_assert_eq(listed(b, "room", "alice"), 1);
    lv_presence_state_tick(b, &ob);
    cr_assert_eq(diff_count(&ob, "room", "leaves", "alice"), 1);
    cr_assert_eq(listed(b, "room", "alice"), 0);
    cr_assert_not(lv_presence_state_busy(b), "the node is forgotten");
    lv_value_free(&m);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&ob);
}

Test(presence_state, an_older_state_does_not_undo_a_newer_one)
{
    lv_presence_out oa, ob;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&ob);
    lv_value old_state = parse("{\"kind\":\"state\",\"node\":\"node-x\",\"vsn\":1,\"topics\":"
                               "{\"room\":{\"x\":{\"metas\":[{\"phx_ref\":\"r1\"}]}}}}");
    lv_value new_state = parse("{\"kind\":\"state\",\"node\":\"node-x\",\"vsn\":2,\"topics\":{}}");
    lv_presence_state_receive(b, &new_state, &ob);
    lv_presence_state_receive(b, &old_state, &ob);
    cr_assert(no_diffs(&ob));
    cr_assert_eq(listed(b, "room", "x"), 0);
    lv_value_free(&old_state);
    lv_value_free(&new_state);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&ob);
}

Test(presence_state, own_messages_and_garbage_change_nothing)
{
    lv_presence_out oa, ob;
    lv_presence_out_init(&oa);
    lv_presence_out_init(&ob);
    lv_value m = meta_named("Alice");
    lv_presence_state_track(a, &owner_a, "room", "alice", &m, &oa);
    deliver_all(&oa, a, &ob); /* back from the broker */
    cr_assert(no_diffs(&ob));
    cr_assert_eq(listed(a, "room", "alice"), 1);
    static const char *const garbage[] = {
        "[]",
        "\"delta\"",
        "{}",
        "{\"kind\":\"delta\"}",
        "{\"kind\":7,\"node\":\"x\",\"vsn\":1}",
        "{\"kind\":\"delta\",\"node\":\"\",\"vsn\":1,\"diffs\":{}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":-1,\"diffs\":{}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":\"1\",\"diffs\":{}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1.5,\"diffs\":{}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":[]}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":[]}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":[]}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":{\"k\":{}}}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":{\"k\":{\"metas\":{}}}}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":{\"k\":{\"metas\":[1]}}}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":{\"k\":{\"metas\":[{}]}}}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"joins\":{\"k\":{\"metas\":"
        "[{\"phx_ref\":\"\"}]}}}}}",
        "{\"kind\":\"delta\",\"node\":\"x\",\"vsn\":1,\"diffs\":{\"room\":{\"leaves\":{\"k\":{\"metas\":"
        "[{\"phx_ref\":5}]}}}}}",
        "{\"kind\":\"state\",\"node\":\"x\",\"vsn\":1,\"topics\":{\"room\":{\"k\":[]}}}",
        "{\"kind\":\"state\",\"node\":\"x\",\"vsn\":1}",
        "{\"kind\":\"welcome\",\"node\":\"x\",\"vsn\":1}",
        "{\"kind\":\"sync\",\"node\":\"x\"}",
        "{\"kind\":\"sync\",\"node\":\"x\",\"to\":\"someone-else\"}",
        "{\"kind\":\"heartbeat\",\"node\":"
        "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"vsn\":1}",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        lv_value v = parse(garbage[i]);
        lv_presence_state_receive(b, &v, &ob);
        cr_assert(no_diffs(&ob), "%s", garbage[i]);
        cr_assert_eq(message_count(&ob), 0, "%s", garbage[i]);
        cr_assert_not(lv_presence_state_busy(b), "no node made up from %s", garbage[i]);
        lv_value_free(&v);
    }
    lv_presence_state_receive(b, NULL, &ob);
    cr_assert(no_diffs(&ob));
    lv_value_free(&m);
    lv_presence_out_free(&oa);
    lv_presence_out_free(&ob);
}
