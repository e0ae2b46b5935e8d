/**
 * A question before a change that matters (consent, closing a participant): what will change,
 * said plainly, with a way out. A modal <dialog>, so the browser keeps focus inside it, Escape
 * cancels, and screen readers announce it as a dialog with its question.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";

export interface ConfirmDialogProps {
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  cancelLabel: string;
  /** The change takes something away (a consent withdrawn, a participant closed). */
  danger?: boolean;
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, cancelLabel, danger, onConfirm, onCancel }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);
  async function confirm() {
    if (busy) return;
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  }
  return (
    <dialog
      ref={ref}
      class="confirm-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={children ? `${id}-body` : undefined}
      onCancel={(event) => {
        // Escape: leave it to the parent to remove the dialog, so its state says "closed" too.
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {children && <div id={`${id}-body`} class="confirm-dialog-body">{children}</div>}
      <div class="row confirm-dialog-buttons">
        <button type="button" class={`button ${danger ? "danger" : "primary"}`} disabled={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </button>
        {/* The way out has the focus first: Enter on an unread question changes nothing. */}
        <button type="button" class="button" autoFocus onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </dialog>
  );
}
