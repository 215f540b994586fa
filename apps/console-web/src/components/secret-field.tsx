import { useId, useRef, useState } from 'react';

/**
 * A new key's secret, shown this once: a read-only field named "Secret" (selected on focus so it can be copied by
 * hand too) and a button "Copy" that says "Copied" once the clipboard has it.
 */
export function SecretField({ secret }: { secret: string }) {
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copySecret = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      // The clipboard needs a secure context and permission; the field stays selectable instead.
      field.current?.select();
      setCopy('failed');
    }
  };
  return (
    <div className="secret-field">
      <label htmlFor={id}>Secret</label>
      <div className="secret-field-row">
        <input id={id} ref={field} type="text" readOnly value={secret} spellCheck={false} autoComplete="off" onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copySecret()}>
          Copy
        </button>
      </div>
      <p role="status" aria-live="polite" className={copy === 'failed' ? 'error' : 'ok'}>
        {copy === 'copied' ? 'Copied' : copy === 'failed' ? 'The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </p>
      <p className="muted">Store it now: it is shown only this once and cannot be shown again.</p>
    </div>
  );
}
