// liveview-load (tools/load/, docs/performance.md) against the examples
// server: it joins, clicks, counts every ok reply once, counts error replies
// as errors, and fails clearly when there is nothing to load. No timing is
// asserted: a run lasts about a second and only counts are checked.
import { test, before, after } from "node:test";
import { spawn } from "node:child_process";
import net from "node:net";
import { createHash } from "node:crypto";
import path from "node:path";
import assert from "node:assert/strict";
import { startServer, sourceDir } from "../lib/server.mjs";

const loadBin = process.env.LV_LOAD_BIN || path.join(sourceDir, "build/bin/liveview-load");

// Runs the client to its end; resolves to { code, stdout, stderr }.
function runLoad(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadBin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? signal, stdout, stderr }));
  });
}

async function runJson(args) {
  const run = await runLoad([...args, "--json"]);
  assert.equal(run.code, 0, `liveview-load ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /Sanitizer|runtime error/);
  return JSON.parse(run.stdout);
}

let server;
before(async () => { server = await startServer(); });
after(async () => {
  const code = await server.stop();
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

for (const pipeline of [1, 4]) {
  test(`clicks /counter with pipeline ${pipeline}`, async () => {
    const r = await runJson(["--url", server.url, "--path", "/counter", "--event", "inc", "--connections", "3",
                             "--seconds", "1", "--pipeline", String(pipeline)]);
    assert.equal(r.connections, 3);
    assert.equal(r.joined, 3);
    assert.equal(r.pipeline, pipeline);
    assert.ok(r.events > 0, JSON.stringify(r));
    assert.equal(r.errors, 0, JSON.stringify(r));
    assert.equal(r.unanswered, 0);
    assert.ok(r.events_per_s > 0);
    assert.ok(r.p50_us > 0 && r.p50_us <= r.p99_us && r.p99_us <= r.max_us, JSON.stringify(r));
    assert.ok(r.seconds > 0);
  });
}

// /rtcounter keeps one count for the whole server, shown by every fresh page:
// after the run it must equal the ok replies the client counted, exactly. A
// reply counted twice, an event lost or a pending one left uncounted shows.
// Each click also broadcasts a diff to the other views, which the client
// must tell apart from replies.
test("every ok reply is counted once: the server's shared count equals events", async () => {
  const r = await runJson(["--url", server.url, "--path", "/rtcounter", "--event", "inc", "--connections", "3",
                           "--seconds", "1", "--pipeline", "4"]);
  assert.equal(r.errors, 0, JSON.stringify(r));
  assert.ok(r.events > 0);
  const html = await (await fetch(server.url + "/rtcounter")).text();
  const count = Number(/<span id="count" class="value">(-?\d+)<\/span>/.exec(html)[1]);
  assert.equal(count, r.events + r.warmup_events);
});

test("an event the view does not declare: every reply is an error, no event counted", async () => {
  const r = await runJson(["--url", server.url, "--path", "/counter", "--event", "no-such-event",
                           "--connections", "2", "--seconds", "1", "--pipeline", "2"]);
  assert.equal(r.joined, 2);
  assert.equal(r.events, 0);
  assert.ok(r.errors > 0);
  assert.equal(r.error_replies, r.errors);
  assert.equal(r.p50_us, 0);
  assert.match(r.first_error, /unknown event/);
});

// Held views get heartbeats (every 0.2 s here, so a 1.2 s run sends each
// connection at least one however slow the machine; the run waits for the
// replies of those sent, and a slow reply is not an error before 10 s).
test("--join-only holds the views without clicking, with heartbeats", async () => {
  const r = await runJson(["--url", server.url, "--path", "/counter", "--connections", "5", "--seconds", "1.2",
                           "--join-only", "--heartbeat", "0.2"]);
  assert.equal(r.joined, 5);
  assert.equal(r.events, 0);
  assert.equal(r.errors, 0, JSON.stringify(r));
  assert.ok(r.heartbeats >= 5, JSON.stringify(r));
});

test("--processes splits the connections and sums the results", async () => {
  const r = await runJson(["--url", server.url, "--path", "/counter", "--connections", "5", "--seconds", "0.5",
                           "--processes", "2", "--pipeline", "2"]);
  assert.equal(r.processes, 2);
  assert.equal(r.joined, 5);
  assert.ok(r.events > 0);
  assert.equal(r.errors, 0, JSON.stringify(r));
});

// --idle views join and never click; on /rtcounter every click broadcasts,
// so the idle views receive diffs, which the client counts as pushes (the
// broadcast bench). Only counts are checked, and bounds that hold whatever
// the timing: each click is at most one diff per view.
test("--idle joins views that only listen; pushed diffs, reply bytes and the server's RSS are reported", async () => {
  const r = await runJson(["--url", server.url, "--path", "/rtcounter", "--event", "inc", "--connections", "1",
                           "--idle", "3", "--seconds", "0.5", "--server-pid", String(server.pid)]);
  assert.equal(r.connections, 1);
  assert.equal(r.idle, 3);
  assert.equal(r.joined, 4);
  assert.equal(r.errors, 0, JSON.stringify(r));
  assert.ok(r.events > 0);
  assert.ok(r.pushes > 0 && r.pushes <= 4 * (r.events + r.warmup_events), JSON.stringify(r));
  assert.ok(r.push_bytes > r.pushes && r.reply_bytes > r.events, JSON.stringify(r));
  assert.equal(r.bytes_per_reply, Number((r.reply_bytes / r.events).toFixed(1)));
  assert.ok(r.server_rss_kb > 0, JSON.stringify(r));
});

// A port nothing listens on: listen, note the port, close.
async function deadPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

test("no server: a clear message and exit 1", async () => {
  const port = await deadPort();
  const run = await runLoad(["--url", `http://127.0.0.1:${port}`, "--connections", "2", "--seconds", "1", "--json"]);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, new RegExp(`no connection joined .*cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));
  assert.doesNotMatch(run.stderr, /Sanitizer/);
});

