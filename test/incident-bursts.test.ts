import { describe, expect, it } from 'vitest';
import { burstAround, findBursts, inGroup, readWindow, readWindowWithout, type RecentText } from '../src/core/incidents/bursts.js';

const NOW = new Date('2026-11-03T18:00:00Z');
let seq = 0;
/** A text from its own contact (unless `contactId` says otherwise), `minutesAgo` before NOW. */
function text(body: string, opts: { minutesAgo?: number; contactId?: string; queue?: string; risk?: string[] } = {}): RecentText {
  seq += 1;
  return {
    conversationId: `conv-${seq}`,
    number: 1000 + seq,
    contactId: opts.contactId ?? `contact-${seq}`,
    queue: opts.queue ?? 'donor',
    at: new Date(NOW.getTime() - (opts.minutesAgo ?? 1) * 60_000),
    text: body,
    riskCategories: opts.risk ?? [],
  };
}

const outage = [
  'Hi, your donation page is giving me an error',
  "I can't donate, the page won't load",
  'The donations page seems to be down?',
  'Tried to give $50 but the donate page shows error 500',
];

describe('several similar contacts (incident proposals)', () => {
  it('four donors writing about the broken donation page within minutes make one proposal, in their own words', () => {
    const texts = [...outage.map((b, i) => text(b, { minutesAgo: 10 - i })), text('When is the next phone bank?')];
    const bursts = findBursts(texts, NOW);
    expect(bursts).toHaveLength(1);
    const [b] = bursts;
    expect(b.contacts).toBe(4);
    // The form most of them wrote: two wrote "donate", one "donation", one "donations".
    expect(b.words.slice(0, 2).sort()).toEqual(['donate', 'page']);
    expect(b.conversationIds).toEqual(texts.slice(0, 4).map((t) => t.conversationId));
    expect(b.numbers).toEqual(texts.slice(0, 4).map((t) => t.number));
    expect(b.queues).toEqual(['donor']);
    expect(b.firstAt).toBe(texts[0].at.toISOString());
    expect(b.lastAt).toBe(texts[3].at.toISOString());
  });

  it('three are a coincidence, and a fourth outside the window does not count', () => {
    expect(
      findBursts(
        outage.slice(0, 3).map((b) => text(b)),
        NOW,
      ),
    ).toEqual([]);
    const late = [...outage.slice(0, 3).map((b) => text(b)), text(outage[3], { minutesAgo: 25 })];
    expect(findBursts(late, NOW)).toEqual([]);
  });

  it('one contact writing four times is one contact', () => {
    const texts = outage.map((b) => text(b, { contactId: 'same-donor' }));
    expect(findBursts(texts, NOW)).toEqual([]);
    // …but its texts still count once towards a group with three others.
    const group = findBursts([...texts, ...outage.slice(0, 3).map((b) => text(b))], NOW);
    expect(group).toHaveLength(1);
    expect(group[0].contacts).toBe(4);
    expect(group[0].conversationIds).toHaveLength(7);
  });

  it('greetings and thanks shared by everyone are no subject', () => {
    const texts = [
      'Hello, thanks, I need help please with my volunteer shift',
      'Hello thanks, I need help please, where do I park for the rally',
      'hello! thanks, need help please: can I get a receipt',
      'Hola, gracias, necesito ayuda por favor con mi donación mensual',
      'hello thanks need help please with changing my address',
    ].map((b) => text(b));
    expect(findBursts(texts, NOW)).toEqual([]);
  });

  it('Spanish texts group too, accents and plurals folded', () => {
    const texts = [
      '¿La oficina de Phoenix está cerrada hoy?',
      'Fui a la OFICINA de phoenix y estaba cerrada',
      'oficina phoenix cerrada??',
      'Por qué cerraron la oficina en Phoenix',
    ].map((b) => text(b, { queue: 'volunteer' }));
    const [b] = findBursts(texts, NOW);
    expect(b.contacts).toBe(4);
    expect(b.words).toContain('oficina');
    expect(b.words).toContain('phoenix');
  });

  it('a threat going round, worded differently, groups on its crisis kind and a shared word', () => {
    const texts = [
      text('there is a man with a gun outside the rally', { risk: ['emergency'] }),
      text('shots fired near the rally stage!!', { risk: ['emergency'] }),
      text('someone collapsed at the rally, we need an ambulance', { risk: ['emergency'] }),
      text('is the rally still on? people are running', { risk: ['emergency'] }),
      // Self-harm is one person's own crisis: four of them are not an incident.
      text('I want to end it tonight', { risk: ['self-harm'] }),
      text('I am going to end my life', { risk: ['self-harm'] }),
      text('I have the pills ready tonight', { risk: ['self-harm'] }),
      text('nobody would miss me tonight', { risk: ['self-harm'] }),
    ];
    const bursts = findBursts(texts, NOW);
    expect(bursts).toHaveLength(1);
    expect(bursts[0].categories).toEqual(['emergency']);
    expect(bursts[0].words[0]).toBe('rally');
    expect(bursts[0].conversationIds).toEqual(texts.slice(0, 4).map((t) => t.conversationId));
  });

  it('two separate stories make two proposals, the larger first, each contact in one', () => {
    const office = [
      'Is the Phoenix office closed today?',
      'phoenix office closed? nobody answers the door',
      'The Phoenix office seems closed',
      'why is the phoenix office closed',
    ];
    const texts = [...office.map((b) => text(b, { queue: 'volunteer' })), ...[...outage, 'donation page error again'].map((b) => text(b))];
    const bursts = findBursts(texts, NOW);
    expect(bursts.map((b) => b.contacts)).toEqual([5, 4]);
    expect(bursts[0].queues).toEqual(['donor']);
    expect(bursts[1].queues).toEqual(['volunteer']);
    const all = bursts.flatMap((b) => b.conversationIds);
    expect(new Set(all).size).toBe(all.length);
  });

  it('is the same answer whatever the order of the texts', () => {
    const texts = [...outage, 'Phoenix office closed', 'phoenix office closed?', 'office in phoenix closed', 'closed phoenix office'].map(
      (b) => text(b),
    );
    const a = findBursts(texts, NOW);
    const b = findBursts([...texts].reverse(), NOW);
    expect(b).toEqual(a);
  });
});

