import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { i18next } from '../../i18n.js';
import { request } from '../../api.js';
import { reportError } from '../../notices.js';

type CallLine = { kind: 'say' | 'play' | 'note'; text: string; language?: string };
type CallTurn = {
  callSid: string;
  state: 'menu' | 'queued' | 'ended';
  lines: CallLine[];
  accepts?: { digits: boolean; speech: boolean; numDigits?: number };
};
type Entry = { who: 'line' | 'caller'; line: CallLine };

const callApi = {
  ring: (from: string) => request<CallTurn>('POST', '/api/sandbox/calls', { from }),
  answer: (callSid: string, input: { digits: string } | { speech: string }) =>
    request<CallTurn>('POST', `/api/sandbox/calls/${encodeURIComponent(callSid)}/input`, input),
};

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

/**
 * A caller walking the real IVR flow as text: each turn is the TwiML Switchboard answered, read out;
 * keys and words go back to the menu as Twilio would post them. Ends in the queue, where the
 * agents' desks get a real voice offer.
 */
export function CallPane() {
  const { t } = useTranslation();
  const [from, setFrom] = useState('+15555550177');
  const [call, setCall] = useState<CallTurn | null>(null);
  const [log, setLog] = useState<Entry[]>([]);
  const [keys, setKeys] = useState('');
  const [words, setWords] = useState('');
  const [busy, setBusy] = useState(false);

  const take = async (caller: CallLine | null, step: () => Promise<CallTurn>) => {
    setBusy(true);
    try {
      const turn = await step();
      setLog((l) => [
        ...l,
        ...(caller ? [{ who: 'caller' as const, line: caller }] : []),
        ...turn.lines.map((line) => ({ who: 'line' as const, line })),
      ]);
      setCall(turn);
    } catch (err) {
      reportError(i18next.t('errors.sandboxCall'))(err);
    } finally {
      setBusy(false);
    }
  };
  const ring = (e: FormEvent) => {
    e.preventDefault();
    setLog([]);
    void take(null, () => callApi.ring(from.trim()));
  };
  const press = (digits: string) => {
    if (!call || !digits) return;
    setKeys('');
    void take({ kind: 'note', text: t('sandbox.call.pressed', { digits }) }, () => callApi.answer(call.callSid, { digits }));
  };
  const say = (e: FormEvent) => {
    e.preventDefault();
    if (!call || !words.trim()) return;
    const speech = words.trim();
    setWords('');
    void take({ kind: 'say', text: speech }, () => callApi.answer(call.callSid, { speech }));
  };
  const inMenu = call?.state === 'menu' && !busy;

  return (
    <section className="sandbox-pane sandbox-call" aria-label={t('sandbox.call.label')}>
      <header className="sandbox-pane-head">
        <h2>{t('sandbox.call.title')}</h2>
        <form onSubmit={ring} className="sandbox-add">
          <input value={from} onChange={(e) => setFrom(e.target.value)} aria-label={t('sandbox.call.from')} placeholder="+1555…" />
          <button className="btn btn-sm btn-primary" type="submit" disabled={busy || call?.state === 'menu'}>
            {call && call.state !== 'ended' ? t('sandbox.call.again') : t('sandbox.call.ring')}
          </button>
        </form>
      </header>
      <ol className="sandbox-thread" aria-label={t('sandbox.call.said')}>
        {log.length === 0 && <li className="sandbox-empty">{t('sandbox.call.empty')}</li>}
        {log.map((e, i) => (
          <li
            key={i}
            className={
              e.who === 'caller' ? 'sbx-bubble sbx-bubble-contact' : e.line.kind === 'note' ? 'sbx-call-note' : 'sbx-bubble sbx-bubble-desk'
            }
            lang={e.line.language}
          >
            <div className="sbx-bubble-body" dir="auto">
              {e.line.kind === 'play' ? t('sandbox.call.plays', { file: e.line.text }) : e.line.text}
            </div>
          </li>
        ))}
      </ol>
      {call && (
        <p className="sbx-call-state" role="status" data-testid="call-state">
          {t(`sandbox.call.states.${call.state}`)}
        </p>
      )}
      <div className="sandbox-compose">
        <div className="sbx-keypad" role="group" aria-label={t('sandbox.call.keypad')}>
          {KEYS.map((k) => (
            <button key={k} type="button" className="btn btn-sm" disabled={!inMenu || !call?.accepts?.digits} onClick={() => press(k)}>
              {k}
            </button>
          ))}
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            press(keys);
          }}
          className="sandbox-add"
        >
          <input
            value={keys}
            onChange={(e) => setKeys(e.target.value.replace(/[^0-9*#]/g, ''))}
            aria-label={t('sandbox.call.keys')}
            placeholder={t('sandbox.call.keysExample')}
            disabled={!inMenu}
          />
          <button className="btn btn-sm" type="submit" disabled={!inMenu || !keys}>
            {t('sandbox.call.press')}
          </button>
        </form>
        <form onSubmit={say} className="sandbox-add">
          <input
            value={words}
            onChange={(e) => setWords(e.target.value)}
            aria-label={t('sandbox.call.words')}
            placeholder={t('sandbox.call.wordsExample')}
            disabled={!inMenu || !call?.accepts?.speech}
          />
          <button className="btn btn-sm" type="submit" disabled={!inMenu || !words.trim()}>
            {t('sandbox.call.say')}
          </button>
        </form>
      </div>
    </section>
  );
}
