// Signing in through a plain HTML form sets the session cookie; the
// LiveView at /me shows the name from the session it gets in mount, both in
// the server's HTML and after the client joins.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, connected, screenshot } from "../lib/browser.mjs";

const t = useServerAndBrowser();

test("login, then /me shows the signed-in name; logout forgets it", async () => {
  const page = await newPage(t.browser);
  const context = page.context();

  await page.goto(t.server.url + "/me");
  await connected(page);
  assert.equal(await page.textContent("#me"), "Not signed in.");

  await page.goto(t.server.url + "/login");
  await connected(page);
  await page.fill('input[name="name"]', "Grace Hopper");
  await Promise.all([page.waitForURL(t.server.url + "/me"), page.click('#login-form button[type="submit"]')]);
  await connected(page);
  assert.equal(await page.textContent("#me"), "Signed in as Grace Hopper");

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "_lv_session");
  assert.ok(session.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Lax");

  await screenshot(page, "me.png");

  await Promise.all([page.waitForURL(t.server.url + "/login"), page.click('#logout-form button[type="submit"]')]);
  await page.goto(t.server.url + "/me");
  await connected(page);
  assert.equal(await page.textContent("#me"), "Not signed in.");
  assert.deepEqual(page.errors, []);
  await context.close();
});
