// The pages' live regions (the list's rows, the transcript's new messages, the overview) poll only while
// the tab is visible, and refresh at once when the agent comes back to it. A region says it is live with
// data-live, which names the event of its hx-trigger that refreshes it. No inline script, no eval.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.hasAttribute("data-live") && document.visibilityState !== "visible") event.preventDefault();
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    document.querySelectorAll("[data-live]").forEach(function (region) {
      htmx.trigger(region, region.getAttribute("data-live"));
    });
  });
})();
