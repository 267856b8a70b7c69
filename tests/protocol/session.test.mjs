// The HTTP session: a signed cookie written by plain handlers (POST /login)
// and read by LiveViews' mount; CSRF protection of state-changing requests;
// the encrypted session serializer; the Origin allow-list.
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

function post(path, body, { cookie, headers = {} } = {}) {
  return fetch(server.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
    body,
  });
}

const cookieOf = (res) => res.headers.get("set-cookie")?.split(";")[0];

async function login(name) {
  const page = await loadPage(server.url, "/login");
  const res = await post("/login", `_csrf_token=${encodeURIComponent(page.csrf)}&name=${encodeURIComponent(name)}`, { cookie: page.cookie });
  return { page, res, cookie: cookieOf(res) };
}

test("the session cookie is HttpOnly and SameSite=Lax", async () => {
  const res = await fetch(server.url + "/counter");
  const set = res.headers.get("set-cookie");
  assert.match(set, /^_lv_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  assert.ok(!/Secure/.test(set), "Secure only when configured");
});

test("POST /login sets the session; the LiveView's mount reads it, over HTTP and over the join", async () => {
  const { res, cookie } = await login("Ada <Lovelace>");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/me");
  assert.ok(cookie, "a new session cookie");
  const me = await loadPage(server.url, "/me", cookie);
  assert.ok(me.html.includes("Signed in as Ada &lt;Lovelace&gt;"), "rendered and escaped");
  const c = await Client.connect(server.url, { csrf: me.csrf, cookie });
  const { reply } = await c.join(me);
  assert.equal(reply[4].status, "ok");
  assert.equal(reply[4].response.rendered["0"], "Signed in as Ada &lt;Lovelace&gt;");
  c.close();
  const anonymous = await loadPage(server.url, "/me");
  assert.ok(anonymous.html.includes("Not signed in."));
});

test("login renews the session against fixation; logout clears it", async () => {
  const { page, cookie } = await login("bob");
  assert.notEqual(cookie, page.cookie);
  const me = await loadPage(server.url, "/me", cookie);
  assert.ok(me.html.includes("Signed in as bob"));
  const out = await post("/logout", `_csrf_token=${encodeURIComponent(me.csrf)}`, { cookie });
  assert.equal(out.status, 303);
  const after = await loadPage(server.url, "/me", cookieOf(out));
  assert.ok(after.html.includes("Not signed in."));
});

test("a POST without the session's CSRF token is refused before the handler runs", async () => {
  const page = await loadPage(server.url, "/login");
  const other = await loadPage(server.url, "/login");
  const cases = {
    "no token": ["name=eve", page.cookie],
    "wrong token": ["_csrf_token=" + "A".repeat(56) + "&name=eve", page.cookie],
    "another session's token": [`_csrf_token=${encodeURIComponent(other.csrf)}&name=eve`, page.cookie],
    "no cookie": [`_csrf_token=${encodeURIComponent(page.csrf)}&name=eve`, undefined],
  };
  for (const [name, [body, cookie]] of Object.entries(cases)) {
    const res = await post("/login", body, { cookie });
    assert.equal(res.status, 403, name);
    assert.equal(res.headers.get("set-cookie"), null, name + ": the session is untouched");
  }
  const viaHeader = await post("/login", "name=eve", { cookie: page.cookie, headers: { "x-csrf-token": page.csrf } });
  assert.equal(viaHeader.status, 303, "the x-csrf-token header works too");
});

test("a forged session cookie counts as no session", async () => {
  const { cookie } = await login("mallory");
  const [name, value] = cookie.split("=");
  const parts = value.split(".");
  const claims = JSON.parse(Buffer.from(parts[1], "base64url"));
  claims.data.user = "admin";
  const forged = `${name}=${parts[0]}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${parts[2]}`;
  const me = await loadPage(server.url, "/me", forged);
  assert.ok(me.html.includes("Not signed in."));
});

test("the login form rejects an empty name", async () => {
  const { res } = await login("");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/login?error=name");
});

test("405 for a method a handler path does not serve, 404 elsewhere", async () => {
  assert.equal((await fetch(server.url + "/logout")).status, 405);
  assert.equal((await post("/nowhere", "")).status, 404);
});

test("encrypted sessions: the page's token is opaque, joins work, tampering is stale", async () => {
  const enc = await startServer({ LV_SESSION_SERDE: "encrypted" });
  try {
    const page = await loadPage(enc.url, "/counter");
    assert.match(page.session, /^A256GCM\.[A-Za-z0-9_-]+$/);
    assert.ok(!Buffer.from(page.session.slice(8), "base64url").toString("latin1").includes("/counter"),
      "the route is not readable in the token");
    const c = await Client.connect(enc.url, { csrf: page.csrf, cookie: page.cookie });
    assert.equal((await c.join(page)).reply[4].status, "ok");
    const flipped = page.session.slice(0, 20) + (page.session[20] === "A" ? "B" : "A") + page.session.slice(21);
    const page2 = await loadPage(enc.url, "/counter", page.cookie);
    const { reply } = await c.join({ ...page2, session: flipped });
    assert.deepEqual(reply[4], { status: "error", response: { reason: "stale" } });
    c.close();
  } finally {
    assert.equal(await enc.stop(), 0);
  }
});

test("the Origin allow-list", async () => {
  const srv = await startServer({ LV_ALLOWED_ORIGINS: "https://app.example.com, //*.example.org" });
  try {
    const up = (origin) => httpRaw(srv.port, upgradeRequest(srv.port, { headers: { Origin: origin } }));
    assert.equal((await up("https://app.example.com")).status, 101);
    assert.equal((await up("https://a.b.example.org")).status, 101);
    assert.equal((await up("http://app.example.com")).status, 403, "scheme must match");
    assert.equal((await up("https://example.org")).status, 403, "a wildcard needs a subdomain");
    assert.equal((await up("https://evilexample.org")).status, 403);
    assert.equal((await up("https://example.org.evil.com")).status, 403);
    assert.equal((await up(`http://127.0.0.1:${srv.port}`)).status, 403, "the list replaces same-origin");
  } finally {
    assert.equal(await srv.stop(), 0);
  }
});

test("an invalid Origin list stops the server from starting", async () => {
  await assert.rejects(startServer({ LV_ALLOWED_ORIGINS: "https://exa mple.com/path" }), /allowed origins/);
});
