/** Menu: language, your password, sync now, who is signed in, sign out (here, or on every device). */
import { useEffect, useState } from "preact/hooks";
import { authDeps, db, syncLoop } from "../app";
import { OfflineError, logout, signOutEverywhere } from "../auth";
import { type Lang, lang, setLang, t, tCount, tEnum } from "../i18n";
import { useLive } from "../hooks";
import { KINDS_BY_ROLE, type PushState, loadPreferences, pushState, savePreferences, sendTestNotification, turnOffPush, turnOnPush } from "../notifications";
import type { PushDelivery, SignedInUser } from "../types";
import { ChangePassword } from "./Passwords";

/** Reminders as notifications on this device: on or off, and a test. Permission is asked for
 * only when the user taps "Slå på varsler", never on first load. */
export function NotificationSettings({ role }: { role: string }) {
  const [state, setState] = useState<PushState | "loading">("loading");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  useEffect(() => {
    void pushState().then(setState);
  }, []);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setMessage("");
    try {
      await work();
    } catch {
      setMessage(t("push.failed"));
    } finally {
      setBusy(false);
    }
  }
  const describe = (results: PushDelivery[]) => {
    if (results.length === 0) return t("push.noDevices");
    const delivered = results.filter((r) => r.outcome === "delivered").length;
    // What became of the others, by the stable code (never the server's English reason), each once.
    const problems = new Set(results.filter((r) => r.outcome !== "delivered").map((r) => tEnum("pushCode", r.code)));
    return [tCount("push.sent", results.length, { delivered }), ...problems].join(" ");
  };

  return (
    <section class="card" aria-labelledby="push-title">
      <h2 id="push-title">{t("push.title")}</h2>
      {state === "unsupported" && <p>{t("push.unsupported")}</p>}
      {state === "denied" && <p>{t("push.denied")}</p>}
      {state === "off" && (
        <>
          <p>{t("push.explain")}</p>
          <button type="button" class="button primary" disabled={busy} onClick={() => void act(async () => setState(await turnOnPush(t("push.thisDevice"))))}>
            {t("push.turnOn")}
          </button>
        </>
      )}
      {state === "on" && (
        <>
          <p>{t("push.on")}</p>
          <div class="row">
            <button type="button" class="button primary" disabled={busy} onClick={() => void act(async () => setMessage(describe(await sendTestNotification())))}>
              {t("push.test")}
            </button>
            <button
              type="button"
              class="button"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await turnOffPush();
                  setState("off");
                })
              }
            >
              {t("push.turnOff")}
            </button>
          </div>
        </>
      )}
      <p role="status" class="muted">
        {message}
      </p>
      {state !== "unsupported" && <NotificationPreferences role={role} />}
    </section>
  );
}

