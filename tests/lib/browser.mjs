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
    // Every page runs under the server's Content-Security-Policy: any
    // violation, in any test of the file, fails it.
    const seen = cspViolations.splice(0);
    assert.deepEqual(seen, [], "Content-Security-Policy violations");
  });
  return t;
}

// Every securitypolicyviolation event any page created by newPage saw:
// { page, directive, blocked, sample }. useServerAndBrowser fails the file's
// tests when it is not empty; a test may check it sooner.
export const cspViolations = [];

// A new page that records page errors and console errors into page.errors,
// and Content-Security-Policy violations into page.errors and cspViolations.
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  await context.exposeBinding("__lvCspViolation", ({ page: p }, v) => {
    cspViolations.push(v);
    p.errors?.push(`CSP violation: ${v.directive} blocked ${v.blocked} on ${v.page}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__lvCspViolation({ page: location.href, directive: e.violatedDirective, blocked: e.blockedURI,
                                sample: e.sample });
    });
  });
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

let watches = 0;

// Starts watching the page for an element matching `selector` and returns a
// function that resolves once one has existed at any moment since, even if
// it is gone by then. For states that last only a few hundred milliseconds
// (a transition's class, a loading indicator): polling for them after the
// click that starts them could miss them on a busy machine.
export async function watchFor(page, selector, timeoutMs = 20000) {
  const key = "w" + ++watches;
  await page.evaluate(([key, selector]) => {
    const seen = (window.__lvTestWatches ??= {});
    seen[key] = new Promise((resolve) => {
      if (document.querySelector(selector)) return resolve(true);
      const observer = new MutationObserver(() => {
        if (!document.querySelector(selector)) return;
        observer.disconnect();
        resolve(true);
      });
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  }, [key, selector]);
  return () => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${selector} never appeared`)), timeoutMs);
    page.evaluate((key) => window.__lvTestWatches[key], key).then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
