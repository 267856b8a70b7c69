// The soak (issue #16): the examples server under steady mixed traffic with
// many joined views, for minutes to an hour, watching for growth.
//
//   node bench/soak.mjs [--views 5000] [--minutes 60] [--interval 60] [--rate 200]
//                       [--max-drift 1] [--bin build/bin/liveview-examples]
//
// It starts the server (LV_PORT=0 on 127.0.0.1, its descriptor limit raised
// to the hard limit), joins --views views (one WebSocket each, as browser
// tabs: /counter, /rtcounter, /form and /servers in turn), heartbeats each
// every 30 s as the official client does, then issues --rate
// operations per second, picked at random:
//   page        GET of an example page (a fresh connection, closed after)
//   click       "inc" on a /counter view
//   broadcast   "inc" on a /rtcounter view (every /rtcounter view gets a diff)
//   form        "validate" on a /form view (urlencoded, _target)
//   navigation  live_patch of a /servers view to another server
//   reconnect   a view's socket closed and a new page loaded and joined
//   bad frame   a fresh WebSocket sends an unmasked frame: must be closed with 1002
// At the end of each interval traffic pauses until every operation in flight
// has finished, and one line is printed: the server's RSS and descriptors,
// the operations and errors of the interval, and p50/p99 latency (printed,
// never judged: the machine may be shared).
//
// It fails (exit 1) on growth or error:
// - any error: an operation refused, timed out (20 s) or answered wrongly, a
//   view's socket closed by the server, the server exiting;
// - RSS at the last interval above RSS at the 2nd by more than --max-drift
//   percent (default 1) plus 1 MiB of page-granularity slack (the 1st
//   interval is warm-up: allocator arenas and caches fill);
// - descriptors at the last interval different from the 2nd: with the same
//   views joined and nothing in flight the count must be the same.
// Summary: the last line is JSON ({"ok":...}) for scripts.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = path.resolve(here, "..");
const WebSocket = createRequire(path.join(sourceDir, "assets/package.json"))("ws");

// ---- options ----
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf("--" + name);
  return i >= 0 ? args[i + 1] : process.env["SOAK_" + name.toUpperCase().replace(/-/g, "_")] ?? dflt;
};
const VIEWS = Number(opt("views", 5000));
const MINUTES = Number(opt("minutes", 60));
const INTERVAL_S = Number(opt("interval", 60));
const RATE = Number(opt("rate", 200));
const MAX_DRIFT = Number(opt("max-drift", 1));
const BIN = opt("bin", path.join(sourceDir, "build/bin/liveview-examples"));
const HEARTBEAT_MS = 30000; // as the official client; the server closes after 60 s of silence
const OP_TIMEOUT_MS = 20000;
const MAX_IN_FLIGHT = 256;

// ---- the server ----
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" && exec "$0"', BIN], {
      env: { ...process.env, LV_HOST: "127.0.0.1", LV_PORT: "0", LV_LOG: process.env.LV_LOG ?? "error",
             LV_SECRET_KEY_BASE: "soak-secret-key-base-that-is-long-enough-0123456789" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = ""; // the last 16 KB of output, for the report
    const keep = (d) => { tail = (tail + d).slice(-16384); };
    child.stderr.on("data", keep);
    child.on("exit", (code, signal) => { server.exited = code ?? signal; });
    const server = { child, pid: child.pid, exited: null, output: () => tail };
    child.stdout.on("data", (d) => {
      keep(d);
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(tail);
      if (m && !server.port) { server.port = Number(m[1]); resolve(server); }
    });
    setTimeout(() => server.port || reject(new Error("server did not start:\n" + tail)), 30000).unref();
  });
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length;

// ---- HTTP and views ----
let port;

