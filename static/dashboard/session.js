// The detail page's live transcript and the short-lived Undo of status changes (list and detail).
// Static, like app.js: no inline script, no hx-on, no eval, so it runs under script-src 'self'.
(function () {
  "use strict";

  var LIVE_ID = "transcript-live";
  var NEAR_BOTTOM_PX = 120;
  var stickToBottom = false;

  function log() {
    return document.querySelector("[data-transcript]");
  }

  function nearBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  }

  // New messages keep the transcript scrolled to the end if the agent was reading the end.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var el = log();
    if (event.detail.target && event.detail.target.id === LIVE_ID && el) stickToBottom = nearBottom(el);
  });
  document.addEventListener("htmx:afterSettle", function () {
    var el = log();
    if (stickToBottom && el) el.scrollTop = el.scrollHeight;
    stickToBottom = false;
  });

  // After a status change the button pressed is gone with its row (or panel): keep the keyboard
  // there, on the new Undo, or else on the row's first control.
  var refocus = null;
  var refocusXhr = null; // only the answer to that request moves the focus, never a poll's
  // (Noted before the request: hx-disabled-elt takes the focus off the pressed button meanwhile.)
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (verb === "get") return;
    refocus = null;
    refocusXhr = event.detail.xhr;
    if (!elt.contains(document.activeElement)) return;
    var panel = elt.closest("#session-status");
    var row = elt.closest("tr[data-row-id]");
    if (panel) refocus = "#session-status";
    else if (row) refocus = 'tr[data-row-id="' + CSS.escape(row.getAttribute("data-row-id")) + '"]';
  });
  document.addEventListener("htmx:sendError", function () {
    refocus = null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!refocus || event.detail.xhr !== refocusXhr) return;
    var place = document.querySelector(refocus);
    refocus = null;
    var control = place && (place.querySelector("[data-action='undo']") || place.querySelector("button[data-action], a[data-action='open']"));
    if (control) control.focus({ preventScroll: true });
  });

  // An Undo lasts as long as the server said it does; then it goes away (the server refuses it too).
  function armUndos(root) {
    var forms = (root.matches && root.matches("form.undo") ? [root] : []).concat(
      Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("form.undo") : [])
    );
    forms.forEach(function (form) {
      if (form.dataset.armed) return;
      form.dataset.armed = "1";
      var seconds = parseInt(form.getAttribute("data-undo-seconds"), 10) || 0;
      window.setTimeout(function () {
        if (!form.isConnected) return;
        var focused = form.contains(document.activeElement);
        var row = form.closest("[data-row-id], #session-status");
        form.remove();
        // Keep the keyboard where it was: on the row's (or panel's) first remaining control.
        if (focused && row) {
          var next = row.querySelector("a[data-action='open'], button[data-action]");
          if (next) next.focus({ preventScroll: true });
        }
      }, seconds * 1000);
    });
  }

  function start() {
    armUndos(document);
    var el = log();
    if (el && document.getElementById(LIVE_ID)) el.scrollTop = el.scrollHeight;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:load", function (event) {
    armUndos(event.detail.elt);
  });
})();
