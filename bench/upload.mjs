// What one 100 MB upload costs the server (docs/uploads.md): starts
// bench_upload_server with its own upload directory, uploads SIZE bytes the
// way the official client does (a binary chunk, wait for its reply, a
// progress event whenever the percent grows), then submits, and reports the
// wall time and the server's memory (VmRSS before, VmHWM = peak resident
// after) from /proc.
//
//   node bench/upload.mjs [--mb 100] [--chunk 64000]
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, sourceDir } from "../tests/lib/server.mjs";
import { Client, loadPage } from "../tests/lib/client.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const size = arg("--mb", 100) * 1024 * 1024;
const chunkSize = arg("--chunk", 64000);

const status = (pid) => {
  const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(text)[1]);
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lv-bench-upload-"));
const server = await startServer(
  { LV_UPLOAD_DIR: dir, LV_WORKERS: "1", LV_BENCH_CHUNK: String(chunkSize), LV_LOG: "warn" },
  { bin: process.env.LV_BENCH_BIN || path.join(sourceDir, "build/bin/bench_upload_server") });
try {
  const page = await loadPage(server.url, "/big");
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef, reply } = await c.join({ ...page, url: server.url + "/big" });
  const uploadRef = /data-phx-upload-ref=\\"(phx-[^\\"]+)\\"/.exec(JSON.stringify(reply[4].response.rendered))[1];
  const before = status(server.pid);
  const entry = { ref: "0", name: "big.bin", type: "application/octet-stream", size, last_modified: 0 };
  const started = process.hrtime.bigint();
  const pre = await c.push(joinRef, page.topic, "allow_upload", { ref: uploadRef, entries: [entry], cid: null });
  const token = pre[4].response.entries["0"];
  const jref = String(++c.ref);
  c.ws.send(JSON.stringify([jref, jref, "lvu:0", "phx_join", { token }]));
  await c.next((m) => Array.isArray(m) && m[1] === jref);
  const block = crypto.randomBytes(chunkSize);
  const head = (ref) => {
    const f = [jref, ref, "lvu:0", "chunk"].map((s) => Buffer.from(s));
    return Buffer.concat([Buffer.from([0, ...f.map((x) => x.length)]), ...f]);
  };
  let sent = 0, lastPercent = -1;
  while (sent < size) {
    const n = Math.min(chunkSize, size - sent);
    const ref = String(++c.ref);
    c.ws.send(Buffer.concat([head(ref), block.subarray(0, n)]), { binary: true });
    const r = await c.next((m) => Array.isArray(m) && m[1] === ref);
    if (r[4].status !== "ok") throw new Error("chunk refused: " + JSON.stringify(r[4]));
    sent += n;
    const percent = Math.floor((sent / size) * 100);
    if (percent > lastPercent) {
      lastPercent = percent;
      await c.push(joinRef, page.topic, "progress", { event: null, ref: uploadRef, entry_ref: "0", progress: percent });
    }
  }
  const uploaded = process.hrtime.bigint();
  const during = status(server.pid);
  await c.push(joinRef, page.topic, "event", { type: "form", event: "save", value: `_csrf_token=${encodeURIComponent(page.csrf)}`, meta: {} });
  const seconds = Number(uploaded - started) / 1e9;
  console.log(JSON.stringify({
    bytes: size, chunk_size: chunkSize, chunks: Math.ceil(size / chunkSize),
    seconds: Number(seconds.toFixed(2)), mb_per_s: Number((size / 1048576 / seconds).toFixed(1)),
    rss_before_kb: before.rss, rss_after_kb: during.rss, peak_rss_kb: during.hwm,
    files_left: fs.readdirSync(dir).length, cores: os.cpus().length,
  }));
  c.close();
} finally {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
