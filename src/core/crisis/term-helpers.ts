import type { RiskCategory, Term, TermLevel, TermRole } from './matcher.js';

/** `terms('self-harm', 'high')('kill myself', …)`: one category, level and role for a run of phrases. */
export const terms =
  (category: RiskCategory, level: TermLevel, role: TermRole = 'statement') =>
  (...phrases: string[]): Term[] =>
    phrases.map((phrase) => ({ phrase, category, level, role }));
