// The Autobahn TestSuite's server cases (sections 1-7 and 9) as raw-frame
// tests, one test per case number. The suite itself cannot run here; each
// case sends the frames its Python source sends (crossbario/autobahn-testsuite,
// autobahntestsuite/case/) and checks what its expectation says.
//
// Adaptations (the server speaks the Phoenix protocol inside messages, it is
// no echo server):
// - "echo" of a text message: the message is a Phoenix heartbeat, padded with
//   JSON whitespace to the case's size, and its phx_reply is the echo. A text
//   message that cannot be a heartbeat (empty, shorter than the smallest one,
//   or bytes JSON does not allow raw in a string, as in 6.7.1's U+0000) is
//   sent as it is, followed by a heartbeat as a barrier: the reply to the
//   barrier, and nothing before it, proves the message was taken and the
//   connection kept.
// - "echo" of a binary message: the message is a Phoenix binary push (the
//   upload chunk frame, docs/protocol.md §1.8) to a topic never joined,
//   padded to the case's size, answered with an "unmatched topic" error reply.
// - 9.x sizes are bounded by the server's 1 MiB message limit
//   (max_message_bytes) and the machine: 9.1.1-9.1.3 and 9.2.1-9.2.3 send
//   64 KiB, 256 KiB and exactly 1 MiB; 9.1.4-9.1.6 and 9.2.4-9.2.6 (4, 8 and
//   16 MiB) announce their length in a header and must be refused with 1009
//   before any payload is sent; 9.3/9.4 fragment a 256 KiB message (instead of
//   4 MiB) in the suite's fragment sizes 64 B-4 MiB; 9.5/9.6 write a 256 KiB
//   message (instead of 1 MiB) in chops of 64-2048 bytes; 9.7/9.8 make 200
//   round trips (instead of 1000) per size. No case measures time.
// Not applicable: sections 10 (auto-fragmentation of our own sends: the
// server never fragments), 12 and 13 (permessage-deflate: the server
// negotiates no extension, so RSV1 is refused as in 3.1). Autobahn's waits
// between frames ("frame by frame", "with sleeps") become: the next part is
// sent only after the server has answered or a heartbeat barrier came back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../lib/server.mjs";
import { rawWebSocket, frame, parseFrames, received } from "../lib/raw.mjs";

let server, port;
before(async () => {
  server = await startServer();
  port = server.port;
});
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

const KIB = 1024;
const MIB = 1024 * KIB;
const TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;

// ---- building messages ----

let nextRef = 0;
// A heartbeat of exactly `size` bytes (or the smallest one when size is
// smaller): JSON whitespace pads it. `extra` goes into the payload object.
function heartbeat(size = 0, extra = "") {
  const ref = `r${++nextRef}`;
  const body = extra ? `{"p":"${extra}"}` : "{}";
  const base = `[null,"${ref}","phoenix","heartbeat",${body}]`;
  const text = Buffer.byteLength(base) >= size ? base : base.slice(0, -1) + " ".repeat(size - Buffer.byteLength(base)) + "]";
  return { ref, bytes: Buffer.from(text) };
}

// A binary push of exactly `size` bytes to a topic never joined.
function binaryPush(size = 0) {
  const ref = `b${++nextRef}`;
  const fields = [Buffer.from("1"), Buffer.from(ref), Buffer.from("lvu:nobody"), Buffer.from("chunk")];
  const head = Buffer.concat([Buffer.from([0, ...fields.map((f) => f.length)]), ...fields]);
  const payload = Buffer.alloc(Math.max(0, size - head.length), 0xfe);
  return { ref, bytes: Buffer.concat([head, payload]) };
}

// ---- one connection and what came back ----

class Conn {
  static async open() {
    const c = new Conn();
    c.sock = await rawWebSocket(port);
    return c;
  }
  write(...bufs) {
    this.sock.write(Buffer.concat(bufs));
  }
  // Writes bytes in chops of `size`, letting the event loop turn between
  // them so they tend to leave as separate segments.
  async chopped(bytes, size) {
    for (let i = 0; i < bytes.length; i += size) {
      this.sock.write(bytes.subarray(i, i + size));
      if ((i / size) % 64 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  frames() {
    return parseFrames(received(this.sock));
  }
  // Resolves once pred holds on the frames received (or the socket closed).
  // Woken by each read rather than polled, so round trips stay quick.
  async until(pred, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.frames()) && !this.sock.destroyed && !this.sock.readableEnded && Date.now() < deadline) {
      await new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.sock.off("data", done);
          this.sock.off("close", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.sock.on("data", done);
        this.sock.on("close", done);
      });
    }
    return this.frames();
  }
  replyTo(ref) {
    return this.frames().find((f) => f.opcode === TEXT && JSON.parse(f.payload)[1] === ref);
  }
  async reply(ref) {
    await this.until((fs) => fs.some((f) => f.opcode === TEXT && JSON.parse(f.payload)[1] === ref));
    const f = this.replyTo(ref);
    assert.ok(f, `a reply to ${ref}; got ${describe(this.frames())}`);
    return JSON.parse(f.payload);
  }
  async closeCode() {
    const fs = await this.until((fs) => fs.some((f) => f.opcode === CLOSE));
    const close = fs.find((f) => f.opcode === CLOSE);
    assert.ok(close, `a close frame; got ${describe(fs)}`);
    await this.sock.ended; // the server closes the TCP connection after its close frame
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
  }
  // The connection is still open and nothing unexpected came: a heartbeat's
  // reply arrives and is the only frame after `before` frames.
  async alive(before = 0) {
    const hb = heartbeat();
    this.write(frame(TEXT, hb.bytes));
    const reply = await this.reply(hb.ref);
    assert.deepEqual(reply, [null, hb.ref, "phoenix", "phx_reply", { status: "ok", response: {} }]);
    assert.equal(this.frames().length, before + 1, "only the barrier's reply: " + describe(this.frames()));
  }
  end() {
    this.sock.destroy();
  }
}

