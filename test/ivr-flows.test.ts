import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOpen } from '../src/core/business-hours.js';
import { FlowError, loadFlowsSync, parseFlow } from '../src/ivr/load-flows.js';
import { matchChoice, renderFrom, renderStep, renderWait, type RenderContext } from '../src/ivr/render.js';
import { all, first, parseXml, pathOf, spoken } from './voice-helpers.js';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  publicUrl: 'https://sb.test',
  now: new Date('2026-03-04T15:00:00Z'),
  queueHours: () => null,
  ...over,
});
const xml = (r: { twiml: { toString(): string } }) => parseXml(r.twiml.toString());

describe('the shipped flows', () => {
  const flows = loadFlowsSync('ivr-flows');

  it('load: main and crisis', () => {
    expect([...flows.keys()].sort()).toEqual(['crisis', 'main']);
  });

  it('main starts with an English/Spanish choice that leads to the menu', () => {
    const main = flows.get('main')!;
    const start = xml(renderFrom(main, { flow: 'main', lang: 'en' }, main.start, ctx()));
    const g = first(start, 'Gather');
    expect(g.attrs.input).toBe('dtmf speech');
    expect(spoken(start)).toMatch(/English, press 1.*español, oprima 2/);
    expect(pathOf(g.attrs.action)).toBe('/webhooks/twilio/voice/step?flow=main&node=language&lang=en&try=0');

    const es = renderStep(main, { flow: 'main', lang: 'en' }, 'language', 0, { digits: '2' }, ctx());
    expect(es.lang).toBe('es');
    const menu = xml(es);
    expect(first(menu, 'Say').attrs.language).toBe('es-MX');
    expect(first(menu, 'Say').attrs.voice).toBe('Polly.Lupe');
    expect(spoken(menu)).toContain('Para donaciones');
    expect(first(menu, 'Gather').attrs.action).toContain('node=menu&lang=es');
  });

  it('menu keys and spoken words pick the queue; the crisis key raises priority', () => {
    const main = flows.get('main')!;
    const st = { flow: 'main', lang: 'en' as const };
    expect(renderStep(main, st, 'menu', 0, { digits: '4' }, ctx()).effect).toMatchObject({ type: 'enqueue', node: { queue: 'it' } });
    expect(renderStep(main, st, 'menu', 0, { speech: 'I would like to volunteer please' }, ctx()).effect).toMatchObject({
      node: { queue: 'volunteer' },
    });
    expect(renderStep(main, { ...st, lang: 'es' }, 'menu', 0, { speech: 'Una donación' }, ctx()).effect).toMatchObject({
      node: { queue: 'donor' },
    });
    const crisis = renderStep(main, st, 'menu', 0, { digits: '9' }, ctx());
    expect(crisis.effect).toMatchObject({ type: 'enqueue', node: { queue: 'crisis', priority: 50 } });
    const t = xml(crisis);
    expect(first(t, 'Redirect').text).toBe('https://sb.test/webhooks/twilio/voice/wait?flow=main&node=crisis&lang=en');
  });

  it('a key not in the menu is retried, then falls back to the general queue', () => {
    const main = flows.get('main')!;
    const st = { flow: 'main', lang: 'en' as const };
    const retry1 = renderStep(main, st, 'menu', 0, { digits: '7' }, ctx());
    expect(retry1.effect).toBeUndefined();
    const t1 = xml(retry1);
    expect(first(t1, 'Say').text).toBe('Sorry, that is not one of the options.');
    expect(first(t1, 'Gather').attrs.action).toContain('try=1');
    const retry2 = renderStep(main, st, 'menu', 1, { digits: '8' }, ctx());
    expect(first(xml(retry2), 'Gather').attrs.action).toContain('try=2');
    const fallback = renderStep(main, st, 'menu', 2, { digits: '8' }, ctx());
    expect(fallback.effect).toMatchObject({ type: 'enqueue', nodeId: 'donor' });
    // Silence is retried without the "not an option" line, then goes to the no-input path.
    const silent = xml(renderStep(main, st, 'menu', 0, { digits: '' }, ctx()));
    expect(spoken(silent)).not.toContain('Sorry');
    expect(renderStep(main, st, 'menu', 2, {}, ctx()).effect).toMatchObject({ nodeId: 'donor' });
  });

  it('closed hours (and holidays) lead to the voicemail / callback menu', () => {
    const main = flows.get('main')!;
    const hours = { timezone: 'America/New_York', open: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })) };
    const st = { flow: 'main', lang: 'en' as const };
    // Wednesday 10:00 in New York: open.
    const open = xml(renderFrom(main, st, 'hours', ctx({ queueHours: () => hours })));
    expect(spoken(open)).toContain('For donations');
    // Wednesday 20:00 in New York: closed.
    const closed = xml(renderFrom(main, st, 'hours', ctx({ now: new Date('2026-03-05T01:00:00Z'), queueHours: () => hours })));
    expect(spoken(closed)).toMatch(/closed right now.*To leave a voicemail, press 1/);
    // Christmas (a flow holiday) is closed even without queue hours.
    const xmas = xml(renderFrom(main, st, 'hours', ctx({ now: new Date('2026-12-25T15:00:00Z') })));
    expect(spoken(xmas)).toContain('closed right now');
    const vm = xml(renderStep(main, st, 'closed_menu', 0, { digits: '1' }, ctx()));
    const rec = first(vm, 'Record');
    expect(rec.attrs).toMatchObject({ maxLength: '180', transcribe: 'true', finishOnKey: '#' });
    expect(pathOf(rec.attrs.action)).toBe('/webhooks/twilio/voice/voicemail?flow=main&node=voicemail&lang=en');
    expect(pathOf(rec.attrs.transcribeCallback)).toBe('/webhooks/twilio/voice/transcription');
    const cb = xml(renderStep(main, st, 'closed_menu', 0, { digits: '2' }, ctx()));
    expect(first(cb, 'Gather').attrs).toMatchObject({ finishOnKey: '#', input: 'dtmf' });
    expect(first(cb, 'Gather').attrs.action).toContain('/voice/callback?flow=main&node=callback');
  });

  it('crisis: no menu, straight to the queue; after the max wait it rings the on-call phones', () => {
    const crisis = flows.get('crisis')!;
    const st = { flow: 'crisis', lang: 'en' as const };
    const start = renderStep(crisis, st, crisis.start, 0, {}, ctx());
    expect(start.effect).toMatchObject({ type: 'enqueue', node: { queue: 'crisis', priority: 100 } });
    expect(all(xml(start), 'Gather')).toHaveLength(0);
    const waiting = xml(
      renderWait(crisis, st, 'queue', { position: 1, estimatedWaitSeconds: 20, waitedSeconds: 10, maxWaitSeconds: 60 }, ctx()),
    );
    expect(spoken(waiting)).toBe('You are caller number 1 in line. The estimated wait is less than a minute.');
    expect(first(waiting, 'Pause').attrs.length).toBe('15');
    const over = renderWait(crisis, st, 'queue', { position: 1, estimatedWaitSeconds: 20, waitedSeconds: 61, maxWaitSeconds: 60 }, ctx());
    expect(over.effect).toEqual({ type: 'overflow', nodeId: 'queue' });
    const dial = first(xml(over), 'Dial');
    expect(all(dial, 'Number').map((n) => n.text)).toEqual(['+15555550911', '+15555550912']);
    expect(dial.attrs.action).toContain('/voice/dial-result?flow=crisis&node=oncall');
  });

  it('waiting callers hear position and estimate in their language, then hold audio', () => {
    const main = flows.get('main')!;
    const t = xml(
      renderWait(
        main,
        { flow: 'main', lang: 'es' },
        'donor',
        { position: 3, estimatedWaitSeconds: 190, waitedSeconds: 30, maxWaitSeconds: 600 },
        ctx(),
      ),
    );
    expect(spoken(t)).toBe('Usted es la persona número 3 en la fila. El tiempo estimado de espera es de unos 3 minutos.');
    expect(first(t, 'Play').text).toMatch(/^http/);
    expect(first(t, 'Redirect').text).toContain('/voice/wait?flow=main&node=donor&lang=es');
    // Past the queue's max wait: offer voicemail (1) or a callback (2), keep holding otherwise.
    const over = xml(
      renderWait(
        main,
        { flow: 'main', lang: 'en' },
        'donor',
        { position: 3, estimatedWaitSeconds: 190, waitedSeconds: 601, maxWaitSeconds: 600 },
        ctx(),
      ),
    );
    expect(first(over, 'Gather').attrs.action).toContain('/voice/overflow?flow=main&node=donor');
    expect(spoken(over)).toContain('To leave a voicemail, press 1');
  });
});

