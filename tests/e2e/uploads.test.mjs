// Uploads in Chromium with real files (docs/uploads.md): the /photos
// example (previews, progress, the gallery serving exactly the uploaded
// bytes, a second visitor's page updated over pub/sub, each error, drag and
// drop) and /firmware (auto-upload, progress, SHA-256, cancel mid-upload, a
// reload mid-upload). The server keeps its upload files in a directory of
// this test's, which must be empty whenever no upload is in flight.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { useServerAndBrowser, newPage, connected, screenshot, watchFor } from "../lib/browser.mjs";

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "lv-e2e-uploads-"));
const t = useServerAndBrowser({ LV_UPLOAD_DIR: uploadDir });
after(() => fs.rmSync(uploadDir, { recursive: true, force: true }));

// A valid PNG of w x h random pixels, padded with a tEXt chunk of pad bytes
// (browsers ignore it) to reach a size without a huge image.
function makePng(w, h, pad = 0) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  const pixels = crypto.randomBytes(w * 3 * h);
  for (let y = 0; y < h; y++) pixels.copy(raw, y * (w * 3 + 1) + 1, y * w * 3, (y + 1) * w * 3);
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)];
  if (pad > 0) parts.push(chunk("tEXt", Buffer.concat([Buffer.from("Comment\0"), Buffer.alloc(pad, 0x61)])));
  parts.push(chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0)));
  return Buffer.concat(parts);
}

const png = (name, w, h, pad) => ({ name, mimeType: "image/png", buffer: makePng(w, h, pad) });

const uploadFiles = () => fs.readdirSync(uploadDir);

