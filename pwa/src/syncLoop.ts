/**
 * When to sync: at start, when the network returns, every 60 s while open, shortly after each
 * local write, and through Background Sync where the browser has it. One sync at a time.
 */
import { type FeltloggDB } from "./db";
import { BACKGROUND_SYNC_TAG, type SyncDeps, type SyncObserver, type SyncOutcome, type SyncProgress, runSync } from "./sync";
const INTERVAL_MS = 60_000;
const DEBOUNCE_MS = 1_500;
/** After a failed sync while the browser says it is online: try again soon, then less often. */
const RETRY_FIRST_MS = 2_000;
const OFFLINE_CHECK_MS = 5_000;

type Listener = () => void;

export class SyncLoop {
  private running: Promise<SyncOutcome> | null = null;
  private again = false;
  private interval: ReturnType<typeof setInterval> | undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryDelay = RETRY_FIRST_MS;
  private listeners = new Set<Listener>();
  progress: SyncProgress | null = null;
  lastOutcome: SyncOutcome | null = null;

  constructor(
    private readonly deps: SyncDeps,
    private readonly observer: SyncObserver,
    private readonly isOnline: () => boolean = () => globalThis.navigator?.onLine ?? true,
  ) {
    deps.onProgress = (progress) => {
      this.progress = progress;
      this.emit();
    };
  }

  get db(): FeltloggDB {
    return this.deps.db;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  start(): void {
    globalThis.addEventListener?.("online", () => void this.run());
    globalThis.addEventListener?.("offline", () => this.observer.state("offline"));
    globalThis.document?.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.run();
    });
    this.interval = setInterval(() => void this.run(), INTERVAL_MS);
    void this.run();
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.debounce);
    clearTimeout(this.holdTimer);
    clearTimeout(this.retryTimer);
  }

  /** A local write happened: sync soon, and ask the browser to sync later if we are offline. */
  nudge(): void {
    // The next sync pushes first: a pull sent ahead of it would be dropped.
    this.deps.lastEnd = undefined;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.run(), DEBOUNCE_MS);
    void registerBackgroundSync();
  }

  /** Sync now; if one is running, run once more after it. */
  async run(): Promise<SyncOutcome> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let outcome: SyncOutcome;
      do {
        this.again = false;
        outcome = await runSync(this.deps, this.observer, this.isOnline());
        this.progress = null;
        this.lastOutcome = outcome;
        this.emit();
      } while (this.again && outcome.status === "ok");
      this.scheduleRetry(outcome);
      await this.scheduleHeld();
      return outcome;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * The network often comes back in steps (the "online" event before requests get through):
   * a sync that failed while the browser says it is online is tried again after 2 s, 4 s, …
   * up to the regular interval (or later, if the server said when). Offline for real, the "online"
   * event starts the next one.
   */
  private scheduleRetry(outcome: SyncOutcome): void {
    clearTimeout(this.retryTimer);
    if (outcome.status === "ok") {
      this.retryDelay = RETRY_FIRST_MS;
      return;
    }
    if (outcome.status !== "offline" && outcome.status !== "error") return;
    if (!this.isOnline()) {
      // Not every return of the network fires "online" (seen after a reload made offline):
      // look again in a few seconds; a sync while offline ends at once, without a request.
      this.retryTimer = setTimeout(() => void this.run(), OFFLINE_CHECK_MS);
      return;
    }
    // A server that asked us to wait (429 with Retry-After) is not asked again sooner.
    const asked = outcome.status === "error" ? (outcome.retryAfterSeconds ?? 0) * 1000 : 0;
    this.retryTimer = setTimeout(() => void this.run(), Math.max(this.retryDelay, asked));
    this.retryDelay = Math.min(this.retryDelay * 2, INTERVAL_MS);
  }

  /** Changes held for an undo window go out when the window closes. */
  private async scheduleHeld(): Promise<void> {
    const held = await this.deps.db.outbox.filter((e) => e.state === "pending" && (e.hold_until ?? 0) > Date.now()).toArray();
    if (held.length === 0) return;
    const next = Math.min(...held.map((e) => e.hold_until!));
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => void this.run(), Math.max(0, next - Date.now()) + 50);
  }
}

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

async function registerBackgroundSync(): Promise<void> {
  try {
    if (!("serviceWorker" in navigator)) return;
    const registration = await navigator.serviceWorker.ready;
    const manager = (registration as ServiceWorkerRegistration & { sync?: SyncManagerLike }).sync;
    await manager?.register(BACKGROUND_SYNC_TAG);
  } catch {
    // Background Sync is a bonus: the loop syncs when the app is open anyway
  }
}
