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
// { url, port, stop(), output() } once it prints its listening line.
// `wrap` runs the server under another program (e.g. valgrind).
export function startServer(env = {}, { wrap = [], startTimeoutMs = 10000 } = {}) {
  const bin = process.env.LV_SERVER_BIN || path.join(sourceDir, "build/bin/liveview-examples");
  const argv = [...wrap, bin];
  const child = spawn(argv[0], argv.slice(1), {
    env: {
      ...process.env,
      LV_HOST: "127.0.0.1",
      LV_PORT: "0",
      LV_ASSETS_DIR: path.join(sourceDir, "assets"),
      LV_SECRET_KEY_BASE: "test-secret-key-base-that-is-long-enough-0123456789",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stderr.on("data", (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start:\n" + out)), startTimeoutMs);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on http:\/\/([^:]+):(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const port = Number(m[2]);
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        output: () => out,
        pid: child.pid,
        // Stops with SIGTERM and resolves to the exit code, so tests can
        // check that shutdown is clean (sanitizer builds fail it on leaks).
        stop: () => new Promise((res) => {
          if (child.exitCode !== null) return res(child.exitCode);
          child.removeAllListeners("exit");
          child.on("exit", (code, signal) => res(code ?? signal));
          child.kill("SIGTERM");
        }),
      });
    });
  });
}
