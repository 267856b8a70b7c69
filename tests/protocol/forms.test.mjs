// Form events: their _csrf_token is checked before handle_event runs (wrong:
// refused; missing: processed after one warning, refused when csrf_strict),
// and hostile payloads are refused with an error reply, not a crash.
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

async function joinForm(srv = server) {
  const page = await loadPage(srv.url, "/form");
  assert.match(page.html, /<input type="hidden" name="_csrf_token" value="[A-Za-z0-9_-]{56}">/,
    "the dead render's form carries a real token");
  const c = await Client.connect(srv.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join({ ...page });
  assert.equal(reply[4].status, "ok");
  const formToken = /name="_csrf_token" value="([^"]+)"/.exec(JSON.stringify(reply[4].response.rendered).replace(/\\"/g, '"'))[1];
  return { c, page, joinRef, formToken };
}

const form = (c, joinRef, topic, event, value) =>
  c.push(joinRef, topic, "event", { type: "form", event, value, meta: { _target: "name" } });

test("the joined form carries the token the view joined with", async () => {
  const { c, page, formToken } = await joinForm();
  assert.equal(formToken, page.csrf);
  c.close();
});

test("a valid token: validate shows the error, save appends the name", async () => {
  const { c, page, joinRef } = await joinForm();
  const t = encodeURIComponent(page.csrf);
  const v = await form(c, joinRef, page.topic, "validate", `_csrf_token=${t}&name=ab`);
  assert.equal(v[4].status, "ok");
  assert.match(JSON.stringify(v[4].response.diff), /at least 3/);
  const s = await form(c, joinRef, page.topic, "save", `_csrf_token=${t}&name=Alice`);
  assert.match(JSON.stringify(s[4].response.diff), /Alice/);
  c.close();
});

test("a wrong token is refused and never reaches the view", async () => {
  const { c, page, joinRef } = await joinForm();
  const other = await loadPage(server.url, "/form");
  for (const token of ["A".repeat(56), other.csrf, "short", ""]) {
    const r = await form(c, joinRef, page.topic, "save", `_csrf_token=${encodeURIComponent(token)}&name=Mallory`);
    assert.deepEqual(r[4], { status: "error", response: { reason: "invalid CSRF token" } }, token);
  }
  // The refused saves did not happen: the next save makes a list of one.
  const ok = await form(c, joinRef, page.topic, "save", `_csrf_token=${encodeURIComponent(page.csrf)}&name=Bob`);
  const names = ok[4].response.diff;
  assert.ok(!JSON.stringify(names).includes("Mallory"));
  assert.match(JSON.stringify(names), /"kc":1/);
  await server.waitForLog(/form event refused: its _csrf_token does not match/);
  assert.ok(!(await server.settledLog()).includes(other.csrf), "the token is not logged");
  c.close();
});

test("a missing token is processed, with one warning per view", async () => {
  const { c, page, joinRef } = await joinForm();
  const before = ((await server.settledLog()).match(/carries no _csrf_token/g) || []).length;
  const r1 = await form(c, joinRef, page.topic, "validate", "name=ab");
  assert.equal(r1[4].status, "ok");
  assert.match(JSON.stringify(r1[4].response.diff), /at least 3/);
  const r2 = await form(c, joinRef, page.topic, "save", "name=Carol");
  assert.match(JSON.stringify(r2[4].response.diff), /Carol/);
  const after = ((await server.settledLog()).match(/carries no _csrf_token/g) || []).length;
  assert.equal(after - before, 1);
  c.close();
});

test("csrf_strict refuses a missing token", async () => {
  const strict = await startServer({ LV_CSRF_STRICT: "1" });
  try {
    const { c, page, joinRef } = await joinForm(strict);
    const r = await form(c, joinRef, page.topic, "save", "name=Dave");
    assert.deepEqual(r[4], { status: "error", response: { reason: "missing CSRF token" } });
    const ok = await form(c, joinRef, page.topic, "save", `_csrf_token=${encodeURIComponent(page.csrf)}&name=Dave`);
    assert.equal(ok[4].status, "ok");
    c.close();
  } finally {
    assert.equal(await strict.stop(), 0);
  }
});

test("hostile form payloads get an error reply and the socket keeps working", async () => {
  const { c, page, joinRef } = await joinForm();
  const t = `_csrf_token=${encodeURIComponent(page.csrf)}&`;
  const deep = "a" + "[b]".repeat(1000) + "=1";
  const many = Array.from({ length: 100000 }, (_, i) => `k${i}=v`).join("&");
  const cases = [t + deep, t + many, t + "name=%ZZ", t + "name=%C0%AF", t + "name=%00", t + "a[][b]=1", 42, null];
  for (const value of cases) {
    const r = await form(c, joinRef, page.topic, "validate", value);
    assert.deepEqual(r[4], { status: "error", response: { reason: "invalid form" } }, String(value).slice(0, 40));
  }
  assert.equal((await c.heartbeat())[4].status, "ok");
  const ok = await form(c, joinRef, page.topic, "validate", t + "name=Eve");
  assert.equal(ok[4].status, "ok");
  c.close();
});
