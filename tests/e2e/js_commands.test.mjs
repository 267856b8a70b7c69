// The /js example in Chromium: every JS command does what it says, checked
// in the DOM; only push reaches the server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";
import { watchFor } from "../lib/browser.mjs";

const artifacts = process.env.LV_ARTIFACTS || path.join(sourceDir, "tests/artifacts");
let server, browser;

before(async () => {
  server = await startServer();
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  assert.equal(await server?.stop(), 0, "server exits cleanly:\n" + server?.output());
});

// Functions with their argument, not strings: a string would be eval'd in
// the page, which its Content-Security-Policy (no 'unsafe-eval') refuses.
const isVisible = (sel) => { const el = document.querySelector(sel); return !!(el.offsetWidth || el.offsetHeight); };
const isHidden = (sel) => { const el = document.querySelector(sel); return !(el.offsetWidth || el.offsetHeight); };
const visible = (sel) => [isVisible, sel];
const hidden = (sel) => [isHidden, sel];

test("every JS command works", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/js");
  await page.waitForSelector("[data-phx-main].phx-connected");

  // show (built in C with lv_js: a transition, then set_attr on the button), hide, toggle.
  assert.ok(await page.evaluate(...hidden("#panel")));
  await page.click("#show");
  await page.waitForFunction(...visible("#panel"));
  assert.equal(await page.getAttribute("#show", "aria-pressed"), "true");
  await page.waitForFunction(() => !document.querySelector("#panel").classList.contains("fade-transition"));
  await page.click("#hide");
  await page.waitForFunction(...hidden("#panel"));
  await page.click("#toggle");
  await page.waitForFunction(...visible("#panel"));
  await page.click("#toggle");
  await page.waitForFunction(...hidden("#panel"));

  // add_class, remove_class, toggle_class, transition.
  await page.click("#add-class");
  await page.waitForFunction(() => document.querySelector("#box").classList.contains("highlight"));
  await page.click("#remove-class");
  await page.waitForFunction(() => !document.querySelector("#box").classList.contains("highlight"));
  await page.click("#toggle-class");
  await page.waitForFunction(() => document.querySelector("#box").classList.contains("round"));
  await page.click("#toggle-class");
  await page.waitForFunction(() => !document.querySelector("#box").classList.contains("round"));
  // The class lasts 600 ms: watched from before the click, not polled after it.
  const shook = await watchFor(page, "#box.shake");
  await page.click("#transition");
  await shook();
  await page.waitForFunction(() => !document.querySelector("#box").classList.contains("shake"));

  // set_attr, remove_attr, focus.
  await page.click("#disable");
  await page.waitForFunction(() => document.querySelector("#attr-input").disabled);
  await page.click("#enable");
  await page.waitForFunction(() => !document.querySelector("#attr-input").disabled);
  await page.click("#focus");
  await page.waitForFunction(() => document.activeElement?.id === "attr-input");

  // dispatch: the inline listener writes the event's detail.
  await page.click("#dispatch");
  await page.waitForFunction(() => document.querySelector("#greeting").textContent === "Caught greet from liveview-c.");

  // push: the server counts by the pushed value, and the chained add_class runs.
  await page.click("#push");
  await page.waitForFunction(() => document.querySelector("#pushes").textContent === "2");
  await page.click("#push");
  await page.waitForFunction(() => document.querySelector("#pushes").textContent === "4");
  assert.ok(await page.evaluate(() => document.querySelector("#pushes").classList.contains("pushed")));

  // exec: runs the command stored in the note's data-dismiss.
  assert.ok(await page.evaluate(...visible("#note")));
  await page.click("#exec");
  await page.waitForFunction(...hidden("#note"));

  fs.mkdirSync(artifacts, { recursive: true });
  await page.click("#show");
  await page.click("#add-class");
  await page.waitForFunction(...visible("#panel"));
  await page.waitForFunction(() => !document.querySelector("#panel").classList.contains("fade-transition"));
  // The listener's text survives later patches (phx-update="ignore").
  assert.equal(await page.textContent("#greeting"), "Caught greet from liveview-c.");
  await page.screenshot({ path: path.join(artifacts, "js_commands.png"), fullPage: true });

  // patch: handle_params runs, the URL changes, the view stays (the count too).
  await page.click("#patch");
  await page.waitForFunction(() => document.querySelector("#tab").textContent === "2");
  assert.equal(new URL(page.url()).search, "?tab=2");
  assert.equal(await page.textContent("#pushes"), "4");
  const before = await page.evaluate(() => history.length);
  await page.click("#patch-back");
  await page.waitForFunction(() => document.querySelector("#tab").textContent === "1");
  assert.equal(await page.evaluate(() => history.length), before, "replace adds no history entry");

  // navigate: live navigation to the counter, without a page load.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click("#navigate");
  await page.waitForFunction(() => location.pathname === "/counter" && document.querySelector("#count"));
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "no page load");

  assert.deepEqual(errors, []);
  assert.doesNotMatch(await server.settledLog(), /helper .* failed|is not set|refused/);
  await context.close();
});

