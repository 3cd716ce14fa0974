import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { csvLine, dayStart, HANDLE_SECONDS, rangeEnd } from './summary.js';
import { ZRange } from './range.js';

export const ZConversationExportQuery = ZRange.and(
  z.object({
    queue: z.string().min(1).max(100).optional(),
    agentId: z.string().uuid().optional(),
    channel: z.enum(['voice', 'sms', 'email', 'slack']).optional(),
  }),
);
export type ConversationExportQuery = z.output<typeof ZConversationExportQuery>;

/**
 * One line per conversation created in the range. No message text and no contact address:
 * an export is for figures; the desk (audited) is where people read conversations.
 */
export const CONVERSATION_COLUMNS = [
  'number',
  'createdAt',
  'localDay',
  'channel',
  'queue',
  'status',
  'agent',
  'disposition',
  'tags',
  'waitSeconds',
  'firstResponseSeconds',
  'handleSeconds',
  'resolutionSeconds',
  'pendingSeconds',
  'transfers',
  'slaBreaches',
  'csatScore',
  'resolvedAt',
] as const;

const PAGE = 5000;

/** ISO 8601 in UTC, as the API writes instants. */
const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

type Line = Record<(typeof CONVERSATION_COLUMNS)[number], unknown> & { id: string; cursor_t: string };

/** Writes the CSV page by page (keyset on created_at, id) so a big range never sits in memory at once. */
export async function writeConversationCsv(db: DbOrTx, tz: string, q: ConversationExportQuery, write: (chunk: string) => Promise<void>) {
  await write(csvLine([...CONVERSATION_COLUMNS]));
  // The cursor keeps Postgres' text form: microseconds a JS Date would drop.
  let after: { t: string; id: string } | null = null;
  let total = 0;
  for (;;) {
    const filters: SQL[] = [sql`c.created_at >= ${dayStart(q.from, tz)}`, sql`c.created_at < ${rangeEnd(q.to, tz)}`];
    if (q.queue) filters.push(sql`c.queue_key = ${q.queue}`);
    if (q.agentId) filters.push(sql`c.assignee_id = ${q.agentId}`);
    if (q.channel) filters.push(sql`c.channel = ${q.channel}`);
    if (after) filters.push(sql`(c.created_at, c.id) > (${after.t}::timestamptz, ${after.id}::uuid)`);
    const rows = (await db.execute(sql`
      select c.id, c.created_at::text as cursor_t, c.number, ${iso(sql`c.created_at`)} as "createdAt",
        to_char(c.created_at at time zone ${tz}, 'YYYY-MM-DD') as "localDay",
        c.channel, c.queue_key as queue, c.status, a.name as agent, c.disposition, array_to_string(c.tags, ' ') as tags,
        round(extract(epoch from c.accepted_at - c.created_at))::int as "waitSeconds",
        round(extract(epoch from c.first_reply_at - c.created_at))::int as "firstResponseSeconds",
        round(${HANDLE_SECONDS})::int as "handleSeconds",
        round(extract(epoch from c.resolved_at - c.created_at))::int as "resolutionSeconds",
        c.pending_seconds as "pendingSeconds", c.transfer_count as transfers,
        jsonb_array_length(c.sla_breaches) as "slaBreaches", s.score as "csatScore",
        ${iso(sql`c.resolved_at`)} as "resolvedAt"
      from conversations c
      left join agents a on a.id = c.assignee_id
      left join csat_surveys s on s.conversation_id = c.id
      where ${sql.join(filters, sql` and `)}
      order by c.created_at, c.id
      limit ${PAGE}
    `)) as unknown as Line[];
    if (!rows.length) break;
    total += rows.length;
    await write(rows.map((r) => csvLine(CONVERSATION_COLUMNS.map((col) => r[col]))).join(''));
    const last = rows[rows.length - 1];
    after = { t: last.cursor_t, id: last.id };
    if (rows.length < PAGE) break;
  }
  return total;
}
