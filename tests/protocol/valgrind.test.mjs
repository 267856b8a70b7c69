// The server under valgrind: a page, a join, clicks, a leave, a socket left
// open, then SIGTERM. Valgrind must report no memory error and no leak, and
// the server must exit 0 (a clean shutdown ends every view and frees all).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { startServer } from "../lib/server.mjs";
import { Client, loadPage } from "../lib/client.mjs";

function haveValgrind() {
  try {
    execFileSync("valgrind", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

// A sanitizer build cannot run under valgrind; it checks leaks itself.
const skip = process.env.LV_SANITIZED === "1" ? "sanitizer build" : !haveValgrind() ? "no valgrind" : false;

test("valgrind-clean from start to shutdown", { skip, timeout: 120000 }, async () => {
  const server = await startServer({}, {
    wrap: ["valgrind", "--error-exitcode=99", "--leak-check=full", "--show-leak-kinds=definite,indirect",
           "--errors-for-leak-kinds=definite,indirect", "--track-fds=no"],
    startTimeoutMs: 60000,
  });
  const page = await loadPage(server.url);
  const c = await Client.connect(server.url, { csrf: page.csrf, cookie: page.cookie });
  const { joinRef } = await c.join(page);
  for (let i = 0; i < 5; i++) await c.click(joinRef, page.topic, "inc");
  await c.click(joinRef, page.topic, "no-such-event");
  c.ws.send("not json");
  await c.heartbeat();
  await c.push(joinRef, page.topic, "phx_leave", {});
  const page2 = await loadPage(server.url, "/counter", page.cookie);
  await c.join(page2); // left joined: shutdown must end it
  // /sensors: readings from the program's own thread, posted to the loop;
  // shutdown stops the server with readings possibly in flight, then joins
  // the producer thread.
  const sensors = await loadPage(server.url, "/sensors", page.cookie);
  await c.join(sensors);
  await c.next((m) => Array.isArray(m) && m[2] === sensors.topic && m[3] === "diff", 60000);
  // A long-poll session with a joined view and a poll held at shutdown.
  const lpPage = await loadPage(server.url, "/counter", page.cookie);
  const lpUrl = `${server.url}/live/longpoll?_csrf_token=${encodeURIComponent(lpPage.csrf)}&vsn=2.0.0&`;
  const opened = await (await fetch(lpUrl, { headers: { cookie: page.cookie } })).json();
  assert.equal(opened.status, 410);
  const join = ["1", "1", lpPage.topic, "phx_join",
    { url: lpPage.url, params: { _csrf_token: lpPage.csrf }, session: lpPage.session, static: null }];
  const posted = await fetch(lpUrl + "token=" + opened.token, {
    method: "POST", headers: { cookie: page.cookie, "content-type": "application/x-ndjson" },
    body: JSON.stringify(join) + "\nnot a frame",
  });
  assert.equal(posted.status, 400, "a malformed batch is refused whole");
  await fetch(lpUrl + "token=" + opened.token, {
    method: "POST", headers: { cookie: page.cookie, "content-type": "application/x-ndjson" },
    body: JSON.stringify(join),
  });
  const polled = await (await fetch(lpUrl + "token=" + opened.token, { headers: { cookie: page.cookie } })).json();
  assert.equal(polled.status, 200);
  const held = fetch(lpUrl + "token=" + opened.token, { headers: { cookie: page.cookie } }).catch(() => null);
  const code = await server.stop();
  await held;
  assert.equal(code, 0, "valgrind found errors or leaks:\n" + server.output().slice(-4000));
  assert.match(server.output(), /ERROR SUMMARY: 0 errors/);
});
