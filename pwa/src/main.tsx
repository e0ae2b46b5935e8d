/** Start the app: render, keep the observable sync state current, sync, watch for updates. */
import { render } from "preact";
import { liveQuery } from "dexie";
import { Workbox } from "workbox-window";
import { App, announceUpdate } from "./App";
import { db, syncLoop } from "./app";
import { META, getMeta } from "./db";
import { lang } from "./i18n";
import { documentObserver } from "./sync";
import "./styles.css";

document.documentElement.lang = lang();
const observer = documentObserver();
observer.state(navigator.onLine ? "idle" : "offline");

// dataset.pending follows the outbox at every change, not only after a sync.
liveQuery(() => db.outbox.count()).subscribe({ next: (count) => observer.pending(count) });

render(<App />, document.getElementById("app")!);

// Sync whenever someone is signed in (also right after signing in).
let started = false;
liveQuery(() => getMeta(db, META.user)).subscribe({
  next: (user) => {
    if (!user) return;
    if (!started) {
      started = true;
      syncLoop.start();
    } else {
      void syncLoop.run();
    }
  },
});

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  const workbox = new Workbox("/sw.js", { scope: "/" });
  workbox.addEventListener("waiting", () => {
    announceUpdate(() => {
      workbox.addEventListener("controlling", () => location.reload());
      workbox.messageSkipWaiting();
    });
  });
  void workbox.register();
  // The app is one page (hash routes), so the browser seldom looks for a new version by itself:
  // look when the app comes back to the screen, and every hour while it is open.
  const UPDATE_CHECK_MS = 60 * 60 * 1000;
  setInterval(() => void workbox.update(), UPDATE_CHECK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void workbox.update();
  });
}
