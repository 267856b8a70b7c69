// The Redis broker over the wire: two examples servers and one Redis of the
// test's own, /rtcounter joined on each with a scripted client. Messages
// published into Redis reach both processes' views; a process's own echo is
// skipped; garbage on a channel is dropped with a log line; one click is
// exactly one update on each page. Every "nothing else came" is proven with
// a marker message published after it through the same Redis, which
// delivers in order, never with a wait.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";
import { startRedis, redisCommand, brokerFrame, nodeOf } from "../lib/redis.mjs";

const FOREIGN_NODE = "0123456789abcdef0123456789abcdef";
const CHANNEL = "lv:rtcounter";
let redis, a, b;

before(async () => {
  redis = await startRedis();
  const env = { LV_REDIS_URL: redis.url, LV_LOG: "debug" };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
  await Promise.all([a.waitForLog(/redis: connected to/), b.waitForLog(/redis: connected to/)]);
});
after(async () => {
  for (const s of [a, b]) {
    const code = await s?.stop();
    assert.equal(code, 0, "server exits cleanly:\n" + s?.output());
  }
  await redis?.kill();
});

// The count each push of the view shows ("0" is the template's one slot).
const countPush = (m) => Array.isArray(m) && m[3] === "diff" && m[4]["0"] !== undefined;

async function joinCounter(server) {
  const page = await loadPage(server.url, "/rtcounter");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  return { c, joinRef, topic: page.topic, joinedCount: reply[4].response.rendered["0"] };
}

// The counts the view shows, in order, up to and including `last`.
async function countsUntil(view, last) {
  const seen = [];
  while (seen.at(-1) !== String(last)) seen.push((await view.c.next(countPush))[4]["0"]);
  return seen;
}

const publishCount = (node, count) =>
  redisCommand(redis.port, "PUBLISH", CHANNEL,
               brokerFrame(node, JSON.stringify({ name: "count", payload: { count } })));

let va, vb;

test("both processes subscribe when their first view needs the topic", async () => {
  va = await joinCounter(a);
  vb = await joinCounter(b);
  await a.waitForLog(/redis: subscribed to lv:rtcounter/);
  await b.waitForLog(/redis: subscribed to lv:rtcounter/);
});

test("a message from another process reaches both; a process skips its own echo", async () => {
  assert.equal(await publishCount(nodeOf(a), 50), 2); // as if A had published it: A must ignore it
  assert.equal(await publishCount(FOREIGN_NODE, 60), 2);
  assert.deepEqual(await countsUntil(va, 60), ["60"]);
  assert.deepEqual(await countsUntil(vb, 60), ["50", "60"]);
});

test("garbage on a channel is dropped with a log line, and delivery goes on", async () => {
  assert.equal(await redisCommand(redis.port, "PUBLISH", CHANNEL, "garbage"), 2);
  // A well-formed frame whose message is not a broadcast's JSON.
  assert.equal(await redisCommand(redis.port, "PUBLISH", CHANNEL, brokerFrame(FOREIGN_NODE, "{not json")), 2);
  assert.equal(await publishCount(FOREIGN_NODE, 70), 2);
  assert.deepEqual(await countsUntil(va, 70), ["70"]);
  assert.deepEqual(await countsUntil(vb, 70), ["70"]);
  for (const s of [a, b]) {
    await s.waitForLog(/redis: dropped a malformed message on topic rtcounter \(shorter than a frame header/);
    await s.waitForLog(/pub\/sub: a malformed message on rtcounter was dropped/);
  }
});

test("one click is exactly one update on each page, whichever process served it", async () => {
  const reply = await va.c.click(va.joinRef, va.topic, "inc");
  assert.equal(reply[4].status, "ok");
  const [ca] = await countsUntil(va, 1);
  const [cb] = await countsUntil(vb, 1);
  assert.equal(ca, "1");
  assert.equal(cb, "1");
  // Redis delivers in order: anything the click sent comes before this.
  assert.equal(await publishCount(FOREIGN_NODE, 1000), 2);
  assert.deepEqual(await countsUntil(va, 1000), ["1000"]);
  assert.deepEqual(await countsUntil(vb, 1000), ["1000"]);
  // The count lives in Redis: a page loaded later from either process shows it.
  assert.equal(await redisCommand(redis.port, "GET", "lv:counter:rtcounter"), "1");
  // (B has seen the value go by; a process that has not reads it from Redis,
  // which the browser test checks.)
  const late = await joinCounter(b);
  assert.equal(late.joinedCount, "1");
  late.c.close();
});

test("Redis killed and restarted: both processes resubscribe and deliver again", async () => {
  const port = redis.port;
  await redis.kill();
  await a.waitForLog(/redis: lost the connection to/);
  await b.waitForLog(/redis: lost the connection to/);
  // A click while Redis is down: this process counts on alone.
  const reply = await va.c.click(va.joinRef, va.topic, "inc");
  assert.equal(reply[4].status, "ok");
  assert.deepEqual(await countsUntil(va, 2), ["2"]);
  redis = await startRedis(port);
  // Two: the view's topic and lv:sessions, which carries session revocations.
  await a.waitForLog(/redis: reconnected to .* 2 topics subscribed/);
  await b.waitForLog(/redis: reconnected to .* 2 topics subscribed/);
  assert.equal(await publishCount(FOREIGN_NODE, 2000), 2);
  assert.deepEqual(await countsUntil(va, 2000), ["2000"]);
  assert.deepEqual(await countsUntil(vb, 2000), ["2000"]);
});

test("the last view leaving unsubscribes the process", async () => {
  va.c.close();
  await a.waitForLog(/redis: unsubscribed from lv:rtcounter/);
  vb.c.close();
});
