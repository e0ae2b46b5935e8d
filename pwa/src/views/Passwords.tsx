/**
 * Passwords people choose themselves: the policy in words, the fields, and changing one's own
 * in the menu. The policy is length, not composition rules (docs/security.md); the words say
 * so, the server decides.
 */
import { useState } from "preact/hooks";
import { authDeps } from "../app";
import { MIN_PASSWORD_LENGTH, changeOwnPassword, fieldProblems, problemText } from "../admin";
import { t } from "../i18n";
import { described } from "./AdminParts";

/** What makes a good password here, said before anyone gets it wrong. */
export function PasswordPolicy({ id }: { id: string }) {
  return (
    <div id={id} class="hint policy">
      <p>{t("password.policy", { min: MIN_PASSWORD_LENGTH })}</p>
      <p>{t("password.policyMore")}</p>
    </div>
  );
}

export interface PasswordInputProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  autoComplete: "new-password" | "current-password";
  shown: boolean;
  problem?: string | undefined;
  describedBy?: string;
}

export function PasswordInput({ id, label, value, onInput, autoComplete, shown, problem, describedBy }: PasswordInputProps) {
  const aria = described(id, false, problem);
  const ids = [describedBy, aria["aria-describedby"]].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={shown ? "text" : "password"}
        autoComplete={autoComplete}
        autoCapitalize="off"
        spellcheck={false}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        aria-invalid={aria["aria-invalid"]}
        aria-describedby={ids || undefined}
      />
      {problem && <p class="error field-error" id={`${id}-error`} role="alert">{problem}</p>}
    </div>
  );
}

export function ShowPasswords({ shown, onChange }: { shown: boolean; onChange: (shown: boolean) => void }) {
  return (
    <label class="choice">
      <input type="checkbox" checked={shown} onChange={(e) => onChange(e.currentTarget.checked)} />
      {t("password.show")}
    </label>
  );
}

/** Change one's own password (Settings): the current one, and the new one twice. */
export function ChangePassword({ email }: { email: string }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [shown, setShown] = useState(false);
  const [problems, setProblems] = useState<{ current?: string; next?: string; again?: string }>({});
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setError("");
    setMessage("");
    const found: typeof problems = {};
    if (!current) found.current = t("password.needCurrent");
    if (!next) found.next = t("apiError.field.password");
    else if (next !== again) found.again = t("password.mismatch");
    setProblems(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      await changeOwnPassword(authDeps, current, next);
      setCurrent("");
      setNext("");
      setAgain("");
      setMessage(t("password.changed"));
    } catch (e) {
      const fields = fieldProblems(e, { topic: "password", password: next });
      if (fields.current_password || fields.new_password) setProblems({ current: fields.current_password, next: fields.new_password });
      else setError(problemText(e, { topic: "password", password: next }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="change-password-title">
      <h2 id="change-password-title">{t("password.changeTitle")}</h2>
      <form class="form" onSubmit={(e) => void submit(e)} noValidate>
        <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
        <PasswordInput id="current-password" label={t("password.current")} value={current} onInput={setCurrent} autoComplete="current-password" shown={shown} problem={problems.current} />
        <PasswordPolicy id="change-password-policy" />
        <PasswordInput id="new-password" label={t("password.new")} value={next} onInput={setNext} autoComplete="new-password" shown={shown} problem={problems.next} describedBy="change-password-policy" />
        <PasswordInput id="new-password-again" label={t("password.again")} value={again} onInput={setAgain} autoComplete="new-password" shown={shown} problem={problems.again} />
        <ShowPasswords shown={shown} onChange={setShown} />
        <p class="hint">{t("password.changeSignsOut")}</p>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" class="button primary" disabled={busy}>{t("password.changeSubmit")}</button>
        <p role="status" class="ok">{message}</p>
      </form>
    </section>
  );
}
