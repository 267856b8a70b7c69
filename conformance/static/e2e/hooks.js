// Runs before the client and before a view's own pre-script, as the inline
// `window.hooks = {}` of the suite's live layout does: a pre-script may add
// hooks here, and app.js hands them to the LiveSocket.
window.hooks = {};