async function dirEmpty() {
  for (let i = 0; i < 400 && uploadFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(uploadFiles(), [], "the upload directory is empty");
}

async function dirHasOneFile() {
  for (let i = 0; i < 400 && uploadFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(uploadFiles().length, 1, "one upload in flight");
}

async function open(where) {
  const page = await newPage(t.browser);
  // Holds FileReader reads past window.__holdAfter until the test releases
  // them: an upload stays mid-way for as long as a test needs, no timing.
  await page.addInitScript(() => {
    const read = FileReader.prototype.readAsArrayBuffer;
    window.__reads = 0;
    window.__holdAfter = Infinity;
    window.__held = [];
    FileReader.prototype.readAsArrayBuffer = function (blob) {
      window.__reads++;
      if (window.__reads > window.__holdAfter) window.__held.push(() => read.call(this, blob));
      else read.call(this, blob);
    };
  });
  await page.goto(t.server.url + where);
  await connected(page);
  return page;
}

const galleryCount = (page) => page.locator("#gallery img").count();
const galleryIs = (page, n) => page.waitForFunction((n) => document.querySelectorAll("#gallery img").length === n, n);

// The bytes an <img> of the gallery serves, fetched by the page itself.
const served = (page, index) =>
  page.evaluate(async (i) => {
    const src = document.querySelectorAll("#gallery img")[i].getAttribute("src");
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, index);

test("photos: preview, progress, the exact bytes in the gallery, and a second visitor updated", async () => {
  const a = await open("/photos");
  const b = await open("/photos");
  const before = await galleryCount(a);
  const files = [png("one.png", 40, 30, 150000), png("two.png", 20, 20)];
  await a.setInputFiles("#upload-form input[type=file]", files);
  await a.waitForFunction(() => document.querySelectorAll("#entries .upload-entry").length === 2);
  // The browser draws the previews from the chosen files, before any upload.
  await a.waitForFunction(() =>
    [...document.querySelectorAll("#entries img[data-phx-hook='Phoenix.LiveImgPreview']")].every((i) =>
      (i.getAttribute("src") || "").startsWith("blob:")));
  assert.deepEqual(await a.$$eval("#entries .name", (els) => els.map((e) => e.textContent)), ["one.png", "two.png"]);
  await screenshot(a, "photos-preview.png");

  const full = await watchFor(a, "#entries progress[value='100']");
  await a.click("#save");
  await full();
  await galleryIs(a, before + 2);
  await galleryIs(b, before + 2);
  await a.waitForFunction(() => document.querySelectorAll("#entries .upload-entry").length === 0);
  // Newest first: the gallery holds two.png, then one.png, byte for byte.
  assert.equal(await served(a, 0), files[1].buffer.toString("base64"));
  assert.equal(await served(a, 1), files[0].buffer.toString("base64"));
  assert.equal(await served(b, 1), files[0].buffer.toString("base64"));
  // The names are the server's.
  const srcs = await a.$$eval("#gallery img", (els) => els.map((e) => e.getAttribute("src")));
  assert.ok(srcs.every((s) => /^\/photos\/image\?name=p\d+-[0-9a-f]{8}\.png$/.test(s)), srcs.join(" "));
  await screenshot(b, "photos-gallery-second-visitor.png");
  await dirEmpty();
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context().close();
  await b.context().close();
});

test("photos: too large, not accepted, too many files, and none of them saved", async () => {
  const page = await open("/photos");
  const before = await galleryCount(page);
  const input = "#upload-form input[type=file]";

  await page.setInputFiles(input, [png("huge.png", 8, 8, 6 * 1024 * 1024)]);
  await page.waitForFunction(() => /too large/.test(document.querySelector("#entries")?.textContent ?? ""));
  await page.click("#save"); // refused by the client: the form has upload errors
  await page.click("#entries .cancel");
  await page.waitForFunction(() => document.querySelectorAll("#entries .upload-entry").length === 0);

  await page.setInputFiles(input, [{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello\n") }]);
  await page.waitForFunction(() => /not accepted/.test(document.querySelector("#entries")?.textContent ?? ""));
  await page.click("#entries .cancel");
  await page.waitForFunction(() => document.querySelectorAll("#entries .upload-entry").length === 0);

  await page.setInputFiles(input, [1, 2, 3, 4].map((i) => png(`p${i}.png`, 4, 4)));
  await page.waitForFunction(() => /too many files/.test(document.querySelector("form")?.textContent ?? ""));
  await screenshot(page, "photos-too-many.png");
  await page.click("#save");
  // Cancelling one leaves three: the error goes, and the three upload.
  await page.click("#entries .cancel");
  await page.waitForFunction(() => !/too many files/.test(document.querySelector("form")?.textContent ?? ""));
  await page.click("#save");
  // Exactly three more: nothing refused earlier was saved.
  await galleryIs(page, before + 3);
  await dirEmpty();
  await page.context().close();
});

test("photos: a file dropped on the drop target uploads", async () => {
  const page = await open("/photos");
  const before = await galleryCount(page);
  const file = png("dropped.png", 16, 16);
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
    document.querySelector("#drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, file.buffer.toString("base64"));
  await page.waitForFunction(() => document.querySelector("#entries .name")?.textContent === "dropped.png");
  await page.click("#save");
  await galleryIs(page, before + 1);
  assert.equal(await served(page, 0), file.buffer.toString("base64"));
  await dirEmpty();
  await page.context().close();
});

const bin = (name, size) => ({ name, mimeType: "application/octet-stream", buffer: crypto.randomBytes(size) });

test("firmware: auto-upload with progress, then the SHA-256 of the bytes received", async () => {
  const page = await open("/firmware");
  const file = bin("image.bin", 1_000_000);
  const full = await watchFor(page, "#firmware-progress[value='100']");
  await page.setInputFiles("#firmware-form input[type=file]", [file]);
  await full();
  await page.waitForSelector("#sha256");
  assert.equal(await page.textContent("#sha256"), crypto.createHash("sha256").update(file.buffer).digest("hex"));
  assert.equal(await page.textContent("#firmware-name"), "image.bin");
  await screenshot(page, "firmware-done.png");
  await dirEmpty();
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test("firmware: cancel mid-upload removes the file", async () => {
  const page = await open("/firmware");
  await page.evaluate(() => (window.__holdAfter = window.__reads + 2));
  await page.setInputFiles("#firmware-form input[type=file]", [bin("big.bin", 2_000_000)]);
  // Two chunks in, the third held: mid-upload, with a file on the server.
  await page.waitForFunction(() => window.__held.length === 1);
  await page.waitForFunction(() => Number(document.querySelector("#firmware-progress")?.getAttribute("value")) > 0);
  await dirHasOneFile();
  await page.click("#firmware-form .cancel");
  await page.waitForFunction(() => !document.querySelector("#firmware-progress"));
  await dirEmpty();
  await page.evaluate(() => window.__held.forEach((go) => go())); // the client finds its upload gone
  assert.equal(await page.locator("#sha256").count(), 0);
  await page.context().close();
});

test("firmware: a reload mid-upload leaves no temp file", async () => {
  const page = await open("/firmware");
  await page.evaluate(() => (window.__holdAfter = window.__reads + 1));
  await page.setInputFiles("#firmware-form input[type=file]", [bin("big.bin", 1_000_000)]);
  await page.waitForFunction(() => window.__held.length === 1);
  await dirHasOneFile();
  await page.reload();
  await connected(page);
  await dirEmpty();
  await page.context().close();
});

test("photos over long-poll: chunks travel as base64 lines", async () => {
  const page = await newPage(t.browser);
  await page.routeWebSocket(/\/live\/websocket/, (ws) => ws.close({ code: 1011, reason: "blocked" }));
  let posts = 0;
  page.on("request", (r) => { if (r.url().includes("/live/longpoll") && r.method() === "POST") posts++; });
  await page.goto(t.server.url + "/photos");
  await connected(page);
  const before = await galleryCount(page);
  const file = png("polled.png", 30, 30, 100000);
  await page.setInputFiles("#upload-form input[type=file]", [file]);
  await page.waitForFunction(() => document.querySelector("#entries .name")?.textContent === "polled.png");
  await page.click("#save");
  await galleryIs(page, before + 1);
  assert.equal(await served(page, 0), file.buffer.toString("base64"));
  assert.ok(posts > 0, "the client posted to /live/longpoll");
  await dirEmpty();
  await page.context().close();
});
