// The /autocomplete example in Chromium: a debounced phx-change fills the
// datalist and the visible list, and a burst of keystrokes reaches the
// server as one event. The page's clock is Playwright's: time passes only
// when the test says, so "a burst" does not depend on how fast the machine
// types.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";

const artifacts = process.env.LV_ARTIFACTS || path.join(sourceDir, "tests/artifacts");
let server, browser;

before(async () => {
  server = await startServer();
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0, "server exits cleanly:\n" + server?.output());
});

const suggestions = (page) => page.$$eval("#suggestions li", (lis) => lis.map((li) => li.textContent));
const options = (page) => page.$$eval("#matches option", (os) => os.map((o) => o.value));

test("typing suggests languages, debounced", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.clock.install();
  await page.goto(server.url + "/autocomplete");
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.textContent("#events"), "0");
  // From here on the page's timers, the 300 ms debounce among them, fire
  // only in runFor.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));

  // Four keys at one instant; the debounce then sends one change.
  await page.type("#search_q", "java");
  await page.clock.runFor(300);
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 2);
  assert.deepEqual(await suggestions(page), ["Java", "JavaScript"]);
  assert.deepEqual(await options(page), ["Java", "JavaScript"]);
  // The reply that showed them counted every event sent before it, and
  // every pending debounce timer has fired in runFor.
  assert.equal(await page.textContent("#events"), "1", "4 keystrokes, one event");

  await page.type("#search_q", "script");
  await page.clock.runFor(300);
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 1);
  assert.deepEqual(await suggestions(page), ["JavaScript"]);
  assert.equal(await page.textContent("#events"), "2", "6 more keystrokes, one more event");

  // A new prefix, case-insensitive.
  await page.fill("#search_q", "");
  await page.type("#search_q", "p");
  await page.clock.runFor(300);
  await page.waitForFunction(() => document.querySelector("#suggestions").textContent.includes("Python"));
  assert.deepEqual(await suggestions(page), ["Pascal", "Perl", "PHP", "Prolog", "PureScript", "Python"]);
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "autocomplete.png"), fullPage: true });

  // Submitting picks the value.
  await page.fill("#search_q", "Rust");
  await page.press("#search_q", "Enter");
  await page.waitForFunction(() => document.querySelector("#picked")?.textContent === "You picked Rust.");

  // Clearing the box clears the suggestions.
  await page.fill("#search_q", "");
  await page.clock.runFor(300);
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 0);

  assert.deepEqual(errors, []);
  assert.doesNotMatch(await server.settledLog(), /form event refused|carries no _csrf_token|helper .* failed|is not set/);
  await context.close();
});
