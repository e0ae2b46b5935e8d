/** Menu: language, sync now, who is signed in, sign out. */
import { useState } from "preact/hooks";
import { authDeps, db, syncLoop } from "../app";
import { logout } from "../auth";
import { type Lang, lang, setLang, t, tEnum } from "../i18n";
import { useLive } from "../hooks";
import type { SignedInUser } from "../types";

export function LanguagePicker() {
  const current = lang();
  return (
    <fieldset class="field choices">
      <legend>{t("settings.language")}</legend>
      {(["nb", "en"] as Lang[]).map((code) => (
        <label key={code} class="choice">
          <input type="radio" name="lang" value={code} checked={current === code} onChange={() => setLang(code)} />
          {code === "nb" ? "Norsk bokmål" : "English"}
        </label>
      ))}
    </fieldset>
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
      <section class="card">
        <LanguagePicker />
      </section>
      <section class="card">
        <h2>{t("settings.sync")}</h2>
        <button type="button" class="button" onClick={() => void syncLoop.run()}>{t("status.syncNow")}</button>
      </section>
      <section class="card">
        <h2>{t("settings.logout")}</h2>
        {pending > 0 && <p class="warning">{t("settings.logoutPending", { count: pending })}</p>}
        {!confirming ? (
          <button type="button" class="button" onClick={() => (pending > 0 ? setConfirming(true) : void logout(authDeps))}>{t("settings.logout")}</button>
        ) : (
          <div class="row">
            <button type="button" class="button danger" onClick={() => void logout(authDeps)}>{t("settings.logoutAnyway")}</button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>{t("common.cancel")}</button>
          </div>
        )}
      </section>
      <p class="muted">{t("settings.version", { version: __APP_VERSION__ })}</p>
    </>
  );
}
