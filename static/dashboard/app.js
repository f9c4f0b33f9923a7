// Behaviour of the dashboard pages on top of htmx. All of it lives here (no inline script,
// no hx-on, no eval), so the pages can run under a Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";

  var REGION_ID = "session-rows";

  document.documentElement.classList.add("js");

  function region() {
    return document.getElementById(REGION_ID);
  }

  function isPoll(elt) {
    return elt && elt.id === REGION_ID;
  }

  // The rows region tells the server which version it shows; an unchanged list answers 204.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (isPoll(elt) && elt.getAttribute("data-rows-version")) {
      event.detail.headers["X-Rows-Version"] = elt.getAttribute("data-rows-version");
    }
  });

  // A change starts afresh in its row (live.js holds the polls meanwhile).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (isPoll(elt) || !event.detail.requestConfig || event.detail.requestConfig.verb === "get") return;
    var error = errorSlot(elt);
    if (error) error.textContent = "";
  });

  // Where a row's action says what went wrong (the server retargets its error there): made on demand,
  // so that rows carry no empty slot.
  function errorSlot(elt) {
    var row = elt.closest ? elt.closest("[data-row-id]") : null;
    if (!row) return null;
    var slot = row.querySelector("[id^='row-error-']");
    if (!slot && row.matches("tr")) {
      slot = document.createElement("p");
      slot.id = "row-error-" + row.getAttribute("data-row-id");
      slot.setAttribute("role", "alert");
      row.lastElementChild.appendChild(slot);
    }
    return slot;
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

  // "waiting 6 min" since the visitor's last message (dashboard_tags.waiting); long waits are marked.
  var LONG_WAIT_MINUTES = 5;
  function waiting(moment) {
    var text = ago(moment);
    return text === "just now" ? "waiting <1 min" : "waiting " + text.replace(/ ago$/, "");
  }

  function refreshAges() {
    var rows = region();
    if (!rows) return;
    var times = rows.querySelectorAll("tr[data-row-id] time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var moment = Date.parse(times[i].getAttribute("datetime"));
      if (isNaN(moment)) continue;
      var isWait = times[i].getAttribute("data-field") === "waiting-since";
      var text = isWait ? waiting(moment) : ago(moment);
      if (times[i].textContent !== text) times[i].textContent = text;
      if (isWait) times[i].classList.toggle("is-long", Date.now() - moment >= LONG_WAIT_MINUTES * 60000);
    }
  }
  document.addEventListener("htmx:afterSettle", refreshAges);
  document.addEventListener("rows:updated", refreshAges);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refreshAges);
  else refreshAges();
  window.setInterval(refreshAges, 10000);

  // Changing the sort or picking a whole date applies it at once (the Search button does the same without
  // JavaScript).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
  });
})();
