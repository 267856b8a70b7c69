// The /autocomplete example in Chromium: a debounced phx-change fills the
// datalist and the visible list, and a burst of keystrokes reaches the
// server as fewer events than keys.
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
  await page.goto(server.url + "/autocomplete");
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.textContent("#events"), "0");

  // Four keys 40 ms apart: well inside one 300 ms debounce window.
  await page.type("#search_q", "java", { delay: 40 });
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 2);
  assert.deepEqual(await suggestions(page), ["Java", "JavaScript"]);
  assert.deepEqual(await options(page), ["Java", "JavaScript"]);
  await page.waitForTimeout(400); // nothing else is pending
  const afterJava = Number(await page.textContent("#events"));
  assert.ok(afterJava >= 1 && afterJava < 4, `4 keystrokes, ${afterJava} events`);

  await page.type("#search_q", "script", { delay: 40 });
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 1);
  assert.deepEqual(await suggestions(page), ["JavaScript"]);
  await page.waitForTimeout(400);
  const total = Number(await page.textContent("#events"));
  assert.ok(total > afterJava && total < 10, `10 keystrokes, ${total} events`);

  // A new prefix, case-insensitive.
  await page.fill("#search_q", "");
  await page.type("#search_q", "p", { delay: 40 });
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
  await page.waitForFunction(() => document.querySelectorAll("#suggestions li").length === 0);

  assert.deepEqual(errors, []);
  assert.doesNotMatch(server.output(), /form event refused|carries no _csrf_token|helper .* failed|is not set/);
  await context.close();
});
