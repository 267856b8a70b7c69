// Live navigation in Chromium: the server patches A's URL (push_patch),
// moves to B over the same socket (push_navigate) with a flash, comes back
// with another; links do live_patch and live_redirect; a full redirect
// carries its flash in a cookie.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const at = (page, pathAndQuery) =>
  page.waitForFunction((p) => location.pathname + location.search === p, pathAndQuery);
const text = (page, sel, value) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [sel, value]);

test("push_patch, push_navigate with flash, and links, on one socket", async () => {
  const page = await newPage(t.browser);
  let sockets = 0;
  page.on("websocket", () => sockets++);
  await page.goto(t.server.url + "/livenav");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });

  await page.click("#next-tab");
  await at(page, "/livenav?tab=2");
  await text(page, "#tab", "2");
  await text(page, "#patches", "2");

  await page.click("#navigate");
  await at(page, "/livenav/b?from=navigate");
  await text(page, "#from", "navigate");
  await page.waitForSelector("#flash-info");
  assert.equal(await page.textContent("#flash-info"), "Welcome to B: you came with push_navigate.");
  await connected(page);
  await screenshot(page, "livenav-b.png");

  await page.click("#flash-info"); // lv:clear-flash
  await page.waitForSelector("#flash-info", { state: "detached" });

  await page.click("#back");
  await at(page, "/livenav?tab=2");
  await text(page, "#tab", "2");
  await text(page, "#flash-info", "Back on A, tab 2, from B.");

  await page.click("#link-tab"); // live_patch link
  await at(page, "/livenav?tab=1");
  await text(page, "#tab", "1");
  assert.equal(await page.locator("#flash-info").count(), 1, "a patch keeps the flash");

  await page.click("#link-b"); // live_redirect link
  await at(page, "/livenav/b?from=link");
  await text(page, "#from", "link");
  assert.equal(await page.locator("#flash-info").count(), 0, "no flash was put for this one");
  await page.click("#link-a");
  await at(page, "/livenav");
  await text(page, "#tab", "1");

  // Back and forward across views: the client rejoins each view.
  await page.goBack();
  await at(page, "/livenav/b?from=link");
  await text(page, "#from", "link");
  await page.goBack();
  await at(page, "/livenav?tab=1");
  await text(page, "#tab", "1");

  assert.equal(await page.evaluate(() => window.samePage), true, "no page load so far");
  assert.equal(sockets, 1, "one WebSocket throughout");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a full redirect from the server carries the flash through a page load", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/livenav");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  await page.click("#redirect");
  await at(page, "/livenav/b?from=redirect");
  await text(page, "#flash-info", "Welcome to B: you came with a full redirect.");
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), undefined, "a new page was loaded");
  await screenshot(page, "livenav-redirect.png");
  // The flash cookie was read once: a reload shows no flash.
  await page.reload();
  await connected(page);
  assert.equal(await page.locator("#flash-info").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
