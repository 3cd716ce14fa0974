import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import type { Channel } from '../../db/schema.js';
import { csvLine, HANDLE_SECONDS } from './summary.js';
import { conversationsOf, rangeBounds, ZReportFilters, type RangeBounds } from './filters.js';
import { ZRange } from './range.js';

export const ZConversationExportQuery = ZRange.and(
  ZReportFilters.extend({
    /** `json`: one page for the desk's drill-down (`limit` lines, with ids); `csv`: the whole range as a file. */
    format: z.enum(['csv', 'json']).default('csv'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
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
] as const satisfies readonly (keyof ConversationLine)[];

const PAGE = 5000;

/** ISO 8601 in UTC, as the API writes instants. */
const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

type Line = ConversationLine & { cursor_t: string };

type Cursor = { t: string; id: string };

/** Up to `limit` lines of the range in creation order, after `after`. */
async function linesOf(
  db: DbOrTx,
  tz: string,
  q: ConversationExportQuery,
  bounds: RangeBounds,
  after: Cursor | null,
  limit: number,
): Promise<Line[]> {
  const filters = conversationsOf(q, tz, bounds);
  if (after) filters.push(sql`(c.created_at, c.id) > (${after.t}::timestamptz, ${after.id}::uuid)`);
  return (await db.execute(sql`
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
    limit ${limit}
  `)) as unknown as Line[];
}

/** Writes the CSV page by page (keyset on created_at, id) so a big range never sits in memory at once. */
export async function writeConversationCsv(db: DbOrTx, tz: string, q: ConversationExportQuery, write: (chunk: string) => Promise<void>) {
  await write(csvLine([...CONVERSATION_COLUMNS]));
  // The cursor keeps Postgres' text form: microseconds a JS Date would drop.
  let after: Cursor | null = null;
  let total = 0;
  const bounds = await rangeBounds(db, q, tz);
  for (;;) {
    const rows = await linesOf(db, tz, q, bounds, after, PAGE);
    if (!rows.length) break;
    total += rows.length;
    await write(rows.map((r) => csvLine(CONVERSATION_COLUMNS.map((col) => r[col]))).join(''));
    const last = rows[rows.length - 1];
    after = { t: last.cursor_t, id: last.id };
    if (rows.length < PAGE) break;
  }
  return total;
}

/** One conversation's line, as the query returns it (seconds rounded; instants ISO 8601 UTC). */
export type ConversationLine = {
  id: string;
  number: number;
  createdAt: string;
  localDay: string;
  channel: Channel;
  queue: string;
  status: string;
  agent: string | null;
  disposition: string | null;
  tags: string;
  waitSeconds: number | null;
  firstResponseSeconds: number | null;
  handleSeconds: number | null;
  resolutionSeconds: number | null;
  pendingSeconds: number;
  transfers: number;
  slaBreaches: number;
  csatScore: number | null;
  resolvedAt: string | null;
};

/** The first `limit` conversations behind a figure (the desk opens them by id), and how many there are in all. */
export async function conversationPage(
  db: DbOrTx,
  tz: string,
  q: ConversationExportQuery,
): Promise<{ conversations: ConversationLine[]; total: number }> {
  const bounds = await rangeBounds(db, q, tz);
  const rows = await linesOf(db, tz, q, bounds, null, q.limit);
  const [{ total }] = (await db.execute(
    sql`select count(*)::int as total from conversations c where ${sql.join(conversationsOf(q, tz, bounds), sql` and `)}`,
  )) as unknown as { total: number }[];
  return {
    conversations: rows.map(({ cursor_t: _c, ...line }) => line),
    total,
  };
}
