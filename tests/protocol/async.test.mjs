// Async assigns on the wire (examples/async.c): the join renders the
// loading branch of {{#async_result}}, the result arrives later as a "diff"
// push (no reply: no client message caused it), and update-only stream
// inserts carry true as their fourth element, as Phoenix's
// stream_insert(update_only: true) does (the client's [key, at, limit,
// updateOnly]).
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

const json = (x) => JSON.stringify(x);

test("loading in the join, the result in a diff push, update-only inserts", async () => {
  const page = await loadPage(server.url, "/async");
  assert.ok(page.html.includes("Loading the organization"));
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok");
  // Both loads were started by the connected mount; whichever finished
  // before the join rendered is already in it, the rest comes as pushes.
  let seen = json(reply[4].response.rendered);
  for (let i = 0; i < 4 && !(seen.includes("Acme Corp #1") && seen.includes("posts-5")); i++) {
    const push = await c.next((m) => Array.isArray(m) && m[3] === "diff");
    assert.equal(push[0], joinRef);
    assert.equal(push[1], null, "a push, not a reply");
    seen += json(push[4]);
  }
  assert.ok(seen.includes("Acme Corp #1"), seen);
  assert.ok(seen.includes("posts-5"), seen);

  const edit = await c.click(joinRef, page.topic, "edit");
  assert.equal(edit[4].status, "ok");
  const inserts = [];
  const walk = (x) => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x && typeof x === "object") {
      if (Array.isArray(x.stream)) inserts.push(...x.stream[1]);
      Object.values(x).forEach(walk);
    }
  };
  walk(edit[4].response.diff);
  assert.deepEqual(inserts, [["posts-0", -1, null, true], ["posts-1", -1, null, true]]);
  c.close();
});
