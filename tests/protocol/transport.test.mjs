// HTTP and WebSocket transport against the running server, with raw bytes:
// limits, bad requests, handshake checks and RFC 6455 framing errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage, floodUntilDropped } from "../lib/client.mjs";
import {
  rawConnect, waitFor, httpRaw, parseResponse, upgradeRequest, rawWebSocket, frame, parseFrames, closeCode, received,
} from "../lib/raw.mjs";

let server, port;
before(async () => {
  server = await startServer({ LV_HEADER_TIMEOUT: "1", LV_IDLE_TIMEOUT: "2" });
  port = server.port;
});
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

const get = (path, extra = "") => httpRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`);

test("pages, assets, 404 and 405", async () => {
  const page = await get("/counter");
  assert.equal(page.status, 200);
  assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(page.headers["cache-control"], "no-store");
  const jsUrl = /src="(\/assets\/phoenix-[0-9a-f]{16}\.js)"/.exec(page.body)[1];
  const js = await get(jsUrl);
  assert.equal(js.status, 200);
  assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
  const etag = js.headers["etag"];
  assert.match(etag, /^"[0-9a-f]{16}"$/);
  assert.equal((await get(jsUrl, `If-None-Match: ${etag}\r\n`)).status, 304);
  const cssUrl = /href="(\/assets\/app-[0-9a-f]{16}\.css)"/.exec(page.body)[1];
  assert.equal((await get(cssUrl)).headers["content-type"], "text/css; charset=utf-8");
  assert.equal((await get("/nope")).status, 404);
  const post = await httpRaw(port, "POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  assert.equal(post.status, 405);
  assert.equal(post.headers["allow"], "GET, HEAD");
  const head = await httpRaw(port, "HEAD /counter HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
});

test("no path traversal", async () => {
  for (const p of ["/assets/../CMakeLists.txt", "/assets/%2e%2e/CMakeLists.txt", "/assets/../../etc/passwd",
                   "/assets//app.js", "/assets/app.js/", "/assets/js/app.js", "/../README.md"]) {
    assert.equal((await get(p)).status, 404, p);
  }
});

test("keep-alive and pipelined requests on one connection", async () => {
  const sock = await rawConnect(port);
  sock.write("GET /counter HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  const buf = await waitFor(sock, (b) => (b.toString().match(/HTTP\/1\.1 /g) || []).length >= 2);
  const text = buf.toString();
  assert.ok(text.startsWith("HTTP/1.1 200"));
  assert.ok(text.includes("HTTP/1.1 404"));
  sock.destroy();
});

test("oversized or malformed requests are refused", async () => {
  assert.equal((await get("/counter", `X-Big: ${"a".repeat(20000)}\r\n`)).status, 431);
  let many = "";
  for (let i = 0; i < 101; i++) many += `X-H${i}: v\r\n`;
  assert.equal((await get("/counter", many)).status, 431);
  assert.equal((await get("/" + "a".repeat(17000))).status, 431);
  const big = await httpRaw(port, `POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 << 20}\r\n\r\n`);
  assert.equal(big.status, 413);
  const smuggle = await httpRaw(port, "POST /counter HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  assert.equal(smuggle.status, 400);
  assert.equal((await httpRaw(port, "GET /counter HTTP/1.1\r\nHost x\r\n\r\n")).status, 400);
  assert.equal((await httpRaw(port, "GET /counter HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n")).status, 400);
  assert.equal((await httpRaw(port, "GET /counter HTTP/1.1\r\nHost: a\0b\r\n\r\n")).status, 400);
  assert.equal((await httpRaw(port, "GARBAGE\r\n\r\n")).status, 400);
  const twoCl = await httpRaw(port, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
  assert.equal(twoCl.status, 400);
});

test("a request head that never ends is timed out", async () => {
  const sock = await rawConnect(port);
  sock.write("GET /counter HTTP/1.1\r\nHost: x\r\n");
  await sock.ended;
  assert.equal(parseResponse(received(sock)).status, 408);
});

test("the WebSocket handshake is checked", async () => {
  const up = (opts) => httpRaw(port, upgradeRequest(port, opts));
  assert.equal((await up({})).status, 101);
  const v8 = await up({ headers: { "Sec-WebSocket-Version": "8" } });
  assert.equal(v8.status, 426);
  assert.equal(v8.headers["sec-websocket-version"], "13");
  assert.equal((await up({ headers: { "Sec-WebSocket-Key": undefined } })).status, 400);
  assert.equal((await up({ headers: { "Sec-WebSocket-Key": "c2hvcnQ=" } })).status, 400);
  assert.equal((await up({ headers: { Connection: "keep-alive" } })).status, 400);
  assert.equal((await up({ path: "/live/websocket" })).status, 403, "vsn=2.0.0 is required");
  assert.equal((await up({ path: "/live/websocket?vsn=1.0.0" })).status, 403);
  for (const origin of ["https://evil.com", `http://127.0.0.1:${port}.evil.com`, "null", `http://evil127.0.0.1:${port}`]) {
    assert.equal((await up({ headers: { Origin: origin } })).status, 403, origin);
  }
  assert.equal((await up({ headers: { Origin: `http://127.0.0.1:${port}` } })).status, 101);
  const post = await httpRaw(port, upgradeRequest(port).replace("GET", "POST"));
  assert.equal(post.status, 400);
});

