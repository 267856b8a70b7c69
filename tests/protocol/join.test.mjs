// Join authenticity: a join needs the page's signed session, bound to its
// topic, and a CSRF token made from the state that session carries. Every
// failure is answered {"reason":"stale"} (the client then reloads the page),
// never with silence.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

const SECRET = "join-test-secret-key-base-0123456789-abcdef";
let server;
before(async () => { server = await startServer({ LV_SECRET_KEY_BASE: SECRET }); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const sessionKey = crypto.createHmac("sha256", SECRET).update("liveview-c/session").digest();

// Signs claims as the server would, so tests can forge tokens that are
// correctly signed but wrong in one respect.
function sign(claims, { header = { alg: "HS256", typ: "JWT" }, key = sessionKey, hash = "sha256" } = {}) {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(claims));
  const mac = crypto.createHmac(hash, key).update(`${h}.${p}`).digest();
  return `${h}.${p}.${b64url(mac)}`;
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
}

async function joinWith(page, { session = page.session, csrf = page.csrf, socketCsrf = page.csrf, topic = page.topic, cookie = page.cookie } = {}) {
  const c = await Client.connect(server.url, { csrf: socketCsrf, cookie });
  const { reply } = await c.join({ ...page, session, csrf, topic });
  c.close();
  return reply[4];
}

const STALE = { status: "error", response: { reason: "stale" } };

test("the page's own tokens join", async () => {
  const page = await loadPage(server.url);
  assert.equal((await joinWith(page)).status, "ok");
  assert.equal(page.csrf.length, 56, "a masked Plug-style CSRF token");
});

test("each page gets a freshly masked CSRF token", async () => {
  const a = await loadPage(server.url);
  const b = await loadPage(server.url);
  assert.notEqual(a.csrf, b.csrf);
});

test("a missing, wrong or foreign CSRF token is stale", async () => {
  const page = await loadPage(server.url);
  const other = await loadPage(server.url);
  assert.deepEqual(await joinWith(page, { csrf: null }), STALE);
  assert.deepEqual(await joinWith(page, { csrf: "" }), STALE);
  assert.deepEqual(await joinWith(page, { csrf: "x".repeat(56) }), STALE);
  assert.deepEqual(await joinWith(page, { csrf: other.csrf }), STALE, "another page's token");
  const flipped = page.csrf.slice(0, 10) + (page.csrf[10] === "A" ? "B" : "A") + page.csrf.slice(11);
  assert.deepEqual(await joinWith(page, { csrf: flipped }), STALE);
});

test("a tampered or forged session token is stale", async () => {
  const page = await loadPage(server.url);
  const [h, p, s] = page.session.split(".");
  const claims = claimsOf(page.session);
  const flip = (str, i) => str.slice(0, i) + (str[i] === "A" ? "B" : "A") + str.slice(i + 1);
  const forged = {
    "missing": null,
    "empty": "",
    "one flipped bit of the signature": `${h}.${p}.${flip(s, 5)}`,
    "stripped signature": `${h}.${p}.`,
    "two segments": `${h}.${p}`,
    "payload with base64 padding, correctly signed": (() => {
      // A pad that makes the JSON's length no multiple of 3, so base64 pads it.
      const padded = ["ab", "abc", "abcd"].map((pad) => Buffer.from(JSON.stringify({ ...claims, pad })).toString("base64"))
        .find((b) => b.endsWith("="));
      assert.ok(padded.endsWith("="));
      return `${h}.${padded}.${b64url(crypto.createHmac("sha256", sessionKey).update(`${h}.${padded}`).digest())}`;
    })(),
    "alg none": `${b64url('{"alg":"none","typ":"JWT"}')}.${p}.`,
    "alg HS512": sign(claims, { header: { alg: "HS512", typ: "JWT" }, hash: "sha512" }),
    "alg RS256": sign(claims, { header: { alg: "RS256", typ: "JWT" } }),
    "signed with another key": sign(claims, { key: Buffer.alloc(32, 7) }),
    "signed with the raw secret": sign(claims, { key: Buffer.from(SECRET) }),
    "expired": sign({ ...claims, iat: claims.iat - 100, exp: Math.floor(Date.now() / 1000) - 1 }),
    "without exp": sign({ ...claims, exp: undefined }),
    "issued an hour from now": sign({ ...claims, iat: Math.floor(Date.now() / 1000) + 3600 }),
    "50 KB payload": sign({ ...claims, pad: "x".repeat(50000) }),
    "duplicate keys": (() => {
      const hh = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
      const pp = b64url(JSON.stringify(claims).replace("{", '{"id":"phx-other",'));
      return `${hh}.${pp}.${b64url(crypto.createHmac("sha256", sessionKey).update(`${hh}.${pp}`).digest())}`;
    })(),
  };
  for (const [name, token] of Object.entries(forged)) {
    assert.deepEqual(await joinWith(page, { session: token }), STALE, name);
  }
  // Correctly signed and fresh: the forgery helper itself is right.
  assert.equal((await joinWith(page, { session: sign(claims) })).status, "ok");
});

test("the socket's own CSRF token and cookie are checked at connect time", async () => {
  const page = await loadPage(server.url);
  const other = await loadPage(server.url); // another browser: another cookie session
  assert.deepEqual(await joinWith(page, { socketCsrf: "wrong" }), STALE, "wrong token in the socket URL");
  assert.deepEqual(await joinWith(page, { socketCsrf: "" }), STALE, "no token in the socket URL");
  assert.deepEqual(await joinWith(page, { cookie: null }), STALE, "no session cookie");
  assert.deepEqual(await joinWith(page, { cookie: other.cookie }), STALE, "another browser's cookie");
  assert.deepEqual(await joinWith(page, { cookie: other.cookie, socketCsrf: other.csrf }), STALE,
    "a socket of another session cannot join this page");
  const tampered = page.cookie.slice(0, -3) + (page.cookie.endsWith("A") ? "BBB" : "AAA");
  assert.deepEqual(await joinWith(page, { cookie: tampered }), STALE, "tampered cookie");
});

test("two tabs of one browser share the session and both join", async () => {
  const a = await loadPage(server.url);
  const b = await loadPage(server.url, "/counter", a.cookie);
  assert.equal(b.cookie, a.cookie, "the cookie is not re-issued");
  assert.notEqual(a.csrf, b.csrf, "each page is masked afresh");
  assert.equal((await joinWith(b, { socketCsrf: a.csrf })).status, "ok");
});

test("a join whose URL routes to no LiveView is unauthorized", async () => {
  const page = await loadPage(server.url);
  for (const url of [server.url + "/nowhere", server.url + "/assets/app.js", "http://127.0.0.1/login/extra"]) {
    assert.deepEqual(await joinWith({ ...page, url }), { status: "error", response: { reason: "unauthorized" } }, url);
  }
});

test("a session token is bound to its view: joining another topic with it is stale", async () => {
  const a = await loadPage(server.url);
  const b = await loadPage(server.url, "/counter", a.cookie);
  assert.deepEqual(await joinWith(a, { topic: b.topic }), STALE);
  assert.deepEqual(await joinWith(a, { topic: "lv:phx-madeup" }), STALE);
  assert.deepEqual(await joinWith(a, { session: b.session }), STALE);
});

test("no token, claim or secret is written to the log", async () => {
  const page = await loadPage(server.url);
  await joinWith(page, { csrf: "wrong" });
  const log = await server.settledLog();
  assert.ok(!log.includes(page.session.split(".")[2]), "no signature in the log");
  assert.ok(!log.includes(page.csrf), "no CSRF token in the log");
  assert.ok(!log.includes(SECRET), "no secret in the log");
  assert.ok(!log.includes(claimsOf(page.session).csrf), "no CSRF state in the log");
  assert.match(log, /join of lv:phx-\S+ refused: CSRF token does not match/);
});
