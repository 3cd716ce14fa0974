import type { DbOrTx } from '../../db/client.js';
import type { RenderContext } from '../../ivr/render.js';
import type { Logger } from '../../logger.js';
import { rulesWith } from './built-in-rules.js';
import { loadAdminTerms } from './crisis-settings.js';
import { detectRisk } from './matcher.js';

/**
 * What the IVR needs from crisis handling for one step of a call: a check of the caller's spoken
 * words (a hit skips the menu to the crisis queue). A failing check routes as if nothing was said.
 */
export async function crisisCallContext(db: DbOrTx, log: Logger): Promise<Pick<RenderContext, 'crisisSpeech'>> {
  const rules = rulesWith(await loadAdminTerms(db));
  return {
    crisisSpeech(speech) {
      try {
        return detectRisk(speech, rules) !== null;
      } catch (err) {
        log.error({ err }, 'crisis check of IVR speech failed');
        return false;
      }
    },
  };
}