test("ping is answered with a pong carrying the same data", async () => {
  const sock = await rawWebSocket(port);
  sock.write(frame(9, "hello"));
  const buf = await waitFor(sock, (b) => parseFrames(b).length > 0);
  assert.deepEqual(parseFrames(buf)[0], { opcode: 10, payload: Buffer.from("hello") });
  sock.destroy();
});

test("a fragmented message with an interleaved ping is reassembled", async () => {
  const sock = await rawWebSocket(port);
  const msg = JSON.stringify([null, "5", "phoenix", "heartbeat", {}]);
  sock.write(Buffer.concat([
    frame(1, msg.slice(0, 10), { fin: false }),
    frame(9, "p"),
    frame(0, msg.slice(10, 20), { fin: false }),
    frame(0, msg.slice(20)),
  ]));
  const buf = await waitFor(sock, (b) => parseFrames(b).some((f) => f.opcode === 1));
  const text = parseFrames(buf).find((f) => f.opcode === 1);
  assert.deepEqual(JSON.parse(text.payload), [null, "5", "phoenix", "phx_reply", { status: "ok", response: {} }]);
  sock.destroy();
});

test("framing errors close with the right code", async () => {
  const cases = [
    ["unmasked frame", frame(1, "[]", { mask: false }), 1002],
    ["reserved bit", frame(1, "[]", { rsv: 4 }), 1002],
    ["reserved opcode 3", frame(3, "x"), 1002],
    ["reserved opcode 0xB", frame(0xb, "x"), 1002],
    ["126-byte ping", frame(9, "x".repeat(126)), 1002],
    ["fragmented ping", frame(9, "x", { fin: false }), 1002],
    ["orphan continuation", frame(0, "x"), 1002],
    ["text inside a fragmented message", Buffer.concat([frame(1, "a", { fin: false }), frame(1, "b")]), 1002],
    ["overlong UTF-8", frame(1, Buffer.from([0xc0, 0xaf])), 1007],
    ["UTF-16 surrogate", frame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
    ["code point above U+10FFFF", frame(1, Buffer.from([0xf4, 0x90, 0x80, 0x80])), 1007],
    ["split code point, bad second half", Buffer.concat([frame(1, Buffer.from([0xe2, 0x82]), { fin: false }), frame(0, Buffer.from([0x41]))]), 1007],
    ["message over the limit", frame(1, "", { length: 2 << 20 }), 1009],
    ["close with a 1-byte body", frame(8, Buffer.from([3])), 1002],
    ["close with code 1005", frame(8, Buffer.from([0x03, 0xed])), 1002],
    ["close with code 999", frame(8, Buffer.from([0x03, 0xe7])), 1002],
    ["close with code 5000", frame(8, Buffer.from([0x13, 0x88])), 1002],
    ["close with a bad UTF-8 reason", frame(8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
    ["close 1000", frame(8, Buffer.from([0x03, 0xe8])), 1000],
    ["close 3000", frame(8, Buffer.from([0x0b, 0xb8])), 3000],
    ["close without a body", frame(8, ""), 1000],
  ];
  for (const [name, bytes, code] of cases) {
    const sock = await rawWebSocket(port);
    sock.write(bytes);
    assert.equal(await closeCode(sock), code, name);
    await sock.ended;
  }
});

test("many small fragments over the limit close with 1009", async () => {
  const sock = await rawWebSocket(port);
  const piece = "x".repeat(60000);
  const frames = [frame(2, piece, { fin: false })];
  for (let i = 0; i < 20; i++) frames.push(frame(0, piece, { fin: false }));
  sock.write(Buffer.concat(frames));
  assert.equal(await closeCode(sock), 1009);
  sock.destroy();
});

test("an idle WebSocket is closed with 1001", async () => {
  const sock = await rawWebSocket(port);
  assert.equal(await closeCode(sock), 1001);
  await sock.ended;
});

test("a client that never reads is disconnected, not buffered forever", async () => {
  // A server of its own: with the long default idle timeout, the only way
  // this connection can end is the outbound cap.
  const capped = await startServer({ LV_MAX_OUTBOUND_BYTES: "65536" });
  try {
    const page = await loadPage(capped.url);
    const c = await Client.connect(capped.url, { csrf: page.csrf, cookie: page.cookie });
    const { joinRef } = await c.join(page);
    await floodUntilDropped(capped, c, joinRef, page.topic); // the cap, not some other path, ended it
    c.ws._socket.resume(); // now read, to see the server's close
    const closed = await Promise.race([c.closed, rejectAfter(20000, "the server never closed the connection")]);
    assert.ok(closed);
    // And the server still serves everyone else.
    const other = await loadPage(capped.url);
    assert.equal(other.status, 200);
  } finally {
    assert.equal(await capped.stop(), 0, "server exits cleanly:\n" + capped.output());
  }
});

function rejectAfter(ms, message) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}
