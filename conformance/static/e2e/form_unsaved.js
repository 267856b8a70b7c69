// The pre_script of the suite's /form-unsaved view (form_unsaved_live.ex)
// as a file: it asks before leaving a form with unsaved changes, on live
// navigation (phx:before-navigate) and on unload, and records each event in
// window.unsavedEvents for the spec to read.
(() => {
  if (window.unsavedFormListenersInstalled) return;
  window.unsavedFormListenersInstalled = true;
  window.unsavedEvents = window.unsavedEvents || [];

  const hasUnsavedChanges = () => document.querySelector("#unsaved-form[data-dirty='true']") !== null;

  window.addEventListener("phx:before-navigate", (event) => {
    if (hasUnsavedChanges()) {
      window.unsavedEvents.push({ type: "phx", detail: event.detail });
      if (!window.confirm("You have unsaved changes. Leave without saving?")) {
        event.preventDefault();
      }
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (hasUnsavedChanges()) {
      window.unsavedEvents.push({ type: "beforeunload" });
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
