// Connects every LiveView on the page with the official Phoenix LiveView client.
// The CSRF token of the page travels with the join (LiveViewJS's "Websocket
// Join Authenticity" topic; docs/security.md, docs/protocol.md §8.1).
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='csrf-token']");
  var csrfToken = meta ? meta.getAttribute("content") : null;
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
      draw: function () {
        var c = this.el, ctx = c.getContext("2d"), p = this.points;
        var max = Math.max.apply(null, p.concat([1])), step = c.width / 29;
        ctx.clearRect(0, 0, c.width, c.height);
        ctx.strokeStyle = "#3b5bdb";
        ctx.lineWidth = 3;
        ctx.beginPath();
        p.forEach(function (v, i) {
          var y = c.height - 8 - (v / max) * (c.height - 16);
          if (i === 0) ctx.moveTo(i * step, y); else ctx.lineTo(i * step, y);
        });
        ctx.stroke();
        c.dataset.points = String(p.length);
      },
    },
  };
  var liveSocket = new LiveView.LiveSocket("/live", Phoenix.Socket, {
    params: { _csrf_token: csrfToken },
    hooks: hooks,
  });
  liveSocket.connect();
  // Handy from the browser console: liveSocket.enableDebug()
  window.liveSocket = liveSocket;
})();
