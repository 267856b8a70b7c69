// /presence across two server processes joined by a Redis of the test's own
// (LV_REDIS_URL): a visitor on each sees the other; when one process is
// SIGKILLed (no leave is ever sent), its visitor disappears from the other's
// page once the other stops hearing its heartbeats (3 missed, ~3-4 s). The
// test waits for the page to change, never for a time.
//
// It needs the Redis broker (tests/lib/redis.mjs comes with it); without it
// the test is skipped, saying so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, playwright, CHROMIUM_ARGS } from "../lib/server.mjs";
import { newPage, connected, screenshot } from "../lib/browser.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const haveBroker = fs.existsSync(path.join(here, "../lib/redis.mjs"));
let redis, a, b, browser;

before(async () => {
  if (!haveBroker) return;
  const { startRedis } = await import("../lib/redis.mjs");
  redis = await startRedis();
  const env = { LV_REDIS_URL: redis.url };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
  await Promise.all([a.waitForLog(/redis: connected to/), b.waitForLog(/redis: connected to/)]);
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (b) assert.equal(await b.stop(), 0, "the surviving server exits cleanly:\n" + b.output());
  await redis?.kill();
});

const namesAre = (page, names) =>
  page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll("#visitors .name")].map((e) => e.textContent).sort()) === want,
    JSON.stringify([...names].sort()),
    { timeout: 20000 },
  );

test("a visitor of a killed process leaves the other process's page", { skip: !haveBroker && "needs the Redis broker (tests/lib/redis.mjs)" }, async () => {
  const onA = await newPage(browser);
  const onB = await newPage(browser);
  await onA.goto(a.url + "/presence");
  await connected(onA);
  await onA.fill("#name", "Ada-on-A");
  await onA.click("#rename");
  await onB.goto(b.url + "/presence");
  await connected(onB);
  await onB.fill("#name", "Grace-on-B");
  await onB.click("#rename");
  await namesAre(onA, ["Ada-on-A", "Grace-on-B"]);
  await namesAre(onB, ["Ada-on-A", "Grace-on-B"]);
  await screenshot(onB, "presence-cluster-b.png");

  process.kill(a.pid, "SIGKILL"); // no terminate, no leave: only silence
  await namesAre(onB, ["Grace-on-B"]);
  await onB.waitForSelector("#events li:text('Ada-on-A left')");
  assert.deepEqual(onB.errors, []);
  await onA.context().close();
  await onB.context().close();
});
