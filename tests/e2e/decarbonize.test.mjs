// The /decarbonize example in Chromium: the calculator is a stateful
// component whose events (phx-target={{myself}}) carry its cid and are
// answered with its own diff in "c"; it tells the page the footprint with
// lv_send_parent, so the page's total and bars change in a separate "diff"
// push, never in the event's reply. The two "goal" components get the new
// total through update, and keep their own state across updates.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useServerAndBrowser, newPage, connected, screenshot, artifacts } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const COMPONENT_EVENTS = ["vehicle", "calculate", "reset", "explain"];

// Every Phoenix message over the page's WebSocket, parsed, in order.
function recordFrames(page) {
  const frames = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => frames.push({ dir: "sent", msg: JSON.parse(f.payload) }));
    ws.on("framereceived", (f) => frames.push({ dir: "received", msg: JSON.parse(f.payload) }));
  });
  return frames;
}

const textIs = (page, selector, text) =>
  page.waitForFunction(([s, v]) => document.querySelector(s)?.textContent === v, [selector, text]);

const text = (page, selector) => page.textContent(selector);

// Waits until a bar's fill is `fraction` of its track (the CSS transition
// takes 300 ms).
const barIs = (page, key, fraction) =>
  page.waitForFunction(([k, f]) => {
    const bar = document.querySelector(`#bar-${k}`);
    const w = (s) => bar.querySelector(s).getBoundingClientRect().width;
    return Math.abs(w(".fill") / w(".track") - f) < 0.005;
  }, [key, fraction]);

test("the calculator component updates itself, then the page through its parent", async () => {
  const page = await newPage(t.browser);
  const frames = recordFrames(page);
  await page.goto(t.server.url + "/decarbonize");
  // The dead render has the components inline already.
  assert.equal(await text(page, "#calc-total"), "7.8");
  assert.equal(await page.locator("#goal-world").count(), 1);
  await connected(page);

  // Defaults: 150 miles a week in a gas car, some meat, a gas boiler.
  assert.equal(await text(page, "#total"), "7.8");
  assert.equal(await text(page, "#bar-car .tons"), "3.1 t");
  assert.equal(await text(page, "#messages"), "0");
  assert.equal(await text(page, "#goal-world .updates"), "1 time");
  assert.equal(await text(page, "#goal-paris .updates"), "1 time");
  // The client found each component by its root element.
  assert.deepEqual(await page.$$eval("[data-phx-component]", (els) => els.map((e) => e.id)),
    ["calculator", "goal-world", "goal-paris"]);

  // A click on a vehicle: the component redraws, then the page hears of it.
  await page.click("#vehicle-electric");
  await textIs(page, "#calc-total", "5.5");
  assert.equal(await page.getAttribute("#vehicle-electric", "class"), "choice picked");
  await textIs(page, "#total", "5.5");
  assert.equal(await text(page, "#bar-car .tons"), "0.8 t");
  assert.equal(await text(page, "#messages"), "1");
  await barIs(page, "car", 0.78 / 16);
  await barIs(page, "total", 5.48 / 16);

  // The form inside the component: miles, then diet.
  await page.fill("#calc_miles", "300");
  await textIs(page, "#total", "6.3");
  await page.selectOption("#calc_diet", "vegan");
  await textIs(page, "#total", "5.3");
  assert.equal(await text(page, "#calc-total"), "5.3");
  assert.equal(await text(page, "#bar-food .tons"), "1.5 t");
  assert.equal(await text(page, "#messages"), "3");

  // Both goals got the new total through update.
  await textIs(page, "#goal-world .updates", "4 times");
  await textIs(page, "#goal-paris .updates", "4 times");
  assert.equal(await text(page, "#goal-world .verdict"), "You are 0.6 t above it.");
  assert.equal(await text(page, "#goal-paris .verdict"), "You are 3.0 t above it.");

  // A goal's own event: its note opens, the other goal's stays closed, and
  // the opened note survives the next update.
  await page.click("#goal-world .why");
  await page.waitForSelector("#goal-world .note");
  assert.equal(await page.locator("#goal-paris .note").count(), 0);
  await page.selectOption("#calc_home", "heat_pump");
  await textIs(page, "#total", "3.7");
  await textIs(page, "#goal-world .verdict", "You are 1.0 t below it.");
  assert.equal(await page.locator("#goal-world .note").count(), 1, "update keeps the component's state");
  assert.equal(await text(page, "#goal-world .updates"), "5 times");
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "decarbonize.png"), fullPage: true });

  // An invalid number shows the component's error; the page keeps its numbers.
  await page.fill("#calc_miles", "-5");
  await page.waitForSelector('#calculator [phx-feedback-for="calc[miles]"]');
  assert.equal(await text(page, '[phx-feedback-for="calc[miles]"]'), "must be greater than or equal to 0");
  assert.equal(await text(page, "#total"), "3.7");
  assert.equal(await text(page, "#messages"), "4");
  await screenshot(page, "decarbonize-error.png");

  // Reset: the defaults, in the component and the page.
  await page.click("#calc-reset");
  await textIs(page, "#total", "7.8");
  await page.waitForFunction(() => document.querySelector("#calc_miles").value === "150");
  assert.equal(await page.locator(".invalid-feedback").count(), 0);
  assert.equal(await page.getAttribute("#vehicle-gas", "class"), "choice picked");

  // On the wire: each component event carries the component's cid and is
  // answered with that component's diff under "c" alone; the page's own
  // changes come in separate "diff" pushes, from handle_info.
  const sent = frames.filter((f) => f.dir === "sent" && f.msg[3] === "event");
  const received = frames.filter((f) => f.dir === "received").map((f) => f.msg);
  const cids = Object.fromEntries(await page.$$eval("[data-phx-component]",
    (els) => els.map((e) => [e.id, Number(e.getAttribute("data-phx-component"))])));
  assert.ok(sent.length >= 7, JSON.stringify(sent));
  for (const { msg } of sent) {
    const payload = msg[4];
    assert.ok(COMPONENT_EVENTS.includes(payload.event), payload.event);
    const want = payload.event === "explain" ? cids["goal-world"] : cids.calculator;
    assert.equal(payload.cid, want, JSON.stringify(payload));
    const reply = received.find((m) => m[3] === "phx_reply" && m[1] === msg[1]);
    assert.equal(reply[4].status, "ok");
    const diff = reply[4].response.diff;
    assert.deepEqual(Object.keys(diff), ["c"], "only the component, in the reply: " + JSON.stringify(diff));
    assert.deepEqual(Object.keys(diff.c), [String(want)]);
  }
  // The page's total slot changed only in "diff" pushes (from the parent's
  // handle_info), each also carrying the goals' updates in "c".
  const pushes = received.filter((m) => m[3] === "diff");
  assert.equal(pushes.length, 5, JSON.stringify(pushes));
  assert.equal(await text(page, "#messages"), "5");
  for (const m of pushes) {
    assert.ok(Object.keys(m[4]).some((k) => k !== "c"), "the page changed");
    assert.deepEqual(Object.keys(m[4].c ?? {}).map(Number).sort(), [cids["goal-world"], cids["goal-paris"]].sort());
  }

  assert.doesNotMatch(await t.server.settledLog(), /form event refused|carries no _csrf_token|helper .* failed|is not set|component/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
