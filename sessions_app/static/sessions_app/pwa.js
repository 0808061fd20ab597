// Installable app and offline pages: register the service worker, and forget cached
// pages on logout (a shared phone must not show the last lifter's pages offline).
(() => {
  "use strict";

  const script = document.currentScript;
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" }).catch(() => {});
    // The first visit is not yet served by the worker: fetch the page once it is, so
    // that it is there offline. Never the login page: its answer sets the CSRF cookie,
    // and arriving after the login it would undo the new one.
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (!location.pathname.startsWith("/accounts/")) {
        fetch(location.href, { credentials: "same-origin" }).catch(() => {});
      }
    });
  }
  document.addEventListener("submit", (event) => {
    if (event.target.matches("form[action$='/accounts/logout/']") && window.caches) {
      caches.keys().then((names) => names.forEach((name) => caches.delete(name)));
    }
  });
})();
