import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import type { BusinessHours } from '../db/schema.js';
import { isOpen } from '../core/business-hours.js';
import { digitByDigit } from '../core/calls/callback-number.js';
import { fillHours } from '../core/spoken-hours.js';
import { LANGS, type Flow, type FlowNode, type Lang, type NodeOf, type Text } from './flow-schema.js';

/**
 * The IVR interpreter: flow + caller state → TwiML, as pure functions. It never
 * touches the database; what needs storing (a call joining a queue) comes back
 * as an `effect` for the voice channel to carry out before it answers Twilio.
 */

/** `langChosen`: the caller picked `lang` at a language node (not the default by silence): it is kept on their contact. */
export type CallState = { flow: string; lang: Lang; langChosen?: boolean };

export type RenderContext = {
  publicUrl: string;
  now: Date;
  /** Business hours an admin set on a queue (null: always open). */
  queueHours(queue: string): BusinessHours | null | undefined;
  /** Does what the caller said sound like a crisis? Then they go straight to the crisis queue. */
  crisisSpeech?(speech: string): boolean;
};

export type Effect =
  | {
      type: 'enqueue';
      nodeId: string;
      node: NodeOf<'enqueue'>;
      /** What the caller said at the step that led here: it becomes part of their conversation (and is checked for a crisis). */
      heard?: string;
    }
  | { type: 'overflow'; nodeId: string };

export type Rendered = { twiml: VoiceResponse; effect?: Effect };

type Say = VoiceResponse.SayAttributes;

const LANGUAGE_TAG: Record<Lang, string> = { en: 'en-US', es: 'es-MX' };

/** Built-in phrases the flows do not spell out. */
export const PHRASES = {
  invalid: { en: 'Sorry, that is not one of the options.', es: 'Lo sentimos, esa no es una de las opciones.' },
  noMessage: { en: 'We did not receive a message. Goodbye.', es: 'No recibimos ningún mensaje. Adiós.' },
  voicemailThanks: {
    en: 'Thank you. Your message has been saved and we will get back to you.',
    es: 'Gracias. Hemos guardado su mensaje y nos pondremos en contacto con usted.',
  },
  leaveMessage: {
    en: 'Please leave your name, number and message after the tone. Press pound when you are done.',
    es: 'Deje su nombre, número y mensaje después del tono. Oprima la tecla de número al terminar.',
  },
  callbackPrompt: {
    en: 'Enter the phone number we should call you back on, followed by the pound key. To use the number you are calling from, just press pound.',
    es: 'Marque el número al que debemos llamarle, seguido de la tecla de número. Para usar el número desde el que llama, oprima la tecla de número.',
  },
  callbackInvalid: {
    en: 'Sorry, we cannot call that number back.',
    es: 'Lo sentimos, no podemos devolver la llamada a ese número.',
  },
  callbackWithheld: {
    en: 'We cannot see the number you are calling from.',
    es: 'No podemos ver el número desde el que llama.',
  },
  callbackGiveUp: {
    en: 'We could not take a number to call you back. Please call again later. Goodbye.',
    es: 'No pudimos anotar un número para devolverle la llamada. Por favor, llame más tarde. Adiós.',
  },
  callbackConfirm: {
    en: 'Thank you. An agent will call you back as soon as possible. Goodbye.',
    es: 'Gracias. Un agente le llamará lo antes posible. Adiós.',
  },
  overflowMenu: {
    en: 'We are sorry for the wait. To leave a voicemail, press 1. To have an agent call you back, press 2. Or stay on the line.',
    es: 'Lamentamos la espera. Para dejar un mensaje, oprima 1. Para que un agente le devuelva la llamada, oprima 2. O permanezca en la línea.',
  },
  recordingNotice: {
    en: 'This call will be recorded for quality and training.',
    es: 'Esta llamada será grabada para fines de calidad y capacitación.',
  },
  closedWhileWaiting: {
    en: 'Your request has been closed by our team, so we are ending this call. If you still need help, please call us again or send us a message. Goodbye.',
    es: 'Nuestro equipo cerró su solicitud, así que terminamos esta llamada. Si todavía necesita ayuda, llámenos de nuevo o envíenos un mensaje. Adiós.',
  },
  connecting: { en: 'Connecting you to an agent now.', es: 'Le estamos comunicando con un agente.' },
  sorry: {
    en: 'Sorry, we cannot take your call right now. Please call again later.',
    es: 'Lo sentimos, ahora no podemos atender su llamada. Por favor, llame más tarde.',
  },
} satisfies Record<string, Record<Lang, string>>;