test("toggle_attr, ignore_attrs, the focus stack and push_event dispatch: before", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/js");
  await page.waitForSelector("[data-phx-main].phx-connected");

  // toggle_attr with two values flips between them; with one, sets then removes.
  assert.equal(await page.getAttribute("#lamp", "data-state"), "off");
  await page.click("#toggle-attr");
  await page.waitForFunction(() => document.querySelector("#lamp").dataset.state === "on");
  await page.click("#toggle-attr");
  await page.waitForFunction(() => document.querySelector("#lamp").dataset.state === "off");
  await page.click("#toggle-hidden");
  await page.waitForFunction(() => document.querySelector("#hint").hidden);
  await page.click("#toggle-hidden");
  await page.waitForFunction(() => !document.querySelector("#hint").hidden);

  // ignore_attrs "open" (run by phx-mounted): a server render closes the
  // plain <details> the user opened, not the one that ignores "open".
  await page.click("#kept-open summary");
  await page.click("#plain-details summary");
  assert.ok(await page.evaluate(() => document.querySelector("#kept-open").open && document.querySelector("#plain-details").open));
  await page.click("#mark");
  await page.waitForFunction(() => document.querySelector("#marks").textContent === "1");
  assert.equal(await page.evaluate(() => document.querySelector("#kept-open").open), true, "ignored attribute kept");
  assert.equal(await page.evaluate(() => document.querySelector("#plain-details").open), false, "patched as rendered");

  // push_event: the before-event saw the page before the patch, the other after.
  await page.waitForFunction(() => document.querySelector("#dispatch-order").textContent === "before the patch: 0, after it: 1");
  await page.click("#mark");
  await page.waitForFunction(() => document.querySelector("#dispatch-order").textContent === "before the patch: 1, after it: 2");

  // push_focus + show + focus_first, then hide + pop_focus.
  await page.click("#open-dialog");
  await page.waitForFunction(() => document.activeElement?.id === "dialog-name");
  await page.click("#close-dialog");
  await page.waitForFunction(() => document.activeElement?.id === "open-dialog");
  assert.ok(await page.evaluate(...hidden("#dialog")));

  fs.mkdirSync(artifacts, { recursive: true });
  await page.click("#toggle-attr");
  await page.waitForFunction(() => document.querySelector("#lamp").dataset.state === "on");
  await page.screenshot({ path: path.join(artifacts, "js_commands_more.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test("external redirects go only to allowed hosts", async () => {
  const context = await browser.newContext();
  // No network here: the allowed host is answered by the test.
  await context.route("https://hexdocs.pm/**", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<title>docs</title><p id=docs>docs</p>" }));
  const page = await context.newPage();
  await page.goto(server.url + "/js");
  await page.waitForSelector("[data-phx-main].phx-connected");
  await page.click("#redirect-refused");
  await page.waitForFunction(() => document.querySelector("#redirect-status").textContent === "The redirect was refused.");
  assert.equal(new URL(page.url()).pathname, "/js");
  await server.waitForLog(/js_commands: refused a redirect to a URL whose host is not in allowed_redirect_hosts/);
  await page.click("#redirect-allowed");
  await page.waitForURL("https://hexdocs.pm/phoenix_live_view/Phoenix.LiveView.JS.html");
  assert.equal(await page.textContent("#docs"), "docs");
  await context.close();
});
