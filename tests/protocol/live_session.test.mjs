// Live sessions (docs/sessions.md; examples/admin.c): the page's token names
// its live session, and a join of a view in another session is refused with
// "unauthorized", the reason on which the client (1.2.x onJoinError) loads
// the page over HTTP. Phoenix's reference: Phoenix.LiveView.Channel's
// authorize_session and Session.authorize_root_redirect. The on_mount hook
// that halts with a redirect makes the HTTP render a 302.
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

async function signedInCookie(name) {
  const page = await loadPage(server.url, "/login");
  const res = await fetch(server.url + "/login", {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie },
    body: `_csrf_token=${encodeURIComponent(page.csrf)}&name=${encodeURIComponent(name)}`,
  });
  assert.equal(res.status, 303);
  return res.headers.get("set-cookie").split(";")[0];
}

// Joins page's topic with its tokens: `url` for a first join, `redirect`
// for a live navigation (the client rejoins with the first page's token).
async function joinAs(page, cookie, { url, redirect }) {
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie });
  const payload = {
    params: { _csrf_token: page.csrf, _mounts: 0, _mount_attempts: 0 },
    session: page.session,
    static: null,
  };
  if (redirect) payload.redirect = server.url + redirect;
  else payload.url = server.url + url;
  c.ws.send(JSON.stringify(["1", "1", page.topic, "phx_join", payload]));
  const reply = await c.next((m) => Array.isArray(m) && m[1] === "1");
  c.close();
  return reply[4];
}

test("a visitor who is not signed in: the hook halts the HTTP render with a redirect to /login", async () => {
  for (const path of ["/admin", "/admin/users"]) {
    const res = await fetch(server.url + path, { redirect: "manual" });
    assert.equal(res.status, 302, path);
    assert.equal(res.headers.get("location"), "/login", path);
    assert.ok(!(await res.text()).includes("data-phx-session"), "no page token for a halted mount");
  }
});

test("the page's token joins views of its own live session, first join and live navigation", async () => {
  const cookie = await signedInCookie("ada");
  const page = await loadPage(server.url, "/admin", cookie);
  assert.equal(page.status, 200);
  let r = await joinAs(page, cookie, { url: "/admin" });
  assert.equal(r.status, "ok", JSON.stringify(r));
  r = await joinAs(page, cookie, { redirect: "/admin/users" });
  assert.equal(r.status, "ok", JSON.stringify(r));
  assert.ok(JSON.stringify(r.response.rendered).includes("ada"), "the hook assigned current_user");
});

test("a token of another live session is refused with unauthorized, both ways", async () => {
  const cookie = await signedInCookie("grace");
  const admin = await loadPage(server.url, "/admin", cookie);
  const counter = await loadPage(server.url, "/counter", cookie);
  const cases = [
    ["admin token, live navigation out to /counter", admin, { redirect: "/counter" }],
    ["admin token, first join at /counter", admin, { url: "/counter" }],
    ["default token, live navigation into /admin", counter, { redirect: "/admin" }],
    ["default token, live navigation into /admin/users", counter, { redirect: "/admin/users" }],
    ["default token, first join at /admin", counter, { url: "/admin" }],
  ];
  for (const [name, page, how] of cases) {
    const r = await joinAs(page, cookie, how);
    assert.equal(r.status, "error", name);
    assert.deepEqual(r.response, { reason: "unauthorized" }, name);
  }
  // The default session still navigates live inside itself.
  const r = await joinAs(counter, cookie, { redirect: "/livenav" });
  assert.equal(r.status, "ok", JSON.stringify(r));
});