export type Phrase = keyof typeof PHRASES;

export function textFor(t: Text, lang: Lang): string {
  return typeof t === 'string' ? t : (t[lang] ?? t.en);
}

/** A flow's text with its `{hours:<queue>}` placeholders filled in, each language in its own words. */
export function spoken(text: Text, lang: Lang, ctx: Pick<RenderContext, 'queueHours'>): Text {
  if (typeof text === 'string') return fillHours(text, lang, ctx.queueHours);
  const out = { ...text };
  for (const l of LANGS) if (out[l]) out[l] = fillHours(out[l], l, ctx.queueHours);
  return out;
}

export function say(
  twiml: { say(attrs: Say, text: string): unknown },
  flow: Flow | undefined,
  lang: Lang,
  text: Text,
  attrs: { voice?: string; language?: string } = {},
) {
  twiml.say(
    {
      voice: (attrs.voice ?? flow?.voices[lang]) as Say['voice'],
      language: (attrs.language ?? LANGUAGE_TAG[lang]) as Say['language'],
    },
    textFor(text, lang),
  );
}

export function phrase(twiml: { say(attrs: Say, text: string): unknown }, flow: Flow | undefined, lang: Lang, key: Phrase) {
  say(twiml, flow, lang, PHRASES[key]);
}

/**
 * A prompt before the caller has chosen a language: each language's text in
 * its own voice and `language` (a Spanish sentence is never read by the
 * English voice). A plain string is the `first` language's.
 */
export function sayEachLanguage(
  twiml: { say(attrs: Say, text: string): unknown },
  flow: Flow | undefined,
  text: Text,
  first: Lang,
  langs: readonly Lang[] = LANGS,
) {
  if (typeof text === 'string') return say(twiml, flow, first, text);
  const order = [first, ...langs.filter((l) => l !== first)];
  for (const lang of order) if (text[lang]) say(twiml, flow, lang, text[lang]);
}

/** The languages a language node offers, its default first. */
const languagesOf = (node: NodeOf<'language'>): Lang[] => [...new Set([node.default, ...Object.values(node.choices).map((c) => c.lang)])];

/** Speech hints: every word or phrase that picks a choice (Twilio primes its recogniser with them). */
const hintsOf = (choices: Record<string, { speech: string[] }>) =>
  Object.values(choices)
    .flatMap((c) => c.speech)
    .join(', ') || undefined;

/** Continuation URL: state travels in the query string (Twilio signs PUBLIC_URL + path + query). */
export function voiceUrl(publicUrl: string, action: string, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return `${publicUrl}/webhooks/twilio/voice/${action}${qs ? `?${qs}` : ''}`;
}

export const stateParams = (st: CallState, node: string) => ({ flow: st.flow, node, lang: st.lang, chose: st.langChosen ? 1 : undefined });

/** Plays nodes from `nodeId` until one waits for the caller (or ends the call). */
export function renderFrom(
  flow: Flow,
  st: CallState,
  nodeId: string,
  ctx: RenderContext,
  twiml: VoiceResponse = new twilio.twiml.VoiceResponse(),
  tries = 0,
): Rendered {
  let id: string | undefined = nodeId;
  // The schema rejects say/play/hours loops; this bound is a second guard.
  for (let steps = 0; id && steps < 100; steps++) {
    const node: FlowNode | undefined = flow.nodes[id];
    if (!node) break;
    switch (node.type) {
      case 'say':
        say(twiml, flow, st.lang, spoken(node.text, st.lang, ctx), node);
        id = node.next;
        continue;
      case 'play':
        twiml.play({ loop: node.loop }, node.url);
        id = node.next;
        continue;
      case 'hours': {
        const hours = node.hours ?? (node.queue ? ctx.queueHours(node.queue) : null);
        id = isOpen(hours, ctx.now, node.holidays) ? node.open : node.closed;
        continue;
      }
      case 'gather':
        renderGather(twiml, flow, st, id, node, ctx, tries);
        return { twiml };
      case 'language': {
        const g = twiml.gather({
          input: ['dtmf', 'speech'],
          numDigits: 1,
          timeout: node.timeout,
          speechTimeout: 'auto',
          // One recogniser per <Gather>: the default language's, primed with every choice's words.
          language: LANGUAGE_TAG[node.default] as VoiceResponse.GatherAttributes['language'],
          hints: hintsOf(node.choices),
          action: voiceUrl(ctx.publicUrl, 'step', { ...stateParams(st, id), try: tries }),
          actionOnEmptyResult: true,
        });
        sayEachLanguage(g, flow, spoken(node.prompt, node.default, ctx), node.default);
        return { twiml };
      }
      case 'enqueue':
        if (node.announcement) say(twiml, flow, st.lang, spoken(node.announcement, st.lang, ctx));
        twiml.redirect({ method: 'POST' }, voiceUrl(ctx.publicUrl, 'wait', stateParams(st, id)));
        return { twiml, effect: { type: 'enqueue', nodeId: id, node } };
      case 'voicemail':
        say(twiml, flow, st.lang, spoken(node.prompt, st.lang, ctx));
        renderRecord(twiml, flow, st, id, ctx, { maxLength: node.maxLength, transcribe: node.transcribe });
        return { twiml };
      case 'callback':
        renderCallbackPrompt(twiml, flow, st, id, ctx, node.prompt);
        return { twiml };
      case 'dial': {
        if (node.announcement) say(twiml, flow, st.lang, node.announcement);
        const dial = twiml.dial({ action: voiceUrl(ctx.publicUrl, 'dial-result', stateParams(st, id)), timeout: node.timeout });
        for (const n of node.numbers) dial.number(n);
        return { twiml };
      }
      case 'hangup':
        if (node.text) say(twiml, flow, st.lang, spoken(node.text, st.lang, ctx));
        twiml.hangup();
        return { twiml };
    }
  }
  twiml.hangup();
  return { twiml };
}

