/** Sign in. Offline, a signed-in user never lands here; the first sign-in needs the network. */
import { useState } from "preact/hooks";
import { authDeps, syncLoop } from "../app";
import { LoginError, OfflineError, login } from "../auth";
import { t } from "../i18n";
import { LanguagePicker } from "./Settings";

export function Login({ email: initialEmail = "", again = false }: { email?: string; again?: boolean }) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await login(authDeps, email.trim(), password);
      if (location.hash === "" || location.hash === "#/login") location.hash = "#/";
      void syncLoop.run();
    } catch (e) {
      if (e instanceof OfflineError) setError(t("login.offline"));
      else if (e instanceof LoginError && e.status === 401) setError(t("login.wrong"));
      else if (e instanceof LoginError && e.status === 429)
        setError(t("login.tooMany", { minutes: Math.max(1, Math.ceil((e.retryAfterSeconds ?? 60) / 60)) }));
      else setError(t("login.failed"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="page login">
      <h1>{again ? t("login.againTitle") : t("login.title")}</h1>
      {again && <p>{t("login.againText")}</p>}
      <form onSubmit={submit} class="form" noValidate>
        <div class="field">
          <label for="login-email">{t("login.email")}</label>
          <input id="login-email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="login-password">{t("login.password")}</label>
          <input id="login-password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="button primary" disabled={busy}>{t("login.submit")}</button>
      </form>
      <LanguagePicker />
    </main>
  );
}
