// The stream part of liveview-conformance in Chromium: the views Phoenix
// LiveView's own suite drives for streams (inserts, updates, deletes, resets,
// limits, streams in LiveComponents and in loops), /components (focus_wrap)
// and /keyed-comprehension. The suite itself runs with
// scripts/conformance-upstream.sh (docs/conformance.md); these are our own
// checks of the same behaviours.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";
import { newPage, connected, screenshot, cspViolations } from "../lib/browser.mjs";

const t = { server: null, browser: null };
before(async () => {
  const bin = process.env.LV_CONFORMANCE_BIN || path.join(sourceDir, "build/bin/liveview-conformance");
  t.server = await startServer({}, { bin });
  t.browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await t.browser?.close();
  const code = await t.server?.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + t.server?.output());
  assert.deepEqual(cspViolations.splice(0), [], "Content-Security-Policy violations");
});

// "id:first text" of each child of the container, e.g. "users-1:chris".
const children = (page, selector) =>
  page.$$eval(`${selector} > *`, (els) => els.map((el) => `${el.id}:${el.childNodes[0]?.nodeValue?.trim() ?? ""}`));
// Waits until children(selector) is exactly `want`, then returns it.
async function waitChildren(page, selector, want) {
  await page.waitForFunction(
    ([selector, want]) => {
      const got = [...document.querySelectorAll(`${selector} > *`)].map(
        (el) => `${el.id}:${el.childNodes[0]?.nodeValue?.trim() ?? ""}`,
      );
      return JSON.stringify(got) === JSON.stringify(want);
    },
    [selector, want],
    { timeout: 15000 },
  );
  return children(page, selector);
}

async function open(url) {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + url);
  await connected(page);
  return page;
}

test("/stream: a view's streams and its component's stream update, move, delete and reset apart", async () => {
  const page = await open("/stream");
  assert.deepEqual(await children(page, "#users"), ["users-1:chris", "users-2:callan"]);
  assert.deepEqual(await children(page, "#admins"), ["admins-1:chris-admin", "admins-2:callan-admin"]);
  assert.deepEqual(await children(page, "#c_users"), ["c_users-1:chris", "c_users-2:callan"]);

  await page.click("#users-1 button:text-is('update')");
  await waitChildren(page, "#users", ["users-1:updated", "users-2:callan"]);
  await page.click("#users-2 button:text-is('make first')");
  await waitChildren(page, "#users", ["users-2:updated", "users-1:updated"]);
  await page.click("#users-1 button:text-is('delete')");
  await waitChildren(page, "#users", ["users-2:updated"]);

  // The component's events go to its own stream.
  await page.click("#c_users-2 button:text-is('make first')");
  await waitChildren(page, "#c_users", ["c_users-2:updated", "c_users-1:chris"]);
  await page.click("#c_users-1 button:text-is('update')");
  await waitChildren(page, "#c_users", ["c_users-2:updated", "c_users-1:updated"]);

  // A reset of the view's first stream leaves the component's first stream
  // alone (the client resets by the stream's ref across the page).
  await page.click("button:text-is('Reorder users')");
  await waitChildren(page, "#users", ["users-3:peter", "users-1:chris", "users-4:mona"]);
  assert.equal(await page.getAttribute("#users-3", "data-count"), "1", "the reset re-renders with the new count");
  assert.deepEqual(await children(page, "#c_users"), ["c_users-2:updated", "c_users-1:updated"]);
  assert.deepEqual(await children(page, "#admins"), ["admins-1:chris-admin", "admins-2:callan-admin"]);
  await page.click("button:text-is('Reset users')");
  await waitChildren(page, "#users", []);
  assert.deepEqual(await children(page, "#c_users"), ["c_users-2:updated", "c_users-1:updated"]);

  // The admins stream is a third one, updated on its own.
  await page.click("#admins-1 button:text-is('update')");
  await waitChildren(page, "#admins", ["admins-1:updated", "admins-2:callan-admin"]);
  assert.deepEqual(page.errors, []);
  await page.close();

  // ?empty_item: an element that is not an item stays in the container,
  // after the items, shown by CSS only when it is alone.
  const empty = await open("/stream?empty_item");
  assert.deepEqual(await children(empty, "#users"), ["users-1:chris", "users-2:callan", "users-empty:Empty!"]);
  assert.equal(await empty.isVisible("#users-empty"), false);
  assert.deepEqual(empty.errors, []);
  await empty.close();
});

