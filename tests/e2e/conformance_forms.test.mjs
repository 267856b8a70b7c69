// The form and upload views of liveview-conformance (conformance/forms*.c,
// docs/conformance.md) in Chromium: change and submit, recovery of a form's
// values after the socket reconnects (also inside a LiveComponent and a
// nested LiveView, and with phx-auto-recover), rows added and removed with
// sort/drop params, the phx-feedback-for shim, a form that asks before
// leaving, uploads (stored and downloaded back, errors, an external
// uploader told of its cancel) and POST /submit behind the CSRF check.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, playwright, CHROMIUM_ARGS, sourceDir } from "../lib/server.mjs";
import { newPage, cspViolations, screenshot } from "../lib/browser.mjs";

const bin = process.env.LV_CONFORMANCE_BIN || path.join(sourceDir, "build/bin/liveview-conformance");
// The server's TMPDIR: /upload stores consumed files under <tmp>/lvupload.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lv-e2e-conf-forms-"));
let server;
let browser;

before(async () => {
  server = await startServer({ TMPDIR: tmp }, { bin });
  browser = await playwright().chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  const code = await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(code, 0, "server exits cleanly:\n" + server?.output());
  assert.deepEqual(cspViolations.splice(0), [], "Content-Security-Policy violations");
});

// Opens a page; page.missing collects the URLs that answered 404 (but the
// favicon, which no page of the suite has either).
async function open(pathname) {
  const page = await newPage(browser);
  page.missing = [];
  page.on("response", (r) => {
    if (r.status() === 404 && !r.url().endsWith("/favicon.ico")) page.missing.push(r.url());
  });
  await page.goto(server.url + pathname);
  await page.waitForSelector(".phx-connected");
  return page;
}

// The page's socket goes and comes back; resolves once the view rejoined.
async function reconnect(page) {
  await page.evaluate(() => new Promise((resolve) => window.liveSocket.disconnect(resolve)));
  await page.waitForSelector(".phx-loading");
  await page.evaluate(() => window.liveSocket.connect());
  await page.waitForFunction(() => !document.querySelector(".phx-loading") && document.querySelector(".phx-connected"));
}

// Waits until no phx-*-loading class is left: every event was answered.
const settled = (page) =>
  page.waitForFunction(() => !document.querySelector(".phx-change-loading, .phx-submit-loading, .phx-click-loading"));

test("/form: a change is validated, a submit answered, the values come back after a reconnect", async () => {
  const page = await open("/form");
  await page.fill("input[name=b]", "typed");
  await page.fill("input[name=c]", "more");
  await page.selectOption("select[name=d]", "baz");
  await settled(page);
  await reconnect(page);
  assert.equal(await page.inputValue("input[name=b]"), "typed");
  assert.equal(await page.inputValue("input[name=c]"), "more");
  assert.equal(await page.inputValue("select[name=d]"), "baz");
  assert.equal(await page.getAttribute("input[name=a]", "readonly"), "", "a stays readonly");
  await page.click("#submit");
  await page.waitForSelector("text=Form was submitted!");
  await screenshot(page, "conformance-form.png");
  assert.deepEqual(page.missing, []);
  await page.context().close();
});

test("/form: the recovery event of phx-auto-recover runs instead of validate; without an id nothing recovers", async () => {
  const page = await open("/form?phx-auto-recover=custom-recovery");
  await page.fill("input[name=b]", "typed");
  await page.locator("input[name=b]").blur(); // a focused input keeps what the user typed
  await settled(page);
  await reconnect(page);
  await page.waitForFunction(() => document.querySelector("input[name=b]").value === "custom value from server");

  const noId = await open("/form?no-id");
  assert.equal(await noId.locator("input[name=e]").count(), 0, "no form id: no input outside the form");
  await noId.fill("input[name=b]", "typed");
  await noId.locator("input[name=b]").blur();
  await settled(noId);
  await reconnect(noId);
  assert.equal(await noId.inputValue("input[name=b]"), "bar", "the server's value: no recovery without an id");
  await page.context().close();
  await noId.context().close();
});

