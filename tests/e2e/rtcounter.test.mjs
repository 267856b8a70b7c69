// The realtime counter in two browser contexts (two visitors): a click in
// one moves the count in both, over pub/sub; a fresh page shows the shared
// count; a closed page's subscription ends without troubling the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const countIs = (page, n) =>
  page.waitForFunction((v) => document.querySelector("#count").textContent === v, String(n));

test("two windows see the count move together", async () => {
  const a = await newPage(t.browser);
  const b = await newPage(t.browser);
  for (const p of [a, b]) {
    await p.goto(t.server.url + "/rtcounter");
    await connected(p);
    assert.equal(await p.textContent("#count"), "0");
  }
  await a.click('[phx-click="inc"]');
  await countIs(a, 1);
  await countIs(b, 1);
  await b.click('[phx-click="inc"]');
  // The client ignores a click on a button whose last click is still
  // awaiting its reply.
  await countIs(b, 2);
  await b.click('[phx-click="inc"]');
  await countIs(a, 3);
  await countIs(b, 3);
  await a.click('[phx-click="dec"]');
  await countIs(b, 2);
  await countIs(a, 2);
  await screenshot(a, "rtcounter-a.png");
  await screenshot(b, "rtcounter-b.png");

  // The count is the server's: a new visitor starts from it, dead render included.
  const c = await newPage(t.browser);
  await c.goto(t.server.url + "/rtcounter");
  assert.equal(await c.textContent("#count"), "2");
  await connected(c);

  // A closed window drops out; the others carry on.
  await a.context().close();
  await c.click('[phx-click="inc"]');
  await countIs(b, 3);
  await countIs(c, 3);
  assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  await b.context().close();
  await c.context().close();
});
