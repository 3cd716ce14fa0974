import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { crisisSettings } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { recordAudit } from '../audit/record-audit.js';
import { loadCrisisSettings, type CrisisSettings } from './crisis-settings.js';

const ZText = z.string().trim().min(1).max(1000);

/** `PUT /api/crisis/settings`: the resources text contacts get (null: the built-in 988/911 text), the staff Slack channel. */
export const ZCrisisSettings = z
  .object({
    resourcesText: z
      .union([ZText.transform((en) => ({ en })), z.object({ en: ZText, es: ZText.optional() }).strict()])
      .nullable()
      .optional(),
    staffSlackChannel: z
      .string()
      .regex(/^[CG][A-Z0-9]{6,}$/, 'must be a Slack channel id such as C0123456789')
      .nullable()
      .optional(),
  })
  .strict();

export async function putCrisisSettings(
  db: Db,
  actor: Actor,
  input: z.output<typeof ZCrisisSettings>,
  ip?: string | null,
): Promise<CrisisSettings> {
  return db.transaction(async (tx) => {
    const before = await loadCrisisSettings(tx);
    const after: CrisisSettings = {
      resourcesText: input.resourcesText === undefined ? before.resourcesText : input.resourcesText,
      staffSlackChannel: input.staffSlackChannel === undefined ? before.staffSlackChannel : input.staffSlackChannel,
    };
    await tx
      .insert(crisisSettings)
      .values({ id: 1, ...after })
      .onConflictDoUpdate({ target: crisisSettings.id, set: { ...after, updatedAt: new Date() } });
    await recordAudit(tx, {
      actorId: actor.id,
      action: 'crisis.settings.update',
      target: 'crisis:settings',
      ip,
      details: { before, after },
    });
    return after;
  });
}
