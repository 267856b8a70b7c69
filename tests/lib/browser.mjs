// Browser test support: one examples server and one headless Chromium per
// test file, started before the tests and stopped after them (the server
// must then exit 0: a clean shutdown, checked by the sanitizer builds too).
import { before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "./server.mjs";

export const artifacts = process.env.LV_ARTIFACTS || path.join(sourceDir, "tests/artifacts");

// Registers the hooks and returns an object whose server and browser fields
// are set once the tests run.
export function useServerAndBrowser(env = {}) {
  const t = { server: null, browser: null };
  before(async () => {
    t.server = await startServer(env);
    t.browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  });
  after(async () => {
    await t.browser?.close();
    const code = await t.server?.stop();
    assert.equal(code, 0, "server exits cleanly:\n" + t.server?.output());
  });
  return t;
}

// A new page that records page errors and console errors into page.errors.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
  return page;
}

export async function connected(page) {
  await page.waitForSelector("[data-phx-main].phx-connected", { timeout: 10000 });
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, name) });
}