test("/form in a LiveComponent and in a nested LiveView: events reach it, recovery works", async () => {
  const component = await open("/form?live-component");
  await component.fill("input[name=b]", "in component");
  await settled(component);
  await reconnect(component);
  assert.equal(await component.inputValue("input[name=b]"), "in component");
  await component.click("#submit");
  await component.waitForSelector("text=LC Form was submitted!");

  const nested = await open("/form/nested?js-change=1");
  assert.match(await nested.getAttribute("#nested form", "phx-change"), /push/, "the query reached the child");
  await nested.fill("input[name=b]", "in child");
  await settled(nested);
  await reconnect(nested);
  assert.equal(await nested.inputValue("input[name=b]"), "in child");
  await nested.click("#submit");
  await nested.waitForSelector("#nested >> text=Form was submitted!");
  assert.deepEqual([...component.missing, ...nested.missing], []);
  await component.context().close();
  await nested.context().close();
});

test("/form/stream: hooks in a form get their replies, and each change adds a stream item", async () => {
  const page = await open("/form/stream");
  await page.waitForFunction(() => document.querySelector("#form-stream-hook").innerText === "pong");
  await page.waitForFunction(() => [...document.querySelectorAll("#form-stream li")].every((li) => li.innerText.endsWith("pong")));
  await page.fill("input[name=myname]", "x");
  await page.waitForFunction(() => document.querySelectorAll("#form-stream li").length === 4);
  await page.waitForFunction(() => document.querySelector("#form-stream li:last-child").innerText === "*%{id: 4}pong");
  await page.context().close();
});

test("/form/dynamic-inputs: rows are added and dropped through sort and drop params", async () => {
  const page = await open("/form/dynamic-inputs");
  const formData = () => page.locator("form").evaluate((form) => Object.fromEntries(new FormData(form).entries()));
  assert.deepEqual(await formData(), { "my_form[name]": "", "my_form[users_drop][]": "" });
  await page.fill("#my-form_name", "Team");
  for (let i = 0; i < 3; i++) {
    await page.getByRole("button", { name: "add more" }).click();
    await page.waitForSelector(`#my-form_users_${i}_name`);
    await settled(page);
  }
  await page.fill("#my-form_users_0_name", "Ann");
  await page.fill("#my-form_users_1_name", "Bob");
  await page.fill("#my-form_users_2_name", "Cy");
  await settled(page);
  await page.click('button[name="my_form[users_drop][]"][value="1"]');
  await page.waitForFunction(() => !document.querySelector("#my-form_users_2_name"));
  const data = await formData();
  assert.equal(data["my_form[users][0][name]"], "Ann");
  assert.equal(data["my_form[users][1][name]"], "Cy");
  assert.equal(data["my_form[name]"], "Team");
  await page.context().close();
});

test("/form/feedback: phx-feedback-for hides a message until its input is used, and the toggle removes it", async () => {
  const page = await open("/form/feedback");
  const feedback = page.locator("[data-feedback-container]");
  assert.equal(await feedback.isVisible(), false);
  await page.fill("input[name=name]", "x");
  await page.waitForSelector("text=Validate Count: 1");
  assert.equal(await feedback.isVisible(), false, "another input was used");
  await page.fill("input[name=myfeedback]", "y");
  await page.waitForSelector("text=Validate Count: 2");
  await feedback.waitFor({ state: "visible" });
  await page.getByRole("button", { name: "Reset" }).click();
  await feedback.waitFor({ state: "hidden" });
  await page.getByRole("button", { name: "Toggle feedback" }).click();
  await page.waitForFunction(() => !document.querySelector("[data-feedback-container]").hasAttribute("phx-feedback-for"));
  await page.context().close();
});