describe('flow validation', () => {
  const good = `
start: hello
nodes:
  hello: { type: say, text: Hi, next: menu }
  menu:
    type: gather
    prompt: Press 1
    choices: { "1": { next: bye } }
    fallback: bye
  bye: { type: hangup }
`;

  it('accepts a small flow and rejects a dangling next, naming the file and node path', () => {
    expect(parseFlow('x.yaml', good).nodes.menu.type).toBe('gather');
    const dangling = good.replace('next: bye } }', 'next: byebye } }');
    expect(() => parseFlow('ivr-flows/x.yaml', dangling)).toThrow(FlowError);
    expect(() => parseFlow('ivr-flows/x.yaml', dangling)).toThrow(
      'ivr-flows/x.yaml: nodes.menu.choices.1.next: "byebye" is not a node of this flow',
    );
    expect(() => parseFlow('f.yaml', good.replace('start: hello', 'start: nope'))).toThrow(
      'f.yaml: start: "nope" is not a node of this flow',
    );
  });

  it('rejects unknown node types, bad numbers, YAML errors and say-loops', () => {
    expect(() => parseFlow('f.yaml', good.replace('type: hangup', 'type: teleport'))).toThrow(/f\.yaml: nodes\.bye\.type/);
    expect(() => parseFlow('f.yaml', `start: d\nnodes:\n  d: { type: dial, numbers: ["555-1234"] }\n`)).toThrow(
      /nodes\.d\.numbers\.0: must be an E\.164/,
    );
    expect(() => parseFlow('f.yaml', 'start: [unclosed')).toThrow(/f\.yaml: not valid YAML/);
    expect(() =>
      parseFlow('f.yaml', `start: a\nnodes:\n  a: { type: say, text: A, next: b }\n  b: { type: say, text: B, next: a }\n`),
    ).toThrow(/loops back/);
    expect(() => parseFlow('f.yaml', `start: h\nnodes:\n  h: { type: hours, open: h, closed: h }\n`)).toThrow(/needs `queue` or `hours`/);
  });

  it('a directory without main.yaml, or with a bad file, fails as a whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-'));
    writeFileSync(join(dir, 'other.yaml'), good);
    expect(() => loadFlowsSync(dir)).toThrow(/main\.yaml: the default flow is missing/);
    writeFileSync(join(dir, 'main.yaml'), good.replace('fallback: bye', 'fallback: gone'));
    expect(() => loadFlowsSync(dir)).toThrow(/main\.yaml: nodes\.menu\.fallback: "gone" is not a node/);
  });
});

