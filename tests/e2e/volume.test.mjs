// Volume in Chromium: the arrow keys (phx-window-keydown with phx-key) move
// the volume, the tab title follows, the edges show a flash that a click
// dismisses (lv:clear-flash).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const volumeIs = (page, n) =>
  page.waitForFunction((v) => document.querySelector("#volume").textContent === v, String(n));

test("arrow keys change the volume, the title and the lit bars", async () => {
  const page = await newPage(t.browser);
  const sent = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.goto(t.server.url + "/volume");
  assert.equal(await page.title(), "Volume: 5 · liveview-c", "the dead render has the title too");
  await connected(page);
  assert.equal(await page.textContent("#volume"), "5");
  assert.equal(await page.locator(".bar.on").count(), 5);

  await page.keyboard.press("ArrowUp");
  await volumeIs(page, 6);
  await page.waitForFunction(() => document.title === "Volume: 6 · liveview-c");
  assert.equal(await page.locator(".bar.on").count(), 6);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await volumeIs(page, 4);
  await page.waitForFunction(() => document.title === "Volume: 4 · liveview-c");

  // Keys other than the arrows never reach the server (phx-key).
  const before = sent.filter((f) => f.includes('"keydown"')).length;
  await page.keyboard.press("a");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowUp");
  await volumeIs(page, 5);
  const keys = sent.filter((f) => f.includes('"keydown"')).slice(before).map((f) => JSON.parse(f)[4].value.key);
  assert.deepEqual(keys, ["ArrowUp"]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the edges show a flash, which a click dismisses", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/volume");
  await connected(page);
  assert.equal(await page.locator("#flash-info, #flash-error").count(), 0);
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowUp"); // one past the top
  await volumeIs(page, 10);
  await page.waitForSelector("#flash-info");
  assert.match(await page.textContent("#flash-info"), /Maximum volume/);
  await page.waitForFunction(() => document.title === "Volume: 10 · liveview-c");
  await screenshot(page, "volume-max.png");
  await page.click("#flash-info");
  await page.waitForSelector("#flash-info", { state: "detached" });
  assert.equal(await page.textContent("#volume"), "10", "clearing the flash leaves the volume");

  for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowDown");
  await volumeIs(page, 0);
  await page.waitForSelector("#flash-error");
  assert.match(await page.textContent("#flash-error"), /Muted/);
  await page.waitForFunction(() => document.title === "Volume: 0 · liveview-c");
  await screenshot(page, "volume-muted.png");
  // Moving off the edge clears it.
  await page.click('[aria-label="volume up"]');
  await volumeIs(page, 1);
  await page.waitForSelector("#flash-error", { state: "detached" });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
