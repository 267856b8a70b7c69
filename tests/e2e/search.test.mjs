// Search in Chromium: a submit shows the loading state at once (the reply),
// then the async lookup's result arrives as a diff push and fills the list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot, watchFor } from "../lib/browser.mjs";

const t = useServerAndBrowser();

async function search(page, query) {
  await page.fill("#query", query);
  await page.press("#query", "Enter");
  // The summary of this search (the previous one's goes with the reply).
  await page.waitForFunction((q) => document.querySelector("#summary")?.textContent.includes(`“${q}”`), query);
  await page.waitForSelector("#loading", { state: "detached" });
}

test("loading state first, then the results of the async lookup", async () => {
  const page = await newPage(t.browser);
  const frames = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(JSON.parse(String(f.payload)))));
  await page.goto(t.server.url + "/search");
  await connected(page);
  assert.equal(await page.locator("#stores li").count(), 0);

  await page.fill("#query", "59701");
  await page.press("#query", "Enter");
  await page.waitForSelector("#summary");
  assert.equal(await page.locator("#loading").count(), 0);
  assert.equal((await page.textContent("#summary")).trim(), "3 stores for “59701”");
  const names = await page.$$eval("#stores li strong", (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ["Downtown Butte", "East Butte", "Westside Butte"]);
  await screenshot(page, "search.png");

  // The submit's reply showed "Searching…"; the results came later as a push.
  const replyAt = frames.findIndex((m) => m[3] === "phx_reply" && JSON.stringify(m[4]).includes("Searching stores"));
  const pushAt = frames.findIndex((m) => m[3] === "diff" && JSON.stringify(m[4]).includes("Downtown Butte"));
  assert.ok(replyAt >= 0, "the reply carries the loading state");
  assert.ok(pushAt > replyAt, "the results are pushed after the reply");

  await search(page, "missoula");
  assert.equal(await page.locator("#stores li").count(), 2);
  await search(page, "zzz");
  assert.equal(await page.locator("#stores li").count(), 0);
  assert.equal((await page.textContent("#summary")).trim(), "0 stores for “zzz”");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a search started during another one wins", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/search");
  await connected(page);
  await page.fill("#query", "Helena");
  // The loading state lasts as long as the lookup (400 ms): watched from
  // before the submit, not polled after it.
  const loading = await watchFor(page, "#loading");
  await page.press("#query", "Enter");
  await loading();
  // The input is readonly while loading; a second submit still goes out.
  await page.evaluate(() => {
    const q = document.querySelector("#query");
    q.removeAttribute("readonly");
    q.value = "Bozeman";
    q.form.requestSubmit();
  });
  await page.waitForFunction(() => document.querySelector("#summary")?.textContent.includes("Bozeman"));
  await page.waitForSelector("#loading", { state: "detached" });
  const names = await page.$$eval("#stores li strong", (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ["Bozeman Main"]);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
