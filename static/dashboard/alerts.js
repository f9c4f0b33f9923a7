// Opt-in alerts for new active sessions on the list, remembered in this browser (localStorage): a short
// sound (made with WebAudio, no file) and a desktop notification while the tab is hidden or unfocused.
// The browser's permission for notifications is asked only when the agent ticks the box. rows.js tells
// what arrived (the "sessions:arrived" event). No inline script, no eval.
(function () {
  "use strict";

  var KEYS = { sound: "dashboard-alerts:sound", desktop: "dashboard-alerts:desktop" };
  var audio = null;

  function chosen(kind) {
    try {
      return window.localStorage.getItem(KEYS[kind]) === "on";
    } catch (error) {
      return false;
    }
  }

  function choose(kind, on) {
    try {
      if (on) window.localStorage.setItem(KEYS[kind], "on");
      else window.localStorage.removeItem(KEYS[kind]);
    } catch (error) {
      /* private mode: the choice lasts as long as the page */
    }
  }

  function canNotify() {
    return "Notification" in window;
  }

  function menu() {
    return document.querySelector("details.alerts");
  }

  function render() {
    var box = menu();
    if (!box) return;
    box.hidden = false;
    var sound = box.querySelector("[data-alert='sound']");
    var desktop = box.querySelector("[data-alert='desktop']");
    var state = box.querySelector("[data-field='alert-state']");
    var permission = canNotify() ? window.Notification.permission : "unsupported";
    sound.checked = chosen("sound");
    desktop.checked = chosen("desktop") && permission === "granted";
    desktop.disabled = permission === "unsupported" || permission === "denied";
    state.textContent =
      permission === "unsupported" ? "This browser cannot show desktop notifications." :
      permission === "denied" ? "Notifications are blocked for this site in the browser's settings." : "";
    box.classList.toggle("is-on", sound.checked || desktop.checked);
    box.querySelector("summary").textContent = sound.checked || desktop.checked ? "Alerts on" : "Alerts";
  }

  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended") audio.resume();
    return audio;
  }

  // Two soft rising tones, about a third of a second.
  function chime() {
    var context = audioContext();
    if (!context) return;
    var start = context.currentTime + 0.01;
    [[660, 0], [990, 0.13]].forEach(function (tone) {
      var oscillator = context.createOscillator();
      var gain = context.createGain();
      var at = start + tone[1];
      oscillator.type = "sine";
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
      oscillator.connect(gain);
      gain.connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.25);
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var kind = box.getAttribute && box.getAttribute("data-alert");
    if (!kind) return;
    if (kind === "sound") {
      choose("sound", box.checked);
      if (box.checked) chime(); // what it will sound like (and the click lets the page play sound)
      render();
      return;
    }
    if (!box.checked || !canNotify()) {
      choose("desktop", false);
      render();
      return;
    }
    window.Notification.requestPermission().then(function (permission) {
      choose("desktop", permission === "granted");
      render();
    });
  });

  // After a reload a page may play sound only once the agent has clicked or typed in it.
  function unlock() {
    if (chosen("sound")) audioContext();
  }
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });

  document.addEventListener("sessions:arrived", function (event) {
    var active = event.detail.sessions.filter(function (session) { return session.status === "active"; });
    if (!active.length) return;
    if (chosen("sound")) chime();
    var away = document.visibilityState !== "visible" || !document.hasFocus();
    if (!away || !chosen("desktop") || !canNotify() || window.Notification.permission !== "granted") return;
    var first = active[0];
    var note = new window.Notification(active.length === 1 ? "New chat session" : active.length + " new chat sessions", {
      body: (first.sessionId || first.rowId) + (first.preview ? " · " + first.preview : ""),
      tag: "dashboard-new-sessions",
    });
    note.addEventListener("click", function () {
      window.focus();
      note.close();
    });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  else render();
})();
