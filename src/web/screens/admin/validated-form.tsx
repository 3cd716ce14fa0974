import { cloneElement, useId, useState, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import zodSpanish from 'zod/v4/locales/es.js';
import { ApiError } from '../../api.js';

/** Field path (`sla.firstResponseSeconds`) → the first message about it. */
export type FieldErrors = Record<string, string>;

const spanish = zodSpanish().localeError;

/**
 * A form checked with the server's own zod schema before it is sent, so a mistake shows next to
 * its field at once; what only the server can know (a taken key, an unknown queue) comes back as
 * the API's `path: message` and lands next to the field too, anything else above the buttons.
 */
export function useValidatedForm<S extends z.ZodType>(schema: S) {
  const { i18n } = useTranslation();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(data: z.input<S>, send: (data: z.input<S>) => Promise<unknown>, after?: () => void) {
    const checked = schema.safeParse(data, i18n.language === 'es' ? { error: spanish } : undefined);
    if (!checked.success) {
      const found: FieldErrors = {};
      for (const issue of checked.error.issues) found[issue.path.map(String).join('.')] ??= issue.message;
      setErrors(found);
      setFormError(found[''] ?? null);
      return;
    }
    setErrors({});
    setFormError(null);
    setBusy(true);
    try {
      await send(data);
      after?.();
    } catch (err) {
      const message = (err as Error).message;
      const at = err instanceof ApiError && err.status === 400 ? /^([\w.]+): (.+)$/.exec(message) : null;
      if (at) setErrors({ [at[1]]: at[2] });
      else setFormError(message);
    } finally {
      setBusy(false);
    }
  }
  return { errors, formError, busy, submit };
}

/** A labelled control with its hint and its error under it, tied to it for screen readers. */
export function Field({
  label,
  error,
  hint,
  className,
  children,
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  className?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described })}
      {hint && (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
