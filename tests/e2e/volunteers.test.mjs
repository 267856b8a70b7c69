// The /volunteers example in two browser contexts (two visitors): the
// changeset shows errors on change for the fields used, a valid sign-up
// clears the form, and the other visitor's list shows the newcomer (newest
// first) without a reload, over pub/sub; checking a volunteer out in one
// window shows in the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const feedback = (page, field) =>
  page.evaluate((f) => document.querySelector(`[phx-feedback-for="volunteer[${f}]"]`)?.textContent ?? null, field);

const feedbackIs = (page, field, text) =>
  page.waitForFunction(([f, v]) =>
    (document.querySelector(`[phx-feedback-for="volunteer[${f}]"]`)?.textContent ?? null) === v, [field, text]);

const names = (page) => page.$$eval("#volunteers .name", (els) => els.map((e) => e.textContent));

const namesAre = (page, list) =>
  page.waitForFunction((want) =>
    JSON.stringify([...document.querySelectorAll("#volunteers .name")].map((e) => e.textContent)) === want,
  JSON.stringify(list));

async function open() {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/volunteers");
  await connected(page);
  return page;
}

async function signUp(page, name, phone) {
  await page.fill("#volunteer_name", name);
  await page.fill("#volunteer_phone", phone);
  await page.waitForFunction(() => document.querySelectorAll(".invalid-feedback").length === 0);
  await page.click("#sign-up");
  await page.waitForFunction(() => document.querySelector("#notice"));
}

test("sign-ups and check-outs reach every open page", async () => {
  const a = await open();
  const b = await open();
  for (const p of [a, b]) {
    assert.deepEqual(await names(p), []);
    assert.equal(await p.textContent("#count"), "0 volunteers, 0 checked out");
    assert.equal(await p.locator(".invalid-feedback").count(), 0, "an untouched form shows no errors");
  }

  // One letter in the name: the name's error, not yet the phone's.
  await a.fill("#volunteer_name", "A");
  await feedbackIs(a, "name", "should be at least 2 character(s)");
  assert.equal(await feedback(a, "phone"), null);
  // A phone that does not match the pattern; the name keeps its error.
  await a.fill("#volunteer_phone", "555-12");
  await feedbackIs(a, "phone", "has invalid format");
  assert.equal(await feedback(a, "name"), "should be at least 2 character(s)");
  await screenshot(a, "volunteers-errors.png");

  // Fixing both clears the errors; the sign-up empties the form and shows
  // in both windows, the other one without a reload.
  await a.fill("#volunteer_name", "Ada Lovelace");
  await feedbackIs(a, "name", null);
  await a.fill("#volunteer_phone", "555-123-4567");
  await feedbackIs(a, "phone", null);
  await a.click("#sign-up");
  await namesAre(a, ["Ada Lovelace"]);
  await a.waitForFunction(() => document.querySelector("#volunteer_name").value === "" &&
    document.querySelector("#volunteer_phone").value === "");
  assert.equal(await a.textContent("#notice"), "Thanks, Ada Lovelace: you are on the list.");
  assert.equal(await a.locator(".invalid-feedback").count(), 0, "the fresh form shows no errors");
  await namesAre(b, ["Ada Lovelace"]);
  assert.equal(await b.textContent("#volunteers .phone"), "555-123-4567");
  assert.equal(await b.locator("#empty").count(), 0);
  assert.equal(await b.locator("#notice").count(), 0, "the notice is for the one who signed up");

  // The second visitor signs up too: newest first, everywhere.
  await signUp(b, "Grace Hopper", "555.987.6543");
  await namesAre(b, ["Grace Hopper", "Ada Lovelace"]);
  await namesAre(a, ["Grace Hopper", "Ada Lovelace"]);
  assert.equal(await a.textContent("#volunteers li:first-child .phone"), "555-987-6543", "stored as digits, shown alike");

  // Checking Ada out in one window shows in the other, and back in.
  const ada = (p) => p.locator("#volunteers li", { hasText: "Ada Lovelace" });
  await ada(b).locator("button.toggle").click();
  await a.waitForFunction(() => [...document.querySelectorAll("#volunteers li.out .name")].map((e) => e.textContent).join() === "Ada Lovelace");
  assert.equal(await ada(a).locator("button.toggle").textContent(), "Check in");
  assert.equal(await a.textContent("#count"), "2 volunteers, 1 checked out");
  await b.waitForFunction(() => document.querySelector("#count").textContent === "2 volunteers, 1 checked out");
  await screenshot(a, "volunteers-a.png");
  await screenshot(b, "volunteers-b.png");
  await ada(a).locator("button.toggle").click();
  await b.waitForFunction(() => document.querySelectorAll("#volunteers li.out").length === 0);
  assert.equal(await ada(b).locator("button.toggle").textContent(), "Check out");

  // Submitting an empty form shows every error and adds nobody; a phone
  // already on the list is refused.
  await a.click("#sign-up");
  await feedbackIs(a, "name", "can't be blank");
  assert.equal(await feedback(a, "phone"), "can't be blank");
  await a.fill("#volunteer_name", "Ada again");
  await a.fill("#volunteer_phone", "5551234567");
  await feedbackIs(a, "phone", null);
  await a.click("#sign-up");
  await feedbackIs(a, "phone", "has already signed up");
  assert.deepEqual(await names(a), ["Grace Hopper", "Ada Lovelace"]);
  assert.deepEqual(await names(b), ["Grace Hopper", "Ada Lovelace"]);

  // A new visitor gets the list in the dead render already.
  const c = await newPage(t.browser);
  await c.goto(t.server.url + "/volunteers");
  assert.deepEqual(await names(c), ["Grace Hopper", "Ada Lovelace"]);
  await connected(c);

  assert.doesNotMatch(await t.server.settledLog(), /form event refused|carries no _csrf_token|helper .* failed|is not set/);
  assert.deepEqual([...a.errors, ...b.errors, ...c.errors], []);
  for (const p of [a, b, c]) await p.context().close();
});
