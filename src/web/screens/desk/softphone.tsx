import { useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import { initialSoftphone, softphoneActions, softphoneReducer, formatDuration } from '../../state/softphone.js';
import { Phone } from '../../voice.js';
import { Icon } from '../../components/bits.js';
import { TransferDialog } from '../../components/transfer-dialog.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

export function Softphone({ dialTarget, conversationId }: { dialTarget: string; conversationId: string | null }) {
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
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
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
  const deviceLabel = { off: 'Off', registering: 'Connecting…', ready: 'Ready', unavailable: 'Not configured', error: 'Error' }[
    state.device
  ];

  return (
    <section className={`panel softphone ${call ? `sp-${call.phase}` : ''}`} aria-label="Softphone" data-testid="softphone">
      <div className="sp-head">
        <h3 className="panel-title">
          <Icon name="voice" size={14} /> Phone
        </h3>
        <span className={`sp-status sp-status-${state.device}`} data-testid="softphone-status">
          {deviceLabel}
        </span>
      </div>

      {state.device === 'unavailable' && (
        <p className="sp-note" data-testid="softphone-note">
          {state.error ?? 'Voice is not available.'} Calls still reach the desk as conversations.
        </p>
      )}
      {state.error && state.device !== 'unavailable' && (
        <div className="sp-error" role="alert">
          <span>{state.error}</span>
          <button className="link" onClick={() => emit({ type: 'dismiss.error' })} aria-label="Dismiss error">
            ×
          </button>
        </div>
      )}

      {call ? (
        <div className="sp-call" data-testid="call">
          <div className="sp-peer">{call.peer}</div>
          <div className="sp-phase" aria-live="polite">
            {call.phase === 'ringing'
              ? 'Incoming call…'
              : call.phase === 'connecting'
                ? call.direction === 'outbound'
                  ? 'Calling…'
                  : 'Connecting…'
                : call.held
                  ? 'On hold'
                  : 'In call'}
            {call.phase === 'open' && call.startedAt && (
              <span className="sp-timer" data-testid="call-timer">
                {formatDuration((now - call.startedAt) / 1000)}
              </span>
            )}
          </div>
          {call.phase === 'ringing' ? (
            <div className="sp-row">
              <button className="btn btn-success grow" onClick={() => p?.answer()} aria-label="Answer call">
                Answer
              </button>
              <button className="btn btn-danger grow" onClick={() => p?.reject()} aria-label="Reject call">
                Reject
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
                  <Icon name="mute" /> {call.muted ? 'Unmute' : 'Mute'}
                </button>
                <button
                  className={`sp-ctl ${call.held ? 'on' : ''}`}
                  disabled={!can.hold}
                  aria-pressed={call.held}
                  onClick={() => call.conversationId && void p?.hold(call.conversationId, !call.held)}
                >
                  <Icon name="pause" /> {call.held ? 'Resume' : 'Hold'}
                </button>
                <button
                  className={`sp-ctl ${keypad ? 'on' : ''}`}
                  disabled={!can.keypad}
                  aria-pressed={keypad}
                  onClick={() => setKeypad((k) => !k)}
                >
                  <Icon name="keypad" /> Keypad
                </button>
                <button
                  className="sp-ctl"
                  disabled={!can.transfer}
                  onClick={() => setTransfer(true)}
                  title={can.transfer ? 'Transfer this call' : 'No conversation linked to this call'}
                >
                  <Icon name="transfer" /> Transfer
                </button>
              </div>
              {keypad && (
                <div className="keypad" role="group" aria-label="Keypad">
                  <output className="keypad-digits" aria-label="Digits sent">
                    {call.digits || ' '}
                  </output>
                  {KEYS.map((k) => (
                    <button key={k} onClick={() => p?.digit(k)} aria-label={`Digit ${k}`}>
                      {k}
                    </button>
                  ))}
                </div>
              )}
              <button className="btn btn-danger btn-block" disabled={!can.hangup} onClick={() => p?.hangup()} aria-label="Hang up">
                <Icon name="hangup" /> Hang up
              </button>
            </>
          )}
        </div>
      ) : state.device === 'unavailable' ? null : (
        <form className="sp-dial" onSubmit={dial}>
          <label className="sr-only" htmlFor="dial-number">
            Number to call
          </label>
          <input
            id="dial-number"
            type="tel"
            inputMode="tel"
            placeholder="+1 555 010 0000"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
            disabled={state.device !== 'ready'}
          />
          <button className="btn btn-success" disabled={!can.dial || !number.trim()} aria-label="Call">
            <Icon name="voice" size={14} /> Call
          </button>
        </form>
      )}
      {!call && state.lastCall && (
        <p className="muted small" data-testid="last-call">
          Last call: {state.lastCall.peer}, {formatDuration(state.lastCall.seconds)}
        </p>
      )}
      {transfer && call?.conversationId && (
        <TransferDialog
          id={call.conversationId}
          currentQueue=""
          title="Transfer call"
          onClose={() => setTransfer(false)}
          submit={(target) => p!.transfer(call.conversationId!, target)}
        />
      )}
    </section>
  );
}
