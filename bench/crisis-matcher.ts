/**
 * How long the crisis matcher takes: compiling the phrase lists (once per process, and again
 * when an admin changes the terms) and checking texts of the sizes that arrive (an SMS, a mail,
 * the longest mail body checked). Prints figures; `npm run bench:crisis`.
 */
import { BUILT_IN_RULES, rulesWith } from '../src/core/crisis/built-in-rules.js';
import { compileRules, detectRisk, MAX_CHECKED_CHARS } from '../src/core/crisis/matcher.js';
import { CORPUS_EN } from '../test/crisis/corpus-en.js';
import { CORPUS_ES } from '../test/crisis/corpus-es.js';

const time = (fn: () => void, runs: number) => {
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - start) / runs;
};

let n = 0;
const compileMs = time(() => compileRules(BUILT_IN_RULES), 5);
const adminMs = time(() => rulesWith([{ language: 'en', level: 'high', phrase: `bench term ${n++}` }]), 20);
const rules = rulesWith([]);
const texts = [...CORPUS_EN, ...CORPUS_ES].map(([, t]) => t);
const sms = time(() => texts.forEach((t) => detectRisk(t, rules)), 20) / texts.length;
const mail = texts.slice(0, 20).join(' ');
const long = texts.join(' ').repeat(20).slice(0, MAX_CHECKED_CHARS);
console.log(`compile the built-in phrases:    ${compileMs.toFixed(0)} ms (once per process)`);
console.log(`add changed admin terms:        ${adminMs.toFixed(1)} ms`);
console.log(`check one SMS-sized text:       ${(sms * 1000).toFixed(0)} µs (mean over ${texts.length} corpus sentences)`);
console.log(`check a ${mail.length}-character mail:  ${time(() => detectRisk(mail, rules), 50).toFixed(2)} ms`);
console.log(`check ${long.length} characters (the cap): ${time(() => detectRisk(long, rules), 10).toFixed(1)} ms`);
