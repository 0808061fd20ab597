// The workout note: saved as it is typed, so that nothing typed is lost when the lifter
// taps Complete (which carries the note too: its button belongs to the note's form).
// Until the server has it, what was typed is kept on the phone, and restored after a
// reload, offline included; it is sent again as soon as the phone is back online.
(() => {
  "use strict";

  const DRAFT = "workout-log-note-draft";
  const QUIET_MILLISECONDS = 800; // after the last key, before saving
  const form = document.getElementById("workout-note");
  if (!form || !form.dataset.sessionId) return;
  const field = form.elements.note;
  const status = form.querySelector(".note-status");
  const errors = form.querySelector(".note-errors");
  const sessionId = form.dataset.sessionId;
  let timer = null;
  let saving = null; // the note being sent now

  function draft() {
    try {
      const kept = JSON.parse(localStorage.getItem(DRAFT));
      return kept && kept.sessionId === sessionId ? kept.note : null;
    } catch (error) {
      return null;
    }
  }

  function keep(note) {
    if (note === null) localStorage.removeItem(DRAFT);
    else localStorage.setItem(DRAFT, JSON.stringify({ sessionId, note }));
  }

  function show(text) {
    status.textContent = text;
  }

  async function save(options = {}) {
    clearTimeout(timer);
    const note = field.value;
    if (draft() === null || saving === note) return;
    if (!navigator.onLine) {
      show("Kept on this phone: saved when you are back online.");
      return;
    }
    saving = note;
    show("Saving…");
    const body = new URLSearchParams(new FormData(form));
    body.set("note", note);
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { "HX-Request": "true", "X-CSRFToken": window.WorkoutLog.csrfToken() },
        credentials: "same-origin",
        redirect: "manual",
        keepalive: Boolean(options.leaving),
      });
      if (!response.ok) throw new Error(`error ${response.status}`);
      const answer = document.createElement("template");
      answer.innerHTML = await response.text();
      const refused = answer.content.querySelector(".note-errors .errorlist");
      errors.replaceChildren(...(refused ? [refused] : []));
      if (refused) {
        show("Not saved.");
      } else if (field.value === note) {
        keep(null);
        show("Saved.");
      }
    } catch (error) {
      show("Kept on this phone: saved when you are back online.");
    } finally {
      saving = null;
    }
    if (draft() !== null && field.value !== note) save();
  }

  field.addEventListener("input", () => {
    keep(field.value);
    show("");
    clearTimeout(timer);
    timer = setTimeout(save, QUIET_MILLISECONDS);
  });
  field.addEventListener("change", () => save());
  form.addEventListener("submit", (event) => {
    // "Save note" saves in place; Complete (another button of this form) goes its way.
    if (event.submitter && event.submitter.hasAttribute("formaction")) return;
    event.preventDefault();
    keep(field.value);
    save();
  });
  window.addEventListener("online", () => save());
  window.addEventListener("pagehide", () => {
    if (draft() !== null) save({ leaving: true });
  });

  const typed = draft();
  if (typed !== null && typed !== field.value) {
    field.value = typed;
    save();
  } else if (typed !== null) {
    keep(null); // the server has it already
  }
})();
