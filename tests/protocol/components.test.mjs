// LiveComponents on the wire (docs/protocol.md §4.4), with a scripted client
// against /decarbonize: a calculator component (cid 1) and two instances of
// a goal component (cids 2 and 3). The join's tree holds the cids in the
// component slots and the components in "c" with "r":1, the second goal
// sharing the first's statics ("s" as a cid); events with a cid go to that
// component and are answered with its diff in "c"; unknown cids get an
// empty reply; cids_will_destroy and cids_destroyed are answered as the
// client expects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

const CALC = 1, WORLD = 2, PARIS = 3;

async function joined() {
  const page = await loadPage(server.url, "/decarbonize");
  assert.equal(page.status, 200);
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  const topic = page.topic;
  const push = (event, payload) => c.push(joinRef, topic, event, payload);
  const click = (cid, event, value = {}) => push("event", { type: "click", event, value, cid });
  const form = (cid, event, fields) => {
    const body = new URLSearchParams({ _csrf_token: page.csrf, ...fields }).toString();
    return push("event", { type: "form", event, value: body, meta: { _target: Object.keys(fields)[0] }, cid });
  };
  const nextDiff = () => c.next((m) => m[2] === topic && m[3] === "diff");
  return { c, page, joinRef, topic, rendered: reply[4].response.rendered, push, click, form, nextDiff };
}

// The top-level slots holding a cid (a JSON number), in slot order.
const cidSlots = (tree) =>
  Object.entries(tree).filter(([k, v]) => /^\d+$/.test(k) && Number.isInteger(v)).map(([k, v]) => [k, v]);

const ok = (reply) => {
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  return reply[4].response;
};

test("the join holds cids in the slots and each component once in c, with r:1 and shared statics", async () => {
  const s = await joined();
  const slots = cidSlots(s.rendered);
  assert.deepEqual(slots.map(([, cid]) => cid), [CALC, WORLD, PARIS]);
  const c = s.rendered.c;
  assert.deepEqual(Object.keys(c).sort(), ["1", "2", "3"]);
  for (const cid of [CALC, WORLD, PARIS]) assert.equal(c[cid].r, 1, `component ${cid} has a single root`);
  assert.ok(Array.isArray(c[CALC].s) && c[CALC].s[0].startsWith('<section class="calculator"'));
  assert.ok(Array.isArray(c[WORLD].s) && c[WORLD].s[0].startsWith('<div class="goal'));
  assert.equal(c[PARIS].s, WORLD, "the second goal refers to the first's statics");
  // The components' own dynamics: myself is the cid, for phx-target.
  assert.match(JSON.stringify(c[CALC]), /phx-target=\\"1\\"/);
  assert.ok(Object.values(c[PARIS]).includes("3"), "the paris goal's myself is 3");
  // The page's own tree has no component markup: it is all in "c".
  assert.ok(!s.rendered.s.join("").includes('class="calculator"'));
  s.c.close();
});

