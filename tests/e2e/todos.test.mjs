// The todo example in headless Chromium with the official client: add,
// toggle and delete through a form and buttons, and after every step the
// list and the counter equal those of the same page freshly loaded. The
// list is shared by every visitor of one server, and this file has its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";

const artifacts = process.env.LV_ARTIFACTS || path.join(sourceDir, "tests/artifacts");
let server, browser;

before(async () => {
  server = await startServer();
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server?.output());
});

async function connected(page) {
  await page.waitForSelector("[data-phx-main].phx-connected", { timeout: 10000 });
}

// What a visitor sees: the list's markup and the counter, once no click or
// submit is in flight.
async function snapshot(page) {
  await page.waitForFunction(() => !document.querySelector(".phx-click-loading, .phx-submit-loading"));
  return page.evaluate(() => ({
    todos: document.querySelector("#todos").innerHTML,
    left: document.querySelector("#left").textContent,
    allDone: document.querySelector("#all-done")?.textContent ?? null,
  }));
}

// The live page equals the same page loaded afresh (dead render + join).
async function assertSameAsFresh(page, step) {
  const live = await snapshot(page);
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(server.url + "/todos");
  await connected(fresh);
  assert.deepEqual(live, await snapshot(fresh), `after ${step}, the page equals a fresh load`);
  await context.close();
  return live;
}

async function openTodos() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  page.on("dialog", (d) => { errors.push("dialog: " + d.message()); d.dismiss(); });
  const frames = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(f.payload)));
  await page.goto(server.url + "/todos");
  await connected(page);
  return { context, page, errors, frames };
}

function lastDiff(frames) {
  const replies = frames.map((f) => JSON.parse(f)).filter((m) => m[3] === "phx_reply" && m[4].response?.diff);
  return replies.at(-1)?.[4].response.diff;
}

async function add(page, text) {
  const before = await page.locator("#todos li").count();
  await page.fill('#todo-form input[name="text"]', text);
  await page.press('#todo-form input[name="text"]', "Enter");
  await page.waitForFunction((n) => document.querySelectorAll("#todos li").length === n, before + 1);
}

test("the dead render has the form, an empty list and the counter", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(server.url + "/todos");
  assert.equal(await page.locator('form#todo-form[phx-submit="add"] input[name="text"]').count(), 1);
  assert.equal(await page.locator("ul#todos li").count(), 0);
  assert.equal((await page.textContent("#left")).trim(), "0 items left");
  assert.equal(await page.locator("#all-done").count(), 0, "no All done! for an empty list");
  await context.close();
});

test("add, toggle and delete; after each step the page equals a fresh load", async () => {
  const { context, page, errors, frames } = await openTodos();

  await add(page, "Buy milk");
  let seen = await assertSameAsFresh(page, "the first add");
  assert.match(seen.left, /^1 item left$/);
  assert.equal(seen.allDone, null);
  assert.equal(await page.inputValue('#todo-form input[name="text"]'), "", "the input is emptied");

  await add(page, "Walk the dog");
  await add(page, "Write C");
  seen = await assertSameAsFresh(page, "three adds");
  assert.equal(seen.left, "3 items left");
  // An append sends the new row only: one entry in "k", and kc 3.
  const appended = JSON.stringify(lastDiff(frames));
  assert.match(appended, /"k":\{"2":\{/);
  assert.match(appended, /"kc":3/);
  assert.doesNotMatch(appended, /Buy milk|Walk the dog/);

  const items = page.locator("#todos li");
  assert.deepEqual(await items.locator(".text").allTextContents(), ["Buy milk", "Walk the dog", "Write C"]);

  // Toggle the second: only that row travels.
  await items.nth(1).locator('[phx-click="toggle"]').click();
  await page.waitForFunction(() => document.querySelectorAll("#todos li.done").length === 1);
  seen = await assertSameAsFresh(page, "a toggle");
  assert.equal(seen.left, "2 items left");
  const toggled = lastDiff(frames);
  const rows = Object.keys(toggled[Object.keys(toggled).find((k) => toggled[k].k)].k).filter((k) => k !== "kc");
  assert.deepEqual(rows, ["1"], "a toggle sends the one changed row");

  // Delete the first: the others shift, as moves.
  await items.nth(0).locator('[phx-click="delete"]').click();
  await page.waitForFunction(() => document.querySelectorAll("#todos li").length === 2);
  seen = await assertSameAsFresh(page, "a delete");
  assert.deepEqual(await items.locator(".text").allTextContents(), ["Walk the dog", "Write C"]);
  assert.equal(seen.left, "1 item left");
  assert.match(JSON.stringify(lastDiff(frames)), /"km":true/);

  // Finish everything: All done!
  await items.nth(1).locator('[phx-click="toggle"]').click();
  await page.waitForSelector("#all-done");
  seen = await assertSameAsFresh(page, "the last toggle");
  assert.equal(seen.allDone, "All done!");
  assert.equal(seen.left, "0 items left");

  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "todos.png"), fullPage: true });

  // Undo one: the message goes away.
  await items.nth(0).locator('[phx-click="toggle"]').click();
  await page.waitForFunction(() => !document.querySelector("#all-done"));
  await assertSameAsFresh(page, "an undo");

  assert.deepEqual(errors, []);
  await context.close();
});

test("markup typed into a todo stays text, in the dead render and in diffs", async () => {
  const { context, page, errors } = await openTodos();
  const nasty = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "' onmouseover='alert(3)"];
  for (const text of nasty) await add(page, text);
  const texts = await page.locator("#todos li .text").allTextContents();
  for (const text of nasty) assert.ok(texts.includes(text), `"${text}" is shown as typed`);
  assert.equal(await page.locator("#todos img, #todos script").count(), 0, "no element was injected");
  await assertSameAsFresh(page, "adding markup");
  const deadHtml = await (await fetch(server.url + "/todos")).text();
  assert.ok(deadHtml.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(!deadHtml.includes("<img src=x"));
  assert.deepEqual(errors, []);
  await context.close();
});

test("the index links the todos", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + "/");
  const links = await page.$$eval("a", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.includes("/todos"));
  await context.close();
});

test("another visitor's page follows every change without a reload", async () => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();
  await pageA.goto(server.url + "/todos");
  await pageB.goto(server.url + "/todos");
  await connected(pageA);
  await connected(pageB);
  const text = (p) => p.evaluate(() => [...document.querySelectorAll("#todos li .text")].map((e) => e.textContent));

  await pageA.fill('#todo-form input[name="text"]', "Shared by pub/sub");
  await pageA.press('#todo-form input[name="text"]', "Enter");
  // Each page learns on its own connection (a reply, a pub/sub push), in no
  // set order: wait for both before comparing.
  const shared = () => [...document.querySelectorAll("#todos li .text")].some((e) => e.textContent === "Shared by pub/sub");
  await pageB.waitForFunction(shared);
  await pageA.waitForFunction(shared);
  assert.deepEqual(await text(pageB), await text(pageA));

  const row = pageB.locator("#todos li", { hasText: "Shared by pub/sub" });
  await row.locator('[phx-click="delete"]').click();
  const gone = () => ![...document.querySelectorAll("#todos li .text")].some((e) => e.textContent === "Shared by pub/sub");
  await pageA.waitForFunction(gone);
  await pageB.waitForFunction(gone);
  assert.deepEqual(await text(pageA), await text(pageB));
  await a.close();
  await b.close();
});
