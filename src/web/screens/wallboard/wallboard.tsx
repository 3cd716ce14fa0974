import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TransferDialog } from '../../components/transfer-dialog.js';
import type { EventBus } from '../../events.js';
import type { Conversation } from '../../types.js';
import { AgentList } from './agent-list.js';
import { AlertList } from './alert-list.js';
import { totals } from './figures.js';
import { Kpis } from './kpis.js';
import { OpenConversations } from './open-conversations.js';
import { QueueTable } from './queue-table.js';
import { ChannelChart, HourChart } from './today-charts.js';
import { useWallboardData } from './use-wallboard-data.js';

/** The supervisor wallboard: live queues against their SLA, agents, today's volumes, open work and escalations. */
export function Wallboard({ bus, onOpenConversation }: { bus: EventBus; onOpenConversation: (id: string) => void }) {
  const { t } = useTranslation();
  const data = useWallboardData(bus);
  const [reassign, setReassign] = useState<Conversation | null>(null);
  // Waits keep counting between server updates.
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);

  return (
    <main className="page-column wallboard" aria-label={t('wallboard.label')}>
      <Kpis totals={totals(data.queues.list, data.queues.at, now)} agents={data.agents} />
      <div className="wb-grid">
        <QueueTable queues={data.queues.list} fetchedAt={data.queues.at} now={now} />
        <AgentList agents={data.agents} report={data.report} onSetPresence={data.setAgentPresence} />
        <ChannelChart report={data.report} />
        <HourChart report={data.report} />
        <OpenConversations conversations={data.open} agents={data.agents} now={now} onOpen={onOpenConversation} onReassign={setReassign} />
        <AlertList alerts={data.alerts} onOpen={onOpenConversation} />
      </div>
      {reassign && <TransferDialog id={reassign.id} currentQueue={reassign.queue} onClose={() => (setReassign(null), data.reload())} />}
    </main>
  );
}
