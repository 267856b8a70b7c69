// Nested LiveViews on the wire (docs/nested.md; examples/nested.c). The
// reference is Phoenix's Static.nested_render and Channel's child join:
// the parent's join tree carries each child's container (id,
// data-phx-session, data-phx-static, data-phx-parent-id) with nothing
// inside; the client joins "lv:<child id>" with that token, which is bound
// to the parent (Phoenix: the parent pid in the token must be alive; here:
// the parent must be joined on the same connection). A sticky child has a
// token in the dead render and data-phx-sticky instead of a parent id.
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

// Every string of a rendered tree (statics and dynamics), joined.
function html(rendered) {
  const out = [];
  const walk = (v) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(rendered);
  return out.join("");
}

// The container of child `id` in some HTML: its attributes and what is inside.
function container(text, id) {
  const m = new RegExp(`<div id="${id}"([^>]*)>(.*?)</div>`, "s").exec(text);
  assert.ok(m, `container of ${id} in ${text.slice(0, 2000)}`);
  const attr = (name) => new RegExp(`${name}(?:="([^"]*)")?`).exec(m[1]);
  return {
    token: attr("data-phx-session")?.[1],
    parentId: attr("data-phx-parent-id")?.[1],
    sticky: attr("data-phx-sticky") !== null,
    hasStatic: attr("data-phx-static") !== null,
    inner: m[2],
  };
}

// Joins a child's topic as the client's joinChild does: no url, the child's
// token, the page's CSRF token.
async function joinChild(c, page, id, token, sticky = false) {
  const ref = String(++c.ref);
  c.ws.send(JSON.stringify([ref, ref, "lv:" + id, "phx_join", {
    params: { _csrf_token: page.csrf, _mounts: 0, _mount_attempts: 0 },
    session: token, static: "", sticky,
  }]));
  const reply = await c.next((m) => Array.isArray(m) && m[1] === ref && m[3] === "phx_reply");
  return { joinRef: ref, reply };
}

async function parentJoined(path = "/nested", cookie) {
  const page = await loadPage(server.url, path, cookie);
  assert.equal(page.status, 200);
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply[4]));
  return { page, c, joinRef, tree: html(reply[4].response.rendered) };
}

test("the dead render puts each child inline in its container; the parent's join tree carries it empty, with a token", async () => {
  const page = await loadPage(server.url, "/nested");
  const dead = container(page.html, "counter");
  assert.equal(dead.parentId, page.id);
  assert.equal(dead.token, "", "no token for a child in the dead render (Phoenix's disconnected_nested_render)");
  assert.ok(dead.hasStatic);
  assert.match(dead.inner, /id="child-count"[^>]*>0</, "the child's HTML is inline");

  const { tree, c } = await parentJoined();
  for (const id of ["clock", "counter"]) {
    const live = container(tree, id);
    assert.match(live.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a signed token");
    assert.match(live.parentId, /^phx-/);
    assert.equal(live.sticky, false);
    assert.equal(live.inner, "", "the child's content is not in the parent's tree");
  }
  assert.ok(!tree.includes("child-count"), "the child renders over its own topic");
  c.close();
});

test("a child joins with its token; its events and diffs stay on its topic; it reports to its parent", async () => {
  const { page, c, joinRef, tree } = await parentJoined();
  const token = container(tree, "counter").token;
  const joined = await joinChild(c, page, "counter", token);
  assert.equal(joined.reply[4].status, "ok", JSON.stringify(joined.reply[4]));
  assert.match(html(joined.reply[4].response.rendered), /id="child-count"[^>]*>/);

  const inc = await c.click(joined.joinRef, "lv:counter", "inc");
  assert.equal(inc[2], "lv:counter");
  assert.equal(inc[4].status, "ok");
  assert.ok(JSON.stringify(inc[4].response.diff).includes('"1"'), JSON.stringify(inc[4].response));
  // The parent's own event is answered on its topic: no diff of the child there.
  const parentClick = await c.click(joinRef, page.topic, "click");
  assert.ok(!JSON.stringify(parentClick[4]).includes("child-count"));

  const report = await c.click(joined.joinRef, "lv:counter", "report");
  assert.equal(report[4].status, "ok");
  const diff = await c.next((m) => m[2] === page.topic && m[3] === "diff");
  assert.ok(JSON.stringify(diff[4]).includes("the counter was at 1"), JSON.stringify(diff[4]));

  // An event the child does not declare is refused by the child.
  const refused = await c.click(joined.joinRef, "lv:counter", "click");
  assert.equal(refused[4].status, "error");
  c.close();
});

test("a child refuses a forged token, a token of another parent, and a join without its parent", async () => {
  const first = await parentJoined();
  const token = container(first.tree, "counter").token;

  const forged = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA");
  let r = await joinChild(first.c, first.page, "counter", forged);
  assert.deepEqual(r.reply[4], { status: "error", response: { reason: "stale" } });

  // Another id than the token's.
  r = await joinChild(first.c, first.page, "clock", token);
  assert.deepEqual(r.reply[4], { status: "error", response: { reason: "stale" } });

  // The same browser (cookie), another connection where the parent is not joined.
  const c2 = await Client.connect(server.url, { csrf: first.page.csrf, cookie: first.page.cookie });
  r = await joinChild(c2, first.page, "counter", token);
  assert.deepEqual(r.reply[4], { status: "error", response: { reason: "stale" } }, "its parent is not joined here");

  // A second page of the same browser, its parent joined on c2: the first
  // page's child token names the first parent, which c2 has not joined.
  const page2 = await loadPage(server.url, "/nested", first.page.cookie);
  const { reply } = await c2.join(page2);
  assert.equal(reply[4].status, "ok");
  r = await joinChild(c2, page2, "counter", token);
  assert.deepEqual(r.reply[4], { status: "error", response: { reason: "stale" } }, "another parent's child token");
  const own = container(html(reply[4].response.rendered), "counter").token;
  r = await joinChild(c2, page2, "counter", own);
  assert.equal(r.reply[4].status, "ok", "its own parent's token joins");
  first.c.close();
  c2.close();
});

test("a child ends with its parent; a sticky child does not", async () => {
  const { page, c, joinRef, tree } = await parentJoined();
  const child = await joinChild(c, page, "counter", container(tree, "counter").token);
  assert.equal(child.reply[4].status, "ok");

  const sticky = container(page.html, "sticky");
  assert.equal(sticky.sticky, true);
  assert.equal(sticky.parentId, undefined, "a sticky child names no parent");
  assert.match(sticky.token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a sticky child has its token in the dead render");
  assert.match(sticky.inner, /id="sticky-likes"[^>]*>0</);
  const stickyJoin = await joinChild(c, page, "sticky", sticky.token, true);
  assert.equal(stickyJoin.reply[4].status, "ok", JSON.stringify(stickyJoin.reply[4]));
  assert.equal(container(tree, "sticky").sticky, true, "the parent's tree keeps it sticky");

  const leave = await c.push(joinRef, page.topic, "phx_leave", {});
  assert.equal(leave[4].status, "ok");
  const closed = await c.next((m) => m[2] === "lv:counter" && m[3] === "phx_close");
  assert.equal(closed[0], child.joinRef);
  const gone = await c.click(child.joinRef, "lv:counter", "inc");
  assert.deepEqual(gone[4], { status: "error", response: { reason: "unmatched topic" } });

  const like = await c.click(stickyJoin.joinRef, "lv:sticky", "like");
  assert.equal(like[4].status, "ok", "the sticky child lives on");
  assert.ok(JSON.stringify(like[4].response.diff).includes('"1"'));
  c.close();
});
