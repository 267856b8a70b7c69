// Async assigns in Chromium (examples/async.c): the HTTP render shows
// loading, the joined view the result; a slow load shows "refreshing" and
// loses to a later quick one (latest wins); a failure shows its reason; a
// stream loaded async grows by pages, and an update-only insert edits a
// shown post without adding an unknown one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const text = (page, sel, value) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [sel, value]);

test("loading, ok, failed, latest wins, and a stream loaded async", async () => {
  const dead = await (await fetch(t.server.url + "/async")).text();
  assert.ok(dead.includes("Loading the organization"), "the HTTP render shows the loading branch");

  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/async");
  await connected(page);
  await text(page, "#org-name", "Acme Corp #1");
  await page.waitForFunction(() => document.querySelectorAll("#posts li").length === 5);

  await page.click("#slow");
  await page.waitForSelector("#org-refreshing");
  assert.equal(await page.textContent("#org-name"), "Acme Corp #1", "the previous result stays while loading");
  await page.click("#reload");
  await text(page, "#org-name", "Acme Corp #3");
  await page.click("#release");
  // Until the slow load has returned (its result is then dropped).
  for (let i = 0; i < 200 && (await page.textContent("#slow-done")) !== "1"; i++) await page.click("#check");
  assert.equal(await page.textContent("#slow-done"), "1");
  await page.click("#check"); // one more round trip after it returned
  assert.equal(await page.textContent("#org-name"), "Acme Corp #3");
  assert.equal(await page.locator("text=Slow Corp").count(), 0);

  await page.click("#fail");
  await text(page, "#org-last-error", "last attempt: The directory is unreachable.");

  await page.click("#more");
  await page.waitForFunction(() => document.querySelectorAll("#posts li").length === 10);
  await page.click("#edit");
  await text(page, "#posts-1", "Post number 1 (edited)");
  assert.equal(await page.locator("#posts-0").count(), 0, "update-only never adds");
  assert.equal(await page.locator("#posts li").count(), 10);
  await screenshot(page, "async.png");
  assert.deepEqual(page.errors, []);
});
