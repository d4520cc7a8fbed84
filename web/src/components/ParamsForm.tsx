import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { JsonSchema } from '../api/types';
import { asText } from '../format';

/** A typed value from what was typed: numbers as numbers; anything else is sent as written, for the API to judge. */
export function parseParam(text: string, schema: JsonSchema | undefined): unknown {
  const t = text.trim();
  const type = schema?.type;
  const numeric = type === 'number' || type === 'integer';
  if (numeric && t !== '' && Number.isFinite(Number(t))) return Number(t);
  if (type === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
  return t;
}

/**
 * A parameter form built from the strategy's JSON schema. It does not judge the values:
 * the API validates them with the strategy's own schema, and its message is shown next
 * to the field it names (or under the form when it names none).
 */
export function ParamsForm(props: {
  schema: JsonSchema;
  values: Readonly<Record<string, unknown>>;
  readOnly: boolean;
  submitLabel: string;
  testId: string;
  onSubmit: (params: Record<string, unknown>) => Promise<void>;
}) {
  const fields = Object.keys(props.schema.properties ?? props.values);
  const [text, setText] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      fields.map((f) => [f, asText(props.values[f] ?? props.schema.properties?.[f]?.default)]),
    ),
  );
  const [errors, setErrors] = useState<{ field?: string; message: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErrors(undefined);
    setSaved(false);
    try {
      const params = Object.fromEntries(
        fields
          .filter((f) => (text[f] ?? '') !== '')
          .map((f) => [f, parseParam(text[f] ?? '', props.schema.properties?.[f])]),
      );
      await props.onSubmit(params);
      setSaved(true);
    } catch (err) {
      const message = (err as Error).message;
      setErrors({ field: err instanceof ApiError ? err.fieldAmong(fields) : undefined, message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="params" onSubmit={(e) => void submit(e)} data-testid={props.testId} noValidate>
      {fields.map((f) => {
        const s = props.schema.properties?.[f];
        return (
          <div class="field" key={f}>
            <label for={`${props.testId}-${f}`} title={s?.description}>
              {f}
            </label>
            {s?.enum !== undefined ? (
              <select
                id={`${props.testId}-${f}`}
                name={f}
                disabled={props.readOnly}
                value={text[f]}
                onChange={(e) => setText({ ...text, [f]: e.currentTarget.value })}
              >
                {s.enum.map((v) => (
                  <option key={asText(v)} value={asText(v)}>
                    {asText(v)}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`${props.testId}-${f}`}
                name={f}
                inputMode={s?.type === 'number' || s?.type === 'integer' ? 'decimal' : undefined}
                readOnly={props.readOnly}
                value={text[f]}
                onInput={(e) => setText({ ...text, [f]: e.currentTarget.value })}
                aria-invalid={errors?.field === f}
              />
            )}
            {errors?.field === f && (
              <span class="field-error" role="alert" data-testid={`error-${f}`}>
                {errors.message}
              </span>
            )}
          </div>
        );
      })}
      {!props.readOnly && (
        <div class="field">
          <button type="submit" class="primary" disabled={busy}>
            {props.submitLabel}
          </button>
          {saved && <span class="ok">saved</span>}
        </div>
      )}
      {errors !== undefined && errors.field === undefined && (
        <span class="field-error" role="alert" data-testid="error-form">
          {errors.message}
        </span>
      )}
    </form>
  );
}
