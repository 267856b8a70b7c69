// Servers in Chromium: live_patch links select a server, the URL and the
// title follow, back and forward work, and the URL opens on its server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const selected = (page, name) =>
  page.waitForFunction((n) => document.querySelector("#server-name").textContent === n, name);

test("live_patch links select a server; back and forward follow", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/servers");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  assert.equal(await page.textContent("#server-name"), "dancing-lizard");
  assert.equal(await page.title(), "dancing-lizard · Servers · liveview-c");

  await page.click("#server-list >> text=curious-cat");
  await selected(page, "curious-cat");
  assert.equal(new URL(page.url()).search, "?name=curious-cat");
  assert.equal(await page.textContent("#server-status"), "down");
  await page.waitForFunction(() => document.title === "curious-cat · Servers · liveview-c");
  assert.equal(await page.getAttribute("#server-list a.selected", "href"), "/servers?name=curious-cat");

  await page.click("#server-list >> text=lively-frog");
  await selected(page, "lively-frog");
  await screenshot(page, "servers.png");

  await page.goBack();
  await selected(page, "curious-cat");
  await page.goBack();
  await selected(page, "dancing-lizard");
  await page.goForward();
  await selected(page, "curious-cat");
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load happened");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a server's URL opens on that server; an unknown name shows the first", async () => {
  const page = await newPage(t.browser, { javaScriptEnabled: false });
  await page.goto(t.server.url + "/servers?name=quiet-owl");
  assert.equal(await page.textContent("#server-name"), "quiet-owl");
  assert.equal(await page.title(), "quiet-owl · Servers · liveview-c");
  await page.goto(t.server.url + "/servers?name=%3Cscript%3E");
  assert.equal(await page.textContent("#server-name"), "dancing-lizard");
  await page.context().close();
});
