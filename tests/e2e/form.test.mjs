// The /form example in Chromium: validation on change shows an error, a
// valid save appends the name; the form carries the CSRF token throughout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

test("validate shows the error; save appends the name", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/form");
  await connected(page);
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

  await screenshot(page, "form.png");
  assert.doesNotMatch(await t.server.settledLog(), /form event refused|carries no _csrf_token/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("after a reconnect the client recovers the form: the server gets it back as a change", async () => {
  const page = await newPage(t.browser);
  const sent = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.goto(t.server.url + "/form");
  await connected(page);
  await page.fill('input[name="name"]', "ab");
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent.includes("at least 3"));

  const before = sent.length;
  await page.evaluate(() => { window.liveSocket.disconnect(); window.liveSocket.connect(); });
  await page.waitForFunction(() => document.querySelector("[data-phx-main].phx-connected"));
  // The rejoin mounts the view afresh (name ""), then the client replays the
  // form as its phx-change event, and the view's state comes back.
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent.includes("at least 3"));
  assert.equal(await page.inputValue('input[name="name"]'), "ab");
  const replayed = sent.slice(before).map((f) => JSON.parse(f)).filter((m) => m[3] === "event" && m[4].type === "form");
  assert.equal(replayed.length, 1, "one recovery event");
  assert.equal(replayed[0][4].event, "validate");
  assert.match(replayed[0][4].value, /_csrf_token=[^&]+&name=ab/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
