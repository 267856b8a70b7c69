// A logout on one process of a cluster ends the session on the others: the
// revocation travels through Redis (docs/security.md, "Ending sessions").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { loadPage } from "../lib/client.mjs";
import { startRedis } from "../lib/redis.mjs";

let redis, a, b;
before(async () => {
  redis = await startRedis();
  const env = { LV_REDIS_URL: redis.url, LV_LOG: "debug" };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
  await Promise.all([a.waitForLog(/redis: subscribed to lv:lv:sessions/), b.waitForLog(/redis: subscribed to lv:lv:sessions/)]);
});
after(async () => {
  const codes = await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
  assert.deepEqual(codes, [0, 0]);
});

function postForm(base, path, body, cookie) {
  return fetch(base + path, {
    method: "POST", redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body,
  });
}
const cookieOf = (res) => res.headers.get("set-cookie")?.split(";")[0];

test("a logout on process A refuses the old cookie on process B", async () => {
  const login = await loadPage(a.url, "/login");
  const res = await postForm(a.url, "/login", `_csrf_token=${encodeURIComponent(login.csrf)}&name=kim`, login.cookie);
  const cookie = cookieOf(res);
  assert.ok((await loadPage(b.url, "/me", cookie)).html.includes("Signed in as kim"), "one cookie, both processes");

  const me = await loadPage(a.url, "/me", cookie);
  const out = await postForm(a.url, "/logout", `_csrf_token=${encodeURIComponent(me.csrf)}`, cookie);
  assert.equal(out.status, 303);
  await b.waitForLog(/sessions: a revocation arrived through the broker/);
  assert.ok((await loadPage(b.url, "/me", cookie)).html.includes("Not signed in."), "refused on B");
  assert.ok((await loadPage(a.url, "/me", cookie)).html.includes("Not signed in."), "and on A");
});

test("sign out everywhere on B ends the user's sessions on A", async () => {
  const signIn = async (srv) => {
    const p = await loadPage(srv.url, "/login");
    return cookieOf(await postForm(srv.url, "/login", `_csrf_token=${encodeURIComponent(p.csrf)}&name=lee`, p.cookie));
  };
  const onA = await signIn(a), onB = await signIn(b);
  const before = ((await a.settledLog()).match(/a revocation arrived/g) || []).length;
  const me = await loadPage(b.url, "/me", onB);
  const out = await postForm(b.url, "/logout-everywhere", `_csrf_token=${encodeURIComponent(me.csrf)}`, onB);
  assert.equal(out.status, 303);
  await a.waitForLog(new RegExp(`(?:[^]*a revocation arrived){${before + 1}}`));
  assert.ok((await loadPage(a.url, "/me", onA)).html.includes("Not signed in."));
});
