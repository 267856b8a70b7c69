// The runtime API over the wire, with a scripted client: infos and their
// order, timers and async work that outlive their view, navigation
// (live_patch, live_redirect, redirect) and what the server refuses to
// navigate to, navigating between views on one socket, flash carried by a
// live navigation, title, pushed events and hook replies. Most tests drive
// /navtest, a view of the examples that navigates wherever an event says.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

let server;
// One worker thread: async work finishes in the order it was started, which
// a test below uses as a barrier.
before(async () => { server = await startServer({ UV_THREADPOOL_SIZE: "1" }); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

// The dynamic slots of /navtest's template (after the two flash slots).
const SLOT = { flashInfo: "0", clicks: "2", infos: "3", refused: "4", loop: "5", status: "6" };

async function joined(path = "/navtest") {
  const page = await loadPage(server.url, path);
  assert.equal(page.status, 200);
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  const topic = page.topic;
  const event = (name, value = {}) => c.push(joinRef, topic, "event", { type: "click", event: name, value });
  return { c, page, joinRef, topic, reply, event };
}

// Joins `topic` again after a live navigation, as the client does: the same
// session token, `redirect` instead of `url`, and the flash token if any.
async function rejoin(c, page, to, flash) {
  const ref = String(++c.ref);
  const payload = {
    redirect: server.url + to,
    params: { _csrf_token: page.csrf, _mounts: 0, _mount_attempts: 0, _live_referer: page.url },
    session: page.session,
    static: null,
  };
  if (flash !== undefined) payload.flash = flash;
  c.ws.send(JSON.stringify([ref, ref, page.topic, "phx_join", payload]));
  const reply = await c.next((m) => m[1] === ref);
  return { joinRef: ref, reply };
}

async function leave(s) {
  const reply = await s.c.push(s.joinRef, s.topic, "phx_leave", {});
  assert.equal(reply[4].status, "ok");
  await s.c.next((m) => m[3] === "phx_close");
}

const NAV_KEYS = ["live_patch", "live_redirect", "redirect"];

test("a reply comes before the diff of the info its handle_event sent", async () => {
  const s = await joined();
  const ref = s.c.send(s.joinRef, s.topic, "event", { type: "click", event: "ping", value: {} });
  const first = await s.c.next((m) => m[2] === s.topic);
  assert.equal(first[3], "phx_reply");
  assert.equal(first[1], ref);
  assert.deepEqual(first[4], { status: "ok", response: { diff: { [SLOT.clicks]: "1" } } });
  const second = await s.c.next((m) => m[2] === s.topic);
  assert.deepEqual(second, [s.joinRef, null, s.topic, "diff", { [SLOT.infos]: "1" }]);
  // Pipelined: every reply still precedes the info diff its event caused.
  const refs = [0, 1, 2].map(() => s.c.send(s.joinRef, s.topic, "event", { type: "click", event: "ping", value: {} }));
  const seen = [];
  for (let i = 0; i < 6; i++) seen.push(await s.c.next((m) => m[2] === s.topic));
  assert.deepEqual(seen.map((m) => m[3]), ["phx_reply", "diff", "phx_reply", "diff", "phx_reply", "diff"]);
  assert.deepEqual(seen.filter((m) => m[3] === "phx_reply").map((m) => m[1]), refs);
  assert.deepEqual(seen.filter((m) => m[3] === "diff").map((m) => m[4][SLOT.infos]), ["2", "3", "4"]);
  s.c.close();
});

test("a timer delivers its info as a diff push", async () => {
  const s = await joined();
  const reply = await s.event("timer", { ms: 20 });
  assert.equal(reply[4].status, "ok");
  const diff = await s.c.next((m) => m[3] === "diff");
  assert.equal(diff[4][SLOT.status], "fired");
  s.c.close();
});

test("async work delivers its result to handle_info", async () => {
  const s = await joined();
  assert.equal((await s.event("async"))[4].status, "ok");
  const diff = await s.c.next((m) => m[3] === "diff");
  assert.equal(diff[4][SLOT.status], "done");
  s.c.close();
});

test("a timer or async result due after leave or close does nothing, and the server carries on", async () => {
  const s = await joined();
  assert.equal((await s.event("timer", { ms: 150 }))[4].status, "ok");
  assert.equal((await s.event("async"))[4].status, "ok");
  await leave(s);
  // A second view on another socket, closed (not left) with both pending.
  const t = await joined();
  assert.equal((await t.event("timer", { ms: 150 }))[4].status, "ok");
  assert.equal((await t.event("async"))[4].status, "ok");
  t.c.close();
  await t.c.closed;
  // The barrier: another view on s's socket starts the same timer and work.
  // Its timer is due no earlier than theirs, and libuv runs timers in that
  // order; its work queues behind theirs on the single worker thread
  // (UV_THREADPOOL_SIZE=1). So once both its diffs are here, anything the
  // left view sent on this socket has arrived before them.
  const page = await loadPage(server.url, "/navtest", s.page.cookie);
  const { joinRef } = await s.c.join(page);
  const event = (name, value) => s.c.push(joinRef, page.topic, "event", { type: "click", event: name, value });
  assert.equal((await event("timer", { ms: 150 }))[4].status, "ok");
  assert.equal((await event("async", {}))[4].status, "ok");
  const status = (text) => (m) => m[2] === page.topic && m[3] === "diff" && m[4][SLOT.status] === text;
  await s.c.next(status("fired"));
  await s.c.next(status("done"));
  assert.equal(s.c.inbox.filter((m) => m[2] === s.topic).length, 0, JSON.stringify(s.c.inbox));
  const hb = await s.c.heartbeat();
  assert.equal(hb[4].status, "ok");
  // The server still serves new views.
  const u = await joined();
  assert.deepEqual((await u.event("ping"))[4].response.diff, { [SLOT.clicks]: "1" });
  u.c.close();
  s.c.close();
});

test("navigation to a target that is not a local path is refused and never sent", async () => {
  const bad = [
    "//evil.com", "/\\evil.com", "/\t/evil.com", "/%09/evil.com", "  javascript:alert(1)",
    "javascript:alert(1)", "JaVaScRiPt:x", "http://evil.com", "/foo\r\nSet-Cookie: x=1",
    "", "evil.com", "/%2F/evil.com", "/%5Cevil.com",
  ];
  const s = await joined();
  let refused = 0;
  for (const to of bad) {
    for (const kind of ["patch", "navigate", "redirect"]) {
      const reply = await s.event(kind, { to });
      assert.equal(reply[4].status, "ok", `${kind} ${JSON.stringify(to)}: ${JSON.stringify(reply)}`);
      for (const key of NAV_KEYS) assert.equal(reply[4].response[key], undefined, `${kind} ${JSON.stringify(to)} sent ${key}`);
      refused++;
      assert.equal(reply[4].response.diff[SLOT.refused], String(refused), `${kind} ${JSON.stringify(to)} was refused`);
    }
    // From handle_info too: no live_patch push follows.
    assert.equal((await s.event("later", { to }))[4].status, "ok");
    refused++;
    const diff = await s.c.next((m) => m[3] === "diff" && m[4][SLOT.infos]);
    assert.equal(diff[4][SLOT.refused], String(refused), `push_patch ${JSON.stringify(to)} from handle_info was refused`);
  }
  await s.c.heartbeat(); // answered after every push the events above caused
  assert.equal(s.c.inbox.filter((m) => NAV_KEYS.includes(m[3])).length, 0, JSON.stringify(s.c.inbox));
  // The good targets are sent.
  const patch = await s.event("patch", { to: "/navtest?x=1" });
  assert.deepEqual(patch[4].response.live_patch, { to: "/navtest?x=1", kind: "push" });
  const nav = await s.event("navigate", { to: "/counter?x=1" });
  assert.deepEqual(nav[4].response.live_redirect, { to: "/counter?x=1", kind: "push" });
  const redirect = await s.event("redirect", { to: "/counter?x=1" });
  assert.deepEqual(redirect[4].response.redirect, { to: "/counter?x=1" });
  s.c.close();
});

test("navigation from handle_info is pushed: live_patch first, then the diff of handle_params", async () => {
  const s = await joined();
  const reply = await s.event("later", { to: "/navtest?loop=0&x=2" });
  assert.equal(reply[4].status, "ok");
  const patch = await s.c.next((m) => m[2] === s.topic);
  assert.deepEqual(patch, [s.joinRef, null, s.topic, "live_patch", { to: "/navtest?loop=0&x=2", kind: "push" }]);
  const diff = await s.c.next((m) => m[2] === s.topic);
  assert.equal(diff[3], "diff");
  assert.equal(diff[4][SLOT.infos], "1");
  s.c.close();
});

test("push_patch runs handle_params and the re-render goes in the same reply", async () => {
  const s = await joined();
  // handle_params of ?loop=0 sets loop to 0: first make it something else.
  const a = await s.c.push(s.joinRef, s.topic, "live_patch", { url: server.url + "/navtest?loop=0&x=1" });
  assert.deepEqual(a[4], { status: "ok", response: {} });
  const reply = await s.event("patch", { to: "/navtest?x=3" });
  assert.deepEqual(reply[4].response.live_patch, { to: "/navtest?x=3", kind: "push" });
  assert.ok(reply[4].response.diff, "the reply carries the diff");
  s.c.close();
});

test("a view that keeps patching from handle_params is stopped after 20", async () => {
  const s = await joined();
  // The loop crashes the view, as in Phoenix: no reply but phx_error on its
  // topic (the client then rejoins), and no patch reaches the client.
  const ref = s.c.send(s.joinRef, s.topic, "event", { type: "click", event: "patch", value: { to: "/navtest?loop=1" } });
  const crash = await s.c.next((m) => m[2] === s.topic && (m[3] === "phx_error" || m[1] === ref));
  assert.deepEqual(crash, [s.joinRef, s.joinRef, s.topic, "phx_error", {}]);
  await s.c.heartbeat(); // answered after every push the event caused
  assert.equal(s.c.inbox.filter((m) => m[3] === "live_patch").length, 0);
  s.c.close();
  // A join whose URL starts the loop is refused.
  const page = await loadPage(server.url, "/navtest");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { reply: join } = await c.join({ ...page, url: server.url + "/navtest?loop=1" });
  assert.equal(join[4].status, "error", JSON.stringify(join));
  c.close();
  await server.waitForLog(/more than 20 patches/);
});

test("a live_patch to a URL of another view is answered link_redirect", async () => {
  const s = await joined();
  const other = await s.c.push(s.joinRef, s.topic, "live_patch", { url: server.url + "/counter?x=1" });
  assert.deepEqual(other[4], { status: "ok", response: { link_redirect: true } });
  const unknown = await s.c.push(s.joinRef, s.topic, "live_patch", { url: server.url + "/no/such/page" });
  assert.deepEqual(unknown[4], { status: "ok", response: { link_redirect: true } });
  const same = await s.c.push(s.joinRef, s.topic, "live_patch", { url: server.url + "/navtest?loop=0" });
  assert.equal(same[4].status, "ok");
  assert.equal(same[4].response.link_redirect, undefined);
  s.c.close();
});

test("live_redirect, leave, and a join with redirect on the same topic renders the other view", async () => {
  const s = await joined();
  const nav = await s.event("navigate", { to: "/counter?x=1" });
  assert.deepEqual(nav[4].response.live_redirect, { to: "/counter?x=1", kind: "push" });
  await leave(s);
  const { joinRef, reply } = await rejoin(s.c, s.page, "/counter?x=1");
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  assert.ok(reply[4].response.rendered.s.join("").includes('id="count"'), "the counter renders");
  const inc = await s.c.click(joinRef, s.topic, "inc");
  assert.deepEqual(inc[4], { status: "ok", response: { diff: { 0: "1" } } });
  // And back to /navtest on the same socket and topic.
  await leave({ ...s, joinRef });
  const back = await rejoin(s.c, s.page, "/navtest");
  assert.equal(back.reply[4].status, "ok");
  assert.equal(back.reply[4].response.rendered[SLOT.clicks], "0");
  s.c.close();
});

test("a join with redirect to a URL no view serves is refused", async () => {
  const s = await joined();
  await leave(s);
  const { reply } = await rejoin(s.c, s.page, "/no/such/page");
  assert.equal(reply[4].status, "error");
  s.c.close();
});

test("flash travels with a live_redirect and shows on the next join", async () => {
  const s = await joined();
  const nav = await s.event("navigate", { to: "/navtest?from=a", flash: "Saved <b>all</b>" });
  const { live_redirect: lr } = nav[4].response;
  assert.equal(lr.to, "/navtest?from=a");
  assert.equal(typeof lr.flash, "string", "the live_redirect carries a flash token");
  assert.ok(!lr.flash.includes("Saved"), "the token is not the message itself");
  await leave(s);
  const { reply } = await rejoin(s.c, s.page, "/navtest?from=a", lr.flash);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  const info = reply[4].response.rendered[SLOT.flashInfo];
  assert.equal(info["0"], "Saved &lt;b&gt;all&lt;/b&gt;", "the flash shows, escaped");
  // lv:clear-flash clears it.
  const cleared = await s.c.push(reply[0], s.topic, "event", { type: "click", event: "lv:clear-flash", value: { key: "info" } });
  assert.deepEqual(cleared[4], { status: "ok", response: { diff: { [SLOT.flashInfo]: "" } } });
  s.c.close();
});

test("a forged or altered flash token is ignored", async () => {
  const s = await joined();
  const nav = await s.event("navigate", { to: "/navtest", flash: "real" });
  const token = nav[4].response.live_redirect.flash;
  await leave(s);
  const [h, p, sig] = token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url"));
  claims.flash.info = "forged";
  const forged = [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), sig].join(".");
  const { reply } = await rejoin(s.c, s.page, "/navtest", forged);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  assert.equal(reply[4].response.rendered[SLOT.flashInfo], "", "no flash from a forged token");
  s.c.close();
});

test("a redirect carries the flash token, which the next page load shows", async () => {
  const s = await joined();
  const reply = await s.event("redirect", { to: "/navtest", flash: "After a full load" });
  const { redirect } = reply[4].response;
  assert.equal(redirect.to, "/navtest");
  assert.equal(typeof redirect.flash, "string");
  s.c.close();
  // The client puts the token in the __phoenix_flash__ cookie for the next request.
  const res = await fetch(server.url + "/navtest", { headers: { cookie: "__phoenix_flash__=" + redirect.flash } });
  const html = await res.text();
  assert.ok(html.includes(">After a full load</p>"), html);
  assert.match(res.headers.get("set-cookie") ?? "", /__phoenix_flash__=;/, "the cookie is read once");
});

test("title, pushed events and hook replies ride in the diff as t, e and r", async () => {
  const s = await joined();
  const title = await s.event("title", { title: "New <title>" });
  assert.deepEqual(title[4].response, { diff: { t: "New <title>" } });
  const same = await s.event("title", { title: "New <title>" });
  assert.deepEqual(same[4].response, {}, "an unchanged title is not sent again");
  const pushed = await s.event("push");
  assert.deepEqual(pushed[4].response, { diff: { e: [["hello", { n: 1 }]] } });
  const hook = await s.c.push(s.joinRef, s.topic, "event", { type: "hook", event: "hook", value: {} });
  assert.deepEqual(hook[4].response, { diff: { r: { pong: true } } });
  s.c.close();
});

test("navigation during the HTTP render is a 302, with the flash in a cookie", async () => {
  const res = await fetch(server.url + "/navtest?loop=1", { redirect: "manual" });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "/navtest?loop=2");
  const away = await fetch(server.url + "/navtest?mount_redirect=%2Fnavtest%3Fx%3D1", { redirect: "manual" });
  assert.equal(away.status, 302);
  assert.equal(away.headers.get("location"), "/navtest?x=1");
  const cookie = /__phoenix_flash__=[^;]+/.exec(away.headers.get("set-cookie") ?? "")?.[0];
  assert.ok(cookie, "the flash travels in the cookie");
  const next = await (await fetch(server.url + "/navtest?x=1", { headers: { cookie } })).text();
  assert.ok(next.includes(">Sent away by mount</p>"));
  const bad = await fetch(server.url + "/navtest?mount_redirect=" + encodeURIComponent("//evil.com"), { redirect: "manual" });
  assert.equal(bad.status, 200, "a bad target from mount is refused: the page renders");
});

