import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, OPEN_STATUSES } from '../../db/schema.js';

/**
 * In a DM people rarely use threads: they just write again. So a DM message
 * joins the open conversation of that exact thread if there is one, else the
 * open DM conversation (not a /helpdesk request, which keeps its own thread).
 * The core still checks it is open and the same contact's.
 */
export async function findOpenDmConversation(db: DbOrTx, dmChannel: string, threadKey: string): Promise<string | undefined> {
  const sameThread = eq(conversations.threadKey, threadKey);
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        eq(conversations.channel, 'slack'),
        eq(conversations.inboxAddress, dmChannel),
        inArray(conversations.status, [...OPEN_STATUSES]),
        or(sameThread, sql`${conversations.metadata}->'slack'->>'via' is distinct from 'helpdesk'`),
      ),
    )
    .orderBy(desc(sql`(${sameThread})`), desc(conversations.createdAt))
    .limit(1);
  return row?.id;
}