describe('business hours', () => {
  const hours = { timezone: 'Europe/Madrid', open: [{ day: 1, from: '09:00', to: '14:00' }], holidays: ['2026-03-02'] };
  it('reads the wall clock of the time zone and honours holidays', () => {
    expect(isOpen(hours, new Date('2026-03-09T08:30:00Z'))).toBe(true); // Monday 09:30 in Madrid
    expect(isOpen(hours, new Date('2026-03-09T07:30:00Z'))).toBe(false); // 08:30
    expect(isOpen(hours, new Date('2026-03-09T13:00:00Z'))).toBe(false); // 14:00: closing time is exclusive
    expect(isOpen(hours, new Date('2026-03-02T10:00:00Z'))).toBe(false); // a holiday
    expect(isOpen(null, new Date())).toBe(true);
  });
});

describe('issue 21: languages and words', () => {
  const flows = loadFlowsSync('ivr-flows');
  const main = flows.get('main')!;
  const crisis = flows.get('crisis')!;
  const en = { flow: 'main', lang: 'en' as const };

  it('the language choice: each half in its own voice, the recogniser named, a wrong key told in both languages', () => {
    const start = xml(renderFrom(main, en, main.start, ctx()));
    expect(all(start, 'Say').map((s) => [s.text, s.attrs.voice, s.attrs.language])).toEqual([
      ['Thank you for calling. For English, press 1.', 'Polly.Joanna', 'en-US'],
      ['Para español, oprima 2.', 'Polly.Lupe', 'es-MX'],
    ]);
    expect(first(start, 'Gather').attrs).toMatchObject({ language: 'en-US', hints: expect.stringContaining('español') });
    const wrong = xml(renderStep(main, en, 'language', 0, { digits: '7' }, ctx()));
    const says = all(wrong, 'Say');
    expect(says[0]).toMatchObject({ text: 'Sorry, that is not one of the options.', attrs: { language: 'en-US' } });
    expect(says[1]).toMatchObject({
      text: 'Lo sentimos, esa no es una de las opciones.',
      attrs: { language: 'es-MX', voice: 'Polly.Lupe' },
    });
    expect(renderStep(main, en, 'language', 0, { speech: 'Español' }, ctx()).lang).toBe('es');
  });

  it('words the prompts say, and spoken digits, pick the choice', () => {
    const pick = (node: string, speech: string, lang: 'en' | 'es' = 'en') =>
      renderStep(main, { flow: 'main', lang }, node, 0, { speech }, ctx()).effect;
    expect(pick('menu', 'endorsers')).toMatchObject({ node: { queue: 'partner' } });
    expect(pick('menu', 'ayuda con computadoras', 'es')).toMatchObject({ node: { queue: 'it' } });
    expect(pick('menu', 'One.')).toMatchObject({ node: { queue: 'donor' } });
    expect(pick('menu', 'Uno.', 'es')).toMatchObject({ node: { queue: 'donor' } });
    expect(pick('menu', 'Cuatro', 'es')).toMatchObject({ node: { queue: 'it' } });
    const cb = (speech: string) => first(xml(renderStep(main, en, 'closed_menu', 0, { speech }, ctx())), 'Gather').attrs.action;
    expect(cb('please call me back')).toContain('/voice/callback?');
    expect(cb('que me llamen')).toContain('/voice/callback?');
  });

  it('the crisis line carries Spanish through hold, the on-call announcement and voicemail', () => {
    const st = { flow: 'crisis', lang: 'en' as const };
    const es = renderStep(crisis, st, 'language', 0, { digits: '2' }, ctx());
    expect(es.lang).toBe('es');
    expect(spoken(xml(es))).toMatch(/^Permanezca en la línea/);
    const est = { flow: 'crisis', lang: 'es' as const };
    const over = xml(
      renderWait(crisis, est, 'queue', { position: 1, estimatedWaitSeconds: 20, waitedSeconds: 61, maxWaitSeconds: 60 }, ctx()),
    );
    expect(spoken(over)).toBe('Le comunicamos ahora con nuestro consejero de guardia.');
    expect(spoken(xml(renderFrom(crisis, est, 'voicemail', ctx())))).toMatch(/^En este momento no pudimos comunicarle/);
  });
});

describe('matching what the caller said', () => {
  const choices = { '1': { speech: ['donation', 'store'] }, '2': { speech: ['human resources'] } };
  it('keys, words (accents and case ignored) and spoken key numbers', () => {
    expect(matchChoice(choices, { digits: '2' })).toBe('2');
    expect(matchChoice(choices, { speech: 'The STORE, please.' })).toBe('1');
    expect(matchChoice(choices, { speech: 'human resources' })).toBe('2');
    expect(matchChoice(choices, { speech: 'humanity' })).toBeUndefined();
    expect(matchChoice(choices, { speech: '2' })).toBe('2');
    expect(matchChoice(choices, { digits: '5' })).toBeUndefined();
  });
});