// A GET on a connection of its own, closed after the response (so the
// server's descriptors return to the views alone between intervals).
function get(pathname, cookie) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathname, agent: false,
                           headers: { connection: "close", ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => { body += d; });
      res.on("end", () => {
        const closed = () => resolve({ status: res.statusCode, body, cookie: res.headers["set-cookie"]?.[0]?.split(";")[0] });
        if (res.socket.destroyed) closed(); else res.socket.once("close", closed);
      });
    });
    req.on("error", reject);
    req.setTimeout(OP_TIMEOUT_MS, () => req.destroy(new Error("GET timed out")));
  });
}

const PAGES = ["/counter", "/rtcounter", "/form", "/servers"];

class View {
  static async open(route) {
    const page = await get(route);
    if (page.status !== 200) throw new Error(`GET ${route}: ${page.status}`);
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)?.[1];
    const id = /<div id="(phx-[^"]+)" data-phx-main/.exec(page.body)?.[1];
    const session = /data-phx-session="([^"]+)"/.exec(page.body)?.[1];
    const staticToken = /data-phx-static="([^"]*)"/.exec(page.body)?.[1] ?? "";
    if (!csrf || !id || !session) throw new Error(`GET ${route}: no view in the page`);
    const v = new View(route, `lv:${id}`);
    v.csrf = csrf;
    const q = `_csrf_token=${encodeURIComponent(csrf)}&_mounts=0&vsn=2.0.0`;
    v.ws = new WebSocket(`ws://127.0.0.1:${port}/live/websocket?${q}`, { headers: page.cookie ? { cookie: page.cookie } : {} });
    v.ws.on("message", (data, isBinary) => v.onMessage(data, isBinary));
    v.ws.on("close", (code) => v.onClose(code));
    v.ws.on("error", () => {});
    await new Promise((resolve, reject) => {
      v.ws.once("open", resolve);
      v.ws.once("error", reject);
      v.ws.once("unexpected-response", (_req, res) => reject(new Error("upgrade refused: " + res.statusCode)));
    });
    const reply = await v.push("phx_join", { url: `http://127.0.0.1:${port}${route}`, params: { _csrf_token: csrf, _mounts: 0 },
                                             session, static: staticToken });
    if (reply.status !== "ok") throw new Error(`join ${route}: ${JSON.stringify(reply.response)}`);
    return v;
  }

  constructor(route, topic) {
    this.route = route;
    this.topic = topic;
    this.ref = 0;
    this.joinRef = "1";
    this.pending = new Map();
    this.closing = false;
    this.lastSent = Date.now();
  }

  onMessage(data, isBinary) {
    if (isBinary) return;
    const [, ref, , event, payload] = JSON.parse(String(data));
    stats.frames++;
    if (event !== "phx_reply") return; // diffs pushed by broadcasts
    const p = this.pending.get(ref);
    if (!p) return fail(`a reply to no push (ref ${ref}) on ${this.topic}`);
    this.pending.delete(ref);
    clearTimeout(p.timer);
    p.resolve(payload);
  }

  onClose(code) {
    this.closed = true;
    if (!this.closing) fail(`the server closed a ${this.route} view (code ${code})`);
    for (const p of this.pending.values()) p.reject(new Error("closed"));
  }

  push(event, payload, topic = this.topic, joinRef = this.joinRef) {
    const ref = String(++this.ref);
    this.lastSent = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(ref); reject(new Error(`${event} timed out`)); }, OP_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      this.ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    });
  }

  async heartbeat() {
    const reply = await this.push("heartbeat", {}, "phoenix", null);
    if (reply.status !== "ok") throw new Error("heartbeat refused");
  }

  async event(type, event, value) {
    const reply = await this.push("event", { type, event, value });
    if (reply.status !== "ok") throw new Error(`${event}: ${JSON.stringify(reply.response)}`);
  }

  close() {
    this.closing = true;
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.ws.once("close", resolve);
      this.ws.close(1000);
    });
  }
}

// ---- operations ----
const views = { "/counter": [], "/rtcounter": [], "/form": [], "/servers": [] };
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const SERVERS = ["aurora", "beryl", "cobalt", "dynamo"]; // unknown names fall back to the first server

