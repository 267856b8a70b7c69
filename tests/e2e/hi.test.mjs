// /hi/:name in Chromium: the path parameter, decoded and escaped, in the
// dead render and after the join; patch links move between names on the
// same view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

test("the name comes from the path, decoded and escaped", async () => {
  const page = await newPage(t.browser, { javaScriptEnabled: false });
  await page.goto(t.server.url + "/hi/alice");
  assert.equal(await page.textContent("#greeting"), "Hello, alice!");
  await page.goto(t.server.url + "/hi/caf%C3%A9");
  assert.equal(await page.textContent("#greeting"), "Hello, café!");
  await page.goto(t.server.url + "/hi/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E");
  assert.equal(await page.textContent("#greeting"), "Hello, <img src=x onerror=alert(1)>!");
  assert.equal(await page.locator("img").count(), 0);
  const res = await fetch(t.server.url + "/hi/");
  assert.equal(res.status, 404, "the segment is required");
  await page.context().close();
});

test("patch links change the name without leaving the view", async () => {
  const page = await newPage(t.browser);
  page.on("dialog", (d) => { page.errors.push("dialog: " + d.message()); d.dismiss(); });
  await page.goto(t.server.url + "/hi/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E");
  await connected(page);
  assert.equal(await page.textContent("#greeting"), "Hello, <img src=x onerror=alert(1)>!", "the join escapes too");
  assert.equal(await page.textContent("#patches"), "1");
  await page.evaluate(() => { window.samePage = true; });
  await page.click("#to-bob");
  await page.waitForFunction(() => document.querySelector("#greeting").textContent === "Hello, bob!");
  assert.equal(new URL(page.url()).pathname, "/hi/bob");
  assert.equal(await page.textContent("#patches"), "2", "handle_params ran again on the same view");
  await page.click("#to-cafe");
  await page.waitForFunction(() => document.querySelector("#greeting").textContent === "Hello, café!");
  await screenshot(page, "hi.png");
  await page.goBack();
  await page.waitForFunction(() => document.querySelector("#greeting").textContent === "Hello, bob!");
  assert.equal(await page.evaluate(() => window.samePage), true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
