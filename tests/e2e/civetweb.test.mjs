// liveview-civetweb in Chromium: CivetWeb's own page at /, and the /counter
// and /form LiveViews it mounts with lv_civetweb_mount, over HTTP and over
// HTTPS/WSS with a self-signed certificate made here (Chromium told to
// accept it).
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir, WebSocket } from "../lib/server.mjs";
import { newPage, connected, screenshot, cspViolations } from "../lib/browser.mjs";

// ctest passes "" when CivetWeb was not found; run by hand, the default build.
const bin = process.env.LV_CIVETWEB_BIN ?? path.join(sourceDir, "build/bin/liveview-civetweb");
const built = Boolean(bin) && fs.existsSync(bin);
const skip = built ? false : "liveview-civetweb was not built (CivetWeb not found: install libcivetweb-dev)";

let browser;
let tmp;
before(async () => {
  if (!built) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lv-civetweb-"));
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(cspViolations.splice(0), [], "Content-Security-Policy violations");
});

// A self-signed certificate for 127.0.0.1, in the test's temp folder.
function makeCertificate() {
  const cert = path.join(tmp, "cert.pem");
  const key = path.join(tmp, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  return { cert, key };
}

// The same checks over either scheme.
function scenario(scheme) {
  let server;
  before(async () => {
    if (!built) return;
    const env = {};
    if (scheme === "https") {
      const { cert, key } = makeCertificate();
      Object.assign(env, { LV_TLS_CERT: cert, LV_TLS_KEY: key });
    }
    server = await startServer(env, { bin });
    assert.ok(server.url.startsWith(scheme + "://"), server.url);
  });
  after(async () => {
    if (!server) return;
    const code = await server.stop();
    assert.equal(code, 0, "server exits cleanly:\n" + server.output());
  });
  const pageOptions = () => (scheme === "https" ? { ignoreHTTPSErrors: true } : {});

  test(`${scheme}: CivetWeb's page at / links to the LiveViews`, { skip }, async () => {
    const page = await newPage(browser, pageOptions());
    await page.goto(server.url + "/");
    assert.match(await page.textContent("#served-by"), /^Served by CivetWeb 1\.\d+$/);
    await screenshot(page, `civetweb-home-${scheme}.png`);
    await page.click('a[href="/counter"]');
    await connected(page);
    assert.equal(new URL(page.url()).pathname, "/counter");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`${scheme}: the counter counts over CivetWeb's WebSocket`, { skip }, async () => {
    const page = await newPage(browser, pageOptions());
    const sockets = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.goto(server.url + "/counter");
    await connected(page);
    assert.equal(await page.textContent("#count"), "0");
    for (let i = 1; i <= 3; i++) {
      await page.click('[phx-click="inc"]');
      await page.waitForFunction((n) => document.querySelector("#count").textContent === String(n), i);
    }
    await page.click('[phx-click="dec"]');
    await page.waitForFunction(() => document.querySelector("#count").textContent === "2");
    const wsScheme = scheme === "https" ? "wss" : "ws";
    assert.ok(sockets.length > 0 && sockets.every((u) => u.startsWith(`${wsScheme}://127.0.0.1:${server.port}/live/websocket`)),
      JSON.stringify(sockets));
    await screenshot(page, `civetweb-counter-${scheme}.png`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`${scheme}: the form validates as you type and saves with its CSRF token`, { skip }, async () => {
    const page = await newPage(browser, pageOptions());
    await page.goto(server.url + "/form");
    await connected(page);
    await page.fill("#name", "ab");
    await page.waitForSelector("text=at least 3 characters");
    await page.fill("#name", "Ada Lovelace");
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => document.querySelector("#names li")?.textContent === "Ada Lovelace");
    assert.equal(await page.inputValue("#name"), "");
    await screenshot(page, `civetweb-form-${scheme}.png`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test(`${scheme}: the socket's Origin must carry this scheme`, { skip }, async () => {
    const other = scheme === "https" ? "http" : "https";
    const status = (origin) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${scheme === "https" ? "wss" : "ws"}://127.0.0.1:${server.port}/live/websocket?vsn=2.0.0`,
                               { headers: { Origin: origin }, rejectUnauthorized: false });
      ws.once("open", () => { ws.close(); resolve(101); });
      ws.once("unexpected-response", (_req, res) => { resolve(res.statusCode); ws.terminate(); });
      ws.once("error", (e) => { if (!String(e).includes("Unexpected server response")) reject(e); });
    });
    assert.equal(await status(`${scheme}://127.0.0.1:${server.port}`), 101, "the page's own origin");
    assert.equal(await status(`${other}://127.0.0.1:${server.port}`), 403, `${other} for an ${scheme} server`);
  });

  test(`${scheme}: the visitor number from the program's session store reaches the LiveView`, { skip }, async () => {
    const page = await newPage(browser, pageOptions());
    await page.goto(server.url + "/");
    const number = await page.textContent("#visitor");
    await page.click('a[href="/visitor"]');
    await connected(page);
    assert.equal(await page.textContent("#visitor"), `You are visitor ${number} of this CivetWeb server.`);
    await screenshot(page, `civetweb-visitor-${scheme}.png`);
    if (scheme === "https") {
      const cookies = await page.context().cookies();
      assert.ok(cookies.filter((c) => c.name === "_lv_session" || c.name === "cw_visitor").every((c) => c.secure),
        "the session cookies are Secure over HTTPS: " + JSON.stringify(cookies));
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}

describe("over HTTP", () => scenario("http"));
describe("over HTTPS and WSS", () => scenario("https"));