function describe(fs) {
  return JSON.stringify(fs.map((f) => ({ op: f.opcode, len: f.payload.length, text: f.opcode === TEXT ? f.payload.toString().slice(0, 80) : undefined })));
}

function assertHeartbeatReply(reply, ref) {
  assert.deepEqual(reply, [null, ref, "phoenix", "phx_reply", { status: "ok", response: {} }]);
}

// Sends a text message (heartbeat of `size` bytes) as `send` builds it and
// checks the echo, then that the connection is alive with nothing else sent.
async function textEcho(size, send = (c, bytes) => c.write(frame(TEXT, bytes))) {
  const c = await Conn.open();
  const hb = heartbeat(size);
  assert.equal(hb.bytes.length, Math.max(size, hb.bytes.length));
  await send(c, hb.bytes);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  await onlyPongsAnd(c, 1);
  c.end();
}

// Besides `replies` replies, the server sent only pongs; then a barrier.
async function onlyPongsAnd(c, replies) {
  const fs = c.frames();
  assert.equal(fs.filter((f) => f.opcode !== PONG).length, replies, describe(fs));
  await c.alive(fs.length);
}

// Frame by frame: a ping after a frame, and its pong awaited, proves the
// server took the frame before the next is sent (a ping may come between
// fragments; a heartbeat may not).
let syncs = 0;
async function sync(c) {
  const tag = `sync-${++syncs}`;
  c.write(frame(PING, tag));
  await c.until((fs) => fs.some((f) => f.opcode === PONG && f.payload.toString() === tag));
}

async function binaryEcho(size, send = (c, bytes) => c.write(frame(BINARY, bytes))) {
  const c = await Conn.open();
  const push = binaryPush(size);
  await send(c, push.bytes);
  const reply = await c.reply(push.ref);
  assert.deepEqual(reply, ["1", push.ref, "lvu:nobody", "phx_reply", { status: "error", response: { reason: "unmatched topic" } }]);
  await onlyPongsAnd(c, 1);
  c.end();
}

// A message that is taken without an answer (not a Phoenix push).
async function silentlyTaken(bufs) {
  const c = await Conn.open();
  c.write(...bufs);
  await c.alive(0);
  c.end();
}

async function failsWith(code, bufs, { before = [] } = {}) {
  const c = await Conn.open();
  c.write(...bufs);
  assert.equal(await c.closeCode(), code);
  for (const f of c.frames()) if (f.opcode !== CLOSE) assert.ok(before.includes(f.opcode), "unexpected frame " + describe([f]));
  return c;
}

// ---- 1 Framing ----

const sizes11 = [0, 125, 126, 127, 128, 65535, 65536];
sizes11.forEach((size, i) => {
  test(`1.1.${i + 1} text message of ${size} bytes`, async () => {
    if (size === 0) return silentlyTaken([frame(TEXT, "")]); // an empty message cannot be a heartbeat
    await textEcho(size);
  });
});
test("1.1.8 text message of 65536 bytes in chops of 997 bytes", () => textEcho(65536, (c, b) => c.chopped(frame(TEXT, b), 997)));

sizes11.forEach((size, i) => {
  test(`1.2.${i + 1} binary message of ${size} bytes`, async () => {
    if (size === 0) return silentlyTaken([frame(BINARY, "")]); // no header: nobody to answer
    await binaryEcho(size);
  });
});
test("1.2.8 binary message of 65536 bytes in chops of 997 bytes", () => binaryEcho(65536, (c, b) => c.chopped(frame(BINARY, b), 997)));

// ---- 2 Pings/Pongs ----

async function pongs(payloads, send) {
  const c = await Conn.open();
  await send(c);
  const fs = await c.until((fs) => fs.filter((f) => f.opcode === PONG).length >= payloads.length);
  assert.deepEqual(fs.filter((f) => f.opcode === PONG).map((f) => f.payload), payloads.map((p) => Buffer.from(p)));
  await c.alive(payloads.length);
  c.end();
}

