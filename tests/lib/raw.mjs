// Raw TCP helpers for tests that must send what no well-behaved client sends:
// malformed HTTP, hand-built WebSocket frames.
import net from "node:net";
import crypto from "node:crypto";

export function rawConnect(port) {
  const sock = net.connect(port, "127.0.0.1");
  sock.chunks = [];
  sock.on("data", (d) => sock.chunks.push(d));
  sock.ended = new Promise((resolve) => sock.on("close", resolve));
  sock.on("error", () => {});
  return new Promise((resolve) => sock.once("connect", () => resolve(sock)));
}

export function received(sock) {
  return Buffer.concat(sock.chunks);
}

// Resolves once the received bytes satisfy pred (or the socket closes).
export async function waitFor(sock, pred, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const buf = received(sock);
    if (pred(buf)) return buf;
    if (sock.destroyed || sock.readableEnded || Date.now() > deadline) return buf;
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Sends one HTTP request and resolves to { status, headers, body } after the
// response head (and body by Content-Length) arrived.
export async function httpRaw(port, request) {
  const sock = await rawConnect(port);
  sock.write(request);
  const buf = await waitFor(sock, (b) => {
    const i = b.indexOf("\r\n\r\n");
    if (i < 0) return false;
    const m = /content-length: (\d+)/i.exec(b.subarray(0, i).toString());
    return !m || b.length >= i + 4 + Number(m[1]);
  });
  sock.destroy();
  return parseResponse(buf);
}

export function parseResponse(buf) {
  const text = buf.toString("latin1");
  const i = text.indexOf("\r\n\r\n");
  const head = i >= 0 ? text.slice(0, i) : text;
  const [statusLine, ...lines] = head.split("\r\n");
  const headers = {};
  for (const l of lines) {
    const c = l.indexOf(":");
    if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: i >= 0 ? text.slice(i + 4) : "" };
}

export function upgradeRequest(port, { path = "/live/websocket?vsn=2.0.0", headers = {} } = {}) {
  const h = {
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": crypto.randomBytes(16).toString("base64"),
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  let req = `GET ${path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) if (v !== undefined) req += `${k}: ${v}\r\n`;
  return req + "\r\n";
}

// Opens a WebSocket by hand and resolves to the socket, positioned after the
// 101 response.
export async function rawWebSocket(port) {
  const sock = await rawConnect(port);
  sock.write(upgradeRequest(port));
  const buf = await waitFor(sock, (b) => b.indexOf("\r\n\r\n") >= 0);
  const res = parseResponse(buf);
  if (res.status !== 101) throw new Error("no upgrade: " + res.status);
  const end = buf.indexOf("\r\n\r\n") + 4;
  sock.chunks = [buf.subarray(end)];
  return sock;
}

// A client frame: masked unless mask is false.
export function frame(opcode, payload, { fin = true, mask = true, rsv = 0, length } = {}) {
  const data = Buffer.from(payload);
  const len = length ?? data.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode)];
  let ext = Buffer.alloc(0);
  if (len < 126) head.push((mask ? 0x80 : 0) | len);
  else if (len < 65536) { head.push((mask ? 0x80 : 0) | 126); ext = Buffer.alloc(2); ext.writeUInt16BE(len); }
  else { head.push((mask ? 0x80 : 0) | 127); ext = Buffer.alloc(8); ext.writeBigUInt64BE(BigInt(len)); }
  const key = mask ? crypto.randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(data);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

// Parses the server's (unmasked) frames out of buf.
export function parseFrames(buf) {
  const frames = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const opcode = buf[i] & 0x0f;
    let len = buf[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) { if (off + 2 > buf.length) break; len = buf.readUInt16BE(off); off += 2; }
    else if (len === 127) { if (off + 8 > buf.length) break; len = Number(buf.readBigUInt64BE(off)); off += 8; }
    if (off + len > buf.length) break;
    frames.push({ opcode, payload: buf.subarray(off, off + len) });
    i = off + len;
  }
  return frames;
}

// Resolves to the close code the server sent (or null).
export async function closeCode(sock, timeoutMs = 20000) {
  const buf = await waitFor(sock, (b) => parseFrames(b).some((f) => f.opcode === 8), timeoutMs);
  const close = parseFrames(buf).find((f) => f.opcode === 8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
}
