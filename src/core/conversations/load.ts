import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations } from '../../db/schema.js';
import { canSee, type Actor } from '../agents/actor.js';
import { forbidden, notFound } from '../errors.js';

/** Loads a conversation the actor may see, or fails with not_found / forbidden. */
export async function loadVisibleConversation(db: DbOrTx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(conversations).where(eq(conversations.id, id));
  const [c] = opts.forUpdate ? await q.for('update') : await q;
  if (!c) throw notFound('conversation');
  if (!canSee(actor, c)) throw forbidden('this conversation is in a queue you do not serve');
  return c;
}