test("2.1 ping without payload", () => pongs([""], (c) => c.write(frame(PING, ""))));
test("2.2 ping with a small text payload", () => pongs(["Hello, world!"], (c) => c.write(frame(PING, "Hello, world!"))));
const bin8 = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
test("2.3 ping with a small binary payload", () => pongs([bin8], (c) => c.write(frame(PING, bin8))));
const bin125 = Buffer.alloc(125, 0xfe);
test("2.4 ping with a 125-byte binary payload", () => pongs([bin125], (c) => c.write(frame(PING, bin125))));
test("2.5 ping with a 126-byte payload fails the connection", () => failsWith(1002, [frame(PING, Buffer.alloc(126, 0xfe))]));
test("2.6 ping with a 125-byte payload in chops of 1 byte", () => pongs([bin125], (c) => c.chopped(frame(PING, bin125), 1)));
test("2.7 unsolicited pong without payload", () => silentlyTaken([frame(PONG, "")]));
test("2.8 unsolicited pong with payload", () => silentlyTaken([frame(PONG, "unsolicited pong payload")]));
test("2.9 unsolicited pong, then ping", () => pongs(["ping payload"], (c) => c.write(frame(PONG, "unsolicited pong payload"), frame(PING, "ping payload"))));
const ten = Array.from({ length: 10 }, () => "payload-" + Math.random().toString(36).slice(2, 8));
test("2.10 ten pings with payload", () => pongs(ten, (c) => c.write(...ten.map((p) => frame(PING, p)))));
test("2.11 ten pings with payload, in chops of 1 byte", () => pongs(ten, (c) => c.chopped(Buffer.concat(ten.map((p) => frame(PING, p))), 1)));

// ---- 3 Reserved bits ----

// A heartbeat, then the bad frame, then a ping: the heartbeat is answered,
// the connection failed with 1002, and the ping never answered.
async function echoThenFail(bad, mode) {
  const c = await Conn.open();
  const hb = heartbeat();
  const frames = [frame(TEXT, hb.bytes), bad, frame(PING, "")];
  if (mode === "chopped") await c.chopped(Buffer.concat(frames), 1);
  else if (mode === "frame-by-frame") {
    c.write(frames[0]);
    await c.reply(hb.ref);
    c.write(frames[1]);
    await c.until((fs) => fs.some((f) => f.opcode === CLOSE));
    if (!c.sock.destroyed) c.write(frames[2]);
  } else c.write(...frames);
  assert.equal(await c.closeCode(), 1002);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  assert.ok(!c.frames().some((f) => f.opcode === PONG), "no pong after the failure");
}

test("3.1 text with RSV = 1", () => failsWith(1002, [frame(TEXT, heartbeat().bytes, { rsv: 4 })]));
test("3.2 echo, text with RSV = 2, ping", () => echoThenFail(frame(TEXT, heartbeat().bytes, { rsv: 2 })));
test("3.3 echo, text with RSV = 3, ping, frame by frame", () => echoThenFail(frame(TEXT, heartbeat().bytes, { rsv: 3 }), "frame-by-frame"));
test("3.4 echo, text with RSV = 4, ping, in chops of 1 byte", () => echoThenFail(frame(TEXT, heartbeat().bytes, { rsv: 4 }), "chopped"));
test("3.5 binary with RSV = 5", () => failsWith(1002, [frame(BINARY, Buffer.from([0, 1, 2, 3, 255]), { rsv: 5 })]));
test("3.6 ping with RSV = 6", () => failsWith(1002, [frame(PING, "Hello, world!", { rsv: 6 })]));
test("3.7 close with RSV = 7", () => failsWith(1002, [frame(CLOSE, Buffer.from([0x03, 0xe8]), { rsv: 7 })]));

// ---- 4 Opcodes ----

test("4.1.1 reserved non-control opcode 3", () => failsWith(1002, [frame(3, "")]));
test("4.1.2 reserved non-control opcode 4 with payload", () => failsWith(1002, [frame(4, "reserved opcode payload")]));
test("4.1.3 echo, reserved opcode 5, ping", () => echoThenFail(frame(5, "")));
test("4.1.4 echo, reserved opcode 6 with payload, ping", () => echoThenFail(frame(6, "reserved opcode payload")));
test("4.1.5 echo, reserved opcode 7 with payload, ping", () => echoThenFail(frame(7, "reserved opcode payload")));
test("4.2.1 reserved control opcode 11", () => failsWith(1002, [frame(11, "")]));
test("4.2.2 reserved control opcode 12 with payload", () => failsWith(1002, [frame(12, "reserved opcode payload")]));
test("4.2.3 echo, reserved control opcode 13, ping", () => echoThenFail(frame(13, "")));
test("4.2.4 echo, reserved control opcode 14 with payload, ping", () => echoThenFail(frame(14, "reserved opcode payload")));
test("4.2.5 echo, reserved control opcode 15 with payload, ping", () => echoThenFail(frame(15, "reserved opcode payload")));

