/**
 * The screen a one-time password link opens (`#/password/<code>`), signed out or not: whose
 * account it is, the new password twice, then signed in with it.
 */
import { useEffect, useState } from "preact/hooks";
import { authDeps, syncLoop } from "../app";
import { OfflineError, UnsentChangesError, login } from "../auth";
import { ApiError, type LinkOwner, fieldProblems, lookUpPasswordLink, problemText, setPasswordWithLink } from "../admin";
import { t } from "../i18n";
import { PasswordInput, PasswordPolicy, ShowPasswords } from "./Passwords";
import { LanguagePicker } from "./Settings";

type Lookup = { state: "loading" } | { state: "ok"; owner: LinkOwner } | { state: "invalid" } | { state: "problem"; error: unknown };

export function SetPassword({ code }: { code: string }) {
  const [lookup, setLookup] = useState<Lookup>({ state: "loading" });
  const [round, setRound] = useState(0);
  const [done, setDone] = useState<{ email: string; signInProblem: string } | null>(null);
  useEffect(() => {
    let current = true;
    setLookup({ state: "loading" });
    lookUpPasswordLink(authDeps, code).then(
      (owner) => current && setLookup({ state: "ok", owner }),
      (error: unknown) => {
        if (!current) return;
        setLookup(error instanceof ApiError && (error.code === "link_invalid" || error.status === 404) ? { state: "invalid" } : { state: "problem", error });
      },
    );
    return () => {
      current = false;
    };
  }, [code, round]);
  useEffect(() => {
    if (lookup.state !== "problem" || !(lookup.error instanceof OfflineError)) return undefined;
    const again = () => setRound((n) => n + 1);
    addEventListener("online", again);
    return () => removeEventListener("online", again);
  }, [lookup]);

  const title = lookup.state === "ok" && lookup.owner.purpose === "reset" ? t("password.resetTitle") : t("password.inviteTitle");
  return (
    <main id="main" class="page login">
      <h1>{title}</h1>
      {lookup.state === "loading" && <p role="status">{t("app.loading")}</p>}
      {lookup.state === "invalid" && (
        <section class="card warning-card" role="alert">
          <p>{t("apiError.linkInvalid")}</p>
          <p><a href="#/">{t("password.toSignIn")}</a></p>
        </section>
      )}
      {lookup.state === "problem" && (
        <section class="card warning-card" role="alert">
          <p>{problemText(lookup.error, { topic: "link" })}</p>
          <button type="button" class="button" onClick={() => setRound((n) => n + 1)}>{t("admin.tryAgain")}</button>
        </section>
      )}
      {lookup.state === "ok" && !done && <LinkPasswordForm code={code} owner={lookup.owner} onDone={setDone} />}
      {done && (
        <section class="card" role="status">
          <p class="ok">{t("password.saved")}</p>
          {done.signInProblem && <p>{done.signInProblem}</p>}
          <p>{t("password.signInWith", { email: done.email })}</p>
          <a class="button primary" href="#/">{t("password.toSignIn")}</a>
        </section>
      )}
      <LanguagePicker />
    </main>
  );
}

function LinkPasswordForm({ code, owner, onDone }: { code: string; owner: LinkOwner; onDone: (done: { email: string; signInProblem: string }) => void }) {
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [shown, setShown] = useState(false);
  const [problems, setProblems] = useState<{ password?: string; again?: string }>({});
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError("");
    if (!password) {
      setProblems({ password: t("apiError.field.password") });
      return;
    }
    if (password !== again) {
      setProblems({ again: t("password.mismatch") });
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      await setPasswordWithLink(authDeps, code, password);
    } catch (e) {
      const fields = fieldProblems(e, { topic: "password", password });
      if (fields.password) setProblems({ password: fields.password });
      else setError(problemText(e, { topic: "password", password }));
      setBusy(false);
      return;
    }
    // The password is set; signing in with it is a convenience that may not work here (another
    // user's changes waiting on this phone, the network gone): then the sign-in screen it is.
    try {
      await login(authDeps, owner.email, password);
      location.hash = "#/";
      void syncLoop.run();
    } catch (e) {
      onDone({ email: owner.email, signInProblem: e instanceof UnsentChangesError ? t("password.otherUserWaiting", { name: e.previous.name ?? e.previous.email ?? "" }) : "" });
    }
  }

  return (
    <form class="form" onSubmit={(e) => void submit(e)} noValidate>
      <p>{t("password.forAccount", { name: owner.name, email: owner.email })}</p>
      {/* For password managers: the account the new password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={owner.email} readOnly hidden />
      <PasswordPolicy id="link-password-policy" />
      <PasswordInput id="link-password" label={t("password.new")} value={password} onInput={setPassword} autoComplete="new-password" shown={shown} problem={problems.password} describedBy="link-password-policy" />
      <PasswordInput id="link-password-again" label={t("password.again")} value={again} onInput={setAgain} autoComplete="new-password" shown={shown} problem={problems.again} />
      <ShowPasswords shown={shown} onChange={setShown} />
      {error && <p class="error" role="alert">{error}</p>}
      <button type="submit" class="button primary" disabled={busy}>{t("password.submit")}</button>
    </form>
  );
}
