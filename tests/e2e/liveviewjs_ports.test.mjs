// LiveViewJS's remaining examples, ported (issue #14 item 8), in Chromium:
// /helloToggle, /prints (a range input with phx-change), /sort (four query
// params, a form answered with push_patch) and /xkcd (async fetching with
// prev/next/random live_patch links, no network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const text = (page, sel, want) =>
  page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [sel, want]);

test("/helloToggle flips the greeting", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/helloToggle");
  await connected(page);
  assert.equal(await page.textContent("#greeting"), "Hello World");
  await page.click("#toggle");
  await text(page, "#greeting", "👋 Hello, World! 🌎");
  assert.equal(await page.getAttribute("#toggle", "aria-pressed"), "true");
  await screenshot(page, "hello_toggle.png");
  await page.click("#toggle");
  await text(page, "#greeting", "Hello World");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("/prints: the range input's phx-change prices the prints", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/prints");
  await connected(page);
  assert.equal(await page.textContent("#total"), "$15.00");
  // fill() on a range input sets the value and fires input and change, as a drag does.
  await page.fill("#quantity", "12");
  await text(page, "#total", "$12.00");
  assert.equal(await page.textContent("#unit-price"), "$1.00");
  await page.fill("#quantity", "80");
  await text(page, "#total", "$60.00");
  assert.equal(await page.textContent("#quantity-label"), "80");
  // The keyboard moves the slider too: each step is a change.
  await page.focus("#quantity");
  await page.keyboard.press("ArrowRight");
  await text(page, "#quantity-label", "81");
  assert.equal(await page.textContent("#total"), "$60.75");
  await screenshot(page, "prints.png");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("/sort: the form patches four query params; next, previous and back follow", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/sort");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  const names = () => page.$$eval("#mountains tbody tr td:first-child", (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(await names(), ["Aconcagua", "Annapurna", "Cho Oyu", "Denali", "Dhaulagiri"]);

  await page.selectOption("#sort_by", "height_m");
  await page.waitForFunction(() => document.querySelector("#showing").textContent.includes("sorted by height_m (asc)"));
  await page.selectOption("#sort_order", "desc");
  await page.waitForFunction(() => document.querySelector("#showing").textContent.includes("(desc)"));
  assert.equal(new URL(page.url()).search, "?page=1&per_page=5&sort_by=height_m&sort_order=desc");
  assert.deepEqual(await names(), ["Everest", "K2", "Kangchenjunga", "Lhotse", "Makalu"]);

  await page.click("#next");
  await page.waitForFunction(() => document.querySelector("#showing").textContent.startsWith("Page 2 of 5"));
  assert.equal(new URL(page.url()).search, "?page=2&per_page=5&sort_by=height_m&sort_order=desc");
  assert.equal((await names())[0], "Cho Oyu");
  await page.selectOption("#per_page", "10");
  await page.waitForFunction(() => document.querySelector("#showing").textContent.startsWith("Page 1 of 3, 10 per page"));
  assert.equal((await names()).length, 10);
  await screenshot(page, "sort.png");

  await page.goBack();
  await page.waitForFunction(() => document.querySelector("#showing").textContent.startsWith("Page 2 of 5"));
  assert.equal(await page.inputValue("#per_page"), "5");
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("/xkcd: comics fetched off the loop, prev/next/random are live patches", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/xkcd?num=3");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  await text(page, "#comic-title", "#3: Island");
  await page.waitForFunction(() => document.querySelector("#comic-img").complete && document.querySelector("#comic-img").naturalWidth === 420);

  await page.click("#next");
  await text(page, "#comic-title", "#4: Landscape");
  assert.equal(new URL(page.url()).search, "?num=4");
  await page.click("#prev");
  // Each link's href is the page it was rendered on plus or minus one: wait
  // for the patch before clicking again, or the second click follows the
  // old link.
  await text(page, "#comic-title", "#3: Island");
  await page.click("#prev");
  await text(page, "#comic-title", "#2: Petit Trees");
  await page.click("#prev");
  await text(page, "#comic-title", "#1: Barrel");
  await page.click("#prev");
  await text(page, "#comic-title", "#12: Compiling"); // wraps around
  const randomHref = await page.getAttribute("#random", "href");
  assert.notEqual(randomHref, "/xkcd?num=12");
  await page.click("#random");
  await page.waitForFunction((h) => location.pathname + location.search === h, randomHref);
  const num = new URL(randomHref, t.server.url).searchParams.get("num");
  await page.waitForFunction((n) => document.querySelector("#comic-title")?.textContent.startsWith(`#${n}:`), num);
  await page.waitForFunction(() => document.querySelector("#comic-img").complete && document.querySelector("#comic-img").naturalWidth === 420);
  await screenshot(page, "xkcd.png");
  await page.goBack();
  await text(page, "#comic-title", "#12: Compiling");
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
