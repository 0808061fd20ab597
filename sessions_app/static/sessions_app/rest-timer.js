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

  function start(seconds) {
    // Sound needs a page the lifter has touched: the tap that logged the set is one.
    try {
      audio = audio || new AudioContext();
      audio.resume();
    } catch (error) {
      audio = null;
    }
    save({ sessionId: workout.dataset.sessionId, endsAt: Date.now() + seconds * 1000 });
    announcement.textContent = `Rest ${format(seconds)} started.`;
    render();
  }

  document.addEventListener("set-logged", (event) => {
    start(event.detail.restSeconds || Number(bar.dataset.defaultSeconds));
  });
  document.addEventListener("set-refused", () => {
    save(null);
    announcement.textContent = "";
    render();
  });
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
