import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/**
 * A command button that asks first: the first click shows what will happen and a
 * confirming button; nothing is sent before that second click.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  danger?: boolean;
  testId?: string;
  children?: ComponentChildren;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      setAsking(false);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="confirm">
      {!asking && (
        <button
          type="button"
          class={props.danger === true ? 'danger' : ''}
          data-testid={props.testId}
          onClick={() => setAsking(true)}
        >
          {props.label}
        </button>
      )}
      {asking && (
        <span class="confirm-box" role="alertdialog" aria-label={props.question}>
          <span>{props.question}</span>
          {props.children}
          <button
            type="button"
            class={props.danger === true ? 'danger' : 'primary'}
            disabled={busy}
            data-testid={props.testId === undefined ? undefined : `${props.testId}-confirm`}
            onClick={() => void run()}
          >
            {props.confirmLabel}
          </button>
          <button type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </span>
      )}
      {error !== undefined && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