// ---- 5 Fragmentation ----

function fragments(bytes, n, opcode = TEXT) {
  const out = [];
  const step = Math.ceil(bytes.length / n);
  for (let i = 0, k = 0; i < bytes.length; i += step, k++)
    out.push(frame(k === 0 ? opcode : 0, bytes.subarray(i, i + step), { fin: i + step >= bytes.length }));
  return out;
}

test("5.1 ping in 2 fragments", () => failsWith(1002, [frame(PING, "fragment1", { fin: false }), frame(0, "fragment2")]));
test("5.2 pong in 2 fragments", () => failsWith(1002, [frame(PONG, "fragment1", { fin: false }), frame(0, "fragment2")]));
test("5.3 text in 2 fragments", () => textEcho(0, (c, b) => c.write(...fragments(b, 2))));
test("5.4 text in 2 fragments, in chops of 1 byte", () => textEcho(0, (c, b) => c.chopped(Buffer.concat(fragments(b, 2)), 1)));
test("5.5 text in 2 fragments, frame by frame", () =>
  textEcho(0, async (c, b) => {
    for (const f of fragments(b, 2)) {
      c.write(f);
      await sync(c);
    }
  }));
// 5.6-5.8: the pong comes before the reply (in order), both arrive.
async function fragmentsWithPing(mode) {
  const c = await Conn.open();
  const hb = heartbeat();
  const [a, z] = fragments(hb.bytes, 2);
  const all = [a, frame(PING, "ping payload"), z];
  if (mode === "chopped") await c.chopped(Buffer.concat(all), 1);
  else if (mode === "frame-by-frame") {
    c.write(a);
    c.write(all[1]);
    await c.until((fs) => fs.some((f) => f.opcode === PONG));
    c.write(z);
  } else c.write(...all);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  assert.deepEqual(c.frames().map((f) => f.opcode), [PONG, TEXT]);
  await c.alive(2);
  c.end();
}
test("5.6 text in 2 fragments with a ping between them", () => fragmentsWithPing());
test("5.7 text in 2 fragments with a ping between them, in chops of 1 byte", () => fragmentsWithPing("chopped"));
test("5.8 text in 2 fragments with a ping between them, frame by frame", () => fragmentsWithPing("frame-by-frame"));

// 5.9-5.14: a continuation that starts nothing fails the connection; nothing is echoed.
const hbParts = () => {
  const b = heartbeat().bytes;
  return [b.subarray(0, 10), b.subarray(10)];
};
async function orphan(fin, mode) {
  const [p1, p2] = hbParts();
  const frames = [frame(0, p1, { fin }), frame(TEXT, p2)];
  const c = await Conn.open();
  if (mode === "chopped") await c.chopped(Buffer.concat(frames), 1);
  else if (mode === "frame-by-frame") {
    c.write(frames[0]);
    await c.until((fs) => fs.some((f) => f.opcode === CLOSE));
    if (!c.sock.destroyed) c.write(frames[1]);
  } else c.write(...frames);
  assert.equal(await c.closeCode(), 1002);
  assert.deepEqual(c.frames().map((f) => f.opcode), [CLOSE]);
}
test("5.9 continuation (FIN) without a message, then text", () => orphan(true));
test("5.10 continuation (FIN) without a message, then text, in chops of 1 byte", () => orphan(true, "chopped"));
test("5.11 continuation (FIN) without a message, then text, frame by frame", () => orphan(true, "frame-by-frame"));
test("5.12 continuation (no FIN) without a message, then text", () => orphan(false));
test("5.13 continuation (no FIN) without a message, then text, in chops of 1 byte", () => orphan(false, "chopped"));
test("5.14 continuation (no FIN) without a message, then text, frame by frame", () => orphan(false, "frame-by-frame"));

test("5.15 text in 2 fragments, then a continuation and a text that start nothing", async () => {
  const c = await Conn.open();
  const hb = heartbeat();
  const [p1, p2] = [hb.bytes.subarray(0, 10), hb.bytes.subarray(10)];
  c.write(frame(TEXT, p1, { fin: false }), frame(0, p2), frame(0, "fragment3", { fin: false }), frame(TEXT, "fragment4"));
  assert.equal(await c.closeCode(), 1002);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
});
const twice = (fs) => [...fs, ...fs];
test("5.16 (continuation, text, continuation FIN) twice", () =>
  failsWith(1002, twice([frame(0, "fragment1", { fin: false }), frame(TEXT, "fragment2", { fin: false }), frame(0, "fragment3")])));
test("5.17 (continuation FIN, text, continuation FIN) twice", () =>
  failsWith(1002, twice([frame(0, "fragment1"), frame(TEXT, "fragment2", { fin: false }), frame(0, "fragment3")])));
