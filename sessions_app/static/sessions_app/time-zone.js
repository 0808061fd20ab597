// The lifter's time zone, said by the browser on the first page after logging in: the
// server keeps it (only while the lifter has none: Settings changes it later), so that
// "today" and every time shown are theirs. Without JavaScript, Settings asks.
(() => {
  const script = document.currentScript;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || !script) return;
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  fetch(script.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": headers["x-csrftoken"] || "" },
    body: new URLSearchParams({ time_zone: zone }),
  }).catch(() => {}); // offline: the next page asks again
})();