export function LanguagePicker() {
  const current = lang();
  return (
    <fieldset class="field choices">
      <legend>{t("settings.language")}</legend>
      {(["nb", "en"] as Lang[]).map((code) => (
        <label key={code} class="choice">
          <input type="radio" name="lang" value={code} checked={current === code} onChange={() => setLang(code)} />
          {/* Each language named in itself, so that either reader finds their own. */}
          <span lang={code}>{code === "nb" ? "Norsk bokmål" : "English"}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Which reminders the user gets and their quiet hours (for all their devices). */
export function NotificationPreferences({ role }: { role: string }) {
  const kinds = KINDS_BY_ROLE[role] ?? [];
  const [enabled, setEnabled] = useState<Record<string, boolean> | null>(null);
  const [quiet, setQuiet] = useState(true);
  const [start, setStart] = useState("20:00");
  const [end, setEnd] = useState("08:00");
  const [message, setMessage] = useState("");
  useEffect(() => {
    loadPreferences()
      .then((p) => {
        setEnabled(Object.fromEntries(kinds.map((k) => [k, (p.kinds as Record<string, boolean | undefined>)[k] !== false])));
        const hours = p.quiet_hours && "start" in p.quiet_hours ? p.quiet_hours : null;
        setQuiet(hours !== null);
        if (hours) {
          setStart(hours.start);
          setEnd(hours.end);
        }
      })
      .catch(() => setMessage(t("push.preferencesOffline")));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [role]);
  if (kinds.length === 0) return null;
  if (!enabled) return <p class="muted" role="status">{message}</p>;
  return (
    <form
      class="form"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          await savePreferences({ kinds: enabled, quiet_hours: quiet ? { start, end } : null });
          setMessage(t("push.preferencesSaved"));
        } catch (error) {
          setMessage(error instanceof OfflineError ? t("push.preferencesOffline") : t("push.preferencesFailed"));
        }
      }}
    >
      <fieldset class="field choices">
        <legend>{t("push.kinds")}</legend>
        {kinds.map((kind) => (
          <label key={kind} class="choice">
            <input type="checkbox" checked={enabled[kind] ?? true} onChange={(e) => setEnabled({ ...enabled, [kind]: e.currentTarget.checked })} />
            {tEnum("pushKind", kind)}
          </label>
        ))}
      </fieldset>
      <fieldset class="field choices">
        <legend>{t("push.quietHours")}</legend>
        <label class="choice">
          <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.currentTarget.checked)} />
          {t("push.quietHoursOn")}
        </label>
        {quiet && (
          <div class="row">
            <label>
              {t("push.quietFrom")} <input type="time" value={start} required onInput={(e) => setStart(e.currentTarget.value)} />
            </label>
            <label>
              {t("push.quietTo")} <input type="time" value={end} required onInput={(e) => setEnd(e.currentTarget.value)} />
            </label>
          </div>
        )}
      </fieldset>
      <button type="submit" class="button">{t("push.savePreferences")}</button>
      <p role="status" class="muted">{message}</p>
    </form>
  );
}

/** Sign out; this device stops getting the user's notifications first (best effort offline). */
async function signOut() {
  await turnOffPush().catch(() => undefined);
  await logout(authDeps);
}

/** End every sign-in of the user (a lost phone), this one included; needs the network. */
function SignOutEverywhere({ pending }: { pending: number }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  async function run() {
    setBusy(true);
    setMessage("");
    try {
      if (!navigator.onLine) throw new OfflineError();
      await turnOffPush().catch(() => undefined);
      await signOutEverywhere(authDeps);
    } catch (error) {
      setMessage(error instanceof OfflineError ? t("settings.signOutAllOffline") : t("settings.signOutAllFailed"));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="sign-out-all-title">
      <h2 id="sign-out-all-title">{t("settings.signOutAll")}</h2>
      <p>{t("settings.signOutAllExplain")}</p>
      {pending > 0 && (
        <p class="warning">{tCount("settings.signOutAllPending", pending)}</p>
      )}
      {!confirming ? (
        <button type="button" class="button" disabled={busy} onClick={() => (pending > 0 ? setConfirming(true) : void run())}>{t("settings.signOutAll")}</button>
      ) : (
        <div class="row">
          <button type="button" class="button danger" disabled={busy} onClick={() => void run()}>{t("settings.signOutAllAnyway")}</button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>{t("common.cancel")}</button>
        </div>
      )}
      {message && <p class="error" role="alert">{message}</p>}
    </section>
  );
}

export function Settings({ user }: { user: SignedInUser }) {
  const pending = useLive(() => db.outbox.count(), [], 0);
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <h1 tabIndex={-1}>{t("settings.title")}</h1>
      <section class="card">
        <h2>{t("settings.signedInAs")}</h2>
        <p>{user.name} ({tEnum("role", user.role)})</p>
        <p>{user.email}</p>
      </section>
      {user.role === "specialist" && (
        <section class="card links-card">
          <h2>{t("settings.more")}</h2>
          <a href="#/team-meetings">{t("nav.teamMeetings")}</a>
        </section>
      )}
      <section class="card">
        <LanguagePicker />
      </section>
      <ChangePassword email={user.email ?? ""} />
      <NotificationSettings role={user.role ?? "specialist"} />
      <section class="card">
        <h2>{t("settings.sync")}</h2>
        <button type="button" class="button" onClick={() => void syncLoop.run()}>{t("status.syncNow")}</button>
      </section>
      <section class="card">
        <h2>{t("settings.logout")}</h2>
        {pending > 0 && <p class="warning">{tCount("settings.logoutPending", pending)}</p>}
        {!confirming ? (
          <button type="button" class="button" onClick={() => (pending > 0 ? setConfirming(true) : void signOut())}>{t("settings.logout")}</button>
        ) : (
          <div class="row">
            <button type="button" class="button danger" onClick={() => void signOut()}>{t("settings.logoutAnyway")}</button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>{t("common.cancel")}</button>
          </div>
        )}
      </section>
      <SignOutEverywhere pending={pending} />
      <p class="muted">{t("settings.version", { version: __APP_VERSION__ })}</p>
    </>
  );
}