test("5.18 text in 2 fragments, both with the text opcode", () =>
  failsWith(1002, [frame(TEXT, "fragment1", { fin: false }), frame(TEXT, "fragment2")]));

// 5.19/5.20: 5 fragments, a ping after the 2nd and the 4th; Autobahn waits
// a second between parts (5.19) or sends frame by frame (5.20): here each
// ping's pong is awaited before the next fragment.
async function fiveFragments() {
  const c = await Conn.open();
  const hb = heartbeat(100);
  const parts = fragments(hb.bytes, 5);
  assert.equal(parts.length, 5);
  c.write(parts[0], parts[1], frame(PING, "pongme 1!"));
  await c.until((fs) => fs.some((f) => f.opcode === PONG));
  c.write(parts[2], parts[3], frame(PING, "pongme 2!"));
  await c.until((fs) => fs.filter((f) => f.opcode === PONG).length === 2);
  c.write(parts[4]);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  assert.deepEqual(c.frames().map((f) => [f.opcode, f.opcode === PONG ? f.payload.toString() : ""]),
    [[PONG, "pongme 1!"], [PONG, "pongme 2!"], [TEXT, ""]]);
  c.end();
}
test("5.19 text in 5 fragments with 2 pings between, waiting between parts", fiveFragments);
test("5.20 text in 5 fragments with 2 pings between, frame by frame", fiveFragments);

// ---- 6 UTF-8 handling ----

test("6.1.1 empty text message", () => silentlyTaken([frame(TEXT, "")]));
test("6.1.2 text message of 3 empty fragments", () =>
  silentlyTaken([frame(TEXT, "", { fin: false }), frame(0, "", { fin: false }), frame(0, "")]));
test("6.1.3 text message of 3 fragments, the first and last empty", async () => {
  const c = await Conn.open();
  const hb = heartbeat();
  c.write(frame(TEXT, "", { fin: false }), frame(0, hb.bytes, { fin: false }), frame(0, ""));
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  c.end();
});

const hello = Buffer.from("Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!");
const kosme = Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5]);
// A heartbeat carrying the valid UTF-8 `text` inside its payload.
const heartbeatWith = (text) => heartbeat(0, text.toString());

test("6.2.1 valid UTF-8 in one fragment", () => utf8Echo(hello, (b) => [frame(TEXT, b)]));
test("6.2.2 valid UTF-8 in fragments at code point boundaries", () =>
  utf8Echo(hello, (b) => {
    // One fragment per code point of the whole message.
    const chars = [...b.toString()].map((ch) => Buffer.from(ch));
    return chars.map((ch, i) => frame(i === 0 ? TEXT : 0, ch, { fin: i === chars.length - 1 }));
  }));
const oneByteFragments = (b) => [...b].map((byte, i) => frame(i === 0 ? TEXT : 0, Buffer.from([byte]), { fin: i === b.length - 1 }));
test("6.2.3 valid UTF-8 in fragments of 1 byte", () => utf8Echo(hello, oneByteFragments));
test("6.2.4 valid UTF-8 (kosme) in fragments of 1 byte", () => utf8Echo(kosme, oneByteFragments));

async function utf8Echo(text, framesOf) {
  const c = await Conn.open();
  const hb = heartbeatWith(text);
  c.write(...framesOf(hb.bytes));
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
  await c.alive(1);
  c.end();
}

const invalid63 = Buffer.concat([kosme, Buffer.from([0xed, 0xa0, 0x80]), Buffer.from("edited")]);
test("6.3.1 invalid UTF-8 in one fragment", () => failsWith(1007, [frame(TEXT, invalid63)]));
test("6.3.2 invalid UTF-8 in fragments of 1 byte", () => failsWith(1007, oneByteFragments(invalid63)));

// 6.4.x fail fast: the close comes after the part that makes the text
// invalid, before the rest is ever sent.
const p641 = [kosme, Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from("edited")];
const whole641 = Buffer.concat(p641);
const p642 = [whole641.subarray(0, 12), whole641.subarray(12, 13), whole641.subarray(13)];
async function failFast(parts, asChops) {
  const c = await Conn.open();
  if (asChops) {
    // One frame whose header announces the whole payload; its bytes come in chops.
    const whole = frame(TEXT, Buffer.concat(parts));
    const headLen = whole.length - Buffer.concat(parts).length;
    c.write(whole.subarray(0, headLen + parts[0].length));
    await new Promise((r) => setImmediate(r));
    c.write(whole.subarray(headLen + parts[0].length, headLen + parts[0].length + parts[1].length));
  } else {
    c.write(frame(TEXT, parts[0], { fin: false }));
    await sync(c);
    c.write(frame(0, parts[1], { fin: false }));
  }
  assert.equal(await c.closeCode(), 1007);
  assert.ok(!c.frames().some((f) => f.opcode === TEXT));
}
test("6.4.1 invalid UTF-8 in 3 fragments: fails on the 2nd", () => failFast(p641));
test("6.4.2 invalid UTF-8 in 3 fragments, the 2nd the one bad byte: fails on it", () => failFast(p642));
test("6.4.3 invalid UTF-8 in 3 chops of one frame: fails on the 2nd", () => failFast(p641, true));
test("6.4.4 invalid UTF-8 in 3 chops of one frame, the 2nd the one bad byte: fails on it", () => failFast(p642, true));

