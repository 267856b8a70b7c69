// Connects every LiveView on the page with the official Phoenix LiveView client.
// The CSRF token of the page travels with the join (LiveViewJS's "Websocket
// Join Authenticity" topic; docs/security.md, docs/protocol.md §8.1).
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='csrf-token']");
  var csrfToken = meta ? meta.getAttribute("content") : null;

  // The sales chart's scale: a round maximum ($1,000, $2,000, $5,000...)
  // split into four steps.
  function niceMax(max) {
    var raw = max / 4, step = Math.pow(10, Math.floor(Math.log10(raw)));
    var factor = [1, 2, 2.5, 5, 10].find(function (f) { return step * f >= raw; });
    return step * factor * 4;
  }
  function money(v) {
    return "$" + Math.round(v).toLocaleString("en-US");
  }

  // Client hooks (phx-hook="Name"): JavaScript that lives with an element.
  // A hook receives the server's lv_push_event in handleEvent and may
  // pushEvent to the view, whose lv_reply comes back to the callback.
  var hooks = {
    // The dashboard's chart: asks for the history once, then adds each
    // "sales" figure the server pushes. data-points tells how many it drew.
    Sparkline: {
      mounted: function () {
        var hook = this;
        hook.points = [];
        hook.pushEvent("history", {}, function (reply) {
          hook.points = reply.points.concat(hook.points).slice(-30);
          hook.draw();
        });
        hook.handleEvent("sales", function (e) {
          hook.points = hook.points.concat([e.value]).slice(-30);
          hook.draw();
        });
      },
      // A line over the last 30 seconds, newest on the right at "now", with
      // a dollar axis on the left and a time axis below.
      draw: function () {
        var c = this.el, p = this.points, dpr = window.devicePixelRatio || 1;
        var w = c.clientWidth || 640, h = c.clientHeight || 220;
        if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
          c.width = Math.round(w * dpr);
          c.height = Math.round(h * dpr);
        }
        var ctx = c.getContext("2d");
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.clearRect(0, 0, w, h);
        var left = 64, right = 16, top = 14, bottom = 30;
        var pw = w - left - right, ph = h - top - bottom;
        var max = niceMax(Math.max.apply(null, p.concat([1])));
        var xAt = function (slot) { return left + (pw * slot) / 29; };
        var yAt = function (v) { return top + ph - (ph * v) / max; };
        ctx.font = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
        ctx.lineWidth = 1;
        // Horizontal grid with the dollar labels.
        ctx.textAlign = "right";
        ctx.textBaseline = "middle";
        for (var i = 0; i <= 4; i++) {
          var y = Math.round(yAt((max * i) / 4)) + 0.5;
          ctx.strokeStyle = i === 0 ? "#9aa3b5" : "#e6e9f2";
          ctx.beginPath();
          ctx.moveTo(left, y);
          ctx.lineTo(left + pw, y);
          ctx.stroke();
          ctx.fillStyle = "#6b7385";
          ctx.fillText(money((max * i) / 4), left - 10, y);
        }
        // The time axis: seconds before now.
        ctx.textAlign = "center";
        ctx.textBaseline = "top";
        [0, 5, 10, 15, 20, 25, 29].forEach(function (slot) {
          var x = Math.round(xAt(slot)) + 0.5;
          ctx.strokeStyle = "#9aa3b5";
          ctx.beginPath();
          ctx.moveTo(x, top + ph);
          ctx.lineTo(x, top + ph + 4);
          ctx.stroke();
          ctx.fillText(slot === 29 ? "now" : "-" + (29 - slot) + "s", x, top + ph + 8);
        });
        ctx.strokeStyle = "#9aa3b5";
        ctx.beginPath();
        ctx.moveTo(left + 0.5, top);
        ctx.lineTo(left + 0.5, top + ph);
        ctx.stroke();
        if (p.length > 0) {
          var first = 30 - p.length;
          // The area under the line, then the line and the newest point.
          ctx.beginPath();
          ctx.moveTo(xAt(first), top + ph);
          p.forEach(function (v, k) { ctx.lineTo(xAt(first + k), yAt(v)); });
          ctx.lineTo(xAt(29), top + ph);
          ctx.closePath();
          ctx.fillStyle = "rgba(76, 95, 213, 0.10)";
          ctx.fill();
          ctx.beginPath();
          p.forEach(function (v, k) {
            if (k === 0) ctx.moveTo(xAt(first + k), yAt(v)); else ctx.lineTo(xAt(first + k), yAt(v));
          });
          ctx.strokeStyle = "#4c5fd5";
          ctx.lineWidth = 2.5;
          ctx.lineJoin = "round";
          ctx.stroke();
          ctx.fillStyle = "#4c5fd5";
          ctx.beginPath();
          ctx.arc(xAt(29), yAt(p[p.length - 1]), 4, 0, 2 * Math.PI);
          ctx.fill();
        }
        c.dataset.points = String(p.length);
        c.dataset.max = String(max);
      },
    },
    // The /js example's lv_push_event_before: the server pushes "seen_before"
    // (dispatched before the diff is applied) and "seen_after" (after) with
    // the same render; each notes what the watched element showed then.
    DispatchOrder: {
      mounted: function () {
        var hook = this, seen = {};
        var watched = function () {
          var el = document.querySelector(hook.el.dataset.watch);
          return el ? el.textContent : "";
        };
        ["seen_before", "seen_after"].forEach(function (name) {
          hook.handleEvent(name, function () {
            seen[name] = watched();
            hook.el.textContent = "before the patch: " + (seen.seen_before ?? "?") +
              ", after it: " + (seen.seen_after ?? "?");
          });
        });
      },
    },
  };

  // Connect params: what mount reads with lv_connect_params once the socket
  // joins (the /hi example shows it). Keys starting with "_" are the
  // client's own and stay hidden from views.
  var liveSocket = new LiveView.LiveSocket("/live", Phoenix.Socket, {
    params: {
      _csrf_token: csrfToken,
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    },
    hooks: hooks,
    // Where WebSockets are blocked, fall back to long-poll (/live/longpoll)
    // after 2.5 s, as Phoenix 1.8's generated app.js does (docs/longpoll.md).
    longPollFallbackMs: 2500,
  });
  liveSocket.connect();

  // The examples' navigation (examples/templates/layout.html) is rendered
  // with the page; a live navigation replaces only the view, so the current
  // link is marked again here once the new view is in.
  window.addEventListener("phx:page-loading-stop", function () {
    var nav = document.getElementById("examples-nav");
    if (!nav) return;
    // An example is its first path segment: /hi/bob is /hi/world's.
    var section = window.location.pathname.split("/")[1];
    nav.querySelectorAll("a").forEach(function (a) {
      if (a.getAttribute("href").split("/")[1] === section) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  });
  // Handy from the browser console: liveSocket.enableDebug()
  window.liveSocket = liveSocket;
})();
