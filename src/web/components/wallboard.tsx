import { useCallback, useEffect, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../api.js';
import { channelLabel, contactLabel, percent, timeAgo, waitLabel } from '../format.js';
import { CHANNELS, type Agent, type Channel, type Conversation, type QueueStats, type TodayReport } from '../types.js';
import type { EventBus } from './app.js';
import { ChannelBadge, Empty, StatusPill } from './bits.js';
import { TransferDialog } from './conversation-view.js';
import { PresenceDot } from './top-bar.js';

const CHANNEL_COLOR: Record<Channel, string> = { sms: '#16a34a', voice: '#2563eb', email: '#d97706', slack: '#7c3aed' };

type Alert = { conversationId: string; queue: string; waitingSeconds: number; reason: string; at: number };

/** Longest wait now, advancing between server updates. */
export const liveWait = (q: QueueStats, fetchedAt: number, now: number) =>
  q.waiting + q.offered > 0 ? q.longestWaitSeconds + Math.max(0, (now - fetchedAt) / 1000) : 0;
export const breached = (q: QueueStats, wait: number) => q.waiting + q.offered > 0 && wait > q.slaSeconds;

export function Wallboard({ bus, onOpenConversation }: { bus: EventBus; onOpenConversation: (id: string) => void }) {
  const [queues, setQueues] = useState<{ list: QueueStats[]; at: number }>({ list: [], at: Date.now() });
  const [agents, setAgents] = useState<Agent[]>([]);
  const [report, setReport] = useState<TodayReport | null>(null);
  const [open, setOpen] = useState<Conversation[]>([]);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [reassign, setReassign] = useState<Conversation | null>(null);
  const [now, setNow] = useState(Date.now());
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadQueues = useCallback(
    () =>
      api.queues().then(
        (list) => setQueues({ list, at: Date.now() }),
        () => {},
      ),
    [],
  );
  const loadRest = useCallback(() => {
    api.agents().then(setAgents, () => {});
    api.today().then(setReport, () => {});
    api.conversations({ status: 'open', limit: 100 }).then(
      (r) => setOpen(r.conversations),
      () => {},
    );
  }, []);

  useEffect(() => {
    void loadQueues();
    loadRest();
    const poll = setInterval(() => {
      void loadQueues();
      loadRest();
    }, 20_000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [loadQueues, loadRest]);

  useEffect(
    () =>
      bus.subscribe((event, p) => {
        if (event === 'queue.stats') setQueues({ list: p.queues as QueueStats[], at: Date.now() });
        if (event === 'agent.presence') setAgents((list) => list.map((a) => (a.id === p.agentId ? { ...a, presence: p.presence } : a)));
        if (event === 'supervisor.alert') setAlerts((list) => [{ ...(p as Omit<Alert, 'at'>), at: Date.now() }, ...list].slice(0, 20));
        if (event === 'conversation.updated' || event === 'conversation.assigned') {
          // Many changes arrive together; refetch once.
          if (refetchTimer.current) clearTimeout(refetchTimer.current);
          refetchTimer.current = setTimeout(loadRest, 400);
        }
      }),
    [bus, loadRest],
  );

  const list = queues.list;
  const ws = list[0]?.window?.seconds;
  const windowLabel = ws ? ` · ${ws % 3600 === 0 ? `${ws / 3600}h` : `${Math.round(ws / 60)}m`}` : '';
  const totals = list.reduce(
    (t, q) => {
      const w = liveWait(q, queues.at, now);
      return {
        waiting: t.waiting + q.waiting + q.offered,
        longest: Math.max(t.longest, w),
        answered: t.answered + (q.today?.answered ?? 0),
        inSla: t.inSla + (q.today?.answeredInSla ?? 0),
        abandoned: t.abandoned + (q.today?.abandoned ?? 0),
        breaches: t.breaches + (breached(q, w) ? 1 : 0),
      };
    },
    { waiting: 0, longest: 0, answered: 0, inSla: 0, abandoned: 0, breaches: 0 },
  );
  const finished = totals.answered + totals.abandoned;
  const sl = finished ? (totals.inSla / finished) * 100 : null;
  const abandon = finished ? (totals.abandoned / finished) * 100 : null;
  const online = agents.filter((a) => a.presence !== 'offline');
  const agentName = (id: string | null) => agents.find((a) => a.id === id)?.name ?? '—';
  // Hours are the server's; show up to the later of its last busy hour and the local hour.
  const lastBusy = Math.max(-1, ...(report?.byHour ?? []).filter((h) => CHANNELS.some((c) => h[c] > 0)).map((h) => h.hour));
  const hourData = (report?.byHour ?? []).filter((h) => h.hour <= Math.max(lastBusy, new Date().getHours()));

  return (
    <main className="wallboard" aria-label="Supervisor wallboard">
      <section className="kpis" aria-label="Totals">
        <Kpi label="Waiting now" value={String(totals.waiting)} tone={totals.waiting ? 'warn' : undefined} testId="kpi-waiting" />
        <Kpi label="Longest wait" value={waitLabel(totals.longest)} tone={totals.breaches ? 'danger' : undefined} />
        <Kpi label="Service level today" value={percent(sl)} tone={sl !== null && sl < 80 ? 'danger' : 'ok'} />
        <Kpi label="Abandon rate today" value={percent(abandon)} tone={abandon !== null && abandon > 5 ? 'danger' : undefined} />
        <Kpi
          label="Agents available"
          value={`${agents.filter((a) => a.presence === 'available').length} / ${online.length}`}
          sub="available / online"
        />
        <Kpi label="SLA breaches" value={String(totals.breaches)} tone={totals.breaches ? 'danger' : 'ok'} sub="queues over target" />
      </section>

      <div className="wb-grid">
        <section className="card wb-queues" aria-label="Queues">
          <h2 className="card-title">Queues</h2>
          <table className="table" data-testid="queues-table">
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Longest
                </th>
                <th scope="col" className="num">
                  Target
                </th>
                <th scope="col" className="num">
                  SL %{windowLabel}
                </th>
                <th scope="col" className="num">
                  Abandon{windowLabel}
                </th>
                <th scope="col" className="num">
                  Answered today
                </th>
                <th scope="col" className="num">
                  Agents
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((q) => {
                const w = liveWait(q, queues.at, now);
                const bad = breached(q, w);
                return (
                  <tr key={q.key} className={bad ? 'breach' : ''} data-testid={`queue-${q.key}`}>
                    <th scope="row">
                      <span className="q-name">{q.name}</span>
                      {q.open === false && <span className="pill">closed</span>}
                      {bad && <span className="pill pill-danger">SLA breach</span>}
                    </th>
                    <td className="num strong" data-testid={`queue-${q.key}-waiting`}>
                      {q.waiting + q.offered}
                    </td>
                    <td className={`num ${bad ? 'danger' : ''}`}>{q.waiting + q.offered ? waitLabel(w) : '—'}</td>
                    <td className="num muted">{waitLabel(q.slaSeconds)}</td>
                    <td className="num">{percent(q.serviceLevel)}</td>
                    <td className="num">{percent(q.abandonRate)}</td>
                    <td className="num">{q.today?.answered ?? 0}</td>
                    <td className="num">
                      {q.agentsAvailable}/{q.agentsOnline}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>

        <section className="card wb-agents" aria-label="Agents">
          <h2 className="card-title">Agents</h2>
          <ul className="agent-list">
            {agents.map((a) => {
              const load = report?.agentLoad?.[a.id] ?? {};
              return (
                <li key={a.id} className="agent-row" data-testid="agent-row">
                  <PresenceDot presence={a.presence} />
                  <span className="agent-main">
                    <span className="agent-name">{a.name}</span>
                    <span className="agent-sub">
                      {Object.keys(load).length > 0 && (
                        <span className="agent-load" aria-label="Assigned work">
                          {(Object.entries(load) as [Channel, number][]).map(([c, n]) => (
                            <span key={c} className="load-chip">
                              <ChannelBadge channel={c} /> {n}
                            </span>
                          ))}
                        </span>
                      )}
                      <span className="muted small">{a.queues.map((q) => q.queue).join(', ') || 'no queues'}</span>
                    </span>
                  </span>
                  <label className="sr-only" htmlFor={`presence-${a.id}`}>
                    Presence of {a.name}
                  </label>
                  <select
                    id={`presence-${a.id}`}
                    className={`presence-select p-${a.presence}`}
                    value={['available', 'away', 'offline'].includes(a.presence) ? a.presence : ''}
                    onChange={async (e) => {
                      const updated = await api.setAgentStatus(a.id, e.target.value).catch(() => null);
                      if (updated) setAgents((l) => l.map((x) => (x.id === a.id ? updated : x)));
                    }}
                  >
                    {!['available', 'away', 'offline'].includes(a.presence) && <option value="">{a.presence}</option>}
                    <option value="available">available</option>
                    <option value="away">away</option>
                    <option value="offline">offline</option>
                  </select>
                </li>
              );
            })}
          </ul>
        </section>

        <section className="card wb-chart" aria-label="Today by channel">
          <h2 className="card-title">Today by channel</h2>
          <div className="chart">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart
                data={report?.byChannel.map((c) => ({ name: channelLabel(c.channel), channel: c.channel, count: c.count })) ?? []}
                margin={{ top: 8, right: 8, bottom: 0, left: -20 }}
              >
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="name" tickLine={false} axisLine={false} fontSize={12} />
                <YAxis allowDecimals={false} tickLine={false} axisLine={false} fontSize={12} />
                <Tooltip cursor={{ fill: '#f3f4f6' }} />
                <Bar dataKey="count" name="Conversations" radius={[4, 4, 0, 0]} isAnimationActive={false}>
                  {(report?.byChannel ?? []).map((c) => (
                    <Cell key={c.channel} fill={CHANNEL_COLOR[c.channel]} />
                  ))}
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
        </section>

        <section className="card wb-hours" aria-label="Today by hour">
          <h2 className="card-title">Today by hour</h2>
          <div className="chart">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart
                data={hourData.map((h) => ({ ...h, label: `${String(h.hour).padStart(2, '0')}h` }))}
                margin={{ top: 8, right: 8, bottom: 0, left: -20 }}
              >
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
                <XAxis dataKey="label" tickLine={false} axisLine={false} fontSize={11} interval="preserveStartEnd" />
                <YAxis allowDecimals={false} tickLine={false} axisLine={false} fontSize={12} />
                <Tooltip cursor={{ fill: '#f3f4f6' }} />
                <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
                {CHANNELS.map((c) => (
                  <Bar key={c} dataKey={c} name={channelLabel(c)} stackId="v" fill={CHANNEL_COLOR[c]} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
        </section>

        <section className="card wb-open" aria-label="Open conversations">
          <h2 className="card-title">
            Open conversations <span className="count">{open.length}</span>
          </h2>
          {open.length === 0 ? (
            <Empty title="All clear">No open conversations.</Empty>
          ) : (
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Contact</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Status</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Age</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {open.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <button className="link" onClick={() => onOpenConversation(c.id)}>
                        <ChannelBadge channel={c.channel} /> {contactLabel(c.contact)}
                      </button>
                    </td>
                    <td>{c.queue}</td>
                    <td>
                      <StatusPill status={c.status} />
                    </td>
                    <td>{agentName(c.assigneeId)}</td>
                    <td className="muted">{timeAgo(c.createdAt, now)}</td>
                    <td className="num">
                      <button className="btn btn-sm" onClick={() => setReassign(c)}>
                        Reassign
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="card wb-alerts" aria-label="Alerts">
          <h2 className="card-title">Alerts</h2>
          {alerts.length === 0 ? (
            <p className="muted small">No escalations. Queues over their target are highlighted in red.</p>
          ) : (
            <ul className="alerts">
              {alerts.map((a, i) => (
                <li key={i} className="alert-item">
                  <span className="pill pill-danger">{a.queue}</span>
                  <span>
                    {a.reason} · waiting {waitLabel(a.waitingSeconds)}
                  </span>
                  <button className="link" onClick={() => onOpenConversation(a.conversationId)}>
                    Open
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {reassign && <TransferDialog id={reassign.id} currentQueue={reassign.queue} onClose={() => (setReassign(null), loadRest())} />}
    </main>
  );
}

function Kpi({
  label,
  value,
  sub,
  tone,
  testId,
}: {
  label: string;
  value: string;
  sub?: string;
  tone?: 'ok' | 'warn' | 'danger';
  testId?: string;
}) {
  return (
    <div className={`kpi ${tone ? `kpi-${tone}` : ''}`}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}
