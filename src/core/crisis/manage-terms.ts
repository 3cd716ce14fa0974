import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { crisisTerms, LANGUAGES, type Language } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { recordAudit } from '../audit/record-audit.js';
import { AppError } from '../errors.js';
import { BUILT_IN_RULES, type AdminTerm } from './built-in-rules.js';
import { loadAdminTerms } from './crisis-settings.js';
import { RISK_LEVELS, type TermLevel } from './matcher.js';
import { parsePhrase, PhraseError } from './phrase.js';

/** Admin phrases are short: a code word, a place, a local expression. */
export const MAX_TERM_CHARS = 200;
export const MAX_TERMS = 500;

const ZPhrase = z.string().trim().min(1, 'a phrase is empty').max(MAX_TERM_CHARS, `a phrase is longer than ${MAX_TERM_CHARS} characters`);
const ZLevels = z.object({ high: z.array(ZPhrase).optional(), medium: z.array(ZPhrase).optional() }).strict();
const ZByLanguage = z.object({ en: ZLevels.optional(), es: ZLevels.optional() }).strict();
const ZFlat = z.array(z.object({ language: z.enum(LANGUAGES), level: z.enum(RISK_LEVELS), phrase: ZPhrase }).strict());

/**
 * `PUT /api/crisis/terms`: the whole list of admin phrases, per language and level
 * (`{terms: {en: {high: [..], medium: [..]}, es: {..}}}`), or as `[{language, level, phrase}]`.
 */
export const ZPutTerms = z.union([z.object({ terms: z.union([ZByLanguage, ZFlat]) }).strict(), ZByLanguage]).transform((v): AdminTerm[] => {
  const given = 'terms' in v ? v.terms : v;
  if (Array.isArray(given)) return given;
  return LANGUAGES.flatMap((language) =>
    RISK_LEVELS.flatMap((level) => (given[language]?.[level] ?? []).map((phrase) => ({ language, level, phrase }))),
  );
});

type ByLevel<L extends string> = Record<Language, Record<L, string[]>>;

export type CrisisTermsView = {
  /** The admin's phrases. */
  terms: ByLevel<'high' | 'medium'>;
  /** What Switchboard checks anyway (`cue` phrases only count next to another signal). */
  builtIn: ByLevel<TermLevel>;
};

export async function getCrisisTerms(db: Db): Promise<CrisisTermsView> {
  return view(await loadAdminTerms(db));
}

/** Replaces the admin's phrases (each checked like a built-in one); audited with what was added and removed. */
export async function putCrisisTerms(db: Db, actor: Actor, input: AdminTerm[], ip?: string | null): Promise<CrisisTermsView> {
  const wanted = dedupe(input);
  if (wanted.length > MAX_TERMS) throw new AppError('bad_request', `terms: at most ${MAX_TERMS} phrases`);
  for (const t of wanted) {
    try {
      parsePhrase(t.phrase);
    } catch (err) {
      if (err instanceof PhraseError) throw new AppError('bad_request', `terms.${t.language}.${t.level}: ${err.message}`);
      throw err;
    }
  }
  const after = await db.transaction(async (tx) => {
    // Two admins saving at once: one list wins whole, not a mix of both.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('crisis_terms'))`);
    const before = await loadAdminTerms(tx);
    await tx.delete(crisisTerms);
    if (wanted.length) await tx.insert(crisisTerms).values(wanted.map((t) => ({ ...t, createdBy: actor.id })));
    const key = (t: AdminTerm) => `${t.language}/${t.level}/${t.phrase}`;
    const had = new Set(before.map(key));
    const has = new Set(wanted.map(key));
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crisis.terms.update',
      target: 'crisis:terms',
      ip,
      details: { added: wanted.filter((t) => !had.has(key(t))), removed: before.filter((t) => !has.has(key(t))), count: wanted.length },
    });
    return loadAdminTerms(tx);
  });
  return view(after);
}

function dedupe(terms: AdminTerm[]): AdminTerm[] {
  const seen = new Map(terms.map((t) => [`${t.language}/${t.level}/${t.phrase}`, t]));
  return [...seen.values()];
}

function view(adminTerms: AdminTerm[]): CrisisTermsView {
  const terms = Object.fromEntries(
    LANGUAGES.map((lang) => [
      lang,
      Object.fromEntries(
        RISK_LEVELS.map((level) => [level, adminTerms.filter((t) => t.language === lang && t.level === level).map((t) => t.phrase)]),
      ),
    ]),
  ) as ByLevel<'high' | 'medium'>;
  const builtIn = Object.fromEntries(
    LANGUAGES.map((lang) => [
      lang,
      Object.fromEntries(
        (['high', 'medium', 'cue'] as const).map((level) => [
          level,
          BUILT_IN_RULES[lang].terms.filter((t) => t.level === level).map((t) => t.phrase),
        ]),
      ),
    ]),
  ) as ByLevel<TermLevel>;
  return { terms, builtIn };
}
