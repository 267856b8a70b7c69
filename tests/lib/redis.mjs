// Test support: a redis-server of the test's own on a free loopback port,
// without persistence, and a minimal RESP client to send it commands.
import { spawn } from "node:child_process";
import net from "node:net";

// A loopback port nobody listens on right now (the kernel's pick for port 0).
async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// Starts redis-server on `port` (a free one by default) and resolves once it
// accepts connections to { port, url, kill(), output() }.
export async function startRedis(port) {
  port ??= await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "",
                                        "--appendonly", "no", "--protected-mode", "no"],
                      { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const closed = new Promise((resolve) => child.on("close", (code, signal) => resolve(code ?? signal)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("redis-server did not start:\n" + out)), 20000);
    const onData = (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`redis-server exited with ${code}:\n${out}`)); });
  });
  child.removeAllListeners("exit");
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    output: () => out,
    // SIGKILL: Redis vanishes the way a crash makes it vanish.
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      return closed;
    },
  };
}

// Sends one command (arguments are strings or Buffers) and resolves to its
// reply: a number for an integer, a string for a status or bulk string.
export async function redisCommand(port, ...args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  const sock = net.connect(port, "127.0.0.1");
  return new Promise((resolve, reject) => {
    let buf = "";
    sock.on("error", reject);
    sock.on("data", (d) => {
      buf += d;
      const m = /^([:+\-$])([^\r]*)\r\n/.exec(buf);
      if (!m) return;
      if (m[1] === "$") {
        const len = Number(m[2]);
        if (len >= 0 && buf.length < m[0].length + len + 2) return;
        sock.end();
        resolve(len < 0 ? null : buf.slice(m[0].length, m[0].length + len));
        return;
      }
      sock.end();
      if (m[1] === "-") reject(new Error(m[2]));
      else resolve(m[1] === ":" ? Number(m[2]) : m[2]);
    });
    sock.write(Buffer.concat(parts));
  });
}

// A frame as the Redis broker publishes it (src/net/redis_frame.h): version
// 1, the sender's 16-byte node id (hex), the message.
export function brokerFrame(nodeHex, message) {
  return Buffer.concat([Buffer.from([1]), Buffer.from(nodeHex, "hex"), Buffer.from(message)]);
}

// The node id a server logged when it reached Redis.
export function nodeOf(server) {
  const m = /redis: (?:re)?connected to \S+ \(node ([0-9a-f]{32})\)/.exec(server.output());
  if (!m) throw new Error("no node id in the log:\n" + server.output());
  return m[1];
}
