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
  // Sent once per conversation when the crisis matcher flags it (self-harm or an emergency); an admin may replace it.
  'crisis.resources': {
    en: 'If you are thinking about suicide or are in crisis, call or text 988 (Suicide & Crisis Lifeline), any time, free. If you or someone else is in danger right now, call 911. A person from our team is reading your message.',
    es: 'Si está pensando en el suicidio o pasa por una crisis, llame al 988 y oprima 2, o envíe AYUDA por mensaje de texto al 988 (Línea de Prevención del Suicidio y Crisis), a cualquier hora y gratis. Si usted u otra persona corre peligro ahora, llame al 911. Una persona de nuestro equipo está leyendo su mensaje.',
  },
  'pending.auto-resolved': {
    en: 'We have not heard back from you, so we closed request #{number}. Reply any time if you still need help.',
    es: 'Como no hemos recibido respuesta, hemos cerrado la solicitud #{number}. Responda cuando quiera si aún necesita ayuda.',
  },
  // Satisfaction surveys after resolution (core/csat). The email's rating link and Slack's buttons are added by their senders.
  'csat.ask.sms': {
    en: 'Thanks for contacting us about #{number}. How did we do? Reply with a number from 1 (poor) to 5 (excellent).',
    es: 'Gracias por contactarnos sobre #{number}. ¿Qué tal lo hicimos? Responda con un número del 1 (mal) al 5 (excelente).',
  },
  'csat.ask.email': {
    en: 'Thanks for contacting us about #{number}. How did we do? Rate us from 1 (poor) to 5 (excellent) on this page, no sign-in needed:',
    es: 'Gracias por contactarnos sobre #{number}. ¿Qué tal lo hicimos? Califíquenos del 1 (mal) al 5 (excelente) en esta página, sin iniciar sesión:',
  },
  'csat.ask.slack': {
    en: 'Thanks for contacting us about #{number}. How did we do? Pick a score from 1 (poor) to 5 (excellent).',
    es: 'Gracias por contactarnos sobre #{number}. ¿Qué tal lo hicimos? Elija una nota del 1 (mal) al 5 (excelente).',
  },
  'csat.thanks': {
    en: 'Thank you! You rated us {score} out of 5.',
    es: '¡Gracias! Nos ha calificado con {score} de 5.',
  },
  'csat.ask.voice': {
    en: 'Before you go: how satisfied are you with this call? Press 1 for very unsatisfied, up to 5 for very satisfied.',
    es: 'Antes de colgar: ¿qué tan satisfecho está con esta llamada? Marque 1 si está muy insatisfecho, hasta 5 si está muy satisfecho.',
  },
  'csat.thanks.voice': {
    en: 'Thank you for your feedback. Goodbye.',
    es: 'Gracias por su opinión. Adiós.',
  },
  // The phone survey after a wrong key or silence (asked once more), and its goodbye after a second one.
  'csat.retry.voice': {
    en: 'Sorry, we did not get that. Please press a number from 1 to 5.',
    es: 'Disculpe, no le entendimos. Marque un número del 1 al 5.',
  },
  'csat.goodbye.voice': {
    en: 'Thank you for calling. Goodbye.',
    es: 'Gracias por llamar. Adiós.',
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
