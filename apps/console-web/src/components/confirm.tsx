import { useId, useRef, useState, type ReactNode } from 'react';
import { ErrorMessage } from './feedback';

interface ConfirmButtonProps {
  /** The button's text, e.g. "Revoke": also the confirming button's text in the dialog. */
  label: string;
  /** What will happen, in a sentence, shown in the dialog. */
  question: ReactNode;
  onConfirm: () => Promise<unknown>;
  danger?: boolean;
  disabled?: boolean;
  /** A longer accessible name for the opening button when several share a label (e.g. "Revoke key ci"). */
  ariaLabel?: string;
}

/**
 * A button whose action is confirmed in a modal dialog first (native <dialog>: focus is trapped and Escape
 * cancels). The dialog stays open with the API's message when the action fails.
 */
export function ConfirmButton({ label, question, onConfirm, danger = false, disabled = false, ariaLabel }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setError(null);
    dialog.current?.close();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} disabled={disabled} aria-label={ariaLabel} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setError(null)}>
        <h2 id={titleId}>{label}?</h2>
        <p>{question}</p>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" className={danger ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
            {busy ? `${label}…` : label}
          </button>
          <button type="button" onClick={close} disabled={busy}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
