import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { visibleConversations } from '../../db/queries/visibility.js';
import type { Channel, ConversationStatus } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';

export const ZSearch = z.object({
  q: z.string().trim().min(1, 'q: type something to search for').max(200),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export type SearchResult = {
  conversationId: string;
  number: number;
  status: ConversationStatus;
  channel: Channel;
  queue: string;
  contact: { id: string; name: string | null; address: string | null };
  /** Where it matched: the message text around the words (matches in «»), or the contact's name/address. */
  snippet: string;
  /** What matched: `number`, `message` or `contact`. */
  matched: 'number' | 'message' | 'contact';
  lastMessageAt: string;
};

/** `#1042` (or a bare 4+ digit number that may be a reference): the conversation with that number. */
const REFERENCE = /^#\s*(\d{1,10})$/;

/**
 * `GET /api/search?q=`: one box over references (`#1042`), message text (Postgres full-text in
 * English and Spanish over the generated `messages.search` column, GIN-indexed) and contact names
 * and addresses (pg_trgm fragments); only conversations the actor may see. Newest activity first;
 * a reference match comes before everything else.
 */
export async function search(db: DbOrTx, actor: Actor, input: z.output<typeof ZSearch>): Promise<SearchResult[]> {
  const ref = REFERENCE.exec(input.q) ?? /^(\d{4,9})$/.exec(input.q);
  const visible = visibleConversations(actor, 'c');
  const out: SearchResult[] = [];
  if (ref) {
    const n = Number(ref[1]);
    if (n <= 2_147_483_647) out.push(...(await rows(db, sql`c.number = ${n} and ${visible}`, sql`'number'`, sql`''`, 1)));
    if (REFERENCE.test(input.q)) return out;
  }
  const terms = input.q.replace(/^#/, '');
  // Messages: the newest matching message per conversation, by the GIN index; the headline is
  // computed only for the rows returned.
  const tsq = sql`(websearch_to_tsquery('english', ${terms}) || websearch_to_tsquery('spanish', ${terms}))`;
  const recent = (await db.execute(sql`
    select m.conversation_id as id, m.id as message_id from messages m join conversations c on c.id = m.conversation_id
    where m.search @@ ${tsq} and ${visible}
    order by m.created_at desc limit ${input.limit * 5}
  `)) as unknown as { id: string; message_id: string }[];
  // The newest matching message per conversation; the headline only for those.
  const newest = new Map<string, string>();
  for (const h of recent) if (!newest.has(h.id)) newest.set(h.id, h.message_id);
  const firstHits = [...newest.entries()].slice(0, input.limit);
  const messageHits = firstHits.length
    ? ((await db.execute(sql`
        select m.conversation_id as id,
          ts_headline('english', m.body, ${tsq}, 'StartSel=«, StopSel=», MaxWords=18, MinWords=6, MaxFragments=1') as snippet
        from messages m where m.id in (${sql.join(
          firstHits.map(([, mid]) => sql`${mid}::uuid`),
          sql`, `,
        )})
      `)) as unknown as { id: string; snippet: string }[])
    : [];
  messageHits.sort((a, b) => firstHits.findIndex(([id]) => id === a.id) - firstHits.findIndex(([id]) => id === b.id));
  // Contacts: a name or address fragment (3+ characters so the trigram indexes can serve it);
  // each side of the union uses its own GIN index, then their conversations are joined.
  const frag = `%${terms.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`;
  const digits = terms.replace(/[^\d]/g, '');
  const contactMatch =
    terms.length >= 3
      ? sql`c.contact_id in (
          select id from contacts where name ilike ${frag}
          union select contact_id from contact_identities where value ilike ${frag}
          ${digits.length >= 4 && digits !== terms ? sql`union select contact_id from contact_identities where kind = 'phone' and value like ${`%${digits}%`}` : sql``}
          limit 500)`
      : sql`false`;
  const seen = new Set(out.map((r) => r.conversationId));
  const byMessage = messageHits.filter((h) => !seen.has(h.id));
  if (byMessage.length) {
    const snippets = new Map(byMessage.map((h) => [h.id, h.snippet]));
    const found = await rows(
      db,
      sql`c.id in (${sql.join(
        byMessage.map((h) => sql`${h.id}::uuid`),
        sql`, `,
      )})`,
      sql`'message'`,
      sql`''`,
      input.limit,
    );
    for (const r of found) r.snippet = snippets.get(r.conversationId) ?? '';
    // Keep the full-text order (newest matching message first).
    found.sort((a, b) => byMessage.findIndex((h) => h.id === a.conversationId) - byMessage.findIndex((h) => h.id === b.conversationId));
    out.push(...found);
    found.forEach((r) => seen.add(r.conversationId));
  }
  if (out.length < input.limit) {
    const exclude = seen.size
      ? sql`and c.id not in (${sql.join(
          [...seen].map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`
      : sql``;
    out.push(
      ...(await rows(
        db,
        sql`${contactMatch} and ${visible} ${exclude}`,
        sql`'contact'`,
        sql`coalesce(ct.name, '') || ' ' || coalesce((select string_agg(i.value, ' ') from contact_identities i where i.contact_id = ct.id), '')`,
        input.limit - out.length,
      )),
    );
  }
  return out.slice(0, input.limit);
}

async function rows(
  db: DbOrTx,
  where: ReturnType<typeof sql>,
  matched: ReturnType<typeof sql>,
  snippet: ReturnType<typeof sql>,
  limit: number,
): Promise<SearchResult[]> {
  const found = (await db.execute(sql`
    select c.id, c.number, c.status, c.channel, c.queue_key, c.last_message_at, ct.id as contact_id, ct.name,
      (select i.value from contact_identities i where i.id = c.contact_identity_id
        union all select i.value from contact_identities i where i.contact_id = ct.id limit 1) as address,
      ${matched} as matched, ${snippet} as snippet
    from conversations c join contacts ct on ct.id = c.contact_id
    where ${where}
    order by c.last_message_at desc, c.id desc
    limit ${limit}
  `)) as unknown as {
    id: string;
    number: number;
    status: ConversationStatus;
    channel: Channel;
    queue_key: string;
    last_message_at: Date | string;
    contact_id: string;
    name: string | null;
    address: string | null;
    matched: SearchResult['matched'];
    snippet: string;
  }[];
  return found.map((r) => ({
    conversationId: r.id,
    number: r.number,
    status: r.status,
    channel: r.channel,
    queue: r.queue_key,
    contact: { id: r.contact_id, name: r.name, address: r.address },
    snippet: r.snippet.trim(),
    matched: r.matched,
    lastMessageAt: new Date(r.last_message_at).toISOString(),
  }));
}