async function reconnect() {
  const route = pick(PAGES);
  const list = views[route];
  // A slot another reconnect is replacing is null: pick one that is not.
  let i;
  do i = Math.floor(Math.random() * list.length); while (!list[i]);
  const old = list[i];
  list[i] = null; // not picked while being replaced
  await old.close();
  list[i] = await View.open(route);
}

async function badFrame() {
  const sock = net.connect(port, "127.0.0.1");
  sock.on("error", () => {});
  const closed = new Promise((resolve) => sock.on("close", resolve));
  let buf = Buffer.alloc(0);
  sock.on("data", (d) => { buf = Buffer.concat([buf, d]); });
  await new Promise((resolve) => sock.once("connect", resolve));
  sock.write(`GET /live/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
             `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  sock.write(Buffer.from([0x81, 0x02, 0x5b, 0x5d])); // "[]" unmasked: a protocol error
  const timer = setTimeout(() => sock.destroy(), OP_TIMEOUT_MS);
  await closed;
  clearTimeout(timer);
  const head = buf.indexOf("\r\n\r\n");
  const frame = head >= 0 ? buf.subarray(head + 4) : Buffer.alloc(0);
  if (!buf.toString("latin1").startsWith("HTTP/1.1 101")) throw new Error("bad frame: no upgrade");
  if (frame.length < 4 || frame[0] !== 0x88 || frame.readUInt16BE(2) !== 1002) throw new Error("bad frame: not closed with 1002");
}

const OPS = [
  ["page", 15, async () => { const r = await get(pick([...PAGES, "/", "/todos", "/search"])); if (r.status !== 200) throw new Error("GET " + r.status); }],
  ["click", 30, () => live("/counter").event("click", pick(["inc", "dec"]), {})],
  ["broadcast", 5, () => live("/rtcounter").event("click", "inc", {})],
  ["form", 20, () => { const v = live("/form"); return v.event("form", "validate", `_csrf_token=${v.csrf}&name=${pick(["a", "ada", "grace hopper"])}&_target=name`); }],
  ["navigation", 15, async () => {
    const v = live("/servers");
    const reply = await v.push("live_patch", { url: `http://127.0.0.1:${port}/servers?name=${pick(SERVERS)}` });
    if (reply.status !== "ok") throw new Error("live_patch: " + JSON.stringify(reply.response));
  }],
  ["reconnect", 10, reconnect],
  ["bad_frame", 5, badFrame],
];
const TOTAL_WEIGHT = OPS.reduce((n, [, w]) => n + w, 0);
function live(route) {
  for (;;) {
    const v = pick(views[route]);
    if (v) return v;
  }
}

// ---- the run ----
const stats = { ops: 0, errors: 0, frames: 0, latencies: [], byOp: {} };
let firstErrors = [];
function fail(why) {
  stats.errors++;
  if (firstErrors.length < 10) firstErrors.push(why);
}

let inFlight = 0;
const idle = [];
async function run(name, fn) {
  inFlight++;
  const t0 = performance.now();
  try {
    await fn();
    stats.latencies.push(performance.now() - t0);
    stats.byOp[name] = (stats.byOp[name] ?? 0) + 1;
  } catch (e) {
    fail(`${name}: ${e.message}`);
  } finally {
    stats.ops++;
    if (--inFlight === 0) idle.splice(0).forEach((r) => r());
  }
}
const drained = () => (inFlight === 0 ? Promise.resolve() : new Promise((r) => idle.push(r)));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0;
}