test("navigation from mount during the join: live_patch in the ok reply, the others as error replies", async () => {
  const page = await loadPage(server.url, "/navtest");
  const join = async (query) => {
    const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
    const { reply } = await c.join({ ...page, url: server.url + "/navtest?" + query });
    c.close();
    return reply[4];
  };
  const patched = await join("mount_patch=" + encodeURIComponent("/navtest?loop=0&p=1"));
  assert.equal(patched.status, "ok");
  assert.deepEqual(patched.response.live_patch, { to: "/navtest?loop=0&p=1", kind: "replace" });
  assert.ok(patched.response.rendered);
  const navigated = await join("mount_navigate=" + encodeURIComponent("/counter"));
  assert.deepEqual(navigated, { status: "error", response: { live_redirect: { to: "/counter", kind: "push" } } });
  const redirected = await join("mount_redirect=" + encodeURIComponent("/counter"));
  assert.equal(redirected.status, "error");
  assert.equal(redirected.response.redirect.to, "/counter");
  assert.equal(typeof redirected.response.redirect.flash, "string");
  const refused = await join("mount_navigate=" + encodeURIComponent("//evil.com"));
  assert.equal(refused.status, "ok", "a bad target from mount is refused: the view mounts");
});

test("path parameters reach mount and handle_params, decoded", async () => {
  const s = await joined("/hi/caf%C3%A9");
  const rendered = s.reply[4].response.rendered;
  assert.ok(JSON.stringify(rendered).includes("café"), JSON.stringify(rendered));
  const patch = await s.c.push(s.joinRef, s.topic, "live_patch", { url: server.url + "/hi/bob" });
  assert.equal(patch[4].status, "ok");
  assert.ok(JSON.stringify(patch[4].response.diff).includes('"bob"'), JSON.stringify(patch));
  s.c.close();
  const missing = await fetch(server.url + "/hi/");
  assert.equal(missing.status, 404);
  const extra = await fetch(server.url + "/hi/a/b");
  assert.equal(extra.status, 404);
});