test("/form-unsaved: a dirty form asks before live navigation, and stays when refused", async () => {
  const page = await open("/form-unsaved");
  await page.fill("#unsaved-note", "draft");
  await page.waitForSelector("#unsaved-value:text('Unsaved value: draft')");
  await page.waitForSelector("#unsaved-form[data-dirty=true]");
  const dialog = page.waitForEvent("dialog");
  const click = page.getByRole("link", { name: "Leave form" }).click();
  const confirm = await dialog;
  assert.equal(confirm.message(), "You have unsaved changes. Leave without saving?");
  await confirm.dismiss();
  await click;
  assert.equal(new URL(page.url()).pathname, "/form-unsaved");
  const events = await page.evaluate(() => window.unsavedEvents);
  assert.equal(events.length, 1);
  assert.equal(events[0].detail.href, server.url + "/form-unsaved/target");
  await page.context().close();
});

test("/upload: a file is stored and served back; too many files and a wrong type are errors", async () => {
  const page = await open("/upload");
  await page.setInputFiles("#upload-form input[type=file]", {
    name: "note.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("conformance upload bytes"),
  });
  await page.waitForSelector("progress[value='0']");
  await settled(page);
  await page.getByRole("button", { name: "Upload" }).click();
  const link = page.locator("ul li a");
  await link.waitFor();
  const response = await page.request.get(server.url + (await link.getAttribute("href")));
  assert.equal(response.status(), 200);
  assert.equal(await response.text(), "conformance upload bytes");
  assert.equal(fs.readdirSync(path.join(tmp, "lvupload")).length, 1, "stored under the server's TMPDIR");

  const files = ["a.txt", "b.md", "c.txt"].map((name) => ({ name, mimeType: "text/plain", buffer: Buffer.from(name) }));
  await page.setInputFiles("#upload-form input[type=file]", files);
  await page.waitForSelector(".alert:text('You have selected too many files')");
  for (let left = 3; left > 0; left--) {
    await page.getByLabel("cancel").first().click();
    await page.waitForFunction((n) => document.querySelectorAll("article").length === n - 1, left);
  }
  await page.setInputFiles("#upload-form input[type=file]", { name: "x.html", mimeType: "text/html", buffer: Buffer.from("<p>") });
  await page.waitForSelector(".alert:text('You have selected an unacceptable file type')");
  assert.deepEqual([...page.errors.filter((e) => !/status of 404/.test(e)), ...page.missing], []);
  await page.context().close();
});

test("/upload?external_upload: the page's uploader gets the file and is told of its cancel", async () => {
  const page = await open("/upload?external_upload=1");
  await page.setInputFiles("#upload-form input[type=file]", {
    name: "far.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("never sent to this server"),
  });
  await page.waitForFunction(() => document.documentElement.dataset.externalUploadStarted);
  await page.getByLabel("cancel").click();
  await page.waitForFunction(() => document.documentElement.dataset.externalUploadAborted);
  assert.equal(
    await page.evaluate(() => document.documentElement.dataset.externalUploadAborted),
    await page.evaluate(() => document.documentElement.dataset.externalUploadStarted),
  );
  await page.context().close();
});

test("POST /submit echoes the form's fields as JSON, and refuses a post without the page's CSRF token", async () => {
  const page = await open("/form");
  // A form posted by the browser, as phx-trigger-action does.
  await page.evaluate(() => {
    const form = document.createElement("form");
    form.action = "/submit";
    form.method = "post";
    const fields = { _csrf_token: document.querySelector("meta[name='csrf-token']").content, "user[name]": "Ann" };
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  });
  await page.waitForURL(server.url + "/submit");
  const echoed = JSON.parse(await page.locator("body").innerText());
  assert.deepEqual(echoed.user, { name: "Ann" });
  const refused = await page.request.post(server.url + "/submit", { form: { a: "1" } });
  assert.equal(refused.status(), 403);
  await page.context().close();
});
