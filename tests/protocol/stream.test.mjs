// Streams over the wire (/feed): the dead render and the join carry the
// mount's posts in the 1.x "stream" format; every later diff carries only
// the posts inserted since the previous one (never a resend), deletes and
// resets; and the server's memory does not grow with the number of posts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

let server;
// Under AddressSanitizer freed memory sits in a quarantine, which would look
// like growth to the RSS check below; without one the check means the same.
const asan = [process.env.ASAN_OPTIONS, "quarantine_size_mb=0", "thread_local_quarantine_size_kb=0"];
before(async () => { server = await startServer({ ASAN_OPTIONS: asan.filter(Boolean).join(":") }); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

// The stream comprehension of a rendered tree or diff: the node with "stream".
function streamNode(tree) {
  if (!tree || typeof tree !== "object") return null;
  if (tree.stream) return tree;
  for (const v of Object.values(tree)) {
    const found = streamNode(v);
    if (found) return found;
  }
  return null;
}

async function joinFeed() {
  const page = await loadPage(server.url, "/feed");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join({ ...page, url: page.url });
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  return { c, page, joinRef, rendered: reply[4].response.rendered };
}

const push = (c, joinRef, topic, event, value = {}) =>
  c.push(joinRef, topic, "event", { type: "click", event, value });

test("the dead render shows the mount's posts newest first; the join sends them as stream inserts", async () => {
  const { c, page, rendered } = await joinFeed();
  const ids = [...page.html.matchAll(/<li id="(posts-\d+)"/g)].map((m) => m[1]);
  assert.deepEqual(ids, ["posts-3", "posts-2", "posts-1"]);
  const node = streamNode(rendered);
  assert.ok(node, "a stream comprehension");
  assert.equal(node.k.kc, 3);
  assert.deepEqual(node.stream, ["0", [["posts-1", 0, 50, false], ["posts-2", 0, 50, false], ["posts-3", 0, 50, false]], []]);
  assert.ok(Array.isArray(node.s), "statics with the join");
  c.close();
});

test("each diff carries only the new posts, deletes and resets", async () => {
  const { c, page, joinRef } = await joinFeed();
  let r = await push(c, joinRef, page.topic, "post");
  let node = streamNode(r[4].response.diff);
  assert.equal(node.k.kc, 1);
  assert.deepEqual(node.stream, ["0", [["posts-4", 0, 50, false]], []]);
  assert.equal(node.s, undefined, "no statics: the client has them");

  r = await push(c, joinRef, page.topic, "delete", { id: "posts-2" });
  node = streamNode(r[4].response.diff);
  assert.deepEqual(node, { k: { kc: 0 }, stream: ["0", [], ["posts-2"]] });

  r = await push(c, joinRef, page.topic, "clear");
  node = streamNode(r[4].response.diff);
  assert.deepEqual(node, { k: { kc: 0 }, stream: ["0", [], [], true] });

  // A click that changes nothing: no diff at all.
  r = await push(c, joinRef, page.topic, "auto");
  r = await push(c, joinRef, page.topic, "auto");
  assert.equal(streamNode(r[4].response.diff), null);

  // A bad delete fails the event, which crashes the view (phx_error, as in
  // Phoenix; the client rejoins).
  const ref = c.send(joinRef, page.topic, "event", { type: "click", event: "delete", value: { id: "other-1" } });
  const crash = await c.next((m) => m[2] === page.topic && (m[3] === "phx_error" || m[1] === ref));
  assert.deepEqual(crash, [joinRef, joinRef, page.topic, "phx_error", {}]);
  c.close();
});

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m[1]);
}

test("22,000 posts: every diff has just its 100 new posts; the server's memory stays flat", async (t) => {
  const { c, page, joinRef } = await joinFeed();
  let next = 4;
  const burst = async () => {
    const r = await push(c, joinRef, page.topic, "burst", { count: "100" });
    assert.equal(r[4].status, "ok");
    const node = streamNode(r[4].response.diff);
    assert.equal(node.k.kc, 100);
    const ids = node.stream[1].map((ins) => ins[0]);
    assert.equal(ids.length, 100);
    assert.equal(ids[0], `posts-${next}`, "starts with the first new post");
    assert.equal(ids[99], `posts-${next + 99}`, "ends with the last new post");
    next += 100;
    return JSON.stringify(r[4].response.diff).length;
  };
  // Warm up the allocator, then measure.
  const sizes = [];
  for (let i = 0; i < 20; i++) sizes.push(await burst());
  assert.ok(Math.max(...sizes) < 2 * Math.min(...sizes), "diffs do not grow: " + sizes);
  const before = rssKiB(server.pid);
  for (let i = 0; i < 200; i++) await burst(); // 20,000 more posts
  const grown = rssKiB(server.pid) - before;
  // Kept posts would be several MB (20,000 maps of four fields).
  t.diagnostic(`RSS ${before} KiB, grew by ${grown} KiB over 20,000 posts; diffs of ${sizes[0]} bytes`);
  assert.ok(grown < 1024, `RSS grew by ${grown} KiB over 20,000 posts`);
  c.close();
});

test("hostile values stay escaped inside stream items", async () => {
  const page = await loadPage(server.url, "/feed");
  // The example's phrase with markup is rendered as text.
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef } = await c.join({ ...page });
  const r = await push(c, joinRef, page.topic, "burst", { count: "10" });
  const json = JSON.stringify(r[4].response.diff);
  assert.match(json, /&lt;b&gt;bold&lt;\/b&gt;/);
  assert.doesNotMatch(json, /<b>bold/);
  c.close();
});
