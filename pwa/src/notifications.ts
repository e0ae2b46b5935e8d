/** Web push in the app: ask for permission when the user chooses to, subscribe this device with
 * the server's VAPID key, send a test notification, and say where a tapped notification leads. */
import { authDeps } from "./app";
import { API, authorizedFetch } from "./auth";
import type { PushDelivery, PushPreferences } from "./types";

export { routeFor } from "./notificationRoute";

export type PushState = "unsupported" | "denied" | "off" | "on";

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

/** Whether this device gets notifications now. */
export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  if (Notification.permission === "denied") return "denied";
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  return subscription && Notification.permission === "granted" ? "on" : "off";
}

/** base64url → bytes, for pushManager.subscribe's applicationServerKey. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Ask for permission (only ever from a tap), subscribe, and register the subscription. */
export async function turnOnPush(device: string): Promise<PushState> {
  if (!pushSupported()) return "unsupported";
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return permission === "denied" ? "denied" : "off";
  const keyResponse = await authorizedFetch(authDeps, `${API}/push/vapid-public-key`);
  if (!keyResponse.ok) throw new Error(`vapid key: ${keyResponse.status}`);
  const { public_key } = (await keyResponse.json()) as { public_key: string };
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  const key = base64UrlToBytes(public_key);
  // A subscription made with another server key cannot be used: replace it.
  if (existing && !sameKey(existing.options.applicationServerKey, key)) await existing.unsubscribe();
  const subscription =
    (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
  const response = await authorizedFetch(authDeps, `${API}/push/subscriptions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...subscription.toJSON(), device }),
  });
  if (!response.ok) throw new Error(`subscribe: ${response.status}`);
  return "on";
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a) return false;
  const bytes = new Uint8Array(a);
  return bytes.length === b.length && bytes.every((v, i) => v === b[i]);
}

/** Stop notifications on this device, here and on the server. */
export async function turnOffPush(): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  const list = await authorizedFetch(authDeps, `${API}/push/subscriptions`);
  if (list.ok) {
    const mine = ((await list.json()) as Array<{ id: string; endpoint: string }>).find((s) => s.endpoint === subscription.endpoint);
    if (mine) await authorizedFetch(authDeps, `${API}/push/subscriptions/${mine.id}`, { method: "DELETE" });
  }
  await subscription.unsubscribe();
}

/** Send a test notification to every device of the signed-in user. */
export async function sendTestNotification(): Promise<PushDelivery[]> {
  const response = await authorizedFetch(authDeps, `${API}/push/test`, { method: "POST" });
  if (!response.ok) throw new Error(`push test: ${response.status}`);
  return ((await response.json()) as { results: PushDelivery[] }).results;
}

/** Which reminders each role can get (the server sends a kind only to those it concerns). */
export const KINDS_BY_ROLE: Record<string, readonly string[]> = {
  specialist: ["meeting_reminder", "not_met_nudge", "weekly_contacts", "step_due"],
  participant: ["meeting_reminder", "step_due"],
  supervisor: ["report_ready"],
};

export async function loadPreferences(): Promise<PushPreferences> {
  const response = await authorizedFetch(authDeps, `${API}/push/preferences`);
  if (!response.ok) throw new Error(`preferences: ${response.status}`);
  return (await response.json()) as PushPreferences;
}

/** Save preferences; a refusal is thrown (with the server's English detail, for logs only). */
export async function savePreferences(preferences: Pick<PushPreferences, "kinds" | "quiet_hours">): Promise<PushPreferences> {
  const response = await authorizedFetch(authDeps, `${API}/push/preferences`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(preferences),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string };
    throw new Error(problem.detail ?? `preferences: ${response.status}`);
  }
  return (await response.json()) as PushPreferences;
}
