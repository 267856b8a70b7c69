// Connects every LiveView on the page with the official Phoenix LiveView client.
// The CSRF token of the page travels with the join (seed: "Websocket Join Authenticity").
(function () {
  "use strict";
  var meta = document.querySelector("meta[name='csrf-token']");
  var csrfToken = meta ? meta.getAttribute("content") : null;
  var liveSocket = new LiveView.LiveSocket("/live", Phoenix.Socket, {
    params: { _csrf_token: csrfToken },
  });
  liveSocket.connect();
  // Handy from the browser console: liveSocket.enableDebug()
  window.liveSocket = liveSocket;
})();
