import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import { channelLabel, unit } from '../../format.js';

import { CHANNELS, type Channel, type TodayReport } from '../../types.js';
import { hoursToShow } from './figures.js';

const CHANNEL_COLOR: Record<Channel, string> = { sms: '#16a34a', voice: '#2563eb', email: '#d97706', slack: '#7c3aed' };

/** Today's conversations by channel. */
export function ChannelChart({ report }: { report: TodayReport | null }) {
  const { t } = useTranslation();
  return (
    <section className="card wb-chart" aria-label={t('wallboard.byChannel')}>
      <h2 className="card-title">{t('wallboard.byChannel')}</h2>
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
            <Bar dataKey="count" name={t('wallboard.conversations')} radius={[4, 4, 0, 0]} isAnimationActive={false}>
              {(report?.byChannel ?? []).map((c) => (
                <Cell key={c.channel} fill={CHANNEL_COLOR[c.channel]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}

/** Today's conversations by hour, stacked by channel. */
export function HourChart({ report }: { report: TodayReport | null }) {
  const { t } = useTranslation();
  const hours = hoursToShow(report, new Date().getHours());
  return (
    <section className="card wb-hours" aria-label={t('wallboard.byHour')}>
      <h2 className="card-title">{t('wallboard.byHour')}</h2>

      <div className="chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={hours.map((h) => ({ ...h, label: unit(h.hour, 'hour', true) }))}
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
  );
}
