// Bulk selection on the sessions list, on top of the rows' checkboxes (which submit with the bulk
// form through form="bulk-form", so closing works without this file too). Here: the selected row ids
// are remembered across live refreshes and across pages of the same filter, the bar says how many are
// selected, "select all N matching this filter" switches the form to act on the filter, and a close
// run's Stop button wins over its automatic continuation. No inline script, no eval.
(function () {
  "use strict";

  var BOX = "input[data-action='select']";
  var selected = new Set();
  var allMatching = false;
  var applying = false; // our own programmatic changes are not user choices
  var stopRequested = false;

  function form() {
    return document.getElementById("bulk-form");
  }

  // One remembered selection per filter (the bulk form's action carries the filter, not the page).
  function storageKey() {
    var f = form();
    return f ? "bulk-selection:" + f.getAttribute("action") : null;
  }

  function load() {
    var key = storageKey();
    if (!key) return;
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (saved) {
        selected = new Set(saved.ids || []);
        allMatching = !!saved.all;
      }
    } catch (error) {
      selected = new Set();
    }
  }

  function save() {
    var key = storageKey();
    if (!key) return;
    try {
      window.sessionStorage.setItem(key, JSON.stringify({ ids: Array.from(selected), all: allMatching }));
    } catch (error) {
      /* private mode: the selection lives in memory only */
    }
  }

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll(BOX));
  }

  function setBox(box, checked) {
    if (box.checked === checked) return;
    box.checked = checked;
    // Others (the keyboard shortcuts) keep their own view of the selection in step through this event.
    applying = true;
    try {
      box.dispatchEvent(new Event("change", { bubbles: true }));
    } finally {
      applying = false;
    }
  }

  function apply() {
    boxes().forEach(function (box) {
      if (allMatching && !box.disabled) selected.add(box.value);
      setBox(box, selected.has(box.value));
    });
    render();
  }

  function matchingCount() {
    var button = document.getElementById("bulk-matching");
    return button ? button.getAttribute("data-count") : "";
  }

  function render() {
    var f = form();
    if (!f) return;
    var scope = f.querySelector("[data-bulk-scope]");
    if (scope) scope.value = allMatching ? "filter" : "selected";
    var label = f.querySelector("[data-field='selected-count']");
    if (label) {
      if (allMatching) {
        var n = matchingCount();
        label.textContent = "All " + (n ? n + " " : "") + "sessions matching this filter are selected";
      } else {
        label.textContent = selected.size ? selected.size + " selected" : "";
      }
    }
    var clear = f.querySelector("[data-action='clear-selection']");
    if (clear) clear.hidden = !(allMatching || selected.size);
    var all = document.getElementById("bulk-matching");
    if (all) all.setAttribute("aria-pressed", allMatching ? "true" : "false");
    f.classList.toggle("has-selection", allMatching || selected.size > 0);
  }

  function clearSelection() {
    allMatching = false;
    selected.clear();
    boxes().forEach(function (box) {
      setBox(box, false);
    });
    save();
    render();
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (applying || !box.matches || !box.matches(BOX)) return;
    if (box.checked) {
      selected.add(box.value);
    } else {
      selected.delete(box.value);
      allMatching = false;
    }
    save();
    render();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-action]") : null;
    if (!target) return;
    var action = target.getAttribute("data-action");
    if (action === "select-all-matching" && form() && form().contains(target)) {
      // With this script the button selects; "Close selected" then closes (without it, it submits).
      event.preventDefault();
      allMatching = !allMatching;
      if (!allMatching) selected.clear();
      apply();
      boxes().forEach(function (box) {
        if (!allMatching) setBox(box, false);
      });
      save();
      render();
    } else if (action === "clear-selection") {
      event.preventDefault();
      clearSelection();
    } else if (action === "stop-close") {
      stopRequested = true;
    }
  });

  // Selected rows that are not on this page (or not shown after a refresh) still go with the form.
  document.addEventListener(
    "submit",
    function (event) {
      var f = event.target;
      if (f !== form()) return;
      Array.prototype.forEach.call(f.querySelectorAll("input[data-bulk-extra]"), function (input) {
        input.remove();
      });
      if (allMatching) return;
      var shown = new Set(
        boxes()
          .filter(function (box) {
            return box.checked;
          })
          .map(function (box) {
            return box.value;
          })
      );
      selected.forEach(function (id) {
        if (shown.has(id)) return;
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "selected";
        input.value = id;
        input.setAttribute("data-bulk-extra", "");
        f.appendChild(input);
      });
    },
    true
  );

  // A close run continues by itself; once Stop was pressed, the next request asks to stop instead.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (stopRequested && elt && elt.matches && elt.matches("form[data-close-run]")) {
      event.detail.parameters["stop"] = "1";
    }
  });

  // A finished run: forget the selection and bring the list up to date at once.
  document.addEventListener("sessions-closed", function () {
    stopRequested = false;
    clearSelection();
    var rows = document.getElementById("session-rows");
    if (rows && window.htmx) window.htmx.trigger(rows, "refresh-rows");
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "bulk-matching") {
      render();
      return;
    }
    apply();
  });
  document.addEventListener("rows:updated", apply); // a live refresh (static/dashboard/rows.js)

  function start() {
    load();
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