test("a page that is not there, or has no LiveView: a clear message and exit 1", async () => {
  let run = await runLoad(["--url", server.url, "--path", "/no-such-page", "--seconds", "1"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /GET \/no-such-page answered 404 \(expected 200\)/);
  const js = /src="(\/assets\/app-[0-9a-f]{16}\.js)"/.exec(await (await fetch(server.url + "/counter")).text())[1];
  run = await runLoad(["--url", server.url, "--path", js, "--seconds", "1"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /has no <meta name="csrf-token"/);
});

// Servers that misbehave: one that answers garbage, one that never answers.
// The client must end with a clear error, not crash or hang (the setup
// deadline bounds the silent one).
async function fakeServer(onConnection) {
  const sockets = new Set();
  const srv = net.createServer((s) => { sockets.add(s); s.on("error", () => {}); onConnection(s); });
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${srv.address().port}`,
    close: () => { for (const s of sockets) s.destroy(); return new Promise((resolve) => srv.close(resolve)); },
  };
}

test("a server answering garbage, or nothing: a clear message and exit 1", async () => {
  const garbage = await fakeServer((s) => s.once("data", () => s.end("\x00\x01 not HTTP at all\r\n\r\n")));
  try {
    const run = await runLoad(["--url", garbage.url, "--seconds", "1"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /GET \/counter: bad HTTP response/);
  } finally {
    await garbage.close();
  }
  const silent = await fakeServer(() => {});
  try {
    const run = await runLoad(["--url", silent.url, "--seconds", "1", "--setup-timeout", "0.3"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /no join within 0\.3 s \(stuck reading the page\)/);
  } finally {
    await silent.close();
  }
});

// A server with a real-looking page and upgrade whose WebSocket answers the
// join with a text frame that is not a Phoenix message.
test("a WebSocket answering garbage: a protocol error, a clear message and exit 1", async () => {
  const page = '<meta name="csrf-token" content="tok&amp;en">' +
               '<div id="phx-x" data-phx-main data-phx-session="s" data-phx-static="">x</div>';
  let upgradeRequest = "";
  const fake = await fakeServer((s) => {
    let got = "";
    s.on("data", (d) => {
      got += d;
      if (!got.includes("\r\n\r\n")) return;
      if (got.startsWith("GET /counter ")) {
        s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${page.length}\r\nSet-Cookie: a=1; Path=/\r\n\r\n${page}`);
      } else if (!upgradeRequest) {
        upgradeRequest = got;
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(got)[1];
        const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
                `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
        s.write(Buffer.from([0x81, 8, ...Buffer.from("not json")]));
      }
    });
  });
  try {
    const run = await runLoad(["--url", fake.url, "--seconds", "1", "--setup-timeout", "2"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /no connection joined .*not a Phoenix message: not json/);
    // What the client sent: the page's token (entity decoded, then
    // percent-encoded), its cookie and an Origin.
    assert.match(upgradeRequest, /^GET \/live\/websocket\?_csrf_token=tok%26en&vsn=2\.0\.0 HTTP\/1\.1\r\n/);
    assert.match(upgradeRequest, /\r\nCookie: a=1\r\n/);
    assert.match(upgradeRequest, new RegExp(`\r\nOrigin: ${fake.url}\r\n`));
  } finally {
    await fake.close();
  }
});

test("bad options: usage errors exit 2", async () => {
  for (const [args, re] of [
    [["--url", "https://127.0.0.1:1"], /https is not supported/],
    [["--url", server.url, "--connections", "0"], /--connections wants a whole number/],
    [["--url", server.url, "--pipeline", "x"], /--pipeline wants a whole number/],
    [["--url", server.url, "--idle", "-1"], /--idle wants a whole number/],
    [["--seconds", "1"], /--url is required/],
    [["--url", server.url + "/counter"], /the page goes in --path/],
  ]) {
    const run = await runLoad(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, re);
  }
});