function renderGather(
  twiml: VoiceResponse,
  flow: Flow,
  st: CallState,
  id: string,
  node: NodeOf<'gather'>,
  ctx: RenderContext,
  tries: number,
) {
  const speech = node.input.includes('speech');
  const g = twiml.gather({
    input: node.input.split(' ') as VoiceResponse.GatherAttributes['input'],
    numDigits: node.numDigits,
    timeout: node.timeout,
    ...(speech
      ? {
          speechTimeout: 'auto',
          language: LANGUAGE_TAG[st.lang] as VoiceResponse.GatherAttributes['language'],
          hints: hintsOf(node.choices),
        }
      : {}),
    action: voiceUrl(ctx.publicUrl, 'step', { ...stateParams(st, id), try: tries }),
    actionOnEmptyResult: true,
  });
  say(g, flow, st.lang, spoken(node.prompt, st.lang, ctx));
}

export function renderRecord(
  twiml: VoiceResponse,
  flow: Flow | undefined,
  st: CallState,
  id: string,
  ctx: RenderContext,
  opts: { maxLength: number; transcribe: boolean; mode?: string },
) {
  const params = { ...stateParams(st, id), mode: opts.mode };
  twiml.record({
    action: voiceUrl(ctx.publicUrl, 'voicemail', params),
    maxLength: opts.maxLength,
    playBeep: true,
    finishOnKey: '#',
    timeout: 8,
    transcribe: opts.transcribe,
    ...(opts.transcribe ? { transcribeCallback: voiceUrl(ctx.publicUrl, 'transcription') } : {}),
  });
  // Reached only when nothing was recorded.
  phrase(twiml, flow, st.lang, 'noMessage');
  twiml.hangup();
}

export function renderCallbackPrompt(
  twiml: VoiceResponse,
  flow: Flow | undefined,
  st: CallState,
  id: string,
  ctx: RenderContext,
  prompt?: Text,
  mode?: string,
  tries = 0,
) {
  const g = twiml.gather({
    input: ['dtmf'],
    numDigits: 15,
    finishOnKey: '#',
    timeout: 10,
    action: voiceUrl(ctx.publicUrl, 'callback', { ...stateParams(st, id), mode, try: tries || undefined }),
    actionOnEmptyResult: true,
  });
  if (prompt) say(g, flow, st.lang, prompt);
  else phrase(g, flow, st.lang, 'callbackPrompt');
}

/** How many times a caller may key a callback number (or fail to confirm it) before we give up. */
export const CALLBACK_TRIES = 3;

/**
 * The number read back digit by digit, then 1 to confirm, 2 to key another;
 * the answer goes to `callback-confirm` with the number in the (signed) URL.
 */
export function renderCallbackReadback(
  twiml: VoiceResponse,
  flow: Flow | undefined,
  st: CallState,
  id: string,
  ctx: RenderContext,
  number: string,
  opts: { mode?: string; tries: number },
) {
  const g = twiml.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: 8,
    action: voiceUrl(ctx.publicUrl, 'callback-confirm', { ...stateParams(st, id), mode: opts.mode, number, try: opts.tries }),
    actionOnEmptyResult: true,
  });
  const digits = digitByDigit(number);
  say(g, flow, st.lang, {
    en: `We will call you back on ${digits}. If that is right, press 1. To enter a different number, press 2.`,
    es: `Le llamaremos al ${digits}. Si es correcto, oprima 1. Para marcar otro número, oprima 2.`,
  });
}

