// liveview-civetweb (a CivetWeb server with LiveViews mounted by
// lv_civetweb_mount): what the built-in server guarantees holds through the
// adapter. Join authenticity, form tokens and malformed channel frames are
// join.test.mjs, forms.test.mjs and channel.test.mjs run against this binary
// too (ctest: protocol_civetweb_*); here: CivetWeb's own page, Origin at the
// handshake, RFC 6455 framing, message limits, and session data from the
// program's own store reaching mount.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, sourceDir } from "../lib/server.mjs";
import { Client, loadPage, floodUntilDropped } from "../lib/client.mjs";
import { httpRaw, upgradeRequest, rawWebSocket, frame, closeCode, waitFor, parseFrames } from "../lib/raw.mjs";

// ctest passes "" when CivetWeb was not found; run by hand, the default build.
const bin = process.env.LV_CIVETWEB_BIN ?? path.join(sourceDir, "build/bin/liveview-civetweb");
const built = Boolean(bin) && fs.existsSync(bin);
const skip = built ? false : "liveview-civetweb was not built (CivetWeb not found: install libcivetweb-dev)";

let server;
before(async () => { if (built) server = await startServer({}, { bin }); });
after(async () => {
  if (!server) return;
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

test("CivetWeb serves its own page at / and the LiveViews on the same port", { skip }, async () => {
  const home = await fetch(server.url + "/");
  assert.equal(home.status, 200);
  const html = await home.text();
  assert.match(html, /Served by CivetWeb 1\.\d+/);
  for (const href of ["/counter", "/form", "/visitor"]) assert.ok(html.includes(`href="${href}"`), href);
  const counter = await loadPage(server.url, "/counter");
  assert.equal(counter.status, 200);
  assert.match(counter.html, /<span id="count" class="value">0<\/span>/);
  assert.ok(counter.session && counter.csrf, "a LiveView page with its tokens");
  assert.match(counter.cookie, /^_lv_session=/);
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(counter.html)[1];
  const js = await fetch(server.url + asset);
  assert.equal(js.status, 200);
  assert.match(js.headers.get("content-type"), /javascript/);
  assert.equal((await fetch(server.url + "/nowhere")).status, 404, "the library's 404 for a path nobody serves");
});

test("a click over CivetWeb's WebSocket is answered with a diff", { skip }, async () => {
  const page = await loadPage(server.url, "/counter");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join(page);
  assert.equal(reply[4].status, "ok");
  assert.deepEqual((await c.click(joinRef, page.topic, "inc"))[4].response.diff, { 0: "1" });
  assert.equal((await c.heartbeat())[4].status, "ok");
  c.close();
});

test("the handshake's Origin is checked: a foreign origin or the wrong scheme is 403", { skip }, async () => {
  const port = server.port;
  const up = (origin) => httpRaw(port, upgradeRequest(port, { headers: { Origin: origin } }));
  assert.equal((await up(`http://127.0.0.1:${port}`)).status, 101, "the page's own origin");
  assert.equal((await up("http://evil.example")).status, 403, "a foreign origin");
  assert.equal((await up(`https://127.0.0.1:${port}`)).status, 403, "https for an http server");
  assert.equal((await up(`http://127.0.0.1:${port + 1}`)).status, 403, "another port");
  const badVsn = await httpRaw(port, upgradeRequest(port, { path: "/live/websocket?vsn=1.0.0" }));
  assert.equal(badVsn.status, 403, "a client version the server does not speak");
});

test("a Sec-WebSocket-Key that is not 24 characters is 400, and the server goes on", { skip }, async () => {
  const port = server.port;
  for (const key of ["x".repeat(64), "x".repeat(2000), "short"]) {
    const res = await httpRaw(port, upgradeRequest(port, { headers: { "Sec-WebSocket-Key": key } }));
    assert.equal(res.status, 400, `a key of ${key.length} characters`);
  }
  const page = await loadPage(server.url, "/counter");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  assert.equal((await c.join(page)).reply[4].status, "ok");
  c.close();
});

test("framing errors close with the built-in server's codes", { skip }, async () => {
  const cases = [
    ["reserved bit", frame(1, "[]", { rsv: 4 }), 1002],
    ["reserved opcode 3", frame(3, "x"), 1002],
    ["reserved opcode 0xB", frame(0xb, "x"), 1002],
    // Not here: a 126-byte or fragmented ping. CivetWeb answers pings itself
    // (enable_websocket_ping_pong, docs/integration.md) and lets those pass.
    ["orphan continuation", frame(0, "x"), 1002],
    ["text inside a fragmented message", Buffer.concat([frame(1, "a", { fin: false }), frame(1, "b")]), 1002],
    ["overlong UTF-8", frame(1, Buffer.from([0xc0, 0xaf])), 1007],
    ["UTF-16 surrogate", frame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
    ["split code point, bad second half",
     Buffer.concat([frame(1, Buffer.from([0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0x41]))]), 1007],
    ["close with a 1-byte body", frame(8, Buffer.from([3])), 1002],
    ["close with code 1005", frame(8, Buffer.from([0x03, 0xed])), 1002],
    ["close with a bad UTF-8 reason", frame(8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
    ["close 1000", frame(8, Buffer.from([0x03, 0xe8])), 1000],
    ["close 3000", frame(8, Buffer.from([0x0b, 0xb8])), 3000],
    ["close without a body", frame(8, ""), 1000],
  ];
  for (const [name, bytes, code] of cases) {
    const sock = await rawWebSocket(server.port);
    sock.write(bytes);
    assert.equal(await closeCode(sock), code, name);
    await sock.ended;
  }
});

test("a ping is answered with a pong carrying the same data", { skip }, async () => {
  const sock = await rawWebSocket(server.port);
  sock.write(frame(9, "hello"));
  const buf = await waitFor(sock, (b) => parseFrames(b).some((f) => f.opcode === 0xa));
  const pong = parseFrames(buf).find((f) => f.opcode === 0xa);
  assert.equal(String(pong.payload), "hello");
  sock.destroy();
});

test("a message over the limit closes with 1009, whole or in fragments", { skip }, async () => {
  const whole = await rawWebSocket(server.port);
  whole.write(frame(1, "x".repeat((1 << 20) + 1)));
  assert.equal(await closeCode(whole), 1009, "one frame of 1 MiB + 1");
  whole.destroy();
  const pieces = await rawWebSocket(server.port);
  const piece = "x".repeat(60000);
  const frames = [frame(2, piece, { fin: false })];
  for (let i = 0; i < 20; i++) frames.push(frame(0, piece, { fin: false }));
  pieces.write(Buffer.concat(frames));
  assert.equal(await closeCode(pieces), 1009, "fragments adding up past the limit");
  pieces.destroy();
  // The server still serves.
  assert.equal((await loadPage(server.url, "/counter")).status, 200);
});

test("a fragmented message is reassembled and answered", { skip }, async () => {
  const page = await loadPage(server.url, "/counter");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  await c.join(page);
  // A heartbeat cut into a text frame and two continuations.
  const text = JSON.stringify([null, "42", "phoenix", "heartbeat", {}]);
  c.ws.send(text.slice(0, 5), { fin: false });
  c.ws.send(text.slice(5, 20), { fin: false });
  c.ws.send(text.slice(20), { fin: true });
  const reply = await c.next((m) => Array.isArray(m) && m[1] === "42");
  assert.equal(reply[4].status, "ok");
  c.close();
});

test("session data from the program's own store reaches mount, over HTTP and over the join", { skip }, async () => {
  const home = await fetch(server.url + "/");
  const cookie = home.headers.get("set-cookie").split(";")[0];
  assert.match(cookie, /^cw_visitor=[0-9a-f]{32}$/);
  const number = /<span id="visitor">(\d+)<\/span>/.exec(await home.text())[1];

  const page = await loadPage(server.url, "/visitor", cookie);
  assert.match(page.html, new RegExp(`You are visitor ${number} of this CivetWeb server`));
  // The library's session cookie comes with the page; the socket presents both.
  const both = `${cookie}; ${page.cookie}`;
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: both });
  const { reply } = await c.join({ ...page, cookie: both });
  assert.equal(reply[4].status, "ok");
  assert.ok(JSON.stringify(reply[4].response.rendered).includes(number), "mount saw the visitor on the join");
  c.close();

  const stranger = await loadPage(server.url, "/visitor", "cw_visitor=" + "0".repeat(32));
  assert.match(stranger.html, /No visitor cookie yet/, "an id the store does not know is no visitor");
  const none = await loadPage(server.url, "/visitor");
  assert.match(none.html, /No visitor cookie yet/);
});

test("a client that does not read is closed at max_outbound_bytes and holds up no one else", { skip }, async () => {
  // One loop, so the reader and the stalled client share it.
  const capped = await startServer({ LV_MAX_OUTBOUND_BYTES: "65536", LV_WORKERS: "1" }, { bin });
  try {
    const reader = await loadPage(capped.url, "/counter");
    const r = await Client.connect(capped.url, { csrf: reader.csrf, cookie: reader.cookie });
    const { joinRef: readerRef } = await r.join(reader);

    const page = await loadPage(capped.url, "/counter");
    const c = await Client.connect(capped.url, { csrf: page.csrf, cookie: page.cookie });
    const { joinRef } = await c.join(page);
    await floodUntilDropped(capped, c, joinRef, page.topic); // the cap, not some other path, ended it
    // The loop the stalled client shares is not blocked writing to it.
    assert.deepEqual((await r.click(readerRef, reader.topic, "inc"))[4].response.diff, { 0: "1" });
    c.ws._socket.resume(); // read again: the connection ends
    await c.closed;
    r.close();
  } finally {
    assert.equal(await capped.stop(), 0, "server exits cleanly:\n" + capped.output());
  }
});
