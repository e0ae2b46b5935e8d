/** Pieces the admin screens share: data fetched from the API while online, a one-time link, a confirmation. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { OfflineError } from "../auth";
import { type PasswordLink, linkUrl, problemText } from "../admin";
import { formatDateTime, t } from "../i18n";

export interface Remote<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Data from the API, loaded when `deps` change. These screens work only online: offline they
 * say so, and they load again by themselves when the network returns.
 */
export function useRemote<T>(load: () => Promise<T>, deps: unknown[]): Remote<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setState((s) => ({ ...s, error: undefined, loading: true }));
    load().then(
      (data) => mine === latest.current && setState({ data, error: undefined, loading: false }),
      (error: unknown) => mine === latest.current && setState((s) => ({ ...s, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const offline = state.error instanceof OfflineError;
  useEffect(() => {
    if (!offline) return undefined;
    const again = () => setRound((n) => n + 1);
    addEventListener("online", again);
    return () => removeEventListener("online", again);
  }, [offline]);
  return { ...state, reload: () => setRound((n) => n + 1) };
}

/** Why a screen could not load its data, and a way to try again. */
export function LoadProblem({ error, reload }: { error: unknown; reload: () => void }) {
  return (
    <section class="card warning-card" role="alert">
      <p>{error instanceof OfflineError ? t("admin.offline") : problemText(error)}</p>
      <button type="button" class="button" onClick={reload}>{t("admin.tryAgain")}</button>
    </section>
  );
}

/** The state of a remote screen: loading, the problem, or its content. */
export function RemoteContent<T>({ remote, children }: { remote: Remote<T>; children: (data: T) => ComponentChildren }) {
  if (remote.error !== undefined && remote.data === undefined) return <LoadProblem error={remote.error} reload={remote.reload} />;
  if (remote.data === undefined) return <p role="status">{t("app.loading")}</p>;
  return (
    <>
      {remote.error !== undefined && <LoadProblem error={remote.error} reload={remote.reload} />}
      {children(remote.data)}
    </>
  );
}

/**
 * A one-time link to set a password, shown once: the admin hands it to its owner (the server
 * keeps only a hash of the code, so nobody can show it again).
 */
export function LinkCard({ link, name }: { link: PasswordLink; name: string }) {
  const url = linkUrl(link, location.origin);
  const [copied, setCopied] = useState("");
  const urlRef = useRef<HTMLTextAreaElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(t("admin.link.copied"));
    } catch {
      // No clipboard (an old browser, or permission refused): select the text for a manual copy.
      urlRef.current?.select();
      setCopied(t("admin.link.copyByHand"));
    }
  }
  return (
    <section class="card link-card" aria-labelledby="link-title">
      <h2 id="link-title">{link.purpose === "invite" ? t("admin.link.inviteTitle", { name }) : t("admin.link.resetTitle", { name })}</h2>
      <p>{t("admin.link.explain", { name })}</p>
      <p class="warning">{t("admin.link.once", { expires: formatDateTime(link.expires_at) })}</p>
      <div class="field">
        <label for="password-link-url">{t("admin.link.url")}</label>
        <textarea id="password-link-url" ref={urlRef} class="link-text" rows={3} readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
      </div>
      <div class="field">
        <label for="password-link-code">{t("admin.link.code")}</label>
        <input id="password-link-code" type="text" readOnly value={link.code} onFocus={(e) => e.currentTarget.select()} />
        <p class="hint">{t("admin.link.codeHint")}</p>
      </div>
      <button type="button" class="button primary" onClick={() => void copy()}>{t("admin.link.copy")}</button>
      <p role="status" class="muted">{copied}</p>
    </section>
  );
}

/** Ask before something that cannot simply be undone; the question is read out and focused when it appears. */
export function Confirm({ question, confirmLabel, onConfirm, onCancel, busy, danger = false }: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
  danger?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="confirm" tabIndex={-1} ref={ref}>
      <p role="alert">{question}</p>
      <div class="row">
        <button type="button" class={`button ${danger ? "danger" : "primary"}`} disabled={busy} onClick={onConfirm}>{confirmLabel}</button>
        <button type="button" class="button" disabled={busy} onClick={onCancel}>{t("common.cancel")}</button>
      </div>
    </div>
  );
}

/** A form field with its label, hint and translated problem, tied together for screen readers. */
export function Field({ id, label, hint, problem, children }: { id: string; label: string; hint?: string; problem?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {problem && <p class="error field-error" id={`${id}-error`}>{problem}</p>}
    </div>
  );
}

/** The aria attributes of an input inside Field. */
export function described(id: string, hint: boolean, problem: string | undefined): { "aria-describedby"?: string; "aria-invalid"?: "true" } {
  const ids = [hint ? `${id}-hint` : "", problem ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { ...(ids ? { "aria-describedby": ids } : {}), ...(problem ? { "aria-invalid": "true" as const } : {}) };
}
