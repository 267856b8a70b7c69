// Component messaging in Chromium (examples/contacts.c): 100 row components
// loaded by one update_many call; send_update highlights a row and
// send_update_after takes it off again; a row's click puts flash, pushes an
// event to a window listener and patches the URL (the view's handle_params).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot, watchFor } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const text = (page, sel, value) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [sel, value]);

test("one query for 100 rows, send_update now and later, a row's flash, event and patch", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/contacts");
  await connected(page);
  await text(page, "#queries", "1");
  assert.equal(await page.textContent("#rows-loaded"), "100");
  assert.equal(await page.locator("#contacts tr").count(), 100);

  const highlighted = await watchFor(page, "#contact-7.highlight");
  await page.click("#highlight");
  await highlighted();
  // The update sent for later takes it off again.
  await page.waitForSelector("#contact-7.highlight", { state: "detached" });
  await page.waitForFunction(() => !document.querySelector("#contact-7").classList.contains("highlight"));

  await page.evaluate(() => {
    window.starred = [];
    window.addEventListener("phx:starred", (e) => window.starred.push(e.detail.id));
  });
  await page.click("#contact-12 button.star");
  await text(page, "#flash-info", "Starred Grace Hopper.");
  await page.waitForFunction(() => window.starred.length === 1 && window.starred[0] === 12);
  assert.equal(await page.textContent("#contact-12 button.star"), "★");

  await page.click("#contact-12 button.select");
  await page.waitForFunction(() => location.search === "?selected=12");
  await text(page, "#selected", "Grace Hopper");
  assert.equal(await page.textContent("#queries"), "1", "no more queries for events and updates");
  await screenshot(page, "contacts.png");
  assert.deepEqual(page.errors, []);
});
