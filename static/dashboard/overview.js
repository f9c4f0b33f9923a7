// The overview refreshes itself like the list: only while the tab is visible, and at once when the
// agent comes back to it. No inline script, no eval.
(function () {
  "use strict";

  var REGION_ID = "overview";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === REGION_ID && document.visibilityState !== "visible") event.preventDefault();
  });

  document.addEventListener("visibilitychange", function () {
    var region = document.getElementById(REGION_ID);
    if (region && document.visibilityState === "visible" && window.htmx) window.htmx.trigger(region, "refresh-overview");
  });
})();