// 6.5-6.23: the UTF-8 decoder test sequences of Autobahn (from Markus Kuhn's
// UTF-8-test.txt), in Autobahn's order and numbering. Valid ones are
// answered (inside a heartbeat when JSON allows the bytes raw in a string,
// else sent alone before a barrier); invalid ones fail the connection with 1007.
const h = (...bytes) => Buffer.from(bytes);
const hw = (mid) => Buffer.concat([Buffer.from("hello"), mid, Buffer.from("world")]);
const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);
const missing = [h(0xc0), h(0xe0, 0x80), h(0xf0, 0x80, 0x80), h(0xf8, 0x80, 0x80, 0x80), h(0xfc, 0x80, 0x80, 0x80, 0x80),
  h(0xdf), h(0xef, 0xbf), h(0xf7, 0xbf, 0xbf), h(0xfb, 0xbf, 0xbf, 0xbf), h(0xfd, 0xbf, 0xbf, 0xbf, 0xbf)];
const isValidUtf8 = (b) => { try { new TextDecoder("utf-8", { fatal: true }).decode(b); return true; } catch { return false; } };
const nonCharacters = [h(0xef, 0xbf, 0xbe), h(0xef, 0xbf, 0xbf)];
for (const z1 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4])
  for (const z2 of [0x8f, 0x9f, 0xaf, 0xbf])
    if (!(z1 === 0xf4 && z2 !== 0x8f))
      for (const z3 of [0xbe, 0xbf]) if (!(z1 === 0xf0 && z2 === 0x8f)) nonCharacters.push(h(z1, z2, 0xbf, z3));
const utf8Groups = [
  ["Some valid UTF-8 sequences", [[true, hw(h(0x24))], [true, hw(h(0xc2, 0xa2))], [true, hw(h(0xe2, 0x82, 0xac))], [true, hw(h(0xf0, 0xa4, 0xad, 0xa2))], [true, kosme]]],
  ["All prefixes of kosme", range(1, kosme.length + 1).map((i) => [isValidUtf8(kosme.subarray(0, i)), kosme.subarray(0, i)])],
  ["First possible sequence of a certain length", [[true, h(0x00)], [true, h(0xc2, 0x80)], [true, h(0xe0, 0xa0, 0x80)], [true, h(0xf0, 0x90, 0x80, 0x80)]]],
  ["First possible sequence length 5/6", [[false, h(0xf8, 0x88, 0x80, 0x80, 0x80)], [false, h(0xfc, 0x84, 0x80, 0x80, 0x80, 0x80)]]],
  ["Last possible sequence of a certain length", [[true, h(0x7f)], [true, h(0xdf, 0xbf)], [true, h(0xef, 0xbf, 0xbf)], [true, h(0xf4, 0x8f, 0xbf, 0xbf)]]],
  ["Last possible sequence length 4/5/6", [[false, h(0xf7, 0xbf, 0xbf, 0xbf)], [false, h(0xfb, 0xbf, 0xbf, 0xbf, 0xbf)], [false, h(0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf)]]],
  ["Other boundary conditions", [[true, h(0xed, 0x9f, 0xbf)], [true, h(0xee, 0x80, 0x80)], [true, h(0xef, 0xbf, 0xbd)], [true, h(0xf4, 0x8f, 0xbf, 0xbf)], [false, h(0xf4, 0x90, 0x80, 0x80)]]],
  ["Unexpected continuation bytes", [[false, h(0x80)], [false, h(0xbf)], [false, h(0x80, 0xbf)], [false, h(0x80, 0xbf, 0x80)], [false, h(0x80, 0xbf, 0x80, 0xbf)],
    [false, h(0x80, 0xbf, 0x80, 0xbf, 0x80)], [false, h(0x80, 0xbf, 0x80, 0xbf, 0x80, 0xbf)], [false, h(...range(0x80, 0xbf))]]],
  ["Lonely start characters", [[0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd]].map(([a, b]) => [false, h(...range(a, b).flatMap((x) => [x, 0x20]))])],
  ["Sequences with last continuation byte missing", missing.map((m) => [false, m])],
  ["Concatenation of incomplete sequences", [[false, Buffer.concat(missing)]]],
  ["Impossible bytes", [[false, h(0xfe)], [false, h(0xff)], [false, h(0xfe, 0xfe, 0xff, 0xff)]]],
  ["Examples of an overlong ASCII character", [[false, h(0xc0, 0xaf)], [false, h(0xe0, 0x80, 0xaf)], [false, h(0xf0, 0x80, 0x80, 0xaf)], [false, h(0xf8, 0x80, 0x80, 0x80, 0xaf)], [false, h(0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf)]]],
  ["Maximum overlong sequences", [[false, h(0xc1, 0xbf)], [false, h(0xe0, 0x9f, 0xbf)], [false, h(0xf0, 0x8f, 0xbf, 0xbf)], [false, h(0xf8, 0x87, 0xbf, 0xbf, 0xbf)], [false, h(0xfc, 0x83, 0xbf, 0xbf, 0xbf, 0xbf)]]],
  ["Overlong representation of the NUL character", [[false, h(0xc0, 0x80)], [false, h(0xe0, 0x80, 0x80)], [false, h(0xf0, 0x80, 0x80, 0x80)], [false, h(0xf8, 0x80, 0x80, 0x80, 0x80)], [false, h(0xfc, 0x80, 0x80, 0x80, 0x80, 0x80)]]],
  ["Single UTF-16 surrogates", [[0xa0, 0x80], [0xad, 0xbf], [0xae, 0x80], [0xaf, 0xbf], [0xb0, 0x80], [0xbe, 0x80], [0xbf, 0xbf]].map(([a, b]) => [false, h(0xed, a, b)])],
  ["Paired UTF-16 surrogates", [[0xa0, 0x80, 0xb0, 0x80], [0xa0, 0x80, 0xbf, 0xbf], [0xad, 0xbf, 0xb0, 0x80], [0xad, 0xbf, 0xbf, 0xbf],
    [0xae, 0x80, 0xb0, 0x80], [0xae, 0x80, 0xbf, 0xbf], [0xaf, 0xbf, 0xb0, 0x80], [0xaf, 0xbf, 0xbf, 0xbf]].map(([a, b, c, d]) => [false, h(0xed, a, b, 0xed, c, d)])],
  ["Non-character code points (valid UTF-8)", nonCharacters.map((b) => [true, b])],
  ["Unicode specials", [0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf].map((x) => [true, h(0xef, 0xbf, x)])],
];
assert.equal(utf8Groups[17][1].length, 34, "6.22 has 34 cases, as in Autobahn");

