import type { Language } from '../../db/schema.js';
import { compileRules, extendRules, type CompiledRules, type LanguageRules, type RiskLevel, type Term } from './matcher.js';
import { EN } from './terms-en.js';
import { ES } from './terms-es.js';

/** The phrases Switchboard ships with, per language. */
export const BUILT_IN_RULES: Record<Language, LanguageRules> = { en: EN, es: ES };

/** An admin's own phrase (`GET/PUT /api/crisis/terms`), checked on top of the built-in ones. */
export type AdminTerm = { language: Language; level: RiskLevel; phrase: string };

let builtIn: CompiledRules | undefined;
let last: { terms: readonly AdminTerm[]; key: string; rules: CompiledRules } | undefined;

/** The built-in phrases, compiled once per process (a few hundred milliseconds). */
export function builtInRules(): CompiledRules {
  builtIn ??= compileRules(BUILT_IN_RULES);
  return builtIn;
}

/**
 * Built-in rules plus admin terms. Only the admin terms are compiled (cheap), and the last set is
 * kept: every process compiles its own copy from what Postgres holds, so nothing is shared in memory.
 * Admin terms count as self-harm: the category says which kind of help, and an admin's term (a
 * code word, a local place) usually means "get a person to this now".
 */
export function rulesWith(adminTerms: readonly AdminTerm[]): CompiledRules {
  // The same list as last time (the process' copy, admin-cache.ts): nothing to compare.
  if (last?.terms === adminTerms) return last.rules;
  const key = JSON.stringify(adminTerms.map((t) => [t.language, t.level, t.phrase]));
  if (last?.key !== key) {
    const extra = adminTerms.map((t) => ({
      language: t.language,
      term: { phrase: t.phrase, level: t.level, category: 'self-harm', label: t.phrase } satisfies Term,
    }));
    last = { terms: adminTerms, key, rules: extendRules(builtInRules(), extra) };
  } else last = { ...last, terms: adminTerms };
  return last.rules;
}
