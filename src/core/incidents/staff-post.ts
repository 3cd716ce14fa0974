import { eq } from 'drizzle-orm';
import { incidents, type IncidentRow } from '../../db/schema.js';
import { loadCrisisSettings } from '../crisis/crisis-settings.js';
import type { Deps } from '../ports.js';

/**
 * Tells staff in the configured Slack channel (`PUT /api/crisis/settings {staffSlackChannel}`)
 * that an incident was declared or resolved; the resolution goes in the declaration's thread.
 * Best effort, after commit: Slack being down never fails a declaration.
 */
export async function postIncidentToStaff(deps: Deps, incident: IncidentRow, what: 'declared' | 'resolved'): Promise<void> {
  const sender = deps.channels.slack;
  if (!sender?.staffPost) return;
  try {
    const { staffSlackChannel } = await loadCrisisSettings(deps.db);
    if (!staffSlackChannel) return;
    const text =
      what === 'declared'
        ? `:rotating_light: Incident declared: ${incident.title}\nCallers and new contacts hear: ${incident.publicMessage.en}`
        : `:white_check_mark: Incident resolved: ${incident.title}${incident.resolutionMessage ? `\nLinked contacts were told: ${incident.resolutionMessage.en}` : ''}`;
    const thread = what === 'resolved' && incident.slackPost?.channel === staffSlackChannel ? incident.slackPost.ts : undefined;
    const posted = await sender.staffPost(staffSlackChannel, text, thread);
    if (what === 'declared') {
      await deps.db
        .update(incidents)
        .set({ slackPost: { channel: staffSlackChannel, ts: posted.ts } })
        .where(eq(incidents.id, incident.id));
    }
  } catch (err) {
    deps.log.warn({ err, incidentId: incident.id }, 'could not post the incident to the staff Slack channel');
  }
}
