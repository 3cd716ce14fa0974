import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { BOOTSTRAP_LOCK } from '../db/advisory-locks.js';
import { agents, queues } from '../db/schema.js';
import { createAgent } from './agents/manage-agents.js';
import { DEFAULT_QUEUES } from './conversations/types.js';
import type { Deps } from './ports.js';

/**
 * First start: seeds the default queues (never overwriting an admin's edits)
 * and creates the first admin when no agent exists yet.
 */
export async function bootstrap(
  deps: Pick<Deps, 'db' | 'log' | 'config'>,
): Promise<{ adminCreated?: { email: string; password?: string } }> {
  await deps.db
    .insert(queues)
    .values(DEFAULT_QUEUES.map((q) => ({ ...q })))
    .onConflictDoNothing();
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(agents)) as [{ n: number }];
    if (n > 0) return {};
    const email = deps.config.admin.email ?? 'admin@localhost';
    const generated = deps.config.admin.password ? undefined : randomBytes(12).toString('base64url');
    // A generated password was shown on a console: the admin must replace it before anything else.
    await createAgent(tx, {
      email,
      name: 'Administrator',
      password: deps.config.admin.password ?? generated!,
      role: 'admin',
      mustChangePassword: !!generated,
    });
    if (generated) {
      // Printed once, on purpose, to the console only: there is no other way to hand it over.
      process.stdout.write(
        `\nSwitchboard: first admin created: ${email} / ${generated}\nYou will be asked to change it when you first sign in.\n\n`,
      );
    } else {
      deps.log.info('first admin created from ADMIN_EMAIL');
    }
    return { adminCreated: { email, password: generated } };
  });
}
