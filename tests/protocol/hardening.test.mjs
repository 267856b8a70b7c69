// Issue #16's findings, over the wire: what a client sends cannot forge a
// log line; headers, tokens and origins are checked exactly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";
import { httpRaw, upgradeRequest } from "../lib/raw.mjs";

let server;
before(async () => { server = await startServer(); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

test("an event name with a newline, ESC and C1 controls cannot forge a log line or drive a terminal", async () => {
  const page = await loadPage(server.url, "/counter");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok");
  const forged = "x\n2026-01-01T00:00:00.000Z liveview [error] FORGED\x1b[2J\u009b31m\u202e";
  await c.push(joinRef, page.topic, "event", { type: "click", event: forged, value: {} });
  c.close();
  await server.waitForLog(/is not declared; refused/);
  const log = await server.settledLog();
  const lines = log.split("\n");
  assert.ok(!lines.some((l) => l.includes("liveview [error] FORGED") && !l.includes("x\\x0a")),
    "no line starts with the forged text:\n" + log);
  assert.ok(log.includes("\\x0a2026-01-01T00:00:00.000Z liveview [error] FORGED\\x1b[2J\\xc2\\x9b31m\\xe2\\x80\\xae"),
    "the name is logged escaped:\n" + log);
  assert.ok(!log.includes("\x1b"), "no raw ESC");
  assert.ok(!log.includes("\u009b") && !log.includes("\u202e"), "no raw C1 control or bidi override");
});

test("the same-origin check compares scheme, host and port exactly", async () => {
  const up = (origin, host = `127.0.0.1:${server.port}`) =>
    httpRaw(server.port, upgradeRequest(server.port, { headers: { Origin: origin, Host: host } }));
  assert.equal((await up(`http://127.0.0.1:${server.port}`)).status, 101, "the page's own origin");
  assert.equal((await up(`https://127.0.0.1:${server.port}`)).status, 403, "https for an http server");
  assert.equal((await up(`http://127.0.0.1:0${server.port}`)).status, 403, "a zero-padded port");
  assert.equal((await up(`http://127.0.0.1:0${server.port}`, `127.0.0.1:0${server.port}`)).status, 403,
    "a zero-padded port on both sides");
  assert.equal((await up("http://localhost", "localhost:80")).status, 101, "default port on one side");
  assert.equal((await up("http://localhost:80", "localhost")).status, 101, "default port on the other side");
  assert.equal((await up("https://localhost", "localhost:443")).status, 403, "https again");
});

test("a POST's CSRF token counts from the body or x-csrf-token, never from the query", async () => {
  const page = await loadPage(server.url, "/login");
  const post = (path, body, headers = {}) => fetch(server.url + path, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: page.cookie, ...headers },
    body,
  });
  const token = encodeURIComponent(page.csrf);
  const inQuery = await post(`/login?_csrf_token=${token}`, "name=eve");
  assert.equal(inQuery.status, 403, "a token in the query is refused");
  assert.equal(inQuery.headers.get("set-cookie"), null);
  const inBody = await post("/login", `_csrf_token=${token}&name=eve`);
  assert.equal(inBody.status, 303);
  const inHeader = await post("/login", "name=eve", { "x-csrf-token": page.csrf });
  assert.equal(inHeader.status, 303);
});

// ---- revocable sessions (#16 item 3) ----

function postForm(base, path, body, cookie, headers = {}) {
  return fetch(base + path, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
    body,
  });
}
const cookieOf = (res) => res.headers.get("set-cookie")?.split(";")[0];

async function signIn(base, name) {
  const page = await loadPage(base, "/login");
  const res = await postForm(base, "/login", `_csrf_token=${encodeURIComponent(page.csrf)}&name=${name}`, page.cookie);
  assert.equal(res.status, 303);
  return cookieOf(res);
}

