// Live sessions in Chromium (examples/admin.c): /admin is behind the sign-in
// (the live session's on_mount hook redirects to /login); once signed in,
// links between the admin pages navigate live on the same WebSocket, and a
// live link out of the session is refused by the server, on which the client
// loads the page over HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

const at = (page, path) => page.waitForFunction((p) => location.pathname === p, path);

test("logged out to /login, then live navigation inside the admin session, a page load out of it", async () => {
  const page = await newPage(t.browser);
  let sockets = 0;
  page.on("websocket", () => sockets++);

  await page.goto(t.server.url + "/admin");
  await at(page, "/login");
  await connected(page);

  await page.fill("#login-form input[name=name]", "ada");
  await page.click("#login-form button[type=submit]");
  await at(page, "/me");
  await page.goto(t.server.url + "/admin");
  await connected(page);
  assert.equal(await page.textContent("#current-user"), "ada");
  assert.equal(await page.textContent("#live-session"), "admin");
  await page.evaluate(() => { window.samePage = true; });
  const socketsOnAdmin = sockets;

  await page.click("#link-users");
  await at(page, "/admin/users");
  await page.waitForFunction(() => document.querySelector("#admin-title")?.textContent === "Users");
  await connected(page);
  assert.ok(await page.locator("#users li", { hasText: "ada" }).count() === 1);
  await page.click("#link-admin");
  await at(page, "/admin");
  await page.waitForFunction(() => document.querySelector("#admin-title")?.textContent === "Admin overview");
  await connected(page);
  assert.equal(await page.evaluate(() => window.samePage), true, "no page load inside the session");
  assert.equal(sockets, socketsOnAdmin, "the same WebSocket");
  await screenshot(page, "admin.png");

  await page.click("#link-counter");
  await at(page, "/counter");
  await connected(page);
  await page.waitForSelector("#count");
  assert.equal(await page.evaluate(() => window.samePage), undefined, "a full page load out of the session");
  const unexpected = page.errors.filter((e) => !/unauthorized live_redirect/.test(e));
  assert.deepEqual(unexpected, []);
});
