// The /feed example in Chromium: a stream. New posts appear on top, the page
// keeps the latest 50, a post's delete button removes it, "Clear" resets the
// stream, and the auto-post timer adds posts by itself. The protocol side
// (each diff carries only new posts; the server's memory stays flat) is in
// tests/protocol/stream.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const ids = (page) => page.$$eval("#posts > li", (lis) => lis.map((li) => li.id));
const waitIds = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: 15000 });

test("posts on top, the limit holds, delete removes one, clear empties the feed", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/feed");
  // The dead render already shows the mount's posts, newest first.
  assert.deepEqual(await ids(page), ["posts-3", "posts-2", "posts-1"]);
  await connected(page);
  assert.deepEqual(await ids(page), ["posts-3", "posts-2", "posts-1"], "the join keeps the same page");

  await page.click("#post");
  await waitIds(page, () => document.querySelector("#posts > li")?.id === "posts-4");
  assert.deepEqual(await ids(page), ["posts-4", "posts-3", "posts-2", "posts-1"]);
  assert.equal(await page.textContent("#posted"), "4");

  // 50 more: the page keeps the latest 50.
  // The client ignores a click on a button whose last click is still
  // awaiting its reply: each burst is seen through before the next.
  for (let i = 1; i <= 5; i++) {
    await page.click("#burst");
    await waitIds(page, (top) => document.querySelector("#posts > li")?.id === top, `posts-${4 + 10 * i}`);
  }
  let shown = await ids(page);
  assert.equal(shown.length, 50);
  assert.equal(shown[0], "posts-54");
  assert.equal(shown[49], "posts-5");
  assert.equal(new Set(shown).size, 50, "no duplicate ids");
  await screenshot(page, "feed.png");

  // Delete one in the middle and the top one.
  await page.click('#posts-30 button.delete');
  await waitIds(page, () => !document.getElementById("posts-30"));
  await page.click('#posts-54 button.delete');
  await waitIds(page, () => document.querySelector("#posts > li")?.id === "posts-53");
  shown = await ids(page);
  assert.equal(shown.length, 48);
  assert.ok(!shown.includes("posts-30") && !shown.includes("posts-54"));

  // A new post after deletes: on top, and the page grows back to 49.
  await page.click("#post");
  await waitIds(page, () => document.querySelector("#posts > li")?.id === "posts-55");
  assert.equal((await ids(page)).length, 49);

  await page.click("#clear");
  await waitIds(page, () => document.querySelectorAll("#posts > li").length === 0);
  await page.click("#post");
  await waitIds(page, () => document.querySelector("#posts > li")?.id === "posts-56");
  assert.deepEqual(await ids(page), ["posts-56"]);

  // The item's text is escaped: the phrase with <b> shows as text.
  await page.click("#burst");
  await waitIds(page, () => document.querySelectorAll("#posts > li").length === 11);
  assert.equal(await page.locator("#posts b").count(), 0);
  assert.match(await page.textContent("#posts"), /wants <b>bold<\/b> text/);

  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("auto-posting adds a post every second until stopped", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/feed");
  await connected(page);
  await page.click("#auto");
  await page.waitForFunction(() => document.querySelector("#auto").textContent.includes("Stop"));
  await waitIds(page, () => document.querySelector("#posts > li")?.id === "posts-5");
  await page.click("#auto");
  await page.waitForFunction(() => document.querySelector("#auto").textContent.includes("Auto-post"));
  const posted = Number(await page.textContent("#posted"));
  const count = (await ids(page)).length;

  // The barrier: another page starts auto-posting now. Its first tick is due
  // a second from now, after any tick still due on our timer, and the server
  // runs its timers in that order. So once that page shows its first auto
  // post, a tick of ours would have been sent; our own next post, answered
  // after it on our socket, then shows whether one was.
  const other = await newPage(t.browser);
  await other.goto(t.server.url + "/feed");
  await connected(other);
  await other.click("#auto");
  await waitIds(other, () => document.querySelector("#posts > li")?.id === "posts-4");
  await other.context().close();
  await page.click("#post");
  await waitIds(page, (n) => document.querySelector("#posts > li")?.id === "posts-" + n, posted + 1);
  assert.equal(await page.textContent("#posted"), String(posted + 1), "stopped: no tick after the stop");
  assert.equal((await ids(page)).length, count + 1);
  assert.deepEqual(page.errors, []);
  assert.deepEqual(other.errors, []);
  await page.context().close();
});
