// Uploads on the wire (docs/uploads.md, docs/protocol.md §1.8 and §6), with
// a raw client: a whole upload, then every way a client can misbehave: a
// chunk over chunk_size, a size it lied about, a token of another view,
// entry or an expired one, chunks for a channel never joined, binary
// garbage, a chunk after cancel. Each is refused with a clear reply, and
// the server's upload directory is empty afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

const SECRET = "test-secret-key-base-that-is-long-enough-0123456789"; // startServer's
const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "lv-protocol-uploads-"));
let server;
before(async () => { server = await startServer({ LV_UPLOAD_DIR: uploadDir }); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
  assert.deepEqual(fs.readdirSync(uploadDir), [], "nothing left after the server stopped");
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

const files = () => fs.readdirSync(uploadDir);

// Waits for the directory to empty (a disconnect is handled after the
// close reaches the server, on its own schedule).
async function dirEmpty() {
  for (let i = 0; i < 400 && files().length > 0; i++) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual(files(), [], "the upload directory is empty");
}

let entrySeq = 0;
const entry = (size, name = "a.png", type = "image/png") =>
  ({ ref: String(entrySeq++), name, type, size, last_modified: 0, relative_path: "" });

// Joins /photos (or another page) and finds its upload's ref in the render.
async function joinPhotos(c, where = "/photos", cookie) {
  const page = await loadPage(server.url, where, cookie);
  c ??= await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok");
  const uploadRef = /data-phx-upload-ref=\\"(phx-[^\\"]+)\\"/.exec(JSON.stringify(reply[4].response.rendered))?.[1];
  return { c, page, joinRef, uploadRef, topic: page.topic };
}

const preflight = (v, entries) =>
  v.c.push(v.joinRef, v.topic, "allow_upload", { ref: v.uploadRef, entries, cid: null });

async function uploadJoin(c, entryRef, token) {
  const ref = String(++c.ref);
  c.ws.send(JSON.stringify([ref, ref, `lvu:${entryRef}`, "phx_join", { token }]));
  const reply = await c.next((m) => Array.isArray(m) && m[1] === ref && m[2] === `lvu:${entryRef}`);
  return { joinRef: ref, reply: reply[4] };
}

function binaryPush(joinRef, ref, topic, event, payload) {
  const head = [joinRef, ref, topic, event].map((s) => Buffer.from(s));
  return Buffer.concat([Buffer.from([0, ...head.map((h) => h.length)]), ...head, payload]);
}

async function chunk(c, joinRef, entryRef, bytes) {
  const ref = String(++c.ref);
  c.ws.send(binaryPush(joinRef, ref, `lvu:${entryRef}`, "chunk", bytes), { binary: true });
  return (await c.next((m) => Array.isArray(m) && m[1] === ref && m[3] === "phx_reply"))[4];
}

const closed = (c, entryRef) => c.next((m) => Array.isArray(m) && m[2] === `lvu:${entryRef}` && m[3] === "phx_close");

async function preflighted(v, size) {
  const e = entry(size);
  const reply = await preflight(v, [e]);
  assert.equal(reply[4].status, "ok", JSON.stringify(reply));
  const token = reply[4].response.entries[e.ref];
  assert.equal(typeof token, "string", JSON.stringify(reply[4].response));
  return { e, token, reply: reply[4].response };
}