describe('cost', () => {
  it('a full window of a flood (1,000 texts of 40 words) is read in seconds at worst, the group around one contact in less', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const vocabulary = Array.from({ length: 3000 }, () => Array.from({ length: 7 }, () => letters[(rnd() * 26) | 0]).join(''));
    // Zipf-like: a few words are everywhere, most are rare, as in real texts.
    const pick = () => vocabulary[Math.floor(vocabulary.length * rnd() ** 3)];
    const texts = Array.from({ length: 1000 }, (_, i) => text(Array.from({ length: 40 }, pick).join(' '), { minutesAgo: (i % 19) + 0.5 }));
    let start = performance.now();
    findBursts(texts, NOW);
    const all = performance.now() - start;
    start = performance.now();
    burstAround(texts, texts[500].contactId, NOW);
    const around = performance.now() - start;
    console.log(`1,000 texts of 40 words: findBursts ${all.toFixed(0)} ms, burstAround ${around.toFixed(0)} ms`);
    // Loose bounds: the development machine is shared; the printed figures are the measurement.
    expect(all).toBeLessThan(5000);
    expect(around).toBeLessThan(2000);
  });
});

describe('the group around one contact (pushed as each contact arrives)', () => {
  it('finds the group the newest contact joined, and nothing for a contact on another subject', () => {
    const texts = [...outage.map((b) => text(b)), text('When is the next phone bank?')];
    const b = burstAround(texts, texts[3].contactId, NOW);
    expect(b?.contacts).toBe(4);
    expect(b?.words).toContain('page');
    expect(burstAround(texts, texts[4].contactId, NOW)).toBeNull();
    expect(burstAround(texts.slice(0, 3), texts[2].contactId, NOW)).toBeNull();
    expect(burstAround(texts, 'nobody', NOW)).toBeNull();
  });
});

describe('reading the window once per check', () => {
  /** A seeded mix: 40 contacts writing 1-4 texts each from a small vocabulary, so groups form and overlap. */
  function window(seed: number) {
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const words = 'donation page error down office phoenix closed rally moved shift canvass receipt refund login password'.split(' ');
    const texts: (RecentText & { messageId: string })[] = [];
    for (let c = 0; c < 40; c++)
      for (let k = 0, n = 1 + Math.floor(rnd() * 4); k < n; k++) {
        const body = Array.from({ length: 2 + Math.floor(rnd() * 5) }, () => words[Math.floor(words.length * rnd())]).join(' ');
        texts.push({ ...text(body, { contactId: `c${c}`, minutesAgo: 25 * rnd() }), messageId: `m${seed}-${texts.length}` });
      }
    return { texts, rnd };
  }

  it('"before" derived from the full reading is the reading of the window without the new texts', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { texts, rnd } = window(seed);
      const without = new Set(texts.filter(() => rnd() < 0.1).map((t) => t.messageId));
      const derived = readWindowWithout(readWindow(texts, NOW), texts, without, NOW);
      const fresh = readWindow(
        texts.filter((t) => !without.has(t.messageId)),
        NOW,
      );
      expect(derived.docs).toEqual(fresh.docs);
      for (let c = 0; c < 40; c++) expect(inGroup(derived, `c${c}`)).toBe(burstAround(fresh, `c${c}`, NOW) !== null);
    }
  });

  it('a stored message is read once, and read again if its text is not the one remembered', () => {
    const { texts } = window(9);
    const plain = texts.map(({ messageId: _, ...t }) => t);
    expect(findBursts(texts, NOW)).toEqual(findBursts(plain, NOW));
    expect(findBursts(texts, NOW)).toEqual(findBursts(plain, NOW));
    const first = { ...text('the rally was moved'), messageId: 'same-id' };
    expect([...readWindow([first], NOW).docs.get(first.contactId)!.stems]).toEqual(['rally', 'moved']);
    const changed = { ...first, text: 'phoenix office closed' };
    expect([...readWindow([changed], NOW).docs.get(first.contactId)!.stems]).toEqual(['phoen', 'offic', 'close']);
  });
});
