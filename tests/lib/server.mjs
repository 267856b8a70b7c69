// Test support: starts the examples server on a free loopback port and
// offers the npm packages of assets/ (ws, playwright-core) to the tests.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.LV_SOURCE_DIR || path.resolve(here, "../..");
const requireAssets = createRequire(path.join(sourceDir, "assets/package.json"));
export const WebSocket = requireAssets("ws");
export const playwright = () => requireAssets("playwright-core");

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

// Starts the server binary with the given extra environment. Resolves to
// { url, port, pid, stop(), output(), waitForLog(), settledLog() } once it
// prints its listening line. `wrap` runs the server under another program
// (e.g. valgrind); `cwd` is the folder it runs in (the test's own by
// default), `bin` another program to serve than the examples, and
// `inheritEnv: false` gives it none of the test's environment but PATH (a
// key of env set to undefined is unset). The browser client is compiled into
// the binary and LV_ASSETS_DIR is emptied (whatever the caller's environment
// says), so every test exercises the embedded client; pass LV_ASSETS_DIR in
// env to test the override. LV_WORKERS is 2 unless env says otherwise.
//
// The server's log reaches the test through a pipe that is read on its own
// schedule: a line the server wrote before it answered may not have been
// read when the answer arrives. So a test never checks output() right after
// an answer: it waits for a line that must come (waitForLog), or, to show a
// line did not come, reads settledLog(), which holds every line logged
// before the call.
export function startServer(env = {}, { wrap = [], startTimeoutMs = 30000, cwd, bin, inheritEnv = true } = {}) {
  bin ??= process.env.LV_SERVER_BIN || path.join(sourceDir, "build/bin/liveview-examples");
  const argv = [...wrap, bin];
  const child = spawn(argv[0], argv.slice(1), {
    env: {
      ...(inheritEnv ? process.env : { PATH: process.env.PATH }),
      LV_HOST: "127.0.0.1",
      LV_PORT: "0",
      LV_ASSETS_DIR: "",
      // Two loops, as on CI's two cores, so every protocol and browser test
      // also crosses loops (two pages of one test may land on either).
      LV_WORKERS: "2",
      LV_SECRET_KEY_BASE: "test-secret-key-base-that-is-long-enough-0123456789",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    cwd,
  });
  let out = "";
  const logWaiters = new Set();
  const append = (d) => {
    out += d;
    for (const w of logWaiters) w();
  };
  child.stderr.on("data", append);
  // "close" comes after both pipes are drained, unlike "exit": a sanitizer
  // or valgrind report written at exit is then in the output.
  const closed = new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + out)), startTimeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
    let started = false;
    child.stdout.on("data", (d) => {
      append(d);
      // https: a server with TLS (liveview-civetweb with LV_TLS_CERT).
      const m = /listening on (https?):\/\/([^:]+):(\d+)/.exec(out);
      if (!m || started) return;
      started = true;
      clearTimeout(timer);
      const port = Number(m[3]);
      const url = `${m[1]}://127.0.0.1:${port}`;
      const output = () => out;
      // Resolves to the output once it matches re; rejects after timeoutMs
      // (a generous bound for a slow build, not a measure of anything).
      const waitForLog = (re, timeoutMs = 20000) => new Promise((res, rej) => {
        const check = () => {
          if (!re.test(out)) return false;
          done();
          res(out);
          return true;
        };
        const t = setTimeout(() => { done(); rej(new Error(`the server never logged ${re}:\n${out}`)); }, timeoutMs);
        const done = () => { clearTimeout(t); logWaiters.delete(check); };
        if (!check()) logWaiters.add(check);
      });
      resolve({
        port,
        url,
        output,
        waitForLog,
        settledLog: () => settledLog(url, waitForLog),
        pid: child.pid,
        // Stops with SIGTERM and resolves to the exit code, so tests can
        // check that shutdown is clean (sanitizer builds fail it on leaks).
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          return closed;
        },
      });
    });
  });
}

const BARRIER_TOPIC = "lv:log-barrier-";
let barriers = 0;

// The server's log up to now, without the lines of these barriers. The
// server logs a refused join naming its topic after every line it logged
// before that join, so once a join of a topic made up here shows in the
// output, everything logged before it has been read.
async function settledLog(url, waitForLog) {
  const topic = BARRIER_TOPIC + ++barriers;
  // A page's token and cookie, so the socket itself logs nothing.
  const res = await fetch(url + "/counter");
  const html = await res.text();
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? "";
  const ws = new WebSocket(url.replace("http", "ws") + "/live/websocket?_csrf_token=" +
                           encodeURIComponent(csrf) + "&vsn=2.0.0", { headers: { cookie } });
  try {
    await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
    const join = { url: url + "/counter", params: { _csrf_token: csrf }, session: "not-a-token", static: null };
    ws.send(JSON.stringify(["1", "1", topic, "phx_join", join]));
    const log = await waitForLog(new RegExp(`join of ${topic} refused`));
    return log.split("\n").filter((line) => !line.includes(BARRIER_TOPIC)).join("\n");
  } finally {
    ws.close();
  }
}