// JSON allows these bytes raw inside a string: no control character, quote or backslash.
const embeddable = (b) => ![...b].some((x) => x < 0x20 || x === 0x22 || x === 0x5c);
utf8Groups.forEach(([name, cases], g) => {
  cases.forEach(([valid, bytes], k) => {
    test(`6.${g + 5}.${k + 1} ${name}: ${bytes.toString("hex").slice(0, 40)} ${valid ? "valid" : "invalid"}`, async () => {
      if (!valid) return failsWith(1007, [frame(TEXT, bytes)]);
      if (embeddable(bytes)) return utf8Echo(bytes, (b) => [frame(TEXT, b)]);
      return silentlyTaken([frame(TEXT, bytes)]);
    });
  });
});

// ---- 7 Close handling ----

test("7.1.1 echo, then a clean close", async () => {
  const c = await Conn.open();
  const hb = heartbeat();
  c.write(frame(TEXT, hb.bytes), frame(CLOSE, h(0x03, 0xe8)));
  assert.equal(await c.closeCode(), 1000);
  assertHeartbeatReply(await c.reply(hb.ref), hb.ref);
});
test("7.1.2 close, then a second close", () => closeThen(frame(CLOSE, h(0x03, 0xe8))));
test("7.1.3 close, then a ping: no pong", () => closeThen(frame(PING, "Hello World!")));
test("7.1.4 close, then a text message: no echo", () => closeThen(frame(TEXT, heartbeat().bytes)));
test("7.1.5 first fragment, close, then the last fragment: no echo", async () => {
  const [p1, p2] = hbParts();
  const c = await failsWith(1000, [frame(TEXT, p1, { fin: false }), frame(CLOSE, h(0x03, 0xe8)), frame(0, p2)]);
  assert.deepEqual(c.frames().map((f) => f.opcode), [CLOSE]);
});
test("7.1.6 a 256 KiB message, close, then a ping", async () => {
  const c = await Conn.open();
  const hb = heartbeat(256 * KIB);
  c.write(frame(TEXT, hb.bytes), frame(CLOSE, h(0x03, 0xe8)), frame(PING, "Hello World!"));
  assert.equal(await c.closeCode(), 1000);
  assert.deepEqual(c.frames().map((f) => f.opcode), [TEXT, CLOSE], "the reply, the close, no pong");
});
async function closeThen(after) {
  const c = await failsWith(1000, [frame(CLOSE, h(0x03, 0xe8)), after]);
  assert.deepEqual(c.frames().map((f) => f.opcode), [CLOSE], "one close frame and nothing else");
}

