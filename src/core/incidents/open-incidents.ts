import { desc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { incidents, type IncidentRow, type Language, type LocalizedText } from '../../db/schema.js';

/** Open incidents, newest first. */
export async function openIncidents(db: DbOrTx): Promise<IncidentRow[]> {
  return db.select().from(incidents).where(eq(incidents.status, 'open')).orderBy(desc(incidents.declaredAt));
}

/** Does this incident concern any of these queues? One naming no queue concerns all. */
export const concernsQueues = (incident: Pick<IncidentRow, 'queues'>, queueKeys: readonly string[]): boolean =>
  incident.queues.length === 0 || incident.queues.some((q) => queueKeys.includes(q));

/** Open incidents that concern any of these queues, newest first (open incidents are a handful). */
export async function openIncidentsFor(db: DbOrTx, queueKeys: string[]): Promise<IncidentRow[]> {
  return (await openIncidents(db)).filter((i) => concernsQueues(i, queueKeys));
}

/** A localized text in `language` (English when it has no Spanish). */
export const textIn = (text: LocalizedText, language: Language | null | undefined): string =>
  (language === 'es' ? text.es : undefined) ?? text.en;
