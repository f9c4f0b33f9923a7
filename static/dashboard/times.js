// Times in the agent's own zone. The server writes every moment in UTC, and says so, so that a page works
// without JavaScript; this rewrites them into the browser's time zone, naming it, with UTC on hover:
// - every <time datetime="…"> with a time of day gets a title: the moment in the browser's zone, then UTC;
// - an element with data-local="clock|time|seconds|datetime|full" (and a datetime, or data-datetime) shows the
//   moment in the browser's zone in that shape; data-local="time-range" shows data-datetime–data-until,
//   followed by data-after;
// - [data-local-zone] names the browser's zone; the list's date filter sends it in its hidden `tz` input.
// Loaded without defer, so that html.js (the live wording, see session.css) is set before the first paint.
// No inline script, no eval: it runs under script-src 'self'.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // The zone's short name at that moment, as the agent's locale says it ("CET", "EST", "GMT+9").
  function zoneName(date) {
    try {
      var parts = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" }).formatToParts(date);
      for (var i = 0; i < parts.length; i++) if (parts[i].type === "timeZoneName") return parts[i].value;
    } catch (error) {
      /* an old browser: the IANA name says it too */
    }
    return zone;
  }

  function clock(date, seconds) {
    return two(date.getHours()) + ":" + two(date.getMinutes()) + (seconds ? ":" + two(date.getSeconds()) : "");
  }

  function day(date, withYear) {
    return date.getDate() + " " + MONTHS[date.getMonth()] + (withYear ? " " + date.getFullYear() : "");
  }

  // The shapes the server writes in UTC ("H:i", "H:i:s", "j M, H:i", "Y-m-d H:i:s"), in the browser's zone.
  function local(date, shape) {
    var name = " " + zoneName(date);
    if (shape === "clock") return clock(date, false); // where a caption names the zone (the chart's axis)
    if (shape === "time") return clock(date, false) + name;
    if (shape === "seconds") return clock(date, true) + name;
    var thisYear = date.getFullYear() === new Date().getFullYear();
    if (shape === "datetime") return day(date, !thisYear) + ", " + clock(date, false) + name;
    return day(date, true) + ", " + clock(date, true) + name;
  }

  function utc(date) {
    return date.toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }

  function hover(date) {
    return local(date, "full") + (zone ? " (" + zone + ")" : "") + " · " + utc(date);
  }

  function moment(el, attribute) {
    var text = el.getAttribute(attribute || (el.hasAttribute("datetime") ? "datetime" : "data-datetime"));
    // A date alone ("2024-12-02") is a day, not a moment: it is left as it is.
    if (!text || text.length <= 10) return null;
    var date = new Date(text);
    return isNaN(date.getTime()) ? null : date;
  }

  function localise(root) {
    if (!root || !root.querySelectorAll) return;
    var times = Array.prototype.slice.call(root.querySelectorAll("time[datetime], [data-local]"));
    if (root.matches && root.matches("time[datetime], [data-local]")) times.push(root);
    times.forEach(function (el) {
      var date = moment(el);
      if (!date) return;
      var shape = el.getAttribute("data-local");
      if (shape === "time-range") {
        var until = moment(el, "data-until");
        if (until) el.textContent = local(date, "clock") + "–" + local(until, "time") + (el.getAttribute("data-after") || "");
        return;
      }
      if (shape) el.textContent = local(date, shape);
      if (el.tagName === "TIME") el.setAttribute("title", hover(date));
    });
    if (!zone) return;
    Array.prototype.forEach.call(root.querySelectorAll("[data-local-zone]"), function (el) {
      el.textContent = zone;
    });
    // The date filter: its days are in the browser's zone unless the page already names one.
    Array.prototype.forEach.call(root.querySelectorAll("input[name='tz'][data-time-zone]"), function (input) {
      if (input.value) return;
      input.value = zone;
      var legend = input.form && input.form.querySelector("[data-filter-zone]");
      if (legend) legend.textContent = zone;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    localise(document.body);
  });
  // New content from htmx (a refreshed list, a live part of the session page, an out-of-band swap), as
  // soon as it is in: these fire before the browser paints it, so UTC never flashes by.
  ["htmx:afterSwap", "htmx:oobAfterSwap", "htmx:load"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      localise(event.target);
    });
  });
})();
