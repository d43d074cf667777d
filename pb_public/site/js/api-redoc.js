// Starts ReDoc on /api/redoc/ with the registry's OpenAPI document.
//
// ReDoc styles itself with <style> elements made at run time, which the
// page's Content-Security-Policy admits only with the nonce of this
// response. The server puts that nonce on this script's tag; the browser
// hides the attribute from the DOM but gives it to the script as
// currentScript.nonce, and ReDoc sets it on every style element it adds.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.getElementById("redoc");
  if (!root || !window.Redoc) {
    return;
  }
  window.Redoc.init(root.getAttribute("data-spec-url"), {
    nonce: script ? script.nonce : undefined,
    expandResponses: "200,201",
    jsonSampleExpandLevel: 2,
    hideDownloadButton: false,
    scrollYOffset: ".api-docs-bar"
  }, root);
})();
