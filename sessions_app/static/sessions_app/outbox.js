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

  function blockFor(exercise) {
    if (!workout) return null;
    return document.querySelector(`section.exercise[data-exercise="${CSS.escape(exercise)}"]`);
  }

  // ...and never under the rest timer that logging a set has just shown.
  function clearOfTimer(form) {
    const timer = document.getElementById("rest-timer");
    const button = form && form.querySelector("button[type=submit]");
    if (!timer || timer.hidden || !button || !button.isConnected) return;
    const overlap = button.getBoundingClientRect().bottom - timer.getBoundingClientRect().top + 8;
    if (overlap > 0) window.scrollBy(0, overlap);
  }

  // Keep the form the lifter is using under their thumb while rows are added above it.
  async function keepInPlace(element, change) {
    const before = element && element.isConnected ? element.getBoundingClientRect().top : null;
    const moved = (await change()) || element;
    if (before !== null && moved && moved.isConnected) {
      window.scrollBy(0, moved.getBoundingClientRect().top - before);
    }
  }

  // --- Showing what waits ------------------------------------------------------------
  function waitingRow(item, elsewhere) {
    const row = document.getElementById("waiting-row-template").content.firstElementChild.cloneNode(true);
    const fields = item.fields;
    row.dataset.outboxSeq = item.seq;
    row.querySelector(".set-number").textContent = fields.is_warmup ? "W" : fields.set_number || "";
    const load = `${fields.weight || "–"} × ${fields.reps || "–"}`;
    row.querySelector(".set-load").textContent = elsewhere ? `${fields.exercise}: ${load}` : load;
    row.querySelector(".set-notes").textContent = fields.notes || "";
    const label = row.querySelector(".waiting-label");
    if (item.state === "rejected") {
      row.classList.add("rejected");
      label.textContent = "Not saved";
      row.querySelector(".set-notes").textContent = item.error;
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "link dismiss";
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
    const elsewhere = document.getElementById("waiting-elsewhere");
    let outside = 0;
    for (const item of items) {
      const here = item.sessionId === workout.dataset.sessionId;
      const block = here ? blockFor(item.fields.exercise) : null;
      if (block) {
        block.querySelector("ol.sets").append(waitingRow(item, false));
      } else {
        // A new exercise, or a set of another workout: listed here, never hidden.
        elsewhere.querySelector("ol.sets").append(waitingRow(item, !here));
        outside += 1;
      }
    }
    elsewhere.hidden = outside === 0;
    for (const block of document.querySelectorAll("section.exercise[data-exercise]")) {
      numberAfterWaiting(block, items);
    }
  }

  // A page opened from the phone's copy does not know the sets waiting here: its form
  // must not offer a set number that a waiting set already has.
  function numberAfterWaiting(block, items) {
    const field = block.querySelector("form.log-set [name=set_number]");
    if (!field) return;
    const shown = [...block.querySelectorAll(".set-row:not(.warmup):not(.waiting) .set-number")];
    const numbers = shown.map((number) => Number(number.textContent) || 0);
    for (const item of items) {
      if (item.fields.exercise === block.dataset.exercise && !item.fields.is_warmup) {
        numbers.push(Number(item.fields.set_number) || 0);
      }
    }
    const highest = Math.max(0, ...numbers);
    if (Number(field.value) > highest) return;
    field.value = highest + 1;
    // And start from the last set waiting, as after logging it.
    const form = field.form;
    const last = items.filter((item) => item.fields.exercise === block.dataset.exercise).pop();
    if (last && !form.elements.weight.value && !form.elements.reps.value) {
      form.elements.weight.value = last.fields.weight || "";
      form.elements.reps.value = last.fields.reps || "";
    }
  }

  // --- Logging a set: into the outbox first ------------------------------------------
  // The same rule as the server's: the next set starts from the same set last time,
  // or else from the set just logged.
  function readyNextSet(form) {
    const number = form.elements.set_number;
    const warmup = form.elements.is_warmup && form.elements.is_warmup.checked;
    // A warm-up does not use up a number: the next working set keeps it.
    if (number && number.value && !warmup) {
      number.value = Number(number.value) + 1;
      const lastTime = JSON.parse(form.dataset.lastTime || "[]");
      const same = lastTime.find((previous) => previous.set_number === Number(number.value));
      if (same) {
        form.elements.weight.value = same.weight;
        form.elements.reps.value = same.reps;
      }
    }
    form.elements.key.value = newKey();
    form.elements.notes.value = "";
    if (form.elements.is_warmup) form.elements.is_warmup.checked = false;
  }

  async function queueSet(form) {
    const fields = Object.fromEntries(new FormData(form).entries());
    delete fields.csrfmiddlewaretoken;
    fields.key = unusedKey(fields.key);
    const queuedAt = Date.now();
    fields.logged_at = new Date(queuedAt).toISOString(); // when it was done, if sent later
    const item = {
      sessionId: workout.dataset.sessionId,
      userId: currentUser,
      url: form.action,
      fields,
      state: "waiting",
      queuedAt,
    };
    try {
      item.seq = await addItem(item);
    } catch (error) {
      // No storage on this phone right now: send the form the plain way instead.
      say(`Could not keep the set on this phone (${error.message}); sending it directly.`);
      form.elements.key.value = fields.key;
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    readyNextSet(form);
    const block = form.closest("section.exercise");
    const restSeconds = Number((block && block.dataset.restSeconds) || 0);
    document.dispatchEvent(new CustomEvent("set-logged", { detail: { restSeconds } }));
    await keepInPlace(form, showWaiting);
    clearOfTimer(form);
    flush();
  }

  // --- Sending, in order, once each ---------------------------------------------------
  // What the lifter has typed into the log forms inside an element, by exercise slot.
  function typedValues(element) {
    const values = new Map();
    for (const form of element.querySelectorAll("form.log-set")) {
      const fields = {};
      for (const field of form.elements) {
        if (field.name && field.name !== "csrfmiddlewaretoken") {
          fields[field.name] = field.type === "checkbox" ? field.checked : field.value;
        }
      }
      values.set(form.elements.slot.value, fields);
    }
    return values;
  }

  // A new block from the server must not wipe what was typed while the set was sent;
  // a form that came back with errors is shown as the server sent it.
  function restoreTyped(element, values) {
    for (const form of element.querySelectorAll("form.log-set")) {
      const fields = values.get(form.elements.slot.value);
      if (!fields || form.querySelector(".errorlist")) continue;
      for (const [name, value] of Object.entries(fields)) {
        const field = form.elements[name];
        if (!field) continue;
        if (field.type === "checkbox") field.checked = value;
        else field.value = value;
      }
    }
  }

  function swapIn(item, fragment, retarget) {
    if (!workout || item.sessionId !== workout.dataset.sessionId) return null;
    for (const outOfBand of fragment.content.querySelectorAll("[hx-swap-oob]")) {
      outOfBand.removeAttribute("hx-swap-oob");
      const current = document.getElementById(outOfBand.id);
      if (current) current.replaceWith(outOfBand);
      htmx.process(outOfBand);
    }
    const slot = item.fields.slot || "";
    const target = retarget
      ? document.querySelector(retarget)
      : slot
        ? blockFor(slot)
        : document.getElementById("add-exercise");
    const replacement = fragment.content.firstElementChild;
    if (!target || !replacement) return null;
    const focused = target.contains(document.activeElement) ? document.activeElement : null;
    const typed = typedValues(target);
    target.replaceWith(replacement);
    restoreTyped(replacement, typed);
    htmx.process(replacement);
    if (focused && focused.name) {
      const again = replacement.querySelector(`form.log-set [name="${CSS.escape(focused.name)}"]`);
      if (again) again.focus({ preventScroll: true });
    }
    return replacement;
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
    const stored = fragment.content.querySelector(`[data-key="${CSS.escape(item.fields.key)}"]`);
    if (!stored) {
      // The server answered with the form and its errors: nothing was stored.
      const errors = [...fragment.content.querySelectorAll(".errorlist li")].map((li) => li.textContent);
      await reject(item, errors.join(" ") || "the server did not store it");
    } else {
      await removeItem(item.seq);
    }
    const slot = item.fields.slot ? blockFor(item.fields.slot) : null;
    const form = slot ? slot.querySelector("form.log-set") : null;
    let newForm = null;
    await keepInPlace(form, async () => {
      const replacement = swapIn(item, fragment, response.headers.get("HX-Retarget"));
      await showWaiting();
      newForm = replacement && replacement.querySelector("form.log-set");
      return newForm;
    });
    clearOfTimer(newForm);
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
        // A double tap logs one set: a second submit of the same key is ignored (once a
        // set is queued, the form gets a new key for the next one).
        const key = form.elements.key.value;
        if (key && key === form.dataset.queuedKey) return;
        form.dataset.queuedKey = key;
        queueSet(form);
        return;
      }
      if (!form.matches("[data-needs-outbox-empty]")) return;
      if (waitingNow || !navigator.onLine) {
        event.preventDefault();
        say(
          waitingNow
            ? `${waitingNow} set(s) are still waiting to be sent; try again once they are saved.`
            : "You are offline. Your sets are safe on this phone; try again when you are back online.",
        );
      }
    },
    true,
  );

  // Fixing or deleting a set needs the server: refused offline, with a clear message.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (!navigator.onLine) {
      event.preventDefault();
      say("You are offline: fixing or deleting a set needs a connection. Logging new sets works offline.");
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
