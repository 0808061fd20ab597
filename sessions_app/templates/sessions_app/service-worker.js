// Workout Log's service worker (version {{ version }}): keeps the app's files and the
// pages a lifter opened, so the workout page still opens with no network. Pages come
// from the network when it answers in time, else from the copy kept here.
"use strict";

const VERSION = "{{ version }}";
const SHELL_CACHE = `shell-${VERSION}`;
const PAGES_CACHE = "pages";
const OFFLINE_URL = "{% url 'offline' %}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}OFFLINE_URL];
// Gym wifi often answers slowly rather than not at all: past this, use the kept copy.
const NETWORK_WAIT_MILLISECONDS = 4000;
const NEVER_KEPT = ["/admin/", "/api/", "/accounts/", "/healthz"];
// The installed app opens here; the server sends it on to the workout in progress (or
// home). The page it last led to is remembered, so the app opens there offline too.
const START_URL = "{% url 'current_workout' %}";
const START_LEADS_TO = START_URL + "?leads-to";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

// Old app files stay for a while: a page kept for offline use still points at the
// versions it was served with.
const SHELL_VERSIONS_KEPT = 3;

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => {
        const shells = names.filter((name) => name.startsWith("shell-") && name !== SHELL_CACHE);
        return Promise.all(
          shells.slice(0, Math.max(shells.length - (SHELL_VERSIONS_KEPT - 1), 0)).map((name) => caches.delete(name)),
        );
      })
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

function keptPage(request) {
  const url = new URL(request.url);
  return (
    request.method === "GET" &&
    url.origin === self.location.origin &&
    !request.headers.get("HX-Request") &&
    !NEVER_KEPT.some((prefix) => url.pathname.startsWith(prefix)) &&
    (request.mode === "navigate" || (request.headers.get("Accept") || "").includes("text/html") ||
      request.destination === "")
  );
}

async function fromNetworkOrCopy(request) {
  const cache = await caches.open(PAGES_CACHE);
  const network = fetch(request).then(async (response) => {
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && !response.redirected && type.startsWith("text/html")) {
      await cache.put(request, response.clone());
    }
    return response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MILLISECONDS));
  try {
    const first = await Promise.race([network, slow]);
    if (first) return first;
  } catch (error) {
    // offline: fall through to the kept copy
  }
  const copy = await cache.match(request, { ignoreVary: true });
  if (copy) return copy;
  try {
    return await network;
  } catch (error) {
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

function keptAddress(address) {
  const url = new URL(address);
  return url.origin === self.location.origin && !NEVER_KEPT.some((prefix) => url.pathname.startsWith(prefix));
}

async function startPage() {
  const cache = await caches.open(PAGES_CACHE);
  const network = fetch(START_URL, { credentials: "same-origin" }).then(async (response) => {
    // A navigation cannot take a redirected answer: send the browser on instead.
    if (response.redirected && keptAddress(response.url)) {
      await cache.put(START_LEADS_TO, new Response(response.url));
    }
    return response.redirected ? Response.redirect(response.url, 303) : response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MILLISECONDS));
  try {
    const first = await Promise.race([network, slow]);
    if (first) return first;
  } catch (error) {
    // offline: open the page it led to last time
  }
  const remembered = await cache.match(START_LEADS_TO);
  if (remembered) return Response.redirect(await remembered.text(), 303);
  try {
    return await network;
  } catch (error) {
    return (await caches.match(OFFLINE_URL)) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === START_URL && request.mode === "navigate") {
    event.respondWith(startPage());
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) caches.open(SHELL_CACHE).then((cache) => cache.put(request, response));
          return response.clone();
        })
        .catch(() => caches.match(request)),
    );
    return;
  }
  if (keptPage(request)) event.respondWith(fromNetworkOrCopy(request));
});

// "Rest over" (rest-timer.js): a tap on it brings the workout back.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => "focus" in client);
      return open ? open.focus() : self.clients.openWindow(START_URL);
    }),
  );
});
