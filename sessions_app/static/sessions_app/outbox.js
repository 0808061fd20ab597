// The outbox: every set logged on a workout page is kept on the phone (IndexedDB)
// until the server has it, then sent in order, once each. Each set carries its own
// key, and the server stores a key only once, so a set whose answer was lost is
// never stored twice when it is sent again. An item leaves the outbox only when the
// server's answer shows its key stored; anything else keeps it, or marks it "not
// saved" with the reason, for the lifter to see.
(() => {
  "use strict";

  const DB_NAME = "workout-log";
  const STORE = "outbox";
  const RETRY_MILLISECONDS = 5000;
  const USED_KEYS = "workout-log-used-keys";
  const USED_KEYS_KEPT = 500;
  const workout = document.getElementById("workout");
  const badge = document.getElementById("outbox-badge");
  const notice = document.getElementById("notice");
  const currentUser = document.body.dataset.user || "";
  let flushing = false;
  let flushAgain = false;
  let retryTimer = null;
  let waitingNow = 0; // kept in step by showWaiting, for checks that cannot wait

  // --- IndexedDB, in four small operations ---------------------------------------
  function openDatabase() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () =>
        request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error("the phone's storage is busy"));
    });
  }

  async function inStore(mode, operation) {
    const database = await openDatabase();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      transaction.oncomplete = () => {
        database.close();
        resolve(request.result);
      };
      // A full disk or a storage error aborts the transaction: say so, never hang.
      transaction.onerror = transaction.onabort = () => {
        database.close();
        reject(transaction.error || new Error("the phone's storage refused the set"));
      };
    });
  }

  const addItem = (item) => inStore("readwrite", (store) => store.add(item));
  const putItem = (item) => inStore("readwrite", (store) => store.put(item));
  const removeItem = (seq) => inStore("readwrite", (store) => store.delete(seq));
  const allItems = () => inStore("readonly", (store) => store.getAll());

  // --- Small helpers ---------------------------------------------------------------
  function newKey() {
    if (window.crypto.randomUUID) return crypto.randomUUID();
    // Plain-HTTP pages have no randomUUID; build a version-4 UUID by hand.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // --- A set as the pages write it: set_text.py says the same (tests/test_set_text.py) --
  const BODYWEIGHT_ALONE = /^(bw|body\s*weight)$/i;
  const DURATIONS = [
    [/^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$/, (m) => (m[3] ? m[1] * 3600 + m[2] * 60 + Number(m[3]) : m[1] * 60 + Number(m[2]))],
    [/^\s*(\d{1,5})\s*(?:s|secs?|seconds?)\s*$/i, (m) => Number(m[1])],
    [/^\s*(\d{1,3})\s*(?:m|mins?|minutes?)\s*$/i, (m) => m[1] * 60],
  ];

  function secondsIn(reps, timed) {
    for (const [pattern, seconds] of DURATIONS) {
      const match = reps.match(pattern);
      if (match) return seconds(match);
    }
    return timed && /^[0-9]{1,5}$/.test(reps) ? Number(reps) : null;
  }

  function clock(total) {
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = String(total % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
  }

  function loadText(weight, reps, unit, timed) {
    weight = (weight || "").trim();
    reps = (reps || "").trim();
    const seconds = reps ? secondsIn(reps, timed) : null;
    if (BODYWEIGHT_ALONE.test(weight) && seconds !== null) weight = "";
    const load = weight ? [weight, ...(/[0-9]/.test(weight) ? [unit] : [])] : [];
    if (seconds !== null) return [...load, ...(load.length ? ["·"] : []), clock(seconds)].join(" ");
    if (!load.length) return reps ? `${reps} ${reps === "1" ? "rep" : "reps"}` : "–";
    return (reps ? [...load, "×", reps] : load).join(" ");
  }

  window.WorkoutLog = { newKey, csrfToken: () => csrfToken(), loadText };

  // A page kept for offline use holds the keys its forms had then: a key this phone
  // already used must never go out again with another set.
  function unusedKey(candidate) {
    let used = [];
    try {
      used = JSON.parse(localStorage.getItem(USED_KEYS)) || [];
    } catch (error) {
      used = [];
    }
    const key = candidate && !used.includes(candidate) ? candidate : newKey();
    localStorage.setItem(USED_KEYS, JSON.stringify([...used, key].slice(-USED_KEYS_KEPT)));
    return key;
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) return cookie.split("=")[1];
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function say(message) {
    if (!notice) return;
    notice.textContent = message;
    notice.hidden = !message;
  }

  // A set waits under its exercise's card: the card the row was ticked on says the
  // exercise's key (the server's one key of a name); an older queued item, its name.
  function cardFor(item) {
    if (!workout) return null;
    const cards = [...document.querySelectorAll("details.exercise[data-exercise-key]")];
    if (item.exerciseKey) return cards.find((card) => card.dataset.exerciseKey === item.exerciseKey);
    return cards.find((card) => card.dataset.exercise === item.fields.exercise);
  }

  function rowForKey(key) {
    return document.querySelector(`form.log-set[data-key="${CSS.escape(key)}"]`);
  }

  // A planned row whose set waits in the outbox: shown as typed, and cannot log again.
  function showRowWaiting(form, fields) {
    form.classList.add("waiting");
    for (const name of ["weight", "reps", "notes", "set_type", "rpe"]) {
      if (form.elements[name] && fields[name] !== undefined) form.elements[name].value = fields[name];
    }
    for (const field of form.querySelectorAll("input, select")) field.disabled = field.type !== "hidden";
    const tick = form.querySelector(".tick");
    tick.disabled = true;
    tick.textContent = "…";
    tick.setAttribute("aria-label", "Waiting to be sent");
  }

  function showRowReady(form) {
    form.classList.remove("waiting");
    for (const field of form.querySelectorAll("input, select, button")) field.disabled = false;
    const tick = form.querySelector(".tick");
    tick.textContent = "✓";
    tick.setAttribute("aria-label", `Log set ${form.elements.set_number.value} of ${form.elements.exercise.value}`);
  }

  // --- Showing what waits ------------------------------------------------------------
  function waitingRow(item, elsewhere) {
    const row = document.getElementById("waiting-row-template").content.firstElementChild.cloneNode(true);
    const fields = item.fields;
    row.dataset.outboxSeq = item.seq;
    row.dataset.key = fields.key;
    row.classList.toggle("warmup", fields.set_type === "warmup");
    row.querySelector(".set-number").textContent = fields.set_type === "warmup" ? "W" : fields.set_number || "";
    const card = cardFor(item);
    const load = loadText(fields.weight, fields.reps, fields.unit || "", Boolean(card && "timed" in card.dataset));
    row.querySelector(".set-load").textContent = elsewhere ? `${fields.exercise}: ${load}` : load;
    row.querySelector(".set-notes").textContent = fields.notes || "";
    const label = row.querySelector(".waiting-label");
    if (item.state === "rejected") {
      row.classList.add("rejected");
      label.textContent = "Not saved";
      row.querySelector(".set-notes").textContent = item.error;
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "link dismiss row-action";
      dismiss.textContent = "Dismiss";
      dismiss.setAttribute("aria-label", `Dismiss the unsaved set ${fields.exercise} ${load}`);
      dismiss.addEventListener("click", async () => {
        await removeItem(item.seq);
        await showWaiting();
      });
      label.replaceWith(dismiss);
    }
    return row;
  }

  async function showWaiting() {
    const items = (await allItems()).filter((item) => item.userId === currentUser);
    const waiting = items.filter((item) => item.state === "waiting").length;
    const rejected = items.length - waiting;
    waitingNow = waiting;
    if (badge) {
      // Short, to fit a phone's top bar: the list on the page tells the rest.
      badge.textContent = waiting ? `${waiting} waiting` : rejected ? `${rejected} not saved` : "";
      badge.hidden = !waiting && !rejected;
    }
    if (!workout) return;
    document.querySelectorAll("[data-outbox-seq]").forEach((row) => row.remove());
    const waitingKeys = new Set();
    const elsewhere = document.getElementById("waiting-elsewhere");
    let outside = 0;
    for (const item of items) {
      const here = item.sessionId === workout.dataset.sessionId;
      const form = here && item.state === "waiting" ? rowForKey(item.fields.key) : null;
      if (form) {
        showRowWaiting(form, item.fields);
        waitingKeys.add(item.fields.key);
        continue;
      }
      const card = here ? cardFor(item) : null;
      if (card) {
        card.querySelector(".rows").append(waitingRow(item, false));
      } else {
        // A new exercise, or a set of another workout: listed here, never hidden.
        elsewhere.querySelector("ol.sets").append(waitingRow(item, !here));
        outside += 1;
      }
    }
    for (const form of document.querySelectorAll("form.log-set.waiting")) {
      if (!waitingKeys.has(form.dataset.key)) showRowReady(form);
    }
    elsewhere.hidden = outside === 0;
    document.dispatchEvent(new CustomEvent("rows-changed"));
  }

  // --- A row that cannot be a set yet: said in the row, nothing queued ---------------
  // The server says the same (SetForm); asking here first keeps a forgotten weight from
  // starting a rest or waiting in the outbox for a refusal.
  function missingValue(form) {
    const fields = form.elements;
    if (fields.log_as_is && fields.log_as_is.checked) return null;
    const weight = fields.weight.value.trim();
    if (fields.needs_weight && fields.needs_weight.value && !weight) {
      return { field: fields.weight, message: workout.dataset.missingWeight };
    }
    if (!weight && !fields.reps.value.trim()) return { field: fields.reps, message: workout.dataset.missingReps };
    return null;
  }

  function showHint(form, message) {
    let hint = form.querySelector(".row-hint");
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "row-hint";
      hint.setAttribute("role", "alert");
      form.append(hint);
    }
    hint.textContent = message;
  }

  document.addEventListener("input", (event) => {
    const form = event.target.closest && event.target.closest("form.log-set");
    const hint = form && form.querySelector(".row-hint");
    if (hint) hint.remove();
  });

  // --- Logging a set: into the outbox first ------------------------------------------
  async function queueSet(form) {
    const fields = Object.fromEntries(new FormData(form).entries());
    delete fields.csrfmiddlewaretoken;
    fields.key = unusedKey(fields.key);
    if (fields.key !== form.dataset.key) {
      // This page was kept from before that key was used: the row gets a fresh one.
      form.elements.key.value = form.dataset.key = form.dataset.queuedKey = fields.key;
    }
    // Before anything waits on the phone's storage: the rows below take the numbers now,
    // not while the lifter may already be typing into one of them.
    document.dispatchEvent(new CustomEvent("set-ticked", { detail: { form, fields } }));
    const queuedAt = Date.now();
    fields.logged_at = new Date(queuedAt).toISOString(); // when it was done, if sent later
    const card = form.closest("details.exercise");
    const item = {
      sessionId: workout.dataset.sessionId,
      userId: currentUser,
      url: form.action,
      fields,
      exerciseKey: card ? card.dataset.exerciseKey : "",
      state: "waiting",
      queuedAt,
    };
    try {
      item.seq = await addItem(item);
    } catch (error) {
      // No storage on this phone right now: send the form the plain way instead.
      say(`Could not keep the set on this phone (${error.message}); sending it directly.`);
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    showRowWaiting(form, fields);
    const restSeconds = Number((card && card.dataset.restSeconds) || 0);
    document.dispatchEvent(new CustomEvent("set-logged", { detail: { restSeconds, form, fields } }));
    await showWaiting();
    flush();
  }

  // --- Sending, in order, once each ---------------------------------------------------
  // The server's answer replaces the row in place: the logged row, or the row again
  // with what is wrong. Nothing else on the page changes.
  function swapIn(item, fragment) {
    if (!workout || item.sessionId !== workout.dataset.sessionId) return false;
    const key = CSS.escape(item.fields.key);
    const elements = [...fragment.children];
    const current =
      rowForKey(item.fields.key) || document.querySelector(`[data-outbox-seq="${item.seq}"]`);
    if (current) {
      current.replaceWith(...elements);
    } else {
      const card = cardFor(item);
      if (!card || card.querySelector(`[data-key="${key}"]`)) return Boolean(card);
      card.querySelector(".rows").append(...elements);
    }
    elements.forEach((element) => htmx.process(element));
    return true;
  }

  async function reject(item, reason) {
    item.state = "rejected";
    item.error = reason;
    await putItem(item);
  }

  async function send(item) {
    const response = await fetch(item.url, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      redirect: "manual",
    });
    if (response.type === "opaqueredirect") {
      say("You were logged out. Log in again and your waiting sets will be sent.");
      return "later";
    }
    if (response.status >= 500 || response.status === 403 || response.status === 429) {
      return "later";
    }
    if (response.headers.get("HX-Redirect")) {
      await reject(item, "the workout was already finished");
      return "done";
    }
    if (!response.ok) {
      await reject(item, response.status === 404 ? "this workout no longer exists" : `error ${response.status}`);
      return "done";
    }
    const fragment = document.createElement("template");
    fragment.innerHTML = await response.text();
    const answer = fragment.content.firstElementChild;
    const stored = answer && answer.matches(".set-row.done") && answer.dataset.key === item.fields.key;
    if (stored) {
      await removeItem(item.seq);
      swapIn(item, fragment.content);
    } else if (answer && answer.matches("form.log-set") && swapIn(item, fragment.content)) {
      // Sent back with what is wrong: the row shows it, to fix and tick again. The rest
      // its tick started is no rest: the set was not done as logged.
      await removeItem(item.seq);
      document.dispatchEvent(new CustomEvent("set-refused", { detail: { key: item.fields.key } }));
    } else {
      // The server answered with the form and its errors: nothing was stored.
      const errors = [...fragment.content.querySelectorAll(".errorlist li")].map((li) => li.textContent);
      await reject(item, errors.join(" ") || "the server did not store it");
    }
    return "done";
  }

  async function flush() {
    if (flushing) {
      flushAgain = true; // a set queued while sending: look at the outbox once more
      return;
    }
    flushing = true;
    clearTimeout(retryTimer);
    let sent = 0;
    try {
      do {
        flushAgain = false;
        for (;;) {
          const next = (await allItems()).find(
            (item) => item.state === "waiting" && item.userId === currentUser,
          );
          if (!next) break;
          let outcome;
          try {
            outcome = await send(next);
          } catch (error) {
            outcome = "later"; // offline, or the answer was lost: the key makes sending again safe
          }
          if (outcome === "later") {
            retryTimer = setTimeout(flush, RETRY_MILLISECONDS);
            flushAgain = false;
            break;
          }
          sent += 1;
          await showWaiting();
        }
      } while (flushAgain);
    } catch (error) {
      retryTimer = setTimeout(flush, RETRY_MILLISECONDS);
    } finally {
      flushing = false;
      await showWaiting().catch(() => {});
    }
    if (sent && workout) {
      say("");
      // Refresh the copy the service worker keeps for offline use.
      fetch(workout.dataset.pageUrl, { credentials: "same-origin" }).catch(() => {});
    }
  }

  // --- Wiring -------------------------------------------------------------------------
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      // A page kept for offline use may carry an old token: use the current one.
      if (form.elements.csrfmiddlewaretoken && csrfToken()) {
        form.elements.csrfmiddlewaretoken.value = csrfToken();
      }
      if (workout && form.matches("form.log-set")) {
        event.preventDefault();
        event.stopImmediatePropagation();
        // A double tap logs one set: each row keeps its key until it is logged, and a
        // row already queued ignores every later tap.
        const key = form.elements.key.value;
        if (form.classList.contains("waiting") || (key && key === form.dataset.queuedKey)) return;
        const missing = missingValue(form);
        if (missing) {
          showHint(form, missing.message);
          missing.field.focus();
          return;
        }
        form.dataset.queuedKey = key;
        queueSet(form);
        return;
      }
      const guarded = [form, event.submitter].some((element) => element && element.matches("[data-needs-outbox-empty]"));
      const problem = guarded && notWhileSetsWait();
      if (problem) {
        event.preventDefault();
        say(problem);
      }
    },
    true,
  );

  // Completing, cancelling, logging out: never while a set waits on the phone.
  function notWhileSetsWait() {
    if (waitingNow) return `${waitingNow} set(s) are still waiting to be sent; try again once they are saved.`;
    if (!navigator.onLine) return "You are offline. Your sets are safe on this phone; try again when you are back online.";
    return null;
  }

  // Fixing or deleting a set needs the server: refused offline, with a clear message.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const guarded = event.detail.elt.closest("[data-needs-outbox-empty]");
    const problem = guarded ? notWhileSetsWait() : !navigator.onLine && "You are offline: that needs a connection. Logging sets works offline.";
    if (problem) {
      event.preventDefault();
      say(problem);
    }
  });
  document.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  document.addEventListener("htmx:sendError", () =>
    say("No connection: that change was not made. Logging new sets works offline."),
  );
  document.addEventListener("htmx:responseError", (event) =>
    say(`That change was not made (the server answered ${event.detail.xhr.status}). Reload and try again.`),
  );
  window.addEventListener("online", () => flush());
  document.addEventListener("DOMContentLoaded", () => {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    showWaiting()
      .then(flush)
      .catch((error) => say(`This phone cannot keep sets offline (${error.message}).`));
  });
})();
