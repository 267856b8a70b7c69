// The table of `make bench` (bench/suite.sh, docs/performance.md).
//
//   node bench/table.mjs --assemble DIR [--duration S] [--peer-skipped WHY] [--quick 0|1]
//       reads DIR/raw/*.json (the suite's runs), writes DIR/results.json and
//       prints the table
//   node bench/table.mjs [DIR/results.json]   (default build/bench/results.json)
//       prints the table of a results.json again, as markdown: paste it into
//       docs/performance.md after a run
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

function args(argv) {
  const o = { file: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--assemble") o.assemble = argv[++i];
    else if (a === "--duration") o.duration = Number(argv[++i]);
    else if (a === "--peer-skipped") o.peerSkipped = argv[++i];
    else if (a === "--quick") o.quick = argv[++i] === "1";
    else if (!a.startsWith("--")) o.file = a;
    else {
      console.error(`bench/table.mjs: unknown option ${a}`);
      process.exit(2);
    }
  }
  return o;
}

function machine() {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [])[1] || "unknown";
  const flags = (cpuinfo.match(/^flags\s*:\s*(.*)$/m) || [])[1] || "";
  return {
    nproc: os.cpus().length,
    cpu_model: model.trim(),
    virtual_machine: /\bhypervisor\b/.test(flags),
    kernel: `${os.type()} ${os.release()}`,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

function readRaw(dir) {
  const raw = {};
  const rawDir = path.join(dir, "raw");
  for (const f of fs.readdirSync(rawDir)) {
    const text = fs.readFileSync(path.join(rawDir, f), "utf8");
    if (f === "floor.jsonl") {
      raw.floor = text.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } else if (f === "million.json") {
      raw.million = JSON.parse(text);
    } else if (f.endsWith(".json")) {
      const run = JSON.parse(text);
      raw[run.name] = { rss_before_kb: run.rss_before_kb, ...run.result };
    }
  }
  return raw;
}

const round = (v, d) => (v === undefined || v === null || Number.isNaN(v) ? null : Number(v.toFixed(d)));

// One server's figures from its runs (c or js).
function figures(raw, s) {
  const r = (name) => raw[`${s}-${name}`];
  const f = {};
  for (const loops of [1, 2]) {
    for (const k of [1, 16]) {
      const run = r(`loops${loops}-p${k}`);
      if (!run) continue;
      f[`events_per_s_loops${loops}_p${k}`] = round(run.events_per_s, 0);
      f[`us_per_event_loops${loops}_p${k}`] = round(run.server_us_per_event, 2);
      f[`connections_loops${loops}_p${k}`] = run.connections;
      f[`errors_loops${loops}_p${k}`] = run.errors;
    }
  }
  const idle = r("idle");
  if (idle) {
    Object.assign(f, { idle_views: idle.idle, idle_p50_us: round(idle.p50_us, 0), idle_p99_us: round(idle.p99_us, 0), idle_errors: idle.errors });
    // The join rate: that run's setup, every view loaded and joined by one
    // client process, 64 at a time.
    f.join_views = idle.joined;
    f.join_rate_per_s = round(idle.joined / idle.setup_seconds, 0);
  }
  const mem = r("memory");
  if (mem && mem.joined > 0) {
    f.memory_views = mem.joined;
    f.memory_join_rate_per_s = round(mem.joined / mem.setup_seconds, 0);
    if (mem.server_rss_kb !== undefined)
      f.bytes_per_view_sockets = round(((mem.server_rss_kb - mem.rss_before_kb) * 1024) / mem.joined, 0);
    f.memory_errors = mem.errors;
  }
  const b = r("broadcast");
  if (b) {
    f.broadcast_listening = b.idle;
    f.broadcast_pushes = b.pushes;
    f.broadcast_us_per_delivered = round(b.server_us_per_push, 2);
    f.broadcast_pushes_per_s = round(b.pushes_per_s, 0);
    f.broadcast_errors = b.errors;
  }
  const l = r("list");
  if (l) Object.assign(f, { list_bytes_per_update: round(l.bytes_per_reply, 0), list_errors: l.errors });
  return f;
}

function floorFigures(raw) {
  const f = {};
  for (const row of raw.floor || []) {
    f[`messages_per_s_p${row.pipeline}`] = round(row.result.messages_per_s, 0);
    f[`us_per_message_p${row.pipeline}`] = round(row.result.server_us_per_message, 2);
    f.connections = row.connections;
  }
  return f;
}

function assemble(o) {
  const raw = readRaw(o.assemble);
  const results = {
    date: new Date().toISOString(),
    duration_s: o.duration ?? null,
    quick: !!o.quick,
    machine: machine(),
    liveview_c: figures(raw, "c"),
    liveviewjs: raw["js-loops1-p1"] ? figures(raw, "js") : null,
    liveviewjs_skipped: o.peerSkipped || null,
    floor: floorFigures(raw),
    million: raw.million || null,
    raw,
  };
  fs.writeFileSync(path.join(o.assemble, "results.json"), JSON.stringify(results, null, 2) + "\n");
  return results;
}

const num = (v, d = 0) =>
  v === undefined || v === null ? "—" : Number(v).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });

function table(res) {
  const c = res.liveview_c;
  const js = res.liveviewjs || {};
  const fl = res.floor;
  const skipped = res.liveviewjs ? "" : "skipped";
  const ratio = (a, b, d = 1) => (a && b ? `${num(a / b, d)}×` : "—");
  const lines = [];
  const row = (what, cv, jv, floor, note) => lines.push(`| ${what} | ${cv} | ${jv} | ${floor} | ${note} |`);
  lines.push("| row | liveview-c | LiveViewJS 0.8.1 | floor (same run) | ratios |");
  lines.push("|---|---|---|---|---|");
  const conns = c.connections_loops1_p1 ?? fl.connections;
  for (const k of [1, 16]) {
    row(`events/s, 1 loop, ${conns} connections, pipeline ${k}`, num(c[`events_per_s_loops1_p${k}`]),
        skipped || num(js[`events_per_s_loops1_p${k}`]), `${num(fl[`messages_per_s_p${k}`])} messages/s`, "");
    row(`**server µs CPU per event**, 1 loop, ${conns} conn., pipeline ${k}`, num(c[`us_per_event_loops1_p${k}`], 2),
        skipped || num(js[`us_per_event_loops1_p${k}`], 2), `${num(fl[`us_per_message_p${k}`], 2)} µs/message`,
        `C ÷ floor ${ratio(c[`us_per_event_loops1_p${k}`], fl[`us_per_message_p${k}`])}; JS ÷ C ${ratio(js[`us_per_event_loops1_p${k}`], c[`us_per_event_loops1_p${k}`])}`);
  }
  for (const k of [1, 16]) {
    row(`events/s, 2 loops, ${conns} connections, pipeline ${k}`, num(c[`events_per_s_loops2_p${k}`]),
        skipped || "n/a (one thread)", `${num(fl[`messages_per_s_p${k}`])} messages/s`, "");
    row(`**server µs CPU per event**, 2 loops, ${conns} conn., pipeline ${k}`, num(c[`us_per_event_loops2_p${k}`], 2),
        skipped || "n/a", `${num(fl[`us_per_message_p${k}`], 2)} µs/message`,
        `C ÷ floor ${ratio(c[`us_per_event_loops2_p${k}`], fl[`us_per_message_p${k}`])}`);
  }
  row(`p50 / p99 µs, 1 connection clicking, ${num(c.idle_views)} idle views joined`,
      `${num(c.idle_p50_us)} / ${num(c.idle_p99_us)}`, skipped || `${num(js.idle_p50_us)} / ${num(js.idle_p99_us)}`, "", "");
  row(`join rate, joins/s (page GET + upgrade + join, ${num(c.join_views)} views, 64 in flight)`,
      num(c.join_rate_per_s), skipped || num(js.join_rate_per_s), "", `C ÷ JS ${ratio(c.join_rate_per_s, js.join_rate_per_s)}`);
  row(`**memory per joined view**, real sockets, ${num(c.memory_views)} views (server RSS delta ÷ views)`,
      `${num(c.bytes_per_view_sockets)} B`, skipped || `${num(js.bytes_per_view_sockets)} B`, "",
      `JS ÷ C ${ratio(js.bytes_per_view_sockets, c.bytes_per_view_sockets)}`);
  const m = res.million;
  row(`**memory per view**, ${m ? num(m.views) : "1,000,000"} joined views in one process, no sockets (bench_views)`,
      m ? `${num(m.bytes_per_view)} B (${num(m.rss_kb / 1024)} MB)` : "—", "n/a", "", "");
  row(`**broadcast fan-out**, server µs CPU per delivered update, ${num(c.broadcast_listening)} views listening + 1 clicking`,
      num(c.broadcast_us_per_delivered, 2), skipped || num(js.broadcast_us_per_delivered, 2), "",
      `JS ÷ C ${ratio(js.broadcast_us_per_delivered, c.broadcast_us_per_delivered)}`);
  row("**bytes per update**, 100-row list, one row changed (the reply's WebSocket payload)",
      `${num(c.list_bytes_per_update)} B`, skipped || `${num(js.list_bytes_per_update)} B`, "",
      `JS ÷ C ${ratio(js.list_bytes_per_update, c.list_bytes_per_update)}`);
  const mc = res.machine;
  const notes = [
    "",
    `Machine: ${mc.nproc} CPUs, ${mc.cpu_model}${mc.virtual_machine ? " (a virtual machine)" : ""}, ${mc.memory_gb} GB, ${mc.kernel}, node ${mc.node}; ${res.date}` +
      (res.duration_s !== null ? `; the suite took ${res.duration_s} s` : "") + (res.quick ? "; BENCH_QUICK=1 (not figures)" : "") + ".",
  ];
  if (!res.liveviewjs) notes.push(`LiveViewJS rows skipped: ${res.liveviewjs_skipped || "no LiveViewJS run in this results.json"}.`);
  return lines.concat(notes).join("\n");
}

const o = args(process.argv.slice(2));
let res;
if (o.assemble) {
  res = assemble(o);
} else {
  const file = o.file || "build/bench/results.json";
  res = JSON.parse(fs.readFileSync(file, "utf8"));
}
console.log(table(res));
