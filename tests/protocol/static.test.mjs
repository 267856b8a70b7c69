// The client's files and lv_static over raw HTTP: the server runs in an
// empty folder with no LV_ASSETS_DIR (everything it sends is compiled in),
// plus a folder served at /files (LV_FILES_DIR). Raw requests, because an
// HTTP client library would normalise the traversal attempts away.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { startServer } from "../lib/server.mjs";
import { rawConnect, waitFor, parseResponse } from "../lib/raw.mjs";

const IMMUTABLE = "public, max-age=31536000, immutable";
let server, root, files, empty;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "lv-static-"));
  empty = path.join(root, "empty");
  files = path.join(root, "files");
  fs.mkdirSync(empty);
  fs.mkdirSync(path.join(files, "sub"), { recursive: true });
  fs.writeFileSync(path.join(root, "outside.txt"), "root:outside\n");
  fs.writeFileSync(path.join(files, "hello.txt"), "hello\n");
  const script = "console.log('static');\n".repeat(40);
  fs.writeFileSync(path.join(files, "sub", "app.js"), script);
  fs.writeFileSync(path.join(files, "sub", "app.js.gz"), zlib.gzipSync(script));
  fs.writeFileSync(path.join(files, ".env"), "SECRET=1\n");
  fs.symlinkSync(path.join(root, "outside.txt"), path.join(files, "escape.txt"));
  fs.symlinkSync(root, path.join(files, "up"));
  server = await startServer({ LV_FILES_DIR: files }, { cwd: empty });
});

after(async () => {
  const code = await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
  assert.equal(code, 0, "server exits cleanly:\n" + server.output());
});

// One raw request; resolves to { status, headers, body (Buffer), wire } where
// wire counts every byte received (head and body).
async function raw(target, headers = {}, method = "GET") {
  const sock = await rawConnect(server.port);
  let req = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) req += `${k}: ${v}\r\n`;
  sock.write(req + "\r\n");
  const buf = await waitFor(sock, () => false); // until the server closes
  const res = parseResponse(buf);
  const i = buf.indexOf("\r\n\r\n");
  return { ...res, body: buf.subarray(i + 4), wire: buf.length };
}

const GZIP = { "Accept-Encoding": "gzip, deflate, br, zstd" };

