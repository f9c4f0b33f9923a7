// The pages' live regions (the list's rows, the transcript's new messages, the overview) poll while the tab
// is visible, and refresh at once when the agent comes back to it. While the tab is hidden they ask nothing,
// except a region with data-hidden-every="S", which asks every S seconds (the list: it counts what arrives in
// the tab's title). A region says it is live with data-live, which names the event of its hx-trigger that
// refreshes it. No inline script, no eval.
(function () {
  "use strict";

  var hiddenSince = 0;
  var lastHiddenAsk = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region.hasAttribute("data-live") || document.visibilityState === "visible") return;
    var every = parseFloat(region.getAttribute("data-hidden-every") || "") * 1000;
    var last = Math.max(lastHiddenAsk.get(region) || 0, hiddenSince);
    if (every > 0 && Date.now() - last >= every) {
      lastHiddenAsk.set(region, Date.now());
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") {
      hiddenSince = Date.now();
      return;
    }
    document.querySelectorAll("[data-live]").forEach(function (region) {
      htmx.trigger(region, region.getAttribute("data-live"));
    });
  });
})();