test("an event with a cid reaches that component; its message to the parent comes as a diff", async () => {
  const s = await joined();
  const [[totalSlot]] = Object.entries(s.rendered).filter(([, v]) => v === "7.8");
  const r = ok(await s.click(CALC, "vehicle", { kind: "electric" }));
  // The reply is the component's own diff, and nothing of the page.
  assert.deepEqual(Object.keys(r.diff), ["c"]);
  assert.deepEqual(Object.keys(r.diff.c), [String(CALC)]);
  assert.match(JSON.stringify(r.diff.c), /"5\.5"/, "the component's own total");
  // lv_send_parent: the page's handle_info runs, and its diff carries the
  // new total and the goals, both updated because their argument changed.
  const d = await s.nextDiff();
  assert.equal(d[4][totalSlot], "5.5");
  assert.deepEqual(Object.keys(d[4].c ?? {}).sort(), [String(WORLD), String(PARIS)]);
  for (const cid of [WORLD, PARIS]) {
    assert.equal(d[4].c[cid].s, undefined, "a component on the client gets a diff, not its statics");
    assert.equal(d[4].c[cid].r, undefined);
  }
  assert.ok(JSON.stringify(d[4].c[WORLD]).includes("2 times"), JSON.stringify(d[4].c));

  // A form event for the component: CSRF-checked, cast by its changeset.
  const f = ok(await s.form(CALC, "calculate", { "calc[miles]": "300", "calc[diet]": "vegan", "calc[home]": "gas" }));
  assert.deepEqual(Object.keys(f.diff.c), [String(CALC)]);
  assert.match(JSON.stringify(f.diff.c), /"5\.3"/);
  assert.equal((await s.nextDiff())[4][totalSlot], "5.3");
  const bad = await s.form(CALC, "calculate", { "calc[miles]": "300", _csrf_token: "A".repeat(56) });
  assert.deepEqual(bad[4], { status: "error", response: { reason: "invalid CSRF token" } });

  // An event the component does not declare is refused; the view's events
  // are not the component's.
  assert.equal((await s.click(CALC, "explain"))[4].status, "error");
  // A goal's own event changes that goal only, and tells nobody.
  const e = ok(await s.click(PARIS, "explain"));
  assert.deepEqual(Object.keys(e.diff.c), [String(PARIS)]);
  assert.match(JSON.stringify(e.diff.c), /1\.5 °C/);
  // The server answers a heartbeat after everything sent before it, infos
  // included: by its reply, any diff the event caused has arrived.
  await s.c.heartbeat();
  assert.equal(s.c.inbox.filter((m) => m[3] === "diff").length, 0, JSON.stringify(s.c.inbox));
  s.c.close();
});

test("an event for an unknown cid gets an empty reply", async () => {
  const s = await joined();
  for (const cid of [99, 0, -1]) assert.deepEqual(ok(await s.click(cid, "vehicle", { kind: "gas" })), {});
  // Nothing changed: the calculator still has its defaults.
  const r = ok(await s.click(CALC, "vehicle", { kind: "gas" }));
  assert.ok(!JSON.stringify(r).includes("5.5"));
  s.c.close();
});

test("cids_will_destroy and cids_destroyed; the destroyed cid is then unknown", async () => {
  const s = await joined();
  assert.deepEqual(ok(await s.push("cids_will_destroy", { cids: [PARIS] })), {});
  // Still there until cids_destroyed.
  assert.deepEqual(Object.keys(ok(await s.click(PARIS, "explain")).diff.c), [String(PARIS)]);
  assert.deepEqual(ok(await s.push("cids_destroyed", { cids: [PARIS, 42] })), { cids: [PARIS, 42] });
  assert.deepEqual(ok(await s.click(PARIS, "explain")), {}, "a destroyed cid is unknown");
  assert.deepEqual(ok(await s.push("cids_destroyed", {})), { cids: [] });
  // The other components are untouched.
  assert.deepEqual(Object.keys(ok(await s.click(WORLD, "explain")).diff.c), [String(WORLD)]);

  // The page still places the goal, so its next render mounts it afresh
  // under a new cid, whole (r:1), its statics shared with the goal the
  // client has.
  const [, [parisSlot]] = cidSlots(s.rendered).slice(1);
  ok(await s.click(CALC, "vehicle", { kind: "hybrid" }));
  const d = (await s.nextDiff())[4];
  const cid = d[parisSlot];
  assert.ok(Number.isInteger(cid) && cid > PARIS, JSON.stringify(d));
  assert.equal(d.c[cid].r, 1);
  assert.ok(d.c[cid].s === -WORLD || Array.isArray(d.c[cid].s), JSON.stringify(d.c[cid]));
  assert.ok(JSON.stringify(d.c[cid]).includes("1 time"), "mounted afresh: update ran once");
  s.c.close();
});
