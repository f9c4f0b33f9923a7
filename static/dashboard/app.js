// Behaviour of the dashboard pages on top of htmx. All of it lives here (no inline script,
// no hx-on, no eval), so the pages can run under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";

  var REGION_ID = "session-rows";
  // Requests that change data (close, …) in flight; polls wait for them. Entries expire so a
  // lost event can never stop the live refresh for good.
  var mutations = new Map();
  var MUTATION_TIMEOUT_MS = 20000;
  var saved = null;

  document.documentElement.classList.add("js");

  function region() {
    return document.getElementById(REGION_ID);
  }

  function isPoll(elt) {
    return elt && elt.id === REGION_ID;
  }

  function mutationInFlight() {
    var now = Date.now();
    mutations.forEach(function (started, xhr) {
      if (now - started > MUTATION_TIMEOUT_MS) mutations.delete(xhr);
    });
    return mutations.size > 0;
  }

  // What identifies a focusable element or an open <details> across a refresh: its row and its key.
  function keyOf(el) {
    var row = el.closest("[data-row-id]");
    var name = el.getAttribute("data-key") || el.getAttribute("data-action") || el.getAttribute("rel") || "";
    return (row ? row.getAttribute("data-row-id") : "") + "|" + name;
  }

  function findByKey(root, selector, key) {
    var candidates = root.querySelectorAll(selector);
    for (var i = 0; i < candidates.length; i++) {
      if (keyOf(candidates[i]) === key) return candidates[i];
    }
    return null;
  }

  // The rows region tells the server which version it shows; an unchanged list answers 204.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (isPoll(elt) && elt.getAttribute("data-rows-version")) {
      event.detail.headers["X-Rows-Version"] = elt.getAttribute("data-rows-version");
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (isPoll(elt)) {
      // Never poll over a close that is still on its way (live.js pauses polls while the tab is hidden).
      if (mutationInFlight()) event.preventDefault();
      return;
    }
    if (event.detail.requestConfig && event.detail.requestConfig.verb !== "get") {
      mutations.set(event.detail.xhr, Date.now());
      // A poll already in flight would bring the row back as it was before this change.
      var rows = region();
      if (rows) htmx.trigger(rows, "htmx:abort");
      var error = errorSlot(elt);
      if (error) error.textContent = "";
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    mutations.delete(event.detail.xhr);
  });

  function errorSlot(elt) {
    var row = elt.closest ? elt.closest("[data-row-id]") : null;
    return row ? row.querySelector(".row-error") : null;
  }

  // A close that never got an answer (network down, server error page) says so in its row.
  function showRequestFailure(event) {
    var elt = event.detail.elt;
    if (isPoll(elt)) return;
    var slot = errorSlot(elt);
    if (slot) slot.textContent = "Could not reach the dashboard. Nothing was changed here; try again.";
  }
  document.addEventListener("htmx:sendError", showRequestFailure);
  document.addEventListener("htmx:responseError", showRequestFailure);

  // Keep the agent's focus, open details and scroll position when the rows region is replaced.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!isPoll(event.detail.target)) return;
    var rows = event.detail.target;
    var active = document.activeElement;
    saved = {
      open: Array.prototype.map.call(rows.querySelectorAll("details[open]"), keyOf),
      focus: active && rows.contains(active) && active !== rows ? keyOf(active) : null,
      scrollX: window.scrollX,
      scrollY: window.scrollY,
    };
  });

  document.addEventListener("htmx:afterSwap", function () {
    var rows = region();
    if (!saved || !rows) return;
    saved.open.forEach(function (key) {
      var details = findByKey(rows, "details", key);
      if (details) details.open = true;
    });
    if (saved.focus) {
      var target = findByKey(rows, "a, button, summary, input, select", saved.focus);
      if (target) target.focus({ preventScroll: true });
    }
    window.scrollTo(saved.scrollX, saved.scrollY);
    saved = null;
  });

  // Relative times in the rows ("3 min ago") move on here, in the browser, with the same words the
  // server uses (dashboard_tags.ago): the server leaves them out of the rows version, so a list whose
  // data did not change answers 204 and is never swapped just because a minute went by.
  function ago(moment) {
    var seconds = Math.floor((Date.now() - moment) / 1000);
    if (!(seconds >= 60)) return "just now";
    var minutes = Math.floor(seconds / 60), hours = Math.floor(seconds / 3600), days = Math.floor(seconds / 86400);
    var text;
    if (minutes < 60) text = minutes + " min";
    else if (hours < 24) text = hours + " h" + (minutes % 60 ? " " + (minutes % 60) + " min" : "");
    else text = days + " d" + (hours % 24 ? " " + (hours % 24) + " h" : "");
    return text + " ago";
  }

  function refreshAges() {
    var rows = region();
    if (!rows) return;
    var times = rows.querySelectorAll("tr[data-row-id] time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var moment = Date.parse(times[i].getAttribute("datetime"));
      if (isNaN(moment)) continue;
      var text = ago(moment);
      if (times[i].textContent !== text) times[i].textContent = text;
    }
  }
  document.addEventListener("htmx:afterSettle", refreshAges);
  window.setInterval(refreshAges, 10000);

  // Changing the sort or picking a whole date applies it at once (the Search button does the same without
  // JavaScript).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
  });
})();
