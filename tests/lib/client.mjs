// A scripted Phoenix V2 client for protocol tests: loads a page over HTTP,
// opens the WebSocket the way the official client does, and collects frames.
import { once } from "node:events";
import { WebSocket } from "./server.mjs";

// Loads a page the way a browser does: with the session cookie (when given)
// and keeping the one the server sets, which the WebSocket must present.
export async function loadPage(base, path = "/counter", cookie) {
  const res = await fetch(base + path, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const setCookie = res.headers.get("set-cookie");
  cookie = setCookie ? setCookie.split(";")[0] : cookie;
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  const id = /<div id="(phx-[^"]+)" data-phx-main/.exec(html)?.[1];
  const session = /data-phx-session="([^"]+)"/.exec(html)?.[1];
  return { status: res.status, html, csrf, id, session, topic: "lv:" + id, cookie, url: base + path };
}

export class Client {
  // Opens the socket as the official client does: the page's CSRF token in
  // the URL and, like a browser, the page's session cookie.
  static async connect(base, { csrf = "", cookie, headers = {}, query } = {}) {
    const q = query ?? `_csrf_token=${encodeURIComponent(csrf)}&_mounts=0&vsn=2.0.0`;
    const all = cookie ? { cookie, ...headers } : headers;
    const ws = new WebSocket(base.replace("http", "ws") + "/live/websocket?" + q, { headers: all });
    const c = new Client(ws);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error("HTTP " + res.statusCode)));
    });
    return c;
  }

  constructor(ws) {
    this.ws = ws;
    this.ref = 0;
    this.inbox = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
    ws.on("message", (data, isBinary) => {
      const msg = isBinary ? { binary: data } : JSON.parse(String(data));
      this.inbox.push(msg);
      this.wake();
    });
  }

  wake() {
    for (const w of [...this.waiters]) {
      const i = this.inbox.findIndex(w.match);
      if (i >= 0) {
        const [msg] = this.inbox.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(msg);
      }
    }
  }

  // Resolves with the first message (oldest first) for which match is true.
  next(match = () => true, timeoutMs = 20000) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error("timed out; inbox: " + JSON.stringify(this.inbox)));
      }, timeoutMs);
      this.waiters.push(w);
      this.wake();
    });
  }

  send(joinRef, topic, event, payload) {
    const ref = String(++this.ref);
    this.ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    return ref;
  }

  // Sends a push and resolves with its reply.
  async push(joinRef, topic, event, payload) {
    const ref = this.send(joinRef, topic, event, payload);
    return this.next((m) => Array.isArray(m) && m[1] === ref && m[3] === "phx_reply");
  }

  async join(page, params = {}) {
    const ref = String(++this.ref);
    const payload = {
      url: page.url ?? "http://127.0.0.1/counter",
      params: { _csrf_token: page.csrf, _mounts: 0, _mount_attempts: 0, ...params },
      session: page.session,
      static: null,
    };
    this.ws.send(JSON.stringify([ref, ref, page.topic, "phx_join", payload]));
    const reply = await this.next((m) => Array.isArray(m) && m[1] === ref);
    return { joinRef: ref, reply };
  }

  click(joinRef, topic, event) {
    return this.push(joinRef, topic, "event", { type: "click", event, value: { value: "" } });
  }

  heartbeat() {
    return this.push(null, "phoenix", "heartbeat", {});
  }

  close() {
    this.ws.close();
  }
}

// Makes a joined client stop reading and keeps up to a megabyte of clicks on
// their way (the server reads them all, and each reply adds to what it cannot
// send) until the server logs that it closes a connection that does not
// read. Resolves then; rejects if the connection ended by another path.
// Between batches, I/O (the server's close, its log) comes in.
export async function floodUntilDropped(server, c, joinRef, topic) {
  c.ws._socket.pause();
  const msg = JSON.stringify([joinRef, "1", topic, "event", { type: "click", event: "inc", value: {} }]);
  // The bound is for a slow (sanitizer) build on a busy machine.
  const gaveUp = server.waitForLog(/closing a connection that does not read/, 120000);
  let done = false;
  const stop = () => { done = true; };
  gaveUp.then(stop, stop);
  c.closed.then(stop);
  const full = () => c.ws._socket.writableLength >= 1 << 20;
  while (!done && c.ws.readyState === 1) {
    for (let i = 0; i < 1000 && !full(); i++) c.ws.send(msg);
    if (full()) await Promise.race([once(c.ws._socket, "drain").catch(() => {}), c.closed, gaveUp.catch(() => {})]);
    else await new Promise((res) => setImmediate(res));
  }
  await gaveUp;
}
