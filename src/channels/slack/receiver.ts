import express, { Router } from 'express';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { stripNul } from '../../http/sanitize-input.js';
import type { Logger } from '../../logger.js';
import { slackPayloadProblem } from './envelope.js';
import { checkSlackSignature } from './verify.js';

/**
 * Bolt's receiver, mounted on Switchboard's own express app at
 * `POST /slack/events` (Events API, slash commands and interactivity alike).
 * It verifies the signature over the raw body, answers Slack's URL check,
 * and hands everything else to Bolt.
 *
 * Stored before acknowledged: Bolt calls `ack()` for events before any
 * listener runs, so here `ack()` only records the answer; it is sent once
 * Bolt's listeners have finished (the message committed). A listener that
 * throws gets a 500 instead, so Slack retries the event (the event_id makes
 * the retry harmless) rather than forgetting it. Storing takes well under
 * Slack's 3 s; should it take longer, Slack retries meanwhile and the retry
 * waits on the first delivery's claim.
 */
export class SwitchboardSlackReceiver implements Receiver {
  private bolt?: App;

  constructor(private readonly opts: { signingSecret: string; log: Logger }) {}

  init(app: App): void {
    this.bolt = app;
  }

  async start(): Promise<unknown> {
    return undefined;
  }

  async stop(): Promise<unknown> {
    return undefined;
  }

  router(): Router {
    const r = Router();
    const { log, signingSecret } = this.opts;
    r.post('/slack/events', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = checkSlackSignature(signingSecret, raw, req.get('x-slack-signature'), req.get('x-slack-request-timestamp'));
      if (!check.ok) {
        log.warn({ reason: check.reason }, 'slack request refused: bad signature');
        res
          .status(403)
          .type('text/plain')
          .send(check.reason === 'stale' ? 'stale timestamp' : 'invalid signature');
        return;
      }
      const body = parseBody(raw, req.get('content-type') ?? '');
      if (!body) {
        res.status(400).type('text/plain').send('unreadable body');
        return;
      }
      const problem = body.ssl_check ? undefined : slackPayloadProblem(body);
      if (problem) {
        log.warn({ problem }, 'slack request refused: signed but malformed');
        res.status(400).type('text/plain').send(problem);
        return;
      }
      if (body.ssl_check) {
        res.status(200).end();
        return;
      }
      if (body.type === 'url_verification') {
        res.json({ challenge: body.challenge });
        return;
      }
      let answer: { response?: unknown } | undefined;
      const ack = async (response?: unknown) => {
        answer ??= { response };
      };
      const retryNum = req.get('x-slack-retry-num');
      const event: ReceiverEvent = {
        body,
        ack,
        retryNum: retryNum ? Number(retryNum) : undefined,
        retryReason: req.get('x-slack-retry-reason') ?? undefined,
      };
      try {
        await this.bolt!.processEvent(event);
      } catch (err) {
        log.error({ err, type: body.type, eventId: body.event_id }, 'slack event handling failed');
        // 5xx makes Slack retry an event (a modal shows the person an error and stays open).
        res.status(500).end();
        return;
      }
      // Nothing listened (an event type we do not handle): still a 200, or Slack retries.
      const response = answer?.response;
      if (response === undefined || response === '') res.status(200).end();
      else if (typeof response === 'string') res.status(200).type('text/plain').send(response);
      else res.status(200).json(response);
    });
    return r;
  }
}

/** JSON (Events API) or a form: slash commands are fields, interactivity is a JSON `payload` field. */
function parseBody(raw: Buffer, contentType: string): Record<string, any> | undefined {
  try {
    const text = raw.toString('utf8');
    if (contentType.includes('application/json')) return stripNul(JSON.parse(text) as Record<string, any>);
    const form = Object.fromEntries(new URLSearchParams(text));
    if (typeof form.payload === 'string') return stripNul(JSON.parse(form.payload) as Record<string, any>);
    return stripNul(form);
  } catch {
    return undefined;
  }
}
