// Foundation benchmark of the examples server (performance.md A.4, M1 and M2
// on the counter fixture F1). It starts the server itself on a free loopback
// port and prints, one line per figure:
//   - idle server RSS right after start (and after a small warm-up);
//   - RSS per joined idle counter: BENCH_VIEWS tabs, one WebSocket each, every
//     one loaded with GET /counter and joined; kernel Slab reported apart;
//   - server CPU per click: BENCH_CONNS of those views each run a closed loop
//     of clicks for BENCH_SECONDS (or BENCH_MAX_CLICKS in all), and the
//     server's utime+stime is read from /proc before and after;
//   - client-measured round-trip latency (informational).
// Nothing is asserted: the figures are printed. The script exits non-zero
// only when something went wrong (server died, joins or clicks failed), and
// then says what.
//
// Run it through bench/run.sh, which raises the open-file limit first: the
// server is started under `ulimit -n 65536` (or the hard limit if lower), but
// node cannot raise its own limit and needs one socket per view too.
//
// Environment: BENCH_VIEWS (5000), BENCH_CONNS (200), BENCH_SECONDS (5),
// BENCH_MAX_CLICKS (2000000), BENCH_JOIN_CONCURRENCY (64), BENCH_PIN (set to
// 1 to pin the server to CPU 0 with taskset; run.sh then pins node to CPU 1),
// LV_SERVER_BIN, LV_SOURCE_DIR.
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = process.env.LV_SOURCE_DIR || path.resolve(here, "..");
const WebSocket = createRequire(path.join(sourceDir, "assets/package.json"))("ws");

const envInt = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number, got ${v}`);
  return Math.floor(n);
};

let VIEWS = envInt("BENCH_VIEWS", 5000);
const CONNS = envInt("BENCH_CONNS", 200);
const SECONDS = Number(process.env.BENCH_SECONDS || 5);
const MAX_CLICKS = envInt("BENCH_MAX_CLICKS", 2_000_000);
const JOIN_CONCURRENCY = Math.max(1, envInt("BENCH_JOIN_CONCURRENCY", 64));
const WARMUP_VIEWS = 20;
const REPLY_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 30_000; // as the official client does

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
const problems = [];

// ---------------------------------------------------------------- /proc

function procStatus(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}
const rssKB = (pid) => procStatus(pid, "VmRSS");

// utime + stime of every thread of the process, in clock ticks.
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]); // fields 14 and 15 of proc(5)
}

// Sum of the threads' on-CPU time in ns (schedstat), a finer cross-check.
function cpuNs(pid) {
  try {
    let ns = 0;
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns;
  } catch {
    return NaN;
  }
}

function meminfoKB(key) {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) : NaN;
}

function openFileLimit() {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return !m || m[1] === "unlimited" ? Infinity : Number(m[1]);
}

// ---------------------------------------------------------------- server

function startServer() {
  const bin = process.env.LV_SERVER_BIN || path.join(sourceDir, "build/bin/liveview-examples");
  // exec keeps the pid: child.pid is the server itself once the shell execs.
  // BENCH_PIN=1 pins the server to CPU 0 (run.sh then pins node to CPU 1).
  const pin = process.env.BENCH_PIN === "1" ? "taskset -c 0 " : "";
  const child = spawn("sh", ["-c", `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${pin}"$0"`, bin], {
    env: {
      ...process.env,
      LV_HOST: "127.0.0.1",
      LV_PORT: "0",
      // Every client of a bench is one address, and there are more of them
      // than the default caps allow (docs/limits.md).
      LV_MAX_CONNECTIONS: "0",
      LV_MAX_CONNECTIONS_PER_ADDRESS: "0",
      LV_SECRET_KEY_BASE: "bench-secret-key-base-that-is-long-enough-0123456789",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + out + err)), 10000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? signal}:\n${out}${err}`));
    });
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/([^:]+):(\d+)/.exec(out);
      if (!m || child.port) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.dead = null;
      child.on("exit", (code, signal) => { child.dead = `exited with ${code ?? signal}`; });
      child.port = Number(m[2]);
      child.stderrText = () => err;
      resolve(child);
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
    const kill = setTimeout(() => child.kill("SIGKILL"), 10000);
    child.once("exit", (code, signal) => { clearTimeout(kill); resolve(code ?? signal); });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------- client

