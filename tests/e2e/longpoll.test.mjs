// The long-poll fallback in Chromium: with every WebSocket to /live/websocket
// refused, the official client falls back to /live/longpoll
// (longPollFallbackMs in app.js) and the examples still work: the counter
// counts, a form validates and saves, and live navigation patches and
// navigates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

// A page whose WebSockets never open, recording its long-poll requests.
async function pageWithoutWebSockets() {
  const page = await newPage(t.browser);
  await page.routeWebSocket(/\/live\/websocket/, (ws) => ws.close({ code: 1011, reason: "blocked" }));
  page.polls = [];
  page.on("request", (r) => {
    if (r.url().includes("/live/longpoll")) page.polls.push(r.method());
  });
  // The client reports its transport falling back in the console only with
  // a logger; sessionStorage keeps the memorized fallback.
  return page;
}

function assertUsedLongPoll(page) {
  assert.ok(page.polls.includes("GET"), "the client polled /live/longpoll");
  assert.ok(page.polls.includes("POST"), "the client posted its messages to /live/longpoll");
}

test("the counter counts over long-poll", async () => {
  const page = await pageWithoutWebSockets();
  await page.goto(t.server.url + "/counter");
  await connected(page);
  const inc = page.locator('[phx-click="inc"]');
  for (let i = 1; i <= 3; i++) {
    await inc.click();
    await page.waitForFunction((n) => document.querySelector("#count").textContent === String(n), i);
  }
  await page.locator('[phx-click="dec"]').click();
  await page.waitForFunction(() => document.querySelector("#count").textContent === "2");
  assertUsedLongPoll(page);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("phx:fallback:LongPoll")), "true",
    "the client remembers the fallback it established");
  await screenshot(page, "longpoll-counter.png");
  assert.deepEqual(page.errors.filter((e) => !/WebSocket/.test(e)), []);
  await page.context().close();
});

test("a form validates and saves over long-poll", async () => {
  const page = await pageWithoutWebSockets();
  await page.goto(t.server.url + "/form");
  await connected(page);
  await page.fill('input[name="name"]', "ab");
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent.includes("at least 3"));
  await page.fill('input[name="name"]', "Alice");
  await page.waitForFunction(() => document.querySelector(".invalid-feedback").textContent === "");
  await page.click('#name-form button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll("#names li")].map((li) => li.textContent).join(",") === "Alice");
  assertUsedLongPoll(page);
  assert.doesNotMatch(await t.server.settledLog(), /form event refused|carries no _csrf_token/);
  await page.context().close();
});

test("live_patch and push_navigate work over long-poll", async () => {
  const page = await pageWithoutWebSockets();
  const at = (p) => page.waitForFunction((x) => location.pathname + location.search === x, p);
  await page.goto(t.server.url + "/livenav");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });

  await page.click("#next-tab"); // push_patch
  await at("/livenav?tab=2");
  await page.waitForFunction(() => document.querySelector("#tab")?.textContent === "2");

  await page.click("#navigate"); // push_navigate, with a flash
  await at("/livenav/b?from=navigate");
  await page.waitForSelector("#flash-info");
  assert.equal(await page.textContent("#flash-info"), "Welcome to B: you came with push_navigate.");

  await page.click("#link-a"); // a live_redirect link back
  await at("/livenav");
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load: the same document");
  assertUsedLongPoll(page);
  await page.context().close();
});
