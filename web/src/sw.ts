/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare const self: ServiceWorkerGlobalScope;

// The app shell (every built file) is precached, so the app opens offline; the data last seen comes from the
// query cache in IndexedDB, not from here. API and sign-in requests are never served from a cache.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL("/index.html"), { denylist: [/^\/api\//, /^\/auth\//] }));

self.addEventListener("install", () => void self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

interface PushMessage {
  id?: string;
  title?: string;
  body?: string;
  url?: string;
}

/** A push carries only neutral words (the notifications service writes nothing clinical in it) and a link. */
self.addEventListener("push", (event) => {
  let message: PushMessage = {};
  try {
    message = (event.data?.json() as PushMessage | undefined) ?? {};
  } catch {
    message = { body: event.data?.text() };
  }
  event.waitUntil(
    self.registration.showNotification(message.title ?? "Accord", {
      body: message.body ?? "",
      tag: message.id,
      icon: "/icons/icon-192.png",
      data: { url: message.url ?? "/" },
    }),
  );
});

/** Open the app at the push's link (/goals/<id>, /inbox, /checkins), reusing an open window. Only a path of this
 * app is ever opened, whatever host the link names. */
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data as { url?: string } | undefined)?.url ?? "/", self.location.origin);
  const path = target.pathname + target.search; // always this app: the link names a page of it
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows[0];
      if (open) {
        await open.focus();
        await open.navigate(path);
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});
