// liveview-conformance's core views in Chromium (conformance/navigation.c,
// errors.c, js_select.c): live navigation inside the /navigation session
// keeps the sidebar and the WebSocket, a live link out of it is a page load,
// the dead page shows in the session's layout, a crashing view is remounted
// without a page load, JS commands run on the client, and a validated select
// gets its error class.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";
import { newPage, connected, screenshot, cspViolations } from "../lib/browser.mjs";

const bin = process.env.LV_CONFORMANCE_BIN || path.join(sourceDir, "build/bin/liveview-conformance");
const t = { server: null, browser: null };
before(async () => {
  t.server = await startServer({}, { bin });
  t.browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
after(async () => {
  await t.browser?.close();
  const code = await t.server?.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + t.server?.output());
  assert.deepEqual(cspViolations.splice(0), [], "Content-Security-Policy violations");
});

const at = (page, p) => page.waitForFunction((want) => location.pathname === want, p);

test("navigation: live inside the session, a page load out of it, the dead page", async () => {
  const page = await newPage(t.browser);
  let sockets = 0;
  page.on("websocket", () => sockets++);
  await page.goto(t.server.url + "/navigation/a");
  await connected(page);
  await page.evaluate(() => { window.samePage = true; });
  assert.equal(await page.locator("#prevent-navigation-toggle").count(), 1, "the session's sidebar");

  await page.getByRole("link", { name: "Patch this LiveView" }).click();
  await page.waitForFunction(() => /param=\d+/.test(location.search));
  const param = await page.evaluate(() => new URLSearchParams(location.search).get("param"));
  await page.getByText(`Current param: ${param}`).waitFor();

  await page.getByRole("link", { name: "LiveView B" }).click();
  await at(page, "/navigation/b");
  await page.locator("#items-item-100").waitFor();
  await connected(page);
  assert.equal(await page.locator("#items > li").count(), 100);
  await page.getByRole("link", { name: "Item 7", exact: true }).click();
  await at(page, "/navigation/b/item-7");
  await page.getByText("Item item-7").waitFor();
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load inside the session");
  assert.equal(sockets, 1, "the same WebSocket");
  assert.equal(await page.locator("#prevent-navigation-toggle").count(), 1, "the sidebar stays");
  await screenshot(page, "conformance_navigation.png");

  // The server's push_navigate, then a live navigation to a view of another
  // live session (/js): refused at the join, so a page load.
  await page.getByRole("link", { name: "LiveView A" }).click();
  await at(page, "/navigation/a");
  await connected(page);
  await page.getByRole("button", { name: "Server Navigate" }).click();
  await at(page, "/navigation/b");
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), true);
  await page.evaluate(() => window.liveSocket.js().navigate("/js"));
  await at(page, "/js");
  await page.getByRole("button", { name: "toggle modal" }).waitFor();
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), undefined, "a page load out of the session");
  assert.equal(await page.locator("#prevent-navigation-toggle").count(), 0, "the default layout");

  // The dead page: the session's layout, no LiveView, no WebSocket.
  const before = sockets;
  await page.goto(t.server.url + "/navigation/dead");
  await page.getByRole("heading", { name: "Dead view" }).waitFor();
  assert.equal(await page.locator("[data-phx-main]").count(), 0);
  assert.equal(await page.locator("#prevent-navigation-toggle").count(), 1);
  await page.getByRole("link", { name: "LiveView A" }).click();
  await at(page, "/navigation/a");
  await connected(page);
  assert.equal(sockets, before + 1, "the dead page opened no socket");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("a patch loop is stopped; a crashing event remounts the view without a page load", async () => {
  const page = await newPage(t.browser);
  // The loop crashes the view; the client (its patch link still pending)
  // loads ?loop=true again, where mount stops the loop.
  await page.goto(t.server.url + "/navigation/redirectloop");
  await connected(page);
  await page.getByRole("link", { name: "Redirect Loop" }).click();
  await page.locator("#message", { hasText: "Too many redirects" }).waitFor();
  await connected(page);

  await page.goto(t.server.url + "/errors?child");
  await connected(page);
  await page.getByText("Child connected").waitFor();
  await page.evaluate(() => { window.samePage = true; });
  const parentTime = await page.locator("#render-time").innerText();
  const childTime = await page.locator("#child-render-time").innerText();
  await page.getByRole("button", { name: "Crash child" }).click();
  await page.waitForFunction((old) => {
    const el = document.querySelector("#child-render-time");
    return el && el.innerText !== old && el.closest(".phx-connected");
  }, childTime);
  assert.equal(await page.locator("#render-time").innerText(), parentTime, "the parent stayed");
  await page.getByRole("button", { name: "Crash main" }).click();
  await page.waitForFunction((old) => document.querySelector("#render-time")?.innerText !== old, parentTime);
  await connected(page);
  await page.getByText("Child connected").waitFor();
  assert.equal(await page.evaluate(() => window.samePage), true, "remounted over the same page");

  const failed = await page.request.get(t.server.url + "/errors?dead-mount=raise");
  assert.equal(failed.status(), 500);
  await page.context().close();
});

test("JS commands and a validated select", async () => {
  const page = await newPage(t.browser);
  await page.goto(t.server.url + "/js");
  await connected(page);
  const modal = page.locator("#my-modal");
  assert.equal(await modal.isVisible(), false);
  await page.getByRole("button", { name: "toggle modal" }).click();
  await page.waitForFunction(() => {
    const m = document.querySelector("#my-modal");
    return m.style.display === "block" && m.getAttribute("open") === "true" &&
      m.getAttribute("aria-expanded") === "true" && !m.classList.contains("fade-in");
  });
  await page.getByRole("button", { name: "hide modal" }).click();
  await page.waitForFunction(() => {
    const m = document.querySelector("#my-modal");
    return m.style.display === "none" && !m.hasAttribute("open") && m.getAttribute("aria-expanded") === "false";
  });
  // ignore_attributes: the server's render leaves <details open> alone.
  await page.locator("details summary").click();
  await page.locator("details button").click();
  await page.locator("details button", { hasText: "1" }).waitFor();
  assert.equal(await page.locator("details").getAttribute("open"), "");

  await page.goto(t.server.url + "/select");
  await connected(page);
  const select3 = page.locator("#select_form_select3");
  assert.equal(await select3.inputValue(), "2");
  assert.equal(await select3.evaluate((el) => el.classList.contains("has-error")), false);
  await select3.selectOption("3");
  await page.waitForFunction(() => document.querySelector("#select_form_select3").classList.contains("has-error"));
  await select3.selectOption("6");
  await page.waitForFunction(() => !document.querySelector("#select_form_select3").classList.contains("has-error"));
  await screenshot(page, "conformance_select.png");
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
