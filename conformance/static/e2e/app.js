// The suite's live layout script (test_helper.exs), as a file: liveview-c's
// Content-Security-Policy refuses inline scripts. It creates the LiveSocket
// with the suite's hooks and uploaders and exposes it as window.liveSocket,
// which the specs drive. A page whose suite view has a layout of its own
// (/form/feedback) adds its LiveSocket options from its pre_script, as
// window.liveSocketOptions(LiveView) (layout.c's pre_scripts table).
import * as LiveView from "/assets/phoenix_live_view/phoenix_live_view.esm.js";

const { LiveSocket } = LiveView;

const Hooks = {
  FormHook: {
    mounted() {
      this.pushEvent("ping", {}, () => (this.el.innerText += "pong"));
    },
  },
  FormStreamHook: {
    mounted() {
      this.pushEvent("ping", {}, () => (this.el.innerText += "pong"));
    },
  },
};

const Uploaders = {
  TestExternal(entries) {
    entries.forEach((entry) => {
      document.documentElement.dataset.externalUploadStarted = entry.ref;
      const upload = {
        abort() {
          document.documentElement.dataset.externalUploadAborted = entry.ref;
        },
      };
      entry.onCancel(() => upload.abort());
    });
  },
};

const csrfToken = document.querySelector("meta[name='csrf-token']").getAttribute("content");
const liveSocket = new LiveSocket("/live", window.Phoenix.Socket, {
  params: { _csrf_token: csrfToken },
  hooks: { ...Hooks, ...window.hooks },
  uploaders: Uploaders,
  cascadePhxRemoveOnNavigation:
    new URLSearchParams(window.location.search).get("cascadePhxRemoveOnNavigation") !== "false",
  ...(window.liveSocketOptions ? window.liveSocketOptions(LiveView) : {}),
});
liveSocket.connect();
window.liveSocket = liveSocket;
