import { useEffect, useState } from 'react';
import { i18next } from '../i18n.js';
import { api } from '../api.js';
import { reportError } from '../notices.js';
import type { TransferTargets } from '../types.js';

/**
 * Where one conversation (or call) can be transferred: every queue, and every agent but the
 * caller with whether they could take it now and, if not, why (the server decides both).
 */
export function useTransferTargets(conversationId: string) {
  const [targets, setTargets] = useState<TransferTargets>({ queues: [], agents: [] });
  useEffect(() => {
    api.transferTargets(conversationId).then(setTargets, reportError(i18next.t('errors.loadTransferTargets')));
  }, [conversationId]);
  return targets;
}