test("/stream/reset: filter, reorder, insert at an index, update_only", async () => {
  const page = await open("/stream/reset");
  const all = ["items-a:A", "items-b:B", "items-c:C", "items-d:D"];
  assert.deepEqual(await children(page, "#thelist"), all);
  await page.click("button:text-is('Filter')");
  await waitChildren(page, "#thelist", ["items-b:B", "items-c:C", "items-d:D"]);
  await page.click("button:text-is('Reorder')");
  await waitChildren(page, "#thelist", ["items-b:B", "items-a:A", "items-c:C", "items-d:D"]);
  await page.click("button:text-is('Reset')");
  await waitChildren(page, "#thelist", all);
  await page.click("button:text-is('Bulk insert')");
  await waitChildren(page, "#thelist", ["items-a:A", "items-e:E", "items-f:F", "items-g:G", "items-b:B", "items-c:C",
                                        "items-d:D"]);
  await page.click("button:text-is('Reset')");
  await waitChildren(page, "#thelist", all);
  // An insert of an element already there updates it where it is.
  await page.click("button:text-is('Append C')");
  await page.click("button:text-is('Delete C and insert at 1')");
  await waitChildren(page, "#thelist", ["items-a:A", "items-c:C", "items-b:B", "items-d:D"]);
  // update_only: never adds, updates in place.
  await page.click("button:text-is('Add E (update only)')");
  await page.click("button:text-is('Update C (update only)')");
  await page.waitForFunction(() => /^C \d+$/.test(document.getElementById("items-c").textContent.trim()),
                             null, { timeout: 15000 });
  assert.deepEqual((await children(page, "#thelist")).map((c) => c.split(":")[0]),
                   ["items-a", "items-c", "items-b", "items-d"], "E was not added");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("/stream/limit: the dead render has every item, the browser keeps the limit", async () => {
  const html = await (await fetch(t.server.url + "/stream/limit")).text();
  for (let i = 1; i <= 10; i++) assert.match(html, new RegExp(`id="items-${i}"`));
  const page = await open("/stream/limit");
  const items = (ids) => ids.map((i) => `items-${i}:${i}`);
  await waitChildren(page, "#items", items([6, 7, 8, 9, 10]));
  await page.click("button:text-is('add 1')");
  await waitChildren(page, "#items", items([7, 8, 9, 10, 11]));
  await page.click("button:text-is('add 10')");
  await waitChildren(page, "#items", items([17, 18, 19, 20, 21]));
  // Prepending with a positive limit drops from the end.
  await page.fill("input[name='at']", "0");
  await page.fill("input[name='limit']", "5");
  await page.click("button:text-is('recreate stream')");
  await waitChildren(page, "#items", items([10, 9, 8, 7, 6]));
  await page.click("button:text-is('add 1')");
  await waitChildren(page, "#items", items([11, 10, 9, 8, 7]));
  // At index 1 with a negative limit: the first item stays.
  await page.fill("input[name='at']", "1");
  await page.fill("input[name='limit']", "-5");
  await page.click("button:text-is('recreate stream')");
  await waitChildren(page, "#items", items([10, 5, 4, 3, 2]));
  await page.click("button:text-is('clear')");
  await waitChildren(page, "#items", []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("LiveComponents as stream items, with a stream of their own, survive resets", async () => {
  let page = await open("/stream/reset-lc");
  await waitChildren(page, "#thelist", ["items-a:A", "items-b:B", "items-c:C", "items-d:D"]);
  await page.click("button:text-is('Reorder')");
  await waitChildren(page, "#thelist", ["items-e:E", "items-a:A", "items-f:F", "items-g:G"]);
  await page.close();

  page = await open("/stream/nested-component-reset");
  const nested = (id, names) => names.map((n) => `nested-items-${id}-${n}:N-${n.toUpperCase()}`);
  for (const id of ["a", "b", "c", "d"]) {
    // Over the socket the component streams a..d (the HTTP render had e..h).
    await waitChildren(page, `#items-${id}-nested`, nested(id, ["a", "b", "c", "d"]));
  }
  await page.click("#items-a button");
  await waitChildren(page, "#items-a-nested", nested("a", ["e", "a", "f", "g"]));
  assert.deepEqual(await children(page, "#items-b-nested"), nested("b", ["a", "b", "c", "d"]));
  await page.click("#parent-reorder");
  await waitChildren(page, "#thelist", ["items-e:E", "items-a:A", "items-f:F", "items-g:G"]);
  for (const id of ["e", "f", "g"]) await waitChildren(page, `#items-${id}-nested`, nested(id, ["a", "b", "c", "d"]));
  assert.deepEqual(await children(page, "#items-a-nested"), nested("a", ["e", "a", "f", "g"]),
                   "the kept component keeps its stream");
  await screenshot(page, "conformance-nested-component-reset.png");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a stream in the rows of a loop, filled by async work; a stream reset on every patch", async () => {
  let page = await open("/stream/inside-for");
  await waitChildren(page, "#thelist", ["items-a:A", "items-b:B", "items-c:C", "items-d:D"]);
  await page.close();

  page = await open("/healthy/fruits");
  await waitChildren(page, "#items", ["items-1:Apples", "items-2:Oranges"]);
  await page.click("a:text-is('Switch')");
  await page.waitForURL(/\/healthy\/veggies$/);
  await waitChildren(page, "#items", ["items-3:Carrots", "items-4:Tomatoes"]);
  assert.equal(await page.textContent("h1"), "Veggies");
  await page.click("a:text-is('Switch')");
  await waitChildren(page, "#items", ["items-1:Apples", "items-2:Oranges"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("/components: a dropdown toggled by JS commands, focus wrapped inside it", async () => {
  const page = await open("/components?tab=focus_wrap");
  assert.equal(await page.isVisible("#dropdown-menu"), false);
  await page.click("#dropdown-button");
  await page.waitForSelector("#dropdown-menu", { state: "visible" });
  const focused = () => page.evaluate(() => document.activeElement?.textContent.trim());
  await page.waitForFunction(() => document.activeElement?.textContent.trim() === "Edit Profile");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "Settings");
  await page.keyboard.press("Tab");
  assert.equal(await focused(), "Sign Out");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.activeElement?.textContent.trim() === "Edit Profile");
  await page.keyboard.press("Shift+Tab");
  await page.waitForFunction(() => document.activeElement?.textContent.trim() === "Sign Out");
  await screenshot(page, "conformance-components.png");
  await page.click("#dropdown-content button:text-is('Settings')");
  await page.waitForSelector("#dropdown-menu", { state: "hidden" });
  assert.equal(await page.getAttribute("#simple-focus-container", "phx-hook"), "Phoenix.FocusWrap");
  assert.equal(await page.getAttribute("#simple-focus-container-end", "tabindex"), "0");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("/keyed-comprehension: two tables of rows re-rendered on every change", async () => {
  const page = await open("/keyed-comprehension?tab=rows_keyed");
  const rows = () =>
    page.$$eval("table", (tables) =>
      tables.map((table) => [...table.querySelectorAll("tbody tr")].map((tr) => tr.textContent.replace(/\s+/g, " "))));
  let tables = await rows();
  assert.equal(tables.length, 2);
  assert.equal(tables[0].length, 10);
  assert.match(tables[0][0], /^ Count: 0 Name: New\d+ 1 0 $/);
  for (let i = 0; i < 3; i++) {
    await page.click("button:text-is('randomize')");
    await page.waitForFunction((n) => document.querySelector("tbody td:last-child").textContent.trim() === String(n),
                               i + 1, { timeout: 15000 });
  }
  tables = await rows();
  for (let r = 0; r < 10; r++) {
    const name = tables[0][r].match(/Name: (New\d+)/)[1];
    assert.equal(tables[0][r], ` Count: 3 Name: ${name} 1 3 `);
    assert.equal(tables[1][r], ` Count: 3 Name: ${name} 2 3 `);
  }
  await page.fill("input[name='size']", "3");
  await page.waitForFunction(() => document.querySelectorAll("table")[1].querySelectorAll("tbody tr").length === 3,
                             null, { timeout: 15000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});
