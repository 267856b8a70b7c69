// The /form example in Chromium: validation on change shows an error, a
// valid save appends the name; the form carries the CSRF token throughout.
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

test("validate shows the error; save appends the name", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/form");
  await page.waitForSelector("[data-phx-main].phx-connected");
  const token = await page.getAttribute('#name-form input[name="_csrf_token"]', "value");
  assert.equal(token.length, 56);

  await page.fill('input[name="name"]', "ab");
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent.includes("at least 3"));

  await page.fill('input[name="name"]', "Alice");
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent === "");
  await page.click('#name-form button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll("#names li")].map((li) => li.textContent).join(",") === "Alice");

  await page.fill('input[name="name"]', "Bob");
  await page.press('input[name="name"]', "Enter");
  await page.waitForFunction(() => [...document.querySelectorAll("#names li")].map((li) => li.textContent).join(",") === "Alice,Bob");

  // A save that fails validation shows the error and adds nothing.
  await page.fill('input[name="name"]', "");
  await page.click('#name-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent.includes("at least 3"));
  assert.equal(await page.locator("#names li").count(), 2);

  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "form.png") });
  assert.doesNotMatch(server.output(), /form event refused|carries no _csrf_token/);
  assert.deepEqual(errors, []);
  await context.close();
});
