/**
 * Sign in. Offline, a signed-in user never lands here; the first sign-in needs the network.
 * After a sign-in has ended (`again`), the app stays usable behind a banner and this screen can
 * be left again. Signing in as someone else while the previous user's changes wait asks first:
 * sign in as that user to send them, or discard them (after a confirmation).
 */
import { useRef, useState } from "preact/hooks";
import { authDeps, syncLoop } from "../app";
import { LoginError, OfflineError, UnsentChangesError, login } from "../auth";
import { t, tCount } from "../i18n";
import { waitText } from "../problems";
import type { SignedInUser } from "../types";
import { LanguagePicker } from "./Settings";

interface Waiting {
  previous: SignedInUser;
  count: number;
  /** The user has chosen to discard them and is asked to confirm. */
  confirming: boolean;
}

export function Login({ email: initialEmail = "", again = false }: { email?: string; again?: boolean }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function signIn(discardUnsent: boolean) {
    setBusy(true);
    setError("");
    try {
      await login(authDeps, email.trim(), password, { discardUnsent });
      setWaiting(null);
      if (location.hash === "" || location.hash === "#/login") location.hash = "#/";
      void syncLoop.run();
    } catch (e) {
      if (e instanceof UnsentChangesError) setWaiting({ previous: e.previous, count: e.count, confirming: false });
      else if (e instanceof OfflineError) setError(t("login.offline"));
      else if (e instanceof LoginError && e.status === 401) setError(t("login.wrong"));
      else if (e instanceof LoginError && e.status === 429) setError(t("login.tooMany", { wait: waitText(e.retryAfterSeconds ?? 60) }));
      else if (e instanceof LoginError && e.status >= 502 && e.status <= 504) setError(t("login.unreachable"));
      else setError(t("login.failed"));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: Event) {
    event.preventDefault();
    void signIn(false);
  }

  function signInAsPrevious() {
    if (!waiting) return;
    setEmail(waiting.previous.email ?? "");
    setPassword("");
    setWaiting(null);
    passwordRef.current?.focus();
  }

  const name = waiting?.previous.name ?? waiting?.previous.email ?? "";
  return (
    <main id="main" class="page login">
      <h1>{again ? t("login.againTitle") : t("login.title")}</h1>
      {again && <p>{t("login.againText")}</p>}
      <form onSubmit={submit} class="form" noValidate>
        <div class="field">
          <label for="login-email">{t("login.email")}</label>
          <input id="login-email" type="email" autoComplete="username" required value={email} onInput={(e) => { setEmail(e.currentTarget.value); setWaiting(null); }} />
        </div>
        <div class="field">
          <label for="login-password">{t("login.password")}</label>
          <input id="login-password" ref={passwordRef} type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        {!waiting && <button type="submit" class="button primary" disabled={busy}>{t("login.submit")}</button>}
      </form>
      {waiting && (
        <section class="card warning-card" role="alert">
          {!waiting.confirming ? (
            <>
              <p>{tCount("login.otherUserPending", waiting.count, { name })}</p>
              <div class="row">
                <button type="button" class="button primary" onClick={signInAsPrevious}>{t("login.signInAsPrevious", { name })}</button>
                <button type="button" class="button danger" onClick={() => setWaiting({ ...waiting, confirming: true })}>{t("login.discardAndContinue")}</button>
              </div>
            </>
          ) : (
            <>
              <p>
                {tCount("login.discardConfirm", waiting.count, { name, email: email.trim() })}
              </p>
              <div class="row">
                <button type="button" class="button danger" disabled={busy} onClick={() => void signIn(true)}>{t("login.discardConfirmButton")}</button>
                <button type="button" class="button" onClick={() => setWaiting({ ...waiting, confirming: false })}>{t("common.cancel")}</button>
              </div>
            </>
          )}
        </section>
      )}
      {again && <p><a href="#/">{t("login.continueOffline")}</a></p>}
      <LanguagePicker />
    </main>
  );
}
