// The bindings a page expects, in Chromium with the official client
// (examples/bindings.c, examples/scroll.c): phx-click-away, phx-focus,
// phx-blur, phx-keyup, phx-throttle, phx-mounted, page loading,
// phx-trigger-action, and phx-viewport-top/-bottom over a stream.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const text = (page, sel, want) =>
  page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [sel, want]);

test("click-away, focus, blur, keyup, throttle, mounted and page loading", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/bindings");
  await connected(page);

  // phx-mounted ran when the view mounted: the class and the pushed event.
  await text(page, "#mounted-seen", "1");
  assert.ok(await page.evaluate(() => document.querySelector("#mounted-note").classList.contains("seen")));

  // phx-click-away: a click inside the menu keeps it, one outside closes it.
  await page.click("#menu-button");
  await page.waitForSelector("#menu");
  await page.click("#menu li:first-child");
  await page.click("h1");
  await page.waitForSelector("#menu", { state: "detached" });
  await text(page, "#click-aways", "1");

  // phx-focus, phx-keyup, phx-blur.
  await page.click("#focus-input");
  await text(page, "#focus-state", "focused");
  await page.keyboard.press("x");
  await text(page, "#last-key", "x");
  await page.keyboard.press("Shift");
  await text(page, "#last-key", "Shift");
  await page.click("h1");
  await text(page, "#focus-state", "blurred");

  // phx-throttle: three quick clicks, one event. The plain click sent after
  // them is answered after any event sent before it, so once it shows, the
  // throttled count is final.
  for (let i = 0; i < 3; i++) await page.click("#throttled-button");
  await page.click("#ping-button");
  await text(page, "#pings", "1");
  assert.equal(await page.textContent("#throttled"), "1");

  // phx-mounted on an element that arrives later: its transition runs.
  await page.evaluate(() => {
    window.__shaken = false;
    new MutationObserver(() => {
      if (document.querySelector("#mounted-box.shake")) window.__shaken = true;
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
  });
  await page.click("#toggle-box");
  await page.waitForSelector("#mounted-box");
  await page.waitForFunction(() => window.__shaken === true);

  // page_loading: start and stop around the push, of kind "element".
  await page.evaluate(() => {
    window.__loading = [];
    window.addEventListener("phx:page-loading-start", (e) => window.__loading.push("start:" + e.detail.kind));
    window.addEventListener("phx:page-loading-stop", (e) => window.__loading.push("stop:" + e.detail.kind));
  });
  await page.click("#slow-button");
  await text(page, "#slow-done", "1");
  await page.waitForFunction(() => window.__loading.includes("stop:element"));
  assert.deepEqual(await page.evaluate(() => window.__loading), ["start:element", "stop:element"]);

  await page.click("#menu-button");
  await page.waitForSelector("#menu");
  await screenshot(page, "bindings.png");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("phx-trigger-action: validated over the socket, then submitted over HTTP", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/bindings");
  await connected(page);
  await page.fill("#trigger-name", "<b>");
  await page.click("#trigger-form button[type=submit]");
  await page.waitForSelector("#name-error");
  assert.equal(new URL(page.url()).pathname, "/bindings");
  assert.equal(await page.textContent("#saved-name"), "Nothing saved yet.");

  await page.fill("#trigger-name", "Ada L.");
  const post = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/bindings/submit"));
  await page.click("#trigger-form button[type=submit]");
  const request = await post;
  assert.match(request.postData(), /(^|&)name=Ada\+L\.(&|$)/);
  assert.match(request.postData(), /_csrf_token=/);
  // The POST writes the session and redirects back: a new page load shows it.
  await text(page, "#saved-name", "The session says: Ada L..");
  await connected(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("phx-viewport-bottom and -top move a three-page window over the stream", async () => {
  const page = await newPage(t.browser, { viewport: { width: 1000, height: 700 } });
  await page.goto(t.server.url + "/scroll");
  await connected(page);
  const ids = () => page.$$eval("#scroll-posts > li", (lis) => lis.map((li) => li.id));
  assert.equal((await ids()).length, 20);

  // Scroll to the bottom until pages 2, 3 and 4 have come: the window slides.
  for (const want of ["Pages 1 to 2", "Pages 1 to 3", "Pages 2 to 4"]) {
    await page.evaluate(() => window.scrollBy(0, 200));
    await page.evaluate(() => document.querySelector("#scroll-posts > li:last-child").scrollIntoView({ block: "end" }));
    await text(page, "#window", want);
  }
  let now = await ids();
  assert.equal(now.length, 60);
  assert.equal(now[0], "posts-21");
  assert.equal(now.at(-1), "posts-80");
  await screenshot(page, "scroll.png");

  // Back up: the first post reaches the top and page 1 comes back on top.
  await page.evaluate(() => document.querySelector("#scroll-posts > li:first-child").scrollIntoView({ block: "start" }));
  await page.evaluate(() => window.scrollBy(0, -50));
  await text(page, "#window", "Pages 1 to 3");
  now = await ids();
  assert.equal(now.length, 60);
  assert.equal(now[0], "posts-1");
  assert.equal(now.at(-1), "posts-60");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
