import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ZCreateAgent, ZUpdateAgent } from '../../src/core/agents/agent-schema.js';
import { ZCannedResponse, ZDisposition } from '../../src/core/content/content-schemas.js';
import { ZInbox } from '../../src/core/inbox-schema.js';
import { ZScorecard } from '../../src/core/quality/scorecard-schema.js';
import { ZCreateQueue, ZUpdateQueue } from '../../src/core/routing/queue-schema.js';
import en from '../../src/web/locales/en.json' with { type: 'json' };
import es from '../../src/web/locales/es.json' with { type: 'json' };
import { i18next } from '../../src/web/i18n.js';
import { fieldErrors, serverFieldError } from '../../src/web/screens/admin/form-errors.js';

/**
 * The admin forms check input with the server's own schemas and show each refusal next to its
 * field in the agent's language: every rule of those schemas must come out as a catalogue
 * sentence, never zod's English and never the "not a valid value" fallback.
 */
async function errorsIn(language: 'en' | 'es', schema: z.ZodType, input: unknown) {
  await i18next.changeLanguage(language);
  const r = schema.safeParse(input);
  expect(r.success, JSON.stringify(input)).toBe(false);
  return fieldErrors(r.error!.issues, i18next.t);
}

const queue = { key: 'gifts', name: 'Gifts' };
/** [what is wrong, schema, input, field, English, Spanish] */
const CASES: [string, z.ZodType, unknown, string, RegExp, RegExp][] = [
  ['a queue key with capitals', ZCreateQueue, { ...queue, key: 'Not A Key' }, 'key', /^Use lower-case letters/, /^Use minúsculas/],
  ['a queue without a name', ZCreateQueue, { ...queue, name: ' ' }, 'name', /^Required\.$/, /^Obligatorio\.$/],
  [
    'a first-response target of 0',
    ZUpdateQueue,
    { sla: { firstResponseSeconds: 0, resolutionSeconds: 60 } },
    'sla.firstResponseSeconds',
    /^Must be 1 or more\.$/,
    /^Debe ser 1 o más\.$/,
  ],
  ['a priority over 10,000', ZUpdateQueue, { priority: 20_000 }, 'priority', /^Must be 10000 or less\.$/, /^Debe ser 10000 o menos\.$/],
  [
    'a priority that is not a number',
    ZUpdateQueue,
    { priority: Number.NaN },
    'priority',
    /^Enter a whole number\.$/,
    /^Escriba un número entero\.$/,
  ],
  [
    'an unknown callback order',
    ZUpdateQueue,
    { callbackOrder: 'whenever' },
    'callbackOrder',
    /^Choose one of the options\.$/,
    /^Elija una de las opciones\.$/,
  ],
  [
    'a malformed time zone',
    ZUpdateQueue,
    { businessHours: { timezone: 'Mars/Olympus', open: [] } },
    'businessHours.timezone',
    /time zone/,
    /zona horaria/,
  ],
  [
    'a day that closes before it opens',
    ZUpdateQueue,
    { businessHours: { timezone: 'UTC', open: [{ day: 1, from: '17:00', to: '09:00' }] } },
    'businessHours.open.0',
    /opening time must be before/,
    /apertura debe ser anterior/,
  ],
  [
    'a time that is not HH:MM',
    ZUpdateQueue,
    { businessHours: { timezone: 'UTC', open: [{ day: 1, from: '9', to: '17:00' }] } },
    'businessHours.open.0.from',
    /HH:MM/,
    /HH:MM/,
  ],
  [
    'a holiday that is not a date',
    ZUpdateQueue,
    { businessHours: { timezone: 'UTC', open: [], holidays: ['25/12/2026'] } },
    'businessHours.holidays.0',
    /YYYY-MM-DD/,
    /AAAA-MM-DD/,
  ],
  [
    'an escalation step that does nothing',
    ZUpdateQueue,
    { escalation: [{ afterSeconds: 60 }] },
    'escalation.0',
    /^A step must do something/,
    /^Un paso debe hacer algo/,
  ],
  [
    'an empty Spanish auto-reply beside an English one',
    ZUpdateQueue,
    { autoReply: { open: { en: '', es: 'Hola' } } },
    'autoReply.open.en',
    /^Required\.$/,
    /^Obligatorio\.$/,
  ],
  [
    'a bad queue email From',
    ZUpdateQueue,
    { emailFrom: 'not-mail' },
    'emailFrom',
    /^Enter an email address/,
    /^Escriba una dirección de correo/,
  ],
  [
    'an agent email without @',
    ZCreateAgent,
    { email: 'gia', name: 'Gia' },
    'email',
    /^Enter an email address/,
    /^Escriba una dirección de correo/,
  ],
  [
    'a short first password',
    ZCreateAgent,
    { email: 'gia@example.org', name: 'Gia', password: 'short' },
    'password',
    /^At least 8 characters\.$/,
    /^Al menos 8 caracteres\.$/,
  ],
  ['an agent without a name', ZCreateAgent, { email: 'gia@example.org', name: '' }, 'name', /^Required\.$/, /^Obligatorio\.$/],
  ['a capacity over 100', ZUpdateAgent, { capacity: { sms: 500 } }, 'capacity.sms', /^Must be 100 or less\.$/, /^Debe ser 100 o menos\.$/],
  ['an unknown role', ZUpdateAgent, { role: 'boss' }, 'role', /^Choose one of the options\.$/, /^Elija una de las opciones\.$/],
  [
    'a phone inbox that is not E.164',
    ZInbox,
    { kind: 'phone', address: '555-1234', queue: 'donor' },
    'address',
    /international format/,
    /formato internacional/,
  ],
  [
    'an email inbox that is not an address',
    ZInbox,
    { kind: 'email', address: 'help', queue: 'donor' },
    'address',
    /^Enter an email address/,
    /^Escriba una dirección de correo/,
  ],
  ['an inbox without a queue', ZInbox, { kind: 'slack', address: 'C0123', queue: '' }, 'queue', /^Required\.$/, /^Obligatorio\.$/],
  ['a canned response without a title', ZCannedResponse, { title: '', body: 'Hi' }, 'title', /^Required\.$/, /^Obligatorio\.$/],
  [
    'a canned response of 5,001 characters',
    ZCannedResponse,
    { title: 'Long', body: 'x'.repeat(5001) },
    'body',
    /^At most 5000 characters\.$/,
    /^Como máximo 5000 caracteres\.$/,
  ],
  [
    'a disposition code with spaces',
    ZDisposition,
    { code: 'gift aid', label: 'Gift aid' },
    'code',
    /^Use lower-case letters, digits, _ \. and -/,
    /^Use minúsculas, dígitos, _ \. y -/,
  ],
  ['a disposition without a label', ZDisposition, { code: 'gift-aid', label: ' ' }, 'label', /^Required\.$/, /^Obligatorio\.$/],
  [
    'a scorecard key starting with a digit',
    ZScorecard,
    { criteria: [{ key: '9tone', label: 'Tone' }] },
    'criteria.0.key',
    /^Use lower-case letters, digits, _ and - \(at most 40\), starting with a letter\.$/,
    /^Use minúsculas, dígitos, _ y - \(40 como máximo\), empezando por una letra\.$/,
  ],
  [
    'two scorecard criteria with one key',
    ZScorecard,
    {
      criteria: [
        { key: 'tone', label: 'Tone' },
        { key: 'tone', label: 'Tone again' },
      ],
    },
    'criteria',
    /^Two criteria have the same key/,
    /^Dos criterios tienen la misma clave/,
  ],
  [
    'a scorecard criterion without a label',
    ZScorecard,
    { criteria: [{ key: 'tone', label: '' }] },
    'criteria.0.label',
    /^Required\.$/,
    /^Obligatorio\.$/,
  ],
];

afterAll(() => i18next.changeLanguage('en'));

describe('admin form errors come from the server schemas, in the agent language', () => {
  it.each(CASES)('%s', async (_what, schema, input, field, english, spanish) => {
    expect((await errorsIn('en', schema, input))[field]).toMatch(english);
    expect((await errorsIn('es', schema, input))[field]).toMatch(spanish);
  });

  it('the Spanish catalogue has every error sentence the English one has', () => {
    expect(Object.keys(es.admin.errors).sort()).toEqual(Object.keys(en.admin.errors).sort());
  });

  it("a server refusal naming a field lands on it, translated when the catalogue knows it, else in the server's words", async () => {
    await i18next.changeLanguage('es');
    expect(serverFieldError('address: must be an E.164 number like +15551234567', i18next.t)).toEqual({
      path: 'address',
      text: 'Escriba el número en formato internacional, como +15551234567.',
    });
    expect(serverFieldError('escalation: unknown queue nowhere', i18next.t)).toEqual({
      path: 'escalation',
      text: 'unknown queue nowhere',
    });
    expect(serverFieldError('queue gifts is still used by inbox +15005550006', i18next.t)).toBeNull();
  });
});