export type CallerInput = { digits?: string; speech?: string };

/** Lower case, no accents or punctuation, and each word without a plural "s" ("Computadoras" → "computadora"). */
const norm = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
    .join(' ');

/** Digits said as words count as keys ("One.", "Uno."). */
const SPOKEN_DIGITS: Record<string, string> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  cero: '0',
  uno: '1',
  una: '1',
  dos: '2',
  tre: '3',
  cuatro: '4',
  cinco: '5',
  sei: '6',
  siete: '7',
  ocho: '8',
  nueve: '9',
};

/** Which choice key the caller's keys or words pick, if any. */
export function matchChoice(choices: Record<string, { speech: string[] }>, input: CallerInput): string | undefined {
  if (input.digits && input.digits in choices) return input.digits;
  const said = input.speech ? ` ${norm(input.speech)} ` : '';
  if (!said.trim()) return undefined;
  for (const [key, c] of Object.entries(choices)) {
    if (c.speech.some((w) => norm(w) && said.includes(` ${norm(w)} `))) return key;
  }
  // "1", "one", "uno"… spoken as the key itself.
  return said
    .trim()
    .split(' ')
    .map((w) => SPOKEN_DIGITS[w] ?? w)
    .find((w) => w in choices);
}

/**
 * The caller answered a gather or language node (or said nothing): pick the
 * next node, repeat the prompt, or give up to the fallback.
 */
export function renderStep(
  flow: Flow,
  st: CallState,
  nodeId: string,
  tries: number,
  input: CallerInput,
  ctx: RenderContext,
): Rendered & { lang: Lang; langChosen?: boolean } {
  const speech = input.speech?.trim();
  const out = stepResult(flow, st, nodeId, tries, input, ctx);
  return out.effect?.type === 'enqueue' && speech ? { ...out, effect: { ...out.effect, heard: speech } } : out;
}

function stepResult(
  flow: Flow,
  st: CallState,
  nodeId: string,
  tries: number,
  input: CallerInput,
  ctx: RenderContext,
): Rendered & { lang: Lang; langChosen?: boolean } {
  const node = flow.nodes[nodeId];
  const twiml = new twilio.twiml.VoiceResponse();
  // Words of a crisis at any prompt skip the menu: no "that is not one of the options" for them.
  if (input.speech?.trim() && ctx.crisisSpeech?.(input.speech)) return { ...renderCrisis(flow, st, ctx, twiml), lang: st.lang };
  if (!node) return { ...renderFrom(flow, st, flow.start, ctx, twiml), lang: st.lang };
  const heardSomething = Boolean(input.digits || input.speech?.trim());
  if (node.type === 'language') {
    const key = matchChoice(node.choices, input);
    if (!key && tries < 1 && heardSomething) {
      // One more try for a wrong key (said in every language offered); silence means "the default language".
      sayEachLanguage(twiml, flow, PHRASES.invalid, node.default, languagesOf(node));
      return { ...renderFrom(flow, st, nodeId, ctx, twiml, tries + 1), lang: st.lang };
    }
    const lang = key ? node.choices[key].lang : node.default;
    const langChosen = Boolean(key) || st.langChosen;
    return { ...renderFrom(flow, { ...st, lang, langChosen }, node.next, ctx, twiml), lang, langChosen };
  }
  if (node.type !== 'gather') return { ...renderFrom(flow, st, nodeId, ctx, twiml), lang: st.lang };
  const key = matchChoice(node.choices, input);
  if (key) return { ...renderFrom(flow, st, node.choices[key].next, ctx, twiml), lang: st.lang };
  if (tries < node.retries) {
    if (heardSomething) say(twiml, flow, st.lang, node.invalid ?? PHRASES.invalid);
    return { ...renderFrom(flow, st, nodeId, ctx, twiml, tries + 1), lang: st.lang };
  }
  const to = heardSomething ? node.fallback : (node.noInput ?? node.fallback);
  return { ...renderFrom(flow, st, to, ctx, twiml), lang: st.lang };
}

const CRISIS_NODE: NodeOf<'enqueue'> = {
  type: 'enqueue',
  queue: 'crisis',
  priority: 100,
  refreshSeconds: 15,
  record: false,
  announcement: {
    en: 'Please stay on the line. A crisis counselor will be with you shortly. If you are in immediate danger, hang up and dial 9 1 1.',
    es: 'Permanezca en la línea. Un consejero de crisis le atenderá en breve. Si está en peligro inmediato, cuelgue y marque 9 1 1.',
  },
};

