// The examples' root layout in Chromium: the navigation with the current
// page marked, the title's suffix kept through a live navigation, the
// source links serving the embedded files (and nothing else), and connect
// params and connect info reaching mount.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";
import { sourceDir } from "../lib/server.mjs";
import { httpRaw } from "../lib/raw.mjs";

const t = useServerAndBrowser();

const current = (page) =>
  page.$$eval("#examples-nav a[aria-current=page]", (as) => as.map((a) => a.getAttribute("href")));

test("every page has the navigation, its own link marked, and says what it shows", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/counter");
  await connected(page);
  const links = await page.$$eval("#examples-nav a", (as) => as.map((a) => a.getAttribute("href")));
  for (const href of ["/", "/counter", "/todos", "/form", "/login", "/dashboard", "/hi/world", "/livenav"])
    assert.ok(links.includes(href), `the navigation links ${href}`);
  assert.deepEqual(await current(page), ["/counter"]);
  assert.match(await page.textContent("#about .what"), /smallest LiveView/);
  assert.deepEqual(await page.$$eval("#about .sources a", (as) => as.map((a) => a.getAttribute("href"))),
                   ["/source/counter.c"]);
  assert.equal(await page.title(), "Counter · liveview-c", "the app's default title with its suffix");
  await screenshot(page, "layout-counter.png");

  await page.goto(t.server.url + "/hi/bob");
  assert.deepEqual(await current(page), ["/hi/world"], "a path of the example marks it");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a live navigation keeps the layout and the title's suffix", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/livenav");
  await connected(page);
  assert.equal(await page.title(), "Live navigation: page A · liveview-c");
  assert.equal(await page.getAttribute("title", "data-suffix"), " · liveview-c");
  await page.evaluate(() => {
    window.samePage = true;
    document.querySelector("#examples-nav").dataset.marker = "kept";
  });
  await page.click("#navigate"); // push_navigate: B joins over the same socket
  await page.waitForFunction(() => location.pathname === "/livenav/b");
  await page.waitForFunction(() => document.title === "Live navigation: page B · liveview-c");
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load");
  assert.equal(await page.getAttribute("#examples-nav", "data-marker"), "kept", "the layout was not re-rendered");
  assert.deepEqual(await current(page), ["/livenav"]);
  await page.click("#back");
  await page.waitForFunction(() => document.title === "Live navigation: page A · liveview-c");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("the source links serve the embedded files, escaped", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/counter");
  await page.click("#about .sources a");
  await page.waitForFunction(() => location.pathname === "/source/counter.c");
  const onDisk = fs.readFileSync(path.join(sourceDir, "examples/counter.c"), "utf8");
  assert.equal(await page.textContent("#source"), onDisk, "the same bytes as the source tree's");
  assert.equal(await page.textContent("#file-name"), "counter.c");
  await screenshot(page, "layout-source.png");
  // A template full of markup comes back as text, not as elements.
  await page.goto(t.server.url + "/source/todos.html");
  assert.equal(await page.textContent("#source"),
               fs.readFileSync(path.join(sourceDir, "examples/templates/todos.html"), "utf8"));
  assert.equal(await page.locator("#source *:not(code)").count(), 0);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("/source/ answers only its fixed list of files", async () => {
  const ok = await httpRaw(t.server.port, "GET /source/counter.c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.equal(ok.status, 200);
  const refused = [
    "/source/", "/source", "/source/../CMakeLists.txt", "/source/..%2FCMakeLists.txt",
    "/source/%2e%2e/%2e%2e/etc/passwd", "/source/../../etc/passwd", "/source/counter.c/",
    "/source//counter.c", "/source/counter.c%00", "/source/COUNTER.C", "/source/liveview.h",
    "/source/templates/todos.html", "/source/counter.c.bak", "/source/main.o",
  ];
  for (const target of refused) {
    const res = await httpRaw(t.server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(res.status === 404 || res.status === 400, `${target}: ${res.status}`);
    assert.ok(!res.body.includes("lv_example") && !res.body.includes("root:"), `${target} leaks nothing`);
  }
  const post = await httpRaw(t.server.port, "POST /source/counter.c HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  assert.equal(post.status, 405, "read-only");
});

test("connect params and connect info reach mount", async () => {
  const context = await t.browser.newContext({ timezoneId: "Pacific/Auckland", userAgent: "LayoutTest/1.0 (e2e)" });
  const page = await context.newPage();
  await page.goto(t.server.url + "/hi/world");
  await connected(page);
  await page.waitForSelector("#timezone");
  assert.equal(await page.textContent("#timezone"), "Pacific/Auckland");
  assert.equal(await page.textContent("#from"), "127.0.0.1");
  assert.equal(await page.textContent("#agent"), "LayoutTest/1.0 (e2e)");
  await screenshot(page, "layout-hi.png");
  // The HTTP render has no socket, so no connect params.
  const dead = await (await fetch(t.server.url + "/hi/world")).text();
  assert.ok(!dead.includes('id="timezone"'));
  await context.close();
});
