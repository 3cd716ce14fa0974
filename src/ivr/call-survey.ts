import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { contactText, type ContactTextKey } from '../core/contact-texts.js';
import type { CallSurveyStep } from '../core/csat/survey-policy.js';
import type { Flow, Lang } from './flow-schema.js';
import { say, voiceUrl } from './render.js';

/** Seconds the survey waits for a key before it counts as silence. */
const KEY_TIMEOUT_SECONDS = 8;

/**
 * The post-call survey's TwiML (core/csat/call-survey.ts decides; this only renders). The question
 * is a one-key <Gather> whose answer, or silence (`actionOnEmptyResult`), goes to `csat-answer`
 * with the conversation and how many times it was asked in the signed URL.
 */
export function renderCallSurveyAsk(
  publicUrl: string,
  flow: Flow | undefined,
  lang: Lang,
  conversationId: string,
  tries = 0,
): VoiceResponse {
  const twiml = new twilio.twiml.VoiceResponse();
  const g = twiml.gather({
    input: ['dtmf'],
    numDigits: 1,
    timeout: KEY_TIMEOUT_SECONDS,
    action: voiceUrl(publicUrl, 'csat-answer', { conversationId, try: tries }),
    actionOnEmptyResult: true,
  });
  if (tries > 0) say(g, flow, lang, contactText('csat.retry.voice', lang));
  else say(g, flow, lang, contactText('csat.ask.voice', lang));
  return twiml;
}

/** After a key or silence: the thanks (a score), the question once more, or a goodbye; then hang up. */
export function renderCallSurveyStep(
  publicUrl: string,
  flow: Flow | undefined,
  lang: Lang,
  conversationId: string,
  step: CallSurveyStep,
): VoiceResponse {
  if (step.kind === 'ask-again') return renderCallSurveyAsk(publicUrl, flow, lang, conversationId, step.tries);
  const twiml = new twilio.twiml.VoiceResponse();
  const last: ContactTextKey = step.kind === 'score' ? 'csat.thanks.voice' : 'csat.goodbye.voice';
  say(twiml, flow, lang, contactText(last, lang));
  twiml.hangup();
  return twiml;
}