/** The flow's own crisis queue node if it has one (its announcement, its overflow), a built-in one otherwise. */
function renderCrisis(flow: Flow, st: CallState, ctx: RenderContext, twiml: VoiceResponse): Rendered {
  const own = Object.entries(flow.nodes).find(([, n]) => n.type === 'enqueue' && n.queue === CRISIS_NODE.queue);
  if (own) return renderFrom(flow, st, own[0], ctx, twiml);
  say(twiml, flow, st.lang, CRISIS_NODE.announcement!);
  twiml.redirect({ method: 'POST' }, voiceUrl(ctx.publicUrl, 'wait', stateParams(st, 'crisis')));
  return { twiml, effect: { type: 'enqueue', nodeId: 'crisis', node: CRISIS_NODE } };
}

export type WaitInfo = {
  /** 1 = next in line. */
  position: number;
  /** null: no estimate (nothing answered lately). */
  estimatedWaitSeconds: number | null;
  waitedSeconds: number;
  maxWaitSeconds: number;
};

function minutesPhrase(seconds: number, lang: Lang): string {
  const m = Math.max(1, Math.round(seconds / 60));
  if (seconds < 60) return lang === 'es' ? 'menos de un minuto' : 'less than a minute';
  if (lang === 'es') return m === 1 ? 'un minuto' : `unos ${m} minutos`;
  return m === 1 ? 'about one minute' : `about ${m} minutes`;
}

export function positionText(info: Pick<WaitInfo, 'position' | 'estimatedWaitSeconds'>, lang: Lang): string {
  const est = info.estimatedWaitSeconds;
  if (lang === 'es') {
    const where = `Usted es la persona número ${info.position} en la fila.`;
    return est === null ? where : `${where} El tiempo estimado de espera es de ${minutesPhrase(est, lang)}.`;
  }
  const where = `You are caller number ${info.position} in line.`;
  return est === null ? where : `${where} The estimated wait is ${minutesPhrase(est, lang)}.`;
}

/**
 * One turn of the hold loop: position and estimated wait, hold audio, then
 * back here. After the max wait: the node's overflow, or a voicemail/callback offer.
 */
export function renderWait(
  flow: Flow,
  st: CallState,
  nodeId: string,
  info: WaitInfo,
  ctx: RenderContext,
  fallbackNode?: NodeOf<'enqueue'>,
): Rendered {
  const found = flow.nodes[nodeId];
  // A call that never went through this flow's queue node (an outbound call moved to a queue) waits on a plain loop.
  const node = found?.type === 'enqueue' ? found : fallbackNode;
  const twiml = new twilio.twiml.VoiceResponse();
  if (!node) {
    twiml.hangup();
    return { twiml };
  }
  const waitUrl = voiceUrl(ctx.publicUrl, 'wait', stateParams(st, nodeId));
  if (info.waitedSeconds >= info.maxWaitSeconds) {
    if (node.overflow) return { ...renderFrom(flow, st, node.overflow, ctx, twiml), effect: { type: 'overflow', nodeId } };
    const g = twiml.gather({
      input: ['dtmf'],
      numDigits: 1,
      timeout: 5,
      action: voiceUrl(ctx.publicUrl, 'overflow', stateParams(st, nodeId)),
    });
    phrase(g, flow, st.lang, 'overflowMenu');
  } else {
    say(twiml, flow, st.lang, positionText(info, st.lang));
  }
  if (node.holdMusic) twiml.play({}, node.holdMusic);
  else twiml.pause({ length: node.refreshSeconds });
  twiml.redirect({ method: 'POST' }, waitUrl);
  return { twiml };
}

/** The queues a flow can put a caller in: which open incidents concern its callers. */
export function flowQueues(flow: Flow): string[] {
  return [...new Set(Object.values(flow.nodes).flatMap((n) => (n.type === 'enqueue' ? [n.queue] : [])))];
}

/**
 * Open incidents' public messages, said at the start of a call before anything else (the menu
 * included): English, then Spanish when the incident has it, since the caller has not chosen yet.
 */
export function renderAnnouncements(flow: Flow, notices: Text[], twiml: VoiceResponse = new twilio.twiml.VoiceResponse()): VoiceResponse {
  for (const n of notices) {
    say(twiml, flow, 'en', n);
    if (typeof n !== 'string' && n.es) say(twiml, flow, 'es', n);
  }
  return twiml;
}
