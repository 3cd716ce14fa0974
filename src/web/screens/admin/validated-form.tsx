import { cloneElement, useEffect, useId, useRef, useState, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { ApiError } from '../../api.js';
import { fieldErrors, serverFieldError } from './form-errors.js';

/** Field path (`sla.firstResponseSeconds`) → the first message about it. */
export type FieldErrors = Record<string, string>;

/**
 * A form checked with the server's own zod schema before it is sent, so a mistake shows next to
 * its field at once (in the desk's language, see form-errors.ts) and nothing is sent; what only
 * the server can know (a taken key, an unknown queue) comes back as the API's `path: message` and
 * lands next to the field too, anything else (a 409's reason) above the buttons, in the server's
 * words. After a refused submit the first invalid field takes the focus; an error whose field the
 * form does not show goes above the buttons, so no refusal is silent.
 */
export function useValidatedForm<S extends z.ZodType>(schema: S) {
  const { t } = useTranslation();
  const ref = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState(0);

  useEffect(() => {
    if (!refusals || !ref.current) return;
    const invalid = ref.current.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (invalid) return invalid.focus();
    const [path, text] = Object.entries(errors)[0] ?? [];
    if (text !== undefined) setFormError(path ? `${path}: ${text}` : text);
    ref.current.querySelector<HTMLElement>('.form-error')?.focus();
  }, [refusals]); // eslint-disable-line react-hooks/exhaustive-deps -- once per refused submit

  function refuse(found: FieldErrors, message: string | null) {
    setErrors(found);
    setFormError(message);
    setRefusals((n) => n + 1);
  }

  async function submit(data: z.input<S>, send: (data: z.input<S>) => Promise<unknown>, after?: () => void) {
    const checked = schema.safeParse(data);
    if (!checked.success) {
      const found = fieldErrors(checked.error.issues, t);
      refuse(found, found[''] ?? null);
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
      const at = err instanceof ApiError && err.status === 400 ? serverFieldError(message, t) : null;
      if (at) refuse({ [at.path]: at.text }, null);
      else refuse({}, message);
    } finally {
      setBusy(false);
    }
  }
  /** Spread on the `<form>`: the browser's own checks stay off so the schema's messages show. */
  const formProps = { ref, noValidate: true };
  return { errors, formError, busy, submit, formProps };
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
