// Nested LiveViews in Chromium (docs/nested.md; Phoenix's live_render, the
// client's joinChild and sticky handling): each child is joined over its own
// topic, its clicks change only its own DOM, it reports to its parent, ends
// when the parent stops rendering it, and the sticky child in the layout
// keeps its state across live navigation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const text = (page, sel, value) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [sel, value]);
const at = (page, path) => page.waitForFunction((p) => location.pathname === p, path);

// Records every phx_join the client sends and every phx_close it gets, by
// topic, from the page's own WebSocket frames.
function recordFrames(page) {
  page.topics = { joins: [], closes: [] };
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => {
      const m = safeParse(f.payload);
      if (m && m[3] === "phx_join") page.topics.joins.push(m[2]);
    });
    ws.on("framereceived", (f) => {
      const m = safeParse(f.payload);
      if (m && m[3] === "phx_close") page.topics.closes.push(m[2]);
    });
  });
}
function safeParse(s) {
  try { return JSON.parse(s); } catch { return null; }
}

async function allConnected(page) {
  await connected(page);
  for (const id of ["clock", "counter", "sticky"])
    await page.waitForSelector(`#${id}.phx-connected`, { timeout: 10000 });
}

test("children have their own events; reports reach the parent; removal ends a child", async () => {
  const page = await newPage(t.browser);
  recordFrames(page);
  await page.goto(t.server.url + "/nested");
  await allConnected(page);
  assert.ok(page.topics.joins.includes("lv:clock"), "the clock joined over its own topic");
  assert.ok(page.topics.joins.includes("lv:counter"), "the counter joined over its own topic");
  assert.ok(page.topics.joins.includes("lv:sticky"), "the sticky child joined over its own topic");
  assert.equal(await page.getAttribute("#counter", "data-phx-parent-id"), await page.getAttribute("[data-phx-main]", "id"));

  await page.click("#child-inc");
  await page.click("#child-inc");
  await text(page, "#child-count", "2");
  await page.click("#parent-click");
  await text(page, "#parent-clicks", "1");
  assert.equal(await page.textContent("#child-count"), "2", "the parent's diff leaves the child as it is");
  await page.click("#child-dec");
  await text(page, "#child-count", "1");
  assert.equal(await page.textContent("#parent-clicks"), "1", "the child's event did not reach the parent");

  await page.click("#child-report");
  await text(page, "#parent-report", "the counter was at 1");
  await screenshot(page, "nested.png");

  // The parent stops rendering the counter: the client leaves it; brought
  // back, it is a new child that starts from zero.
  await page.click("#toggle-counter");
  await page.waitForSelector("#counter", { state: "detached" });
  await text(page, "#toggle-counter", "Add the counter");
  await page.click("#toggle-counter");
  await page.waitForSelector("#counter.phx-connected");
  await text(page, "#child-count", "0");
  await page.click("#child-inc");
  await text(page, "#child-count", "1");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the sticky child keeps its state across live navigation; the others end with their page", async () => {
  const page = await newPage(t.browser);
  recordFrames(page);
  let sockets = 0;
  page.on("websocket", () => sockets++);
  await page.goto(t.server.url + "/nested");
  await allConnected(page);
  await page.evaluate(() => { window.samePage = true; });

  await page.click("#sticky-like");
  await page.click("#sticky-like");
  await text(page, "#sticky-likes", "2");
  const stickyJoins = page.topics.joins.filter((x) => x === "lv:sticky").length;

  await page.click("#link-nested-b"); // live_redirect
  await at(page, "/nested/b");
  await page.waitForSelector("#nested-b");
  await connected(page);
  assert.equal(await page.locator("#clock").count(), 0, "the page's children went with it");
  assert.equal(await page.textContent("#sticky-likes"), "2", "the sticky child kept its state");
  await page.click("#sticky-like");
  await text(page, "#sticky-likes", "3");
  await screenshot(page, "nested-b.png");

  await page.click("#link-nested");
  await at(page, "/nested");
  await allConnected(page);
  await text(page, "#sticky-likes", "3");
  await text(page, "#child-count", "0");

  assert.equal(page.topics.joins.filter((x) => x === "lv:sticky").length, stickyJoins, "never rejoined");
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load");
  assert.equal(sockets, 1, "one WebSocket throughout");
  assert.deepEqual(page.errors, []);
  await page.close();
});