test("a whole upload: preflight, channel, chunks, progress, save; the temp file goes with the save", async () => {
  const v = await joinPhotos();
  const { e, token, reply } = await preflighted(v, 100_000);
  assert.deepEqual(reply.config, { max_file_size: 5 * 1024 * 1024, max_entries: 3, chunk_size: 64000, chunk_timeout: 10000 });
  assert.equal(reply.ref, v.uploadRef);
  assert.deepEqual(reply.errors, {});
  assert.match(JSON.stringify(reply.diff), /data-phx-preflighted-refs=\\"0?\d*\\"|preflighted/);
  const u = await uploadJoin(v.c, e.ref, token);
  assert.deepEqual(u.reply, { status: "ok", response: {} });
  assert.equal(files().length, 1, "the file is being written");
  assert.equal((await uploadJoin(v.c, e.ref, token)).reply.response.reason, "already_registered");
  const bytes = crypto.randomBytes(100_000);
  assert.equal((await chunk(v.c, u.joinRef, e.ref, bytes.subarray(0, 64000))).status, "ok");
  assert.equal((await chunk(v.c, u.joinRef, e.ref, bytes.subarray(64000))).status, "ok");
  assert.equal(fs.readFileSync(path.join(uploadDir, files()[0])).equals(bytes), true, "the file holds the bytes");
  const p = await v.c.push(v.joinRef, v.topic, "progress", { event: null, ref: v.uploadRef, entry_ref: e.ref, progress: 100 });
  assert.equal(p[4].status, "ok");
  assert.match(JSON.stringify(p[4].response.diff), new RegExp(`data-phx-done-refs=\\\\"${e.ref}\\\\"`));
  const save = await v.c.push(v.joinRef, v.topic, "event",
    { type: "form", event: "save", value: `_csrf_token=${encodeURIComponent(v.page.csrf)}`, meta: {} });
  assert.equal(save[4].status, "ok");
  await closed(v.c, e.ref);
  assert.deepEqual(files(), []);
  v.c.close();
});

test("a chunk over chunk_size is refused and the file removed", async () => {
  const v = await joinPhotos();
  const { e, token } = await preflighted(v, 200_000);
  const u = await uploadJoin(v.c, e.ref, token);
  assert.equal(files().length, 1);
  const reply = await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(64001));
  assert.deepEqual(reply, { status: "error", response: { reason: "chunk_too_large" } });
  await closed(v.c, e.ref);
  assert.deepEqual(files(), []);
  // A frame larger than a WebSocket message may be (max_message_bytes,
  // 1 MiB) closes the connection (1009) before it is read.
  v.c.close();
  const w = await joinPhotos();
  const { e: e2, token: t2 } = await preflighted(w, 200_000);
  const u2 = await uploadJoin(w.c, e2.ref, t2);
  assert.equal(files().length, 1);
  w.c.ws.send(binaryPush(u2.joinRef, "99", `lvu:${e2.ref}`, "chunk", Buffer.alloc(1100 * 1024)), { binary: true });
  assert.equal((await w.c.closed).code, 1009);
  await dirEmpty();
});

test("a client lying about its size is cut off at the size it declared", async () => {
  const v = await joinPhotos();
  const { e, token } = await preflighted(v, 10);
  const u = await uploadJoin(v.c, e.ref, token);
  assert.equal((await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(8, 1))).status, "ok");
  const reply = await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(8, 2));
  assert.deepEqual(reply, { status: "error", response: { reason: "file_size_limit_exceeded", limit: 10 } });
  await closed(v.c, e.ref);
  assert.deepEqual(files(), []);
  // The entry stays, with its error, until the user cancels it (as Phoenix:
  // a form with an errored entry is not preflighted again).
  const stuck = await preflight(v, [entry(10)]);
  assert.deepEqual(stuck[4].response.error, [[e.ref, "too_large"]]);
  await v.c.push(v.joinRef, v.topic, "event", { type: "click", event: "cancel", value: { ref: e.ref } });
  await v.c.push(v.joinRef, v.topic, "event", { type: "click", event: "cancel", value: { ref: String(entrySeq - 1) } });
  // "100%" with bytes missing is no success either.
  const { e: e2, token: t2 } = await preflighted(v, 10);
  const u2 = await uploadJoin(v.c, e2.ref, t2);
  await chunk(v.c, u2.joinRef, e2.ref, Buffer.alloc(4));
  const p = await v.c.push(v.joinRef, v.topic, "progress", { event: null, ref: v.uploadRef, entry_ref: e2.ref, progress: 100 });
  assert.match(JSON.stringify(p[4].response), /the upload ended before the whole file arrived/);
  await closed(v.c, e2.ref);
  assert.deepEqual(files(), []);
  await v.c.push(v.joinRef, v.topic, "event", { type: "click", event: "cancel", value: { ref: e2.ref } });
  // A declared size over max_file_size gets no token at all.
  const big = entry(5 * 1024 * 1024 + 1);
  const r = await preflight(v, [big]);
  assert.deepEqual(r[4].response.error, [[big.ref, "too_large"]]);
  assert.equal(r[4].response.entries[big.ref], undefined);
  v.c.close();
});

