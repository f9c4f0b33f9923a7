// The live list, without surprises under the agent's hand. A refresh brings only the rows that changed
// (the server sends the rows this page does not show, by version, and the page's order); rows on screen
// are updated in place, but rows are inserted, removed or reordered only while the pointer is off the
// list and the focus is elsewhere: until then arrivals wait behind "N new sessions — show". A row whose
// status the agent changed keeps its place, marked, while its Undo lasts. Rows that arrived stay
// highlighted until seen, and a hidden tab counts them in its title. No inline script, no eval.
(function () {
  "use strict";

  var REGION_ID = "session-rows";
  var ROW = "tr[data-row-id]";
  var JUST_CHANGED_MS = 900; // a button that changed under the pointer ignores clicks this long

  var pointerInside = false;
  var pending = null; // the server's latest list, not applied yet: {order: [row ids], rows: Map id → row}
  var known = new Set(); // every row id this page has shown or held
  var fresh = new Set(); // rows that arrived after the page loaded, not yet seen
  var dismissed = new Set(); // Undo tokens the agent dismissed
  var needEveryRow = false;
  var hiddenArrivals = 0;
  var baseTitle = document.title;
  var answered = null; // a row an action is answering: {id, cell}

  function region() {
    return document.getElementById(REGION_ID);
  }

  function tbody() {
    var r = region();
    return r ? r.querySelector("table.sessions > tbody") : null;
  }

  function shownRows() {
    var body = tbody();
    return body ? Array.prototype.slice.call(body.children).filter(function (el) { return el.matches(ROW); }) : [];
  }

  function rowById(id) {
    var found = shownRows().filter(function (row) { return row.getAttribute("data-row-id") === id; });
    return found[0] || null;
  }

  function idOf(row) {
    return row.getAttribute("data-row-id");
  }

  // -- Is the agent's hand on the list? ----------------------------------------------------

  document.addEventListener("pointerover", function (event) {
    var r = region();
    pointerInside = !!(r && r.contains(event.target));
  });
  document.addEventListener("pointerout", function (event) {
    if (!event.relatedTarget) pointerInside = false; // the pointer left the window (or a touch ended)
  });

  function focusInside() {
    var r = region();
    var active = document.activeElement;
    return !!(r && active && active !== document.body && r.contains(active));
  }

  function held() {
    return pointerInside || focusInside();
  }

  // -- Keys that identify a control across a re-rendered row ---------------------------------

  function keyOf(el) {
    return el.getAttribute("data-key") || el.getAttribute("data-action") || el.getAttribute("data-field") ||
      el.getAttribute("data-filter-chip") || "";
  }

  function findByKey(root, key) {
    var all = root.querySelectorAll("[data-key], [data-action], [data-field], [data-filter-chip]");
    for (var i = 0; i < all.length; i++) if (keyOf(all[i]) === key) return all[i];
    return null;
  }

  // -- Undo: lasts its window, or until dismissed --------------------------------------------

  function isSticky(row) {
    return !!row.querySelector(".undo");
  }

  function endUndo(undo) {
    if (!undo.isConnected) return;
    var row = undo.closest(ROW);
    var focused = undo.contains(document.activeElement);
    undo.remove();
    if (row) {
      row.classList.remove("is-changed");
      if (focused) {
        var next = row.querySelector("td:last-child > button, a[data-action='open']");
        if (next) next.focus({ preventScroll: true });
      }
    }
  }

  function armUndos(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".undo[data-undo-seconds], .undo-offer[data-undo-seconds]"), function (undo) {
      if (undo.dataset.armed) return;
      undo.dataset.armed = "1";
      var seconds = parseInt(undo.getAttribute("data-undo-seconds"), 10) || 0;
      window.setTimeout(function () { endUndo(undo); }, seconds * 1000);
    });
  }

  function dropDismissedUndo(row) {
    var button = row.querySelector(".undo [data-action='undo']");
    if (button && dismissed.has(button.value)) {
      row.querySelector(".undo").remove();
      row.classList.remove("is-changed");
    }
  }

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest && event.target.closest("[data-action='dismiss-undo']");
    if (!dismiss) return;
    var undo = dismiss.closest(".undo");
    var token = undo && undo.querySelector("[data-action='undo']");
    if (token) dismissed.add(token.value);
    var row = dismiss.closest(ROW);
    if (undo) endUndo(undo);
    var next = row && row.querySelector("td:last-child > button, a[data-action='open']");
    if (next) next.focus({ preventScroll: true });
  });

  // -- Rows that arrived ------------------------------------------------------------------------

  function markSeen(row) {
    if (!row || !row.classList.contains("is-new")) return;
    row.classList.remove("is-new");
    fresh.delete(idOf(row));
  }
  document.addEventListener("pointerover", function (event) {
    markSeen(event.target.closest && event.target.closest("#" + REGION_ID + " " + ROW));
  });
  var placingFocus = false; // the focus this script moves is not the agent looking at a row
  document.addEventListener("focusin", function (event) {
    if (!placingFocus) markSeen(event.target.closest && event.target.closest("#" + REGION_ID + " " + ROW));
  });

  function arrived(rows) {
    if (!rows.length) return;
    if (document.visibilityState !== "visible") {
      hiddenArrivals += rows.length;
      document.title = "(" + hiddenArrivals + ") " + baseTitle;
    }
    document.dispatchEvent(new CustomEvent("sessions:arrived", {
      detail: {
        sessions: rows.map(function (row) {
          var preview = row.querySelector("[data-field='preview']");
          return {
            rowId: idOf(row),
            sessionId: row.getAttribute("data-session-id"),
            status: row.getAttribute("data-status"),
            preview: preview && !preview.classList.contains("none") ? preview.textContent : "",
          };
        }),
      },
    }));
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    hiddenArrivals = 0;
    document.title = baseTitle;
  });

  // -- The notice of rows held back -------------------------------------------------------------

  function heldBack() {
    return pending ? pending.order.filter(function (id) { return !rowById(id); }).length : 0;
  }

  function showNotice() {
    var r = region();
    var button = r && r.querySelector("[data-action='show-arrivals']");
    if (!button) return;
    var count = heldBack();
    var text = count === 1 ? "1 new session — show" : count + " new sessions — show";
    if (!count) {
      if (!button.hidden) button.hidden = true;
      return;
    }
    if (button.textContent !== text) button.textContent = text;
    button.hidden = false;
  }

  document.addEventListener("click", function (event) {
    var show = event.target.closest && event.target.closest("[data-action='show-arrivals']");
    if (!show) return;
    var firstNew = pending && pending.order.filter(function (id) { return !rowById(id); })[0];
    apply();
    var row = firstNew && rowById(firstNew);
    var link = row && row.querySelector("a[data-action='open']");
    placingFocus = true;
    if (link) link.focus({ preventScroll: true });
    else show.blur();
    placingFocus = false;
  });

  // -- Putting the server's list on screen ------------------------------------------------------

  // A button whose action changed under a resting pointer ignores clicks for a moment: the agent aimed at
  // what was there before.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-just-changed]");
    if (!button) return;
    if (Date.now() - Number(button.getAttribute("data-just-changed")) < JUST_CHANGED_MS) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function actionsOf(row) {
    var buttons = row.querySelectorAll("td:last-child > button");
    return Array.prototype.map.call(buttons, function (b) { return b.getAttribute("data-action"); }).join(" ");
  }

  function replaceRow(old, row) {
    var active = document.activeElement;
    var focusKey = old.contains(active) ? keyOf(active) : null;
    var opened = Array.prototype.map.call(old.querySelectorAll(".is-open"), keyOf);
    var pop = old.querySelector(".meta-pop");
    if (pointerInside && old.matches(":hover") && actionsOf(old) !== actionsOf(row)) {
      Array.prototype.forEach.call(row.querySelectorAll("td:last-child button"), function (b) {
        b.setAttribute("data-just-changed", String(Date.now()));
      });
    }
    old.replaceWith(row);
    prepare(row);
    opened.forEach(function (key) {
      var more = findByKey(row, key);
      if (more) more.classList.add("is-open");
    });
    var link = pop && row.querySelector("a[data-action='meta']");
    if (link) link.after(pop);
    if (focusKey !== null) {
      var target = findByKey(row, focusKey) || row.querySelector("a[data-action='open']");
      if (target) target.focus({ preventScroll: true });
    }
  }

  // The metadata link (the row says whether there is metadata, and whether it reads as JSON).
  function addMetaLink(row) {
    var cell = row.querySelector("td[data-meta]");
    var place = cell && cell.firstElementChild;
    if (!place || place.querySelector("a[data-action='meta']")) return;
    var link = document.createElement("a");
    link.href = row.querySelector("a[data-action='open']").getAttribute("href") + "#visitor-title";
    link.setAttribute("data-action", "meta");
    link.setAttribute("aria-expanded", "false");
    link.textContent = cell.getAttribute("data-meta");
    link.title = "The visitor's metadata as stored";
    place.appendChild(link);
  }

  // New content, as htmx's own swaps would leave it: processed, and announced with htmx:load (times.js
  // puts the agent's zone on its times).
  function processed(el) {
    if (!window.htmx) return;
    window.htmx.process(el);
    window.htmx.trigger(el, "htmx:load");
  }

  function prepare(row) {
    addMetaLink(row);
    dropDismissedUndo(row);
    if (fresh.has(idOf(row))) row.classList.add("is-new");
    processed(row);
    armUndos(row);
  }

  // The rows in the server's order, but: rows with an Undo on offer stay where they are, and rows the
  // server no longer lists go.
  function apply() {
    if (!pending) return;
    var body = tbody();
    if (!body) return;
    var current = shownRows();
    var stickies = [];
    current.forEach(function (row, index) {
      if (isSticky(row)) stickies.push([index, row]);
    });
    var stickyIds = new Set(stickies.map(function (pair) { return idOf(pair[1]); }));
    var rows = pending.order
      .filter(function (id) { return !stickyIds.has(id); })
      .map(function (id) { return rowById(id) || pending.rows.get(id); })
      .filter(Boolean);
    stickies.forEach(function (pair) {
      rows.splice(Math.min(pair[0], rows.length), 0, pair[1]);
    });
    rows.forEach(function (row, index) {
      var at = body.children[index];
      if (at === row) return;
      var isNew = !row.isConnected;
      body.insertBefore(row, at || null);
      if (isNew) prepare(row);
    });
    Array.prototype.slice.call(body.children, rows.length).forEach(function (el) { el.remove(); });
    if (!rows.length && pending.empty) body.appendChild(pending.empty);
    shownRows().forEach(function (row) { row.classList.remove("is-gone"); });
    pending = null;
    showNotice();
    updated();
  }

  function replacePart(r, incoming, name) {
    var old = r.querySelector("[data-part='" + name + "']");
    var part = incoming.querySelector("[data-part='" + name + "']");
    if (!old || !part || old.innerHTML === part.innerHTML) return;
    var active = document.activeElement;
    var focusKey = old.contains(active) ? keyOf(active) : null;
    old.replaceWith(part);
    processed(part);
    var target = focusKey && findByKey(part, focusKey);
    if (target) target.focus({ preventScroll: true });
  }

  function merge(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var incoming = template.content.querySelector("#" + REGION_ID);
    var r = region();
    if (!incoming || !r) return;
    ["tabs", "banner", "pager"].forEach(function (name) { replacePart(r, incoming, name); });
    var body = tbody();
    var next = incoming.querySelector("table.sessions > tbody");
    if (!next) {
      r.setAttribute("data-rows-version", incoming.getAttribute("data-rows-version") || "");
      return; // nothing loaded: the rows shown (if any) stay, under the banner that says so
    }
    if (!body) {
      var table = incoming.querySelector("table.sessions");
      var pager = r.querySelector("[data-part='pager']");
      r.insertBefore(table, pager);
      shownRows().forEach(function (row) { known.add(idOf(row)); prepare(row); });
      r.setAttribute("data-rows-version", incoming.getAttribute("data-rows-version") || "");
      updated();
      return;
    }
    var byVersion = new Map();
    shownRows().forEach(function (row) { byVersion.set(row.getAttribute("data-v"), row); });
    if (pending) pending.rows.forEach(function (row) { byVersion.set(row.getAttribute("data-v"), row); });
    var heldRows = new Map(pending ? pending.rows : []);
    Array.prototype.slice.call(next.children).forEach(function (row) {
      if (!row.matches(ROW)) return;
      var old = rowById(idOf(row));
      if (old && old.getAttribute("data-v") === row.getAttribute("data-v")) return; // sent whole, unchanged
      if (old) replaceRow(old, row);
      else heldRows.set(idOf(row), row);
      byVersion.set(row.getAttribute("data-v"), row);
    });
    var order = [];
    var missing = false;
    (next.getAttribute("data-order") || "").split(/\s+/).forEach(function (version) {
      if (!version) return;
      var row = byVersion.get(version);
      if (row) order.push(idOf(row));
      else missing = true; // changed here meanwhile (an action's answer): the next refresh sends every row
    });
    needEveryRow = missing;
    if (!missing) r.setAttribute("data-rows-version", incoming.getAttribute("data-rows-version") || "");
    var rows = new Map();
    var arrivals = [];
    order.forEach(function (id) {
      var row = heldRows.get(id);
      if (!row || rowById(id)) return;
      rows.set(id, row);
      if (!known.has(id)) {
        known.add(id);
        fresh.add(id);
        arrivals.push(row);
      }
    });
    var empty = next.querySelector("tr.empty");
    pending = { order: order, rows: rows, empty: empty };
    arrived(arrivals);
    if (held()) {
      var listed = new Set(order);
      shownRows().forEach(function (row) { row.classList.toggle("is-gone", !listed.has(idOf(row)) && !isSticky(row)); });
      showNotice();
      updated();
    } else {
      apply();
    }
  }

  function updated() {
    document.dispatchEvent(new CustomEvent("rows:updated"));
  }

  function isRegion(elt) {
    return elt && elt.id === REGION_ID;
  }

  // Each refresh says which rows it shows (and holds back), by version; the first one after the agent's
  // hand left the list puts the rows held back on screen.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!isRegion(event.detail.elt)) return;
    if (pending && !held()) apply();
    var versions = shownRows().map(function (row) { return row.getAttribute("data-v"); });
    if (pending) pending.rows.forEach(function (row) { versions.push(row.getAttribute("data-v")); });
    versions = versions.filter(Boolean);
    if (versions.length && !needEveryRow) event.detail.headers["X-Rows-Shown"] = versions.join(" ");
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (isRegion(target)) {
      if (event.detail.xhr.status !== 200) return;
      event.detail.shouldSwap = false;
      try {
        merge(event.detail.serverResponse);
      } catch (error) {
        needEveryRow = true; // the next refresh brings every row again
        window.console.error(error);
      }
      return;
    }
    // An action answers with its row; the preview, which it does not read again, stays as shown.
    if (target && target.matches && target.matches("#" + REGION_ID + " " + ROW)) {
      var cell = target.querySelector("td:nth-child(4)");
      answered = { id: idOf(target), cell: cell ? cell.innerHTML : "" };
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!answered) return;
    var row = rowById(answered.id);
    var cell = row && row.querySelector("td:nth-child(4)");
    if (cell && cell.querySelector("[data-unknown]")) {
      cell.innerHTML = answered.cell;
      // A closed session waits for no reply (the server leaves the wait out of its rows too).
      var wait = row.getAttribute("data-status") === "closed" && cell.querySelector("[data-field='waiting-since']");
      if (wait) wait.remove();
    }
    answered = null;
    if (row) prepare(row);
    updated();
  });

  // -- The row's actions, through htmx -----------------------------------------------------------

  // A row's buttons belong to the page's one form (#ra) with their own formaction, so they work without
  // JavaScript; here they are sent through htmx instead, and answered by their row.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#" + REGION_ID + " tbody button[formaction]");
    if (!button || !window.htmx || event.defaultPrevented) return;
    event.preventDefault();
    if (button.classList.contains("htmx-request")) return; // already on its way
    var row = button.closest(ROW);
    window.htmx.ajax("POST", button.getAttribute("formaction"), { source: button, target: row, swap: "outerHTML" });
  });

  // -- What a cut value holds, on demand: the whole ID on hover, the whole message on a click or a key ---

  var CUT = "th a, td:nth-child(3) b, [data-field='preview'], a[data-filter-chip], [data-chip]";

  function isCut(el) {
    return el.scrollWidth > el.clientWidth + 1;
  }

  // A row's moments in UTC on hover, unless the page has put its own title there.
  function utc(moment) {
    return new Date(moment).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  document.addEventListener("pointerover", function (event) {
    var time = event.target.closest && event.target.closest("#" + REGION_ID + " tbody time[datetime]");
    if (time && !time.hasAttribute("title") && !isNaN(Date.parse(time.getAttribute("datetime")))) {
      time.setAttribute("title", utc(Date.parse(time.getAttribute("datetime"))));
    }
    var el = event.target.closest && event.target.closest("#" + REGION_ID + " tbody " + ":is(" + CUT + ")");
    if (!el || el.classList.contains("is-open")) return;
    if (isCut(el)) el.setAttribute("title", el.textContent);
    else el.removeAttribute("title");
  });

  // Cut previews take the keyboard's focus, so that Enter (or a click) shows the whole message.
  function markCut() {
    shownRows().forEach(function (row) {
      var preview = row.querySelector("[data-field='preview']:not(.none)");
      if (!preview || preview.classList.contains("is-open")) return;
      var cut = isCut(preview);
      preview.classList.toggle("is-cut", cut);
      if (cut) {
        preview.setAttribute("tabindex", "0");
        preview.setAttribute("role", "button");
        preview.setAttribute("aria-expanded", "false");
      } else {
        ["tabindex", "role", "aria-expanded"].forEach(function (name) { preview.removeAttribute(name); });
      }
    });
  }
  document.addEventListener("rows:updated", markCut);
  window.addEventListener("resize", function () { window.requestAnimationFrame(markCut); });

  function toggleWhole(preview) {
    var open = !preview.classList.contains("is-open");
    preview.classList.toggle("is-open", open);
    preview.setAttribute("aria-expanded", open ? "true" : "false");
  }

  document.addEventListener("click", function (event) {
    var preview = event.target.closest && event.target.closest("#" + REGION_ID + " [data-field='preview'].is-cut");
    if (preview) toggleWhole(preview);
  });

  document.addEventListener("keydown", function (event) {
    var preview = event.target.closest && event.target.closest("#" + REGION_ID + " [data-field='preview'].is-cut");
    if (!preview || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    toggleWhole(preview);
  }, true);

  // -- The visitor's metadata, on demand --------------------------------------------------------

  document.addEventListener("click", function (event) {
    var meta = event.target.closest && event.target.closest("a[data-action='meta']");
    if (!meta || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    var pop = meta.nextElementSibling;
    if (pop && pop.classList.contains("meta-pop")) {
      pop.remove();
      meta.setAttribute("aria-expanded", "false");
      return;
    }
    pop = document.createElement("div");
    pop.className = "meta-pop";
    pop.setAttribute("role", "region");
    pop.setAttribute("aria-label", "Visitor metadata");
    pop.textContent = "Loading…";
    meta.after(pop);
    meta.setAttribute("aria-expanded", "true");
    window.htmx.ajax("GET", meta.getAttribute("href").split("#")[0] + "meta/", { target: pop, swap: "innerHTML", source: meta });
  });

  function start() {
    var r = region();
    if (!r) return;
    shownRows().forEach(function (row) {
      known.add(idOf(row));
      addMetaLink(row);
    });
    armUndos(document);
    markCut();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
