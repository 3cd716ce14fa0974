import { useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { initialSoftphone, softphoneActions, softphoneReducer, formatDuration } from '../../state/softphone.js';
import { Phone } from '../../voice.js';
import { Icon } from '../../components/bits.js';
import { TransferDialog } from '../../components/transfer-dialog.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Softphone({ dialTarget, conversationId }: { dialTarget: string; conversationId: string | null }) {
  const { t } = useTranslation();
  const [state, emit] = useReducer(softphoneReducer, initialSoftphone);
  const phone = useRef<Phone | null>(null);
  const [number, setNumber] = useState('');
  const [keypad, setKeypad] = useState(false);
  const [transfer, setTransfer] = useState(false);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const p = new Phone(emit);
    phone.current = p;
    void p.start();
    return () => p.dispose();
  }, []);
  useEffect(() => setNumber(dialTarget), [dialTarget]);
  // Accepting a voice offer makes the server ring this softphone into the call.
  useEffect(() => {
    const onAccepted = (e: Event) => {
      const { conversationId, peer } = (e as CustomEvent<{ conversationId: string; peer: string | null }>).detail;
      phone.current?.expectAgentLeg(conversationId, peer);
    };
    addEventListener('sb:voice-accepted', onAccepted);
    return () => removeEventListener('sb:voice-accepted', onAccepted);
  }, []);
  useEffect(() => {
    if (state.call?.phase !== 'open') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [state.call?.phase]);
  useEffect(() => {
    if (!state.call) {
      setKeypad(false);
      setTransfer(false);
    }
  }, [state.call]);

  const can = softphoneActions(state);
  const call = state.call;
  const p = phone.current;
  const dial = (e: FormEvent) => {
    e.preventDefault();
    if (can.dial && number.trim()) void p?.dial(number.trim(), number.trim() === dialTarget ? conversationId : null);
  };
  const deviceLabel = t(`softphone.states.${state.device}`);

  return (
    <section className={`panel softphone ${call ? `sp-${call.phase}` : ''}`} aria-label={t('softphone.label')} data-testid="softphone">
      <div className="sp-head">
        <h3 className="panel-title">
          <Icon name="voice" size={14} /> {t('softphone.title')}
        </h3>
        <span className={`sp-status sp-status-${state.device}`} data-testid="softphone-status">
          {deviceLabel}
        </span>
      </div>

      {state.device === 'unavailable' && (
        <p className="sp-note" data-testid="softphone-note">
          {t('softphone.errors.notConfigured')} {t('softphone.unavailableHint')}
        </p>
      )}
      {state.error && state.device !== 'unavailable' && (
        <div className="sp-error" role="alert">
          <span>{state.error}</span>
          <button className="link" onClick={() => emit({ type: 'dismiss.error' })} aria-label={t('softphone.dismissError')}>
            ×
          </button>
        </div>
      )}

      {call ? (
        <div className="sp-call" data-testid="call">
          <div className="sp-peer">{call.peer}</div>
          <div className="sp-phase" aria-live="polite">
            {call.phase === 'ringing'
              ? t('softphone.ringing')
              : call.phase === 'connecting'
                ? call.direction === 'outbound'
                  ? t('softphone.calling')
                  : t('softphone.connecting')
                : call.held
                  ? t('softphone.onHold')
                  : t('softphone.inCall')}
            {call.phase === 'open' && call.startedAt && (
              <span className="sp-timer" data-testid="call-timer">
                {formatDuration((now - call.startedAt) / 1000)}
              </span>
            )}
          </div>
          {call.phase === 'ringing' ? (
            <div className="sp-row">
              <button className="btn btn-success grow" onClick={() => p?.answer()} aria-label={t('softphone.answerCall')}>
                {t('softphone.answer')}
              </button>
              <button className="btn btn-danger grow" onClick={() => p?.reject()} aria-label={t('softphone.rejectCall')}>
                {t('softphone.reject')}
              </button>
            </div>
          ) : (
            <>
              <div className="sp-controls">
                <button
                  className={`sp-ctl ${call.muted ? 'on' : ''}`}
                  disabled={!can.mute}
                  aria-pressed={call.muted}
                  onClick={() => p?.mute(!call.muted)}
                >
                  <Icon name="mute" /> {call.muted ? t('softphone.unmute') : t('softphone.mute')}
                </button>
                <button
                  className={`sp-ctl ${call.held ? 'on' : ''}`}
                  disabled={!can.hold}
                  aria-pressed={call.held}
                  onClick={() => call.conversationId && void p?.hold(call.conversationId, !call.held)}
                >
                  <Icon name="pause" /> {call.held ? t('softphone.resume') : t('softphone.hold')}
                </button>
                <button
                  className={`sp-ctl ${keypad ? 'on' : ''}`}
                  disabled={!can.keypad}
                  aria-pressed={keypad}
                  onClick={() => setKeypad((k) => !k)}
                >
                  <Icon name="keypad" /> {t('softphone.keypad')}
                </button>
                <button
                  className="sp-ctl"
                  disabled={!can.transfer}
                  onClick={() => setTransfer(true)}
                  title={can.transfer ? t('softphone.transferHint') : t('softphone.noConversation')}
                >
                  <Icon name="transfer" /> {t('softphone.transfer')}
                </button>
              </div>
              {keypad && (
                <div className="keypad" role="group" aria-label={t('softphone.keypad')}>
                  <output className="keypad-digits" aria-label={t('softphone.digitsSent')}>
                    {call.digits || ' '}
                  </output>
                  {KEYS.map((k) => (
                    <button key={k} onClick={() => p?.digit(k)} aria-label={t('softphone.digit', { key: k })}>
                      {k}
                    </button>
                  ))}
                </div>
              )}
              <button
                className="btn btn-danger btn-block"
                disabled={!can.hangup}
                onClick={() => p?.hangup()}
                aria-label={t('softphone.hangUp')}
              >
                <Icon name="hangup" /> {t('softphone.hangUp')}
              </button>
            </>
          )}
        </div>
      ) : state.device === 'unavailable' ? null : (
        <form className="sp-dial" onSubmit={dial}>
          <label className="sr-only" htmlFor="dial-number">
            {t('softphone.number')}
          </label>
          <input
            id="dial-number"
            type="tel"
            inputMode="tel"
            placeholder={t('softphone.numberExample')}
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            disabled={state.device !== 'ready'}
          />
          <button className="btn btn-success" disabled={!can.dial || !number.trim()} aria-label={t('softphone.call')}>
            <Icon name="voice" size={14} /> {t('softphone.call')}
          </button>
        </form>
      )}
      {!call && state.lastCall && (
        <p className="muted small" data-testid="last-call">
          {t('softphone.lastCall', { peer: state.lastCall.peer, duration: formatDuration(state.lastCall.seconds) })}
        </p>
      )}
      {transfer && call?.conversationId && (
        <TransferDialog
          id={call.conversationId}
          currentQueue=""
          title={t('softphone.transferTitle')}

          onClose={() => setTransfer(false)}
          submit={(target) => p!.transfer(call.conversationId!, target)}
        />
      )}
    </section>
  );
}
