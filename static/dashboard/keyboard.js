// Keyboard shortcuts of the sessions list (and "/" and "?" everywhere): j/k move, Enter opens,
// c closes (after the dashboard's own confirmation; the focus goes on to the next row), x selects,
// / focuses the search, ? lists the shortcuts.
// Nothing fires while typing in a field or with a modifier key held.
(function () {
  "use strict";

  var REGION_ID = "session-rows";
  var SHORTCUTS = [
    ["j", "Next session"],
    ["k", "Previous session"],
    ["Enter", "Open the current session"],
    ["c", "Close the current session (asks first), then go on to the next"],
    ["x", "Select or unselect the current session"],
    ["/", "Search by session ID"],
    ["?", "Show these shortcuts"],
  ];
  var currentRowId = null;

  function rows() {
    var region = document.getElementById(REGION_ID);
    return region ? Array.prototype.slice.call(region.querySelectorAll("tbody > tr[data-row-id]")) : [];
  }

  function rowById(id) {
    return rows().filter(function (row) { return row.getAttribute("data-row-id") === id; })[0] || null;
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable) return true;
    var field = target.closest("input, textarea, select, [contenteditable]");
    if (!field) return false;
    // A checkbox or button-like input takes no text: shortcuts still work there.
    var type = (field.getAttribute("type") || "").toLowerCase();
    return !(field.tagName === "INPUT" && ["checkbox", "radio", "button", "submit", "reset"].indexOf(type) >= 0);
  }

  function markCurrent(row, focus) {
    rows().forEach(function (other) {
      other.classList.remove("is-current");
      other.removeAttribute("aria-current");
    });
    if (!row) {
      currentRowId = null;
      return;
    }
    currentRowId = row.getAttribute("data-row-id");
    row.classList.add("is-current");
    row.setAttribute("aria-current", "true");
    if (focus) {
      var link = row.querySelector("a[data-action='open']");
      if (link) link.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var index = all.indexOf(rowById(currentRowId));
    var next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    markCurrent(all[next], true);
  }

  function current() {
    return rowById(currentRowId);
  }

  function toggleSelected(row) {
    var box = row.querySelector("input[data-action='select']");
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // A dialog of the dashboard's own, made once: its title, the parts given, a note and a form of buttons
  // (method "dialog": a button's value becomes the dialog's returnValue).
  function ownDialog(id, className, titleParts, body, noteText, buttons) {
    var box = document.createElement("dialog");
    box.id = id;
    box.className = className;
    box.setAttribute("aria-labelledby", id + "-title");
    var title = document.createElement("h2");
    title.id = id + "-title";
    title.append.apply(title, titleParts);
    var note = document.createElement("p");
    note.className = "subtle";
    note.textContent = noteText;
    var form = document.createElement("form");
    form.method = "dialog";
    buttons.forEach(function (spec) {
      var button = document.createElement("button");
      button.className = spec.className;
      if (spec.value) button.value = spec.value;
      if (spec.action) button.setAttribute("data-action", spec.action);
      button.textContent = spec.text;
      form.appendChild(button);
    });
    box.append.apply(box, [title].concat(body, [note, form]));
    document.body.appendChild(box);
    return box;
  }

  // "Close session …?", asked in a dialog of the dashboard's own (Enter closes it, Esc keeps it open).
  function confirmDialog() {
    var existing = document.getElementById("confirm-close");
    if (existing) return existing;
    var name = document.createElement("bdi");
    name.setAttribute("data-field", "confirm-name");
    return ownDialog("confirm-close", "confirm", ["Close session ", name, "?"], [],
      "You can undo it for a few seconds afterwards.", [
        { className: "button", value: "keep", text: "Cancel" },
        { className: "button button-danger", value: "close", action: "confirm-close", text: "Close session" },
      ]);
  }

  function closeCurrent(row) {
    var button = row.querySelector("button[data-action='close']");
    if (!button) return;
    var box = confirmDialog();
    box.querySelector("[data-field='confirm-name']").textContent =
      row.getAttribute("data-session-id") || row.getAttribute("data-row-id");
    box.returnValue = "";
    box.addEventListener("close", function () {
      if (box.returnValue !== "close") {
        markCurrent(row, true);
        return;
      }
      // The closed row keeps its place (with its Undo); the keyboard goes on to the next one.
      var all = rows();
      var index = all.indexOf(row);
      var next = all[index + 1] || all[index - 1] || row;
      markCurrent(next, true);
      if (button.isConnected) button.click();
    }, { once: true });
    box.showModal();
    box.querySelector("[data-action='confirm-close']").focus();
  }

  // The shortcuts dialog, built here so that pages without JavaScript carry no dead markup.
  function dialog() {
    var existing = document.getElementById("shortcuts");
    if (existing) return existing;
    var list = document.createElement("dl");
    SHORTCUTS.forEach(function (pair) {
      var item = document.createElement("div");
      var key = document.createElement("dt");
      var kbd = document.createElement("kbd");
      kbd.textContent = pair[0];
      key.appendChild(kbd);
      var what = document.createElement("dd");
      what.textContent = pair[1];
      item.appendChild(key);
      item.appendChild(what);
      list.appendChild(item);
    });
    return ownDialog("shortcuts", "shortcuts", ["Keyboard shortcuts"], [list],
      "Shortcuts do nothing while you type in a field.", [{ className: "button", text: "Close" }]);
  }

  function showShortcuts() {
    var box = dialog();
    if (!box.open) box.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    if (document.querySelector("dialog[open]")) return; // the dialog handles its own keys (Esc)
    var key = event.key;
    if (key === "?") {
      event.preventDefault();
      showShortcuts();
      return;
    }
    if (key === "/") {
      var search = document.querySelector("input[type='search'][name='q']");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      return;
    }
    if (!document.getElementById(REGION_ID)) return;
    if (key === "j") {
      event.preventDefault();
      move(1);
    } else if (key === "k") {
      event.preventDefault();
      move(-1);
    } else if (key === "Enter") {
      var row = current();
      // On a link or button Enter already does its own thing.
      if (!row || (event.target.closest && event.target.closest("a, button, summary"))) return;
      var link = row.querySelector("a[data-action='open']");
      if (link) {
        event.preventDefault();
        link.click();
      }
    } else if (key === "x") {
      if (current()) {
        event.preventDefault();
        toggleSelected(current());
      }
    } else if (key === "c") {
      if (current()) {
        event.preventDefault();
        closeCurrent(current());
      }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-action='shortcuts']");
    if (button) showShortcuts();
  });

  // The current row follows the focus and clicks too, so keys and mouse agree.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("#" + REGION_ID + " tr[data-row-id]");
    if (row) markCurrent(row, false);
  });

  // A selected row is marked; which rows are selected is bulk.js's to remember across refreshes.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-action='select']")) return;
    var row = box.closest("tr[data-row-id]");
    if (row) row.classList.toggle("is-selected", box.checked);
  });

  function reapply() {
    rows().forEach(function (row) {
      var id = row.getAttribute("data-row-id");
      var box = row.querySelector("input[data-action='select']");
      row.classList.toggle("is-selected", !!(box && box.checked));
      var isCurrent = id === currentRowId;
      row.classList.toggle("is-current", isCurrent);
      if (isCurrent) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
  }

  // A refreshed list (or a row swapped after an action) gets its current row and selection marks back.
  document.addEventListener("htmx:afterSettle", reapply);
  document.addEventListener("rows:updated", reapply);
})();
