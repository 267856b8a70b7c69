// The /navigation live session's layout script (the suite's
// Navigation.Layout), as a file: liveview-c's Content-Security-Policy
// refuses inline scripts. Its own LiveSocket (reload jitter, no hooks) and
// the phx:before-navigate / phx:navigate listeners the specs read from the
// console, with the sidebar's "Prevent navigation" checkbox.
import { LiveSocket } from "/assets/phoenix_live_view/phoenix_live_view.esm.js";

const csrfToken = document.querySelector("meta[name='csrf-token']").getAttribute("content");
const liveSocket = new LiveSocket("/live", window.Phoenix.Socket, {
  params: { _csrf_token: csrfToken },
  reloadJitterMin: 50,
  reloadJitterMax: 500,
});
liveSocket.connect();
window.liveSocket = liveSocket;
window.liveNavigationPreventEnabled = false;

window.addEventListener("phx:before-navigate", (e) => {
  console.log("before navigate event", JSON.stringify(e.detail));
  if (window.liveNavigationPreventEnabled) e.preventDefault();
});

window.addEventListener("phx:navigate", (e) => {
  console.log("navigate event", JSON.stringify(e.detail));
});

window.addEventListener("change", (e) => {
  if (e.target && e.target.id === "prevent-navigation-toggle") {
    window.liveNavigationPreventEnabled = e.target.checked;
  }
});
