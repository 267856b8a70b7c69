// The long-poll transport at /live/longpoll, spoken by hand as phoenix.js
// 1.8's LongPoll speaks it (docs/longpoll.md): a session opened by a GET,
// messages POSTed as x-ndjson, replies collected by held GETs; and what it
// refuses: forged or unknown tokens, a token from another cookie, a foreign
// Origin, oversized and malformed bodies; idle sessions end their views.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { loadPage } from "../lib/client.mjs";
import { rawConnect, waitFor, parseResponse } from "../lib/raw.mjs";

const WINDOW_MS = 2000; // a held GET's window; a session without a poll for 3 s ends
const MAX_MESSAGE_BYTES = 8192;

let server;
before(async () => {
  server = await startServer({ LV_LONGPOLL_WINDOW_MS: String(WINDOW_MS),
                               LV_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
});
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

const socketQuery = (page) => `_csrf_token=${encodeURIComponent(page.csrf)}&_mounts=0&vsn=2.0.0`;

async function lp(method, page, { token, cookie = page.cookie, headers = {}, body, type } = {}) {
  // As the client builds it: the socket URL, then "&token=..." (or a bare
  // "&" before it has one).
  const url = `${server.url}/live/longpoll?${socketQuery(page)}&${token ? "token=" + token : ""}`;
  const h = { accept: "application/json", ...(cookie ? { cookie } : {}), ...headers };
  if (body !== undefined) h["content-type"] = type ?? "application/x-ndjson";
  const res = await fetch(url, { method, headers: h, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* asserted by the caller */ }
  return { http: res.status, type: res.headers.get("content-type"), cache: res.headers.get("cache-control"), json, text };
}

// Opens a session for a freshly loaded page: { page, token }.
async function open(path = "/counter") {
  const page = await loadPage(server.url, path);
  const r = await lp("GET", page);
  assert.equal(r.http, 200);
  assert.equal(r.json.status, 410, "a new session is announced as 410 with its token");
  assert.deepEqual(r.json.messages, []);
  assert.match(r.json.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(r.type, /^application\/json/);
  assert.equal(r.cache, "no-store");
  return { page, token: r.json.token };
}

const frame = (m) => JSON.stringify(m);
const post = (s, messages, opts = {}) =>
  lp("POST", s.page, { token: s.token, body: messages.map(frame).join("\n"), ...opts });
const poll = (s, opts = {}) => lp("GET", s.page, { token: s.token, ...opts });

// Polls until the messages include one matching pred; returns them all.
async function pollFor(s, pred) {
  const seen = [];
  for (let i = 0; i < 20; i++) {
    const r = await poll(s);
    assert.ok([200, 204].includes(r.json.status), "poll status " + r.text);
    assert.equal(r.json.token, s.token, "every poll answer gives the token back");
    seen.push(...r.json.messages.map((m) => JSON.parse(m)));
    if (seen.some(pred)) return seen;
  }
  assert.fail("never received the message: " + JSON.stringify(seen));
}

function join(s, ref = "1") {
  return [ref, ref, s.page.topic, "phx_join",
    { url: s.page.url, params: { _csrf_token: s.page.csrf, _mounts: 0 }, session: s.page.session, static: null }];
}

const replyTo = (ref) => (m) => m[1] === ref && m[3] === "phx_reply";

test("a session joins the counter and clicks through POSTs and polls", async () => {
  const s = await open();
  let r = await post(s, [join(s)]);
  assert.equal(r.http, 200);
  assert.deepEqual(r.json, { status: 200 });
  let seen = await pollFor(s, replyTo("1"));
  const joined = seen.find(replyTo("1"));
  assert.equal(joined[4].status, "ok", JSON.stringify(joined));

  // Two messages in one batch: both answered, in order.
  r = await post(s, [
    ["1", "2", s.page.topic, "event", { type: "click", event: "inc", value: { value: "" } }],
    ["1", "3", s.page.topic, "event", { type: "click", event: "inc", value: { value: "" } }],
  ]);
  assert.deepEqual(r.json, { status: 200 });
  seen = await pollFor(s, replyTo("3"));
  const replies = seen.filter((m) => m[3] === "phx_reply").map((m) => m[1]);
  assert.deepEqual(replies, ["2", "3"]);
  assert.deepEqual(seen.find(replyTo("3"))[4].response.diff, { 0: "2" });
});

test("a poll nobody answers ends with 204 and the next poll still works", async () => {
  const s = await open();
  const r = await poll(s);
  assert.equal(r.http, 200);
  assert.equal(r.json.status, 204);
  assert.deepEqual(r.json.messages, []);
  // The session lives on: a heartbeat is answered on the next poll.
  await post(s, [[null, "9", "phoenix", "heartbeat", {}]]);
  const seen = await pollFor(s, replyTo("9"));
  assert.equal(seen.find(replyTo("9"))[4].status, "ok");
});

test("a held poll is answered with the reply to a POST", async () => {
  const s = await open();
  const held = poll(s);
  // Whichever reaches the server first, this poll carries the reply: held,
  // it is answered when the reply is queued; late, it finds it queued.
  await post(s, [[null, "5", "phoenix", "heartbeat", {}]]);
  const first = await held;
  assert.equal(first.json.status, 200);
  assert.ok(first.json.messages.map((m) => JSON.parse(m)).some(replyTo("5")), first.text);
});

test("forged, unknown and foreign tokens are refused", async () => {
  const s = await open();
  const [h, p, sig] = s.token.split(".");
  const forged = `${h}.${p}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
  for (const token of [forged, "not-a-token", "a.b.c"]) {
    const g = await lp("GET", s.page, { token });
    assert.deepEqual(g.json, { status: 410 }, "GET with " + token);
    const q = await lp("POST", s.page, { token, body: frame([null, "1", "phoenix", "heartbeat", {}]) });
    assert.deepEqual(q.json, { status: 410 }, "POST with " + token);
  }
  // Another visitor's cookie with this session's token: 403.
  const other = await loadPage(server.url, "/counter");
  const g = await lp("GET", other, { token: s.token });
  assert.deepEqual(g.json, { status: 403 });
  const q = await lp("POST", other, { token: s.token, body: frame([null, "1", "phoenix", "heartbeat", {}]) });
  assert.deepEqual(q.json, { status: 403 });
  // No cookie at all: 403 too.
  const n = await lp("GET", s.page, { token: s.token, cookie: null });
  assert.deepEqual(n.json, { status: 403 });
  await server.waitForLog(/long-poll token used with another cookie session/);
  // The owner still uses it.
  const r = await poll(s);
  assert.equal(r.json.status, 204);
});

test("a foreign Origin is refused with 403, on opening and on a session", async () => {
  const s = await open();
  const evil = { origin: "http://evil.example" };
  assert.deepEqual((await lp("GET", s.page, { headers: evil })).json, { status: 403 });
  assert.deepEqual((await poll(s, { headers: evil })).json, { status: 403 });
  assert.deepEqual((await post(s, [[null, "1", "phoenix", "heartbeat", {}]], { headers: evil })).json, { status: 403 });
  // The page's own origin is fine.
  const own = await poll(s, { headers: { origin: server.url } });
  assert.equal(own.json.status, 204);
});

test("without the socket's CSRF token the session opens but its joins are refused", async () => {
  const page = await loadPage(server.url, "/counter");
  const bad = { ...page, csrf: "wrong" };
  const r = await lp("GET", bad);
  assert.equal(r.json.status, 410);
  const s = { page: bad, token: r.json.token };
  await post(s, [join(s)]);
  const seen = await pollFor(s, replyTo("1"));
  const reply = seen.find(replyTo("1"));
  assert.equal(reply[4].status, "error");
  assert.equal(reply[4].response.reason, "stale");
});

test("an oversized POST is 413 and the session goes on", async () => {
  const s = await open();
  const big = frame([null, "1", "phoenix", "heartbeat", { pad: "x".repeat(MAX_MESSAGE_BYTES) }]);
  const r = await lp("POST", s.page, { token: s.token, body: big });
  assert.equal(r.http, 413);
  assert.equal(r.json.status, 413);
  await post(s, [[null, "2", "phoenix", "heartbeat", {}]]);
  const seen = await pollFor(s, replyTo("2"));
  assert.ok(!seen.some(replyTo("1")), "the refused message never reached the channel");
});

test("malformed bodies get a clear 400 and never reach a view", async () => {
  const s = await open();
  await post(s, [join(s)]);
  await pollFor(s, replyTo("1"));
  const click = frame(["1", "7", s.page.topic, "event", { type: "click", event: "inc", value: { value: "" } }]);
  const cases = [
    { body: "not json at all" },
    { body: '{"an":"object"}' },
    { body: "" },
    { body: click + "\nAA*A" },                       // neither JSON nor base64
    { body: '{"an":"object"}', type: "application/json" },
    { body: Array(101).fill(frame([null, "1", "phoenix", "heartbeat", {}])).join("\n") },
  ];
  for (const c of cases) {
    const r = await lp("POST", s.page, { token: s.token, body: c.body, type: c.type });
    assert.equal(r.http, 400, JSON.stringify(c).slice(0, 80));
    assert.equal(r.json.status, 400);
    assert.equal(typeof r.json.error, "string");
  }
  // A line that looks like a list but is no Phoenix message: logged, no reply.
  await lp("POST", s.page, { token: s.token, body: "[1,2" + "]" });
  // None of the clicks above ran: the count is still 0 when the next one
  // makes it 1.
  await post(s, [["1", "8", s.page.topic, "event", { type: "click", event: "inc", value: { value: "" } }]]);
  const seen = await pollFor(s, replyTo("8"));
  assert.ok(!seen.some(replyTo("7")));
  assert.deepEqual(seen.find(replyTo("8"))[4].response.diff, { 0: "1" });
  // One message with the old client's content type is accepted.
  const r = await lp("POST", s.page, { token: s.token, body: frame([null, "9", "phoenix", "heartbeat", {}]), type: "application/json" });
  assert.deepEqual(r.json, { status: 200 });
});

test("other methods are 405", async () => {
  const page = await loadPage(server.url, "/counter");
  const r = await lp("PUT", page, { body: "x" });
  assert.equal(r.http, 405);
});

test("a session nobody polls expires and its view terminates", async (t) => {
  // liveview-civetweb (protocol_civetweb_longpoll) serves /counter and /form only.
  if ((await fetch(server.url + "/sensors")).status === 404) return t.skip("this server has no /sensors");
  const s = await open("/sensors");
  await post(s, [join(s)]);
  const seen = await pollFor(s, replyTo("1"));
  assert.equal(seen.find(replyTo("1"))[4].status, "ok");
  // No more polls: within 1.5 windows the session ends with its view.
  await server.waitForLog(new RegExp(`long-poll session ended \\(expired: no poll\\): 1 view\\(s\\) end, the first ${s.page.topic}`));
  const r = await poll(s);
  assert.deepEqual(r.json, { status: 410 }, "the client then opens a new session");
});

test("a newer poll replaces a held one, which is answered 204", async () => {
  const s = await open();
  const sock = await rawConnect(server.port);
  const path = `/live/longpoll?${socketQuery(s.page)}&token=${s.token}`;
  sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${s.page.cookie}\r\n\r\n`);
  const newer = poll(s);
  const buf = await waitFor(sock, (b) => b.includes("}"));
  const res = parseResponse(buf);
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).status, 204);
  assert.equal((await newer).json.status, 204);
  sock.destroy();
  await post(s, [[null, "3", "phoenix", "heartbeat", {}]]);
  await pollFor(s, replyTo("3"));
});
