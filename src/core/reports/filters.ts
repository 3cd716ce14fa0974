import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { CHANNELS } from '../../db/schema.js';
import { PLAN_EACH_RUN, type DbOrTx } from '../../db/client.js';
import type { DateRange } from './range.js';

/** `none` picks the conversations without one: nobody took them, or they closed without a code. */
const NONE = 'none';

/**
 * What narrows a report or a conversation list to one figure's conversations: the desk's
 * drill-down passes the clicked row's key here (docs/reports.md).
 */
export const ZReportFilters = z.object({
  queue: z.string().min(1).max(100).optional(),
  agentId: z.union([z.string().uuid(), z.literal(NONE)]).optional(),
  channel: z.enum(CHANNELS).optional(),
  disposition: z.string().min(1).max(100).optional(),
  /** Local hour of creation, 0–23 (organisation's time zone). */
  hour: z.coerce.number().int().min(0).max(23).optional(),
});
export type ReportFilters = z.output<typeof ZReportFilters>;

/** Start of a calendar day of the organisation, as an instant (daylight-saving aware). */
export const dayStart = (day: string, tz: string) => sql`((${day}::date)::timestamp at time zone ${tz})`;
/** End (exclusive) of the range: midnight after `to`, local time. */
export const rangeEnd = (to: string, tz: string) => sql`((${to}::date + 1)::timestamp at time zone ${tz})`;

/** The range's first and last instants (organisation's days, daylight-saving aware), computed by Postgres' time-zone rules. */
export type RangeBounds = { start: Date; end: Date };

/**
 * Resolves the range to instants once: compared as constants, a million rows cost a fraction of
 * re-evaluating `day at time zone tz` per row (a prepared statement's generic plan does that).
 */
export async function rangeBounds(db: DbOrTx, q: DateRange, tz: string): Promise<RangeBounds> {
  const [row] = (await db.execute(sql`select ${dayStart(q.from, tz)} as start, ${rangeEnd(q.to, tz)} as "end"`)) as unknown as {
    start: Date | string;
    end: Date | string;
  }[];
  return { start: new Date(row.start), end: new Date(row.end) };
}

/** The conversations created in the range (organisation's days) that pass the filters, as SQL conditions over `conversations c`. */
export function conversationsOf(q: ReportFilters, tz: string, bounds: RangeBounds): SQL[] {
  const out: SQL[] = [
    // Planned for the range it is run with, not a generic plan's guess (src/db/client.ts).
    sql`${PLAN_EACH_RUN} c.created_at >= ${bounds.start.toISOString()}::timestamptz`,
    sql`c.created_at < ${bounds.end.toISOString()}::timestamptz`,
  ];
  if (q.queue) out.push(sql`c.queue_key = ${q.queue}`);
  if (q.agentId) out.push(q.agentId === NONE ? sql`c.assignee_id is null` : sql`c.assignee_id = ${q.agentId}`);
  if (q.channel) out.push(sql`c.channel = ${q.channel}`);
  if (q.disposition) out.push(q.disposition === NONE ? sql`c.disposition is null` : sql`c.disposition = ${q.disposition}`);
  if (q.hour !== undefined) out.push(sql`extract(hour from c.created_at at time zone ${tz})::int = ${q.hour}`);
  return out;
}
