// The listener of the js_commands example's "greet" event: a file, not an
// inline script, so the page works under the default Content-Security-Policy
// (script-src 'self').
document.addEventListener("greet", function (e) {
  document.getElementById("greeting").textContent = "Caught greet from " + e.detail.from + ".";
});
