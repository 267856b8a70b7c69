// Signing in through a plain HTML form sets the session cookie; the
// LiveView at /me shows the name from the session it gets in mount, both in
// the server's HTML and after the client joins.
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
  assert.equal(await server?.stop(), 0, "server exits cleanly:\n" + server?.output());
});

test("login, then /me shows the signed-in name; logout forgets it", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(server.url + "/me");
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.textContent("#me"), "Not signed in.");

  await page.goto(server.url + "/login");
  await page.waitForSelector("[data-phx-main].phx-connected");
  await page.fill('input[name="name"]', "Grace Hopper");
  await Promise.all([page.waitForURL(server.url + "/me"), page.click('#login-form button[type="submit"]')]);
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.textContent("#me"), "Signed in as Grace Hopper");

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "_lv_session");
  assert.ok(session.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Lax");

  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "me.png") });

  await Promise.all([page.waitForURL(server.url + "/login"), page.click('#logout-form button[type="submit"]')]);
  await page.goto(server.url + "/me");
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.equal(await page.textContent("#me"), "Not signed in.");
  assert.deepEqual(errors, []);
  await context.close();
});