const closeBody = (code, reason = Buffer.alloc(0)) => Buffer.concat([h(code >> 8, code & 0xff), reason]);
test("7.3.1 close with an empty payload", () => failsWith(1000, [frame(CLOSE, "")]));
test("7.3.2 close with a 1-byte payload", () => failsWith(1002, [frame(CLOSE, h(0x03))]));
test("7.3.3 close with code 1000 and no reason", () => failsWith(1000, [frame(CLOSE, closeBody(1000))]));
test("7.3.4 close with code 1000 and a reason", () => failsWith(1000, [frame(CLOSE, closeBody(1000, Buffer.from("Hello World!")))]));
test("7.3.5 close with code 1000 and a 123-byte reason", () => failsWith(1000, [frame(CLOSE, closeBody(1000, Buffer.alloc(123, 0x2a)))]));
test("7.3.6 close with code 1000 and a 124-byte reason (a 126-byte control frame)", () =>
  failsWith(1002, [frame(CLOSE, closeBody(1000, Buffer.alloc(124, 0x2a)))]));
test("7.5.1 close with a reason that is not UTF-8", () =>
  failsWith(1007, [frame(CLOSE, closeBody(1000, Buffer.concat([kosme, h(0xed, 0xa0, 0x80), Buffer.from("edited")])))]));

[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach((code, i) => {
  test(`7.7.${i + 1} close with the valid code ${code}: echoed`, () => failsWith(code, [frame(CLOSE, closeBody(code))]));
});
[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
  test(`7.9.${i + 1} close with the invalid code ${code}: 1002`, () => failsWith(1002, [frame(CLOSE, closeBody(code))]));
});
test("7.13.1 close with the code 5000: 1002", () => failsWith(1002, [frame(CLOSE, closeBody(5000))]));
test("7.13.2 close with the code 65535: 1002", () => failsWith(1002, [frame(CLOSE, closeBody(65535))]));

// ---- 9 Limits/performance (sizes bounded: see the top of this file) ----

[64 * KIB, 256 * KIB, MIB].forEach((size, i) => {
  test(`9.1.${i + 1} text message of ${size / KIB} KiB`, () => textEcho(size));
  test(`9.2.${i + 1} binary message of ${size / KIB} KiB`, () => binaryEcho(size));
});
[4 * MIB, 8 * MIB, 16 * MIB].forEach((size, i) => {
  // Only the header is sent: the length it announces is refused at once.
  test(`9.1.${i + 4} text message of ${size / MIB} MiB: over the 1 MiB limit, 1009`, () =>
    failsWith(1009, [frame(TEXT, "", { length: size }).subarray(0, 14)]));
  test(`9.2.${i + 4} binary message of ${size / MIB} MiB: over the 1 MiB limit, 1009`, () =>
    failsWith(1009, [frame(BINARY, "", { length: size }).subarray(0, 14)]));
});

const fragSizes = [64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB];
const inFragments = (bytes, size, opcode) => {
  const out = [];
  for (let i = 0; i < bytes.length || i === 0; i += size)
    out.push(frame(i === 0 ? opcode : 0, bytes.subarray(i, i + size), { fin: i + size >= bytes.length }));
  return out;
};
fragSizes.forEach((size, i) => {
  test(`9.3.${i + 1} 256 KiB text message in fragments of ${size} bytes`, () =>
    textEcho(256 * KIB, (c, b) => c.write(...inFragments(b, size, TEXT))));
  test(`9.4.${i + 1} 256 KiB binary message in fragments of ${size} bytes`, () =>
    binaryEcho(256 * KIB, (c, b) => c.write(...inFragments(b, size, BINARY))));
});
[64, 128, 256, 512, 1024, 2048].forEach((chop, i) => {
  test(`9.5.${i + 1} 256 KiB text message in chops of ${chop} bytes`, () => textEcho(256 * KIB, (c, b) => c.chopped(frame(TEXT, b), chop)));
  test(`9.6.${i + 1} 256 KiB binary message in chops of ${chop} bytes`, () => binaryEcho(256 * KIB, (c, b) => c.chopped(frame(BINARY, b), chop)));
});

// 9.7/9.8: round trips, one message at a time, each answered before the next.
const ROUND_TRIPS = 200;
[0, 16, 64, 256, 1024, 4096].forEach((size, i) => {
  test(`9.7.${i + 1} ${ROUND_TRIPS} text messages of ${size} bytes, one after the other`, async () => {
    const c = await Conn.open();
    for (let n = 0; n < ROUND_TRIPS; n++) {
      const hb = heartbeat(size); // at least the smallest heartbeat
      c.write(frame(TEXT, hb.bytes));
      await c.reply(hb.ref);
    }
    assert.equal(c.frames().length, ROUND_TRIPS);
    c.end();
  });
  test(`9.8.${i + 1} ${ROUND_TRIPS} binary messages of ${size} bytes, one after the other`, async () => {
    const c = await Conn.open();
    for (let n = 0; n < ROUND_TRIPS; n++) {
      const push = binaryPush(size); // at least its header
      c.write(frame(BINARY, push.bytes));
      await c.reply(push.ref);
    }
    assert.equal(c.frames().length, ROUND_TRIPS);
    c.end();
  });
});
