// The workout screen between sets: the current exercise stands out, a finished one
// folds away, "+ Set" adds a row, rows still planned follow a changed weight, and the
// bottom bar counts what is logged. Logging itself is outbox.js's.
(() => {
  "use strict";

  const workout = document.getElementById("workout");
  if (!workout) return;
  const cards = () => [...document.querySelectorAll("details.exercise")];
  const readyRows = (card) => [...card.querySelectorAll("form.log-set:not(.waiting)")];

  // The number of a card's next working row to tick (Infinity for none).
  const nextSetNumber = (card) =>
    Math.min(...readyRows(card).filter((row) => !row.matches(".warmup")).map((row) => Number(row.elements.set_number.value) || Infinity));

  // The first card with a row to tick; in a superset, the card of the group whose next
  // set comes first in the round (A1 → A2 → A1…), as workout_screen.current_card().
  function currentCard() {
    const all = cards();
    const first = all.find((card) => readyRows(card).length > 0);
    if (!first || !first.dataset.superset) return first;
    const group = all.filter((card) => card.dataset.superset === first.dataset.superset && readyRows(card).length > 0);
    return group.reduce((best, card) => (nextSetNumber(card) < nextSetNumber(best) ? card : best));
  }

  function markCurrent() {
    const current = currentCard();
    const round = current && current.dataset.superset;
    for (const card of cards()) {
      card.classList.toggle("current", card === current);
      // The current card opens, and with it the rest of its superset's round.
      if (card === current || (round && card.dataset.superset === round && readyRows(card).length > 0)) card.open = true;
    }
  }

  function count() {
    const output = document.getElementById("progress-count");
    if (!output) return;
    // A logged set open for fixing is still logged.
    const logged = document.querySelectorAll(
      ".rows .set-row.done, .rows .set-row.editing, .rows form.log-set.waiting, .rows .set-row.waiting:not(.rejected)",
    ).length;
    const toGo = document.querySelectorAll("details.planned-exercise form.log-set:not(.waiting)").length;
    output.textContent = `${logged} logged` + (toGo ? ` · ${toGo} to go` : "");
  }

  // Rows planned from the row above follow what was really lifted, unless already
  // changed: only a working set's numbers, and never a field left empty.
  const FOLLOWED_TYPES = ["working", "failure", undefined];
  function carryForward(form, fields) {
    if (!FOLLOWED_TYPES.includes(fields.set_type)) return;
    let next = form.nextElementSibling;
    for (; next; next = next.nextElementSibling) {
      if (!next.matches("form.log-set:not(.waiting)") || next.dataset.prefilledFrom !== "previous row") break;
      for (const name of ["weight", "reps"]) {
        const field = next.elements[name];
        if (fields[name] && field.value === field.defaultValue) field.value = field.defaultValue = fields[name];
      }
    }
  }

  // A warm-up ticked from a planned row: the warm-up goes above the plan (warm-ups are
  // numbered apart), and the planned row stays where it was, as it was before the lifter
  // typed into it, with a key of its own. The same online and offline.
  function splitWarmup(form, fields) {
    // (A planned warm-up row is logged as itself.)
    if (fields.set_type !== "warmup" || !form.matches("form.planned:not(.warmup)")) return;
    const planned = form.cloneNode(true);
    for (const field of planned.querySelectorAll("input:not([type=hidden]), select")) {
      if (field.type === "checkbox") field.checked = field.defaultChecked = false;
      else if (field.tagName === "SELECT") field.value = [...field.options].find((option) => option.defaultSelected)?.value ?? "";
      else field.value = field.defaultValue;
    }
    planned.elements.set_type.value = "working";
    planned.elements.rpe.value = "";
    planned.elements.notes.value = planned.elements.notes.defaultValue = "";
    const key = window.WorkoutLog.newKey();
    planned.dataset.key = planned.elements.key.value = key;
    delete planned.dataset.queuedKey;
    planned.classList.remove("invalid");
    planned.querySelectorAll(".row-errors, .row-hint").forEach((element) => element.remove());
    form.before(planned);
    htmx.process(planned);
    form.classList.add("warmup");
    form.elements.set_number.value = "";
    form.querySelector(".set-number").textContent = "W";
    warmupsFirst(form.closest(".rows"));
  }

  // Warm-ups (logged, waiting, or being sent) sit above the working rows, in their order.
  function warmupsFirst(rows) {
    if (!rows) return;
    const warmups = [...rows.children].filter((row) => row.matches(".warmup"));
    const firstWorking = [...rows.children].find((row) => !row.matches(".warmup"));
    for (const warmup of warmups) {
      if (firstWorking && warmup.compareDocumentPosition(firstWorking) & Node.DOCUMENT_POSITION_PRECEDING) {
        rows.insertBefore(warmup, firstWorking);
      }
    }
  }

  // "4 sets · best 225 lb × 5", as the server writes it for a folded card: the heaviest
  // set, else the most reps (or the longest time).
  function foldedSummary(card) {
    const rows = [...card.querySelectorAll(".rows .set-row.done:not(.warmup), .rows form.log-set.waiting:not(.warmup)")];
    const sets = rows.map((row) => ({
      weight: row.dataset.weight ?? row.elements.weight.value,
      reps: row.dataset.reps ?? row.elements.reps.value,
    }));
    const strength = (set) => [parseFloat(set.weight.replace(/^\s*(bw|body\s*weight)\s*/i, "")) || 0, parseFloat(set.reps) || 0];
    const stronger = (one, other) => strength(one)[0] - strength(other)[0] || strength(one)[1] - strength(other)[1];
    const best = sets.reduce((top, set) => (!top || stronger(set, top) > 0 ? set : top), null);
    const unit = card.querySelector("[name=unit]")?.value || card.dataset.unit || "";
    let text = `${sets.length} sets`;
    if (best) text += ` · best ${window.WorkoutLog.loadText(best.weight, best.reps, unit, "timed" in card.dataset)}`;
    return text;
  }

  function foldIfFinished(card) {
    if (card && card.matches(".planned-exercise") && readyRows(card).length === 0) {
      const folded = card.querySelector(".folded");
      folded.textContent = foldedSummary(card);
      folded.classList.remove("coming");
      card.classList.add("done");
      card.open = false;
    }
  }

  function rowNumbers(card) {
    const numbers = [...card.querySelectorAll(".rows .set-row.done:not(.warmup)")].map(
      (row) => Number(row.dataset.setNumber) || 0,
    );
    for (const form of card.querySelectorAll(".rows form.log-set")) numbers.push(Number(form.elements.set_number.value) || 0);
    return numbers;
  }

  function addRow(card) {
    const template = document.getElementById("row-template");
    const row = template.content.firstElementChild.cloneNode(true);
    row.elements.exercise.value = card.dataset.exercise;
    row.elements.unit.value = card.dataset.unit;
    row.elements.needs_weight.value = card.dataset.needsWeight;
    const key = window.WorkoutLog.newKey();
    const number = Math.max(0, ...rowNumbers(card)) + 1;
    row.dataset.key = key;
    row.elements.key.value = key;
    row.elements.set_number.value = number;
    row.querySelector(".set-number").textContent = number;
    row.elements.weight.setAttribute("aria-label", `Set ${number} weight (${card.dataset.unit})`);
    row.elements.weight.placeholder = card.dataset.weightHint;
    row.elements.reps.setAttribute("aria-label", `Set ${number} ${card.dataset.repsLabel}`);
    row.elements.reps.placeholder = card.dataset.repsLabel;
    row.querySelector(".tick").setAttribute("aria-label", `Log set ${number} of ${card.dataset.exercise}`);
    const last = [...card.querySelectorAll(".rows > .set-row.done:not(.warmup), .rows > form.log-set")].pop();
    if (last) {
      row.elements.weight.value = last.dataset.weight ?? last.elements.weight.value;
      row.elements.reps.value = last.dataset.reps ?? last.elements.reps.value;
    }
    card.querySelector(".rows").append(row);
    htmx.process(row);
    card.classList.remove("done");
    card.open = true;
    refresh();
  }

  function refresh() {
    for (const rows of document.querySelectorAll("details.exercise .rows")) warmupsFirst(rows);
    markCurrent();
    count();
  }

  document.addEventListener("set-ticked", (event) => {
    carryForward(event.detail.form, event.detail.fields);
    splitWarmup(event.detail.form, event.detail.fields);
  });
  document.addEventListener("set-logged", (event) => {
    foldIfFinished(event.detail.form.closest("details.exercise"));
    refresh();
  });
  document.addEventListener("rows-changed", refresh);
  document.addEventListener("htmx:afterSettle", (event) => {
    const form = document.getElementById("add-exercise");
    if (form && event.detail.requestConfig && event.detail.requestConfig.elt === form) {
      form.reset();
      const added = cards().pop();
      if (added) added.scrollIntoView({ block: "start" });
    }
    refresh();
  });
  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-set]");
    if (add) {
      event.preventDefault();
      addRow(add.closest("details.exercise"));
      return;
    }
    const close = event.target.closest("[data-close-check]");
    if (close) {
      event.preventDefault();
      close.closest(".complete-check").hidden = true;
    }
  });
  refresh();
})();
