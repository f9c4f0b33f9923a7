// The session page's live parts (its summary, status panel, timeline and message total): the page's poll
// (#transcript-live, or #session-live on an older page of the transcript) tells the server which version of
// each part the page shows, and the answer swaps in, out of band, only the parts that changed, keeping the
// keyboard where it was (live.js holds the poll while a status change is on its way). No inline script, no eval.
(function () {
  "use strict";

  var POLLERS = { "transcript-live": true, "session-live": true };
  var kept = null;

  function isPoll(elt) {
    return !!(elt && POLLERS[elt.id]);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (!isPoll(event.detail.elt)) return;
    var shown = Array.prototype.map.call(document.querySelectorAll("[id][data-part-version]"), function (part) {
      return part.id + "=" + part.getAttribute("data-part-version");
    });
    event.detail.headers["X-Shown-Parts"] = shown.join(",");
  });

  function keyOf(el) {
    return el.getAttribute("data-action") || el.getAttribute("data-key") || "";
  }

  // A part replaced under the keyboard gives the focus, and its open details, to its new self.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var part = event.detail.target;
    if (!part || !part.hasAttribute || !part.hasAttribute("data-part-version")) return;
    var active = document.activeElement;
    kept = {
      id: part.id,
      focus: active && part.contains(active) ? keyOf(active) || "*" : null,
      open: Array.prototype.map.call(part.querySelectorAll("details[open]"), keyOf),
    };
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!kept) return;
    var part = document.getElementById(kept.id);
    var focus = kept.focus;
    var open = kept.open;
    kept = null;
    if (!part) return;
    Array.prototype.forEach.call(part.querySelectorAll("details"), function (details) {
      if (open.indexOf(keyOf(details)) !== -1) details.open = true;
    });
    if (focus === null) return;
    var target = null;
    if (focus !== "*") target = part.querySelector('[data-action="' + CSS.escape(focus) + '"], [data-key="' + CSS.escape(focus) + '"]');
    target = target || part.querySelector("button[data-action], a[href]") || part;
    if (target === part && !part.hasAttribute("tabindex")) part.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  });
})();
