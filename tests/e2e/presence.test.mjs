// /presence in two browser contexts (two visitors): each sees the other
// arrive, a name typed in one shows in both, and a closed tab leaves the
// other's list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

// The names listed, in order, once they are exactly `names`.
const namesAre = (page, names) =>
  page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll("#visitors .name")].map((e) => e.textContent)) === want,
    JSON.stringify(names),
  );

const rename = async (page, name) => {
  await page.fill("#name", name);
  await page.click("#rename");
};

test("two tabs see each other, their names and the leave", async () => {
  const a = await newPage(t.browser);
  const b = await newPage(t.browser);
  await a.goto(t.server.url + "/presence");
  await connected(a);
  await namesAre(a, ["guest-1"]);
  await b.goto(t.server.url + "/presence");
  await connected(b);
  await namesAre(b, ["guest-1", "guest-2"]);
  await namesAre(a, ["guest-1", "guest-2"]);

  await rename(a, "Ada");
  await rename(b, "Grace");
  await namesAre(a, ["Ada", "Grace"]);
  await namesAre(b, ["Ada", "Grace"]);
  await a.waitForSelector("#events li:text('guest-2 is now Grace')");
  assert.equal(await a.textContent("#visitors .me .name"), "Ada");
  assert.equal(await b.textContent("#visitors .me .name"), "Grace");
  assert.equal(await a.textContent("#count"), "2 visitors here");
  await screenshot(a, "presence-a.png");
  await screenshot(b, "presence-b.png");

  await b.context().close();
  await namesAre(a, ["Ada"]);
  await a.waitForSelector("#events li:text('Grace left')");
  assert.equal(await a.textContent("#count"), "1 visitor here");
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.context().close();
});