// One browser tab: the dead render over HTTP, then a WebSocket joined to the
// view. Replies are matched to pushes by ref.
class Tab {
  constructor() {
    this.ref = 0;
    this.pending = new Map();
    this.count = 0;
    this.closed = false;
  }

  async load(port, agent) {
    const html = await new Promise((resolve, reject) => {
      const req = http.get({ host: "127.0.0.1", port, path: "/counter", agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => { body += d; });
        // Like a browser, keep the session cookie: the socket must present it.
        const setCookie = res.headers["set-cookie"];
        this.cookie = setCookie ? String(setCookie[0]).split(";")[0] : undefined;
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /counter: HTTP ${res.statusCode}`))));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
    this.csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
    this.id = /<div id="(phx-[^"]+)" data-phx-main/.exec(html)?.[1];
    this.session = /data-phx-session="([^"]+)"/.exec(html)?.[1];
    if (!this.csrf || !this.id || !this.session) throw new Error("GET /counter: no csrf token, view id or session in the page");
    this.topic = "lv:" + this.id;
  }

  async connect(port) {
    const url = `ws://127.0.0.1:${port}/live/websocket?_csrf_token=${encodeURIComponent(this.csrf)}&vsn=2.0.0`;
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: this.cookie ? { cookie: this.cookie } : {} });
    this.ws = ws;
    ws.on("message", (data) => {
      let msg;
      try { msg = JSON.parse(String(data)); } catch { this.fail(new Error("non-JSON frame: " + String(data).slice(0, 200))); return; }
      if (!Array.isArray(msg) || msg[3] !== "phx_reply") {
        if (Array.isArray(msg) && msg[3] === "diff") return; // server push: not expected for the counter, harmless
        this.fail(new Error("unexpected message: " + JSON.stringify(msg).slice(0, 200)));
        return;
      }
      const p = this.pending.get(msg[1]);
      if (!p) return;
      this.pending.delete(msg[1]);
      clearTimeout(p.timer);
      p.resolve(msg);
    });
    ws.on("close", (code, reason) => {
      if (!this.closed) this.fail(new Error(`socket closed by server: ${code} ${reason}`));
      this.closed = true;
    });
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => reject(new Error("WebSocket upgrade: HTTP " + res.statusCode)));
    });
    ws.on("error", (e) => this.fail(e));
  }

  fail(e) {
    this.error ??= e;
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(e); }
    this.pending.clear();
  }

  push(joinRef, topic, event, payload) {
    if (this.error) return Promise.reject(this.error);
    const ref = String(++this.ref);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error(`no reply to ${event} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      this.ws.send(JSON.stringify([joinRef, ref, topic, event, payload]));
    });
  }

  async join() {
    const ref = String(this.ref + 1);
    const reply = await this.push(ref, this.topic, "phx_join", {
      url: "http://127.0.0.1/counter",
      params: { _csrf_token: this.csrf, _mounts: 0 },
      session: this.session,
      static: null,
    });
    if (reply[4]?.status !== "ok") throw new Error("join refused: " + JSON.stringify(reply).slice(0, 300));
    this.joinRef = ref;
  }

  async click() {
    const reply = await this.push(this.joinRef, this.topic, "event", { type: "click", event: "inc", value: {} });
    const diff = reply[4]?.response?.diff;
    this.count++;
    if (reply[4]?.status !== "ok" || !diff || diff["0"] !== String(this.count)) {
      throw new Error(`click ${this.count}: unexpected reply ` + JSON.stringify(reply).slice(0, 300));
    }
  }

  heartbeat() {
    if (this.closed || this.error) return;
    this.push(null, "phoenix", "heartbeat", {}).catch((e) => this.fail(e));
  }

  close() {
    this.closed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.ws?.terminate();
  }
}

// Opens and joins `n` tabs, `concurrency` at a time. Failed tabs are counted.
async function openTabs(port, n, concurrency, agent) {
  const tabs = [];
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const tab = new Tab();
      try {
        await tab.load(port, agent);
        await tab.connect(port);
        await tab.join();
        tabs.push(tab);
      } catch (e) {
        failures.push(e);
        tab.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { tabs, failures };
}

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const summarize = (errs) => {
  const byMsg = new Map();
  for (const e of errs) byMsg.set(String(e.message ?? e), (byMsg.get(String(e.message ?? e)) ?? 0) + 1);
  return [...byMsg].map(([m, c]) => `${c}x ${m}`).join("; ");
};

// ---------------------------------------------------------------- main

async function main() {
  const limit = openFileLimit();
  if (VIEWS + 64 > limit) {
    const clamped = Math.max(0, limit - 64);
    console.log(`note: open-file limit of node is ${limit}; BENCH_VIEWS lowered from ${VIEWS} to ${clamped} (run through bench/run.sh)`);
    VIEWS = clamped;
  }
  const conns = Math.min(CONNS, VIEWS);

  console.log(`liveview-c foundation bench: ${VIEWS} views, ${conns} click connections, ${SECONDS} s (max ${MAX_CLICKS} clicks); ` +
    `${readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm).length} CPUs, node ${process.version}, CLK_TCK ${CLK_TCK}` +
    (process.env.BENCH_PIN === "1" ? ", server pinned to CPU 0" : ", unpinned (server and client share both CPUs)"));

  const server = await startServer();
  const pid = server.pid;
  const agent = new http.Agent({ keepAlive: true, maxSockets: JOIN_CONCURRENCY });
  let tabs = [];
  let heartbeat;
  try {
    await sleep(200);
    console.log(`idle RSS: ${rssKB(pid)} KB (right after start, pid ${pid}, ${procStatus(pid, "Threads")} threads, server open-file limit ${
      /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))?.[1]})`);

    // A few views joined and closed, so one-time allocations are not billed to the views.
    const warm = await openTabs(server.port, WARMUP_VIEWS, 4, agent);
    for (const t of warm.tabs) t.close();
    if (warm.failures.length) problems.push(`warm-up: ${summarize(warm.failures)}`);
    agent.destroy();
    await sleep(1000);
    const rssBefore = rssKB(pid);
    const slabBefore = meminfoKB("Slab");
    console.log(`idle RSS after warm-up (${WARMUP_VIEWS} views joined and closed): ${rssBefore} KB`);

    // ---- M1: RSS per joined idle view
    const joinAgent = new http.Agent({ keepAlive: true, maxSockets: JOIN_CONCURRENCY });
    const t0 = performance.now();
    const opened = await openTabs(server.port, VIEWS, JOIN_CONCURRENCY, joinAgent);
    const joinSecs = (performance.now() - t0) / 1000;
    tabs = opened.tabs;
    joinAgent.destroy(); // the HTTP keep-alive sockets are not views
    heartbeat = setInterval(() => { for (const t of tabs) t.heartbeat(); }, HEARTBEAT_MS);
    if (opened.failures.length) problems.push(`joins: ${opened.failures.length} of ${VIEWS} failed: ${summarize(opened.failures)}`);
    console.log(`join rate: ${tabs.length} tabs in ${fmt(joinSecs, 2)} s (${fmt(tabs.length / joinSecs, 0)}/s, ` +
      `GET + upgrade + phx_join each, ${JOIN_CONCURRENCY} at a time)`);
    await sleep(1000);
    if (server.dead) throw new Error(`server ${server.dead} during joins:\n${server.stderrText()}`);
    const rssAfter = rssKB(pid);
    const slabAfter = meminfoKB("Slab");
    const n = tabs.length;
    const delta = (rssAfter - rssBefore) * 1024;
    console.log(`joined views: ${n}, RSS ${rssBefore} -> ${rssAfter} KB, RSS delta: ${fmt(delta / 1048576, 2)} MB, ` +
      `${fmt(delta / n, 0)} B per view, ${fmt(delta / n * 1000 / 1048576, 2)} MB per 1,000`);
    const slabDelta = (slabAfter - slabBefore) * 1024;
    console.log(`kernel (not ours, machine-wide Slab from /proc/meminfo, both ends of each loopback socket plus anything else ` +
      `running): ${fmt(slabDelta / 1048576, 2)} MB, ${fmt(slabDelta / n, 0)} B per view`);

    // ---- M2: server CPU per click
    const clickers = tabs.slice(0, conns);
    const rtts = new Float64Array(MAX_CLICKS);
    let clicks = 0;
    let stop = false;
    const clickErrors = [];
    const ticks0 = cpuTicks(pid);
    const ns0 = cpuNs(pid);
    const cli0 = process.cpuUsage();
    const c0 = performance.now();
    const deadline = setTimeout(() => { stop = true; }, SECONDS * 1000);
    await Promise.all(clickers.map(async (tab) => {
      while (!stop) {
        if (clicks >= MAX_CLICKS) { stop = true; break; }
        const s = performance.now();
        try {
          await tab.click();
        } catch (e) {
          clickErrors.push(e);
          return;
        }
        if (clicks < MAX_CLICKS) rtts[clicks] = performance.now() - s;
        clicks++;
      }
    }));
    clearTimeout(deadline);
    const elapsed = (performance.now() - c0) / 1000;
    const ticks = cpuTicks(pid) - ticks0;
    const ns = cpuNs(pid) - ns0;
    const cli = process.cpuUsage(cli0);
    if (clickErrors.length) problems.push(`clicks: ${clickErrors.length} connections stopped on an error: ${summarize(clickErrors)}`);
    const cpuUs = (ticks / CLK_TCK) * 1e6;
    const sorted = rtts.slice(0, Math.min(clicks, MAX_CLICKS)).sort();
    console.log(`clicks: ${clicks} in ${fmt(elapsed, 1)} s (${fmt(clicks / elapsed, 0)}/s) on ${conns} connections, ` +
      `server CPU: ${fmt(cpuUs / clicks, 2)} µs per click, RTT p50 ${fmt(percentile(sorted, 0.5), 2)} ms ` +
      `p99 ${fmt(percentile(sorted, 0.99), 2)} ms max ${fmt(sorted[sorted.length - 1], 2)} ms`);
    console.log(`server CPU detail: ${ticks} ticks utime+stime = ${fmt(cpuUs / 1e6, 2)} s (${fmt(100 * cpuUs / 1e6 / elapsed, 0)} % of one core); ` +
      `schedstat ${fmt(ns / 1e9, 3)} s = ${fmt(ns / 1e3 / clicks, 2)} µs per click; ` +
      `client (node) CPU ${fmt((cli.user + cli.system) / 1e6, 2)} s = ${fmt((cli.user + cli.system) / clicks, 2)} µs per click`);
    if (server.dead) throw new Error(`server ${server.dead} during clicks:\n${server.stderrText()}`);
    console.log(`RSS after clicks: ${rssKB(pid)} KB`);

    const lost = tabs.filter((t) => t.error && !clickers.includes(t));
    if (lost.length) problems.push(`idle views: ${lost.length} lost their socket: ${summarize(lost.map((t) => t.error))}`);

    // ---- everything closed: does the memory come back?
    clearInterval(heartbeat);
    for (const t of tabs) t.close();
    tabs = [];
    await sleep(1500);
    if (server.dead) throw new Error(`server ${server.dead} after closing the views:\n${server.stderrText()}`);
    const rssClosed = rssKB(pid);
    console.log(`RSS after closing all views: ${rssClosed} KB (freed memory stays in the allocator's free lists)`);

    // ---- a second round of the same joins: if memory were leaked per view,
    // RSS would grow again by about the first round's delta.
    const againAgent = new http.Agent({ keepAlive: true, maxSockets: JOIN_CONCURRENCY });
    const again = await openTabs(server.port, VIEWS, JOIN_CONCURRENCY, againAgent);
    againAgent.destroy();
    if (again.failures.length) problems.push(`second round: ${again.failures.length} of ${VIEWS} joins failed: ${summarize(again.failures)}`);
    await sleep(1000);
    const rssRound2 = rssKB(pid);
    for (const t of again.tabs) t.close();
    await sleep(1500);
    if (server.dead) throw new Error(`server ${server.dead} in the second round:\n${server.stderrText()}`);
    console.log(`second round: ${again.tabs.length} views joined again: RSS ${rssRound2} KB (${rssRound2 - rssAfter >= 0 ? "+" : ""}${rssRound2 - rssAfter} KB ` +
      `vs the first round with views open), ${rssKB(pid)} KB after closing them`);
  } finally {
    clearInterval(heartbeat);
    for (const t of tabs) t.close();
    agent.destroy();
    const code = await stopServer(server);
    if (code !== 0) problems.push(`server exit status after SIGTERM: ${code}`);
    const log = server.stderrText().trim();
    if (log) {
      const lines = log.split("\n");
      console.log(`server stderr: ${lines.length} lines; last ones:\n  ` + lines.slice(-10).join("\n  "));
    }
  }
}

try {
  await main();
} catch (e) {
  problems.push(String(e?.stack ?? e));
}
if (problems.length) {
  console.log("PROBLEMS:\n  " + problems.join("\n  "));
  process.exit(1);
}
process.exit(0);
