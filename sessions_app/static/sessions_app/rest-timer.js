// The rest timer: starts when a set is logged, counts down at the bottom of the screen,
// survives a reload (its end time is kept in localStorage), and buzzes or beeps at zero
// where the browser allows. With the page hidden (phone in the pocket) it shows a
// notification instead, if the lifter allowed them: asked once, from the timer's own
// "Alert me" button, never on page load, so a lifter who never uses the timer is asked
// nothing.
(() => {
  "use strict";

  const bar = document.getElementById("rest-timer");
  const workout = document.getElementById("workout");
  if (!bar || !workout) return;
  const output = document.getElementById("rest-remaining");
  // The countdown changes every second: screen readers hear only its start and end.
  const announcement = document.getElementById("rest-announcement");
  const STORAGE_KEY = "workout-log-rest-timer";
  const ASKED_KEY = "workout-log-rest-notifications-asked";
  const HIDE_AFTER_SECONDS = 30;
  const offer = bar.querySelector("[data-rest-notify]");
  let ticking = null;
  let ending = null;
  let audio = null;

  function canNotify() {
    return window.isSecureContext && "Notification" in window;
  }

  function showOffer() {
    offer.hidden = !(canNotify() && Notification.permission === "default" && !localStorage.getItem(ASKED_KEY));
  }

  async function askForNotifications() {
    localStorage.setItem(ASKED_KEY, "1");
    offer.hidden = true;
    const answer = await Notification.requestPermission();
    announcement.textContent =
      answer === "granted" ? "You will be notified when a rest ends." : "No notifications: the phone vibrates instead.";
  }

  async function notify() {
    const options = {
      body: "Time for your next set.",
      tag: "rest-timer",
      renotify: true,
      vibrate: [300, 150, 300],
      icon: bar.dataset.icon,
    };
    const registration = "serviceWorker" in navigator && (await navigator.serviceWorker.getRegistration());
    if (registration) await registration.showNotification("Rest over", options);
    else new Notification("Rest over", options);
  }

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
    if (document.visibilityState === "hidden" && canNotify() && Notification.permission === "granted") {
      notify().catch(() => {});
      return;
    }
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
      clearTimeout(ending);
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
    // A hidden page's interval is slowed down: a timer of its own lands on the end.
    clearTimeout(ending);
    if (left > 0) ending = setTimeout(render, state.endsAt - Date.now() + 20);
    showOffer();
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

  // In a superset the rest comes after the round: a set of A1 whose partner (A2…) still
  // has this round's set to do starts no rest.
  function roundGoesOn(form, fields) {
    const card = form && form.closest && form.closest("details.exercise[data-superset]");
    if (!card || fields.set_type === "warmup") return false;
    const number = Number(fields.set_number) || 0;
    const group = [...document.querySelectorAll("details.exercise[data-superset]")].filter(
      (other) => other.dataset.superset === card.dataset.superset,
    );
    return group
      .slice(group.indexOf(card) + 1)
      .some((other) =>
        [...other.querySelectorAll("form.log-set:not(.waiting):not(.warmup)")].some(
          (row) => (Number(row.elements.set_number.value) || Infinity) <= number,
        ),
      );
  }

  document.addEventListener("set-logged", (event) => {
    if (roundGoesOn(event.detail.form, event.detail.fields)) return;
    start(event.detail.restSeconds || Number(bar.dataset.defaultSeconds), event.detail.fields.key);
  });
  document.addEventListener("set-refused", (event) => forget(event.detail.key));
  bar.addEventListener("click", (event) => {
    if ("restNotify" in event.target.dataset) {
      askForNotifications();
      return;
    }
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
  document.addEventListener("visibilitychange", render);
  render();
})();
