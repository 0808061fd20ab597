// Installable app and offline pages: register the service worker, and forget the
// pages kept for offline use whenever nobody is logged in (a shared phone must not
// show the last lifter's pages to the next one).
(() => {
  "use strict";

  const script = document.currentScript;
  const PAGES_CACHE = "pages";

  function forgetPages() {
    if (window.caches) caches.delete(PAGES_CACHE).catch(() => {});
  }

  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" }).catch(() => {});
    // A page that opened while the worker was starting can miss its claim: ask again.
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.serviceWorker.controller && registration.active) {
        registration.active.postMessage("claim");
      }
    });
    // The first visit is not yet served by the worker: fetch the page once it is, so
    // that it is there offline. Never the login page: its answer sets the CSRF cookie,
    // and arriving after the login it would undo the new one.
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (!location.pathname.startsWith("/accounts/")) {
        fetch(location.href, { credentials: "same-origin" }).catch(() => {});
      }
    });
  }
  // The login page: whoever comes next, nothing of the last lifter stays.
  if (!document.body.dataset.user) forgetPages();
  document.addEventListener("submit", (event) => {
    // After the outbox's own check, which refuses a logout while sets still wait.
    if (!event.defaultPrevented && event.target.matches("form[action$='/accounts/logout/']")) {
      forgetPages();
    }
  });
})();