test("flash travels with a full redirect through the __phoenix_flash__ cookie", async () => {
  const s = await joined();
  const r = await s.event("redirect", { to: "/navtest", flash: "Moved <i>here</i>" });
  const token = r[4].response.redirect.flash;
  assert.equal(typeof token, "string", "the redirect carries a flash token");
  s.c.close();
  // The client stores the token in a cookie and loads the page.
  const cookie = `${s.page.cookie}; __phoenix_flash__=${token}`;
  const res = await fetch(server.url + "/navtest", { headers: { cookie } });
  const html = await res.text();
  assert.ok(html.includes("Moved &lt;i&gt;here&lt;/i&gt;"), "the page shows the flash, escaped");
  assert.match(res.headers.get("set-cookie") || "", /__phoenix_flash__=; Path=\/; Max-Age=0/, "read once");
  // The join of that page shows it too: the page's token carries it.
  const session = /data-phx-session="([^"]+)"/.exec(html)[1];
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)[1];
  const id = /<div id="(phx-[^"]+)" data-phx-main/.exec(html)[1];
  const c = await Client.connect(server.url, { csrf, cookie: s.page.cookie });
  const { reply } = await c.join({ csrf, session, topic: "lv:" + id, url: server.url + "/navtest" });
  assert.equal(reply[4].status, "ok");
  assert.equal(reply[4].response.rendered[SLOT.flashInfo]["0"], "Moved &lt;i&gt;here&lt;/i&gt;");
  // A forged cookie shows nothing.
  const forged = await (await fetch(server.url + "/navtest", { headers: { cookie: `${s.page.cookie}; __phoenix_flash__=${token.slice(0, -2)}xx` } })).text();
  assert.ok(!forged.includes("Moved"));
  c.close();
});

