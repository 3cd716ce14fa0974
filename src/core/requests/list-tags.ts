import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { visibleConversations } from '../../db/queries/visibility.js';
import type { Actor } from '../agents/actor.js';

/** Tags in use on conversations the actor may see, most used first (the desk's filter and suggestions). */
export async function listTags(db: DbOrTx, actor: Actor): Promise<{ tag: string; conversations: number }[]> {
  const rows = (await db.execute(sql`
    select tag, count(*)::int as n from conversations, unnest(tags) as tag
    where cardinality(tags) > 0 and ${visibleConversations(actor)}
    group by tag order by n desc, tag limit 200
  `)) as unknown as { tag: string; n: number }[];
  return rows.map((t) => ({ tag: t.tag, conversations: t.n }));
}
