// Component messaging on the wire (examples/contacts.c): send_update's
// change travels as the component's diff under "c" in a push; a row's
// event replies with its own change, the flash in the view's diff, the
// pushed event under "e", and the patch as live_patch beside the diff
// (Phoenix: a component's push_patch/put_flash/push_event are the page's).
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

test("send_update pushes the component's diff; a component event replies for the page", async () => {
  const page = await loadPage(server.url, "/contacts");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok");
  const components = reply[4].response.rendered.c;
  assert.equal(Object.keys(components).length, 100);
  // Cids follow the order the rows were first rendered in: row n is cid n.
  const highlight = await c.push(joinRef, page.topic, "event", { type: "click", event: "highlight", value: { id: "7" } });
  assert.equal(highlight[4].status, "ok");
  const push = await c.next((m) => Array.isArray(m) && m[3] === "diff" && JSON.stringify(m[4]).includes("highlight"));
  assert.deepEqual(Object.keys(push[4]), ["c"], "only the component's diff");
  assert.deepEqual(Object.keys(push[4].c), ["7"]);

  const cid = 12;
  const star = await c.push(joinRef, page.topic, "event", { type: "click", event: "star", value: {}, cid });
  assert.equal(star[4].status, "ok");
  const diff = star[4].response.diff;
  assert.ok(diff.c[String(cid)], "the row's own change");
  assert.deepEqual(diff.e, [["starred", { id: 12 }]]);
  assert.ok(JSON.stringify(diff).includes("Starred Grace Hopper."), "the flash, in the view's diff");

  const select = await c.push(joinRef, page.topic, "event", { type: "click", event: "select", value: {}, cid });
  assert.equal(select[4].status, "ok");
  assert.deepEqual(select[4].response.live_patch, { to: "/contacts?selected=12", kind: "push" });
  assert.ok(JSON.stringify(select[4].response.diff).includes("Grace Hopper"));
  c.close();
});
