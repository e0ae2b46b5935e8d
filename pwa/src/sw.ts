/** The service worker: precached app shell, versioned updates on request, Background Sync push. */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { SignedOutError } from "./auth";
import { appDb } from "./db";
import { BACKGROUND_SYNC_TAG, push } from "./sync";
import { routeFor } from "./notificationRoute";

// The parts of the service worker scope used here (the project type-checks against the DOM library).
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SyncEvent extends ExtendableEventLike {
  tag: string;
}
interface MessageEventLike extends ExtendableEventLike {
  data: unknown;
}
interface PushEventLike extends ExtendableEventLike {
  data: { json(): unknown } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  notification: Notification;
}
interface WindowClientLike {
  url: string;
  focus(): Promise<unknown>;
  navigate(url: string): Promise<unknown>;
}
/** The Service Worker Static Routing API (Chromium 123 and later); other browsers lack addRoutes. */
interface InstallEventLike {
  addRoutes?: (rules: { condition: { urlPattern: string }; source: "network" }[]) => Promise<void>;
  waitUntil(promise: Promise<unknown>): void;
}
declare const self: {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
  skipWaiting(): Promise<void>;
  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
  addEventListener(type: "sync", listener: (event: SyncEvent) => void): void;
  addEventListener(type: "push", listener: (event: PushEventLike) => void): void;
  addEventListener(type: "notificationclick", listener: (event: NotificationEventLike) => void): void;
  addEventListener(type: "install", listener: (event: InstallEventLike) => void): void;
  registration: ServiceWorkerRegistration;
  location: Location;
  clients: {
    matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
  };
};

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Every app URL is the one page (hash routing); API calls always go to the network.
registerRoute(new NavigationRoute(createHandlerBoundToURL("index.html"), { denylist: [/^\/api\//, /^\/healthz/] }));

// API calls and the health check go straight to the network without waking this worker, where
// the browser can route them so (Chromium); elsewhere the fetch event passes them through as above.
self.addEventListener("install", (event) => {
  const routes = event.addRoutes?.([
    { condition: { urlPattern: "/api/*" }, source: "network" },
    { condition: { urlPattern: "/healthz" }, source: "network" },
  ]);
  if (routes) event.waitUntil(routes.catch((error: unknown) => console.warn("static routes refused", error)));
});

// A first install takes control at once; a new version waits until the user taps "Oppdater".
clientsClaim();

self.addEventListener("message", (event) => {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

// Background Sync: push the outbox even when the app is closed. A failure makes the browser retry,
// except a sign-in that has ended: the changes wait for the next sign-in, which sends them. The
// tokens are refreshed under the same Web Lock as the page's (auth.ts), never at the same time.
self.addEventListener("sync", (event) => {
  if (event.tag !== BACKGROUND_SYNC_TAG) return;
  event.waitUntil(
    push({ db: appDb(), fetch: (input, init) => fetch(input, init) }).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof SignedOutError) return;
        throw error;
      },
    ),
  );
});

// Web push: the payload holds a kind, an id and a generic text, never names (domain.md, privacy).
interface PushPayload {
  kind?: string;
  id?: string | null;
  title?: string;
  body?: string;
}

self.addEventListener("push", (event) => {
  let payload: PushPayload = {};
  try {
    payload = (event.data?.json() as PushPayload | undefined) ?? {};
  } catch {
    payload = {};
  }
  const kind = payload.kind ?? "test";
  event.waitUntil(
    self.registration.showNotification(payload.title ?? "Feltlogg", {
      body: payload.body ?? "",
      icon: "icons/icon-192.png",
      badge: "icons/icon-192.png",
      tag: `${kind}:${payload.id ?? ""}`,
      data: { kind, id: payload.id ?? null },
    }),
  );
});

// A tapped notification opens the app, or focuses an open window, on the right screen.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = (event.notification.data ?? {}) as { kind?: string; id?: string | null };
  const target = new URL(routeFor(data.kind ?? "", data.id ?? null), self.location.origin + "/").href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        await open.navigate(target);
        await open.focus();
        return;
      }
      await self.clients.openWindow(target);
    }),
  );
});
