// The dashboard in Chromium: a server timer updates the figures every
// second; a hook asks for the history (pushEvent with a reply) and draws
// each figure the server pushes (handleEvent) into a canvas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

test("timer ticks update the numbers and pushed events draw the chart", async () => {
  const page = await newPage(t.browser);
  const frames = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(JSON.parse(String(f.payload)))));
  await page.goto(t.server.url + "/dashboard");
  await connected(page);
  // The hook's pushEvent("history") got its reply: the chart has the first point.
  await page.waitForFunction(() => Number(document.querySelector("#sales-chart").dataset.points) >= 1);
  await page.waitForFunction(() => Number(document.querySelector("#ticks").textContent) >= 3, null, { timeout: 15000 });
  // One point per pushed figure, plus the history.
  await page.waitForFunction(() => Number(document.querySelector("#sales-chart").dataset.points) >= 4);
  const sales = await page.textContent("#sales");
  assert.match(sales, /^\$\d,\d{3}$/);

  const reply = frames.find((m) => m[3] === "phx_reply" && m[4].response?.diff?.r);
  assert.ok(Array.isArray(reply[4].response.diff.r.points), "the history came as a hook reply (r)");
  const pushes = frames.filter((m) => m[3] === "diff" && m[4].e);
  assert.ok(pushes.length >= 3);
  for (const p of pushes) {
    assert.equal(p[4].e[0][0], "sales");
    assert.equal(typeof p[4].e[0][1].value, "number");
  }
  // The canvas is not blank.
  const inked = await page.evaluate(() => {
    const c = document.querySelector("#sales-chart");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(inked > 100, `the sparkline is drawn (${inked} pixels)`);
  await screenshot(page, "dashboard.png");

  // Leaving stops the timer with the view; the server keeps serving.
  await page.goto(t.server.url + "/");
  await connected(page);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
