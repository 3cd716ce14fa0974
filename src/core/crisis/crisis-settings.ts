import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { crisisSettings, crisisTerms, type Language, type LocalizedText } from '../../db/schema.js';
import { contactText } from '../contact-texts.js';
import type { AdminTerm } from './built-in-rules.js';

export type CrisisSettings = { resourcesText: LocalizedText | null; staffSlackChannel: string | null };

const DEFAULTS: CrisisSettings = { resourcesText: null, staffSlackChannel: null };

/** The settings row (defaults when an admin never saved any). */
export async function loadCrisisSettings(db: DbOrTx): Promise<CrisisSettings> {
  const [row] = await db.select().from(crisisSettings).where(eq(crisisSettings.id, 1));
  return row ? { resourcesText: row.resourcesText, staffSlackChannel: row.staffSlackChannel } : DEFAULTS;
}

/** The admin's phrases, in a stable order (the compiled rules are cached by this list). */
export async function loadAdminTerms(db: DbOrTx): Promise<AdminTerm[]> {
  return db
    .select({ language: crisisTerms.language, level: crisisTerms.level, phrase: crisisTerms.phrase })
    .from(crisisTerms)
    .orderBy(crisisTerms.language, crisisTerms.level, crisisTerms.phrase);
}

/** The crisis-resources text in `language`: the admin's version if set (English when it has no Spanish), else the built-in one. */
export function resourcesText(settings: CrisisSettings, language: Language): string {
  const custom = settings.resourcesText;
  if (custom) return (language === 'es' ? custom.es : undefined) ?? custom.en;
  return contactText('crisis.resources', language);
}