// A token of our own making, with the server's key (the test knows the
// secret): right key, wrong claims.
function forge(claims, header) {
  const key = crypto.createHmac("sha256", SECRET).update("liveview-c/upload").digest();
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const mac = crypto.createHmac("sha256", key).update(`${header}.${body}`).digest("base64url");
  return `${header}.${body}.${mac}`;
}

test("tokens of another view, another entry, expired or tampered are refused", async () => {
  const a = await joinPhotos();
  const { e, token } = await preflighted(a, 10);
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
  assert.deepEqual(Object.keys(claims).sort(), ["c", "e", "exp", "iat", "v"]);
  assert.ok(claims.exp - claims.iat <= 60, "a short expiry");
  // Another connection with another view: the token's view is not there.
  const b = await joinPhotos();
  assert.deepEqual((await uploadJoin(b.c, e.ref, token)).reply, { status: "error", response: { reason: "invalid_token" } });
  // The right connection, another entry's channel.
  assert.equal((await uploadJoin(a.c, "999", token)).reply.response.reason, "invalid_token");
  // Expired, with a valid signature.
  const now = Math.floor(Date.now() / 1000);
  const header = token.split(".")[0];
  const expired = forge({ ...claims, iat: now - 120, exp: now - 60 }, header);
  assert.equal((await uploadJoin(a.c, e.ref, expired)).reply.response.reason, "invalid_token");
  // The same claims re-signed are accepted: the forge is faithful, so the
  // refusal above was the expiry's.
  const fresh = forge({ ...claims, iat: now, exp: now + 60 }, header);
  // Tampered: b's view id in a's token, signature unchanged.
  const [h, , mac] = token.split(".");
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, v: b.page.id })).toString("base64url")}.${mac}`;
  assert.equal((await uploadJoin(b.c, e.ref, tampered)).reply.response.reason, "invalid_token");
  assert.equal((await uploadJoin(a.c, e.ref, "")).reply.response.reason, "invalid_token");
  assert.deepEqual(files(), []);
  assert.deepEqual((await uploadJoin(a.c, e.ref, fresh)).reply, { status: "ok", response: {} });
  a.c.close();
  b.c.close();
  await dirEmpty();
});

test("chunks for a channel never joined, and binary garbage, are refused cleanly", async () => {
  const v = await joinPhotos();
  const reply = await chunk(v.c, "77", "12345", Buffer.from("data"));
  assert.deepEqual(reply, { status: "error", response: { reason: "unmatched topic" } });
  // Garbage: too short, not a push, fields overrunning the frame, random.
  for (const junk of [Buffer.alloc(0), Buffer.from([0, 1]), Buffer.from([1, 0, 0, 0, 0]),
    Buffer.from([0, 200, 200, 200, 200, 1, 2, 3]), crypto.randomBytes(3000)])
    v.c.ws.send(junk, { binary: true });
  // The connection is still served, in order.
  const hb = await v.c.heartbeat();
  assert.equal(hb[4].status, "ok");
  // A chunk event other than "chunk" on a joined channel.
  const { e, token } = await preflighted(v, 10);
  const u = await uploadJoin(v.c, e.ref, token);
  const ref = String(++v.c.ref);
  v.c.ws.send(binaryPush(u.joinRef, ref, `lvu:${e.ref}`, "chunkz", Buffer.from("x")), { binary: true });
  const odd = await v.c.next((m) => Array.isArray(m) && m[1] === ref);
  assert.equal(odd[4].response.reason, "unknown event");
  v.c.close();
  await dirEmpty();
});

test("a chunk after cancel is refused, and the file is gone", async () => {
  const v = await joinPhotos();
  const { e, token } = await preflighted(v, 1000);
  const u = await uploadJoin(v.c, e.ref, token);
  assert.equal((await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(100))).status, "ok");
  assert.equal(files().length, 1);
  const cancel = await v.c.push(v.joinRef, v.topic, "event", { type: "click", event: "cancel", value: { ref: e.ref } });
  assert.equal(cancel[4].status, "ok");
  await closed(v.c, e.ref);
  assert.deepEqual(files(), []);
  const after = await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(100));
  assert.deepEqual(after, { status: "error", response: { reason: "unmatched topic" } });
  v.c.close();
});

test("a disconnect mid-upload removes the file", async () => {
  const v = await joinPhotos();
  const { e, token } = await preflighted(v, 1000);
  const u = await uploadJoin(v.c, e.ref, token);
  await chunk(v.c, u.joinRef, e.ref, Buffer.alloc(100));
  assert.equal(files().length, 1);
  v.c.close();
  await dirEmpty();
});

test("the app's cap on bytes in flight, a client's own failure, and files in flight at a stop", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lv-protocol-uploads-cap-"));
  const own = await startServer({ LV_UPLOAD_DIR: dir, LV_UPLOAD_MAX_BYTES_IN_FLIGHT: "1000" });
  try {
    const page = await loadPage(own.url, "/photos");
    const c = await Client.connect(own.url, { csrf: page.csrf, cookie: page.cookie });
    const { joinRef, reply } = await c.join(page);
    const uploadRef = /data-phx-upload-ref=\\"(phx-[^\\"]+)\\"/.exec(JSON.stringify(reply[4].response.rendered))[1];
    const v = { c, page, joinRef, uploadRef, topic: page.topic };
    const a = await preflighted(v, 800);
    // 800 of 1000 reserved: 300 more do not fit.
    const b = entry(300);
    const busy = await preflight(v, [b]);
    assert.deepEqual(busy[4].response.errors, { [b.ref]: ["server_busy"] });
    assert.equal(busy[4].response.entries[b.ref], undefined);
    await c.push(joinRef, page.topic, "event", { type: "click", event: "cancel", value: { ref: b.ref } });
    // The client reports its own failure: the entry ends, its file goes.
    const ua = await uploadJoin(c, a.e.ref, a.token);
    await chunk(c, ua.joinRef, a.e.ref, Buffer.alloc(100));
    assert.equal(fs.readdirSync(dir).length, 1);
    const failed = await c.push(joinRef, page.topic, "progress",
      { event: null, ref: uploadRef, entry_ref: a.e.ref, progress: { error: "failed" } });
    assert.match(JSON.stringify(failed[4].response.diff), /the upload failed/);
    await closed(c, a.e.ref);
    assert.deepEqual(fs.readdirSync(dir), []);
    await c.push(joinRef, page.topic, "event", { type: "click", event: "cancel", value: { ref: a.e.ref } });
    // Its reservation went with it: 800 fit again. This one is still
    // arriving when the server stops.
    const d = await preflighted(v, 800);
    const ud = await uploadJoin(c, d.e.ref, d.token);
    await chunk(c, ud.joinRef, d.e.ref, Buffer.alloc(100));
    assert.equal(fs.readdirSync(dir).length, 1);
  } finally {
    assert.equal(await own.stop(), 0, own.output());
    assert.deepEqual(fs.readdirSync(dir), [], "a stop removes the files in flight");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
