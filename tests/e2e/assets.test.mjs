// One binary, a light page: the examples server runs in an empty folder with
// no LV_ASSETS_DIR, so the client Chromium runs comes out of the binary. The
// counter connects and counts; the bytes a first visit moves are measured
// (Chrome's own count, through the DevTools protocol), and a reload fetches
// no client file again: they are immutable, served from the browser's cache.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS } from "../lib/server.mjs";
import { connected, newPage, screenshot } from "../lib/browser.mjs";

let server, browser, empty;

before(async () => {
  empty = fs.mkdtempSync(path.join(os.tmpdir(), "lv-empty-"));
  server = await startServer({ LV_ASSETS_DIR: "" }, { cwd: empty });
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  fs.rmSync(empty, { recursive: true, force: true });
  assert.equal(code, 0, "server exits cleanly:\n" + server?.output());
});

// Records every response of the page's loads through the DevTools protocol:
// { url, status, fromCache, bytes } where bytes is what crossed the network
// (encodedDataLength: headers and the body as sent, so compressed).
async function recordNetwork(page) {
  const cdp = await page.context().newCDPSession(page);
  const byId = new Map();
  const finished = [];
  cdp.on("Network.requestWillBeSent", (e) => byId.set(e.requestId, { url: e.request.url, fromCache: false }));
  cdp.on("Network.requestServedFromCache", (e) => { if (byId.has(e.requestId)) byId.get(e.requestId).fromCache = true; });
  cdp.on("Network.responseReceived", (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.encoding = e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"];
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) r.fromCache = true;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const r = byId.get(e.requestId);
    if (r) finished.push({ ...r, bytes: e.encodedDataLength });
  });
  await cdp.send("Network.enable");
  return {
    // Everything finished so far, then forgets it.
    take() {
      const out = finished.splice(0);
      byId.clear();
      return out;
    },
  };
}

const isClientFile = (r) => new URL(r.url).pathname.startsWith("/assets/");

test("from an empty folder: the page connects, a first visit is ~50 kB, a reload fetches no client file", async () => {
  assert.deepEqual(fs.readdirSync(empty), [], "the server's folder stays empty");
  const page = await newPage(browser);
  const network = await recordNetwork(page);

  await page.goto(server.url + "/counter");
  await connected(page);
  await page.locator('[phx-click="inc"]').click();
  await page.waitForFunction(() => document.querySelector("#count").textContent === "1");

  const first = network.take();
  const files = first.filter(isClientFile);
  assert.equal(files.length, 3, JSON.stringify(first, null, 1));
  for (const f of files) {
    assert.equal(f.status, 200, f.url);
    assert.equal(f.encoding, "gzip", f.url);
    assert.match(new URL(f.url).pathname, /^\/assets\/(app|phoenix)-[0-9a-f]{16}\.(js|css)$/);
  }
  const total = first.reduce((n, r) => n + r.bytes, 0);
  console.log("first visit:", first.map((r) => `${new URL(r.url).pathname} ${r.bytes}`).join(", "), "total", total);
  assert.ok(total < 60_000, `a first visit moved ${total} bytes`);
  assert.ok(total > 40_000, `the measure counts the client (${total} bytes)`);

  await page.reload();
  await connected(page);
  assert.equal(await page.textContent("#count"), "0");
  const second = network.take();
  const again = second.filter(isClientFile);
  assert.equal(again.length, 3, "the reloaded page uses the same three files: " + JSON.stringify(second, null, 1));
  for (const f of again) {
    assert.ok(f.fromCache, `${f.url} came from the cache`);
    assert.equal(f.bytes, 0, `${f.url}: nothing on the wire, not even a revalidation`);
  }
  const page2 = second.find((r) => new URL(r.url).pathname === "/counter");
  assert.ok(page2 && page2.bytes > 0, "the page itself is fetched again (no-store)");

  await page.locator('[phx-click="inc"]').click();
  await page.waitForFunction(() => document.querySelector("#count").textContent === "1");
  await screenshot(page, "assets-counter.png");
  assert.deepEqual(page.errors, []);
  assert.deepEqual(fs.readdirSync(empty), []);
  await page.context().close();
});

test("the favicon compiled into the examples is served at /static", async () => {
  const page = await newPage(browser);
  const res = await page.goto(server.url + "/static/favicon.svg");
  assert.equal(res.status(), 200);
  assert.equal(res.headers()["content-type"], "image/svg+xml");
  assert.equal(await page.locator("svg title").textContent(), "liveview-c");
  await page.context().close();
});
