// The /books example in Chromium: a changeset validates on change (errors
// only for used fields) and on submit (every error), then adds, edits and
// deletes books; every form event carries the CSRF token.
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

const feedback = (page, field) =>
  page.evaluate((f) => document.querySelector(`[phx-feedback-for="book[${f}]"]`)?.textContent ?? null, field);

const titles = (page) => page.$$eval("#books tbody tr .title", (tds) => tds.map((td) => td.textContent));

test("validate, add, edit and delete books", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/books");
  await page.waitForSelector("[data-phx-main].phx-connected");
  assert.deepEqual(await titles(page), ["Dune", "The Odyssey", "A Brief History of Time"]);
  assert.equal(await page.locator(".invalid-feedback").count(), 0, "an untouched form shows no errors");

  // Typing one character into the title shows the title's error only: the
  // author is required too, but the user has not been there yet.
  await page.fill("#book_title", "D");
  await page.waitForFunction(() => document.querySelector('[phx-feedback-for="book[title]"]'));
  assert.equal(await feedback(page, "title"), "should be at least 2 character(s)");
  assert.equal(await feedback(page, "author"), null);

  // A bad year and ISBN, once typed, show their errors.
  await page.fill("#book_year", "1200");
  await page.waitForFunction(() => document.querySelector('[phx-feedback-for="book[year]"]'));
  assert.equal(await feedback(page, "year"), "must be greater than or equal to 1450");
  await page.fill("#book_isbn", "12ab");
  await page.waitForFunction(() => document.querySelector('[phx-feedback-for="book[isbn]"]'));
  assert.equal(await feedback(page, "isbn"), "has invalid format");

  // Submitting shows every error, the untouched ones too, and adds nothing.
  await page.click("#save");
  await page.waitForFunction(() => document.querySelector('[phx-feedback-for="book[author]"]'));
  assert.equal(await feedback(page, "author"), "can't be blank");
  assert.equal(await feedback(page, "genre"), "can't be blank");
  assert.equal((await titles(page)).length, 3);
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "books-errors.png"), fullPage: true });

  // Fixing every field clears the errors; saving adds the book and resets the form.
  await page.fill("#book_title", "Dubliners");
  await page.fill("#book_author", "James Joyce");
  await page.fill("#book_year", "1914");
  await page.fill("#book_isbn", "");
  await page.selectOption("#book_genre", "Fiction");
  await page.check("#book_available");
  await page.waitForFunction(() => document.querySelectorAll(".invalid-feedback").length === 0);
  await page.click("#save");
  await page.waitForFunction(() => [...document.querySelectorAll("#books .title")].some((t) => t.textContent === "Dubliners"));
  await page.waitForFunction(() => document.querySelector("#book_title").value === "");
  assert.match(await page.textContent("#notice"), /Added “Dubliners”/);
  const row = page.locator("#books tbody tr", { hasText: "Dubliners" });
  assert.deepEqual(await row.locator("td").allTextContents().then((t) => t.slice(0, 5)),
    ["Dubliners", "James Joyce", "1914", "Fiction", "yes"]);
  assert.equal(await page.textContent("#count"), "4 books");

  // Edit: the form fills with the book; a change is validated against it and saved over it.
  await row.locator("button.edit").click();
  await page.waitForFunction(() => document.querySelector("#book_title").value === "Dubliners");
  assert.equal(await page.textContent("#form-title"), "Edit “Dubliners”");
  assert.equal(await page.inputValue("#book_author"), "James Joyce");
  assert.equal(await page.inputValue("#book_genre"), "Fiction");
  assert.equal(await page.isChecked("#book_available"), true);
  await page.fill("#book_year", "3000");
  await page.waitForFunction(() => document.querySelector('[phx-feedback-for="book[year]"]'));
  assert.equal(await feedback(page, "year"), "must be less than or equal to 2100");
  await page.fill("#book_year", "1916");
  await page.uncheck("#book_available");
  await page.waitForFunction(() => document.querySelectorAll(".invalid-feedback").length === 0);
  await page.click("#save");
  await page.waitForFunction(() => [...document.querySelectorAll("#books tr")].some((tr) =>
    tr.textContent.includes("Dubliners") && tr.querySelector(".year").textContent === "1916"));
  assert.equal(await row.locator(".available").textContent(), "no");
  assert.equal(await page.textContent("#form-title"), "Add a book");
  assert.equal((await titles(page)).length, 4, "an edit does not add a book");

  // A second visitor sees the shared shelf.
  const other = await context.newPage();
  await other.goto(server.url + "/books");
  await other.waitForSelector("[data-phx-main].phx-connected");
  assert.ok((await titles(other)).includes("Dubliners"));
  await other.close();

  await page.screenshot({ path: path.join(artifacts, "books.png"), fullPage: true });

  // Delete.
  await row.locator("button.delete").click();
  await page.waitForFunction(() => ![...document.querySelectorAll("#books .title")].some((t) => t.textContent === "Dubliners"));
  assert.equal(await page.textContent("#count"), "3 books");

  assert.doesNotMatch(await server.settledLog(), /form event refused|carries no _csrf_token|helper .* failed|is not set/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a field the schema does not declare never reaches the data", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + "/books");
  await page.waitForSelector("[data-phx-main].phx-connected");
  // A hostile page adds an input: the changeset drops it, and the saved book
  // has only the declared fields (the table would show an id it set).
  await page.evaluate(() => {
    const form = document.querySelector("form[phx-submit=save]");
    for (const [name, value] of [["book[id]", "1"], ["book[role]", "admin"]]) {
      const input = document.createElement("input");
      input.type = "hidden"; input.name = name; input.value = value;
      form.appendChild(input);
    }
  });
  await page.fill("#book_title", "Ulysses");
  await page.fill("#book_author", "James Joyce");
  await page.selectOption("#book_genre", "Fiction");
  await page.click("#save");
  await page.waitForFunction(() => [...document.querySelectorAll("#books .title")].some((t) => t.textContent === "Ulysses"));
  // Dune still has id 1, and the new book got its own.
  assert.equal(await page.textContent("#book-1 .title"), "Dune");
  const ids = await page.$$eval("#books tbody tr", (trs) => trs.map((tr) => tr.id));
  assert.equal(new Set(ids).size, ids.length);
  const row = page.locator("#books tbody tr", { hasText: "Ulysses" });
  await row.locator("button.delete").click();
  await page.waitForFunction(() => ![...document.querySelectorAll("#books .title")].some((t) => t.textContent === "Ulysses"));
  await context.close();
});

test("another visitor's shelf follows adds and deletes without a reload", async () => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();
  for (const p of [pageA, pageB]) {
    await p.goto(server.url + "/books");
    await p.waitForSelector("[data-phx-main].phx-connected");
  }
  await pageA.fill("#book_title", "Middlemarch");
  await pageA.fill("#book_author", "George Eliot");
  await pageA.fill("#book_year", "1871");
  await pageA.selectOption("#book_genre", "Fiction");
  await pageA.waitForFunction(() => document.querySelectorAll(".invalid-feedback").length === 0);
  await pageA.click("#save");
  // Each page learns on its own connection (a reply, a pub/sub push), in no
  // set order: wait for both before comparing.
  const shelved = () => [...document.querySelectorAll("#books tbody tr .title")].some((td) => td.textContent === "Middlemarch");
  await pageB.waitForFunction(shelved);
  await pageA.waitForFunction(shelved);
  assert.deepEqual(await titles(pageB), await titles(pageA));
  await pageB.locator("#books tbody tr", { hasText: "Middlemarch" }).locator("button.delete").click();
  await pageA.waitForFunction(() => ![...document.querySelectorAll("#books tbody tr .title")].some((td) => td.textContent === "Middlemarch"));
  await a.close();
  await b.close();
});
