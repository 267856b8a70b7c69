// Pagination and sorting in Chromium: live_patch links and a server
// push_patch change the query string without a page load; the back button
// walks back through the same states.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const state = (page) =>
  page.evaluate(() => ({
    query: location.search,
    ids: [...document.querySelectorAll("#donations tbody tr td:first-child")].map((td) => td.textContent),
    items: [...document.querySelectorAll("#donations tbody tr td:nth-child(2)")].map((td) => td.textContent),
    showing: document.querySelector("#showing").textContent,
    perPage: document.querySelector("#per_page").value,
  }));

// Waits for the URL and the table to agree on the page shown.
const showing = (page, text) =>
  page.waitForFunction((s) => document.querySelector("#showing").textContent.includes(s), text);

test("pages, sorting and page size live in the URL; back restores each state", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/pagination");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  const first = await state(page);
  assert.deepEqual(first.ids, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);

  await page.click("#next"); // a live_patch link
  await showing(page, "Page 2 of 5");
  const second = await state(page);
  assert.equal(second.query, "?page=2&per_page=10&sort_by=id&sort_order=asc");
  assert.equal(second.ids[0], "11");

  await page.click("#sort-item");
  await showing(page, "sorted by item (asc)");
  const byItem = await state(page);
  assert.equal(byItem.query, "?page=1&per_page=10&sort_by=item&sort_order=asc");
  assert.deepEqual(byItem.items, [...byItem.items].sort());
  assert.equal(byItem.items[0], "Apples");

  await page.click("#sort-item"); // again: descending
  await showing(page, "sorted by item (desc)");
  const desc = await state(page);
  assert.deepEqual(desc.items, [...desc.items].sort().reverse());

  // The select goes through the server, which answers with push_patch.
  await page.selectOption("#per_page", "5");
  await showing(page, "5 per page");
  const five = await state(page);
  assert.equal(five.query, "?page=1&per_page=5&sort_by=item&sort_order=desc");
  assert.equal(five.ids.length, 5);
  await page.click('nav.pages a:text-is("4")');
  await showing(page, "Page 4 of 10");
  await screenshot(page, "pagination.png");

  // Back walks through every state, without a page load.
  for (const expected of [five, desc, byItem, second, first]) {
    await page.goBack();
    await page.waitForFunction((q) => location.search === q, expected.query);
    await page.waitForFunction((s) => document.querySelector("#showing").textContent === s, expected.showing);
    const now = await state(page);
    assert.deepEqual(now.ids, expected.ids, "rows after back to " + expected.query);
    assert.equal(now.perPage, expected.perPage);
  }
  await page.goForward();
  await showing(page, "Page 2 of 5");
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load happened");

  // A shared URL opens on the same state, in the dead render already.
  const fresh = await newPage(t.browser, { javaScriptEnabled: false });
  await fresh.goto(t.server.url + "/pagination" + desc.query);
  assert.deepEqual((await state(fresh)).items, desc.items);
  // Nonsense in the query falls back to the defaults.
  await fresh.goto(t.server.url + "/pagination?page=-3&per_page=1000000&sort_by=evil&sort_order=x");
  assert.equal((await state(fresh)).showing, "Page 1 of 5, 10 per page, sorted by id (asc).");
  await fresh.context().close();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
