// The /sensors example in Chromium: readings made by a thread of the
// program (not the server's loop) reach the page live through lv_broadcast;
// the threshold form is checked by a changeset; stop freezes the readings
// and start resumes them. No sleeps: every wait is for something the page
// must show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const seq = (page) => page.evaluate(() => Number(document.querySelector("#seq").textContent));
const seqAbove = (page, n) =>
  page.waitForFunction((n) => Number(document.querySelector("#seq").textContent) > n, n);
const feedback = (page) =>
  page.evaluate(() => document.querySelector('[phx-feedback-for="threshold[limit]"]')?.textContent ?? null);

test("a producer thread's readings arrive live; threshold, stop and start", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/sensors");
  await connected(page);

  // Readings arrive, and their values change on the page.
  await seqAbove(page, 0);
  const first = await seq(page);
  const firstTemperature = await page.textContent("#temperature");
  await seqAbove(page, first + 3);
  await page.waitForFunction((t0) => document.querySelector("#temperature").textContent !== t0, firstTemperature);
  assert.match(await page.textContent("#temperature"), /^\d+\.\d °C$/);
  assert.match(await page.textContent("#pressure"), /^\d{3,4}\.\d hPa$/);
  const points = (await page.getAttribute("#chart-line", "points")).trim().split(" ");
  assert.ok(points.length >= 4, `the chart draws the readings (${points.length} points)`);
  for (const p of points) assert.match(p, /^\d+(\.\d)?,\d+(\.\d)?$/);

  // The threshold: a value out of range shows the changeset's error and
  // changes nothing; a good one is taken.
  assert.equal(await feedback(page), null, "an untouched form shows no error");
  await page.fill("#threshold_limit", "99");
  await page.waitForFunction(() =>
    document.querySelector('[phx-feedback-for="threshold[limit]"]')?.textContent === "must be less than or equal to 40");
  await page.click("#set-threshold");
  await page.waitForFunction(() => document.querySelector("#threshold-form")?.classList.contains("phx-submit-loading") === false);
  assert.equal(await page.textContent("#threshold"), "27.0", "a refused value changes nothing");
  await page.fill("#threshold_limit", "");
  await page.waitForFunction(() =>
    document.querySelector('[phx-feedback-for="threshold[limit]"]')?.textContent === "can't be blank");
  await page.fill("#threshold_limit", "12.5");
  await page.waitForFunction(() => !document.querySelector('[phx-feedback-for="threshold[limit]"]'));
  await page.click("#set-threshold");
  await page.waitForFunction(() => document.querySelector("#threshold").textContent === "12.5");
  // Every reading of the simulated room is above 12.5 °C: all are marked.
  await seqAbove(page, await seq(page));
  const marked = await page.evaluate(() => ({
    above: Number(document.querySelector("#above").textContent),
    circles: document.querySelectorAll("#chart .hot-point").length,
    drawn: document.querySelector("#chart-line").getAttribute("points").trim().split(" ").length,
  }));
  assert.ok(marked.above > 0 && marked.above === marked.circles && marked.circles === marked.drawn, JSON.stringify(marked));
  assert.ok(await page.$("#temperature-stat.hot"), "the latest reading is highlighted");
  await screenshot(page, "sensors.png");

  // Stop: the producer announces the last reading it sent, after that
  // reading, so the page shows exactly it next to "Stopped at".
  await page.click("#stop");
  await page.waitForFunction(() => /^Stopped at reading \d+$/.test(document.querySelector("#status").textContent));
  const stoppedAt = Number((await page.textContent("#status")).match(/\d+$/)[0]);
  assert.equal(await seq(page), stoppedAt);
  assert.ok(await page.isDisabled("#stop"));
  // A round trip through the server after the stop (a barrier): had a
  // reading been on its way, it would have arrived before the reply.
  await page.fill("#threshold_limit", "30");
  await page.click("#set-threshold");
  await page.waitForFunction(() => document.querySelector("#threshold").textContent === "30.0");
  assert.equal(await seq(page), stoppedAt, "no reading after the stop");
  await screenshot(page, "sensors-stopped.png");

  // Start: readings resume from where they stopped.
  await page.click("#start");
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Running"));
  await seqAbove(page, stoppedAt);
  assert.equal(await seq(page) > stoppedAt, true);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
