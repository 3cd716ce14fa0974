import { useEffect, useState } from 'react';
import { api } from '../api.js';
import { reportError } from '../notices.js';
import type { DirectoryAgent, QueueStats } from '../types.js';

/** Where a conversation or call can be transferred: every queue, and every agent but the caller. */
export function useTransferTargets(meId: string | undefined) {
  const [queues, setQueues] = useState<QueueStats[]>([]);
  const [agents, setAgents] = useState<DirectoryAgent[]>([]);
  useEffect(() => {
    api.queues().then(setQueues, reportError('Could not load the queues'));
    api.directory().then((a) => setAgents(a.filter((x) => x.id !== meId)), reportError('Could not load the agents'));
  }, [meId]);
  return { queues, agents };
}