async function main() {
  const server = await startServer();
  port = server.port;
  const t0 = Date.now();
  console.log(`soak: server pid ${server.pid} on port ${port}; joining ${VIEWS} views`);
  for (let i = 0; i < VIEWS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, VIEWS - i) }, (_, k) => {
      const route = PAGES[(i + k) % PAGES.length];
      return View.open(route).then((v) => views[route].push(v));
    }));
  }
  console.log(`soak: ${VIEWS} views joined in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
              `${MINUTES} min at ${RATE} ops/s, reporting every ${INTERVAL_S} s`);
  stats.ops = 0;
  stats.latencies = [];

  const samples = [];
  const intervals = Math.max(1, Math.round((MINUTES * 60) / INTERVAL_S));
  let credit = 0;
  for (let n = 1; n <= intervals; n++) {
    const end = Date.now() + INTERVAL_S * 1000;
    while (Date.now() < end && server.exited === null) {
      await new Promise((r) => setTimeout(r, 10));
      credit += RATE / 100;
      for (; credit >= 1 && inFlight < MAX_IN_FLIGHT; credit--) {
        let r = Math.random() * TOTAL_WEIGHT;
        const op = OPS.find(([, w]) => (r -= w) < 0) ?? OPS[0];
        run(op[0], op[2]);
      }
      credit = Math.min(credit, RATE); // no burst after a stall
      const now = Date.now();
      for (const list of Object.values(views))
        for (const v of list)
          if (v && now - v.lastSent > HEARTBEAT_MS && inFlight < MAX_IN_FLIGHT) run("heartbeat", () => v.heartbeat());
    }
    await drained();
    if (server.exited !== null) { fail(`the server exited (${server.exited})`); break; }
    const lat = stats.latencies.sort((a, b) => a - b);
    const s = { interval: n, rss_kb: rssKb(server.pid), fds: fds(server.pid), ops: stats.ops, errors: stats.errors,
                p50_ms: +percentile(lat, 0.5).toFixed(2), p99_ms: +percentile(lat, 0.99).toFixed(2) };
    samples.push(s);
    console.log(`soak: interval ${n}/${intervals}: rss ${(s.rss_kb / 1024).toFixed(1)} MiB, fds ${s.fds}, ` +
                `${s.ops} ops (${JSON.stringify(stats.byOp)}), errors ${stats.errors}, p50 ${s.p50_ms} ms, p99 ${s.p99_ms} ms`);
    stats.ops = 0;
    stats.latencies = [];
    stats.byOp = {};
  }

  // The verdict.
  const problems = [...firstErrors];
  if (stats.errors > 0) problems.push(`${stats.errors} errors`);
  const base = samples[Math.min(1, samples.length - 1)];
  const last = samples[samples.length - 1];
  let drift = 0;
  if (base && last) {
    drift = ((last.rss_kb - base.rss_kb) / base.rss_kb) * 100;
    if (last.rss_kb > base.rss_kb * (1 + MAX_DRIFT / 100) + 1024)
      problems.push(`RSS grew ${drift.toFixed(2)} % from interval ${base.interval} to ${last.interval} (over ${MAX_DRIFT} % + 1 MiB)`);
    // Descriptors: the views are the same in number and nothing is in
    // flight; a close the server has not yet seen may still count once, so
    // the count is read again until it settles (generous, never judged on time).
    let now = last.fds;
    for (let i = 0; i < 50 && now !== base.fds; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = fds(server.pid);
    }
    if (now !== base.fds) problems.push(`descriptors went from ${base.fds} to ${now}`);
  }
  if (samples.length < 2) problems.push("fewer than 2 intervals: nothing to compare (raise --minutes or lower --interval)");

  for (const list of Object.values(views)) for (const v of list) if (v) await v.close();
  server.child.kill("SIGTERM");
  const code = server.exited ?? (await new Promise((r) => server.child.on("exit", (c, sig) => r(c ?? sig))));
  if (code !== 0) problems.push(`server exit status ${code}:\n${server.output()}`);

  const ok = problems.length === 0;
  console.log(ok ? "soak: ok" : "soak: FAILED\n  " + problems.join("\n  "));
  console.log(JSON.stringify({ ok, views: VIEWS, minutes: MINUTES, interval_s: INTERVAL_S, rate: RATE,
                               rss_drift_percent: +drift.toFixed(3), samples, problems }));
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error("soak: " + (e.stack || e));
  process.exit(1);
});