test("after POST /logout the old cookie signs nobody in, over HTTP or a join", async () => {
  const cookie = await signIn(server.url, "mallory");
  const me = await loadPage(server.url, "/me", cookie);
  assert.ok(me.html.includes("Signed in as mallory"));
  const out = await postForm(server.url, "/logout", `_csrf_token=${encodeURIComponent(me.csrf)}`, cookie);
  assert.equal(out.status, 303);

  // A copy of the old cookie (a stolen one, another tab) is worthless now.
  const replay = await loadPage(server.url, "/me", cookie);
  assert.ok(replay.html.includes("Not signed in."), "the old cookie no longer signs in");
  // The page rendered before the logout cannot be joined with it either:
  // the socket's session is refused like a forged one.
  const c = await Client.connect(server.url, { csrf: me.csrf, cookie });
  const { reply } = await c.join(me);
  assert.equal(reply[4].status, "error");
  c.close();
  // Signing in again works.
  const again = await signIn(server.url, "mallory");
  assert.ok((await loadPage(server.url, "/me", again)).html.includes("Signed in as mallory"));
});

test("sign out everywhere ends every session of that user and no other", async () => {
  const laptop = await signIn(server.url, "zoe");
  const phone = await signIn(server.url, "zoe");
  const other = await signIn(server.url, "yann");
  const me = await loadPage(server.url, "/me", laptop);
  const out = await postForm(server.url, "/logout-everywhere", `_csrf_token=${encodeURIComponent(me.csrf)}`, laptop);
  assert.equal(out.status, 303);
  assert.equal(out.headers.get("location"), "/login");
  assert.ok((await loadPage(server.url, "/me", phone)).html.includes("Not signed in."), "the phone's session ended");
  assert.ok((await loadPage(server.url, "/me", laptop)).html.includes("Not signed in."));
  assert.ok((await loadPage(server.url, "/me", other)).html.includes("Signed in as yann"), "another user stays");
  const later = await signIn(server.url, "zoe");
  assert.ok((await loadPage(server.url, "/me", later)).html.includes("Signed in as zoe"), "a new sign-in works");
});

// ---- Content-Security-Policy, Host allow-list (#16 item 5) ----

test("every page and handler response carries the strict default Content-Security-Policy", async () => {
  for (const path of ["/counter", "/login", "/"]) {
    const res = await fetch(server.url + path);
    const csp = res.headers.get("content-security-policy");
    assert.ok(csp, path + " has a CSP");
    for (const directive of ["default-src 'self'", "script-src 'self';", "frame-ancestors 'none'",
                             "base-uri 'self'", "form-action 'self'", "object-src 'none'",
                             `connect-src 'self' ws://127.0.0.1:${server.port} wss://127.0.0.1:${server.port}`])
      assert.ok(csp.includes(directive), `${path}: ${directive} in ${csp}`);
    assert.ok(!csp.includes("unsafe-eval"), "no eval");
    assert.ok(!/script-src[^;]*unsafe-inline/.test(csp), "no inline script");
  }
});

test("LV_CSP replaces the policy or turns it off; LV_ALLOWED_HOSTS answers 421 to other Hosts", async () => {
  const custom = await startServer({ LV_CSP: "default-src 'none'", LV_ALLOWED_HOSTS: "app.test, 127.0.0.1" });
  const off = await startServer({ LV_CSP: "off" });
  try {
    const res = await fetch(custom.url + "/counter");
    assert.equal(res.status, 200, "127.0.0.1 is listed (any port)");
    assert.equal(res.headers.get("content-security-policy"), "default-src 'none'");
    const page = (host) => httpRaw(custom.port, `GET /counter HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal((await page("app.test")).status, 200);
    assert.equal((await page("rebound.evil.example")).status, 421, "DNS rebinding");
    assert.equal((await page(`localhost:${custom.port}`)).status, 421);
    const up = (host) => httpRaw(custom.port, upgradeRequest(custom.port, { headers: { Host: host, Origin: `http://${host}` } }));
    assert.equal((await up("rebound.evil.example")).status, 421, "the socket too");
    assert.equal((await up(`127.0.0.1:${custom.port}`)).status, 101);
    assert.equal((await fetch(off.url + "/counter")).headers.get("content-security-policy"), null);
  } finally {
    assert.deepEqual(await Promise.all([custom.stop(), off.stop()]), [0, 0]);
  }
});
