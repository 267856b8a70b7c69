// The counter in headless Chromium with the official client: the page is
// rendered by the server, the client joins, and clicks update the count
// through diffs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

test("the dead render shows the count without JavaScript", async () => {
  const context = await t.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(t.server.url + "/counter");
  assert.equal(await page.textContent("#count"), "0");
  assert.equal(await page.locator("[data-phx-main].phx-connected").count(), 0);
  await context.close();
});

test("+ and - update the count through diffs; a reload mounts afresh", async () => {
  const context = await t.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  const frames = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(f.payload)));

  await page.goto(t.server.url + "/counter");
  await connected(page);
  const inc = page.locator('[phx-click="inc"]');
  const dec = page.locator('[phx-click="dec"]');
  for (let i = 0; i < 3; i++) {
    await inc.click();
    await page.waitForFunction((n) => document.querySelector("#count").textContent === String(n), i + 1);
  }
  await dec.click();
  await page.waitForFunction(() => document.querySelector("#count").textContent === "2");
  assert.equal(await page.textContent("#count"), "2");

  // Only the changed count travels: the last reply's diff is {"0":"2"}.
  const diffs = frames.map((f) => JSON.parse(f)).filter((m) => m[3] === "phx_reply" && m[4].response.diff);
  assert.deepEqual(diffs.at(-1)[4].response.diff, { 0: "2" });

  await screenshot(page, "counter.png");

  await page.reload();
  await connected(page);
  assert.equal(await page.textContent("#count"), "0");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the index links every example", async () => {
  const context = await t.browser.newContext();
  const page = await context.newPage();
  await page.goto(t.server.url + "/");
  await connected(page);
  const links = await page.$$eval("a", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.includes("/counter"));
  await context.close();
});
