// The LiveViewJS 0.8.1 peer of `make bench` (docs/performance.md): the same
// views as the liveview-c rows, written with LiveViewJS's own API and served
// by @liveviewjs/express the way its README sets it up (express +
// express-session for the dead render, a `ws` server for the LiveView
// socket). Listens on 127.0.0.1 only, on PORT (default 0: a free port) and
// prints "listening on http://127.0.0.1:PORT" once it accepts.
//
//   /counter    LiveViewJS's counter example: "inc" and "dec" clicks
//   /rtcounter  one count shared by every view over pub/sub: a click
//               broadcasts, every subscribed view renders and pushes a diff
//   /list       100 rows; a "bump" click changes one row's value
"use strict";

const http = require("http");
const express = require("express");
const session = require("express-session");
const { WebSocketServer } = require("ws");
const { NodeExpressLiveViewServer } = require("@liveviewjs/express");
const { createLiveView, html, SingleProcessPubSub } = require("liveviewjs");

// 10,000 views subscribe to one topic in the broadcast bench: not a leak.
require("events").EventEmitter.defaultMaxListeners = 0;

const counter = createLiveView({
  mount: (socket) => {
    socket.assign({ count: 0 });
  },
  handleEvent: (event, socket) => {
    const { count } = socket.context;
    socket.assign({ count: event.type === "inc" ? count + 1 : count - 1 });
  },
  render: (context) => html`
    <main>
      <h1>Counter</h1>
      <div class="counter">
        <button phx-click="dec" aria-label="decrement">-</button>
        <span id="count" class="value">${context.count}</span>
        <button phx-click="inc" aria-label="increment">+</button>
      </div>
    </main>
  `,
});

const pubSub = new SingleProcessPubSub();
const RTCOUNTER_TOPIC = "rtcounter";
let sharedCount = 0;

const rtcounter = createLiveView({
  mount: async (socket) => {
    if (socket.connected) await socket.subscribe(RTCOUNTER_TOPIC);
    socket.assign({ count: sharedCount });
  },
  handleEvent: async (event, socket) => {
    sharedCount += event.type === "inc" ? 1 : -1;
    socket.assign({ count: sharedCount });
    await pubSub.broadcast(RTCOUNTER_TOPIC, { type: "count", count: sharedCount });
  },
  handleInfo: (info, socket) => {
    if (info.type === "count") socket.assign({ count: info.count });
  },
  render: (context) => html`
    <main>
      <h1>Realtime counter</h1>
      <div class="counter">
        <button phx-click="dec" aria-label="decrement">-</button>
        <span id="count" class="value">${context.count}</span>
        <button phx-click="inc" aria-label="increment">+</button>
      </div>
    </main>
  `,
});

const LIST_ROWS = 100;

function listRows() {
  const rows = [];
  for (let i = 0; i < LIST_ROWS; i++) rows.push({ id: i + 1, name: `row ${i + 1}`, value: 0 });
  return rows;
}

const list = createLiveView({
  mount: (socket) => {
    socket.assign({ rows: listRows(), clicks: 0 });
  },
  // Each click adds one to the value of the next row in turn: one row of
  // the hundred changes.
  handleEvent: (event, socket) => {
    const { rows, clicks } = socket.context;
    const changed = rows.slice();
    const i = clicks % LIST_ROWS;
    changed[i] = { ...changed[i], value: changed[i].value + 1 };
    socket.assign({ rows: changed, clicks: clicks + 1 });
  },
  render: (context) => html`
    <main>
      <h1>List</h1>
      <button phx-click="bump">bump</button>
      <table>
        ${context.rows.map((row) => html`<tr><td>${row.id}</td><td>${row.name}</td><td>${row.value}</td></tr>`)}
      </table>
    </main>
  `,
});

const router = { "/counter": counter, "/rtcounter": rtcounter, "/list": list };

const page = (pageTitle, csrfToken, content) => html`
  <!DOCTYPE html>
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="csrf-token" content="${csrfToken}" />
      <title>${pageTitle.title}</title>
    </head>
    <body>
      ${content}
    </body>
  </html>
`;

const secret = "bench-secret-that-is-long-enough-0123456789";
const liveServer = new NodeExpressLiveViewServer(router, page, { title: "LiveViewJS bench" }, {
  pubSub,
  serDeSigningSecret: secret,
});

const app = express();
app.use(session({ secret, resave: false, rolling: true, saveUninitialized: true }));
app.use(liveServer.httpMiddleware());

const server = http.createServer(app);
const wsServer = new WebSocketServer({ server });
liveServer.wsMiddleware()(wsServer);

server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => {
  wsServer.clients.forEach((ws) => ws.terminate());
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