// Phoenix's push_event(..., dispatch: :before) is [name, payload, true] in
// "e" (the 1.2 client's applyDiff dispatches those before patching).
test("lv_push_event_before rides in e as a triple ending in true", async () => {
  const s = await joined("/js");
  const mark = await s.event("mark");
  assert.equal(mark[4].status, "ok");
  assert.deepEqual(mark[4].response.diff.e, [["seen_before", {}, true], ["seen_after", {}]]);
  s.c.close();
});

// The examples allow hexdocs.pm (examples/main.c); any other host is
// refused: no redirect is sent and the view carries on.
test("an external redirect is sent only to an allowed host", async () => {
  const s = await joined("/js");
  const refused = await s.event("redirect", { to: "elsewhere" });
  assert.equal(refused[4].status, "ok");
  for (const key of NAV_KEYS) assert.equal(refused[4].response[key], undefined, JSON.stringify(refused));
  assert.match(JSON.stringify(refused[4].response.diff), /The redirect was refused/);
  await server.waitForLog(/refused a redirect to a URL whose host is not in allowed_redirect_hosts/);
  const allowed = await s.event("redirect", { to: "docs" });
  assert.deepEqual(allowed[4].response.redirect, { to: "https://hexdocs.pm/phoenix_live_view/Phoenix.LiveView.JS.html" });
  s.c.close();
});
