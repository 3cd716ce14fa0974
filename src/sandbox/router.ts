import express, { Router } from 'express';
import { z } from 'zod';
import { CHANNELS } from '../db/schema.js';
import type { Deps } from '../core/ports.js';
import { recordAudit } from '../core/audit/record-audit.js';
import { auditContext, parse, requireAuth, requireRoles } from '../http/middleware.js';
import { answerSandboxCall, startSandboxCall, ZSandboxCall, ZSandboxCallInput } from './call.js';
import { deliverSandboxInbound, ZSandboxInbound } from './inbound.js';
import './openapi.js';
import { SANDBOX_HOTLINE } from './secrets.js';
import { listSandboxMessages } from './store.js';
import type { LocalEndpoints } from './webhook-post.js';
import type { SandboxMessageRow } from '../db/schema.js';

const ZList = z
  .object({
    channel: z.enum(CHANNELS).optional(),
    contact: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

const publicOutbound = (m: SandboxMessageRow) => ({
  channel: m.channel,
  to: m.contact,
  body: m.body,
  at: m.createdAt.toISOString(),
  // Extensions: enough for the /sandbox screen to thread and show delivery.
  id: m.id,
  from: m.inbox,
  subject: m.subject,
  status: m.status,
});

const publicMessage = (m: SandboxMessageRow) => ({
  id: m.id,
  channel: m.channel,
  direction: m.direction,
  contact: m.contact,
  contactName: m.contactName,
  inbox: m.inbox,
  body: m.body,
  subject: m.subject,
  status: m.status,
  at: m.createdAt.toISOString(),
});

/**
 * The sandbox's API (contract: "Try it without vendor accounts"), admins only. Mounted only while the
 * sandbox is on; otherwise these paths are the API's plain 404.
 */
export function sandboxRouter(deps: Deps, local: LocalEndpoints): Router {
  const outer = Router();
  const r = Router();
  r.use(express.json({ limit: '256kb' }), requireAuth(deps), requireRoles('admin'));

  r.get('/', (_req, res) => {
    res.json({
      enabled: true,
      hotline: SANDBOX_HOTLINE,
      mailDomain: deps.config.mail.inboundDomain,
      notice: 'Sandbox: nothing is sent to real people',
    });
  });

  r.post('/inbound', async (req, res) => {
    const input = parse(ZSandboxInbound, req.body);
    const delivered = await deliverSandboxInbound(deps, local, input);
    // Sandbox use is audited: a made-up contact message lands in the real desk.
    await recordAudit(deps.db, {
      ...auditContext(req),
      action: 'sandbox.inbound',
      target: `sandbox:${input.channel}`,
      details: { channel: input.channel },
    });
    res.status(202).json({ delivered });
  });

  // A caller walks the IVR as text: the incoming-call webhook, then keys or words to each menu.
  r.post('/calls', async (req, res) => {
    const input = parse(ZSandboxCall, req.body);
    const turn = await startSandboxCall(deps, local, input);
    await recordAudit(deps.db, { ...auditContext(req), action: 'sandbox.inbound', target: 'sandbox:voice', details: { channel: 'voice' } });
    res.status(201).json(turn);
  });
  r.post('/calls/:callSid/input', async (req, res) => {
    const input = parse(ZSandboxCallInput, req.body);
    res.json(await answerSandboxCall(deps, local, String(req.params.callSid), input));
  });

  r.get('/outbound', async (req, res) => {
    const q = parse(ZList, req.query);
    const rows = await listSandboxMessages(deps.db, { direction: 'outbound', ...q });
    res.json({ messages: rows.map(publicOutbound) });
  });

  r.get('/messages', async (req, res) => {
    const q = parse(ZList, req.query);
    const rows = await listSandboxMessages(deps.db, q);
    res.json({ messages: rows.map(publicMessage) });
  });

  outer.use('/api/sandbox', r);
  return outer;
}
