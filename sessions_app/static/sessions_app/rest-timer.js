// The rest timer: starts when a set is logged, counts down at the bottom of the screen,
// survives a reload (its end time is kept in localStorage), and buzzes or beeps at zero
// where the browser allows.
(() => {
  "use strict";

  const bar = document.getElementById("rest-timer");
  const workout = document.getElementById("workout");
  if (!bar || !workout) return;
  const output = document.getElementById("rest-remaining");
  // The countdown changes every second: screen readers hear only its start and end.
  const announcement = document.getElementById("rest-announcement");
  const STORAGE_KEY = "workout-log-rest-timer";
  const HIDE_AFTER_SECONDS = 30;
  let ticking = null;
  let audio = null;

  function load() {
    try {
      const state = JSON.parse(localStorage.getItem(STORAGE_KEY));
      return state && state.sessionId === workout.dataset.sessionId ? state : null;
    } catch (error) {
      return null;
    }
  }

  function save(state) {
    if (state) localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    else localStorage.removeItem(STORAGE_KEY);
  }

  function format(seconds) {
    const minutes = Math.floor(seconds / 60);
    return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function alertRestOver() {
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
    if (!audio) return;
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  }

  function render() {
    const state = load();
    if (!state) {
      bar.hidden = true;
      clearInterval(ticking);
      ticking = null;
      return;
    }
    const left = Math.ceil((state.endsAt - Date.now()) / 1000);
    bar.hidden = false;
    bar.classList.toggle("done", left <= 0);
    output.textContent = left > 0 ? format(left) : "Go!";
    if (left <= 0 && !state.alerted) {
      state.alerted = true;
      save(state);
      alertRestOver();
      announcement.textContent = "Rest over.";
    }
    if (left < -HIDE_AFTER_SECONDS) save(null);
    if (!ticking) ticking = setInterval(render, 250);
  }

  // A rest belongs to the set whose tick started it (its key), and remembers the rest it
  // replaced: if the server refuses that set, its rest goes and the one before comes back.
  function start(seconds, key) {
    // Sound needs a page the lifter has touched: the tap that logged the set is one.
    try {
      audio = audio || new AudioContext();
      audio.resume();
    } catch (error) {
      audio = null;
    }
    const before = load();
    if (before) delete before.before;
    save({ sessionId: workout.dataset.sessionId, endsAt: Date.now() + seconds * 1000, key, before });
    announcement.textContent = `Rest ${format(seconds)} started.`;
    render();
  }

  function forget(key) {
    const state = load();
    if (!state || !key || state.key !== key) return; // a rest another set started
    const before = state.before;
    save(before && Date.now() - before.endsAt < HIDE_AFTER_SECONDS * 1000 ? before : null);
    announcement.textContent = "";
    render();
  }

  document.addEventListener("set-logged", (event) => {
    start(event.detail.restSeconds || Number(bar.dataset.defaultSeconds), event.detail.fields.key);
  });
  document.addEventListener("set-refused", (event) => forget(event.detail.key));
  bar.addEventListener("click", (event) => {
    const state = load();
    if (!state) return;
    if (event.target.dataset.restChange) {
      state.endsAt = Math.max(Date.now(), state.endsAt) + Number(event.target.dataset.restChange) * 1000;
      state.alerted = false;
      save(state);
    } else if ("restSkip" in event.target.dataset) {
      save(null);
    }
    render();
  });
  render();
})();
