import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { incidents, type IncidentRow, type Language, type LocalizedText } from '../../db/schema.js';

/** Open incidents, newest first. */
export async function openIncidents(db: DbOrTx): Promise<IncidentRow[]> {
  return db.select().from(incidents).where(eq(incidents.status, 'open')).orderBy(desc(incidents.declaredAt));
}

/** Open incidents that concern any of these queues (an incident naming no queue concerns all). */
export async function openIncidentsFor(db: DbOrTx, queues: string[]): Promise<IncidentRow[]> {
  const queueList = sql`ARRAY[${sql.join(
    queues.map((q) => sql`${q}`),
    sql`, `,
  )}]::text[]`;
  return db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.status, 'open'),
        queues.length ? sql`(${incidents.queues} = '{}' or ${incidents.queues} && ${queueList})` : sql`${incidents.queues} = '{}'`,
      ),
    )
    .orderBy(desc(incidents.declaredAt));
}

/** A localized text in `language` (English when it has no Spanish). */
export const textIn = (text: LocalizedText, language: Language | null | undefined): string =>
  (language === 'es' ? text.es : undefined) ?? text.en;
