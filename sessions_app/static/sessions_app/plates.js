// What goes on the bar, worked out in the page so that it works offline: the same rule,
// steps and words as sessions_app/plates.py (tests/test_plates.py checks they agree).
// A barbell card carries data-plates='{"unit": "kg", "bar": "20", "plates": [...]}'; a
// tap on a row's weight (or its ⋯) shows the plates per side, and typing follows.
(() => {
  "use strict";

  const MAX_STEPS_PER_SIDE = 4000;
  const LEADING_NUMBER = /^\s*(\d+(?:[.,]\d+)?)/;

  // "102.5" -> 10250, "2.345" -> 235 (half up, as Decimal's ROUND_HALF_UP): digits,
  // never floating point, so both sides round alike.
  function hundredths(text) {
    const [whole, fraction = ""] = String(text).replace(",", ".").split(".");
    const padded = (fraction + "000").slice(0, 3);
    let value = Number(whole) * 100 + Number(padded.slice(0, 2));
    if (Number(padded[2]) >= 5) value += 1;
    return value;
  }

  function typedWeight(text) {
    const match = LEADING_NUMBER.exec(String(text ?? ""));
    return match ? hundredths(match[1]) : null;
  }

  function numberText(value) {
    const whole = Math.floor(value / 100);
    const rest = String(value % 100).padStart(2, "0").replace(/0+$/, "");
    return rest ? `${whole}.${rest}` : String(whole);
  }

  function gcd(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  function fewestPlates(sizes, most) {
    const side = [[]];
    for (let steps = 1; steps <= most; steps++) {
      side.push(null);
      for (const size of sizes) {
        const below = size <= steps ? side[steps - size] : null;
        if (below !== null && (side[steps] === null || below.length + 1 < side[steps].length)) {
          side[steps] = [...below, size];
        }
      }
    }
    return side;
  }

  // {asked, total, bar, perSide, unit} in hundredths, or null (no weight, or too heavy).
  function load(asked, bar, plates, unit) {
    if (asked === null || asked < 0) return null;
    const barHundredths = hundredths(bar);
    const sizes = [...new Set(plates.map(hundredths).filter((plate) => plate > 0))].sort((a, b) => b - a);
    const excess = asked - barHundredths;
    if (excess <= 0 || !sizes.length) return { asked, total: barHundredths, bar: barHundredths, perSide: [], unit };
    const step = sizes.reduce(gcd);
    const most = Math.floor(excess / (2 * step)) + Math.floor(sizes[0] / step) + 1;
    if (most > MAX_STEPS_PER_SIDE) return null;
    const side = fewestPlates(sizes.map((size) => size / step), most);
    let best = null;
    for (let steps = 0; steps <= most; steps++) {
      if (side[steps] === null) continue;
      const distance = Math.abs(2 * steps * step - excess);
      if (best === null || distance < best.distance) best = { steps, distance };
    }
    const perSide = side[best.steps].map((plate) => plate * step).sort((a, b) => b - a);
    return { asked, total: barHundredths + 2 * best.steps * step, bar: barHundredths, perSide, unit };
  }

  function text(loading) {
    const bar = `${numberText(loading.bar)} ${loading.unit} bar`;
    const loaded = loading.perSide.length
      ? `${bar} + ${loading.perSide.map(numberText).join(" + ")} each side`
      : `${bar} alone`;
    if (loading.asked === loading.total) return loaded;
    if (loading.asked < loading.bar) {
      return `${numberText(loading.asked)} ${loading.unit} is under the ${bar} (a lighter one: the exercise's page)`;
    }
    return `${numberText(loading.asked)} ${loading.unit} cannot be loaded · ${numberText(loading.total)} ${loading.unit}: ${loaded}`;
  }

  // What a row's weight field holds, on a card's bar with its plates: the words, or "".
  function plateText(weightText, data) {
    const loading = load(typedWeight(weightText), data.bar, data.plates, data.unit);
    return loading ? text(loading) : "";
  }

  const Plates = { load, typedWeight, text, plateText };
  globalThis.Plates = Plates;
  if (typeof document === "undefined") return;

  function cardData(form) {
    const card = form.closest("[data-plates]");
    if (!card) return null;
    try {
      return JSON.parse(card.dataset.plates);
    } catch {
      return null;
    }
  }

  function show(form) {
    const data = cardData(form);
    if (!data || !form.elements.weight) return;
    let line = form.querySelector(".plates-line");
    if (!line) {
      // A row added in the page ("+ Set") comes without one.
      line = document.createElement("p");
      line.className = "plates-line";
      line.setAttribute("aria-live", "polite");
      form.querySelector(".row-extra")?.before(line);
    }
    line.textContent = plateText(form.elements.weight.value, data);
    form.classList.add("plates-shown");
  }

  // "Add warm-ups" ramps up to the weight the first working row shows now, typed or not.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches?.("form.add-warmups")) return;
    const first = form.closest("details.exercise")?.querySelector("form.log-set:not(.warmup) input.weight");
    const weight = first && typedWeight(first.value);
    if (weight) form.elements.weight.value = numberText(weight);
  }, true);

  const rowOf = (target) => target.closest?.("form.log-set");
  document.addEventListener("focusin", (event) => {
    if (event.target.matches?.("input.weight") && rowOf(event.target)) show(rowOf(event.target));
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches?.("input.weight") && rowOf(event.target)) show(rowOf(event.target));
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches?.(".more-toggle") && rowOf(event.target)) show(rowOf(event.target));
  });
})();
