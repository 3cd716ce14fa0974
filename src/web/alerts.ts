import type { Offer } from './types.js';
import { channelLabel, contactLabel } from './format.js';

let audio: AudioContext | null = null;

/** A short two-tone chime through WebAudio (no audio file to ship or load). */
export function chime() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1175].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = now + i * 0.18;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.17);
    }
  } catch {
    /* no audio device: the toast still shows */
  }
}

/** Asks for notification permission; call from a click (browsers require a gesture). */
export function askNotificationPermission() {
  // Declining (or a browser that will not ask) leaves offers to ring in the page: nothing to tell the agent.
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission().catch(() => undefined);
  // Unlock audio on the same gesture; without an audio device the toast still shows.
  try {
    audio ??= new AudioContext();
    audio.resume().catch(() => undefined);
  } catch {
    /* no audio device: the toast still shows */
  }
}

export function notifyOffer(offer: Offer, onClick: () => void) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(`New ${channelLabel(offer.channel)} · ${offer.queue}`, {
      body: contactLabel(offer.contact),
      tag: offer.reservationId,
      requireInteraction: true,
    });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

const SOUND_KEY = 'switchboard.crisisSound';

/** The agent's choice for the crisis tone, kept on this browser (on unless they turned it off). */
export const crisisSound = {
  get: (): boolean => {
    try {
      return localStorage.getItem(SOUND_KEY) !== 'off';
    } catch {
      return true;
    }
  },
  set(on: boolean) {
    try {
      localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    } catch {
      /* private mode: the choice lasts for this page */
    }
  },
};

/**
 * Three low, insistent beeps for a crisis (unlike the offer's chime). Browsers refuse sound before
 * the person has interacted with the page: until then only the banner shows, and no AudioContext is
 * made, so the console holds no autoplay warning either.
 */
export function crisisTone() {
  if (!crisisSound.get() || !navigator.userActivation?.hasBeenActive) return;
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const play = () => {
      const now = ctx.currentTime;
      for (let i = 0; i < 3; i++) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = 523;
        const t = now + i * 0.28;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.12, t + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.21);
      }
    };
    if (ctx.state === 'running') play();
    else ctx.resume().then(play, () => undefined);
  } catch {
    /* no audio device: the banner still shows */
  }
}