async function clientUrls() {
  const page = await raw("/counter", GZIP);
  const html = page.body.toString();
  const css = [...html.matchAll(/href="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const js = [...html.matchAll(/src="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  return { page, css, js, all: [...css, ...js] };
}

test("the page names fingerprinted URLs: the stylesheet, then Phoenix, then app.js", async () => {
  const { css, js } = await clientUrls();
  assert.equal(css.length, 1);
  assert.match(css[0], /^\/assets\/app-[0-9a-f]{16}\.css$/);
  assert.equal(js.length, 2);
  assert.match(js[0], /^\/assets\/phoenix-[0-9a-f]{16}\.js$/);
  assert.match(js[1], /^\/assets\/app-[0-9a-f]{16}\.js$/);
  for (const old of ["/assets/phoenix.js", "/assets/phoenix_live_view.js", "/assets/app.js", "/assets/app.css"])
    assert.equal((await raw(old)).status, 404, old);
});

test("client files are immutable, gzip only when accepted, and the gzip is the same bytes", async () => {
  const { all } = await clientUrls();
  for (const url of all) {
    const gz = await raw(url, GZIP);
    assert.equal(gz.status, 200, url);
    assert.equal(gz.headers["cache-control"], IMMUTABLE, url);
    assert.equal(gz.headers["vary"], "Accept-Encoding", url);
    assert.equal(gz.headers["content-encoding"], "gzip", url);
    assert.equal(gz.headers["x-content-type-options"], "nosniff", url);
    assert.match(gz.headers["etag"], /^"[0-9a-f]{16}"$/);
    assert.equal(Number(gz.headers["content-length"]), gz.body.length);

    const plain = await raw(url);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers["content-encoding"], undefined, "no Accept-Encoding: identity");
    assert.equal(plain.headers["vary"], "Accept-Encoding");
    assert.equal(plain.headers["cache-control"], IMMUTABLE);
    assert.notEqual(plain.headers["etag"], gz.headers["etag"], "one ETag per representation");
    assert.deepEqual(zlib.gunzipSync(gz.body), plain.body, url);
    assert.ok(gz.body.length < plain.body.length / 2, `${url}: ${gz.body.length} of ${plain.body.length}`);
    // The fingerprint is the hash of the plain bytes' ETag.
    assert.ok(url.includes(plain.headers["etag"].slice(1, 17)), url);

    for (const refusing of ["gzip;q=0", "identity", "br", "gzip;q=0.5, identity", "*;q=0"]) {
      const r = await raw(url, { "Accept-Encoding": refusing });
      assert.equal(r.headers["content-encoding"], undefined, `${url} with ${refusing}`);
      assert.deepEqual(r.body, plain.body);
    }
    for (const accepting of ["*", "x-gzip", "GZIP;q=0.1", "br;q=1, gzip;q=0.9"])
      assert.equal((await raw(url, { "Accept-Encoding": accepting })).headers["content-encoding"], "gzip", accepting);

    const revalidated = await raw(url, { ...GZIP, "If-None-Match": gz.headers["etag"] });
    assert.equal(revalidated.status, 304);
    assert.equal(revalidated.body.length, 0);
    assert.equal(revalidated.headers["etag"], gz.headers["etag"]);
    const head = await raw(url, GZIP, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers["content-length"], gz.headers["content-length"]);
    assert.equal((await raw(url, {}, "POST")).status, 405);
  }
});

test("a first visit costs about 50 kB on the wire", async () => {
  const { page, all } = await clientUrls();
  let total = page.wire;
  const sizes = { [`page`]: page.wire };
  for (const url of all) {
    const r = await raw(url, GZIP);
    sizes[url] = r.wire;
    total += r.wire;
  }
  console.log("first visit, bytes on the wire:", JSON.stringify(sizes), "total", total);
  assert.ok(total < 60_000, `a first visit is ${total} bytes`);
});

test("an embedded static file: /static/favicon.svg", async () => {
  const r = await raw("/static/favicon.svg", GZIP);
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-type"], "image/svg+xml");
  assert.equal(r.headers["x-content-type-options"], "nosniff");
  assert.equal(r.headers["cache-control"], "no-cache");
  assert.equal(r.headers["content-encoding"], "gzip");
  assert.equal(r.headers["vary"], "Accept-Encoding");
  assert.match(zlib.gunzipSync(r.body).toString(), /^<svg /);
  const again = await raw("/static/favicon.svg", { ...GZIP, "If-None-Match": `W/${r.headers["etag"]}` });
  assert.equal(again.status, 304);
  assert.equal((await raw("/static/nothing.svg")).status, 404);
  assert.equal((await raw("/static/favicon.svg", {}, "POST")).status, 405);
});

test("a folder: types, ETag/304, HEAD and the .gz sibling", async () => {
  const hello = await raw("/files/hello.txt", GZIP);
  assert.equal(hello.status, 200);
  assert.equal(hello.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(hello.headers["cache-control"], "no-cache");
  assert.equal(hello.headers["content-encoding"], undefined, "no .gz sibling");
  assert.equal(hello.body.toString(), "hello\n");
  assert.equal((await raw("/files/hello.txt", { "If-None-Match": hello.headers["etag"] })).status, 304);
  const head = await raw("/files/hello.txt", {}, "HEAD");
  assert.equal(head.headers["content-length"], "6");
  assert.equal(head.body.length, 0);

  const gz = await raw("/files/sub/app.js", GZIP);
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.equal(gz.headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal(gz.headers["vary"], "Accept-Encoding");
  const plain = await raw("/files/sub/app.js");
  assert.equal(plain.headers["content-encoding"], undefined);
  assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);

  const post = await raw("/files/hello.txt", { "Content-Length": "0" }, "POST");
  assert.equal(post.status, 405);
  assert.equal(post.headers["allow"], "GET, HEAD");
});

test("traversal: 400 for a hostile path, 404 for what is not a servable file, never a byte from outside", async () => {
  const hostile = [
    "/files/../outside.txt", "/files/%2e%2e/outside.txt", "/files/%2E%2e/outside.txt", "/files/.%2e/outside.txt",
    "/files/..%2foutside.txt", "/files/sub%2f..%2f..%2foutside.txt", "/files/sub/../../outside.txt",
    "/files/..%5coutside.txt", "/files/..\\outside.txt", "/files/hello.txt%00", "/files/%zz", "/files/./hello.txt",
    "/static/../files/hello.txt", "/static/%2e%2e/%2e%2e/etc/passwd",
  ];
  for (const p of hostile) {
    const r = await raw(p);
    assert.equal(r.status, 400, p);
    assert.ok(!r.body.toString().includes("root:"), p);
  }
  const missing = [
    "/files/escape.txt", "/files/up/outside.txt", "/files/up", "/files/sub", "/files/sub/", "/files/", "/files",
    "/files//hello.txt", "/files/.env", "/files/%2eenv", "/files/nothing", "/files/hello.txt/",
  ];
  for (const p of missing) {
    const r = await raw(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.body.toString().includes("root:"), p);
  }
});

test("LV_ASSETS_DIR replaces app.js (and app.css when there); Phoenix stays embedded", async () => {
  const custom = path.join(root, "custom");
  fs.mkdirSync(path.join(custom, "js"), { recursive: true });
  fs.writeFileSync(path.join(custom, "js", "app.js"), "window.customAppJs = true;\n");
  const other = await startServer({ LV_ASSETS_DIR: custom }, { cwd: empty });
  try {
    const page = await (await fetch(other.url + "/counter")).text();
    const js = [...page.matchAll(/src="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    const { css: builtInCss, js: builtInJs } = await clientUrls();
    assert.equal(js[0], builtInJs[0], "the same embedded Phoenix bundle");
    assert.notEqual(js[1], builtInJs[1], "app.js is the folder's");
    assert.ok(page.includes(`href="${builtInCss[0]}"`), "no css/app.css there: the built-in one");
    const res = await fetch(other.url + js[1]);
    assert.equal(await res.text(), "window.customAppJs = true;\n");
    assert.equal(res.headers.get("cache-control"), IMMUTABLE);
  } finally {
    assert.equal(await other.stop(), 0);
  }
  await assert.rejects(startServer({ LV_ASSETS_DIR: path.join(root, "nowhere") }, { cwd: empty }),
                       /cannot read .*nowhere\/js\/app\.js.*LV_ASSETS_DIR/s);
});
