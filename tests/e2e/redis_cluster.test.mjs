// Two examples servers sharing one Redis (LV_REDIS_URL) and the same
// LV_SECRET_KEY_BASE, /rtcounter open in one browser per process: a click
// on either moves both, a process started later shows the cluster's count,
// and when Redis is killed each process keeps working on its own (the
// outage logged once), then shares again once Redis is back on its port.
// Every wait is for a condition (a count on a page, a log line), never a
// sleep.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, playwright, CHROMIUM_ARGS } from "../lib/server.mjs";
import fs from "node:fs";
import path from "node:path";
import { newPage, connected, screenshot, artifacts } from "../lib/browser.mjs";
import { startRedis } from "../lib/redis.mjs";

let redis, a, b, late, browser;
const servers = () => [a, b, late].filter(Boolean);
const env = () => ({ LV_REDIS_URL: redis.url, LV_LOG: "debug" });

before(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([startServer(env()), startServer(env())]);
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  for (const [i, s] of servers().entries()) {
    const code = await s.stop();
    // The logs, for reading what the outage looked like.
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, `redis-cluster-${"abc"[i]}.log`), s.output());
    assert.equal(code, 0, "server exits cleanly:\n" + s.output());
  }
  await redis?.kill();
});

const countIs = (page, n) =>
  page.waitForFunction((v) => document.querySelector("#count").textContent === v, String(n));

async function open(server) {
  const page = await newPage(browser);
  await page.goto(server.url + "/rtcounter");
  await connected(page);
  return page;
}

const count = (text, re) => (text.match(re) ?? []).length;

let pa, pb;

test("a click on a page served by one process moves the page served by the other", async () => {
  pa = await open(a);
  pb = await open(b);
  // Each process subscribes when its first view needs the topic.
  await a.waitForLog(/redis: subscribed to lv:rtcounter/);
  await b.waitForLog(/redis: subscribed to lv:rtcounter/);
  await countIs(pa, 0);
  await countIs(pb, 0);

  await pa.click('[phx-click="inc"]');
  await countIs(pa, 1);
  await countIs(pb, 1);
  await pb.click('[phx-click="inc"]');
  await countIs(pb, 2);
  await countIs(pa, 2);
  await pb.click('[phx-click="inc"]');
  await countIs(pa, 3);
  await countIs(pb, 3);
  await pa.click('[phx-click="dec"]');
  await countIs(pb, 2);
  await countIs(pa, 2);
  await screenshot(pa, "redis-cluster-a.png");
  await screenshot(pb, "redis-cluster-b.png");

  // A process that saw none of it reads the count from Redis.
  late = await startServer(env());
  const pc = await open(late);
  await countIs(pc, 2);
  // Its view's topic is subscribed once Redis confirms it: clicks after this
  // reach it.
  await late.waitForLog(/redis: subscribed to lv:rtcounter/);
  await pc.click('[phx-click="inc"]');
  await countIs(pa, 3);
  await countIs(pb, 3);
  await countIs(pc, 3);
  assert.deepEqual([...pa.errors, ...pb.errors, ...pc.errors], []);
  await pc.context().close();
});

test("Redis killed: each process keeps working alone; restarted: they share again", async () => {
  const port = redis.port;
  // A second page on A: A's own views still update each other during the outage.
  const pa2 = await open(a);
  await countIs(pa2, 3);

  await redis.kill();
  await a.waitForLog(/redis: lost the connection to/);
  await b.waitForLog(/redis: lost the connection to/);

  await pa.click('[phx-click="inc"]');
  await countIs(pa, 4);
  await countIs(pa2, 4);
  await pb.click('[phx-click="inc"]');
  await countIs(pb, 4); // B's own count: A's click did not reach it
  await pb.click('[phx-click="inc"]');
  await countIs(pb, 5);
  await screenshot(pb, "redis-cluster-outage-b.png");

  redis = await startRedis(port);
  await a.waitForLog(/redis: reconnected to/);
  await b.waitForLog(/redis: reconnected to/);
  // Redis came back empty (no persistence), so the cluster's count starts
  // over; what matters is that both processes show it again.
  await pb.click('[phx-click="inc"]');
  await countIs(pb, 1);
  await countIs(pa, 1);
  await countIs(pa2, 1);
  await pa.click('[phx-click="inc"]');
  await countIs(pb, 2);
  await countIs(pa, 2);
  await screenshot(pa, "redis-cluster-after-a.png");

  // One line when the outage started and one when it ended, per process,
  // however many messages went by meanwhile.
  for (const s of [a, b]) {
    const log = await s.settledLog();
    assert.equal(count(log, /redis: lost the connection/g), 1, log);
    assert.equal(count(log, /redis: reconnected to/g), 1, log);
    assert.equal(count(log, /redis: cannot reach/g), 0, log);
  }
  assert.deepEqual([...pa.errors, ...pb.errors, ...pa2.errors], []);
});
