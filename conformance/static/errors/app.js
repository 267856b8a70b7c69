// The /errors page's layout script (the suite's ErrorLive layout), as a
// file. Short reload and rejoin delays and few reloads, so the specs see
// the client's reload, failsafe and child-rejoin behaviour within seconds.
import { LiveSocket } from "/assets/phoenix_live_view/phoenix_live_view.esm.js";

const csrfToken = document.querySelector("meta[name='csrf-token']").getAttribute("content");
const liveSocket = new LiveSocket("/live", window.Phoenix.Socket, {
  params: { _csrf_token: csrfToken },
  reloadJitterMax: 50,
  reloadJitterMin: 50,
  maxReloads: 5,
  failsafeJitter: 1000,
  maxChildJoinTries: 3,
  // Phoenix.Socket's channel rejoin backoff
  rejoinAfterMs: (_tries) => 50,
});
liveSocket.connect();
window.liveSocket = liveSocket;
