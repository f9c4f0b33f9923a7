// The pages' live regions (the list's rows, the transcript's new messages, the overview) poll while the tab
// is visible, and refresh at once when the agent comes back to it. While the tab is hidden they ask nothing,
// except a region with data-hidden-every="S", which asks every S seconds (the list: it counts what arrives in
// the tab's title). A region says it is live with data-live, which names the event of its hx-trigger that
// refreshes it. No region polls over a change still on its way. No inline script, no eval.
(function () {
  "use strict";

  var hiddenSince = 0;
  var lastHiddenAsk = new WeakMap();
  // Changes (any request but a GET: a close, an undo, …) on their way. While one is, no live region polls,
  // and the polls already in flight are cancelled: they would bring back what the change replaces. Entries
  // expire, so that a lost event can never stop the live refresh for good.
  var changes = new Map();
  var CHANGE_TIMEOUT_MS = 20000;

  function changeInFlight() {
    var now = Date.now();
    changes.forEach(function (started, xhr) {
      if (now - started > CHANGE_TIMEOUT_MS) changes.delete(xhr);
    });
    return changes.size > 0;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region.hasAttribute("data-live")) {
      if (event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
        changes.set(event.detail.xhr, Date.now());
        document.querySelectorAll("[data-live]").forEach(function (live) {
          htmx.trigger(live, "htmx:abort");
        });
      }
      return;
    }
    if (leaving || changeInFlight()) {
      event.preventDefault();
      return;
    }
    if (document.visibilityState === "visible") return;
    var every = parseFloat(region.getAttribute("data-hidden-every") || "") * 1000;
    var last = Math.max(lastHiddenAsk.get(region) || 0, hiddenSince);
    if (every > 0 && Date.now() - last >= every) {
      lastHiddenAsk.set(region, Date.now());
      return;
    }
    event.preventDefault();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    changes.delete(event.detail.xhr);
  });

  // A plain form post (sign-out, a change without htmx) leaves the page: a poll answered meanwhile must not
  // send the browser elsewhere (a poll refused after sign-out would redirect to the sign-in page's ?next=).
  var leaving = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    leaving = true;
    document.querySelectorAll("[data-live]").forEach(function (live) {
      htmx.trigger(live, "htmx:abort");
    });
  });
  window.addEventListener("pageshow", function () {
    leaving = false;
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
