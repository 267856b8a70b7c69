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

test("sign out ends the old cookie; sign out everywhere ends the user's other browsers", async () => {
  const signIn = async (name) => {
    const page = await newPage(t.browser);
    await page.goto(t.server.url + "/login");
    await connected(page);
    await page.fill('input[name="name"]', name);
    await Promise.all([page.waitForURL(t.server.url + "/me"), page.click('#login-form button[type="submit"]')]);
    await connected(page);
    assert.equal(await page.textContent("#me"), "Signed in as " + name);
    return page;
  };

  // A copy of the cookie taken before the logout (a stolen one) is worthless after it.
  const first = await signIn("Ada");
  const stolen = (await first.context().cookies()).find((c) => c.name === "_lv_session");
  await Promise.all([first.waitForURL(t.server.url + "/login"), first.click('#logout-form button[type="submit"]')]);
  const thief = await newPage(t.browser);
  await thief.context().addCookies([stolen]);
  await thief.goto(t.server.url + "/me");
  await connected(thief);
  assert.equal(await thief.textContent("#me"), "Not signed in.");

  // Two browsers of one user: "Sign out everywhere" in one ends the other.
  const laptop = await signIn("Barbara");
  const phone = await signIn("Barbara");
  await Promise.all([laptop.waitForURL(t.server.url + "/login"),
                     laptop.click('#logout-everywhere-form button[type="submit"]')]);
  await phone.reload();
  await connected(phone);
  assert.equal(await phone.textContent("#me"), "Not signed in.");
  await screenshot(phone, "me-signed-out-everywhere.png");
  for (const p of [first, thief, laptop, phone]) {
    assert.deepEqual(p.errors, []);
    await p.context().close();
  }
});
