import type { Language } from '../db/schema.js';

/**
 * Every text Switchboard sends to contacts on its own (HELP replies, auto-replies, crisis
 * resources, satisfaction questions, incident notices), in each language we serve.
 * Add a key with both languages; `{name}` placeholders are filled by `contactText`.
 */
const TEXTS = {
  'sms.help': {
    en: 'You reached the service desk. Reply with your question and an agent will answer. Reply STOP to opt out, START to opt back in.',
    es: 'Ha contactado con el servicio de atención. Responda con su pregunta y un agente le contestará. Responda STOP para darse de baja y START para volver a recibir mensajes.',
  },
  'pending.auto-resolved': {
    en: 'We have not heard back from you, so we closed request #{number}. Reply any time if you still need help.',
    es: 'Como no hemos recibido respuesta, hemos cerrado la solicitud #{number}. Responda cuando quiera si aún necesita ayuda.',
  },
} satisfies Record<string, Record<Language, string>>;

export type ContactTextKey = keyof typeof TEXTS;

/** The text for `key` in the contact's language (English when unknown), with `{var}` filled in. */
export function contactText(
  key: ContactTextKey,
  language: Language | null | undefined,
  vars: Record<string, string | number> = {},
): string {
  const text: string = TEXTS[key][language ?? 'en'] ?? TEXTS[key].en;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
